//! A mutex whose lock can be held across `.await`, fair or unfair.
//!
//! Fair ([`Mutex::new`]): a release hands the lock straight to the first
//! waiter (recorded as `Lock` for that waiter), so waiters get it in arrival
//! order. Unfair ([`Mutex::unfair`]): a release only wakes the first waiter;
//! whoever calls `lock` first after that takes it — often the task that just
//! released it, which can starve the others.
//!
//! A lock is asked for through a borrow of the mutex ([`Mutex::lock`],
//! giving a [`MutexGuard`]) or through an `Rc` of it ([`Mutex::lock_owned`],
//! giving an [`OwnedMutexGuard`] that borrows nothing). Both run the one
//! state machine of the mutex (`poll_lock`, `give_up`, `unlock`), so they
//! queue, hand over and record exactly alike.

use std::cell::{RefCell, UnsafeCell};
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::{PreemptionPoint, Registration, Waiters, pending_at};
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
            preemption: PreemptionPoint::default(),
        }
    }

    /// Waits for the lock, like [`Mutex::lock`], through a handle that owns
    /// its `Rc` of the mutex: the future and its [`OwnedMutexGuard`] borrow
    /// nothing, so they can be stored, returned or moved into another task.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use wakescope::sync::{Mutex, OwnedMutexGuard};
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// let total = sim.block_on(async {
    ///     let count = Rc::new(Mutex::new("count", 1));
    ///     let mut guard: OwnedMutexGuard<u32> = count.lock_owned().await;
    ///     let helper = wakescope::spawn("helper", async move { *guard += 1 }); // the guard moves along
    ///     helper.await.unwrap();
    ///     *count.lock().await
    /// });
    /// assert_eq!(total.unwrap(), 2);
    /// ```
    pub fn lock_owned(self: &Rc<Self>) -> LockOwned<T> {
        LockOwned {
            mutex: Rc::clone(self),
            ticket: None,
            preemption: PreemptionPoint::default(),
        }
    }

    /// Takes the lock if it is free and nobody waits for it.
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.try_take(Location::caller()).then(|| MutexGuard { mutex: self })
    }

    /// [`Mutex::try_lock`], giving an [`OwnedMutexGuard`].
    #[track_caller]
    pub fn try_lock_owned(self: &Rc<Self>) -> Option<OwnedMutexGuard<T>> {
        self.try_take(Location::caller())
            .then(|| OwnedMutexGuard { mutex: Rc::clone(self) })
    }

    /// The value, through exclusive access to the mutex itself (no lock needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// The value, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    /// Tasks waiting for the lock.
    pub fn waiters(&self) -> usize {
        self.state.borrow().waiters.len()
    }

    /// Takes the lock for `try_lock` if it is free and nobody waits for it.
    /// Callers make their guard with `bool::then`, never `then_some`: a
    /// guard made on failure would unlock the mutex when dropped.
    fn try_take(&self, at: &'static Location<'static>) -> bool {
        let mut st = self.state.borrow_mut();
        if st.locked || !st.waiters.is_empty() {
            return false;
        }
        st.locked = true;
        st.reg.record(ResourceOp::Lock, Some(at));
        true
    }

    /// One poll of a lock future, borrowed or owned, whose place in line is
    /// `ticket` and whose `.await` is `at`: `Ready` once it holds the lock.
    fn poll_lock(&self, ticket: &mut Option<u64>, waker: &Waker, at: &'static Location<'static>) -> Poll<()> {
        let mut st = self.state.borrow_mut();
        if let Some(t) = *ticket
            && st.waiters.is_granted(t)
        {
            st.waiters.remove(t);
            *ticket = None;
            return Poll::Ready(());
        }
        // Fair: only the first in line may take a free lock. Unfair: anyone.
        let may_take = !st.locked && (!st.fair || ticket.map_or(st.waiters.is_empty(), |t| st.waiters.is_first(t)));
        if may_take {
            if let Some(t) = ticket.take() {
                st.waiters.remove(t);
            }
            st.locked = true;
            st.reg.record(ResourceOp::Lock, Some(at));
            return Poll::Ready(());
        }
        match *ticket {
            Some(t) => {
                st.waiters.update(t, waker);
            }
            None => {
                *ticket = Some(st.waiters.push(waker));
                st.reg.record(ResourceOp::BlockedOnLock, Some(at));
            }
        }
        drop(st);
        pending_at(at)
    }

    /// A lock future dropped before it finished leaves the line; a lock it
    /// was handed is passed on.
    fn give_up(&self, ticket: &mut Option<u64>) {
        let Some(t) = ticket.take() else { return };
        let granted = {
            let mut st = self.state.borrow_mut();
            let granted = st.waiters.remove(t).is_some_and(|w| w.granted);
            if !granted {
                st.reg.record(ResourceOp::GaveUp, None);
            }
            granted
        };
        if granted {
            self.unlock();
        } else if !self.state.borrow().locked {
            // The first waiter may take the lock now that no one is ahead of it.
            let waker: Option<Waker> = self.state.borrow_mut().waiters.first_waiting().map(|w| w.waker.clone());
            if let Some(w) = waker {
                w.wake();
            }
        }
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
    /// Our place in line, once we wait.
    ticket: Option<u64>,
    /// Yields once first when the run asks for preemption points.
    preemption: PreemptionPoint,
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.get_mut();
        std::task::ready!(this.preemption.poll(cx.waker(), Location::caller()));
        let mutex = this.mutex;
        mutex
            .poll_lock(&mut this.ticket, cx.waker(), Location::caller())
            .map(|()| MutexGuard { mutex })
    }
}

impl<T> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        self.mutex.give_up(&mut self.ticket);
    }
}

/// The future returned by [`Mutex::lock_owned`]: [`Lock`] with an `Rc` of
/// the mutex.
#[must_use = "futures do nothing unless awaited"]
pub struct LockOwned<T> {
    mutex: Rc<Mutex<T>>,
    /// Our place in line, once we wait.
    ticket: Option<u64>,
    /// Yields once first when the run asks for preemption points.
    preemption: PreemptionPoint,
}

impl<T> Future for LockOwned<T> {
    type Output = OwnedMutexGuard<T>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedMutexGuard<T>> {
        let this = self.get_mut();
        std::task::ready!(this.preemption.poll(cx.waker(), Location::caller()));
        this.mutex
            .poll_lock(&mut this.ticket, cx.waker(), Location::caller())
            .map(|()| OwnedMutexGuard {
                mutex: Rc::clone(&this.mutex),
            })
    }
}

impl<T> Drop for LockOwned<T> {
    fn drop(&mut self) {
        self.mutex.give_up(&mut self.ticket);
    }
}

/// Access to the value while the lock is held; dropping it unlocks.
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// The mutex this guard holds (for a condition variable's wait).
    pub(super) fn mutex(&self) -> &'a Mutex<T> {
        self.mutex
    }
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

/// [`MutexGuard`] holding an `Rc` of the mutex (from [`Mutex::lock_owned`]):
/// access to the value while the lock is held; dropping it unlocks.
pub struct OwnedMutexGuard<T> {
    mutex: Rc<Mutex<T>>,
}

impl<T> OwnedMutexGuard<T> {
    /// The mutex this guard holds (for a condition variable's wait).
    pub(super) fn mutex(&self) -> Rc<Mutex<T>> {
        Rc::clone(&self.mutex)
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: as for `MutexGuard`: the guard exists only while the lock
        // is held, and the mutex is `!Sync`.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this access unique.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}
