//! Prefixes: a run that makes the first decisions of a schedule and then
//! goes on under its own policy and seed.

use std::collections::BTreeSet;

use wakescope::{Config, Event, Policy, Schedule, Sim, yield_now};

/// Four tasks that yield a few times: many decisions, many orders.
fn program(sim: &mut Sim) {
    for name in ["a", "b", "c", "d"] {
        let _t = sim.spawn(name, async {
            for _ in 0..3 {
                yield_now().await;
            }
        });
    }
}

/// The fingerprint, the prefix's decisions as taken, and the names of the
/// tasks in poll order.
fn run(config: Config, prefix: &Schedule) -> (u64, Schedule, Vec<String>) {
    let mut sim = Sim::with_prefix(config, prefix).expect("random and fifo continue a prefix");
    program(&mut sim);
    assert!(sim.run().is_completed());
    let trace = sim.trace_clone();
    let polled = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::PollStarted { task, .. } => Some(trace.task(task).unwrap().name.to_string()),
            _ => None,
        })
        .collect();
    (
        sim.fingerprint(),
        sim.schedule().expect("a prefix run has a schedule"),
        polled,
    )
}

#[test]
fn an_empty_prefix_is_the_policys_own_run() {
    for seed in 0..5 {
        let mut plain = Sim::new(Config::seeded(seed));
        program(&mut plain);
        plain.run();
        let (fingerprint, schedule, _) = run(Config::seeded(seed), &Schedule::default());
        assert_eq!(
            fingerprint,
            plain.fingerprint(),
            "seed {seed}: same run as without a prefix"
        );
        assert!(schedule.choices().is_empty());
    }
}

#[test]
fn a_prefix_is_kept_and_the_rest_follows_the_seed() {
    // Run d, c, b, a first (each time the last task in the queue).
    let prefix = Schedule::from_choices(vec![3, 2, 1, 0]);
    let mut continuations = BTreeSet::new();
    for seed in 0..12 {
        let (fingerprint, taken, polled) = run(Config::seeded(seed), &prefix);
        assert_eq!(taken.choices(), prefix.choices(), "seed {seed} takes the prefix");
        assert_eq!(polled[..4], ["d", "c", "b", "a"], "seed {seed}");
        assert_eq!(
            run(Config::seeded(seed), &prefix).0,
            fingerprint,
            "seed {seed} is deterministic"
        );
        continuations.insert(polled);
    }
    assert!(continuations.len() > 1, "other seeds, other continuations");
    // Under FIFO, after the prefix the queue's front runs: the order repeats.
    let (_, _, polled) = run(Config::seeded(3).with_policy(Policy::Fifo), &prefix);
    assert_eq!(polled[4..8], ["d", "c", "b", "a"]);
}

#[test]
fn pct_cannot_continue_a_prefix_and_says_why() {
    let err = Sim::with_prefix(Config::seeded(1).with_policy(Policy::pct(2)), &Schedule::default())
        .err()
        .unwrap();
    assert!(err.contains("not pct"), "{err}");
    assert!(
        err.contains("PCT's priorities are not defined after a scripted prefix"),
        "{err}"
    );
}
