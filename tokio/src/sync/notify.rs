//! `Notify`: the library's notification point (a `notify` resource of the trace).

use std::fmt;

pub use wakescope::sync::Notified;

/// The name of a `Notify` in the trace.
const NAME: &str = "notify";

/// Wakes one waiting task, or every task waiting now. `notify_one` with no
/// task waiting stores a permit for the next `notified().await`.
pub struct Notify {
    /// The library's notification point.
    inner: wakescope::sync::Notify,
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify").finish_non_exhaustive()
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl Notify {
    /// A notification point with no permit stored.
    pub fn new() -> Notify {
        Notify {
            inner: wakescope::sync::Notify::new(NAME),
        }
    }

    /// Waits for a notification.
    #[track_caller]
    pub fn notified(&self) -> Notified<'_> {
        self.inner.notified()
    }

    /// Wakes the longest-waiting task, or stores a permit if none waits.
    #[track_caller]
    pub fn notify_one(&self) {
        self.inner.notify_one();
    }

    /// Wakes every task waiting now; stores no permit.
    #[track_caller]
    pub fn notify_waiters(&self) {
        self.inner.notify_waiters();
    }
}
