//! `sync::Condvar`: a bounded buffer that is right under every schedule, the
//! classic `if`-instead-of-`while` bug that exploration finds, and what the
//! trace, the view and the describer show.

use std::collections::VecDeque;
use std::rc::Rc;

use wakescope::sweep::check_outcome;
use wakescope::sync::{Condvar, Mutex};
use wakescope::view::ResourceView;
use wakescope::{Config, Event, Explore, Outcome, ResourceKind, ResourceOp, Sim, TaskId, describe};

/// A bounded buffer: a queue under a mutex, with a condition variable for
/// "not full" and one for "not empty".
struct Buffer {
    items: Mutex<VecDeque<u32>>,
    not_full: Condvar,
    not_empty: Condvar,
    capacity: usize,
}

impl Buffer {
    fn new(capacity: usize) -> Rc<Buffer> {
        Rc::new(Buffer {
            items: Mutex::new("items", VecDeque::new()),
            not_full: Condvar::new("not full"),
            not_empty: Condvar::new("not empty"),
            capacity,
        })
    }

    async fn put(&self, item: u32) {
        let mut items = self.items.lock().await;
        while items.len() == self.capacity {
            items = self.not_full.wait(items).await;
        }
        items.push_back(item);
        self.not_empty.notify_one();
    }

    async fn take(&self) -> u32 {
        let mut items = self.items.lock().await;
        while items.is_empty() {
            items = self.not_empty.wait(items).await;
        }
        let item = items.pop_front().expect("the loop waited for an item");
        self.not_full.notify_one();
        item
    }
}

/// Two producers put two items each into a buffer of one; two consumers
/// take two each. Returns what the consumers took.
fn producers_and_consumers(sim: &mut Sim) -> Rc<Mutex<Vec<u32>>> {
    let buffer = Buffer::new(1);
    let taken = Rc::new(Mutex::new("taken", Vec::new()));
    for p in 0..2 {
        let buffer = buffer.clone();
        let _t = sim.spawn(&format!("producer {p}"), async move {
            for i in 0..2 {
                buffer.put(p * 10 + i).await;
            }
        });
    }
    for c in 0..2 {
        let (buffer, taken) = (buffer.clone(), taken.clone());
        let _t = sim.spawn(&format!("consumer {c}"), async move {
            for _ in 0..2 {
                let item = buffer.take().await;
                taken.lock().await.push(item);
            }
        });
    }
    taken
}

#[test]
fn a_bounded_buffer_with_two_condvars_passes_every_schedule() {
    let found = Explore::new(Config::seeded(0)).run(producers_and_consumers, |_, outcome, taken| {
        check_outcome(outcome)?;
        let mut taken = taken.try_lock().expect("nobody holds it after the run").clone();
        taken.sort_unstable();
        if taken == [0, 1, 10, 11] {
            Ok(())
        } else {
            Err(format!("the consumers took {taken:?}"))
        }
    });
    assert!(found.exhausted, "{} schedules were not all", found.schedules);
    assert_eq!(found.failures, 0, "{:?}", found.first_failure);
    assert!(
        found.schedules > 100,
        "{} schedules: the tasks interleave",
        found.schedules
    );
}

/// One producer of two items, two consumers of one, one condvar, and an
/// `if` where a `while` belongs: a consumer woken for an item may find that
/// the other consumer, which never waited, took it first.
fn if_instead_of_while(sim: &mut Sim) {
    let items = Rc::new(Mutex::new("items", VecDeque::<u32>::new()));
    let changed = Rc::new(Condvar::new("changed"));
    for c in 0..2 {
        let (items, changed) = (items.clone(), changed.clone());
        let _t = sim.spawn(&format!("consumer {c}"), async move {
            let mut guard = items.lock().await;
            if guard.is_empty() {
                guard = changed.wait(guard).await;
            }
            assert!(!guard.is_empty(), "woken to an empty buffer");
            guard.pop_front();
        });
    }
    let _producer = sim.spawn("producer", async move {
        for item in 0..2 {
            items.lock().await.push_back(item);
            changed.notify_one();
            wakescope::yield_now().await;
        }
    });
}

