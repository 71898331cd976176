//! The scenario library: each story tells its lesson, exactly, on every seed.
//!
//! Every failure message starts with the scenario, its mode and the seed.
//! The readings (lateness, lock waits) are recomputed here from the trace,
//! apart from the scenarios' own checks and reports.

#![cfg(feature = "scenarios")]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use wakescope::scenarios::{self, Params, Scenario};
use wakescope::{
    CancelCause, Config, DropCause, EndReason, Event, ExitReason, Outcome, ResourceOp, Sim, Step, TaskId, TaskState,
    Trace,
};

const SEEDS: std::ops::Range<u64> = 0..5;
const MIN_NS: u64 = 60_000_000_000;
const MS_NS: u64 = 1_000_000;

fn scenario(id: &str) -> &'static Scenario {
    scenarios::find(id).unwrap_or_else(|| panic!("scenario `{id}` is registered"))
}

/// Valid parameters, or a failure naming the scenario.
fn params(s: &Scenario, mode: &str, given: &[(&str, &str)]) -> Params {
    let (params, errors) = s.params(Some(mode), given.iter().copied());
    assert!(errors.is_empty(), "{} mode {mode}: {errors:?}", s.id);
    params
}

fn run(id: &str, mode: &str, given: &[(&str, &str)], config: Config) -> (Sim, Outcome, String) {
    let s = scenario(id);
    let ctx = format!("{id} mode={mode} {given:?} seed {}", config.seed);
    let (sim, outcome) = s.run(config, &params(s, mode, given));
    (sim, outcome, ctx)
}

fn task(trace: &Trace, name: &str, ctx: &str) -> TaskId {
    (0..trace.task_count() as u32)
        .map(TaskId)
        .find(|t| trace.task(*t).unwrap().name == name)
        .unwrap_or_else(|| panic!("{ctx}: no task named {name:?}"))
}

/// What each mode's verdict is with default parameters, as its docs say.
#[derive(Debug, PartialEq)]
enum Expect {
    Pass,
    /// Fails exactly when the run ends in a failed `check` (the race).
    PassUnlessCheckFailed,
}

fn documented(id: &str, mode: &str) -> Expect {
    match (id, mode) {
        ("race", "racy") => Expect::PassUnlessCheckFailed,
        _ => Expect::Pass,
    }
}

#[test]
fn the_registry_lists_the_ten_stories_in_order() {
    let ids: Vec<&str> = scenarios::registry().iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        [
            "timers",
            "laundry",
            "million",
            "blocking",
            "cancel",
            "flow",
            "mutex",
            "supervision",
            "race",
            "cost"
        ]
    );
    for s in scenarios::registry() {
        assert!(!s.modes.is_empty(), "{}: no mode", s.id);
        assert!(
            !s.question.is_empty() && !s.answer.is_empty() && !s.notice.is_empty(),
            "{}: missing text",
            s.id
        );
        assert!(
            std::ptr::eq(scenarios::find(s.id).unwrap(), s),
            "{}: find returns it",
            s.id
        );
    }
}

#[test]
fn every_default_is_within_its_bounds() {
    for s in scenarios::registry() {
        for p in s.params {
            assert!(
                p.min <= p.default && p.default <= p.max,
                "{} {}: {} not in {}..={}",
                s.id,
                p.name,
                p.default,
                p.min,
                p.max
            );
        }
    }
}

