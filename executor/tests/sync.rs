//! The instrumented primitives: their semantics, and what the trace shows.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::{Mutex, Notify, Semaphore, channel, oneshot};
use wakescope::{Config, Event, Policy, ResourceKind, ResourceOp, Sim, Trace, sleep, spawn, work, yield_now};

fn ops(trace: &Trace, wanted: ResourceOp) -> Vec<(u64, String)> {
    trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Resource { task, op, .. } if op == wanted => Some((
                r.time_ns / 1_000_000,
                task.map_or("outside".into(), |t| trace.task(t).unwrap().name.to_string()),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_full_channel_makes_the_sender_wait_and_keeps_order() {
    let mut sim = Sim::new(Config::seeded(3));
    let got = sim
        .block_on(async {
            let (tx, mut rx) = channel::<u32>("window", 2);
            let _producer = spawn("producer", async move {
                for i in 0..5 {
                    tx.send(i).await.unwrap();
                }
            });
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                sleep(Duration::from_millis(10)).await;
                got.push(v);
            }
            got
        })
        .unwrap();
    assert_eq!(got, vec![0, 1, 2, 3, 4]);
    let trace = sim.trace();
    assert_eq!(ops(&trace, ResourceOp::Send).len(), 5);
    assert_eq!(ops(&trace, ResourceOp::Recv).len(), 5);
    let blocked = ops(&trace, ResourceOp::BlockedOnFull);
    assert!(
        !blocked.is_empty() && blocked.iter().all(|(_, who)| who == "producer"),
        "{blocked:?}"
    );
    assert_eq!(
        ops(&trace, ResourceOp::Closed).len(),
        2,
        "the sender's end, then the receiver's"
    );
    let created: Vec<_> = (0..trace.resource_count())
        .map(|i| trace.resource(wakescope::ResourceId(i as u32)).unwrap())
        .map(|r| (r.kind, r.name.to_string(), r.capacity))
        .collect();
    assert_eq!(created, vec![(ResourceKind::Channel, "window".to_string(), 2)]);
    support::check_invariants(&trace, "channel").unwrap();
}

#[test]
fn two_tasks_waiting_on_each_others_full_windows_deadlock_naming_both_and_the_channels() {
    let mut sim = Sim::new(Config::seeded(1));
    let (to_b, mut at_b) = channel::<u32>("a→b window", 1);
    let (to_a, mut at_a) = channel::<u32>("b→a window", 1);
    // Each side sends two segments before reading anything: with a window of
    // one, both senders stall on a full window — zero window both ways.
    let _a = sim.spawn("sender A", async move {
        for i in 0..2 {
            to_b.send(i).await.unwrap();
        }
        at_a.recv().await;
    });
    let _b = sim.spawn("sender B", async move {
        for i in 0..2 {
            to_a.send(i).await.unwrap();
        }
        at_b.recv().await;
    });
    let outcome = sim.run();
    let deadlock = outcome.deadlock().expect("deadlock").clone();
    let names: Vec<_> = deadlock.blocked.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, vec!["sender A", "sender B"]);
    let waits: Vec<_> = deadlock
        .blocked
        .iter()
        .map(|b| b.waiting_on.as_ref().unwrap())
        .collect();
    assert_eq!(waits[0].name, "a→b window");
    assert_eq!(waits[0].op, ResourceOp::BlockedOnFull);
    assert_eq!(waits[1].name, "b→a window");
    let text = outcome.to_string();
    assert!(text.contains("sender A") && text.contains("a→b window"), "{text}");
}

/// Task "hog" takes the lock three times in a row without yielding between
/// releases; "other" asks for it once, right after hog's first lock.
fn lock_order(fair: bool) -> Vec<&'static str> {
    let mut sim = Sim::new(Config::seeded(0).with_policy(Policy::Fifo));
    let mutex = Rc::new(if fair {
        Mutex::new("lock", ())
    } else {
        Mutex::unfair("lock", ())
    });
    let order = Rc::new(RefCell::new(Vec::new()));
    let (m, o) = (mutex.clone(), order.clone());
    let _hog = sim.spawn("hog", async move {
        for _ in 0..3 {
            let _g = m.lock().await;
            o.borrow_mut().push("hog");
            sleep(Duration::from_millis(1)).await;
        }
    });
    let (m, o) = (mutex.clone(), order.clone());
    let _other = sim.spawn("other", async move {
        let _g = m.lock().await;
        o.borrow_mut().push("other");
    });
    assert!(sim.run().is_completed());
    support::check_invariants(&sim.trace(), "mutex").unwrap();
    order.take()
}

