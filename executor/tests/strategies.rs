//! Scheduling strategies, fault injection and invariant checks.

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::{
    Config, Event, FaultKind, Faults, Outcome, Policy, Schedule, Sim, Step, buggify, explore, sleep, yield_now,
};

/// `n` tasks each read a shared counter, yield, and write it back plus one.
fn racy_counter(sim: &mut Sim, tasks: u32) -> Rc<Cell<u32>> {
    let counter = Rc::new(Cell::new(0));
    for _ in 0..tasks {
        let c = counter.clone();
        let _t = sim.spawn("incr", async move {
            let read = c.get();
            yield_now().await;
            c.set(read + 1);
        });
    }
    counter
}

fn yielders(sim: &mut Sim, yields: &[u32]) {
    for (i, &n) in yields.iter().enumerate() {
        let _t = sim.spawn(&format!("t{i}"), async move {
            for _ in 0..n {
                yield_now().await;
            }
        });
    }
}

fn completed(_: &Sim, outcome: &Outcome) -> Result<(), String> {
    if outcome.is_completed() {
        Ok(())
    } else {
        Err(outcome.to_string())
    }
}

fn binomial(n: u64, k: u64) -> u64 {
    (1..=k).fold(1, |acc, i| acc * (n + 1 - i) / i)
}

#[test]
fn the_explorer_enumerates_exactly_every_interleaving() {
    // Task i is polled yields[i] + 1 times; the interleavings of the polls
    // are the multinomial coefficient.
    for (yields, expected) in [
        (vec![1, 1], binomial(4, 2)),
        (vec![2, 1], binomial(5, 2)),
        (vec![3, 3], binomial(8, 4)),
        (vec![1, 1, 1], binomial(6, 2) * binomial(4, 2)),
    ] {
        let found = explore(Config::seeded(0), 100_000, |sim| yielders(sim, &yields), completed);
        assert_eq!(found.schedules, expected, "yields {yields:?}");
        assert!(found.exhausted);
        assert_eq!(found.failures, 0);
    }
}

#[test]
fn the_explorer_stops_at_its_bound() {
    let found = explore(Config::seeded(0), 5, |sim| yielders(sim, &[3, 3]), completed);
    assert_eq!((found.schedules, found.exhausted), (5, false));
}

#[test]
fn the_explorer_finds_the_lost_update_and_its_schedule_replays_it() {
    let check = |counter: &Cell<u32>| {
        if counter.get() == 2 {
            Ok(())
        } else {
            Err(format!("counter is {}", counter.get()))
        }
    };
    let counter = Rc::new(Cell::new(None::<Rc<Cell<u32>>>));
    let c = counter.clone();
    let found = explore(
        Config::seeded(0),
        1000,
        move |sim| c.set(Some(racy_counter(sim, 2))),
        |_, _| {
            let value = counter.take().unwrap();
            check(&value)
        },
    );
    assert!(found.exhausted);
    // Two tasks of two polls: 6 interleavings; the update is lost in the 4
    // where both read before either writes.
    assert_eq!((found.schedules, found.failures), (6, 4));
    let (schedule, message) = found.first_failure.clone().unwrap();
    assert_eq!(message, "counter is 1");
    let text = schedule.to_string();
    let replayed: Schedule = text.parse().unwrap();
    let mut sim = Sim::with_schedule(Config::seeded(0), &replayed);
    let value = racy_counter(&mut sim, 2);
    sim.run();
    assert_eq!(value.get(), 1, "schedule {text} replays the lost update");
    assert_eq!(sim.schedule().unwrap(), replayed);
}

/// Wakes its own task and returns `Pending` once: an await that is ready the
/// next time it is polled (a cache hit, a lookup). Unlike `yield_now` it does
/// not ask PCT to let the others run, so the task keeps its priority.
struct Reschedule(bool);