#[test]
fn bad_parameters_get_a_message_and_keep_the_defaults() {
    for s in scenarios::registry() {
        let defaults = s.default_params();
        for p in s.params {
            let (over, under) = ((p.max + 1).to_string(), (p.min - 1).to_string());
            let given = [
                (p.name, over.as_str()),
                (p.name, under.as_str()),
                (p.name, "ten"),
                ("no_such_param", "1"),
            ];
            let (got, errors) = s.params(Some("no-such-mode"), given);
            assert_eq!(got, defaults, "{} {}: defaults kept", s.id, p.name);
            assert_eq!(
                errors.len(),
                5,
                "{} {}: one message per problem: {errors:?}",
                s.id,
                p.name
            );
            assert!(
                errors[0].message.contains("unknown mode"),
                "{} {}: {:?}",
                s.id,
                p.name,
                errors[0]
            );
            assert!(
                errors[1].message.contains("out of range"),
                "{} {}: {:?}",
                s.id,
                p.name,
                errors[1]
            );
            assert!(
                errors[2].message.contains("out of range"),
                "{} {}: {:?}",
                s.id,
                p.name,
                errors[2]
            );
            assert!(
                errors[3].message.contains("not a whole number"),
                "{} {}: {:?}",
                s.id,
                p.name,
                errors[3]
            );
            assert!(
                errors[4].message.contains("no parameter"),
                "{} {}: {:?}",
                s.id,
                p.name,
                errors[4]
            );

            let max = p.max.to_string();
            let (got, errors) = s.params(None, [(p.name, max.as_str())]);
            assert!(
                errors.is_empty(),
                "{} {}: the maximum is valid: {errors:?}",
                s.id,
                p.name
            );
            assert_eq!(got.get(p.name), p.max, "{} {}: a valid value is used", s.id, p.name);
        }
    }
}

#[test]
fn a_run_remembers_its_mode_and_parameters() {
    let s = scenario("laundry");
    let given = params(s, "ironing", &[("shirts", "7"), ("workers", "3")]);
    let sim = s.start(Config::seeded(1), &given);
    assert_eq!(s.params_of(&sim), given);
    assert_eq!(sim.config().workers, 3, "laundry's configure hook sets the workers");
}

#[test]
fn every_scenario_runs_to_its_documented_verdict_on_every_seed() {
    for s in scenarios::registry() {
        for mode in s.modes {
            for seed in SEEDS {
                let ctx = format!("{} mode={} seed {seed}", s.id, mode.id);
                let (params, _) = s.params(Some(mode.id), []);
                let (sim, outcome) = s.run(Config::seeded(seed), &params);
                assert!(outcome.limit().is_none(), "{ctx}: {outcome}");
                let trace = sim.trace();
                match trace.get(trace.len() - 1) {
                    Some(Event::Ended { reason }) => {
                        let want = match &outcome {
                            Outcome::Completed => EndReason::Completed,
                            Outcome::Deadlock(_) => EndReason::Deadlock,
                            _ => EndReason::CheckFailed,
                        };
                        assert_eq!(reason, want, "{ctx}: the trace ends with the outcome");
                    }
                    other => panic!("{ctx}: the trace ends with {other:?}, not Ended"),
                }
                support::check_invariants(&trace, &ctx).unwrap();
                drop(trace);
                let verdict = s.verdict(&sim, &outcome);
                match documented(s.id, mode.id) {
                    Expect::Pass => assert_eq!(verdict, Ok(()), "{ctx}: {outcome}"),
                    Expect::PassUnlessCheckFailed => {
                        let failed = matches!(outcome, Outcome::CheckFailed(_));
                        assert_eq!(verdict.is_err(), failed, "{ctx}: {outcome} gave {verdict:?}");
                    }
                }
                if let Some(report) = s.measure(&sim) {
                    assert!(!report.is_empty(), "{ctx}: empty report");
                }
            }
        }
    }
}

#[test]
fn every_scenario_replays_bit_for_bit() {
    for s in scenarios::registry() {
        for mode in s.modes {
            let (params, _) = s.params(Some(mode.id), []);
            let fingerprint = |seed| s.run(Config::seeded(seed), &params).0.trace().fingerprint();
            assert_eq!(fingerprint(3), fingerprint(3), "{} mode={} seed 3", s.id, mode.id);
        }
    }
}