#[test]
fn explore_finds_the_consumer_woken_to_an_empty_buffer() {
    let found = Explore::new(Config::seeded(0))
        .stop_at_first(true)
        .run(if_instead_of_while, |_, outcome, ()| check_outcome(outcome));
    let (schedule, message) = found
        .first_failure
        .clone()
        .expect("a schedule empties the buffer first");
    assert!(message.contains("woken to an empty buffer"), "{message}");
    assert!(found.schedules < 100, "found after {} schedules", found.schedules);
    // The schedule replays it, and the trace shows the condvar.
    let mut sim = Sim::with_schedule(Config::seeded(0), &schedule);
    if_instead_of_while(&mut sim);
    assert!(matches!(sim.run(), Outcome::Panicked(p) if p.message.contains("woken to an empty buffer")));
    let trace = sim.trace();
    let condvar = trace
        .iter()
        .find_map(|r| match r.event {
            Event::ResourceCreated { resource, .. }
                if trace
                    .resource(resource)
                    .is_some_and(|i| i.kind == ResourceKind::Condvar) =>
            {
                Some(resource)
            }
            _ => None,
        })
        .expect("the condvar is in the trace");
    let ops: Vec<ResourceOp> = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Resource { resource, op, .. } if resource == condvar => Some(op),
            _ => None,
        })
        .collect();
    assert!(
        ops.contains(&ResourceOp::BlockedOnCondvar) && ops.contains(&ResourceOp::Notify),
        "{ops:?}"
    );
    let text: Vec<String> = trace.iter().map(|r| describe::describe_record(&trace, &r)).collect();
    assert!(
        text.iter()
            .any(|l| l.contains("waits on condvar") && l.contains("\"changed\"")),
        "{text:#?}"
    );
}

#[test]
fn notify_all_wakes_every_waiter_and_notify_one_with_nobody_waiting_is_lost() {
    let mut sim = Sim::new(Config::seeded(4).with_policy(wakescope::Policy::Fifo));
    let ready = Rc::new(Mutex::new("ready", false));
    let changed = Rc::new(Condvar::new("changed"));
    for w in 0..3 {
        let (ready, changed) = (ready.clone(), changed.clone());
        let _t = sim.spawn(&format!("waiter {w}"), async move {
            let mut guard = ready.lock().await;
            while !*guard {
                guard = changed.wait(guard).await;
            }
        });
    }
    let (r, c) = (ready.clone(), changed.clone());
    let _setter = sim.spawn("setter", async move {
        c.notify_one(); // in FIFO order the three waiters ran first: this wakes waiter 0
        wakescope::yield_now().await;
        *r.lock().await = true;
        c.notify_all();
    });
    assert!(sim.run().is_completed());
    assert_eq!(changed.waiting(), 0);
    let trace = sim.trace();
    let count = |wanted: ResourceOp| {
        trace
            .iter()
            .filter(|r| matches!(r.event, Event::Resource { op, .. } if op == wanted))
            .count()
    };
    // Three waits, then one notify_one that woke waiter 0 (who waits again),
    // then notify_all for all three.
    assert_eq!(count(ResourceOp::BlockedOnCondvar), 4);
    assert_eq!((count(ResourceOp::Notify), count(ResourceOp::NotifyAll)), (1, 1));

    // The view folds the waiters: notify_all serves every one of them.
    let mut view = ResourceView::new(wakescope::trace::ResourceId(1));
    for t in 0..3 {
        view.apply(Some(TaskId(t)), ResourceOp::BlockedOnCondvar);
    }
    view.apply(Some(TaskId(3)), ResourceOp::Notify);
    assert_eq!(view.waiters.len(), 2);
    view.apply(Some(TaskId(3)), ResourceOp::NotifyAll);
    assert!(view.waiters.is_empty());
    assert_eq!(view.notified, 2);

    // A notification with nobody waiting is lost: the waiter sleeps forever.
    let mut sim = Sim::new(Config::seeded(0).with_policy(wakescope::Policy::Fifo));
    let changed = Rc::new(Condvar::new("changed"));
    let lock = Rc::new(Mutex::new("lock", ()));
    let c = changed.clone();
    let _early = sim.spawn("notifier", async move { c.notify_one() });
    let _late = sim.spawn("waiter", async move {
        let guard = lock.lock().await;
        let _guard = changed.wait(guard).await;
    });
    match sim.run() {
        Outcome::Deadlock(d) => {
            let text = d.to_string();
            assert!(text.contains("condvar"), "{text}");
        }
        other => panic!("expected the lost wakeup to deadlock, got {other}"),
    }
}
