//! Scheduling strategies, fault injection and invariant checks.

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::{Config, Event, FaultKind, Faults, Outcome, Policy, Schedule, Sim, buggify, explore, sleep, yield_now};

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

#[test]
fn pct_is_reproducible_and_finds_the_race_within_its_bound() {
    let lost = |seed: u64, policy: Policy| {
        let mut sim = Sim::new(Config::seeded(seed).with_policy(policy));
        let counter = racy_counter(&mut sim, 4);
        assert!(sim.run().is_completed());
        (counter.get() != 4, sim.trace().fingerprint())
    };
    assert_eq!(lost(9, Policy::pct(2)), lost(9, Policy::pct(2)));
    // PCT's guarantee for depth d, n tasks, k polls: a bug of depth d is hit
    // with probability at least 1/(n·k^(d−1)) per run. Here n = 4, k = 8.
    let seeds = 400;
    let pct_hits = (0..seeds)
        .filter(|s| lost(*s, Policy::Pct { depth: 2, horizon: 8 }).0)
        .count();
    let bound = seeds as f64 / (4.0 * 8.0);
    assert!(
        pct_hits as f64 >= bound,
        "PCT found the race in {pct_hits} of {seeds} runs; the bound is {bound}"
    );
    // Under PCT the first scheduled task runs to its end unless a change point intervenes.
    let fifo_like = (0..seeds)
        .filter(|s| !lost(*s, Policy::Pct { depth: 1, horizon: 8 }).0)
        .count();
    assert_eq!(
        fifo_like, seeds as usize,
        "depth 1 (no change points) never interleaves this program"
    );
}

#[test]
fn policies_parse_from_text_with_clear_errors() {
    assert_eq!("pct:3".parse::<Policy>().unwrap(), Policy::pct(3));
    assert_eq!(
        "pct:2:50".parse::<Policy>().unwrap(),
        Policy::Pct { depth: 2, horizon: 50 }
    );
    assert_eq!(Policy::Pct { depth: 2, horizon: 50 }.to_string(), "pct:2:50");
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
    for kind in [
        FaultKind::Delay,
        FaultKind::SpuriousWake,
        FaultKind::TimerJitter,
        FaultKind::Buggify,
    ] {
        let n = trace
            .iter()
            .filter(|r| matches!(r.event, Event::Fault { fault, .. } if fault == kind))
            .count();
        assert!(n > 0, "no {kind:?} fault in the trace");
    }
    support::check_invariants(&trace, "faults seed 21").unwrap();
    assert_eq!(faulty_run(21, faults).trace().fingerprint(), trace.fingerprint());
    let without = faulty_run(21, Faults::NONE);
    assert!(without.trace().iter().all(|r| !matches!(r.event, Event::Fault { .. })));
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
