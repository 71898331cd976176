//! Fork and bisect: continuations of a run's prefix, and where a failure
//! became inevitable — the sampled estimates checked against the exact
//! probabilities of every continuation.

use std::cell::Cell;
use std::rc::Rc;

use wakescope::scenarios;
use wakescope::sweep::{FailureKind, SeedResult, bisect, check_outcome, estimate_error, fork};
use wakescope::{Config, Event, PollResult, Schedule, Sim, decisions, yield_now};

/// Three workers read a counter, yield, and write back read + 1.
fn lost_update(sim: &mut Sim) -> SeedResult {
    let n = Rc::new(Cell::new(0));
    for name in ["a", "b", "c"] {
        let n = n.clone();
        let _t = sim.spawn(name, async move {
            yield_now().await;
            let read = n.get();
            yield_now().await;
            n.set(read + 1);
        });
    }
    check_outcome(&sim.run())?;
    if n.get() == 3 {
        Ok(())
    } else {
        Err(format!("{} increments lost", 3 - n.get()))
    }
}

/// The exact probability that the random policy, continuing the schedule
/// `prefix`, fails as `kind`: every continuation by depth-first search,
/// each weighted by 1/alternatives at each of its own decisions.
fn exact(seed: u64, prefix: &[u32], kind: &FailureKind) -> f64 {
    let mut total = 0.0;
    let mut next = Some(prefix.to_vec());
    while let Some(choices) = next.take() {
        let mut sim = Sim::with_schedule(Config::seeded(seed), &Schedule::from_choices(choices));
        let result = lost_update(&mut sim);
        let trace = sim.trace_clone();
        let made = decisions(&trace);
        let weight: f64 = made[prefix.len()..].iter().map(|d| 1.0 / f64::from(d.ready)).product();
        if let Err(m) = result
            && FailureKind::of(&trace, &m).same_as(kind)
        {
            total += weight;
        }
        if let Some(i) = (prefix.len()..made.len())
            .rev()
            .find(|&i| made[i].choice + 1 < made[i].ready)
        {
            let mut p: Vec<u32> = made[..i].iter().map(|d| d.choice).collect();
            p.push(made[i].choice + 1);
            next = Some(p);
        }
    }
    total
}

#[test]
fn every_estimate_is_within_its_stated_error_of_the_exact_probability() {
    let seed = (0..100)
        .find(|&s| lost_update(&mut Sim::new(Config::seeded(s))).is_err())
        .unwrap();
    let per_point = 400;
    let b = bisect(Config::seeded(seed), per_point, 1_000_000, &lost_update).unwrap();
    assert_eq!(
        b.points.len(),
        b.decisions.len() + 1,
        "budget for every point: the whole chart"
    );
    let error = estimate_error(per_point);
    assert!(error < 0.1, "{error}");
    let mut exacts = Vec::new();
    for p in &b.points {
        let prefix: Vec<u32> = b.decisions[..p.decisions].iter().map(|d| d.choice).collect();
        let exact = exact(seed, &prefix, &b.kind);
        assert!(
            (p.probability() - exact).abs() <= error,
            "{} decisions: estimate {} vs exact {exact} (± {error})\n{b}",
            p.decisions,
            p.probability()
        );
        exacts.push(exact);
    }
    // Where every continuation fails, exactly: and not one decision earlier.
    let j = b.inevitable.decisions;
    assert!(
        exacts[j..].iter().all(|&e| (e - 1.0).abs() < 1e-12),
        "{exacts:?} from {j}\n{b}"
    );
    assert!(j > 0 && exacts[j - 1] < 1.0, "{exacts:?} at {j}\n{b}");
    assert!(
        exacts[0] > 0.0 && exacts[0] < 1.0,
        "a race, not a certainty: {exacts:?}"
    );
    assert!(
        b.to_string()
            .contains(&format!("inevitable from step {}", b.inevitable.step)),
        "{b}"
    );
}

#[test]
fn a_fork_keeps_the_prefix_and_each_ending_replays() {
    let seed = (0..100)
        .find(|&s| lost_update(&mut Sim::new(Config::seeded(s))).is_err())
        .unwrap();
    let mut original = Sim::new(Config::seeded(seed));
    lost_update(&mut original).unwrap_err();
    let trace = original.trace_clone();
    let made = decisions(&trace);
    let at = made[2].seq;
    let forks = fork(Config::seeded(seed), at, 300, &lost_update).unwrap();
    assert_eq!(
        forks.prefix.choices(),
        made[..2].iter().map(|d| d.choice).collect::<Vec<_>>()
    );
    assert_eq!(forks.runs, 300);
    assert_eq!(forks.endings.iter().map(|e| e.runs).sum::<u64>(), 300);
    assert!(forks.endings.len() >= 2, "some pass, some fail:\n{forks}");
    for e in &forks.endings {
        assert!(e.schedule.choices().starts_with(forks.prefix.choices()) || e.schedule.choices().len() < 2);
        let mut again = Sim::with_schedule(Config::seeded(seed), &e.schedule);
        match (&e.kind, lost_update(&mut again)) {
            (None, Ok(())) => {}
            (Some(kind), Err(m)) => assert!(FailureKind::of(&again.trace(), &m).same_as(kind)),
            (kind, result) => panic!("{kind:?} replayed as {result:?}"),
        }
    }
    // The same fork twice is the same multiverse.
    let twice = fork(Config::seeded(seed), at, 300, &lost_update).unwrap();
    assert_eq!((twice.same, twice.failures()), (forks.same, forks.failures()));

    let err = fork(Config::seeded(seed), trace.len() as u64 + 1, 10, &lost_update).unwrap_err();
    assert!(err.contains("past the end of the run"), "{err}");
    assert!(
        fork(Config::seeded(seed), 0, 0, &lost_update)
            .unwrap_err()
            .contains("from 1 to")
    );
}

#[test]
fn the_lost_update_becomes_inevitable_right_after_the_second_read() {
    let race = scenarios::find("race").unwrap();
    let params = race.default_params();
    let body = |sim: &mut Sim| {
        sim.set_scenario("race", params.pairs());
        (race.spawn)(sim, &params);
        let outcome = sim.run();
        race.verdict(sim, &outcome)
    };
    let b = bisect(Config::seeded(12), 200, 100_000, &body).unwrap();
    // The read is the poll that ends at the `yield_now` between read and write.
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/scenarios/race.rs")).unwrap();
    let yield_line = source.lines().position(|l| l.trim() == "yield_now().await;").unwrap() + 1;
    let reads: Vec<u64> = b
        .trace
        .iter()
        .filter(|r| {
            matches!(
                r.event,
                Event::PollEnded {
                    result: PollResult::Pending,
                    ..
                }
            ) && b
                .trace
                .site(r.seq as usize)
                .is_some_and(|s| s.line as usize == yield_line)
        })
        .map(|r| r.seq)
        .collect();
    assert_eq!(reads.len(), 2, "two workers read: {reads:?}");
    assert_eq!(b.inevitable.step, reads[1] + 1, "{b}");
    assert!(b.points.first().unwrap().probability() < 1.0, "{b}");

    let passing = bisect(Config::seeded(0), 10, 1000, &body).unwrap_err();
    assert!(passing.contains("nothing to bisect"), "{passing}");
}
