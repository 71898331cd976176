//! Virtual time.
//!
//! The clock is a number of nanoseconds since the simulation started. It never
//! reads the wall clock and never moves by itself. It moves in two ways: when
//! nothing is runnable, the executor jumps it to the earliest timer deadline
//! (`ClockAdvanced`); and CPU-bound [`crate::work`] on the executor moves it
//! forward inside a poll by the work's length (`Worked`), nothing else running
//! meanwhile. So a program that sleeps for a day finishes in microseconds, and
//! a run is a pure function of its seed.

use std::time::Duration;

/// A poll longer than this (8 ms of virtual time) blocked the executor
/// (see [`crate::work`]).
pub const LONG_POLL: Duration = Duration::from_millis(8);

/// The simulation's virtual clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Clock {
    now_ns: u64,
}

impl Clock {
    /// Nanoseconds since the start.
    pub(crate) fn now_ns(&self) -> u64 {
        self.now_ns
    }

    /// The same, as a `Duration`.
    pub(crate) fn now(&self) -> Duration {
        Duration::from_nanos(self.now_ns)
    }

    /// Moves the clock forward to `to_ns`. Time never goes back.
    pub(crate) fn advance_to(&mut self, to_ns: u64) {
        assert!(
            to_ns >= self.now_ns,
            "virtual time must not go back: {} -> {to_ns}",
            self.now_ns
        );
        self.now_ns = to_ns;
    }
}

/// A `Duration` as whole nanoseconds, saturating at `u64::MAX` (about 584 years).
pub(crate) fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
