//! Preemption points (`Config::with_preemption_points`): `lock`, `send` and
//! `recv` as places where the scheduler may run another task.

use std::rc::Rc;

use wakescope::sweep::{SeedResult, Sweep, check_outcome};
use wakescope::sync::{Mutex, channel};
use wakescope::{Config, Explore, Outcome, Sim, TaskId};

/// Two tasks add one to `x` each: read it under the lock, unlock, lock
/// again and write `read + 1` — no `.await` that waits in between.
fn split_increment(sim: &mut Sim) -> Rc<Mutex<u32>> {
    let x = Rc::new(Mutex::new("x", 0));
    for name in ["a", "b"] {
        let x = x.clone();
        let _t = sim.spawn(name, async move {
            let read = *x.lock().await;
            *x.lock().await = read + 1;
        });
    }
    x
}

fn two_increments(_: &Sim, outcome: &Outcome, x: Rc<Mutex<u32>>) -> Result<(), String> {
    check_outcome(outcome)?;
    let value = *x.try_lock().expect("nobody holds x after the run");
    match value {
        2 => Ok(()),
        n => Err(format!("x is {n} after two increments")),
    }
}

fn sweep_body(sim: &mut Sim) -> SeedResult {
    let x = split_increment(sim);
    let outcome = sim.run();
    two_increments(sim, &outcome, x)
}

#[test]
fn without_preemption_points_two_locked_sections_without_an_await_between_are_atomic() {
    let found = Explore::new(Config::seeded(0)).run(split_increment, two_increments);
    // Each task is one poll: the only choice is which runs first.
    assert_eq!((found.schedules, found.exhausted, found.failures), (2, true, 0));
    let report = Sweep::new(0..500).env(false).jobs(1).run(sweep_body);
    assert_eq!((report.runs, report.failures), (500, 0), "{report}");
}

#[test]
fn with_preemption_points_explore_and_sweep_find_the_lost_update() {
    let config = Config::seeded(0).with_preemption_points(true);
    let found = Explore::new(config).run(split_increment, two_increments);
    assert!(found.exhausted);
    assert!(found.failures > 0 && found.failures < found.schedules, "{found:?}");
    let (schedule, message) = found.first_failure.clone().unwrap();
    assert_eq!(message, "x is 1 after two increments");
    // The schedule replays the failure with the option on.
    let mut sim = Sim::with_schedule(config, &schedule);
    let x = split_increment(&mut sim);
    let outcome = sim.run();
    assert_eq!(two_increments(&sim, &outcome, x), Err(message.clone()));

    let report = Sweep::new(0..500)
        .env(false)
        .jobs(1)
        .shrink(false)
        .config(config.with_trace(false))
        .run(sweep_body);
    let failure = report.first_failure.as_ref().expect("some seed loses the update");
    assert_eq!(failure.message, message, "seed {}", failure.seed);
    assert!(failure.reproduced, "seed {}", failure.seed);
}

#[test]
fn each_lock_send_and_recv_yields_once_with_the_option_and_never_without() {
    let polls = |preemption: bool| {
        let mut sim = Sim::new(Config::seeded(7).with_preemption_points(preemption));
        let _t = sim.spawn("alone", async {
            let m = Mutex::new("m", 0);
            *m.lock().await += 1;
            let (tx, mut rx) = channel::<u32>("c", 2);
            tx.send(1).await.unwrap();
            assert_eq!(rx.recv().await, Some(1));
        });
        assert!(sim.run().is_completed());
        (sim.task_polls(TaskId(0)), sim.trace().fingerprint())
    };
    let (off, off_fingerprint) = polls(false);
    let (on, on_fingerprint) = polls(true);
    // One poll runs it all; with the option, one more per lock, send and recv.
    assert_eq!((off, on), (Some(1), Some(4)));
    assert_ne!(off_fingerprint, on_fingerprint);
    assert_eq!(polls(false).1, off_fingerprint, "the option off changes nothing");
}
