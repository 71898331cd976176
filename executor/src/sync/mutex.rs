//! A mutex whose lock can be held across `.await`, fair or unfair.
//!
//! Fair ([`Mutex::new`]): a release hands the lock straight to the first
//! waiter (recorded as `Lock` for that waiter), so waiters get it in arrival
//! order. Unfair ([`Mutex::unfair`]): a release only wakes the first waiter;
//! whoever calls `lock` first after that takes it — often the task that just
//! released it, which can starve the others.

use std::cell::{RefCell, UnsafeCell};
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::{Registration, Waiters, pending_at};
use crate::trace::{ResourceKind, ResourceOp};

struct State {
    reg: Registration,
    fair: bool,
    locked: bool,
    waiters: Waiters,
}

/// A named async mutex. Share it between tasks with `Rc`.
///
/// ```
/// use std::rc::Rc;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let count = Rc::new(wakescope::sync::Mutex::new("count", 0));
/// for _ in 0..3 {
///     let count = count.clone();
///     let _t = sim.spawn("adder", async move {
///         let mut n = count.lock().await;
///         let read = *n;
///         wakescope::yield_now().await; // still holding the lock
///         *n = read + 1;
///     });
/// }
/// sim.run();
/// assert_eq!(*count.try_lock().unwrap(), 3);
/// ```
pub struct Mutex<T> {
    state: RefCell<State>,
    value: UnsafeCell<T>,
}

impl<T> Mutex<T> {
    /// A fair mutex: the lock passes to waiters in arrival order.
    pub fn new(name: &str, value: T) -> Mutex<T> {
        Mutex::with_fairness(name, value, true)
    }

    /// An unfair mutex: a release wakes the first waiter, but whoever asks
    /// first takes the lock.
    pub fn unfair(name: &str, value: T) -> Mutex<T> {
        Mutex::with_fairness(name, value, false)
    }

    fn with_fairness(name: &str, value: T, fair: bool) -> Mutex<T> {
        let kind = if fair {
            ResourceKind::FairMutex
        } else {
            ResourceKind::UnfairMutex
        };
        Mutex {
            state: RefCell::new(State {
                reg: Registration::new(kind, name, 1),
                fair,
                locked: false,
                waiters: Waiters::default(),
            }),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits for the lock.
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            ticket: None,
        }
    }

    /// Takes the lock if it is free and nobody waits for it.
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        let mut st = self.state.borrow_mut();
        if st.locked || !st.waiters.is_empty() {
            return None;
        }
        st.locked = true;
        st.reg.record(ResourceOp::Lock, Some(Location::caller()));
        Some(MutexGuard { mutex: self })
    }

    /// Tasks waiting for the lock.
    pub fn waiters(&self) -> usize {
        self.state.borrow().waiters.len()
    }

    fn unlock(&self) {
        let waker = {
            let mut guard = self.state.borrow_mut();
            let st = &mut *guard;
            st.reg.record(ResourceOp::Unlock, None);
            match st.waiters.first_waiting() {
                Some(w) if st.fair => {
                    // Hand over: the lock stays taken, now on the waiter's behalf.
                    w.granted = true;
                    let to = w.task;
                    let waker = w.waker.clone();
                    st.reg.hand_over(ResourceOp::Lock, to);
                    Some(waker)
                }
                Some(w) => {
                    st.locked = false;
                    Some(w.waker.clone())
                }
                None => {
                    st.locked = false;
                    None
                }
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The future returned by [`Mutex::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T> {
    mutex: &'a Mutex<T>,
    ticket: Option<u64>,
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.get_mut();
        let mut st = this.mutex.state.borrow_mut();
        if let Some(t) = this.ticket
            && st.waiters.is_granted(t)
        {
            st.waiters.remove(t);
            this.ticket = None;
            return Poll::Ready(MutexGuard { mutex: this.mutex });
        }
        // Fair: only the first in line may take a free lock. Unfair: anyone.
        let may_take =
            !st.locked && (!st.fair || this.ticket.map_or(st.waiters.is_empty(), |t| st.waiters.is_first(t)));
        if may_take {
            if let Some(t) = this.ticket.take() {
                st.waiters.remove(t);
            }
            st.locked = true;
            st.reg.record(ResourceOp::Lock, Some(Location::caller()));
            return Poll::Ready(MutexGuard { mutex: this.mutex });
        }
        match this.ticket {
            Some(t) => {
                st.waiters.update(t, cx.waker());
            }
            None => {
                this.ticket = Some(st.waiters.push(cx.waker()));
                st.reg.record(ResourceOp::BlockedOnLock, Some(Location::caller()));
            }
        }
        pending_at(Location::caller())
    }
}

impl<T> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        let Some(t) = self.ticket.take() else { return };
        let granted = {
            let mut st = self.mutex.state.borrow_mut();
            let granted = st.waiters.remove(t).is_some_and(|w| w.granted);
            if !granted {
                st.reg.record(ResourceOp::GaveUp, None);
            }
            granted
        };
        // A lock handed to a waiter that gave up must be passed on.
        if granted {
            self.mutex.unlock();
        } else if !self.mutex.state.borrow().locked {
            let waker: Option<Waker> = self
                .mutex
                .state
                .borrow_mut()
                .waiters
                .first_waiting()
                .map(|w| w.waker.clone());
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

/// Access to the value while the lock is held; dropping it unlocks.
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while the lock is held, and the
        // mutex is `!Sync`, so no other reference to the value is live.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this access unique.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}
