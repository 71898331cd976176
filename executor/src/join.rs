//! Join handles: awaiting, aborting and detaching a spawned task.
//!
//! A `JoinHandle<T>` is itself a future: it resolves to the task's output once
//! the task finishes, or to a [`JoinError`] saying why there is none. Waiting
//! on it stores the waiter's waker in the task; the task's end wakes it, and
//! the trace shows that wake as coming from the finished task.
//!
//! The handle holds only a weak reference to the simulation, so handles never
//! keep a dropped simulation alive.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Weak;
use std::task::{Context, Poll};

use crate::core::Core;
use crate::task::{TaskId, TaskState};
use crate::trace::CancelCause;

/// Why a [`JoinHandle`] has no output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// The task was cancelled before it finished.
    Cancelled(CancelCause),
    /// The task's future panicked with this message.
    Panicked(String),
    /// The task was never created: the spawn hit the task limit.
    NotSpawned,
    /// The simulation was dropped, or the output was already taken.
    Gone,
}

impl JoinError {
    /// True when the task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JoinError::Cancelled(_))
    }

    /// True when the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panicked(_))
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled(cause) => write!(f, "task was cancelled ({cause:?})"),
            JoinError::Panicked(msg) => write!(f, "task panicked: {msg}"),
            JoinError::NotSpawned => f.write_str("task was not spawned: the task limit was reached"),
            JoinError::Gone => f.write_str("task output is gone: the simulation was dropped or the output was taken"),
        }
    }
}

impl std::error::Error for JoinError {}

/// An owned permission to await, abort or detach a task.
///
/// ```
/// use std::time::Duration;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let slow = sim.spawn("slow", async { wakescope::sleep(Duration::from_secs(60)).await });
/// slow.abort();
/// assert!(sim.run().is_completed());
/// assert!(slow.is_finished());
/// ```
#[must_use = "dropping a JoinHandle detaches the task; bind it to `_task` to make that explicit"]
pub struct JoinHandle<T> {
    core: Weak<Core>,
    /// `None` when the spawn was refused.
    task: Option<TaskId>,
    _output: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("task", &self.task).finish()
    }
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(core: Weak<Core>, task: TaskId) -> JoinHandle<T> {
        JoinHandle {
            core,
            task: Some(task),
            _output: PhantomData,
        }
    }

    pub(crate) fn not_spawned(core: Weak<Core>) -> JoinHandle<T> {
        JoinHandle {
            core,
            task: None,
            _output: PhantomData,
        }
    }

    /// The task's id, or `None` if the spawn hit the task limit.
    pub fn id(&self) -> Option<TaskId> {
        self.task
    }

    /// Cancels the task: its future is dropped now (or, if the task is the one
    /// running, as soon as its poll returns) and the trace records
    /// `Cancelled { cause: Aborted }`. A finished task is left as it is.
    pub fn abort(&self) {
        if let (Some(task), Some(core)) = (self.task, self.core.upgrade()) {
            core.abort(task);
        }
    }

    /// True once the task completed, was cancelled or panicked.
    pub fn is_finished(&self) -> bool {
        let (Some(task), Some(core)) = (self.task, self.core.upgrade()) else {
            return true;
        };
        let st = core.state.borrow();
        st.tasks[task.index()].state.is_finished()
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(task) = self.task else {
            return Poll::Ready(Err(JoinError::NotSpawned));
        };
        let Some(core) = self.core.upgrade() else {
            return Poll::Ready(Err(JoinError::Gone));
        };
        let mut guard = core.state.borrow_mut();
        let st = &mut *guard;
        let slot = &mut st.tasks[task.index()];
        if slot.state.is_finished() {
            let state = slot.state;
            let Some(mut cell) = slot.cell.take() else {
                return Poll::Ready(Err(JoinError::Gone));
            };
            let result = match state {
                TaskState::Completed => cell
                    .output()
                    .downcast_mut::<Option<T>>()
                    .expect("a JoinHandle<T> belongs to a task whose output is T")
                    .take()
                    .ok_or(JoinError::Gone),
                TaskState::Panicked => {
                    // The panic reached whoever awaits the handle: it is handled.
                    let record = st.panics.get_mut(&task);
                    let message = record.map(|p| {
                        p.handled = true;
                        p.message.clone()
                    });
                    Err(JoinError::Panicked(message.unwrap_or_default()))
                }
                _ => Err(JoinError::Cancelled(
                    st.cancel_causes.get(&task).copied().unwrap_or(CancelCause::Aborted),
                )),
            };
            drop(guard);
            // The cell holds neither future nor output now: dropping it runs no user code.
            drop(cell);
            return Poll::Ready(result);
        }
        slot.joined = true;
        if let Some(waiter) = st.current {
            st.join_waits.insert(waiter, task);
        }
        let old = match st.join_wakers.get(&task) {
            Some(w) if w.will_wake(cx.waker()) => None,
            _ => st.join_wakers.insert(task, cx.waker().clone()),
        };
        drop(guard);
        drop(old);
        Poll::Pending
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let (Some(task), Some(core)) = (self.task, self.core.upgrade()) else {
            return;
        };
        let Ok(mut guard) = core.state.try_borrow_mut() else {
            return;
        };
        let st = &mut *guard;
        let slot = &mut st.tasks[task.index()];
        slot.detached = true;
        let cell = if slot.state.is_finished() {
            slot.cell.take()
        } else {
            None
        };
        let waker = if std::mem::take(&mut slot.joined) {
            st.join_wakers.remove(&task)
        } else {
            None
        };
        drop(guard);
        drop(cell);
        drop(waker);
    }
}
