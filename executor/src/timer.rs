//! The timer driver: armed timers, ordered by deadline.
//!
//! Timers live in buckets keyed by deadline (a `BTreeMap`), each bucket a list
//! in arming order. So all timers due at one instant fire together, ties in
//! the order they were armed, and a million timers with the same deadline cost
//! one bucket. A cancelled timer leaves a tombstone (`waker: None`) that the
//! bucket skips; a bucket with no live timer left is removed at once, so the
//! first key is always a deadline at which something really fires.
//!
//! Invariants: a timer fires at its deadline exactly — never before (the
//! executor only fires buckets at or before `now`, and only moves `now` to the
//! first key), never late (the clock never jumps past the first key), and
//! never twice (firing removes the bucket).

use std::collections::BTreeMap;
use std::fmt;
use std::task::Waker;

use serde::{Deserialize, Serialize};

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

/// One armed (or cancelled) timer in a bucket.
pub(crate) struct TimerEntry {
    pub id: TimerId,
    /// `None` once cancelled.
    pub waker: Option<Waker>,
}

struct Bucket {
    /// In arming order, hence in id order.
    entries: Vec<TimerEntry>,
    /// Entries not cancelled.
    live: u32,
}

/// All armed timers of one simulation.
#[derive(Default)]
pub(crate) struct Timers {
    buckets: BTreeMap<u64, Bucket>,
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

    /// Arms a timer that wakes `waker` at `deadline_ns`.
    pub(crate) fn arm(&mut self, deadline_ns: u64, waker: Waker) -> TimerId {
        let id = TimerId(self.next_id);
        self.next_id += 1;
        self.armed += 1;
        let bucket = self.buckets.entry(deadline_ns).or_insert_with(|| Bucket { entries: Vec::new(), live: 0 });
        bucket.entries.push(TimerEntry { id, waker: Some(waker) });
        bucket.live += 1;
        id
    }

    fn find(&mut self, id: TimerId, deadline_ns: u64) -> Option<(&mut Bucket, usize)> {
        let bucket = self.buckets.get_mut(&deadline_ns)?;
        let i = bucket.entries.binary_search_by_key(&id, |e| e.id).ok()?;
        bucket.entries[i].waker.is_some().then_some((bucket, i))
    }

    /// Replaces the waker of an armed timer unless it would wake the same task.
    /// Returns the replaced waker so the caller can drop it outside any borrow.
    pub(crate) fn update_waker(&mut self, id: TimerId, deadline_ns: u64, waker: &Waker) -> Option<Waker> {
        let (bucket, i) = self.find(id, deadline_ns)?;
        let slot = &mut bucket.entries[i].waker;
        if slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            return None;
        }
        slot.replace(waker.clone())
    }

    /// Cancels an armed timer. Returns its waker if it was still armed.
    pub(crate) fn cancel(&mut self, id: TimerId, deadline_ns: u64) -> Option<Waker> {
        let (bucket, i) = self.find(id, deadline_ns)?;
        let waker = bucket.entries[i].waker.take();
        bucket.live -= 1;
        if bucket.live == 0 {
            self.buckets.remove(&deadline_ns);
        }
        self.armed -= 1;
        waker
    }

    /// The earliest deadline with a live timer.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.buckets.keys().next().copied()
    }

    /// Removes and returns the live timers of the earliest bucket if it is due at `now_ns`.
    pub(crate) fn take_due(&mut self, now_ns: u64) -> Vec<TimerEntry> {
        match self.buckets.first_entry() {
            Some(first) if *first.key() <= now_ns => {
                let bucket = first.remove();
                self.armed -= bucket.live;
                let mut entries = bucket.entries;
                entries.retain(|e| e.waker.is_some());
                entries
            }
            _ => Vec::new(),
        }
    }

    /// Removes every timer, returning the wakers so they drop outside any borrow.
    pub(crate) fn clear(&mut self) -> Vec<Waker> {
        self.armed = 0;
        std::mem::take(&mut self.buckets)
            .into_values()
            .flat_map(|b| b.entries.into_iter().filter_map(|e| e.waker))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn noop() -> Waker {
        Waker::noop().clone()
    }

    #[test]
    fn ties_fire_in_arming_order_and_cancelled_timers_never_fire() {
        let mut timers = Timers::default();
        let a = timers.arm(10, noop());
        let b = timers.arm(5, noop());
        let c = timers.arm(10, noop());
        let d = timers.arm(10, noop());
        assert!(timers.cancel(c, 10).is_some());
        assert!(timers.cancel(c, 10).is_none(), "cancelling twice is a no-op");
        assert_eq!(timers.next_deadline(), Some(5));
        assert!(timers.take_due(4).is_empty(), "nothing fires before its deadline");
        let due: Vec<_> = timers.take_due(5).into_iter().map(|e| e.id).collect();
        assert_eq!(due, vec![b]);
        let due: Vec<_> = timers.take_due(10).into_iter().map(|e| e.id).collect();
        assert_eq!(due, vec![a, d]);
        assert_eq!(timers.armed(), 0);
        assert_eq!(timers.next_deadline(), None);
    }

    #[test]
    fn a_bucket_emptied_by_cancellation_disappears() {
        let mut timers = Timers::default();
        let a = timers.arm(7, noop());
        timers.arm(9, noop());
        timers.cancel(a, 7);
        assert_eq!(timers.next_deadline(), Some(9), "the clock must not jump to a dead deadline");
    }
}
