//! Time as tasks see it: `now`, `sleep`, `sleep_until`, `timeout`.
//!
//! These read and arm the simulation's virtual clock (see `clock.rs` and the
//! timer driver in `timer.rs`). Sleeping costs no real time: when every task
//! waits, the executor jumps the clock straight to the next deadline.
//!
//! A [`Sleep`] arms its timer on its first poll and cancels it when dropped
//! early, so a `timeout` that wins the race leaves no timer behind — and the
//! trace shows `TimerCancelled`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::clock::duration_ns;
use crate::context::{pending_at, try_with_core, with_core};
use crate::core::{Core, SleepEntry};
use crate::trace::DropCause;

/// Virtual time since the simulation started.
///
/// # Panics
/// Outside a simulation.
pub fn now() -> Duration {
    with_core("now", |core| core.now())
}

/// Waits until `duration` of virtual time has passed (counted from this call
/// when made inside a simulation, else from the first poll).
///
/// ```
/// use std::time::Duration;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// sim.spawn("popcorn", async { wakescope::sleep(Duration::from_secs(3)).await });
/// sim.run();
/// assert_eq!(sim.now(), Duration::from_secs(3));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let after_ns = duration_ns(duration);
    let entry = match try_with_core(|core| core.now_ns()) {
        Some(now_ns) => SleepEntry::at(now_ns.saturating_add(after_ns)),
        None => SleepEntry::after(after_ns),
    };
    Sleep {
        entry,
        core: Weak::new(),
    }
}

/// Waits until the virtual clock reads `deadline` (time since the start).
pub fn sleep_until(deadline: Duration) -> Sleep {
    Sleep::at(duration_ns(deadline))
}

/// The future returned by [`sleep`] and [`sleep_until`]. 24 bytes.
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    /// Deadline and timer.
    entry: SleepEntry,
    /// The simulation the timer is armed in (dangling until then).
    core: Weak<Core>,
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline())
            .field("timer", &self.entry.armed())
            .finish()
    }
}

impl Sleep {
    fn at(deadline_ns: u64) -> Sleep {
        Sleep {
            entry: SleepEntry::at(deadline_ns),
            core: Weak::new(),
        }
    }

    /// The deadline in virtual time, once known.
    pub fn deadline(&self) -> Option<Duration> {
        self.entry.deadline()
    }
}

impl Sleep {
    /// Polls the sleep for the `.await` at `at`; with `wait`, a pending poll
    /// also says the task waits there (a timeout whose inner future said
    /// where it waits leaves that alone).
    fn poll_at(&mut self, cx: &mut Context<'_>, at: &'static Location<'static>, wait: bool) -> Poll<()> {
        // An armed sleep answers to the simulation that armed it.
        let core = if self.entry.armed().is_some() {
            self.core.upgrade()
        } else {
            try_with_core(Rc::clone)
        };
        match core {
            Some(core) => {
                let poll = core.poll_sleep(&mut self.entry, cx.waker(), at, wait);
                if self.entry.armed().is_some() {
                    self.core = Rc::downgrade(&core);
                }
                poll
            }
            None => panic!(
                "wakescope::sleep() was polled outside a simulation; await it in a task \
                 running on a wakescope::Sim"
            ),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().poll_at(cx, Location::caller(), true)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(core) = self.core.upgrade() {
            core.cancel_sleep(&self.entry);
        }
    }
}

/// The error of a [`timeout`] whose time ran out first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `future` with a time limit: `Ok(output)` if it finishes within
/// `duration` of virtual time, `Err(Elapsed)` otherwise. The inner future is
/// polled first, so one that is ready at the deadline still wins.
///
/// ```
/// use std::time::Duration;
/// use wakescope::{sleep, timeout};
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let r = sim.block_on(timeout(Duration::from_secs(1), sleep(Duration::from_secs(5))));
/// assert!(r.unwrap().is_err());
/// assert_eq!(sim.now(), Duration::from_secs(1));
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future: Some(future),
        sleep: sleep(duration),
    }
}