#[test]
fn laundry_dries_together_in_one_drying_time_and_irons_at_the_speed_of_its_workers() {
    type Case = (&'static str, &'static [(&'static str, &'static str)], u64);
    let cases: [Case; 5] = [
        ("together", &[], 15),
        ("one-by-one", &[], 150),
        ("ironing", &[("workers", "1")], 150),
        ("ironing", &[("workers", "10")], 15),
        ("ironing", &[("workers", "3")], 60),
    ];
    for (mode, given, minutes) in cases {
        for seed in SEEDS {
            let (sim, outcome, ctx) = run("laundry", mode, given, Config::seeded(seed));
            assert!(outcome.is_completed(), "{ctx}: {outcome}");
            assert_eq!(sim.now(), Duration::from_secs(minutes * 60), "{ctx}");
            assert_eq!(scenario("laundry").verdict(&sim, &outcome), Ok(()), "{ctx}");
            let long_polls = sim
                .trace()
                .iter()
                .filter(|r| matches!(r.event, Event::LongPoll { .. }))
                .count();
            let want = if (mode, given) == ("ironing", &[("workers", "1")][..]) {
                10
            } else {
                0
            };
            assert_eq!(
                long_polls, want,
                "{ctx}: ironing on one worker blocks the executor once per shirt"
            );
        }
    }
    let (sim, outcome, ctx) = run(
        "laundry",
        "one-by-one",
        &[("shirts", "50"), ("dry_min", "25")],
        Config::seeded(0),
    );
    assert!(
        outcome.is_completed(),
        "{ctx}: the largest laundry fits the time limit: {outcome}"
    );
    assert_eq!(sim.now().as_nanos() as u64, 1250 * MIN_NS, "{ctx}");
}

#[test]
fn a_hundred_thousand_sleepers_take_ten_milliseconds() {
    for seed in 0..2 {
        let (sim, outcome, ctx) = run(
            "million",
            "spawn-then-join",
            &[("tasks", "100000")],
            Config::seeded(seed).with_trace(false),
        );
        assert!(outcome.is_completed(), "{ctx}: {outcome}");
        assert_eq!(sim.now(), Duration::from_millis(10), "{ctx}");
        assert_eq!(sim.task_count(), 100_001, "{ctx}: main and the sleepers");
        assert_eq!(scenario("million").verdict(&sim, &outcome), Ok(()), "{ctx}");
    }
}

