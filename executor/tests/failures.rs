//! The ways a run or a task ends other than "done": deadlock, limits, abort,
//! panic, timeout.

mod support;

use std::cell::Cell;
use std::future::pending;
use std::rc::Rc;
use std::time::Duration;

use wakescope::{
    CancelCause, Config, EndReason, Event, JoinError, Limit, Limits, Outcome, Sim, TaskState, sleep, spawn, timeout,
    yield_now,
};

#[test]
fn a_task_waiting_on_nothing_is_a_deadlock_naming_it() {
    let mut sim = Sim::new(Config::seeded(1));
    let _stuck = sim.spawn("stuck", pending::<()>());
    let _fine = sim.spawn("fine", sleep(Duration::from_secs(1)));
    let outcome = sim.run();
    let deadlock = outcome.deadlock().expect("deadlock");
    assert_eq!(deadlock.blocked.len(), 1);
    assert_eq!(deadlock.blocked[0].name, "stuck");
    assert_eq!(sim.now(), Duration::from_secs(1), "the sleeper still finished");
    assert_eq!(
        sim.trace().iter().last().unwrap().event,
        Event::Ended {
            reason: EndReason::Deadlock
        }
    );
    assert!(outcome.to_string().contains("stuck"), "{outcome}");
}

#[test]
fn two_tasks_joining_each_other_deadlock() {
    let mut sim = Sim::new(Config::seeded(1));
    let slot: Rc<Cell<Option<wakescope::JoinHandle<()>>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let a = sim.spawn("a", async move {
        yield_now().await;
        if let Some(b) = s.take() {
            let _ = b.await;
        }
    });
    let _b = sim.spawn("b", async move {
        let _ = a.await;
    });
    // b waits on a; a waits on b (handed over below).
    slot.set(Some(_b));
    let outcome = sim.run();
    let names: Vec<_> = outcome
        .deadlock()
        .expect("deadlock")
        .blocked
        .iter()
        .map(|b| b.name.clone())
        .collect();
    assert_eq!(names, vec!["a", "b"]);
}

#[test]
fn the_step_limit_ends_a_busy_loop() {
    let limits = Limits {
        steps_max: 1000,
        ..Limits::default()
    };
    let mut sim = Sim::new(Config::seeded(1).with_limits(limits));
    let _spin = sim.spawn("spin", async {
        loop {
            yield_now().await;
        }
    });
    assert_eq!(sim.run(), Outcome::LimitReached(Limit::Steps(1000)));
    assert_eq!(sim.steps(), 1000);
    assert_eq!(sim.task_polls(wakescope::TaskId(0)), Some(1000));
}

#[test]
fn the_virtual_time_limit_ends_an_endless_ticker_before_the_deadline() {
    let limits = Limits {
        time_max: Duration::from_secs(60),
        ..Limits::default()
    };
    let mut sim = Sim::new(Config::seeded(1).with_limits(limits));
    let _tick = sim.spawn("tick", async {
        loop {
            sleep(Duration::from_secs(7)).await;
        }
    });
    assert_eq!(
        sim.run(),
        Outcome::LimitReached(Limit::VirtualTime(Duration::from_secs(60)))
    );
    assert_eq!(sim.now(), Duration::from_secs(56), "the clock never passes the limit");
}

#[test]
fn the_task_limit_refuses_the_spawn_and_ends_the_run() {
    let limits = Limits {
        tasks_max: 3,
        ..Limits::default()
    };
    let mut sim = Sim::new(Config::seeded(1).with_limits(limits));
    let refused = Rc::new(Cell::new(None));
    let r = refused.clone();
    let _main = sim.spawn("main", async move {
        let handles: Vec<_> = (0..3).map(|_| spawn("child", sleep(Duration::from_secs(1)))).collect();
        r.set(Some(handles.last().unwrap().id().is_none()));
        for h in handles {
            let _ = h.await;
        }
    });
    assert_eq!(sim.run(), Outcome::LimitReached(Limit::Tasks(3)));
    assert_eq!(refused.get(), Some(true), "the fourth spawn got no task id");
    assert_eq!(sim.task_count(), 3);
    assert_eq!(
        sim.trace().iter().last().unwrap().event,
        Event::Ended {
            reason: EndReason::TasksLimit
        }
    );
}

#[test]
fn the_timer_limit_ends_the_run() {
    let limits = Limits {
        timers_max: 2,
        ..Limits::default()
    };
    let mut sim = Sim::new(Config::seeded(1).with_limits(limits));
    let _t = sim.spawn("t", async {
        for _ in 0..3 {
            sleep(Duration::from_secs(1)).await;
        }
    });
    assert_eq!(sim.run(), Outcome::LimitReached(Limit::Timers(2)));
    assert_eq!(sim.now(), Duration::from_secs(2));
}

#[test]
fn abort_drops_the_future_records_the_cause_and_wakes_the_joiner() {
    struct DropFlag(Rc<Cell<bool>>);
    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    let mut sim = Sim::new(Config::seeded(1));
    let result = sim.block_on(async move {
        let slow = spawn("slow", async move {
            let _flag = flag;
            sleep(Duration::from_secs(60)).await;
        });
        sleep(Duration::from_secs(1)).await;
        slow.abort();
        slow.await
    });
    assert_eq!(result.unwrap(), Err(JoinError::Cancelled(CancelCause::Aborted)));
    assert!(dropped.get(), "the aborted future was dropped");
    assert_eq!(
        sim.now(),
        Duration::from_secs(1),
        "its timer was cancelled, so the clock stops at 1 s"
    );
    let trace = sim.trace();
    let events: Vec<_> = trace.iter().map(|r| r.event).collect();
    assert!(events.contains(&Event::Cancelled {
        task: wakescope::TaskId(1),
        cause: CancelCause::Aborted
    }));
    assert!(events.iter().any(|e| matches!(e, Event::TimerCancelled { .. })));
    support::check_invariants(&trace, "abort").unwrap();
}