impl std::future::Future for Reschedule {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

fn reschedule() -> Reschedule {
    Reschedule(false)
}

/// `n` tasks each read a shared counter, await [`reschedule`], and write it back plus one.
fn rescheduling_counter(sim: &mut Sim, tasks: u32) -> Rc<Cell<u32>> {
    let counter = Rc::new(Cell::new(0));
    for _ in 0..tasks {
        let c = counter.clone();
        let _t = sim.spawn("incr", async move {
            let read = c.get();
            reschedule().await;
            c.set(read + 1);
        });
    }
    counter
}

#[test]
fn pct_is_reproducible_and_finds_the_race_within_its_bound() {
    let lost = |seed: u64, policy: Policy| {
        let mut sim = Sim::new(Config::seeded(seed).with_policy(policy));
        let counter = rescheduling_counter(&mut sim, 4);
        assert!(sim.run().is_completed(), "seed {seed}");
        (counter.get() != 4, sim.trace().fingerprint())
    };
    assert_eq!(lost(9, Policy::pct(2)), lost(9, Policy::pct(2)));
    // PCT's guarantee for depth d, n tasks, k polls: a bug of depth d is hit
    // with probability at least 1/(n·k^(d−1)) per run. Here n = 4, k = 8.
    let seeds = 400;
    let pct = |depth| Policy::Pct {
        depth,
        horizon: Some(8),
    };
    let pct_hits = (0..seeds).filter(|s| lost(*s, pct(2)).0).count();
    let bound = seeds as f64 / (4.0 * 8.0);
    assert!(
        pct_hits as f64 >= bound,
        "PCT found the race in {pct_hits} of {seeds} runs; the bound is {bound}"
    );
    // Under PCT the first scheduled task runs to its end unless a change point intervenes.
    let fifo_like = (0..seeds).filter(|s| !lost(*s, pct(1)).0).count();
    assert_eq!(
        fifo_like, seeds as usize,
        "depth 1 (no change points) never interleaves this program"
    );
}

#[test]
fn under_pct_a_yield_hands_the_turn_to_every_other_task() {
    // With `yield_now` between read and write, each task yields its turn
    // before writing: even depth 1 interleaves all reads before the writes.
    for seed in 0..200 {
        let mut sim = Sim::new(Config::seeded(seed).with_policy(Policy::pct(1)));
        let counter = racy_counter(&mut sim, 4);
        assert!(sim.run().is_completed(), "seed {seed}");
        assert_eq!(counter.get(), 1, "seed {seed}: every task read 0 before any wrote");
    }
}

/// Steps a spin-waiting run may take before the test calls it starved.
const SPIN_STEPS_MAX: u64 = 10_000;

#[test]
fn a_spin_wait_that_yields_ends_under_pct_at_every_depth() {
    for depth in 1..=3 {
        for seed in 0..1000 {
            let limits = wakescope::Limits {
                steps_max: SPIN_STEPS_MAX,
                ..wakescope::Limits::default()
            };
            let config = Config::seeded(seed).with_policy(Policy::pct(depth)).with_limits(limits);
            let mut sim = Sim::new(config);
            let flag = Rc::new(Cell::new(false));
            let f = flag.clone();
            let _waiter = sim.spawn("waiter", async move {
                while !f.get() {
                    yield_now().await;
                }
            });
            let _setter = sim.spawn("setter", async move {
                reschedule().await;
                flag.set(true);
            });
            let outcome = sim.run();
            assert!(outcome.is_completed(), "pct:{depth} seed {seed}: {outcome}");
            assert!(sim.steps() <= 8, "pct:{depth} seed {seed}: {} steps", sim.steps());
        }
    }
}

#[test]
fn a_change_point_can_fall_on_the_first_pick() {
    // Two tasks of two polls each. Depth 2 with a horizon of 1 has one change
    // point, on pick 1: the first task polled drops below the other, so the
    // other one runs next, on every seed.
    for seed in 0..200 {
        let config = Config::seeded(seed).with_policy(Policy::Pct {
            depth: 2,
            horizon: Some(1),
        });
        let mut sim = Sim::new(config);
        for name in ["a", "b"] {
            let _t = sim.spawn(name, reschedule());
        }
        assert!(sim.run().is_completed(), "seed {seed}");
        let polled: Vec<_> = sim
            .trace()
            .iter()
            .filter_map(|r| match r.event {
                Event::PollStarted { task, .. } => Some(task.0),
                _ => None,
            })
            .collect();
        assert_eq!(polled.len(), 4, "seed {seed}");
        assert_ne!(
            polled[0], polled[1],
            "seed {seed}: the change point on pick 1 preempts: {polled:?}"
        );
    }
    // Depth 3 over a horizon of 2: two distinct change points, picks 1 and 2,
    // so three tasks each run once before any runs twice.
    for seed in 0..200 {
        let config = Config::seeded(seed).with_policy(Policy::Pct {
            depth: 3,
            horizon: Some(2),
        });
        let mut sim = Sim::new(config);
        for name in ["a", "b", "c"] {
            let _t = sim.spawn(name, reschedule());
        }
        assert!(sim.run().is_completed(), "seed {seed}");
        let first: std::collections::BTreeSet<u32> = sim
            .trace()
            .iter()
            .filter_map(|r| match r.event {
                Event::PollStarted { task, .. } => Some(task.0),
                _ => None,
            })
            .take(3)
            .collect();
        assert_eq!(first.len(), 3, "seed {seed}: both change points fired: {first:?}");
    }
}

#[test]
fn a_schedule_replays_the_same_run_whatever_the_policy() {
    let found = explore(
        Config::seeded(0),
        1000,
        |sim| {
            let _ = racy_counter(sim, 3);
        },
        completed,
    );
    assert!(found.exhausted);
    let schedules = [
        Schedule::from_choices(vec![]),
        Schedule::from_choices(vec![1, 0, 2, 1]),
        Schedule::from_choices(vec![2, 2, 1, 0, 1]),
    ];
    for schedule in &schedules {
        let run = |policy: Policy| {
            let mut sim = Sim::with_schedule(Config::seeded(5).with_policy(policy), schedule);
            let counter = racy_counter(&mut sim, 3);
            let outcome = sim.run();
            let policy = sim.trace().header().policy.clone();
            (
                outcome,
                counter.get(),
                sim.trace().fingerprint(),
                sim.schedule(),
                policy,
            )
        };
        let fifo = run(Policy::Fifo);
        assert!(fifo.0.is_completed(), "schedule {schedule}: {}", fifo.0);
        assert_eq!(fifo.4, "schedule", "the header names what picked the tasks");
        for policy in [
            Policy::Random,
            Policy::pct(2),
            Policy::Pct {
                depth: 3,
                horizon: Some(4),
            },
        ] {
            assert_eq!(
                run(policy),
                fifo,
                "schedule {schedule} under {policy} replays the FIFO-config run"
            );
        }
    }
}

/// A program with spawns, yields, reschedules, timers and a join, for
/// watching the ready queue change.
fn busy_program(sim: &mut Sim) {
    for i in 0..5u32 {
        let _t = sim.spawn(&format!("w{i}"), async move {
            for round in 0..3 {
                if (i + round) % 2 == 0 {
                    yield_now().await;
                } else {
                    reschedule().await;
                }
                if round == 1 {
                    let child = wakescope::spawn("child", async move { reschedule().await });
                    if i % 2 == 0 {
                        child.await.unwrap();
                    }
                }
                if i == 3 && round == 2 {
                    sleep(Duration::from_millis(1)).await;
                }
            }
        });
    }
}

#[test]
fn each_pick_names_the_index_it_took_in_the_ready_queue_for_every_policy() {
    let delays = Faults {
        delay_ppm: 200_000,
        ..Faults::NONE
    };
    let configs = [
        ("random", Config::seeded(3)),
        ("fifo", Config::seeded(3).with_policy(Policy::Fifo)),
        ("pct:2", Config::seeded(3).with_policy(Policy::pct(2))),
        (
            "pct:3:20",
            Config::seeded(4).with_policy(Policy::Pct {
                depth: 3,
                horizon: Some(20),
            }),
        ),
        (
            "pct:2 with delays",
            Config::seeded(5).with_policy(Policy::pct(2)).with_faults(delays),
        ),
        ("random with delays", Config::seeded(6).with_faults(delays)),
    ];
    for (name, config) in configs {
        for schedule in [None, Some(Schedule::from_choices(vec![3, 1, 4, 1, 5, 9, 2, 6]))] {
            let mut sim = match &schedule {
                Some(s) => Sim::with_schedule(config, s),
                None => Sim::new(config),
            };
            busy_program(&mut sim);
            let ctx = format!("{name}, seed {}, schedule {schedule:?}", config.seed);
            let mut picks = 0;
            loop {
                let before = sim.ready_tasks();
                let step = sim.step();
                let (pick, requeued) = match step {
                    Step::Polled { pick, task, .. } => {
                        assert_eq!(pick.task, task, "{ctx}");
                        (pick, None)
                    }
                    Step::Delayed { pick, task } => (pick, Some(task)),
                    Step::Finished(outcome) => {
                        assert!(outcome.is_completed(), "{ctx}: {outcome}");
                        break;
                    }
                    _ => continue,
                };
                picks += 1;
                assert_eq!(
                    before.get(pick.index as usize),
                    Some(&pick.task),
                    "{ctx}: pick {picks} {pick:?} in {before:?}"
                );
                // The queue seen from outside: the pick's removal, then appends.
                let mut model: std::collections::VecDeque<_> = before.into();
                if pick.refill {
                    model.swap_remove_back(pick.index as usize);
                } else {
                    model.remove(pick.index as usize);
                }
                model.extend(requeued);
                let after = sim.ready_tasks();
                assert!(
                    after.len() >= model.len() && after.iter().zip(&model).all(|(a, b)| a == b),
                    "{ctx}: pick {picks} {pick:?}: {model:?} is not where {after:?} starts"
                );
                match (name, &schedule) {
                    (_, Some(_)) | ("fifo", None) => assert!(!pick.refill, "{ctx}: {pick:?}"),
                    _ => {}
                }
                if name == "fifo" && schedule.is_none() {
                    assert_eq!(pick.index, 0, "{ctx}: FIFO takes the front");
                }
            }
            assert!(picks > 30, "{ctx}: {picks} picks");
        }
    }
}

/// Fields the writer of the torn-record program writes, one per poll.
const RECORD_FIELDS: u32 = 5;

/// A short program with a bug that needs one precise preemption: a writer
/// writes a record a field per poll, a reader reads it once, and the bug is a
/// reader that sees every field but the last. Random scheduling must keep
/// picking the writer four times in a row (1 in 32); PCT needs the writer
/// first and a change point on its fourth poll.
fn torn_record(sim: &mut Sim) -> wakescope::sweep::SeedResult {
    let written = Rc::new(Cell::new(0u32));
    let w = written.clone();
    let _writer = sim.spawn("writer", async move {
        for _ in 0..RECORD_FIELDS {
            w.set(w.get() + 1);
            reschedule().await;
        }
    });
    let seen = Rc::new(Cell::new(None));
    let s = seen.clone();
    let _reader = sim.spawn("reader", async move { s.set(Some(written.get())) });
    wakescope::sweep::check_outcome(&sim.run())?;
    match seen.get() {
        Some(n) if n == RECORD_FIELDS - 1 => Err(format!("the reader saw {n} of {RECORD_FIELDS} fields")),
        _ => Ok(()),
    }
}

#[test]
fn pct_with_the_measured_horizon_finds_a_short_programs_bug_at_least_as_often_as_random() {
    let failures = |policy: Policy| {
        let report = wakescope::sweep::Sweep::new(0..1000)
            .config(Config::seeded(0).with_policy(policy).with_trace(false))
            .env(false)
            .run(torn_record);
        assert_eq!(report.runs, 1000, "{policy}");
        report
    };
    let random = failures(Policy::Random);
    let pct = failures(Policy::pct(2));
    assert!(
        random.failures > 0 && pct.failures >= random.failures,
        "pct:2 failed {} seeds (first {:?}), random {} (first {:?}), of 1000",
        pct.failures,
        pct.first_failure.as_ref().map(|f| f.seed),
        random.failures,
        random.first_failure.as_ref().map(|f| f.seed)
    );
    // The horizon is the program's length: 7 polls (the writer's 6, the reader's 1).
    let first = pct.first_failure.expect("pct:2 finds the torn record");
    assert_eq!(first.trace.header().policy, "pct:2:7", "seed {}", first.seed);
    assert!(first.reproduced, "seed {}", first.seed);
}

/// Tasks queued at once in the large PCT test.
const PCT_QUEUED_TASKS: u32 = 200_000;

#[test]
fn a_pct_pick_stays_cheap_with_many_tasks_queued() {
    // A pick that scanned the queue would take PCT_QUEUED_TASKS² steps here.
    let mut sim = Sim::new(Config::seeded(1).with_policy(Policy::pct(3)).with_trace(false));
    let done = Rc::new(Cell::new(0u32));
    for _ in 0..PCT_QUEUED_TASKS {
        let done = done.clone();
        let _t = sim.spawn("t", async move {
            reschedule().await;
            done.set(done.get() + 1);
        });
    }
    assert_eq!(sim.ready_tasks().len(), PCT_QUEUED_TASKS as usize);
    assert!(sim.run().is_completed());
    assert_eq!(done.get(), PCT_QUEUED_TASKS);
    assert_eq!(sim.steps(), 2 * u64::from(PCT_QUEUED_TASKS));
}

#[test]
fn policies_parse_from_text_with_clear_errors() {
    assert_eq!("pct:3".parse::<Policy>().unwrap(), Policy::pct(3));
    assert_eq!(
        "pct:2:50".parse::<Policy>().unwrap(),
        Policy::Pct {
            depth: 2,
            horizon: Some(50)
        }
    );
    assert_eq!(
        Policy::Pct {
            depth: 2,
            horizon: Some(50)
        }
        .to_string(),
        "pct:2:50"
    );
    assert_eq!("fifo".parse::<Policy>().unwrap(), Policy::Fifo);
    assert!("pct:0".parse::<Policy>().unwrap_err().contains("out of range"));
    assert!("pct:x".parse::<Policy>().unwrap_err().contains("unknown policy"));
    assert!("lifo".parse::<Policy>().unwrap_err().contains("unknown policy"));
}

fn faulty_run(seed: u64, faults: Faults) -> Sim {
    let mut sim = Sim::new(Config::seeded(seed).with_faults(faults));
    for i in 0..4 {
        let _t = sim.spawn(&format!("w{i}"), async move {
            for _ in 0..3 {
                sleep(Duration::from_millis(10)).await;
                if buggify() {
                    sleep(Duration::from_millis(1)).await;
                }
                yield_now().await;
            }
        });
    }
    assert!(sim.run().is_completed(), "seed {seed}");
    sim
}

#[test]
fn every_fault_kind_is_recorded_and_replays_identically() {
    let faults = Faults {
        delay_ppm: 300_000,
        spurious_wake_ppm: 200_000,
        timer_jitter_max: Duration::from_millis(3),
        buggify_ppm: 300_000,
    };
    let sim = faulty_run(21, faults);
    let trace = sim.trace();
    let delays = trace
        .iter()
        .filter(|r| matches!(r.event, Event::Delayed { .. }))
        .count();
    assert!(delays > 0, "no delay fault in the trace");
    for kind in [FaultKind::SpuriousWake, FaultKind::TimerJitter, FaultKind::Buggify] {
        let n = trace
            .iter()
            .filter(|r| matches!(r.event, Event::Fault { fault, .. } if fault == kind))
            .count();
        assert!(n > 0, "no {kind:?} fault in the trace");
    }
    support::check_invariants(&trace, "faults seed 21").unwrap();
    assert_eq!(faulty_run(21, faults).trace().fingerprint(), trace.fingerprint());
    let without = faulty_run(21, Faults::NONE);
    assert!(
        without
            .trace()
            .iter()
            .all(|r| !matches!(r.event, Event::Fault { .. } | Event::Delayed { .. }))
    );
    assert_eq!(without.now(), Duration::from_millis(30));
    assert!(
        sim.now() > Duration::from_millis(30),
        "jitter and buggify made it later: {:?}",
        sim.now()
    );
}

#[test]
fn a_failing_check_ends_the_run_with_the_message_seed_and_step() {
    let mut sim = Sim::new(Config::seeded(77));
    let counter = racy_counter(&mut sim, 0);
    let c = counter.clone();
    let _t = sim.spawn("withdraw", async move {
        sleep(Duration::from_secs(1)).await;
        c.set(5);
        wakescope::check!(c.get() < 3, "balance {} over the limit", c.get());
        sleep(Duration::from_secs(1)).await;
    });
    let outcome = sim.run();
    let Outcome::CheckFailed(failure) = &outcome else {
        panic!("expected a failed check, got {outcome}")
    };
    assert_eq!(failure.message, "balance 5 over the limit");
    assert_eq!(failure.seed, 77);
    assert_eq!(failure.step, 3, "poll, clock jump, then the poll that checks");
    assert_eq!(sim.now(), Duration::from_secs(1), "the run stopped at the failure");
    assert!(outcome.to_string().contains("seed 77"), "{outcome}");
    let trace = sim.trace();
    assert_eq!(trace.check_message(0), Some("balance 5 over the limit"));
    let round_trip = wakescope::Trace::from_jsonl(&trace.to_jsonl()).unwrap();
    assert_eq!(round_trip.fingerprint(), trace.fingerprint());
}

#[test]
fn an_invariant_is_checked_after_every_step() {
    let mut sim = Sim::new(Config::seeded(3));
    let counter = racy_counter(&mut sim, 3);
    let c = counter.clone();
    sim.add_invariant("counter stays below 2", move || {
        if c.get() < 2 {
            Ok(())
        } else {
            Err(format!("counter is {}", c.get()))
        }
    });
    match sim.run() {
        Outcome::CheckFailed(f) => assert!(
            f.message.starts_with("counter stays below 2: counter is 2"),
            "{}",
            f.message
        ),
        other => panic!("expected a failed invariant, got {other}"),
    }
}

#[test]
fn the_explorer_stops_at_the_first_failure_with_its_index_and_the_programs_state() {
    // Three racy increments: the check reads the counter the program returns.
    let check = |_: &Sim, _: &Outcome, counter: Rc<Cell<u32>>| match counter.get() {
        3 => Ok(()),
        n => Err(format!("counter is {n}")),
    };
    let all = wakescope::Explore::new(Config::seeded(0)).run(|sim| racy_counter(sim, 3), check);
    assert!(all.exhausted && !all.stopped_at_first);
    assert!(all.failures > 1, "{all:?}");
    let first = wakescope::Explore::new(Config::seeded(0))
        .stop_at_first(true)
        .run(|sim| racy_counter(sim, 3), check);
    assert!(first.stopped_at_first && !first.exhausted);
    assert_eq!(first.failures, 1);
    assert_eq!(first.first_failure, all.first_failure);
    assert_eq!(first.first_failure_index, all.first_failure_index);
    // The walk stopped right after the failing schedule.
    assert_eq!(Some(first.schedules - 1), first.first_failure_index);

    // The schedule replays the failure: same counter.
    let (schedule, message) = first.first_failure.unwrap();
    let mut sim = Sim::with_schedule(Config::seeded(0), &schedule);
    let counter = racy_counter(&mut sim, 3);
    assert!(sim.run().is_completed());
    assert_eq!(format!("counter is {}", counter.get()), message);

    // A passing program explores everything even with the option on.
    let clean = wakescope::Explore::new(Config::seeded(0))
        .stop_at_first(true)
        .run(|sim| yielders(sim, &[1, 1]), |sim, outcome, ()| completed(sim, outcome));
    assert_eq!(
        (clean.schedules, clean.exhausted, clean.stopped_at_first),
        (6, true, false)
    );
    assert_eq!(clean.first_failure_index, None);
}