/// `(deadline_ns, late_ns)` of every timer the `frames` task armed.
fn frame_lateness(trace: &Trace, ctx: &str) -> Vec<(u64, u64)> {
    let frames = task(trace, "frames", ctx);
    trace
        .iter()
        .filter_map(|r| match r.event {
            Event::TimerFired { timer } => {
                let info = trace.timer(timer).unwrap();
                (info.owner == Some(frames)).then(|| (info.deadline_ns, r.time_ns - info.deadline_ns))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_loop_without_yield_delays_the_frame_by_its_length() {
    for seed in SEEDS {
        let (sim, outcome, ctx) = run("blocking", "blocking", &[], Config::seeded(seed));
        assert!(outcome.is_completed(), "{ctx}: {outcome}");
        // The click comes with the 16 ms frame; 20 × 2 ms of loop run in one
        // poll, to 56 ms; the 32 ms frame fires then, and 48 ms never comes.
        assert_eq!(
            frame_lateness(&sim.trace(), &ctx),
            vec![(16 * MS_NS, 0), (32 * MS_NS, 24 * MS_NS)],
            "{ctx}"
        );
        let trace = sim.trace();
        let cpu_loop = task(&trace, "cpu loop", &ctx);
        assert_eq!(sim.task_polls(cpu_loop), Some(1), "{ctx}: the whole loop is one poll");
        assert!(
            trace.iter().any(|r| r.event == Event::LongPoll { task: cpu_loop }),
            "{ctx}: flagged as a long poll"
        );
        let report = scenario("blocking").measure(&sim).unwrap();
        assert!(
            report.contains("fired 24 ms late") && report.contains("1 frame(s) skipped"),
            "{ctx}: {report}"
        );
    }
}

#[test]
fn a_yielding_loop_keeps_every_frame_on_time() {
    for seed in SEEDS {
        let (sim, outcome, ctx) = run("blocking", "yielding", &[], Config::seeded(seed));
        assert!(outcome.is_completed(), "{ctx}: {outcome}");
        let frames = frame_lateness(&sim.trace(), &ctx);
        assert_eq!(
            frames.iter().map(|f| f.0).collect::<Vec<_>>(),
            [16, 32, 48, 64].map(|ms| ms * MS_NS),
            "{ctx}"
        );
        assert!(frames.iter().all(|(_, late)| *late < 16 * MS_NS), "{ctx}: {frames:?}");
        // 2 ms iterations end on every 16 ms tick: the timers fire exactly on time.
        assert!(frames.iter().all(|(_, late)| *late == 0), "{ctx}: {frames:?}");
        assert_eq!(scenario("blocking").verdict(&sim, &outcome), Ok(()), "{ctx}");
    }
    // Iterations of 5 ms straddle the ticks: timers fire up to 4 ms late, never a frame late.
    let (sim, _, ctx) = run("blocking", "yielding", &[("step_ms", "5")], Config::seeded(0));
    let frames = frame_lateness(&sim.trace(), &ctx);
    assert!(
        frames.iter().any(|(_, late)| *late > 0) && frames.iter().all(|(_, late)| *late < 5 * MS_NS),
        "{ctx}: {frames:?}"
    );
}

#[test]
fn every_kind_of_cancellation_shows_in_the_trace() {
    let kinds = |trace: &Trace| {
        let mut seen = BTreeMap::new();
        for r in trace.iter() {
            let kind = match r.event {
                Event::FutureDropped {
                    cause: DropCause::Timeout,
                    ..
                } => "timeout dropped a future",
                Event::FutureDropped {
                    cause: DropCause::Select,
                    ..
                } => "select dropped a future",
                Event::Cancelled {
                    cause: CancelCause::Aborted,
                    ..
                } => "a task was aborted",
                Event::TimerCancelled { .. } => "a timer was disarmed",
                _ => continue,
            };
            *seen.entry(kind).or_insert(0) += 1;
        }
        seen
    };
    for seed in SEEDS {
        let (sim, outcome, ctx) = run("cancel", "all", &[], Config::seeded(seed));
        assert!(outcome.is_completed(), "{ctx}: {outcome}");
        let want = BTreeMap::from([
            ("timeout dropped a future", 1),
            ("select dropped a future", 1),
            ("a task was aborted", 1),
            ("a timer was disarmed", 3),
        ]);
        assert_eq!(kinds(&sim.trace()), want, "{ctx}");
        assert_eq!(
            sim.now(),
            Duration::from_secs(3),
            "{ctx}: three cancellations at 1 s each"
        );
        for (mode, kind) in [
            ("timeout", "timeout dropped a future"),
            ("select", "select dropped a future"),
            ("abort", "a task was aborted"),
        ] {
            let (sim, _, ctx) = run("cancel", mode, &[], Config::seeded(seed));
            let seen = kinds(&sim.trace());
            assert_eq!(seen, BTreeMap::from([(kind, 1), ("a timer was disarmed", 1)]), "{ctx}");
        }
    }
    // When the limit is no shorter than the work, nothing is cancelled.
    let (sim, _, ctx) = run(
        "cancel",
        "timeout",
        &[("slow_s", "1"), ("limit_s", "2")],
        Config::seeded(0),
    );
    assert_eq!(kinds(&sim.trace()).get("timeout dropped a future"), None, "{ctx}");
}

#[test]
fn a_full_window_pushes_back_and_a_zero_window_deadlocks() {
    for seed in SEEDS {
        let (sim, outcome, ctx) = run("flow", "flowing", &[], Config::seeded(seed));
        assert!(outcome.is_completed(), "{ctx}: {outcome}");
        let trace = sim.trace();
        let sender = task(&trace, "sender", &ctx);
        let pushed_back = trace
            .iter()
            .filter(|r| matches!(r.event, Event::Resource { task: Some(t), op: ResourceOp::BlockedOnFull, .. } if t == sender))
            .count();
        // 16 segments into a window of 4: every send after the first 4 finds the window full once.
        assert_eq!(pushed_back, 12, "{ctx}");
        assert_eq!(
            sim.now(),
            Duration::from_millis(160),
            "{ctx}: paced by the receiver, 16 × 10 ms"
        );
        drop(trace);
        let report = scenario("flow").measure(&sim).unwrap();
        assert!(
            report.starts_with("the sender found the window full 12 time(s)"),
            "{ctx}: {report}"
        );

        let (sim, outcome, ctx) = run("flow", "zero-window", &[], Config::seeded(seed));
        let deadlock = outcome
            .deadlock()
            .unwrap_or_else(|| panic!("{ctx}: expected a deadlock, got {outcome}"));
        let stuck: Vec<(String, String, ResourceOp)> = deadlock
            .blocked
            .iter()
            .map(|b| {
                let w = b
                    .waiting_on
                    .as_ref()
                    .unwrap_or_else(|| panic!("{ctx}: {} waits on nothing named", b.name));
                (b.name.clone(), w.name.clone(), w.op)
            })
            .collect();
        let want = [("sender", "data"), ("receiver", "acks")]
            .map(|(t, c)| (t.to_string(), c.to_string(), ResourceOp::BlockedOnFull));
        assert_eq!(stuck, want, "{ctx}");
        // The receiver holds `data`'s receiving end, the sender `acks`': the cycle closes.
        assert_eq!(deadlock.cycles, vec![vec![TaskId(1), TaskId(2)]], "{ctx}: {outcome}");
        assert_eq!(
            deadlock.describe_cycle(&deadlock.cycles[0]),
            r##"#1 "sender" → channel "data" → #2 "receiver" → channel "acks" → #1 "sender""##,
            "{ctx}"
        );
        let text = outcome.to_string();
        assert!(
            ["sender", "receiver", "data", "acks"].iter().all(|w| text.contains(w)),
            "{ctx}: {text}"
        );
        assert_eq!(
            scenario("flow").verdict(&sim, &outcome),
            Ok(()),
            "{ctx}: the deadlock is the lesson"
        );
    }
    // A window large enough for everything: no zero window, and the verdict says so.
    let (sim, outcome, ctx) = run("flow", "zero-window", &[("window", "16")], Config::seeded(0));
    assert!(outcome.is_completed(), "{ctx}: {outcome}");
    let verdict = scenario("flow").verdict(&sim, &outcome).unwrap_err();
    assert!(verdict.contains("expected a zero-window deadlock"), "{ctx}: {verdict}");
}

/// `(task, waited_ns)` for every `Lock`, from the task's `BlockedOnLock` (0 if it never waited).
fn lock_waits(trace: &Trace) -> Vec<(String, u64)> {
    let mut since = BTreeMap::new();
    let mut waits = Vec::new();
    for r in trace.iter() {
        if let Event::Resource { task: Some(t), op, .. } = r.event {
            match op {
                ResourceOp::BlockedOnLock => {
                    since.insert(t, r.time_ns);
                }
                ResourceOp::Lock => waits.push((
                    trace.task(t).unwrap().name.to_string(),
                    r.time_ns - since.remove(&t).unwrap_or(r.time_ns),
                )),
                _ => {}
            }
        }
    }
    waits
}

#[test]
fn a_fair_lock_goes_to_the_waiter_and_an_unfair_one_to_the_hog() {
    for seed in SEEDS {
        let mut longest_waiter_wait = BTreeMap::new();
        for mode in ["fair", "unfair"] {
            let (sim, outcome, ctx) = run("mutex", mode, &[], Config::seeded(seed));
            assert!(outcome.is_completed(), "{ctx}: {outcome}");
            assert_eq!(
                sim.now(),
                Duration::from_millis(80),
                "{ctx}: 8 holds of 10 ms either way"
            );
            let waits = lock_waits(&sim.trace());
            // Who takes the lock right after the hog's first unlock?
            let second = &waits[1].0;
            let waiters: Vec<u64> = waits
                .iter()
                .filter(|(n, _)| n.starts_with("waiter"))
                .map(|(_, w)| *w)
                .collect();
            assert_eq!(waiters.len(), 3, "{ctx}: {waits:?}");
            if mode == "fair" {
                assert!(
                    second.starts_with("waiter"),
                    "{ctx}: the unlock hands the lock to a waiter: {waits:?}"
                );
                assert_eq!(waiters, [9, 19, 29].map(|ms| ms * MS_NS), "{ctx}");
            } else {
                assert_eq!(second, "hog", "{ctx}: the hog barges in: {waits:?}");
                assert_eq!(waiters, [49, 59, 69].map(|ms| ms * MS_NS), "{ctx}");
                assert!(
                    waits.iter().filter(|(n, _)| n == "hog").all(|(_, w)| *w == 0),
                    "{ctx}: the hog never waits"
                );
            }
            longest_waiter_wait.insert(mode, *waiters.iter().max().unwrap());
            let report = scenario("mutex").measure(&sim).unwrap();
            assert!(report.contains("waiter 1") && report.contains("hog"), "{ctx}: {report}");
        }
        assert!(
            longest_waiter_wait["unfair"] > longest_waiter_wait["fair"],
            "mutex seed {seed}: {longest_waiter_wait:?}"
        );
    }
}

#[test]
fn the_kill_chain_kills_p2_and_c1_and_p1_hears_of_it() {
    for seed in SEEDS {
        let (sim, outcome, ctx) = run("supervision", "kill-chain", &[], Config::seeded(seed));
        assert!(outcome.is_completed(), "{ctx}: {outcome}");
        assert_eq!(
            sim.now(),
            Duration::from_secs(5),
            "{ctx}: P1's patience, not C1's minute"
        );
        let trace = sim.trace();
        let [p0, p1, p2, c1] = ["P0", "P1", "P2", "C1"].map(|n| task(&trace, n, &ctx));
        for (t, want) in [
            (p0, TaskState::Completed),
            (p1, TaskState::Completed),
            (p2, TaskState::Cancelled),
            (c1, TaskState::Cancelled),
        ] {
            assert_eq!(sim.task_state(t), Some(want), "{ctx}: {}", trace.task(t).unwrap().name);
        }
        let killed: Vec<TaskId> = trace
            .iter()
            .filter_map(|r| match r.event {
                Event::Cancelled {
                    task,
                    cause: CancelCause::Killed,
                } => Some(task),
                _ => None,
            })
            .collect();
        assert_eq!(killed, [p2, c1], "{ctx}");
        assert!(
            trace
                .iter()
                .any(|r| r.event == Event::ExitTrapped { task: p1, from: p2 }),
            "{ctx}: P1 gets P2's exit as a message"
        );
        assert!(
            trace.iter().any(|r| r.event
                == Event::Exited {
                    task: p2,
                    reason: ExitReason::Killed
                }),
            "{ctx}"
        );
        drop(trace);
        assert_eq!(scenario("supervision").verdict(&sim, &outcome), Ok(()), "{ctx}");
    }
    // C1 done before P1's patience runs out: only P2 is killed.
    let (sim, outcome, ctx) = run("supervision", "kill-chain", &[("c1_s", "2")], Config::seeded(0));
    assert_eq!(sim.task_state(TaskId(4)), Some(TaskState::Completed), "{ctx}: C1");
    assert_eq!(scenario("supervision").verdict(&sim, &outcome), Ok(()), "{ctx}");
}

/// The first seed in `seeds` whose race verdict fails, and how many fail.
fn sweep_race(seeds: std::ops::Range<u64>, mode: &str, record: bool) -> (Option<u64>, usize) {
    let s = scenario("race");
    let params = params(s, mode, &[]);
    let mut first = None;
    let mut failures = 0;
    for seed in seeds {
        let (sim, outcome) = s.run(Config::seeded(seed).with_trace(record), &params);
        if let Err(message) = s.verdict(&sim, &outcome) {
            assert!(
                message.contains("update(s) lost"),
                "race mode={mode} seed {seed}: {message}"
            );
            first.get_or_insert(seed);
            failures += 1;
        }
    }
    (first, failures)
}

#[test]
fn the_race_loses_an_update_on_some_seeds_and_a_sweep_finds_the_same_first_one() {
    let (first, failures) = sweep_race(0..200, "racy", false);
    let first = first.expect("race mode=racy seeds 0..200: some seed loses an update");
    assert!(
        failures < 200,
        "race mode=racy seeds 0..200: all {failures} fail; some must pass"
    );
    assert_eq!(
        sweep_race(0..200, "racy", false),
        (Some(first), failures),
        "race mode=racy seeds 0..200: a second sweep agrees"
    );
    assert_eq!(
        sweep_race(0..first + 1, "racy", true).0,
        Some(first),
        "race mode=racy seed {first}: found with recording on too"
    );

    // Replaying the first failing seed with the trace shows the check and its message.
    let (sim, outcome, ctx) = run("race", "racy", &[], Config::seeded(first));
    let Outcome::CheckFailed(failure) = &outcome else {
        panic!("{ctx}: {outcome}")
    };
    assert_eq!(failure.message, "counter is 1, expected 2: 1 update(s) lost", "{ctx}");
    let report = scenario("race").measure(&sim).unwrap();
    assert!(
        report.contains(&format!("seed {first}")) && report.contains("lost"),
        "{ctx}: {report}"
    );

    assert_eq!(
        sweep_race(0..200, "locked", false),
        (None, 0),
        "race mode=locked seeds 0..200: no seed loses an update"
    );
    // More requests arriving together lose updates on nearly every seed.
    let (sim, outcome, ctx) = run(
        "race",
        "racy",
        &[("tasks", "8"), ("increments", "10")],
        Config::seeded(0),
    );
    assert!(scenario("race").verdict(&sim, &outcome).is_err(), "{ctx}: {outcome}");
}

#[test]
fn the_cost_report_gives_future_size_polls_and_latency() {
    for seed in SEEDS {
        let s = scenario("cost");
        let (mut sim, _, ctx) = {
            let p = params(s, "many-small", &[]);
            let sim = s.start(Config::seeded(seed), &p);
            (sim, (), format!("cost seed {seed}"))
        };
        // Step until the first small task (task 0 is `main`, which spawns
        // them) waits on its timer, and weigh its future.
        let first = TaskId(1);
        while sim.task_polls(first) != Some(1) || sim.task_state(first) != Some(TaskState::Idle) {
            assert!(!matches!(sim.step(), Step::Finished(_)), "{ctx}: the task never waited");
        }
        let bytes = sim.task_future_bytes(first).expect("a waiting task has a future");
        let outcome = sim.run();
        assert!(outcome.is_completed(), "{ctx}: {outcome}");
        let report = s.measure(&sim).unwrap();
        assert!(
            report.contains(&format!("future size {bytes} B per task")),
            "{ctx}: {report}"
        );
        assert!(report.contains("polls per task 2, wakes per task 1"), "{ctx}: {report}");
        // 1000 tasks woken at 1 ms, 10 µs of CPU each: the last waits 999 × 10 µs.
        assert!(report.contains("max 9.99 ms"), "{ctx}: {report}");
        assert!(report.contains("latency avg"), "{ctx}: {report}");
        assert_eq!(sim.now(), Duration::from_micros(1000 + 1000 * 10), "{ctx}");
    }
    // Past one spawn batch `main` yields between batches; its polls and wakes
    // are not the small tasks' and stay out of the counts.
    let s = scenario("cost");
    let p = params(s, "many-small", &[("tasks", "5000"), ("poll_us", "0")]);
    let (sim, outcome) = s.run(Config::seeded(1), &p);
    assert!(outcome.is_completed(), "{outcome}");
    assert_eq!(sim.task_count(), 5001, "main and the small tasks");
    let report = s.measure(&sim).unwrap();
    assert!(report.contains("polls per task 2, wakes per task 1"), "{report}");
    // No CPU work: every task is polled at the instant it became runnable.
    assert!(report.contains("latency avg 0 s, max 0 s"), "{report}");
    assert_eq!(sim.now(), Duration::from_millis(1));
}

#[test]
fn every_verdict_fails_a_run_that_ended_with_an_unhandled_panic() {
    // No scenario panics on purpose; a panic in one is a failure wherever it
    // is judged — app, CLI, sweep — since they all ask the scenario's verdict.
    for s in scenarios::registry() {
        for mode in s.modes {
            let sim = s.start(Config::seeded(0), &params(s, mode.id, &[]));
            let panicked = Outcome::Panicked(wakescope::TaskPanic {
                task: TaskId(0),
                name: "main".into(),
                message: "assertion failed".into(),
                seed: 0,
                step: 1,
            });
            let verdict = s.verdict(&sim, &panicked);
            assert!(verdict.is_err(), "{} mode {}: a panic passed", s.id, mode.id);
        }
    }
}
