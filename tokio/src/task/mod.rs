//! Tasks: `spawn`, join handles, `JoinSet`, `yield_now`, `spawn_blocking`.
//!
//! A task is a Wakescope task named `task` (or `blocking` for
//! `spawn_blocking`), so it appears in the trace like any other. A
//! [`JoinHandle`] resolves to the task's output or to a [`JoinError`] saying
//! it was aborted or panicked; dropping it detaches the task, as in tokio.

mod join_set;
mod local;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

pub use join_set::JoinSet;
pub use local::LocalSet;
pub use wakescope::JoinError;

/// The virtual CPU time a [`spawn_blocking`] closure is charged: none, as
/// under tokio's paused clock, where a blocking task does not move time.
/// [`spawn_blocking_for`] charges a chosen duration instead.
pub const BLOCKING_WORK_DEFAULT: Duration = Duration::ZERO;

/// The name every task spawned through this crate carries in the trace.
const TASK_NAME: &str = "task";
/// The name of a `spawn_blocking` task in the trace.
const BLOCKING_NAME: &str = "blocking";

/// Spawns `future` as a new task of the current simulation.
///
/// Unlike tokio, the future need not be `Send`.
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    JoinHandle {
        inner: wakescope::spawn(TASK_NAME, future),
    }
}

/// Spawns a `!Send` future: the same as [`spawn`], since every task of a
/// simulation runs on its one thread.
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    spawn(future)
}

/// Runs `f` on the simulated worker pool as CPU work of
/// [`BLOCKING_WORK_DEFAULT`] (see [`wakescope::work`]), then resolves to its
/// result.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + 'static,
    R: 'static,
{
    spawn_blocking_for(BLOCKING_WORK_DEFAULT, f)
}

/// Like [`spawn_blocking`], charging `cost` of virtual CPU time: with one
/// worker (`Config::workers`, the default) it holds the executor that long,
/// with more it holds one pool worker. Not in tokio.
#[track_caller]
pub fn spawn_blocking_for<F, R>(cost: Duration, f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + 'static,
    R: 'static,
{
    JoinHandle {
        inner: wakescope::spawn(BLOCKING_NAME, async move {
            wakescope::work(cost).await;
            f()
        }),
    }
}

/// A task's id: the simulation's own (`#n` in the trace), unique within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(wakescope::TaskId);

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// The id of the task being polled.
///
/// # Panics
/// Outside a task.
pub fn id() -> Id {
    try_id().expect("tokio::task::id() called outside a task")
}

/// The id of the task being polled, `None` outside a task.
pub fn try_id() -> Option<Id> {
    wakescope::current_task().map(Id)
}

/// Gives the other ready tasks a turn before this one goes on.
pub async fn yield_now() {
    wakescope::yield_now().await
}

/// An owned permission to await, abort or detach a task.
#[must_use = "dropping a JoinHandle detaches the task"]
#[derive(Debug)]
pub struct JoinHandle<T> {
    /// The library's handle, which this one forwards to.
    inner: wakescope::JoinHandle<T>,
}

impl<T> JoinHandle<T> {
    /// Wraps the library's handle.
    pub(crate) fn from_inner(inner: wakescope::JoinHandle<T>) -> JoinHandle<T> {
        JoinHandle { inner }
    }

    /// Cancels the task; awaiting the handle then gives a cancelled [`JoinError`].
    #[track_caller]
    pub fn abort(&self) {
        self.inner.abort();
    }

    /// True once the task completed, was aborted or panicked.
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// The task's id.
    ///
    /// # Panics
    /// When the spawn was refused because the run's task limit was reached
    /// (awaiting the handle then gives a `JoinError`).
    pub fn id(&self) -> Id {
        Id(self
            .inner
            .id()
            .expect("the spawn hit the run's task limit: the task has no id"))
    }

    /// A handle that can abort the task without owning its output.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            inner: self.inner.abort_handle(),
        }
    }
}

impl<T: 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.inner).poll(cx)
    }
}

/// Aborts a task without owning its output (from [`JoinHandle::abort_handle`]
/// or [`JoinSet::spawn`]).
#[derive(Clone, Debug)]
pub struct AbortHandle {
    /// The library's handle, which this one forwards to.
    inner: wakescope::AbortHandle,
}

impl AbortHandle {
    /// Cancels the task.
    #[track_caller]
    pub fn abort(&self) {
        self.inner.abort();
    }

    /// True once the task completed, was aborted or panicked.
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }
}
