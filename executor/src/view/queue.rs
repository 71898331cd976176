//! The ready queue as the fold sees it: runnable tasks in the executor's order.
//!
//! The executor's scheduler keeps a `VecDeque` and gives up a task in one of
//! two ways (`executor/src/scheduler.rs`): FIFO pops the front; the random
//! policy `swap_remove`s the picked slot, refilling it with the last task
//! (with one task queued it simply pops it). An abort removes a queued task
//! keeping the order. [`ReadyQueue`] does exactly the same, so its order is
//! the executor's order at every step.
//!
//! Finding the polled task must not cost O(queue) — a million sleepers wake
//! into one queue — so every task remembers its *slot*: a number that only
//! grows, where `slot - head` is the task's index. Popping the front moves
//! `head` on; a swap renumbers the one task that moved; only an abort in the
//! middle renumbers the tasks behind it.
//!
//! Invariant: `tasks[slot_of(t) - head] == t` for every queued task t.

use std::collections::VecDeque;

use crate::task::TaskId;

/// How the ready queue gives up the task it polls (the trace header's policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueueOrder {
    /// `Policy::Fifo`: from the front, order kept.
    Fifo,
    /// `Policy::Random`: the picked slot is refilled with the last task.
    SwapRemove,
}

impl QueueOrder {
    /// The order for a trace header's policy name (unknown names: random).
    pub fn from_policy(policy: &str) -> QueueOrder {
        if policy == "fifo" {
            QueueOrder::Fifo
        } else {
            QueueOrder::SwapRemove
        }
    }
}

/// Runnable tasks in queue order, with O(1) lookup of a task's place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadyQueue {
    order: QueueOrder,
    tasks: VecDeque<TaskId>,
    /// The slot of `tasks[0]`.
    head: u64,
    /// By task id: the slot it was given when last queued (stale once it left).
    slots: Vec<u64>,
}

impl ReadyQueue {
    /// An empty queue that gives up tasks in `order`.
    pub fn new(order: QueueOrder) -> ReadyQueue {
        ReadyQueue {
            order,
            tasks: VecDeque::new(),
            head: 0,
            slots: Vec::new(),
        }
    }

    /// Appends `task`.
    pub fn push(&mut self, task: TaskId) {
        let slot = self.head + self.tasks.len() as u64;
        self.set_slot(task, slot);
        self.tasks.push_back(task);
    }

    /// Removes `task` the way the scheduler takes the task it polls.
    /// Returns false if it was not queued.
    pub fn take(&mut self, task: TaskId) -> bool {
        let Some(i) = self.index_of(task) else { return false };
        match self.order {
            _ if i == 0 && (self.order == QueueOrder::Fifo || self.tasks.len() == 1) => self.pop_front(),
            QueueOrder::Fifo => self.remove_at(i),
            QueueOrder::SwapRemove => {
                self.tasks.swap_remove_back(i);
                if let Some(&moved) = self.tasks.get(i) {
                    self.set_slot(moved, self.head + i as u64);
                }
            }
        }
        true
    }

    /// Removes `task` keeping the order of the rest (an abort). Returns false if it was not queued.
    pub fn remove(&mut self, task: TaskId) -> bool {
        let Some(i) = self.index_of(task) else { return false };
        self.remove_at(i);
        true
    }

    /// Where `task` is, if queued.
    pub fn index_of(&self, task: TaskId) -> Option<usize> {
        let slot = *self.slots.get(task.index())?;
        let i = usize::try_from(slot.checked_sub(self.head)?).ok()?;
        (self.tasks.get(i) == Some(&task)).then_some(i)
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

    fn pop_front(&mut self) {
        self.tasks.pop_front();
        self.head += 1;
    }

    /// Removes index `i`, renumbering the tasks behind it: O(n), for aborts.
    fn remove_at(&mut self, i: usize) {
        if i == 0 {
            self.pop_front();
            return;
        }
        self.tasks.remove(i);
        for j in i..self.tasks.len() {
            let moved = self.tasks[j];
            self.set_slot(moved, self.head + j as u64);
        }
    }

    fn set_slot(&mut self, task: TaskId, slot: u64) {
        let i = task.index();
        if i >= self.slots.len() {
            self.slots.resize(i + 1, 0);
        }
        self.slots[i] = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &ReadyQueue) -> Vec<u32> {
        q.iter().map(|t| t.0).collect()
    }

    fn queue(order: QueueOrder, n: u32) -> ReadyQueue {
        let mut q = ReadyQueue::new(order);
        (0..n).for_each(|i| q.push(TaskId(i)));
        q
    }

    #[test]
    fn fifo_takes_from_the_front() {
        let mut q = queue(QueueOrder::Fifo, 4);
        assert!(q.take(TaskId(0)));
        assert_eq!(ids(&q), [1, 2, 3]);
        q.push(TaskId(0));
        assert_eq!(q.index_of(TaskId(0)), Some(3));
    }

    #[test]
    fn a_random_pick_is_refilled_with_the_last_task() {
        let mut q = queue(QueueOrder::SwapRemove, 5);
        assert!(q.take(TaskId(1)));
        assert_eq!(ids(&q), [0, 4, 2, 3]);
        assert_eq!(q.index_of(TaskId(4)), Some(1));
        assert!(q.take(TaskId(0)));
        assert_eq!(ids(&q), [3, 4, 2]);
        assert!(q.take(TaskId(2)));
        assert_eq!(ids(&q), [3, 4]);
        assert!(!q.take(TaskId(2)), "a task is taken once");
    }

    #[test]
    fn an_abort_keeps_the_order() {
        let mut q = queue(QueueOrder::SwapRemove, 5);
        assert!(q.remove(TaskId(2)));
        assert_eq!(ids(&q), [0, 1, 3, 4]);
        assert_eq!(q.index_of(TaskId(4)), Some(3));
        assert!(q.remove(TaskId(0)));
        assert_eq!(q.index_of(TaskId(1)), Some(0));
    }

    #[test]
    fn one_queued_task_is_popped() {
        let mut q = queue(QueueOrder::SwapRemove, 1);
        assert!(q.take(TaskId(0)));
        assert!(q.is_empty());
        q.push(TaskId(0));
        assert_eq!(q.index_of(TaskId(0)), Some(0));
    }
}
