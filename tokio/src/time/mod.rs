//! Time on the simulation's virtual clock: `sleep`, `timeout`, `interval`,
//! `Instant`.
//!
//! Every deadline is a Wakescope timer, so sleeps appear in the trace and
//! the clock jumps to the next deadline when every task waits. [`Instant`]
//! is a point of virtual time (the time since the run started); there is no
//! wall clock to pause or resume, so [`pause`] and [`resume`] do nothing and
//! [`advance`] sleeps.

mod instant;
mod interval;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use instant::Instant;
pub use interval::{Interval, LATE_TICK_TOLERANCE, MissedTickBehavior, interval, interval_at};
pub use std::time::Duration;
pub use wakescope::Timeout;

/// The errors of this module's futures.
pub mod error {
    pub use wakescope::Elapsed;
}

/// Waits until `duration` has passed on the virtual clock.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Waits until the virtual clock reads `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        inner: wakescope::sleep_until(deadline.since_start()),
        deadline,
    }
}

/// Runs `future` for at most `duration`; `Err(Elapsed)` if it did not finish.
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    wakescope::timeout(duration, future)
}

/// Runs `future` until `deadline` at most; `Err(Elapsed)` if it did not finish.
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    wakescope::timeout(deadline.saturating_duration_since(Instant::now()), future)
}

/// Does nothing: the simulation's clock is always paused (virtual).
pub fn pause() {}

/// Does nothing: the simulation's clock never follows the wall clock.
pub fn resume() {}

/// Moves this task `duration` forward in virtual time; the other tasks and
/// timers due meanwhile run as the clock gets there.
pub async fn advance(duration: Duration) {
    wakescope::sleep(duration).await
}

/// The future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Sleep {
    /// The library's timer.
    inner: wakescope::Sleep,
    /// When it fires.
    deadline: Instant,
}

impl Sleep {
    /// When the sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// True once the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Moves the deadline to `deadline` (earlier or later).
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.inner = wakescope::sleep_until(deadline.since_start());
        this.deadline = deadline;
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.inner).poll(cx)
    }
}
