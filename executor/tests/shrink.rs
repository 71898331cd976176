//! Shrinking: a failing run's schedule shrunk to its fewest deviations from
//! FIFO, checked against the true minimum found by trying every schedule.

use std::cell::Cell;
use std::rc::Rc;

use wakescope::scenarios::{self, Scenario};
use wakescope::sweep::{FailureKind, SeedResult, check_outcome};
use wakescope::sync::Mutex;
use wakescope::{Config, Event, Policy, Schedule, Sim, decisions, shrink, yield_now};

/// A scenario with its default parameters, small enough to explore.
fn scenario(id: &str, mode: &str, pairs: &[(&str, &str)]) -> (&'static Scenario, scenarios::Params) {
    let scenario = scenarios::find(id).unwrap();
    let (params, errors) = scenario.params(Some(mode), pairs.iter().copied());
    assert!(errors.is_empty(), "{errors:?}");
    (scenario, params)
}

/// The scenario as a sweep body: spawned on the given `Sim`, judged by its verdict.
fn body_of(scenario: &'static Scenario, params: scenarios::Params) -> impl Fn(&mut Sim) -> SeedResult {
    move |sim| {
        sim.set_scenario(scenario.id, params.pairs());
        (scenario.spawn)(sim, &params);
        let outcome = sim.run();
        scenario.verdict(sim, &outcome)
    }
}

/// The polled tasks in order and how the run ended: what a replay must repeat.
fn polls_and_end(trace: &wakescope::Trace) -> (Vec<u32>, Vec<String>) {
    let polled = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::PollStarted { task, .. } => Some(task.0),
            _ => None,
        })
        .collect();
    let rest = trace
        .iter()
        .filter(|r| !matches!(r.event, Event::PollStarted { .. } | Event::Delayed { .. }))
        .map(|r| format!("{} {:?}", r.time_ns, r.event))
        .collect();
    (polled, rest)
}

