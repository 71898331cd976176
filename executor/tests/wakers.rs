//! Wakers under stress: thousands of tasks, wakers cloned, dropped and woken
//! from outside the simulation and from other threads, wakers that outlive
//! their `Sim`, `wake` against `wake_by_ref`, and a foreign channel from the
//! `futures` crate.
//!
//! The waker (`src/waker.rs`) is a hand-built `RawWaker` over a hand-counted
//! arena; these are the paths that move its count. `cargo xtask test` runs
//! them again under valgrind memcheck, with the unit tests in `waker.rs`
//! (every test whose path has `waker::` in it: keep these in `mod waker`).

// Cloning a waker only to wake the clone is the point here: the clone takes a
// count on the arena, and `wake` gives it back.
#[allow(clippy::waker_clone_wake)]
mod waker {
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use futures::StreamExt;
    use futures::channel::{mpsc, oneshot};
    use wakescope::{Config, Event, Sim, Step, TaskId, TaskState, WakeSource, sleep};

    /// Tasks in the big tests: more than two of the arena's 1024-cell chunks.
    const TASKS: u32 = 2_500;

    /// What a parked task shares with the test: its waker, and the flag that lets it finish.
    #[derive(Default)]
    struct Slot {
        waker: RefCell<Option<Waker>>,
        open: Cell<bool>,
        polls: Cell<u32>,
    }

    /// Pending until its slot is opened; keeps a clone of the latest waker in
    /// the slot, dropping the previous one.
    struct Park(Rc<Slot>);