/// The future returned by [`timeout`].
#[must_use = "futures do nothing unless awaited"]
pub struct Timeout<F> {
    /// `None` once it finished or was dropped for running out of time.
    future: Option<F>,
    sleep: Sleep,
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // `self`, only dropped in place (assigning `None`), and `Timeout` has
        // no `Drop` impl. `sleep` is `Unpin` and is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let at = Location::caller();
        let mark = wait_mark();
        if let Some(future) = this.future.as_mut() {
            let future = unsafe { Pin::new_unchecked(future) };
            if let Poll::Ready(v) = future.poll(cx) {
                this.future = None;
                return Poll::Ready(Ok(v));
            }
        }
        // Where the task waits is the inner future's innermost `.await`, if
        // it said; else this timeout's.
        match this.sleep.poll_at(cx, at, wait_mark() == mark) {
            Poll::Ready(()) => {
                // Time is up: the inner future is cancelled now, and the trace shows it.
                if this.future.is_some() {
                    record_drop(DropCause::Timeout);
                    this.future = None;
                }
                Poll::Ready(Err(Elapsed))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Library futures that said where the task waits, in this poll so far.
fn wait_mark() -> u32 {
    try_with_core(|core| core.wait_mark()).unwrap_or(0)
}

/// Records that the current task dropped an unfinished future.
pub(crate) fn record_drop(cause: DropCause) {
    try_with_core(|core| core.record_future_dropped(cause));
}

/// Which branch of a [`select`] finished first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first future's output.
    Left(A),
    /// The second future's output.
    Right(B),
}

/// Runs two futures until one finishes, then drops the other (recorded as
/// `FutureDropped { cause: Select }`). Which one is polled first each time is
/// drawn, like tokio's `select!`, from a seeded stream of its own, so ties go
/// either way depending on the seed — and not on how many numbers user code
/// drew from [`crate::rng`].
///
/// ```
/// use std::time::Duration;
/// use wakescope::{select, sleep, Either};
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let r = sim.block_on(async {
///     select(sleep(Duration::from_secs(1)), async { sleep(Duration::from_secs(2)).await; "slow" }).await
/// });
/// assert_eq!(r.unwrap(), Either::Left(()));
/// ```
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select { a: Some(a), b: Some(b) }
}

/// Which of `branches` branches a select of more than two (such as the
/// `wakescope-tokio` facade's `select!`) polls first this time: drawn from
/// the same seeded stream as [`select`]'s order, `0` outside a simulation.
///
/// # Panics
/// When `branches` is 0.
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let first = sim.block_on(async { wakescope::select_first(3) }).unwrap();
/// assert!(first < 3);
/// ```
pub fn select_first(branches: u32) -> u32 {
    assert!(
        branches > 0,
        "wakescope::select_first(0): a select needs at least one branch"
    );
    try_with_core(|core| core.select_first(branches)).unwrap_or(0)
}

/// The future returned by [`select`].
#[must_use = "futures do nothing unless awaited"]
pub struct Select<A, B> {
    a: Option<A>,
    b: Option<B>,
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `a` and `b` are structurally pinned: never moved, only
        // dropped in place by assigning `None`; `Select` has no `Drop` impl.
        let this = unsafe { self.get_unchecked_mut() };
        let mark = wait_mark();
        let b_first = try_with_core(|core| core.select_b_first()).unwrap_or(false);
        for turn in 0..2 {
            if (turn == 0) != b_first {
                if let Some(a) = this.a.as_mut()
                    && let Poll::Ready(v) = unsafe { Pin::new_unchecked(a) }.poll(cx)
                {
                    this.a = None;
                    if this.b.is_some() {
                        record_drop(DropCause::Select);
                        this.b = None;
                    }
                    return Poll::Ready(Either::Left(v));
                }
            } else if let Some(b) = this.b.as_mut()
                && let Poll::Ready(v) = unsafe { Pin::new_unchecked(b) }.poll(cx)
            {
                this.b = None;
                if this.a.is_some() {
                    record_drop(DropCause::Select);
                    this.a = None;
                }
                return Poll::Ready(Either::Right(v));
            }
        }
        if wait_mark() == mark {
            // Neither branch said where it waits: the select's `.await` does.
            return pending_at(Location::caller());
        }
        Poll::Pending
    }
}