#[test]
fn a_fair_mutex_hands_the_lock_to_the_waiter_an_unfair_one_lets_the_holder_barge() {
    assert_eq!(lock_order(true), vec!["hog", "other", "hog", "hog"]);
    assert_eq!(lock_order(false), vec!["hog", "hog", "hog", "other"]);
}

#[test]
fn a_semaphore_bounds_concurrency_and_serves_waiters_in_order() {
    let mut sim = Sim::new(Config::seeded(9));
    let permits = Rc::new(Semaphore::new("pool", 2));
    let inside = Rc::new(RefCell::new((0, 0)));
    for i in 0..5 {
        let (p, inside) = (permits.clone(), inside.clone());
        let _t = sim.spawn(&format!("job{i}"), async move {
            let _permit = p.acquire().await.unwrap();
            {
                let mut n = inside.borrow_mut();
                n.0 += 1;
                n.1 = n.1.max(n.0);
            }
            sleep(Duration::from_millis(10)).await;
            inside.borrow_mut().0 -= 1;
        });
    }
    assert!(sim.run().is_completed());
    assert_eq!(inside.borrow().1, 2, "never more than two inside");
    assert_eq!(sim.now(), Duration::from_millis(30), "five 10 ms jobs, two at a time");
    let trace = sim.trace();
    assert_eq!(ops(&trace, ResourceOp::Acquire).len(), 5);
    assert_eq!(ops(&trace, ResourceOp::Release).len(), 5);
    assert_eq!(ops(&trace, ResourceOp::BlockedOnPermit).len(), 3);
}

#[test]
fn notify_one_leaves_a_permit_and_notify_waiters_wakes_everyone() {
    let mut sim = Sim::new(Config::seeded(2));
    let done = sim
        .block_on(async {
            let n = Rc::new(Notify::new("bell"));
            n.notify_one();
            n.notified().await; // the stored permit: no wait
            let woken = Rc::new(std::cell::Cell::new(0));
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let (n, woken) = (n.clone(), woken.clone());
                    spawn("listener", async move {
                        n.notified().await;
                        woken.set(woken.get() + 1);
                    })
                })
                .collect();
            sleep(Duration::from_millis(5)).await;
            n.notify_waiters();
            for h in handles {
                h.await.unwrap();
            }
            woken.get()
        })
        .unwrap();
    assert_eq!(done, 3);
    assert_eq!(ops(&sim.trace(), ResourceOp::BlockedOnNotify).len(), 3);
}

/// Polls `future` once with a waker that does nothing: `true` when ready.
fn poll_once<F: std::future::Future>(future: std::pin::Pin<&mut F>) -> bool {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    future.poll(&mut cx).is_ready()
}

#[test]
fn a_notified_future_made_before_notify_waiters_is_woken_by_it_unpolled() {
    let mut sim = Sim::new(Config::seeded(2));
    let out = sim.block_on(async {
        let bell = Notify::new("bell");
        let early = bell.notified();
        let also_early = bell.notified();
        bell.notify_waiters();
        let late = bell.notified();
        early.await;
        also_early.await;
        // No permit stored: a future made after the call waits.
        let mut late = std::pin::pin!(late);
        poll_once(late.as_mut())
    });
    assert_eq!(out, Ok(false), "seed 2");
}

#[test]
fn notify_one_stores_one_permit_and_wakes_waiters_first_come_first_served() {
    let bell = Notify::new("bell");
    // Without waiters: one permit, however many calls.
    bell.notify_one();
    bell.notify_one();
    let mut first = std::pin::pin!(bell.notified());
    let mut second = std::pin::pin!(bell.notified());
    assert!(poll_once(first.as_mut()), "the stored permit");
    assert!(!poll_once(second.as_mut()), "only one permit was stored");
    // With waiters: the one that began waiting first, one per call.
    let mut third = std::pin::pin!(bell.notified());
    assert!(!poll_once(third.as_mut()));
    bell.notify_one();
    assert_eq!((poll_once(second.as_mut()), poll_once(third.as_mut())), (true, false));
    bell.notify_one();
    assert!(poll_once(third.as_mut()));
    // notify_waiters stores no permit either.
    bell.notify_waiters();
    let mut fourth = std::pin::pin!(bell.notified());
    assert!(!poll_once(fourth.as_mut()));
}

