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
use std::panic::Location;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use crate::core::{Core, Joined};
use crate::task::TaskId;
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
    /// Spawns `future` on `core` and returns its handle (one that resolves
    /// to [`JoinError::NotSpawned`] if the task limit was reached).
    pub(crate) fn spawn<F>(core: &Rc<Core>, name: &str, future: F, at: &'static Location<'static>) -> JoinHandle<T>
    where
        F: Future<Output = T> + 'static,
    {
        JoinHandle {
            core: Rc::downgrade(core),
            task: core.spawn(name, future, at),
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
    #[track_caller]
    pub fn abort(&self) {
        self.abort_handle().abort();
    }

    /// True once the task completed, was cancelled or panicked.
    pub fn is_finished(&self) -> bool {
        self.abort_handle().is_finished()
    }

    /// A handle that can abort the task (and ask whether it finished)
    /// without owning its output; it may outlive this handle.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// let slow = sim.spawn("slow", async { wakescope::sleep(Duration::from_secs(60)).await });
    /// let abort = slow.abort_handle();
    /// drop(slow);
    /// abort.abort();
    /// assert!(sim.run().is_completed());
    /// assert!(abort.is_finished());
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            core: self.core.clone(),
            task: self.task,
        }
    }
}

/// Aborts a task without owning its output: see [`JoinHandle::abort_handle`].
#[derive(Clone)]
pub struct AbortHandle {
    /// The simulation the task runs in (weak: handles never keep it alive).
    core: Weak<Core>,
    /// `None` when the spawn was refused.
    task: Option<TaskId>,
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle").field("task", &self.task).finish()
    }
}

impl AbortHandle {
    /// The task's id, or `None` if the spawn hit the task limit.
    pub fn id(&self) -> Option<TaskId> {
        self.task
    }

    /// Cancels the task, as [`JoinHandle::abort`] does.
    #[track_caller]
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
        core.is_finished(task)
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(task) = self.task else {
            return Poll::Ready(Err(JoinError::NotSpawned));
        };
        let Some(core) = self.core.upgrade() else {
            return Poll::Ready(Err(JoinError::Gone));
        };
        match core.poll_join(task, cx.waker()) {
            Joined::Pending => {
                core.waits_at(Location::caller());
                Poll::Pending
            }
            Joined::Gone => Poll::Ready(Err(JoinError::Gone)),
            Joined::Panicked(message) => Poll::Ready(Err(JoinError::Panicked(message))),
            Joined::Cancelled(cause) => Poll::Ready(Err(JoinError::Cancelled(cause))),
            Joined::Output(mut cell) => {
                let output = cell
                    .output()
                    .downcast_mut::<Option<T>>()
                    .expect("a JoinHandle<T> belongs to a task whose output is T")
                    .take();
                // The cell holds neither future nor output now: dropping it runs no user code.
                drop(cell);
                Poll::Ready(output.ok_or(JoinError::Gone))
            }
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let (Some(task), Some(core)) = (self.task, self.core.upgrade()) else {
            return;
        };
        core.detach(task);
    }
}
