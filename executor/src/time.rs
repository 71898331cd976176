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
use crate::timer::TimerId;
use crate::trace::Event;

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
    let deadline = match try_with_core(|core| core.state.borrow().clock.now_ns()) {
        Some(now_ns) => Deadline::At(now_ns.saturating_add(after_ns)),
        None => Deadline::After(after_ns),
    };
    Sleep { deadline, timer: None }
}

/// Waits until the virtual clock reads `deadline` (time since the start).
pub fn sleep_until(deadline: Duration) -> Sleep {
    Sleep { deadline: Deadline::At(duration_ns(deadline)), timer: None }
}

#[derive(Clone, Copy, Debug)]
enum Deadline {
    /// Resolved: fire at this virtual time.
    At(u64),
    /// Created outside a simulation: fire this long after the first poll.
    After(u64),
}

/// The future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Deadline,
    /// The armed timer and the simulation it belongs to.
    timer: Option<(TimerId, Weak<Core>)>,
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline).field("timer", &self.timer.as_ref().map(|t| t.0)).finish()
    }
}

impl Sleep {
    /// The deadline in virtual time, once known.
    pub fn deadline(&self) -> Option<Duration> {
        match self.deadline {
            Deadline::At(ns) => Some(Duration::from_nanos(ns)),
            Deadline::After(_) => None,
        }
    }

    fn poll_in(&mut self, core: &Rc<Core>, cx: &mut Context<'_>) -> Poll<()> {
        let mut guard = core.state.borrow_mut();
        let st = &mut *guard;
        let now_ns = st.clock.now_ns();
        let deadline_ns = match self.deadline {
            Deadline::At(ns) => ns,
            Deadline::After(after) => {
                let ns = now_ns.saturating_add(after);
                self.deadline = Deadline::At(ns);
                ns
            }
        };
        if now_ns >= deadline_ns {
            // Normally the timer already fired. It can still be armed if the
            // clock moved past it inside a poll; then it fires here.
            if let Some((id, _)) = self.timer.take() {
                if let Some(waker) = st.timers.cancel(id, deadline_ns) {
                    if st.config.record_trace {
                        st.trace.push(Event::TimerFired { timer: id });
                    }
                    drop(guard);
                    drop(waker);
                }
            }
            return Poll::Ready(());
        }
        match &self.timer {
            Some((id, _)) => {
                let old = st.timers.update_waker(*id, deadline_ns, cx.waker());
                drop(guard);
                drop(old);
            }
            None => {
                let timers_max = st.config.limits.timers_max.min(TIMERS_MAX_CAP);
                if st.timers.created() >= timers_max {
                    // Never fires; the run ends with the limit at the next step.
                    st.limit_hit.get_or_insert(Limit::Timers(timers_max));
                    return Poll::Pending;
                }
                let id = st.timers.arm(deadline_ns, cx.waker().clone());
                if st.config.record_trace {
                    let owner = st.current;
                    st.trace.record_timer(id, owner, deadline_ns);
                }
                st.ended = false;
                self.timer = Some((id, Rc::downgrade(core)));
            }
        }
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // An armed sleep answers to the simulation that armed it.
        let core = match &this.timer {
            Some((_, weak)) => weak.upgrade(),
            None => try_with_core(Rc::clone),
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
        let (Some((id, weak)), Deadline::At(deadline_ns)) = (self.timer.take(), self.deadline) else { return };
        let Some(core) = weak.upgrade() else { return };
        let Ok(mut st) = core.state.try_borrow_mut() else { return };
        if let Some(waker) = st.timers.cancel(id, deadline_ns) {
            if st.config.record_trace {
                st.trace.push(Event::TimerCancelled { timer: id });
            }
            drop(st);
            drop(waker);
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
    Timeout { future, sleep: sleep(duration) }
}

/// The future returned by [`timeout`].
#[must_use = "futures do nothing unless awaited"]
pub struct Timeout<F> {
    future: F,
    sleep: Sleep,
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // `self`, and `Timeout` has no `Drop` impl or `Unpin` impl that could
        // move it. `sleep` is `Unpin` and is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(v) = future.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        Pin::new(&mut this.sleep).poll(cx).map(|()| Err(Elapsed))
    }
}