#[test]
fn every_run_replays_from_the_schedule_its_trace_gives() {
    // Any policy's run, read back as a schedule of places by arrival, is
    // the same run again: the same task at every poll, every other event equal.
    let policies = [Policy::Random, Policy::Fifo, Policy::pct(3)];
    let mut checked = 0;
    for scenario in scenarios::registry() {
        if scenario.id == "million" {
            continue; // the same code at scale; its small form is `timers`
        }
        for mode in scenario.modes {
            let (params, _) = scenario.params(Some(mode.id), std::iter::empty());
            for policy in policies {
                for seed in 0..3 {
                    let mut config = Config::seeded(seed).with_policy(policy);
                    if let Some(configure) = scenario.configure {
                        configure(&mut config, &params);
                    }
                    let config = wakescope::sweep::measure_horizon(config, |sim| {
                        (scenario.spawn)(sim, &params);
                        sim.run();
                    });
                    let mut original = Sim::new(config);
                    (scenario.spawn)(&mut original, &params);
                    original.run();
                    let trace = original.trace_clone();
                    let schedule = Schedule::of_run(&trace);
                    let mut replay = Sim::with_schedule(config, &schedule);
                    (scenario.spawn)(&mut replay, &params);
                    replay.run();
                    let what = format!("{} {} {policy} seed {seed}", scenario.id, mode.id);
                    assert_eq!(polls_and_end(&replay.trace()), polls_and_end(&trace), "{what}");
                    assert_eq!(
                        replay.schedule().unwrap(),
                        schedule,
                        "{what}: the replay takes the schedule's choices"
                    );
                    assert_eq!(
                        Schedule::of_run(&replay.trace()),
                        schedule,
                        "{what}: and its trace says so"
                    );
                    if policy == Policy::Fifo {
                        assert_eq!(schedule.deviations(), 0, "{what}: FIFO never deviates from itself");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "{checked} runs checked");
}

#[test]
fn a_decision_names_the_task_fifo_would_have_run_and_since_when() {
    let mut sim = Sim::with_schedule(Config::seeded(0), &Schedule::from_choices(vec![1]));
    for name in ["first", "second"] {
        let _t = sim.spawn(name, async { yield_now().await });
    }
    sim.run();
    let trace = sim.trace_clone();
    let made = decisions(&trace);
    assert_eq!(made[0].choice, 1);
    assert_eq!(made[0].ready, 2);
    let text = made[0].describe(&trace).to_string();
    assert_eq!(
        text,
        "at step 2 `second` ran before `first`, which had been ready since step 0"
    );
    assert!(made[1..].iter().all(|d| d.choice == 0 && d.passed_over.is_none()));
}

/// Every schedule of a program (depth first, as `explore` walks them) with
/// its deviations and whether it fails as `kind`: the ground truth.
fn fewest_deviations(
    config: Config,
    body: &impl Fn(&mut Sim) -> SeedResult,
    kind: &FailureKind,
) -> (Option<usize>, u64) {
    let mut fewest: Option<usize> = None;
    let mut runs = 0;
    let mut next = Some(Vec::new());
    while let Some(prefix) = next.take() {
        let mut sim = Sim::with_schedule(config.with_trace(true), &Schedule::from_choices(prefix));
        let result = body(&mut sim);
        runs += 1;
        assert!(runs < 200_000, "small programs only");
        let trace = sim.trace_clone();
        let made = decisions(&trace);
        if let Err(message) = result
            && FailureKind::of(&trace, &message).same_as(kind)
        {
            let n = made.iter().filter(|d| d.choice > 0).count();
            fewest = Some(fewest.map_or(n, |f| f.min(n)));
        }
        if let Some(i) = (0..made.len()).rev().find(|&i| made[i].choice + 1 < made[i].ready) {
            let mut p: Vec<u32> = made[..i].iter().map(|d| d.choice).collect();
            p.push(made[i].choice + 1);
            next = Some(p);
        }
    }
    (fewest, runs)
}

/// Shrinks the first failing seed of `body` and checks the result against
/// the true minimum; returns the shrink.
fn shrinks_to_the_true_minimum(what: &str, body: impl Fn(&mut Sim) -> SeedResult) -> wakescope::Shrunk {
    let seed = (0..500)
        .find(|&s| body(&mut Sim::new(Config::seeded(s))).is_err())
        .unwrap_or_else(|| panic!("{what}: some seed fails"));
    let shrunk = shrink(Config::seeded(seed), 5_000, &body).unwrap();
    assert!(shrunk.minimal, "{what}: within budget\n{shrunk}");
    let (fewest, runs) = fewest_deviations(Config::seeded(seed), &body, &shrunk.kind);
    assert_eq!(
        Some(shrunk.deviations.len()),
        fewest,
        "{what} seed {seed}: the minimum over all {runs} schedules\n{shrunk}"
    );
    assert_eq!(shrunk.schedule.deviations(), shrunk.deviations.len());
    assert!(shrunk.schedule.deviations() <= shrunk.original.deviations());
    // The shrunk schedule replays to the same failure.
    let mut again = Sim::with_schedule(Config::seeded(seed), &shrunk.schedule);
    let message = body(&mut again).expect_err("the shrunk schedule fails");
    assert!(
        FailureKind::of(&again.trace(), &message).same_as(&shrunk.kind),
        "{what}: {message} is {}",
        shrunk.kind
    );
    assert_eq!(again.fingerprint(), shrunk.trace.fingerprint(), "{what}: the same run");
    shrunk
}

/// Task `a` reads, yields, writes; `b` yields, then overwrites. FIFO lets
/// `a` write first; only `b` running before `a`'s write makes `a` win.
fn order_violation(sim: &mut Sim) -> SeedResult {
    let value = Rc::new(Cell::new(0));
    let v = value.clone();
    let _a = sim.spawn("a", async move {
        let read = v.get();
        yield_now().await;
        v.set(read + 1);
    });
    let v = value.clone();
    let _b = sim.spawn("b", async move {
        yield_now().await;
        v.set(10);
    });
    check_outcome(&sim.run())?;
    match value.get() {
        10 => Ok(()),
        n => Err(format!("b's write was lost: the value is {n}")),
    }
}

#[test]
fn an_order_violation_shrinks_to_its_one_deviation_in_words() {
    let shrunk = shrinks_to_the_true_minimum("order violation", order_violation);
    assert_eq!(shrunk.deviations.len(), 1, "{shrunk}");
    let words = shrunk.explanation();
    assert!(
        words[0].contains("`b` ran before `a`, which had been ready since step"),
        "{words:?}"
    );
    assert!(matches!(&shrunk.kind, FailureKind::Verdict(m) if m.starts_with("b's write was lost")));
    assert_eq!(shrunk.message, "b's write was lost: the value is 1");
    assert!(shrunk.to_string().contains("1 deviation from FIFO order"), "{shrunk}");
}

/// Two workers take two locks in opposite orders, each with an await
/// between; three more tasks keep the scheduler busy.
fn lock_order(sim: &mut Sim) -> SeedResult {
    let a = Rc::new(sim.enter(|| Mutex::new("a", ())));
    let b = Rc::new(sim.enter(|| Mutex::new("b", ())));
    for (name, first, second) in [("ab", a.clone(), b.clone()), ("ba", b.clone(), a.clone())] {
        let _t = sim.spawn(name, async move {
            yield_now().await;
            let _one = first.lock().await;
            yield_now().await;
            let _two = second.lock().await;
        });
    }
    for name in ["x", "y"] {
        let _t = sim.spawn(name, async { yield_now().await });
    }
    check_outcome(&sim.run())
}

#[test]
fn a_lock_order_deadlock_stays_a_deadlock_at_its_minimum() {
    let shrunk = shrinks_to_the_true_minimum("lock order", lock_order);
    assert_eq!(shrunk.kind, FailureKind::Deadlock);
}

#[test]
fn the_race_scenarios_failing_seeds_shrink_to_their_minimum_and_keep_the_check() {
    // Seed 12 of the lost update: the random run takes one deviation, but
    // two requests arriving together lose an update under FIFO too — the
    // interleaving at the await is the natural one. The shrink says so.
    let (race, params) = scenario("race", "racy", &[]);
    let body = body_of(race, params);
    let shrunk = shrink(Config::seeded(12), 5_000, &body).unwrap();
    assert_eq!(shrunk.original.deviations(), 1, "{shrunk}");
    assert_eq!(shrunk.deviations.len(), 0, "{shrunk}");
    assert!(shrunk.minimal);
    let FailureKind::Check { at: Some(at), .. } = &shrunk.kind else {
        panic!("a check, at its place: {}", shrunk.kind)
    };
    assert!(at.to_string().contains("scenarios/race.rs"), "{at}");
    assert!(shrunk.message.contains("update(s) lost"), "{}", shrunk.message);
    assert!(shrunk.to_string().contains("FIFO order fails the same way"), "{shrunk}");

    // Four workers, two requests each: checked against every schedule.
    let (race, params) = scenario(
        "race",
        "racy",
        &[("tasks", "3"), ("increments", "1"), ("spread_ms", "2")],
    );
    shrinks_to_the_true_minimum("race with 3 tasks", body_of(race, params));
}

#[test]
fn the_flow_deadlock_shrinks_to_its_minimum() {
    let (flow, params) = scenario("flow", "flowing", &[]);
    let body = body_of(flow, params.clone());
    let (zero, zparams) = scenario("flow", "zero-window", &[]);
    // Zero-window deadlocks on every seed, which its verdict expects: no failure to shrink.
    let err = shrink(Config::seeded(3), 100, &body_of(zero, zparams))
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not fail"), "{err}");
    // A flowing run that is made to fail (a verdict that always fails) shrinks to FIFO.
    let failing = |sim: &mut Sim| body(sim).and(Err("flagged".to_string()));
    let shrunk = shrink(Config::seeded(3), 5_000, &failing).unwrap();
    assert_eq!(shrunk.deviations.len(), 0, "{shrunk}");
    assert!(shrunk.minimal);
}

#[test]
fn a_budget_is_named_and_the_best_so_far_is_reported() {
    let seed = (0..500)
        .find(|&s| order_violation(&mut Sim::new(Config::seeded(s))).is_err())
        .unwrap();
    // Two runs: the failing run and its replay; no room to search.
    let shrunk = shrink(Config::seeded(seed), 2, &order_violation).unwrap();
    assert!(!shrunk.minimal);
    assert_eq!(shrunk.runs, 2);
    assert_eq!(shrunk.schedule, shrunk.original);
    assert!(shrunk.to_string().contains("the budget of 2 runs ran out"), "{shrunk}");
    for bad in [0, 1, wakescope::sweep::SHRINK_RUNS_MAX + 1] {
        let err = shrink(Config::seeded(seed), bad, &order_violation).unwrap_err();
        assert_eq!(err, wakescope::ShrinkError::Budget(bad));
        assert!(err.to_string().contains("takes from 2 to 1000000 runs"), "{err}");
    }
    let passing = (0..500)
        .find(|&s| order_violation(&mut Sim::new(Config::seeded(s))).is_ok())
        .unwrap();
    let err = shrink(Config::seeded(passing), 100, &order_violation)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("seed {passing} does not fail")), "{err}");
}

#[test]
fn a_body_that_does_not_replay_is_named() {
    // A body that fails on its first run only depends on something outside.
    let calls = Cell::new(0);
    let flaky = |sim: &mut Sim| {
        calls.set(calls.get() + 1);
        let _t = sim.spawn("t", async {});
        sim.run();
        if calls.get() == 1 {
            Err("first time".to_string())
        } else {
            Ok(())
        }
    };
    let err = shrink(Config::seeded(0), 100, &flaky).unwrap_err().to_string();
    assert!(err.contains("depends on something outside the simulation"), "{err}");
}

#[test]
fn a_sweeps_first_failure_comes_shrunk() {
    let report = wakescope::Sweep::new(0..200).env(false).jobs(1).run(order_violation);
    let failure = report.first_failure.as_ref().unwrap();
    let shrunk = failure.shrunk.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(shrunk.deviations.len(), 1);
    let text = report.to_string();
    assert!(text.contains("  shrunk: 1 deviation from FIFO order"), "{text}");
    assert!(text.contains(&format!("    schedule {}", shrunk.schedule)), "{text}");
    assert!(text.contains("`b` ran before `a`"), "{text}");
    let off = wakescope::Sweep::new(0..200)
        .env(false)
        .jobs(1)
        .shrink(false)
        .run(order_violation);
    assert!(off.first_failure.unwrap().shrunk.is_none());
}
