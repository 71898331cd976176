//! The timer driver: armed timers, ordered by deadline.
//!
//! Timers live in buckets keyed by deadline (a `BTreeMap`), each bucket a list
//! in arming order. So all timers due at one instant fire together, ties in
//! the order they were armed, and a million timers with the same deadline cost
//! one bucket. A cancelled timer leaves a tombstone (`waker: None`) that the
//! bucket skips; a bucket with no live timer left is removed at once, so the
//! first key is always a deadline at which something really fires.
//!
//! Invariants: a timer never fires before its deadline (the executor only
//! fires buckets at or before `now`) and never twice (firing removes the
//! bucket). A clock *jump* never passes the first key, so a timer fires at
//! its deadline exactly — except in two documented cases: [`crate::work`]
//! moves the clock inside a poll, past any deadline in its way, and those
//! timers fire at the next step, late by up to the work's length; and with
//! the timer-jitter fault ([`crate::Faults::timer_jitter_max`]) a timer is
//! armed up to that much after the deadline asked for, and fires then.

use std::collections::BTreeMap;
use std::fmt;
use std::task::Waker;

use serde::{Deserialize, Serialize};

use crate::task::TaskId;

/// A timer's id: dense, in arming order, starting at 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimerId(pub u32);

impl TimerId {
    /// The id as an index into per-timer tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for TimerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timer {}", self.0)
    }
}

/// What a timer wakes.
pub(crate) enum Target {
    /// A task of this simulation, woken directly: no waker is stored.
    Task(TaskId),
    /// Any other waker (a combinator's, another executor's).
    Waker(Waker),
}

/// `TimerEntry::target` of a cancelled timer.
const CANCELLED: u32 = u32::MAX;
/// Set in `TimerEntry::target` when the rest indexes `Timers::wakers`.
const WAKER_BIT: u32 = 1 << 31;

/// One armed (or cancelled) timer in a bucket: 8 bytes.
struct TimerEntry {
    id: TimerId,
    /// A task id, `WAKER_BIT | index` into `Timers::wakers`, or `CANCELLED`.
    target: u32,
}

struct Bucket {
    /// In arming order, hence in id order.
    entries: Vec<TimerEntry>,
    /// Entries not cancelled (nor fired).
    live: u32,
    /// Entries before this index were fired (a bucket may fire over several steps).
    next: usize,
}

/// All armed timers of one simulation.
#[derive(Default)]
pub(crate) struct Timers {
    buckets: BTreeMap<u64, Bucket>,
    /// Wakers of timers whose target is not a plain task; `None` slots are free.
    wakers: Vec<Option<Waker>>,
    free_wakers: Vec<u32>,
    next_id: u32,
    armed: u32,
}

impl Timers {
    /// Timers armed so far (fired and cancelled included).
    pub(crate) fn created(&self) -> u32 {
        self.next_id
    }

    /// Timers waiting to fire.
    pub(crate) fn armed(&self) -> u32 {
        self.armed
    }

    fn encode(&mut self, target: Target) -> u32 {
        match target {
            Target::Task(task) => {
                debug_assert!(task.0 < WAKER_BIT);
                task.0
            }
            Target::Waker(waker) => match self.free_wakers.pop() {
                Some(i) => {
                    self.wakers[i as usize] = Some(waker);
                    WAKER_BIT | i
                }
                None => {
                    self.wakers.push(Some(waker));
                    WAKER_BIT | (self.wakers.len() as u32 - 1)
                }
            },
        }
    }

    fn decode(&mut self, bits: u32) -> Target {
        if bits & WAKER_BIT == 0 {
            return Target::Task(TaskId(bits));
        }
        let i = bits & !WAKER_BIT;
        self.free_wakers.push(i);
        Target::Waker(self.wakers[i as usize].take().expect("a waker timer owns its slot"))
    }

    /// Arms a timer that wakes `target` at `deadline_ns`.
    pub(crate) fn arm(&mut self, deadline_ns: u64, target: Target) -> TimerId {
        let id = TimerId(self.next_id);
        self.next_id += 1;
        self.armed += 1;
        let target = self.encode(target);
        let bucket = self.buckets.entry(deadline_ns).or_insert_with(|| Bucket {
            entries: Vec::new(),
            live: 0,
            next: 0,
        });
        bucket.entries.push(TimerEntry { id, target });
        bucket.live += 1;
        id
    }

    /// Index of an armed timer in its bucket.
    fn find(&self, id: TimerId, deadline_ns: u64) -> Option<usize> {
        let bucket = self.buckets.get(&deadline_ns)?;
        let i = bucket.entries.binary_search_by_key(&id, |e| e.id).ok()?;
        (bucket.entries[i].target != CANCELLED).then_some(i)
    }

    /// Points an armed timer at a new target (a future moved between tasks
    /// or combinators). Returns the old target so the caller can drop a
    /// waker outside any borrow.
    pub(crate) fn retarget(&mut self, id: TimerId, deadline_ns: u64, target: Target) -> Option<Target> {
        let i = self.find(id, deadline_ns)?;
        let old = self.buckets[&deadline_ns].entries[i].target;
        if let Target::Task(t) = target
            && old == t.0
        {
            return None;
        }
        let new = self.encode(target);
        self.buckets.get_mut(&deadline_ns).expect("found above").entries[i].target = new;
        Some(self.decode(old))
    }

