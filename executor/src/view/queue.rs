//! The ready queue as the fold sees it: runnable tasks in the executor's order.
//!
//! The executor keeps one ready queue for every policy (`scheduler.rs`): a
//! task joins at the back when it is spawned or woken while idle, and leaves
//! it in one of three ways, each of which the trace states:
//! - picked for a poll (`PollStarted`) or put back by a delay fault
//!   (`Delayed`): the event carries the [`Pick`] — the index it was taken
//!   from and whether its slot was refilled with the last queued task
//!   (`swap_remove_back`) or the tasks behind it moved up (`remove`);
//! - cancelled while queued (an abort, a kill): the order of the rest is kept.
//!
//! So the fold needs no knowledge of policies: FIFO, random, PCT, a replayed
//! schedule and an imported trace all show the executor's true queue.
//!
//! Invariant: a task is in the queue at most once; a pick names the task at
//! its index (checked: a trace that says otherwise is not the executor's).

use std::collections::VecDeque;

use crate::task::TaskId;
use crate::trace::Pick;

/// Runnable tasks in queue order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadyQueue {
    tasks: VecDeque<TaskId>,
}

impl ReadyQueue {
    /// An empty queue.
    pub fn new() -> ReadyQueue {
        ReadyQueue::default()
    }

    /// Appends `task`.
    /// Asks the cache for the queue slot at `index` (a pick to come).
    pub(crate) fn prefetch(&self, index: u32) {
        if let Some(slot) = self.tasks.get(index as usize) {
            crate::prefetch::fetch(slot);
        }
    }

    pub fn push(&mut self, task: TaskId) {
        self.tasks.push_back(task);
    }

    /// Takes `task` out the way `pick` says the executor did. Returns false
    /// (and changes nothing) if `task` is not at the pick's index.
    pub fn take(&mut self, task: TaskId, pick: Pick) -> bool {
        let i = pick.index as usize;
        if self.tasks.get(i) != Some(&task) {
            return false;
        }
        if pick.refill {
            self.tasks.swap_remove_back(i);
        } else {
            self.tasks.remove(i);
        }
        true
    }

    /// Removes `task` keeping the order of the rest (a cancel). O(n), but
    /// cancels of queued tasks are rare. Returns false if it was not queued.
    pub fn remove(&mut self, task: TaskId) -> bool {
        match self.tasks.iter().position(|t| *t == task) {
            Some(i) => {
                self.tasks.remove(i);
                true
            }
            None => false,
        }
    }

    /// Queued tasks, front first.
    pub fn iter(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.tasks.iter().copied()
    }

    /// Queued tasks, front first, collected.
    pub fn to_vec(&self) -> Vec<TaskId> {
        self.iter().collect()
    }

    /// Number of queued tasks.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True when nothing is runnable.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &ReadyQueue) -> Vec<u32> {
        q.iter().map(|t| t.0).collect()
    }

    fn queue(n: u32) -> ReadyQueue {
        let mut q = ReadyQueue::new();
        (0..n).for_each(|i| q.push(TaskId(i)));
        q
    }

    #[test]
    fn a_pick_without_refill_closes_the_gap() {
        let mut q = queue(4);
        assert!(q.take(
            TaskId(0),
            Pick {
                index: 0,
                refill: false
            }
        ));
        assert_eq!(ids(&q), [1, 2, 3]);
        assert!(q.take(
            TaskId(2),
            Pick {
                index: 1,
                refill: false
            }
        ));
        assert_eq!(ids(&q), [1, 3]);
    }

    #[test]
    fn a_refilled_pick_moves_the_last_task_into_the_slot() {
        let mut q = queue(5);
        assert!(q.take(TaskId(1), Pick { index: 1, refill: true }));
        assert_eq!(ids(&q), [0, 4, 2, 3]);
        assert!(q.take(TaskId(3), Pick { index: 3, refill: true }));
        assert_eq!(ids(&q), [0, 4, 2]);
    }

    #[test]
    fn a_pick_that_names_another_task_changes_nothing() {
        let mut q = queue(3);
        assert!(!q.take(
            TaskId(2),
            Pick {
                index: 0,
                refill: false
            }
        ));
        assert!(!q.take(TaskId(0), Pick { index: 7, refill: true }));
        assert_eq!(ids(&q), [0, 1, 2]);
    }

    #[test]
    fn a_cancel_keeps_the_order() {
        let mut q = queue(5);
        assert!(q.remove(TaskId(2)));
        assert_eq!(ids(&q), [0, 1, 3, 4]);
        assert!(!q.remove(TaskId(2)), "a task is removed once");
    }
}
