//! Tasks: a future the executor owns, plus the state it needs to schedule it.
//!
//! When a future is spawned it becomes a task: it moves to the heap (a
//! [`TaskCell`]), gets an id, a name, a waker, and a state. The state machine:
//!
//! ```text
//!  spawn ──► Scheduled ──pick──► Running ──Ready──► Completed
//!               ▲                   │    ──panic──► Panicked
//!               │ wake              │ Pending
//!               └──── Idle ◄────────┘
//!   abort (any state before the end) ──► Cancelled
//! ```
//!
//! Invariants (asserted by the executor): a task is in the ready queue iff it
//! is `Scheduled`; only a `Scheduled` task is polled; a finished task is never
//! polled again and never re-enters the queue.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::{Deserialize, Serialize};

/// A task's id: dense, in spawn order, starting at 0. Never reused within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u32);

impl TaskId {
    /// The id as an index into per-task tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where a task is in its life (see the module docs for the transitions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting for a wake; not in the ready queue.
    Idle,
    /// In the ready queue.
    Scheduled,
    /// Being polled right now.
    Running,
    /// Its future returned `Ready`.
    Completed,
    /// Its future was dropped before it finished.
    Cancelled,
    /// Its future panicked.
    Panicked,
}

impl TaskState {
    /// True once the task can never run again.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskState::Completed | TaskState::Cancelled | TaskState::Panicked)
    }
}

/// A spawned future with its output slot, behind a type-erased interface.
pub(crate) struct TaskCell<F: Future> {
    future: Option<F>,
    output: Option<F::Output>,
}

/// What the executor can do with a [`TaskCell`] without knowing its types.
pub(crate) trait ErasedTask {
    /// Polls the future. On `Ready` the output is stored and the future dropped.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()>;
    /// Drops the future, running its destructors.
    fn drop_future(&mut self);
    /// The output slot, an `Option<T>`, for `JoinHandle<T>` to take.
    fn output(&mut self) -> &mut dyn Any;
    /// Size of the future in bytes: the state it keeps across `.await`s.
    fn future_bytes(&self) -> usize;
}

impl<F: Future + 'static> TaskCell<F> {
    pub(crate) fn boxed(future: F) -> Box<dyn ErasedTask> {
        Box::new(TaskCell {
            future: Some(future),
            output: None,
        })
    }
}

impl<F: Future + 'static> ErasedTask for TaskCell<F> {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(future) = self.future.as_mut() else {
            return Poll::Ready(());
        };
        // SAFETY: the cell is boxed and never moved out of its box; the future
        // is dropped in place (`self.future = None`) and never moved while pinned.
        let pinned = unsafe { Pin::new_unchecked(future) };
        match pinned.poll(cx) {
            Poll::Ready(value) => {
                self.future = None;
                self.output = Some(value);
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn drop_future(&mut self) {
        self.future = None;
    }

    fn output(&mut self) -> &mut dyn Any {
        &mut self.output
    }

    fn future_bytes(&self) -> usize {
        std::mem::size_of::<F>()
    }
}

/// The executor's record of one task: 32 bytes, so a million fit in 32 MiB.
pub(crate) struct TaskSlot {
    /// The future or its output. `None` while lent to a poll, or once the
    /// output was taken or thrown away.
    pub cell: Option<Box<dyn ErasedTask>>,
    /// Interned name.
    pub name: u32,
    /// Polls so far.
    pub polls: u32,
    /// Size of the future in bytes (kept after the future is gone).
    pub future_bytes: u32,
    pub state: TaskState,
    /// The handle was dropped: nobody will take the output.
    pub detached: bool,
    /// `abort` was called while the task was running; cancel it when the poll returns.
    pub abort_requested: bool,
    /// Someone waits on the `JoinHandle` (its waker is in `State::join_wakers`).
    pub joined: bool,
}

impl TaskSlot {
    pub(crate) fn new(cell: Box<dyn ErasedTask>, name: u32) -> TaskSlot {
        let future_bytes = u32::try_from(cell.future_bytes()).unwrap_or(u32::MAX);
        TaskSlot {
            cell: Some(cell),
            name,
            polls: 0,
            future_bytes,
            state: TaskState::Scheduled,
            detached: false,
            abort_requested: false,
            joined: false,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_task_slot_stays_small() {
        assert!(std::mem::size_of::<super::TaskSlot>() <= 32);
    }
}
