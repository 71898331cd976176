//! `Interval`: ticks at a fixed period, and what to do about missed ones.
//!
//! The next deadline is kept, not the previous tick: a tick that came late
//! (the task was busy) is made up according to [`MissedTickBehavior`].

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::{Instant, Sleep, sleep_until};

/// How late a tick may fire and still count as on time: within it the
/// schedule is kept whatever the [`MissedTickBehavior`], as tokio does (the
/// conformance suite's `intervals_slightly_late` pins this down).
pub const LATE_TICK_TOLERANCE: Duration = Duration::from_millis(5);

/// What an [`Interval`] does when ticks were missed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks at once, one per call, then keep the schedule.
    #[default]
    Burst,
    /// Start the schedule again from the late tick.
    Delay,
    /// Drop the missed ticks and go on with the schedule's next one.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline after a tick due at `due` that fired at `now`: the next
    /// on the schedule unless the tick was later than [`LATE_TICK_TOLERANCE`].
    fn next(self, due: Instant, now: Instant, period: Duration) -> Instant {
        if now <= due + LATE_TICK_TOLERANCE {
            return due + period;
        }
        match self {
            MissedTickBehavior::Burst => due + period,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let late_ns = now.saturating_duration_since(due).as_nanos();
                let periods = late_ns / period.as_nanos() + 1;
                let periods = u32::try_from(periods).expect("an interval skipped more than u32::MAX periods");
                due + period * periods
            }
        }
    }
}

/// Ticks every `period`, the first tick at once.
///
/// ```
/// use std::time::Duration;
/// use wakescope_tokio as tokio;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let ticks = sim.block_on(async {
///     let start = tokio::time::Instant::now();
///     let mut every = tokio::time::interval(Duration::from_millis(100));
///     let mut ticks = Vec::new();
///     for _ in 0..3 {
///         ticks.push((every.tick().await - start).as_millis());
///     }
///     ticks
/// });
/// assert_eq!(ticks.unwrap(), [0, 100, 200]);
/// ```
///
/// # Panics
/// When `period` is zero.
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
/// When `period` is zero.
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
    Interval {
        sleep: Box::pin(sleep_until(start)),
        period,
        behavior: MissedTickBehavior::default(),
    }
}

/// A stream of ticks: see [`interval`].
#[derive(Debug)]
pub struct Interval {
    /// The timer of the next tick; its deadline is the tick's.
    sleep: Pin<Box<Sleep>>,
    /// Time between ticks.
    period: Duration,
    /// What to do about missed ticks.
    behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was due.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: see [`Interval::tick`].
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let due = self.sleep.deadline();
        let next = self.behavior.next(due, Instant::now(), self.period);
        self.sleep.as_mut().reset(next);
        Poll::Ready(due)
    }

    /// Starts the schedule again: the next tick one period from now.
    pub fn reset(&mut self) {
        let next = Instant::now() + self.period;
        self.sleep.as_mut().reset(next);
    }

    /// The time between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What the interval does about missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.behavior
    }

    /// Sets what the interval does about missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.behavior = behavior;
    }
}
