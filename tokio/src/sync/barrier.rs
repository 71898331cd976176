//! `Barrier`: `n` tasks wait until all `n` have arrived.
//!
//! Built from the library's `Notify` (a `barrier` resource of the trace).
//! Arrivals are counted per generation; the `n`-th arrival is the leader:
//! it starts the next generation and wakes the others, who wait until the
//! generation they arrived in is over.

use std::cell::Cell;
use std::fmt;

/// The name of a barrier's notification in the trace.
const NAME: &str = "barrier";

/// A barrier for `n` tasks, reusable generation after generation.
pub struct Barrier {
    /// Tasks per generation (at least 1).
    n: usize,
    /// Tasks arrived in the current generation.
    arrived: Cell<usize>,
    /// The current generation.
    generation: Cell<u64>,
    /// Wakes the waiting tasks when a generation is complete.
    complete: wakescope::sync::Notify,
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .field("arrived", &self.arrived.get())
            .finish()
    }
}

/// What [`Barrier::wait`] returns: whether this task was the leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// True for exactly one task per generation: the last to arrive.
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// A barrier for `n` tasks (0 counts as 1, as in tokio).
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n: n.max(1),
            arrived: Cell::new(0),
            generation: Cell::new(0),
            complete: wakescope::sync::Notify::new(NAME),
        }
    }

    /// Waits until `n` tasks have called `wait` in this generation.
    pub async fn wait(&self) -> BarrierWaitResult {
        let generation = self.generation.get();
        let arrived = self.arrived.get() + 1;
        assert!(arrived <= self.n, "Barrier: more arrivals than tasks in one generation");
        if arrived == self.n {
            self.arrived.set(0);
            self.generation.set(generation + 1);
            self.complete.notify_waiters();
            return BarrierWaitResult(true);
        }
        self.arrived.set(arrived);
        while self.generation.get() == generation {
            self.complete.notified().await;
        }
        BarrierWaitResult(false)
    }
}
