//! Resources, verdicts, sweeps and deadlocks against the executor: the
//! resources fold at given steps, back equals forward with resources, the
//! judge agrees with `Scenario::run`, and the sweep names the CLI's seed.

use wakescope::scenarios::{self, Params, Scenario};
use wakescope::{Config, Event, ResourceOp, TaskId};
use wakescope_app::model::sweep::{Judge, SeedSweep, SweepFound};
use wakescope_app::model::waitfor::DeadlockView;
use wakescope_app::model::{Frame, Run, ViewState};

fn scenario(id: &str, mode: Option<&str>) -> (&'static Scenario, Params) {
    let s = scenarios::find(id).unwrap_or_else(|| panic!("{id} is registered"));
    let (params, errors) = s.params(mode, []);
    assert!(errors.is_empty(), "{id}: {errors:?}");
    (s, params)
}

fn finished(id: &str, mode: Option<&str>, seed: u64) -> Run {
    let (s, params) = scenario(id, mode);
    let mut run = Run::start(s, params, seed);
    run.finish();
    run
}

/// The resources fold, recomputed naively from the events: who holds and who
/// waits on each resource after `k` events.
fn naive(run: &Run, k: u64) -> Vec<(Vec<TaskId>, Vec<TaskId>, u32, bool)> {
    run.with_trace(|trace| {
        let mut out: Vec<(Vec<TaskId>, Vec<TaskId>, u32, bool)> = Vec::new();
        for r in trace.iter().take(k as usize) {
            match r.event {
                Event::ResourceCreated { .. } => out.push((Vec::new(), Vec::new(), 0, false)),
                Event::Resource { resource, task, op } => {
                    let (holders, waiters, buffered, closed) = &mut out[resource.index()];
                    let served = matches!(
                        op,
                        ResourceOp::Send
                            | ResourceOp::Recv
                            | ResourceOp::Lock
                            | ResourceOp::Acquire
                            | ResourceOp::GaveUp
                    );
                    if served {
                        waiters.retain(|w| Some(*w) != task);
                    }
                    match op {
                        ResourceOp::Send => *buffered += 1,
                        ResourceOp::Recv => *buffered = buffered.saturating_sub(1),
                        ResourceOp::Lock | ResourceOp::Acquire => holders.push(task.unwrap()),
                        ResourceOp::Unlock | ResourceOp::Release => {
                            let i = holders
                                .iter()
                                .position(|h| Some(*h) == task)
                                .expect("the releaser holds it");
                            holders.remove(i);
                        }
                        ResourceOp::BlockedOnFull
                        | ResourceOp::BlockedOnEmpty
                        | ResourceOp::BlockedOnLock
                        | ResourceOp::BlockedOnPermit
                        | ResourceOp::BlockedOnNotify => {
                            if !waiters.contains(&task.unwrap()) {
                                waiters.push(task.unwrap());
                            }
                        }
                        ResourceOp::Notify => {
                            if !waiters.is_empty() {
                                waiters.remove(0);
                            }
                        }
                        ResourceOp::Closed => *closed = true,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        out
    })
}

fn folded(state: &ViewState) -> Vec<(Vec<TaskId>, Vec<TaskId>, u32, bool)> {
    state
        .resources
        .iter()
        .map(|r| {
            (
                r.holders.clone(),
                r.waiters.iter().map(|(t, _)| *t).collect(),
                r.buffered,
                r.closed,
            )
        })
        .collect()
}

#[test]
fn the_resources_fold_matches_the_events_at_every_tenth_step() {
    for (id, mode) in [
        ("flow", Some("flowing")),
        ("mutex", None),
        ("flow", Some("zero-window")),
    ] {
        let run = finished(id, mode, 1);
        assert!(
            run.with_trace(|t| t.resource_count()) > 0,
            "{id} seed 1 creates resources"
        );
        for k in (0..=run.len()).step_by(10) {
            let state = run.view_at(k);
            let mut want = naive(&run, k);
            // Receivers released by a close are not waiting any more.
            for (w, r) in want.iter_mut().zip(&state.resources) {
                if w.3 {
                    w.1.retain(|t| r.waiters.iter().any(|(x, _)| x == t));
                }
            }
            assert_eq!(folded(&state), want, "{id} seed 1 at step {k}");
        }
    }
}

#[test]
fn a_mutex_has_at_most_one_holder_and_waiters_are_not_holders() {
    let run = finished("mutex", None, 1);
    let mut saw_waiter = false;
    for k in 0..=run.len() {
        let state = run.view_at(k);
        for r in &state.resources {
            assert!(
                r.holders.len() <= 1,
                "mutex seed 1 step {k}: one holder at most: {:?}",
                r.holders
            );
            for (w, _) in &r.waiters {
                assert!(
                    !r.holders.contains(w),
                    "mutex seed 1 step {k}: {w} both holds and waits"
                );
            }
            saw_waiter |= !r.waiters.is_empty();
        }
    }
    assert!(saw_waiter, "mutex seed 1: some task waits for the lock");
}

#[test]
fn back_equals_forward_with_resources() {
    let run = finished("flow", Some("flowing"), 1);
    let len = run.len();
    let mut forward = Vec::new();
    for k in 0..=len {
        forward.push(Frame::at(&run, k));
    }
    for k in (0..=len).rev() {
        let back = Frame::at(&run, k);
        assert_eq!(
            back, forward[k as usize],
            "flow seed 1: step {k} going back equals going forward"
        );
        assert_eq!(
            run.view_at(k),
            run.with_trace(|t| ViewState::fold(t, k)),
            "flow seed 1 step {k}: snapshot fold"
        );
    }
    let last = &forward[len as usize];
    assert!(!last.resources.is_empty(), "flow seed 1 shows its channels");
    assert!(last.resources.iter().all(|r| r.kind == "channel"
        || r.kind == "oneshot"
        || r.kind.ends_with("mutex")
        || r.kind == "semaphore"
        || r.kind == "notify"));
}

#[test]
fn the_judge_agrees_with_scenario_run() {
    for s in scenarios::registry().iter().filter(|s| s.id != "million") {
        let params = s.default_params();
        for seed in [0, 1, 12] {
            let (sim, outcome) = s.run(Config::seeded(seed), &params);
            let judged = Judge::start(s, &params, seed, true).finish();
            assert_eq!(
                judged.verdict,
                s.verdict(&sim, &outcome),
                "{} seed {seed}: verdict",
                s.id
            );
            assert_eq!(judged.measured, s.measure(&sim), "{} seed {seed}: measurement", s.id);
            assert_eq!(judged.outcome, outcome, "{} seed {seed}: outcome", s.id);
        }
    }
}

#[test]
fn the_sweep_finds_race_seed_12_as_the_cli_does() {
    let (s, params) = scenario("race", None);
    let mut sweep = SeedSweep::new(s, params, 0, 200);
    match sweep.finish() {
        SweepFound::Failure { seed, message } => {
            assert_eq!(seed, 12, "race: the first failing seed in 0..200 ({message})");
        }
        SweepFound::NoFailure => panic!("race: no failing seed in 0..200"),
    }
    assert_eq!(sweep.done(), 13, "race: seeds 0..=12 judged, 12 is where it stopped");
    assert!(sweep.result_text().unwrap().starts_with("seed 12 fails: "));
}

#[test]
fn a_sweep_without_failure_tries_every_seed() {
    let (s, params) = scenario("timers", None);
    let mut sweep = SeedSweep::new(s, params, 5, 10);
    assert_eq!(sweep.finish(), SweepFound::NoFailure);
    assert_eq!((sweep.done(), sweep.total()), (10, 10));
    assert_eq!(sweep.result_text().unwrap(), "no failure in seeds 5..14");
}

#[test]
fn zero_window_deadlocks_with_both_ends_blocked_on_full_channels() {
    let (s, params) = scenario("flow", Some("zero-window"));
    let judged = Judge::start(s, &params, 1, true).finish();
    let deadlock = judged.outcome.deadlock().expect("flow zero-window seed 1 deadlocks");
    let view = DeadlockView::new(deadlock);
    assert!(view.blocked.len() >= 2, "flow zero-window seed 1: {:?}", view.blocked);
    let names: Vec<(&str, &str)> = view
        .blocked
        .iter()
        .map(|b| (b.name.as_str(), b.waits_on.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("sender", "channel \"data\" (full)"),
            ("receiver", "channel \"acks\" (full)")
        ],
        "flow zero-window seed 1"
    );
    // The executor knows who holds each channel end — the receiver `data`'s,
    // the sender `acks`' — so it reports the cycle through both channels, and
    // the view shows exactly the cycles it reports.
    assert_eq!(deadlock.cycles.len(), 1, "flow zero-window seed 1: {deadlock}");
    assert_eq!(
        view.cycles.len(),
        deadlock.cycles.len(),
        "flow zero-window seed 1: cycles as reported"
    );
    assert_eq!(
        view.edges.iter().filter(|e| e.in_cycle).count() > 0,
        !deadlock.cycles.is_empty()
    );
    let kinds: Vec<&str> = view.nodes.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "channel").count(),
        2,
        "flow zero-window seed 1: both channels drawn: {kinds:?}"
    );
}