    /// Cancels an armed timer. Returns its target if it was still armed.
    pub(crate) fn cancel(&mut self, id: TimerId, deadline_ns: u64) -> Option<Target> {
        let i = self.find(id, deadline_ns)?;
        let bucket = self.buckets.get_mut(&deadline_ns).expect("found above");
        let old = std::mem::replace(&mut bucket.entries[i].target, CANCELLED);
        bucket.live -= 1;
        if bucket.live == 0 {
            self.buckets.remove(&deadline_ns);
        }
        self.armed -= 1;
        Some(self.decode(old))
    }

    /// The earliest deadline with a live timer.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.buckets.keys().next().copied()
    }

    /// Removes and returns, in arming order, up to `max` live timers of the
    /// earliest bucket if it is due at `now_ns`. The rest of a large bucket
    /// stays due for the next call, so firing a million timers at one
    /// instant can be spread over several steps without changing its order.
    pub(crate) fn take_due(&mut self, now_ns: u64, max: usize) -> Vec<(TimerId, Target)> {
        let Some(mut first) = self.buckets.first_entry() else {
            return Vec::new();
        };
        if *first.key() > now_ns {
            return Vec::new();
        }
        let bucket = first.get_mut();
        let mut taken = Vec::with_capacity((bucket.live as usize).min(max));
        while taken.len() < max && bucket.next < bucket.entries.len() {
            let e = &mut bucket.entries[bucket.next];
            bucket.next += 1;
            let target = std::mem::replace(&mut e.target, CANCELLED);
            if target != CANCELLED {
                taken.push((e.id, target));
            }
        }
        bucket.live -= taken.len() as u32;
        if bucket.live == 0 {
            first.remove();
        }
        self.armed -= taken.len() as u32;
        taken.into_iter().map(|(id, bits)| (id, self.decode(bits))).collect()
    }

    /// Removes every timer, returning the wakers so they drop outside any borrow.
    pub(crate) fn clear(&mut self) -> Vec<Waker> {
        self.armed = 0;
        self.buckets.clear();
        self.free_wakers.clear();
        std::mem::take(&mut self.wakers).into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn noop() -> Target {
        Target::Waker(Waker::noop().clone())
    }

    fn ids(due: Vec<(TimerId, Target)>) -> Vec<TimerId> {
        due.into_iter().map(|(id, _)| id).collect()
    }

    #[test]
    fn ties_fire_in_arming_order_and_cancelled_timers_never_fire() {
        let mut timers = Timers::default();
        let a = timers.arm(10, Target::Task(TaskId(3)));
        let b = timers.arm(5, noop());
        let c = timers.arm(10, noop());
        let d = timers.arm(10, noop());
        assert!(timers.cancel(c, 10).is_some());
        assert!(timers.cancel(c, 10).is_none(), "cancelling twice is a no-op");
        assert_eq!(timers.next_deadline(), Some(5));
        assert!(
            timers.take_due(4, usize::MAX).is_empty(),
            "nothing fires before its deadline"
        );
        assert_eq!(ids(timers.take_due(5, usize::MAX)), vec![b]);
        assert_eq!(ids(timers.take_due(10, usize::MAX)), vec![a, d]);
        assert_eq!(timers.armed(), 0);
        assert_eq!(timers.next_deadline(), None);
    }

    #[test]
    fn waker_slots_are_reused_and_tasks_need_none() {
        let mut timers = Timers::default();
        let a = timers.arm(1, noop());
        timers.cancel(a, 1);
        timers.arm(2, noop());
        timers.arm(2, Target::Task(TaskId(0)));
        assert_eq!(timers.wakers.len(), 1, "the cancelled timer's slot was reused");
        assert!(matches!(timers.take_due(2, usize::MAX)[1].1, Target::Task(TaskId(0))));
    }

    #[test]
    fn a_large_bucket_fires_in_batches_in_arming_order() {
        let mut timers = Timers::default();
        let ids: Vec<TimerId> = (0..10).map(|i| timers.arm(7, Target::Task(TaskId(i)))).collect();
        timers.cancel(ids[3], 7);
        let first = timers.take_due(7, 4);
        assert_eq!(
            first.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            vec![ids[0], ids[1], ids[2], ids[4]]
        );
        assert!(timers.cancel(ids[1], 7).is_none(), "a fired timer cannot be cancelled");
        assert_eq!(timers.next_deadline(), Some(7), "the rest is still due");
        let rest: Vec<TimerId> = timers.take_due(7, 100).into_iter().map(|(id, _)| id).collect();
        assert_eq!(rest, ids[5..].to_vec());
        assert_eq!((timers.armed(), timers.next_deadline()), (0, None));
    }

    #[test]
    fn a_bucket_emptied_by_cancellation_disappears() {
        let mut timers = Timers::default();
        let a = timers.arm(7, noop());
        timers.arm(9, noop());
        timers.cancel(a, 7);
        assert_eq!(
            timers.next_deadline(),
            Some(9),
            "the clock must not jump to a dead deadline"
        );
    }
}
