//! [`ReadOnly`]: a signal the panels may read and only its owner may write.
//!
//! Each controller keeps its state in `RwSignal`s and hands out only this
//! read side, so every change goes through the controller's methods. Leptos's
//! own split (`signal()`, a `ReadSignal` and a `WriteSignal`) would do the
//! same, but it compiles the signal machinery twice for every value type:
//! about 1.8 KiB of the bundle's gzipped size for the session's fourteen
//! signals, against a budget with little to spare (`app/README.md`).

use leptos::prelude::*;

/// The read side of an `RwSignal`: `Copy`, tracked like the signal.
pub struct ReadOnly<T: 'static>(RwSignal<T>);

impl<T: 'static> Clone for ReadOnly<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for ReadOnly<T> {}

impl<T: Send + Sync + 'static> ReadOnly<T> {
    /// The read side of `signal`.
    pub fn of(signal: RwSignal<T>) -> ReadOnly<T> {
        ReadOnly(signal)
    }

    /// The value, tracked (a reactive closure reading it re-runs on change).
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.0.get()
    }

    /// The value, untracked.
    pub fn get_untracked(&self) -> T
    where
        T: Clone,
    {
        self.0.get_untracked()
    }

    /// `f` of the value, tracked.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.0.with(f)
    }

    /// Subscribes the running reactive closure to changes, without reading.
    pub fn track(&self) {
        self.0.track();
    }

    /// `f` of the value, untracked.
    pub fn with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.0.with_untracked(f)
    }
}
