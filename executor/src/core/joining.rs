//! `JoinHandle`s as the core sees them: polling for a task's end, and
//! detaching. The handle itself (`join.rs`) turns the answer into a
//! `Result<T, JoinError>`.

use std::task::Waker;

use super::Core;
use crate::task::{ErasedTask, TaskId, TaskState};
use crate::trace::CancelCause;

/// What a poll of a `JoinHandle` found.
pub(crate) enum Joined {
    /// Still running; the waker is registered.
    Pending,
    /// Completed: the cell holding the output (taken out of the task).
    Output(Box<dyn ErasedTask>),
    /// The output was taken already.
    Gone,
    /// Panicked with this message (the panic is now handled).
    Panicked(String),
    Cancelled(CancelCause),
}

impl Core {
    /// Polls for `task`'s end on behalf of whoever holds its handle.
    pub(crate) fn poll_join(&self, task: TaskId, waker: &Waker) -> Joined {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let slot = &mut st.tasks[task.index()];
        if slot.is_finished() {
            let state = slot.state();
            let Some(cell) = slot.take_cell() else {
                return Joined::Gone;
            };
            let joined = match state {
                TaskState::Completed => return Joined::Output(cell),
                TaskState::Panicked => {
                    // The panic reached whoever awaits the handle: it is handled.
                    let record = st.panics.get_mut(&task);
                    let message = record.map(|p| {
                        p.handled = true;
                        p.message.clone()
                    });
                    Joined::Panicked(message.unwrap_or_default())
                }
                _ => Joined::Cancelled(st.cancel_causes.get(&task).copied().unwrap_or(CancelCause::Aborted)),
            };
            drop(guard);
            // The cell holds neither future nor output now: dropping it runs no user code.
            drop(cell);
            return joined;
        }
        slot.mark_joined();
        if let Some(waiter) = st.current {
            st.wait_for.joins(waiter, task);
        }
        let old = match st.join_wakers.get(&task) {
            Some(w) if w.will_wake(waker) => None,
            _ => st.join_wakers.insert(task, waker.clone()),
        };
        drop(guard);
        drop(old);
        Joined::Pending
    }

    /// The handle of `task` was dropped: nobody takes its output. Runs in
    /// a destructor: if the state is busy, nothing is done.
    pub(crate) fn detach(&self, task: TaskId) {
        let Ok(mut guard) = self.state.try_borrow_mut() else {
            return;
        };
        let st = &mut *guard;
        let slot = &mut st.tasks[task.index()];
        let cell = slot.detach();
        let waker = if slot.take_joined() {
            st.join_wakers.remove(&task)
        } else {
            None
        };
        drop(guard);
        drop(cell);
        drop(waker);
    }
}
