//! Timers armed by sleeps, CPU work on the executor, and the seeded draws
//! task-side code makes (user RNG, `select`'s order, `buggify`).

use std::any::Any;
use std::panic::Location;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use super::Core;
use crate::clock::duration_ns;
use crate::config::TIMERS_MAX_CAP;
use crate::outcome::Limit;
use crate::seeded::SeededRng;
use crate::timer::{Target, TimerId};
use crate::trace::{DropCause, Event, FaultKind};

/// `SleepEntry::timer` before the timer is armed.
const NO_TIMER: TimerId = TimerId(u32::MAX);

/// A sleep's deadline and timer, as the core sees it (16 bytes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SleepEntry {
    /// The deadline in virtual nanoseconds, or, while `relative`, the
    /// duration to add to the clock at the first poll.
    deadline_ns: u64,
    /// The armed timer, or `NO_TIMER`.
    timer: TimerId,
    /// Created outside a simulation: the deadline is resolved at the first poll.
    relative: bool,
}

impl SleepEntry {
    /// A sleep until `deadline_ns`.
    pub(crate) fn at(deadline_ns: u64) -> SleepEntry {
        SleepEntry {
            deadline_ns,
            timer: NO_TIMER,
            relative: false,
        }
    }

    /// A sleep of `after_ns` from its first poll (made outside a simulation).
    pub(crate) fn after(after_ns: u64) -> SleepEntry {
        SleepEntry {
            deadline_ns: after_ns,
            timer: NO_TIMER,
            relative: true,
        }
    }

    pub(crate) fn armed(&self) -> Option<TimerId> {
        (self.timer != NO_TIMER).then_some(self.timer)
    }

    /// The deadline in virtual time, once known.
    pub(crate) fn deadline(&self) -> Option<Duration> {
        (!self.relative).then(|| Duration::from_nanos(self.deadline_ns))
    }
}

impl Core {
    /// Polls a sleep: ready at its deadline, else its timer is armed (or
    /// retargeted to `waker`'s task). Over the timer limit it never fires and
    /// the run ends with [`Limit::Timers`] at the next step.
    ///
    /// `at` is the `.await` polling it, the location of a timer it arms; with
    /// `wait`, a pending poll says the task waits there.
    pub(crate) fn poll_sleep(
        &self,
        entry: &mut SleepEntry,
        waker: &Waker,
        at: &'static Location<'static>,
        wait: bool,
    ) -> Poll<()> {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let now_ns = st.clock.now_ns();
        if entry.relative {
            entry.deadline_ns = now_ns.saturating_add(entry.deadline_ns);
            entry.relative = false;
        }
        let deadline_ns = entry.deadline_ns;
        let current = st.current;
        let target = |st: &super::State| match st.wakers.task_of(waker, current) {
            Some(task) => Target::Task(task),
            None => Target::Waker(waker.clone()),
        };
        if now_ns >= deadline_ns {
            // Normally the timer already fired. It can still be armed if the
            // clock moved past it inside a poll; then it fires here.
            if let Some(id) = entry.armed() {
                entry.timer = NO_TIMER;
                if let Some(old) = st.timers.cancel(id, deadline_ns) {
                    st.record(Event::TimerFired { timer: id });
                    drop(guard);
                    drop(old);
                }
            }
            return Poll::Ready(());
        }
        let site = st.site(Some(at));
        if wait {
            st.wait_at(site);
        }
        if let Some(id) = entry.armed() {
            let target = target(st);
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
        let target = target(st);
        let jitter_ns = duration_ns(st.config.faults.timer_jitter_max);
        let deadline_ns = if jitter_ns > 0 {
            // The timer fires up to `jitter_ns` late; the sleep waits for it.
            let late = st.fault_rng.next_u64() % (jitter_ns.saturating_add(1).max(1));
            if late > 0 {
                st.record(Event::Fault {
                    task: current,
                    fault: FaultKind::TimerJitter,
                });
            }
            entry.deadline_ns = deadline_ns.saturating_add(late);
            entry.deadline_ns
        } else {
            deadline_ns
        };
        let id = st.timers.arm(deadline_ns, target);
        if st.config.record_trace {
            st.trace.record_timer(id, current, deadline_ns, site);
        }
        st.ended = false;
        entry.timer = id;
        Poll::Pending
    }

    /// Cancels a dropped sleep's timer. Destructors run anywhere: if the
    /// state is busy, the timer stays armed and fires into a dead waker.
    pub(crate) fn cancel_sleep(&self, entry: &SleepEntry) {
        let Some(id) = entry.armed() else { return };
        let Ok(mut st) = self.state.try_borrow_mut() else {
            return;
        };
        if let Some(old) = st.timers.cancel(id, entry.deadline_ns) {
            st.record(Event::TimerCancelled { timer: id });
            drop(st);
            drop(old);
        }
    }

    /// Moves the clock forward inside the current poll: nothing else runs.
    pub(crate) fn block_executor(&self, duration: Duration, at: &'static Location<'static>) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let Some(task) = st.current else {
            panic!("wakescope::work() was polled outside a task's poll; await it inside a task");
        };
        let to_ns = st.clock.now_ns().saturating_add(duration_ns(duration));
        st.clock.advance_to(to_ns);
        let site = st.site(Some(at));
        st.record_at(Event::Worked { task, to_ns }, site);
        if to_ns > duration_ns(st.config.limits.time_max) {
            st.limit_hit
                .get_or_insert(Limit::VirtualTime(st.config.limits.time_max));
        }
    }

    /// The pool of CPU workers, made by `make` on first use.
    pub(crate) fn cpu_pool(&self, make: impl FnOnce(u32) -> Rc<dyn Any>) -> Rc<dyn Any> {
        if let Some(pool) = self.state.borrow().cpu_pool.clone() {
            return pool;
        }
        let workers = self.state.borrow().config.workers;
        let pool = make(workers);
        self.state.borrow_mut().cpu_pool = Some(pool.clone());
        pool
    }

    /// Records that the current task dropped an unfinished future.
    pub(crate) fn record_future_dropped(&self, cause: DropCause) {
        let mut st = self.state.borrow_mut();
        if let Some(task) = st.current {
            st.record(Event::FutureDropped { task, cause });
        }
    }

    /// Whether a `select` polls its second branch first (its own stream).
    pub(crate) fn select_b_first(&self) -> bool {
        self.state.borrow_mut().select_rng.below(2) == 1
    }

    /// Which of `branches` branches a select polls first (its own stream).
    pub(crate) fn select_first(&self, branches: u32) -> u32 {
        self.state.borrow_mut().select_rng.below(branches)
    }

    /// Under the buggify fault: true with its probability, recorded.
    pub(crate) fn buggify(&self) -> bool {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let ppm = st.config.faults.buggify_ppm;
        if !st.fault_hits(ppm) {
            return false;
        }
        let task = st.current;
        st.record(Event::Fault {
            task,
            fault: FaultKind::Buggify,
        });
        true
    }

    /// Draws from the user stream.
    pub(crate) fn with_user_rng<R>(&self, f: impl FnOnce(&mut SeededRng) -> R) -> R {
        f(&mut self.state.borrow_mut().user_rng)
    }
}
