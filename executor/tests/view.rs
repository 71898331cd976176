//! The view fold agrees with the executor after every step: every scenario,
//! every mode, under every policy and under a replayed schedule — the fold
//! knows no policy, the trace tells it how each poll left the queue.
//!
//! Every failure message names the scenario, mode, policy and seed.

#![cfg(feature = "scenarios")]

use wakescope::scenarios::{self, Scenario};
use wakescope::view::{Recording, TaskStatus, ViewState};
use wakescope::{Config, Policy, Schedule, Sim, Step, TaskId, TaskState};

/// Runs with at most this many tasks are compared after every step; bigger
/// ones every [`SAMPLE_EVERY`] steps (comparing all tasks is O(tasks)).
const TASKS_COMPARED_EVERY_STEP: u32 = 200;
const SAMPLE_EVERY: u64 = 997;
const STEPS_MAX: u64 = 2_000_000;

fn task_status(state: TaskState) -> TaskStatus {
    match state {
        TaskState::Idle => TaskStatus::Idle,
        TaskState::Scheduled => TaskStatus::Scheduled,
        TaskState::Running => TaskStatus::Running,
        TaskState::Completed => TaskStatus::Done,
        TaskState::Cancelled => TaskStatus::Cancelled,
        TaskState::Panicked => TaskStatus::Panicked,
    }
}

/// Steps `sim` to its end, checking after every step that the fold of the
/// trace so far shows the executor's ready queue, timers, clock and tasks.
/// Returns the final fold.
fn check_fold_against_executor(mut sim: Sim, what: &str) -> (Sim, ViewState) {
    let mut head = ViewState::initial(&sim.trace());
    let mut steps = 0u64;
    loop {
        {
            let trace = sim.trace();
            head.apply_range(&trace, trace.len() as u64);
        }
        if sim.task_count() <= TASKS_COMPARED_EVERY_STEP || steps.is_multiple_of(SAMPLE_EVERY) {
            assert_eq!(
                head.ready.to_vec(),
                sim.ready_tasks(),
                "{what}: ready queue after {steps} steps"
            );
            assert_eq!(
                head.timers.len() as u32,
                sim.armed_timers(),
                "{what}: timers after {steps} steps"
            );
            assert_eq!(
                head.clock_ns,
                sim.now().as_nanos() as u64,
                "{what}: clock after {steps} steps"
            );
            for (i, t) in head.tasks.iter().enumerate() {
                let id = TaskId(i as u32);
                let state = sim.task_state(id).expect("known task");
                assert_eq!(t.status, task_status(state), "{what}: task #{i} after {steps} steps");
                assert_eq!(
                    Some(t.polls),
                    sim.task_polls(id),
                    "{what}: polls of #{i} after {steps} steps"
                );
                if !state.is_finished() {
                    let folded = t.waits_at.and_then(|id| sim.trace().site_by_id(id).cloned());
                    assert_eq!(
                        folded,
                        sim.task_waits_at(id),
                        "{what}: where #{i} waits after {steps} steps"
                    );
                }
            }
        }
        if let Step::Finished(_) = sim.step() {
            break;
        }
        steps += 1;
        assert!(steps < STEPS_MAX, "{what}: did not finish");
    }
    {
        let trace = sim.trace();
        head.apply_range(&trace, trace.len() as u64);
    }
    (sim, head)
}

fn policies() -> [Policy; 3] {
    [Policy::Random, Policy::Fifo, Policy::pct(3)]
}

fn each_scenario_mode(mut f: impl FnMut(&'static Scenario, &'static str, scenarios::Params)) {
    for scenario in scenarios::registry() {
        for mode in scenario.modes {
            let (params, errors) = scenario.params(Some(mode.id), []);
            assert!(
                errors.is_empty(),
                "scenario {} mode {}: {errors:?}",
                scenario.id,
                mode.id
            );
            f(scenario, mode.id, params);
        }
    }
}

#[test]
fn the_folded_queue_is_the_executors_under_every_policy() {
    each_scenario_mode(|scenario, mode, params| {
        for policy in policies() {
            for seed in [0, 1, 42] {
                let what = format!("scenario {} mode {mode} policy {policy} seed {seed}", scenario.id);
                let sim = scenario.start(Config::seeded(seed).with_policy(policy), &params);
                check_fold_against_executor(sim, &what);
            }
        }
    });
}

#[test]
fn the_folded_queue_is_the_executors_under_a_replayed_schedule() {
    each_scenario_mode(|scenario, mode, params| {
        // A schedule that picks away from the front whenever it can: the
        // queue order must follow the script's removals, not a policy's.
        let choices: Vec<u32> = (0..64).map(|i| [1, 0, 2, 1][i % 4]).collect();
        let schedule = Schedule::from_choices(choices);
        let what = format!("scenario {} mode {mode} schedule {schedule}", scenario.id);
        let mut config = Config::seeded(5);
        if let Some(configure) = scenario.configure {
            configure(&mut config, &params);
        }
        let mut sim = Sim::with_schedule(config, &schedule);
        (scenario.spawn)(&mut sim, &params);
        check_fold_against_executor(sim, &what);
    });
}

