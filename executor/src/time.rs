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
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::clock::duration_ns;
use crate::config::TIMERS_MAX_CAP;
use crate::context::{try_with_core, with_core};
use crate::core::Core;
use crate::outcome::Limit;
use crate::timer::{Target, TimerId};
use crate::trace::{DropCause, Event, FaultKind};

/// Virtual time since the simulation started.
///
/// # Panics
/// Outside a simulation.
pub fn now() -> Duration {
    with_core("now", |core| core.state.borrow().clock.now())
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
    match try_with_core(|core| core.state.borrow().clock.now_ns()) {
        Some(now_ns) => Sleep::at(now_ns.saturating_add(after_ns)),
        None => Sleep {
            deadline_ns: after_ns,
            relative: true,
            timer: NO_TIMER,
            core: Weak::new(),
        },
    }
}

/// Waits until the virtual clock reads `deadline` (time since the start).
pub fn sleep_until(deadline: Duration) -> Sleep {
    Sleep::at(duration_ns(deadline))
}

/// `Sleep::timer` before the timer is armed.
const NO_TIMER: TimerId = TimerId(u32::MAX);

/// The future returned by [`sleep`] and [`sleep_until`]. 24 bytes.
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    /// The deadline in virtual nanoseconds, or, while `relative`, the
    /// duration to add to the clock at the first poll.
    deadline_ns: u64,
    /// Created outside a simulation: the deadline is resolved at the first poll.
    relative: bool,
    /// The armed timer, or `NO_TIMER`.
    timer: TimerId,
    /// The simulation the timer is armed in (dangling until then).
    core: Weak<Core>,
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline())
            .field("timer", &self.armed())
            .finish()
    }
}

impl Sleep {
    fn at(deadline_ns: u64) -> Sleep {
        Sleep {
            deadline_ns,
            relative: false,
            timer: NO_TIMER,
            core: Weak::new(),
        }
    }

    fn armed(&self) -> Option<TimerId> {
        (self.timer != NO_TIMER).then_some(self.timer)
    }

    /// The deadline in virtual time, once known.
    pub fn deadline(&self) -> Option<Duration> {
        (!self.relative).then(|| Duration::from_nanos(self.deadline_ns))
    }

    fn poll_in(&mut self, core: &Rc<Core>, cx: &mut Context<'_>) -> Poll<()> {
        let mut guard = core.state.borrow_mut();
        let st = &mut *guard;
        let now_ns = st.clock.now_ns();
        if self.relative {
            self.deadline_ns = now_ns.saturating_add(self.deadline_ns);
            self.relative = false;
        }
        let deadline_ns = self.deadline_ns;
        let current = st.current;
        let target = || match st.wakers.task_of(cx.waker(), current) {
            Some(task) => Target::Task(task),
            None => Target::Waker(cx.waker().clone()),
        };
        if now_ns >= deadline_ns {
            // Normally the timer already fired. It can still be armed if the
            // clock moved past it inside a poll; then it fires here.
            if let Some(id) = self.armed() {
                self.timer = NO_TIMER;
                if let Some(old) = st.timers.cancel(id, deadline_ns) {
                    if st.config.record_trace {
                        st.trace.push(Event::TimerFired { timer: id });
                    }
                    drop(guard);
                    drop(old);
                }
            }
            return Poll::Ready(());
        }
        if let Some(id) = self.armed() {
            let target = target();
            let old = st.timers.retarget(id, deadline_ns, target);
            drop(guard);
            drop(old);
            return Poll::Pending;
        }
        let timers_max = st.config.limits.timers_max.min(TIMERS_MAX_CAP);
        if st.timers.created() >= timers_max {
            // Never fires; the run ends with the limit at the next step.
            st.limit_hit.get_or_insert(Limit::Timers(timers_max));
            return Poll::Pending;
        }
        let target = target();
        let jitter_ns = duration_ns(st.config.faults.timer_jitter_max);
        let deadline_ns = if jitter_ns > 0 {
            // The timer fires up to `jitter_ns` late; the sleep waits for it.
            let late = st.fault_rng.next_u64() % (jitter_ns.saturating_add(1).max(1));
            if st.config.record_trace && late > 0 {
                let task = st.current;
                st.trace.push(Event::Fault {
                    task,
                    fault: FaultKind::TimerJitter,
                });
            }
            self.deadline_ns = deadline_ns.saturating_add(late);
            self.deadline_ns
        } else {
            deadline_ns
        };
        let id = st.timers.arm(deadline_ns, target);
        if st.config.record_trace {
            let owner = st.current;
            st.trace.record_timer(id, owner, deadline_ns);
        }
        st.ended = false;
        self.timer = id;
        self.core = Rc::downgrade(core);
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // An armed sleep answers to the simulation that armed it.
        let core = if this.timer != NO_TIMER {
            this.core.upgrade()
        } else {
            try_with_core(Rc::clone)
        };
        match core {
            Some(core) => this.poll_in(&core, cx),
            None => panic!(
                "wakescope::sleep() was polled outside a simulation; await it in a task \
                 running on a wakescope::Sim"
            ),
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        let Some(id) = self.armed() else { return };
        let Some(core) = self.core.upgrade() else { return };
        let Ok(mut st) = core.state.try_borrow_mut() else {
            return;
        };
        if let Some(old) = st.timers.cancel(id, self.deadline_ns) {
            if st.config.record_trace {
                st.trace.push(Event::TimerCancelled { timer: id });
            }
            drop(st);
            drop(old);
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

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // `self`, only dropped in place (assigning `None`), and `Timeout` has
        // no `Drop` impl. `sleep` is `Unpin` and is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if let Some(future) = this.future.as_mut() {
            let future = unsafe { Pin::new_unchecked(future) };
            if let Poll::Ready(v) = future.poll(cx) {
                this.future = None;
                return Poll::Ready(Ok(v));
            }
        }
        match Pin::new(&mut this.sleep).poll(cx) {
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

/// Records that the current task dropped an unfinished future.
pub(crate) fn record_drop(cause: DropCause) {
    try_with_core(|core| {
        let mut st = core.state.borrow_mut();
        if let (Some(task), true) = (st.current, st.config.record_trace) {
            st.trace.push(Event::FutureDropped { task, cause });
        }
    });
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

/// The future returned by [`select`].
#[must_use = "futures do nothing unless awaited"]
pub struct Select<A, B> {
    a: Option<A>,
    b: Option<B>,
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `a` and `b` are structurally pinned: never moved, only
        // dropped in place by assigning `None`; `Select` has no `Drop` impl.
        let this = unsafe { self.get_unchecked_mut() };
        let b_first = try_with_core(|core| core.state.borrow_mut().select_rng.below(2) == 1).unwrap_or(false);
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
        Poll::Pending
    }
}
