//! Comparing two runs: the first divergence and the differences at the end.

use wakescope::compare::{Strictness, compare, first_difference};
use wakescope::scenarios;
use wakescope::{Config, Policy, Schedule, Sim, Trace};

fn race(seed: u64, schedule: Option<&Schedule>, mode: &str) -> Trace {
    let scenario = scenarios::find("race").unwrap();
    let (params, _) = scenario.params(Some(mode), std::iter::empty());
    let mut sim = match schedule {
        Some(s) => Sim::with_schedule(Config::seeded(seed), s),
        None => Sim::new(Config::seeded(seed)),
    };
    sim.set_scenario("race", params.pairs());
    (scenario.spawn)(&mut sim, &params);
    sim.run();
    sim.take_trace()
}

#[test]
fn a_run_is_the_same_as_itself_and_as_its_own_schedule_by_behaviour() {
    for seed in 0..20 {
        let a = race(seed, None, "racy");
        assert!(compare(&a, &race(seed, None, "racy"), Strictness::Exact).is_same());
        // The replay of its schedule polls the same tasks, but writes each
        // pick as a schedule does: the same behaviour, not the same bytes.
        let replay = race(seed, Some(&Schedule::of_run(&a)), "racy");
        let c = compare(&a, &replay, Strictness::Behaviour);
        assert!(c.is_same(), "seed {seed}: {c}");
        assert!(c.differences().is_empty());
        let picks_differ = a
            .iter()
            .any(|r| matches!(r.event, wakescope::Event::PollStarted { pick, .. } if pick.refill));
        assert_eq!(
            first_difference(&a, &replay, Strictness::Exact).is_some(),
            picks_differ,
            "seed {seed}: exact comparison sees the picks"
        );
    }
}

#[test]
fn two_seeds_agree_up_to_the_first_divergence_and_it_is_named() {
    let (a, b) = (race(12, None, "racy"), race(13, None, "racy"));
    let c = compare(&a, &b, Strictness::Behaviour);
    let d = c.divergence.clone().expect("seeds 12 and 13 differ");
    let (ea, eb): (Vec<_>, Vec<_>) = (a.iter().collect(), b.iter().collect());
    for i in 0..d.step as usize {
        assert_eq!(
            (ea[i].time_ns, ea[i].event),
            (eb[i].time_ns, eb[i].event),
            "step {i} is shared"
        );
    }
    assert_ne!(
        (ea[d.step as usize].time_ns, ea[d.step as usize].event),
        (eb[d.step as usize].time_ns, eb[d.step as usize].event)
    );
    assert!(d.summary.starts_with(&format!("step {}: A ", d.step)), "{}", d.summary);
    let lines = c.differences();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("outcome: A failed a check (counter is 1")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("clock: A ends at t=")), "{lines:?}");
    assert!(c.to_string().contains("at the end:"));
}

#[test]
fn a_shrunk_schedule_against_the_original_names_the_poll_that_differs() {
    let a = race(12, None, "racy");
    let fifo = race(12, Some(&Schedule::from_choices(vec![])), "racy");
    let c = compare(&a, &fifo, Strictness::Behaviour);
    let d = c.divergence.as_ref().unwrap();
    assert_eq!(
        d.summary,
        format!("step {}: A polled `task 2`, B polled `task 1`", d.step)
    );
    assert!(c.to_string().contains("they end the same way"), "{c}");

    // Another policy: every difference is found by behaviour alone.
    let mut sim = Sim::new(Config::seeded(12).with_policy(Policy::Fifo));
    let scenario = scenarios::find("race").unwrap();
    let params = scenario.default_params();
    sim.set_scenario("race", params.pairs());
    (scenario.spawn)(&mut sim, &params);
    sim.run();
    assert!(
        compare(&fifo, &sim.take_trace(), Strictness::Behaviour).is_same(),
        "FIFO is the empty schedule"
    );
}
