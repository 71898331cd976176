//! `LocalSet`: in tokio, where `!Send` tasks may run. In a simulation every
//! task may be `!Send`, so the set only keeps tokio code compiling: its
//! tasks are ordinary tasks, and `run_until` simply awaits.

use std::future::Future;

use super::{JoinHandle, spawn};

/// A set for `!Send` tasks: see the module docs.
#[derive(Debug, Default)]
pub struct LocalSet {
    /// Not constructible outside this module.
    _private: (),
}

impl LocalSet {
    /// An empty set.
    pub fn new() -> LocalSet {
        LocalSet::default()
    }

    /// Spawns `future` as a task of the current simulation.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        spawn(future)
    }

    /// Runs `future` (the set's tasks run beside it, as every task does).
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        future.await
    }

    // `block_on(&runtime, future)` is defined beside `Runtime` (runtime.rs).
}
