//! `Instant`: a point on the simulation's virtual clock.

use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A point of virtual time, measured from the start of the run.
///
/// Unlike `std::time::Instant` it never reads the wall clock: two runs of
/// the same seed see the same instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Virtual time since the run started.
    since_start: Duration,
}

impl Instant {
    /// The current virtual time.
    ///
    /// # Panics
    /// Outside a simulation.
    pub fn now() -> Instant {
        Instant {
            since_start: wakescope::now(),
        }
    }

    /// The virtual time since the start of the run (not in tokio).
    pub fn since_start(self) -> Duration {
        self.since_start
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time from `earlier` to `self`, `None` if `earlier` is later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.since_start.checked_sub(earlier.since_start)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.since_start.saturating_sub(earlier.since_start)
    }

    /// Virtual time passed since `self`.
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, `None` on overflow.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.since_start
            .checked_add(duration)
            .map(|since_start| Instant { since_start })
    }

    /// `self - duration`, `None` before the start of the run.
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.since_start
            .checked_sub(duration)
            .map(|since_start| Instant { since_start })
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, rhs: Duration) -> Instant {
        self.checked_add(rhs)
            .expect("overflow when adding a duration to an instant")
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    fn sub(self, rhs: Duration) -> Instant {
        self.checked_sub(rhs).expect("an instant before the start of the run")
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}
