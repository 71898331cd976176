//! `JoinSet`: a set of tasks awaited in the order they finish.
//!
//! The set owns the tasks' handles. `join_next` resolves to the output of a
//! task that has finished (the earliest spawned among those finished when
//! it is polled), and dropping the set aborts every task still in it, as in
//! tokio.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{AbortHandle, JoinError, JoinHandle, spawn};

/// A set of spawned tasks of one output type.
///
/// ```
/// use std::time::Duration;
/// use wakescope_tokio as tokio;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let order = sim.block_on(async {
///     let mut set = tokio::task::JoinSet::new();
///     for n in [3u64, 1, 2] {
///         set.spawn(async move { tokio::time::sleep(Duration::from_secs(n)).await; n });
///     }
///     let mut order = Vec::new();
///     while let Some(done) = set.join_next().await {
///         order.push(done.unwrap());
///     }
///     order
/// });
/// assert_eq!(order.unwrap(), [1, 2, 3]); // in the order they finished
/// ```
#[derive(Debug)]
pub struct JoinSet<T> {
    /// Handles of the tasks not yet joined, in spawn order.
    tasks: Vec<JoinHandle<T>>,
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet { tasks: Vec::new() }
    }

    /// The number of tasks not yet joined.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True when no task is left to join.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Aborts every task in the set; they stay in it until joined.
    pub fn abort_all(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }

    /// Forgets every task without aborting it.
    pub fn detach_all(&mut self) {
        self.tasks.clear();
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns `future` into the set.
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        let handle = spawn(future);
        let abort = handle.abort_handle();
        self.tasks.push(handle);
        abort
    }

    /// Spawns `future` into the set (every task is local to the simulation).
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.spawn(future)
    }

    /// Waits for a task to finish and returns its result; `None` when the
    /// set is empty.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// The result of a task that has already finished, if any.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let i = self.tasks.iter().position(JoinHandle::is_finished)?;
        let mut handle = self.tasks.remove(i);
        match Pin::new(&mut handle).poll(&mut Context::from_waker(std::task::Waker::noop())) {
            Poll::Ready(result) => Some(result),
            Poll::Pending => unreachable!("a finished task's handle is ready"),
        }
    }

    /// Polls for a finished task: see [`JoinSet::join_next`].
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.tasks.is_empty() {
            return Poll::Ready(None);
        }
        for i in 0..self.tasks.len() {
            if let Poll::Ready(result) = Pin::new(&mut self.tasks[i]).poll(cx) {
                let _joined = self.tasks.remove(i);
                return Poll::Ready(Some(result));
            }
        }
        Poll::Pending
    }

    /// Waits for every task and returns their outputs in the order they
    /// finished.
    ///
    /// # Panics
    /// When a task panicked or was aborted, as tokio's does.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.tasks.len());
        while let Some(result) = self.join_next().await {
            match result {
                Ok(value) => outputs.push(value),
                Err(error) => panic!("JoinSet::join_all: {error}"),
            }
        }
        outputs
    }

    /// Aborts every task and waits until each has stopped.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}