#[test]
fn a_task_can_abort_itself_and_stops_at_the_end_of_its_poll() {
    let mut sim = Sim::new(Config::seeded(1));
    let reached = Rc::new(Cell::new(false));
    let r = reached.clone();
    let me: Rc<Cell<Option<wakescope::JoinHandle<()>>>> = Rc::new(Cell::new(None));
    let m = me.clone();
    let h = sim.spawn("self", async move {
        if let Some(h) = m.take() {
            h.abort();
        }
        yield_now().await;
        r.set(true);
    });
    me.set(Some(h));
    assert!(sim.run().is_completed());
    assert!(!reached.get(), "no poll after the self-abort");
    assert_eq!(sim.task_state(wakescope::TaskId(0)), Some(TaskState::Cancelled));
}

#[test]
#[cfg(panic = "unwind")]
fn a_panicking_task_is_recorded_and_the_others_go_on() {
    let mut sim = Sim::new(Config::seeded(1));
    let result = sim.block_on(async {
        let bad = spawn("bad", async {
            sleep(Duration::from_secs(1)).await;
            panic!("the boiler exploded");
        });
        let good = spawn("good", async {
            sleep(Duration::from_secs(2)).await;
            7
        });
        (bad.await, good.await)
    });
    let (bad, good) = result.unwrap();
    assert_eq!(bad, Err(JoinError::Panicked("the boiler exploded".into())));
    assert_eq!(good, Ok(7));
    let trace = sim.trace();
    assert_eq!(trace.panic_message(wakescope::TaskId(1)), Some("the boiler exploded"));
    assert_eq!(sim.task_state(wakescope::TaskId(1)), Some(TaskState::Panicked));
    support::check_invariants(&trace, "panic").unwrap();
}

#[test]
fn timeout_returns_the_value_in_time_and_elapsed_otherwise() {
    let mut sim = Sim::new(Config::seeded(1));
    let (fast, slow) = sim
        .block_on(async {
            let fast = timeout(Duration::from_secs(5), async {
                sleep(Duration::from_secs(2)).await;
                "made it"
            })
            .await;
            let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(10))).await;
            (fast, slow)
        })
        .unwrap();
    assert_eq!(fast, Ok("made it"));
    assert_eq!(slow, Err(wakescope::Elapsed));
    assert_eq!(sim.now(), Duration::from_secs(3), "2 s, then 1 s until the timeout");
    let trace = sim.trace();
    let cancelled = trace
        .iter()
        .filter(|r| matches!(r.event, Event::TimerCancelled { .. }))
        .count();
    assert_eq!(
        cancelled, 2,
        "the unused 5 s timeout timer and the abandoned 10 s sleep"
    );
    support::check_invariants(&trace, "timeout").unwrap();
}

#[test]
#[should_panic(expected = "wakescope::sleep() was polled outside a simulation")]
fn sleeping_outside_a_simulation_is_a_clear_panic() {
    let mut s = std::pin::pin!(sleep(Duration::from_secs(1)));
    let _ = std::future::Future::poll(
        s.as_mut(),
        &mut std::task::Context::from_waker(std::task::Waker::noop()),
    );
}

#[test]
#[should_panic(expected = "wakescope::spawn() was called outside a simulation")]
fn spawning_outside_a_simulation_is_a_clear_panic() {
    drop(spawn("orphan", async {}));
}

#[test]
fn dropping_the_simulation_drops_unfinished_futures() {
    let dropped = Rc::new(Cell::new(0));
    struct Count(Rc<Cell<u32>>);
    impl Drop for Count {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    {
        let mut sim = Sim::new(Config::seeded(1));
        for _ in 0..3 {
            let c = Count(dropped.clone());
            let _t = sim.spawn("sleeper", async move {
                let _c = c;
                sleep(Duration::from_secs(100)).await;
            });
        }
        sim.step();
    }
    assert_eq!(dropped.get(), 3);
}

#[test]
fn a_panic_asked_for_without_unwinding_is_a_panic_in_the_trace() {
    let run = |unwind: bool| {
        let mut sim = Sim::new(Config::seeded(3));
        let doomed = sim.spawn("doomed", async move {
            wakescope::yield_now().await;
            if unwind {
                panic!("out of range");
            }
            assert!(wakescope::panic_task("out of range"));
        });
        let _watcher = sim.spawn("watcher", async move {
            let joined = doomed.await;
            assert_eq!(
                joined.unwrap_err(),
                wakescope::JoinError::Panicked("out of range".into())
            );
        });
        let outcome = sim.run();
        (outcome.is_completed(), sim.fingerprint(), sim.trace_jsonl())
    };
    let (real, asked) = (run(true), run(false));
    assert!(real.0 && asked.0, "the watcher handled the panic");
    assert_eq!(real.1, asked.1, "same fingerprint as an unwinding panic");
    assert!(
        asked
            .2
            .contains(r#""kind":"panicked","task":0,"message":"out of range""#),
        "{}",
        asked.2
    );
    assert!(!wakescope::panic_task("outside any task"));
}