    impl Future for Park {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let slot = &self.0;
            slot.polls.set(slot.polls.get() + 1);
            if slot.open.get() {
                return Poll::Ready(());
            }
            let mut kept = slot.waker.borrow_mut();
            match kept.as_mut() {
                // The usual pattern: refresh the stored waker only if it changed.
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *kept = Some(cx.waker().clone()),
            }
            Poll::Pending
        }
    }

    /// Steps until the run stops: every task parked (a deadlock, until a wake
    /// from outside) or done. The first step drains wakes made since the last.
    fn settle(sim: &mut Sim) {
        while !matches!(sim.step(), Step::Finished(_)) {}
    }

    fn spawn_parked(sim: &mut Sim, n: u32) -> Vec<Rc<Slot>> {
        (0..n)
            .map(|i| {
                let slot = Rc::new(Slot::default());
                let _detached = sim.spawn(&format!("parked {i}"), Park(slot.clone()));
                slot
            })
            .collect()
    }

    /// Wakes from outside the simulation recorded for each task, by task id.
    fn outside_wakes(sim: &Sim) -> Vec<usize> {
        let mut counts = vec![0; sim.task_count() as usize];
        for r in sim.trace().iter() {
            if let Event::Woken {
                task,
                source: WakeSource::Outside,
            } = r.event
            {
                counts[task.index()] += 1;
            }
        }
        counts
    }

    #[test]
    fn thousands_of_parked_tasks_are_woken_from_outside() {
        let mut sim = Sim::new(Config::seeded(7));
        let slots = spawn_parked(&mut sim, TASKS);
        settle(&mut sim);
        assert!(slots.iter().all(|s| s.polls.get() == 1 && s.waker.borrow().is_some()));

        // Four ways to wake, by task id mod 4; clones are made and dropped along the way.
        for (i, slot) in slots.iter().enumerate() {
            slot.open.set(true);
            let kept = slot.waker.borrow_mut().take().unwrap();
            match i % 4 {
                0 => kept.wake(),
                1 => {
                    kept.wake_by_ref();
                    kept.wake_by_ref();
                    drop(kept);
                }
                2 => {
                    let clone = kept.clone();
                    assert!(clone.will_wake(&kept));
                    drop(kept);
                    clone.wake();
                }
                _ => {
                    let clones: Vec<Waker> = (0..5).map(|_| kept.clone()).collect();
                    drop(clones);
                    *slot.waker.borrow_mut() = Some(kept); // woken later, by a clone
                    slot.waker.borrow().as_ref().unwrap().clone().wake();
                }
            }
        }
        let outcome = sim.run();
        assert!(outcome.is_completed(), "{outcome}");
        let woken = outside_wakes(&sim);
        for (i, slot) in slots.iter().enumerate() {
            let task = TaskId(i as u32);
            assert_eq!(slot.polls.get(), 2, "task {i}: polled once parked, once woken");
            assert_eq!(sim.task_state(task), Some(TaskState::Completed), "task {i}");
            let expected = if i % 4 == 1 { 2 } else { 1 };
            assert_eq!(woken[i], expected, "task {i}: wakes recorded");
        }
        // Wakers still held after the run (i % 4 == 3) wake a finished task: ignored.
        for slot in &slots {
            if let Some(w) = slot.waker.borrow_mut().take() {
                w.wake();
            }
        }
        assert!(sim.run().is_completed());
    }

    #[test]
    fn wake_and_wake_by_ref_both_queue_the_task_once() {
        let mut sim = Sim::new(Config::seeded(1));
        let slots = spawn_parked(&mut sim, 2);
        settle(&mut sim);
        let by_ref = slots[0].waker.borrow().clone().unwrap();
        let owned: Vec<Waker> = (0..3).map(|_| slots[1].waker.borrow().clone().unwrap()).collect();
        for _ in 0..3 {
            by_ref.wake_by_ref();
        }
        for w in owned {
            w.wake();
        }
        settle(&mut sim);
        // Three wakes each, recorded; each task polled once for them, and parked again.
        let woken = outside_wakes(&sim);
        for (i, slot) in slots.iter().enumerate() {
            assert_eq!(woken[i], 3, "task {i}");
            assert_eq!(slot.polls.get(), 2, "task {i}");
        }
        for slot in &slots {
            slot.open.set(true);
        }
        by_ref.wake();
        slots[1].waker.borrow_mut().take().unwrap().wake();
        assert!(sim.run().is_completed());
    }

    #[test]
    fn wakers_outlive_their_simulation() {
        let mut sim = Sim::new(Config::seeded(3));
        let slots = spawn_parked(&mut sim, TASKS);
        // A task waiting on a timer too, so shutdown drops a timer's waker as well.
        let _sleeper = sim.spawn("sleeper", sleep(Duration::from_secs(60)));
        while !sim.ready_tasks().is_empty() {
            sim.step();
        }
        let kept: Vec<Waker> = slots.iter().map(|s| s.waker.borrow().clone().unwrap()).collect();
        // Shutdown drops every future and the timer; the slots (ours) still
        // hold one waker each and `kept` another, so the arena stays alive.
        drop(sim);
        for (i, w) in kept.iter().enumerate() {
            match i % 3 {
                0 => w.wake_by_ref(),
                1 => w.clone().wake(),
                _ => drop(w.clone()),
            }
        }
        drop(kept);
        drop(slots); // the last wakers go: the arena is freed here
    }

    #[test]
    fn a_cancelled_task_can_still_be_woken_by_a_waker_it_handed_out() {
        let mut sim = Sim::new(Config::seeded(5));
        let slot = Rc::new(Slot::default());
        let handle = sim.spawn("aborted", Park(slot.clone()));
        settle(&mut sim);
        let kept = slot.waker.borrow_mut().take().unwrap();
        handle.abort();
        kept.wake_by_ref();
        kept.wake();
        assert!(sim.run().is_completed());
        assert_eq!(sim.task_state(TaskId(0)), Some(TaskState::Cancelled));
        assert_eq!(outside_wakes(&sim)[0], 0, "a finished task records no wake");
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // threads: a wake from another thread is the case under test
    fn wakes_from_other_threads_reach_the_task() {
        let mut sim = Sim::new(Config::seeded(9));
        let slots = spawn_parked(&mut sim, 64);
        settle(&mut sim);
        let wakers: Vec<Waker> = slots.iter().map(|s| s.waker.borrow().clone().unwrap()).collect();
        for s in &slots {
            s.open.set(true);
        }
        let threads: Vec<_> = wakers
            .chunks(16)
            .map(|chunk| {
                let chunk = chunk.to_vec();
                std::thread::spawn(move || {
                    for (i, w) in chunk.into_iter().enumerate() {
                        if i % 2 == 0 {
                            w.wake_by_ref();
                            drop(w.clone());
                        } else {
                            w.wake();
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(wakers);
        assert!(sim.run().is_completed());
        assert!(slots.iter().all(|s| s.polls.get() == 2));
    }

    #[test]
    fn a_futures_channel_wakes_a_task_from_outside_the_simulation() {
        let mut sim = Sim::new(Config::seeded(2));
        let (tx, mut rx) = mpsc::unbounded::<u32>();
        let (done_tx, done_rx) = oneshot::channel::<()>();
        let sum = Rc::new(Cell::new(0));
        let total = sum.clone();
        let receiver = sim.spawn("receiver", async move {
            while let Some(v) = rx.next().await {
                total.set(total.get() + v);
            }
            done_rx.await.unwrap();
            "drained"
        });
        // Many small pushes between steps, each one waking the parked receiver.
        for round in 0..200 {
            settle(&mut sim);
            tx.unbounded_send(round).unwrap();
            if round % 3 == 0 {
                tx.unbounded_send(1).unwrap();
            }
        }
        drop(tx);
        settle(&mut sim);
        done_tx.send(()).unwrap();
        assert!(sim.run().is_completed());
        assert_eq!(sum.get(), (0..200).sum::<u32>() + 67);
        assert!(receiver.is_finished());
        assert!(outside_wakes(&sim)[0] >= 200, "every send from outside woke it");
    }

    #[test]
    fn wakers_handed_to_a_foreign_channel_survive_the_simulation() {
        let (tx, rx) = oneshot::channel::<u32>();
        let mut sim = Sim::new(Config::seeded(4));
        let _waiting = sim.spawn("waiting", rx);
        settle(&mut sim);
        // The channel holds the task's waker; the simulation goes first, the sender after.
        drop(sim);
        assert!(tx.send(7).is_err(), "the receiver was dropped with the simulation");
    }
}
