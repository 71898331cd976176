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
/// This file, as the compiler names it in locations: a library future that
/// is a task's whole future (`spawn("t", sleep(d))`) is polled from here, so
/// a location in this file means "the task itself", and the trace uses the
/// task's spawn location instead.
pub(crate) const ROOT_POLL_FILE: &str = file!();

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
///
/// Its state changes only through the `transition_to_*` methods, each of
/// which asserts the state it leaves (the diagram in the module docs).
pub(crate) struct TaskSlot {
    /// The boxed future (and later its output); `None` while it is being
    /// polled, or once the output was taken or the task detached.
    cell: Option<Box<dyn ErasedTask>>,
    /// Interned name.
    name: u32,
    polls: u32,
    /// `size_of` the future, saturated.
    future_bytes: u32,
    state: TaskState,
    /// Its `JoinHandle` was dropped: nobody will take the output.
    detached: bool,
    /// An abort arrived while the task was running; it ends when its poll returns.
    abort_requested: bool,
    /// Someone awaits its `JoinHandle` (a waker is registered).
    joined: bool,
}

impl TaskSlot {
    /// A freshly spawned task: `Scheduled`, owning its future.
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

    pub(crate) fn state(&self) -> TaskState {
        self.state
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.state.is_finished()
    }

    pub(crate) fn name(&self) -> u32 {
        self.name
    }

    pub(crate) fn polls(&self) -> u32 {
        self.polls
    }

    pub(crate) fn future_bytes(&self) -> u32 {
        self.future_bytes
    }

    /// Where the task's future is (null while it is out for a poll or gone):
    /// a hint for fetching it early, see `Scheduler::upcoming`.
    pub(crate) fn future_address(&self) -> *const u8 {
        match &self.cell {
            Some(cell) => std::ptr::from_ref::<dyn ErasedTask>(&**cell).cast::<u8>(),
            None => std::ptr::null(),
        }
    }

    /// `Idle → Scheduled`: a wake put it in the ready queue.
    pub(crate) fn transition_to_scheduled(&mut self) {
        assert_eq!(self.state, TaskState::Idle, "only an idle task is scheduled");
        self.state = TaskState::Scheduled;
    }

    /// `Scheduled → Running`: it was picked; hands out its future for the poll.
    pub(crate) fn transition_to_running(&mut self) -> Box<dyn ErasedTask> {
        assert_eq!(self.state, TaskState::Scheduled, "only a scheduled task is polled");
        self.state = TaskState::Running;
        self.polls += 1;
        self.cell.take().expect("an unfinished task owns its future")
    }

    /// `Running → Idle`: its poll returned `Pending`; takes the future back.
    pub(crate) fn transition_to_idle(&mut self, cell: Box<dyn ErasedTask>) {
        assert_eq!(self.state, TaskState::Running, "only a running task goes idle");
        assert!(!self.abort_requested, "an aborted task does not go idle");
        self.state = TaskState::Idle;
        self.cell = Some(cell);
    }

    /// `* → Completed | Cancelled | Panicked`, exactly once.
    pub(crate) fn transition_to_finished(&mut self, state: TaskState) {
        assert!(state.is_finished(), "{state:?} is not an end state");
        assert!(!self.state.is_finished(), "a task finishes once");
        assert!(
            state != TaskState::Completed || self.state == TaskState::Running,
            "only a running task completes"
        );
        self.state = state;
    }

    /// Records an abort of the running task; true the first time.
    pub(crate) fn request_abort(&mut self) -> bool {
        assert_eq!(self.state, TaskState::Running, "only a running task defers its abort");
        !std::mem::replace(&mut self.abort_requested, true)
    }

    pub(crate) fn abort_requested(&self) -> bool {
        self.abort_requested
    }

    /// Takes the cell: the future of an unfinished task that is being
    /// cancelled, or the output of a finished one.
    pub(crate) fn take_cell(&mut self) -> Option<Box<dyn ErasedTask>> {
        self.cell.take()
    }

    /// Keeps a finished task's cell for its `JoinHandle`; hands it back if
    /// the task is detached (the caller drops it outside any borrow).
    pub(crate) fn keep_cell(&mut self, cell: Box<dyn ErasedTask>) -> Option<Box<dyn ErasedTask>> {
        debug_assert!(self.state.is_finished(), "only a finished task's cell is kept");
        if self.detached {
            return Some(cell);
        }
        self.cell = Some(cell);
        None
    }

    /// Its handle was dropped; a finished task's cell is handed back to drop.
    pub(crate) fn detach(&mut self) -> Option<Box<dyn ErasedTask>> {
        self.detached = true;
        if self.state.is_finished() {
            self.cell.take()
        } else {
            None
        }
    }

    /// Someone now awaits the handle.
    pub(crate) fn mark_joined(&mut self) {
        self.joined = true;
    }

    /// Whether someone awaited the handle, clearing the mark.
    pub(crate) fn take_joined(&mut self) -> bool {
        std::mem::take(&mut self.joined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot() -> TaskSlot {
        TaskSlot::new(TaskCell::boxed(async {}), 0)
    }

    #[test]
    fn a_task_slot_stays_small() {
        assert!(std::mem::size_of::<TaskSlot>() <= 32);
    }

    #[test]
    fn the_lifecycle_runs_through_its_transitions() {
        let mut s = slot();
        assert_eq!(s.state(), TaskState::Scheduled);
        let cell = s.transition_to_running();
        assert_eq!((s.state(), s.polls()), (TaskState::Running, 1));
        s.transition_to_idle(cell);
        s.transition_to_scheduled();
        let cell = s.transition_to_running();
        assert_eq!(s.polls(), 2);
        s.transition_to_finished(TaskState::Completed);
        assert!(s.is_finished());
        assert!(s.keep_cell(cell).is_none(), "kept for the JoinHandle");
        assert!(s.take_cell().is_some());
    }

    #[test]
    #[should_panic(expected = "only a scheduled task is polled")]
    fn an_idle_task_is_not_polled() {
        let mut s = slot();
        let cell = s.transition_to_running();
        s.transition_to_idle(cell);
        s.transition_to_running();
    }

    #[test]
    #[should_panic(expected = "only an idle task is scheduled")]
    fn a_scheduled_task_is_not_scheduled_again() {
        slot().transition_to_scheduled();
    }

    #[test]
    #[should_panic(expected = "a task finishes once")]
    fn a_task_finishes_once() {
        let mut s = slot();
        s.transition_to_finished(TaskState::Cancelled);
        s.transition_to_finished(TaskState::Cancelled);
    }

    #[test]
    #[should_panic(expected = "only a running task completes")]
    fn only_a_running_task_completes() {
        slot().transition_to_finished(TaskState::Completed);
    }

    #[test]
    #[should_panic(expected = "an aborted task does not go idle")]
    fn an_aborted_task_does_not_go_idle() {
        let mut s = slot();
        let cell = s.transition_to_running();
        assert!(s.request_abort());
        assert!(!s.request_abort(), "only the first abort counts");
        s.transition_to_idle(cell);
    }

    #[test]
    fn a_detached_task_hands_back_its_output() {
        let mut s = slot();
        let cell = s.transition_to_running();
        s.transition_to_finished(TaskState::Completed);
        assert!(s.detach().is_none(), "the cell is with the executor during the poll");
        assert!(s.keep_cell(cell).is_some(), "nobody will take the output");
    }
}