/// A busy program: yields, sleeps, spawns, a timeout that cancels its timer,
/// an abort of a queued task — every kind of event but a panic.
fn busy_sim(seed: u64, policy: Policy) -> Sim {
    use std::time::Duration;
    use wakescope::{sleep, spawn, timeout, yield_now};
    let mut sim = Sim::new(Config::seeded(seed).with_policy(policy));
    let _main = sim.spawn("main", async {
        let mut handles = Vec::new();
        for i in 0..12u64 {
            handles.push(spawn("worker", async move {
                for j in 0..(i % 4) {
                    yield_now().await;
                    sleep(Duration::from_millis(10 * (i + j))).await;
                }
            }));
        }
        let victim = spawn("victim", async { sleep(Duration::from_secs(100)).await });
        yield_now().await;
        victim.abort();
        let _ = timeout(Duration::from_millis(5), sleep(Duration::from_secs(1))).await;
        for h in handles {
            h.await.expect("workers finish");
        }
    });
    sim
}

#[test]
fn a_busy_program_with_aborts_and_timeouts_folds_like_the_executor_runs() {
    for seed in 0..25 {
        for policy in policies() {
            check_fold_against_executor(
                busy_sim(seed, policy),
                &format!("busy program, policy {policy}, seed {seed}"),
            );
        }
    }
}

#[test]
fn a_recording_seeks_to_the_fold_from_scratch_in_both_directions() {
    let scenario = scenarios::find("race").expect("registered");
    let params = scenario.default_params();
    let mut recording = Recording::live(scenario.start(Config::seeded(12), &params), u64::MAX);
    recording.finish();
    let total = recording.len();
    assert!(total > 10, "{total} events");
    let expect = |k: u64| recording.with_trace(|t| ViewState::fold(t, k));
    for k in [total, 3, total / 2, total / 2 + 1, 0, total - 1, 1, total] {
        assert_eq!(recording.view_at(k), expect(k), "race seed 12: step {k}");
    }
    let native = scenario.run(Config::seeded(12), &params).0.trace().fingerprint();
    assert_eq!(recording.fingerprint(), Some(native), "race seed 12: fingerprint");
}

#[test]
fn a_loaded_trace_folds_like_the_live_recording() {
    let scenario = scenarios::find("flow").expect("registered");
    let (params, errors) = scenario.params(Some("zero-window"), []);
    assert!(errors.is_empty(), "{errors:?}");
    let mut live = Recording::live(scenario.start(Config::seeded(1), &params), u64::MAX);
    live.finish();
    let text = live.with_trace(|t| t.to_jsonl());
    let mut loaded = Recording::loaded(wakescope::Trace::from_jsonl(&text).expect("the library's own file reads"));
    let mut advances = 0;
    while !loaded.advance(1) {
        advances += 1;
        assert!(
            advances < 1_000_000,
            "flow zero-window seed 1: the loaded trace never finished folding"
        );
    }
    assert_eq!(loaded.len(), live.len(), "flow zero-window seed 1: events");
    assert_eq!(
        loaded.fingerprint(),
        live.fingerprint(),
        "flow zero-window seed 1: fingerprint"
    );
    assert_eq!(
        loaded.end().map(|e| e.kind),
        live.end().map(|e| e.kind),
        "flow zero-window seed 1: end kind"
    );
    assert!(loaded.sim().is_none() && loaded.outcome().is_none());
    for k in (0..=live.len()).rev() {
        assert_eq!(loaded.view_at(k), live.view_at(k), "flow zero-window seed 1: step {k}");
        assert_eq!(
            loaded.next_poll(k),
            live.next_poll(k),
            "flow zero-window seed 1: next poll at {k}"
        );
    }
}

#[test]
fn a_loaded_trace_of_an_unhandled_panic_ends_as_panicked() {
    let mut sim = Sim::new(Config::seeded(3));
    let _doomed = sim.spawn("doomed", async { panic!("by design") });
    let _bystander = sim.spawn("bystander", async { wakescope::yield_now().await });
    let outcome = sim.run();
    assert!(matches!(outcome, wakescope::Outcome::Panicked(_)), "seed 3: {outcome}");
    let text = sim.trace_jsonl();
    let mut loaded = Recording::loaded(wakescope::Trace::from_jsonl(&text).expect("the library's own file reads"));
    loaded.finish();
    let end = loaded.end().expect("a loaded trace ends");
    assert_eq!(end.kind, wakescope::view::EndKind::Panicked, "seed 3: {}", end.message);
    assert_eq!(end.message, "imported: a task panicked and nothing handled it");
}