#[test]
fn enable_joins_the_waiters_before_the_first_poll() {
    let bell = Notify::new("bell");
    let mut enabled = std::pin::pin!(bell.notified());
    assert!(!enabled.as_mut().enable());
    bell.notify_one(); // goes to the enabled future, not to a stored permit
    let mut other = std::pin::pin!(bell.notified());
    assert!(!poll_once(other.as_mut()), "no permit was stored");
    assert!(enabled.as_mut().enable());
    assert!(poll_once(enabled.as_mut()), "notified stays notified");
    // A stored permit is consumed by enable.
    bell.notify_waiters(); // wakes `other`
    assert!(poll_once(other.as_mut()));
    bell.notify_one();
    let mut third = std::pin::pin!(bell.notified());
    assert!(third.as_mut().enable(), "the permit");
    let mut fourth = std::pin::pin!(bell.notified());
    assert!(!poll_once(fourth.as_mut()), "the permit is gone");
}

#[test]
fn a_notification_for_a_waiter_that_gives_up_goes_to_the_next() {
    let bell = Notify::new("bell");
    let mut quitter = Box::pin(bell.notified());
    let mut next = std::pin::pin!(bell.notified());
    assert!(!poll_once(quitter.as_mut()));
    assert!(!poll_once(next.as_mut()));
    bell.notify_one(); // chooses `quitter`
    drop(quitter);
    assert!(poll_once(next.as_mut()), "passed on");
    // One notify_waiters reached gives nothing to pass on.
    let mut a = Box::pin(bell.notified());
    let mut b = std::pin::pin!(bell.notified());
    assert!(!poll_once(a.as_mut()));
    bell.notify_waiters();
    drop(a);
    assert!(poll_once(b.as_mut()), "b was created before notify_waiters");
    let mut c = std::pin::pin!(bell.notified());
    assert!(!poll_once(c.as_mut()), "nothing passed on, no permit");
}

#[test]
fn oneshot_delivers_once_and_reports_a_dropped_sender() {
    let mut sim = Sim::new(Config::seeded(2));
    let (a, b) = sim
        .block_on(async {
            let (tx, rx) = oneshot::channel::<&str>("reply");
            let _t = spawn("replier", async move {
                sleep(Duration::from_millis(3)).await;
                tx.send("pong").unwrap();
            });
            let (tx2, rx2) = oneshot::channel::<&str>("never");
            drop(tx2);
            (rx.await, rx2.await)
        })
        .unwrap();
    assert_eq!(a, Ok("pong"));
    assert_eq!(b, Err(oneshot::Canceled));
}

#[test]
fn work_holds_the_executor_and_long_polls_are_flagged() {
    let mut sim = Sim::new(Config::seeded(1).with_policy(Policy::Fifo));
    let _timer = sim.spawn("timer", async { sleep(Duration::from_millis(1)).await });
    let _short = sim.spawn("short", async { work(Duration::from_millis(5)).await });
    let _long = sim.spawn("long", async { work(Duration::from_millis(20)).await });
    assert!(sim.run().is_completed());
    assert_eq!(
        sim.now(),
        Duration::from_millis(25),
        "work adds up: nothing overlaps it"
    );
    let trace = sim.trace();
    let fired_ms: Vec<u64> = trace
        .iter()
        .filter(|r| matches!(r.event, Event::TimerFired { .. }))
        .map(|r| r.time_ns / 1_000_000)
        .collect();
    // Due at 1 ms, it fires when the executor is next free: after the 5 ms poll.
    assert_eq!(fired_ms, vec![5], "the timer waits for the blocking poll");
    let flagged: Vec<_> = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::LongPoll { task } => Some(trace.task(task).unwrap().name),
            _ => None,
        })
        .collect();
    assert_eq!(flagged, vec!["long"]);
    support::check_invariants(&trace, "work").unwrap();
}

#[test]
fn cpu_work_runs_in_parallel_only_with_more_workers() {
    let ironing = |workers| {
        let mut sim = Sim::new(Config::seeded(1).with_workers(workers));
        for _ in 0..10 {
            let _shirt = sim.spawn("shirt", async { work(Duration::from_secs(15 * 60)).await });
        }
        assert!(sim.run().is_completed());
        sim.now().as_secs() / 60
    };
    assert_eq!(ironing(1), 150);
    assert_eq!(ironing(10), 15);
    assert_eq!(ironing(4), 45, "ten shirts on four boards: three rounds");
}

#[test]
fn futures_dropped_while_waiting_leave_the_queue() {
    let mut sim = Sim::new(Config::seeded(4));
    let got = sim
        .block_on(async {
            let m = Rc::new(Mutex::new("m", 0));
            let g = m.lock().await;
            let waiting = wakescope::timeout(Duration::from_millis(5), m.lock()).await;
            assert!(waiting.is_err());
            assert_eq!(m.waiters(), 0, "the timed-out waiter left the queue");
            drop(g);
            yield_now().await;
            *m.lock().await
        })
        .unwrap();
    assert_eq!(got, 0);
    assert_eq!(ops(&sim.trace(), ResourceOp::GaveUp).len(), 1);
}
