//! Deadlock reports: who waits on what, held by whom, and the cycles.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::{Mutex, channel};
use wakescope::{Config, JoinHandle, Outcome, Sim, TaskId, sleep};

/// `n` tasks in a ring: task i locks mutex i, then wants mutex i+1.
fn lock_ring(n: usize, seed: u64) -> Outcome {
    let mut sim = Sim::new(Config::seeded(seed));
    let locks: Vec<Rc<Mutex<()>>> = (0..n).map(|i| Rc::new(Mutex::new(&format!("m{i}"), ()))).collect();
    for i in 0..n {
        let (mine, next) = (locks[i].clone(), locks[(i + 1) % n].clone());
        let _t = sim.spawn(&format!("t{i}"), async move {
            let _held = mine.lock().await;
            sleep(Duration::from_millis(1)).await;
            let _also = next.lock().await;
        });
    }
    sim.run()
}

#[test]
fn a_lock_order_inversion_is_a_two_cycle() {
    for seed in 0..10 {
        let outcome = lock_ring(2, seed);
        let d = outcome.deadlock().unwrap_or_else(|| panic!("seed {seed}: {outcome}"));
        assert_eq!(d.cycles, vec![vec![TaskId(0), TaskId(1)]], "seed {seed}");
        let t0 = d.task(TaskId(0)).unwrap();
        let w = t0.waiting_on.as_ref().unwrap();
        assert_eq!(
            (w.name.as_str(), w.holders.as_slice()),
            ("m1", &[TaskId(1)][..]),
            "seed {seed}"
        );
        assert_eq!(
            d.describe_cycle(&d.cycles[0]),
            r##"#0 "t0" → lock "m1" → #1 "t1" → lock "m0" → #0 "t0""##
        );
        assert!(outcome.to_string().contains("cycle: #0"), "{outcome}");
    }
}

#[test]
fn three_philosophers_make_a_three_cycle() {
    let outcome = lock_ring(3, 4);
    let d = outcome.deadlock().expect("deadlock");
    assert_eq!(d.cycles, vec![vec![TaskId(0), TaskId(1), TaskId(2)]]);
    for b in &d.blocked {
        assert_eq!(b.waits_for.len(), 1, "{b:?}");
    }
}

#[test]
fn full_windows_both_ways_are_a_cycle_through_the_channels() {
    let mut sim = Sim::new(Config::seeded(1));
    let (to_b, mut at_b) = channel::<u32>("a→b", 1);
    let (to_a, mut at_a) = channel::<u32>("b→a", 1);
    // A handshake each way first, so each side has been seen receiving.
    to_a.try_send(0).unwrap();
    to_b.try_send(0).unwrap();
    let _a = sim.spawn("A", async move {
        at_a.recv().await;
        for i in 0..2 {
            to_b.send(i).await.unwrap();
        }
        at_a.recv().await;
    });
    let _b = sim.spawn("B", async move {
        at_b.recv().await;
        for i in 0..2 {
            to_a.send(i).await.unwrap();
        }
        at_b.recv().await;
    });
    let outcome = sim.run();
    let d = outcome.deadlock().expect("deadlock");
    assert_eq!(d.cycles, vec![vec![TaskId(0), TaskId(1)]], "{outcome}");
    assert_eq!(
        d.describe_cycle(&d.cycles[0]),
        r##"#0 "A" → channel "a→b" → #1 "B" → channel "b→a" → #0 "A""##
    );
}

#[test]
fn tasks_joining_each_other_are_a_cycle_and_a_lone_waiter_is_not() {
    let mut sim = Sim::new(Config::seeded(1));
    let slot: Rc<Cell<Option<JoinHandle<()>>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let a = sim.spawn("a", async move {
        sleep(Duration::from_millis(1)).await;
        if let Some(b) = s.take() {
            let _ = b.await;
        }
    });
    let b = sim.spawn("b", async move {
        let _ = a.await;
    });
    slot.set(Some(b));
    let _lonely = sim.spawn("lonely", std::future::pending::<()>());
    let outcome = sim.run();
    let d = outcome.deadlock().expect("deadlock");
    assert_eq!(d.cycles, vec![vec![TaskId(0), TaskId(1)]]);
    assert_eq!(d.task(TaskId(0)).unwrap().joining, Some(TaskId(1)));
    assert!(d.task(TaskId(2)).unwrap().waits_for.is_empty());
}
