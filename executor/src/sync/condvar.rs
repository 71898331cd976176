//! A condition variable: tasks wait, with a [`Mutex`] released, until
//! another task notifies them.
//!
//! The pattern is the classic one: lock the mutex, and *while* the
//! condition does not hold, `wait` — which unlocks the mutex, waits for a
//! notification, and locks the mutex again before it returns the guard.
//! Another task changes the state under the lock and calls
//! [`Condvar::notify_one`] or [`Condvar::notify_all`].
//!
//! - `notify_one` wakes the first waiter, in the order they began waiting;
//!   `notify_all` wakes every task waiting at the call. Neither stores
//!   anything: a notification with nobody waiting is lost (unlike
//!   [`super::Notify`]'s permit), which is what makes a condition variable
//!   useless without the state it guards.
//! - There are no spurious wakes, but a woken task must lock the mutex
//!   again, and another task may lock it first and change the state: the
//!   condition must be checked again in a `while` loop. An `if` is the
//!   classic bug, which `explore` finds (`executor/tests/condvar.rs`).
//!
//! [`Condvar::wait_owned`] does the same with an [`OwnedMutexGuard`] and
//! `Rc`s, through the same state machine (`poll_wait`).
//!
//! States of a [`CondvarWait`]: holding the guard (not yet polled) →
//! waiting (the mutex released, a ticket among the waiters) → notified,
//! locking the mutex again (a [`Lock`] future, fair like any other) →
//! done. Dropped while waiting, it leaves the line; dropped after
//! `notify_one` chose it but before it woke, it passes the notification on.
//!
//! Trace: `BlockedOnCondvar` when a task begins waiting (then the mutex's
//! own `Unlock`), `Notify` for `notify_one` and `NotifyAll` for
//! `notify_all`, `GaveUp` for a wait dropped unserved; re-locking is the
//! mutex's `BlockedOnLock` / `Lock`.

use std::cell::RefCell;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::mutex::{Lock, LockOwned, Mutex, MutexGuard, OwnedMutexGuard};
use super::{At, Registration, Waiters, pending_at};
use crate::trace::{ResourceKind, ResourceOp};

struct State {
    reg: Registration,
    waiters: Waiters,
}

/// A named condition variable, used with a [`Mutex`]. Share it between
/// tasks with `Rc`.
///
/// ```
/// use std::rc::Rc;
/// use wakescope::sync::{Condvar, Mutex};
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let ready = Rc::new(Mutex::new("ready", false));
/// let changed = Rc::new(Condvar::new("changed"));
/// let (r, c) = (ready.clone(), changed.clone());
/// let _waiter = sim.spawn("waiter", async move {
///     let mut guard = r.lock().await;
///     while !*guard {
///         guard = c.wait(guard).await; // unlocks, waits, locks again
///     }
/// });
/// let _setter = sim.spawn("setter", async move {
///     *ready.lock().await = true;
///     changed.notify_all();
/// });
/// assert!(sim.run().is_completed());
/// ```
pub struct Condvar {
    state: RefCell<State>,
}

impl Condvar {
    /// A condition variable nobody waits on.
    pub fn new(name: &str) -> Condvar {
        Condvar {
            state: RefCell::new(State {
                reg: Registration::new(ResourceKind::Condvar, name, 0),
                waiters: Waiters::default(),
            }),
        }
    }

    /// Unlocks `guard`'s mutex, waits for a notification, and locks the
    /// mutex again: the future returns the new guard. Check the condition
    /// again after it, in a `while` loop (see the [module docs](self)).
    pub fn wait<'a, T>(&'a self, guard: MutexGuard<'a, T>) -> CondvarWait<'a, T> {
        CondvarWait {
            condvar: self,
            mutex: guard.mutex(),
            guard: Some(guard),
            ticket: None,
            lock: None,
        }
    }

    /// [`Condvar::wait`] with an [`OwnedMutexGuard`]: the future owns `Rc`s
    /// of the condition variable and the mutex and borrows nothing.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use wakescope::sync::{Condvar, Mutex};
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(2));
    /// let count = Rc::new(Mutex::new("count", 0));
    /// let grew = Rc::new(Condvar::new("grew"));
    /// let (c, g) = (count.clone(), grew.clone());
    /// let waiter = sim.spawn("waiter", async move {
    ///     let mut guard = c.lock_owned().await;
    ///     while *guard < 2 {
    ///         guard = g.wait_owned(guard).await;
    ///     }
    ///     *guard
    /// });
    /// let _adder = sim.spawn("adder", async move {
    ///     for _ in 0..2 {
    ///         *count.lock().await += 1;
    ///         grew.notify_one();
    ///         wakescope::yield_now().await;
    ///     }
    /// });
    /// assert!(sim.run().is_completed());
    /// ```
    pub fn wait_owned<T>(self: &Rc<Self>, guard: OwnedMutexGuard<T>) -> CondvarWaitOwned<T> {
        CondvarWaitOwned {
            condvar: Rc::clone(self),
            mutex: guard.mutex(),
            guard: Some(guard),
            ticket: None,
            lock: None,
        }
    }

    /// Wakes the first task waiting, if any; with nobody waiting the
    /// notification is lost.
    #[track_caller]
    pub fn notify_one(&self) {
        self.notify_one_at(Some(Location::caller()));
    }

    /// Wakes every task waiting now.
    #[track_caller]
    pub fn notify_all(&self) {
        let wakers = {
            let mut st = self.state.borrow_mut();
            st.reg.record(ResourceOp::NotifyAll, Some(Location::caller()));
            st.waiters.grant_all()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Tasks waiting now (not yet chosen by a notification).
    pub fn waiting(&self) -> usize {
        self.state.borrow().waiters.waiting()
    }

    /// `notify_one`, asked for at `at` (`None` from a destructor).
    fn notify_one_at(&self, at: At) {
        let waker = {
            let mut st = self.state.borrow_mut();
            st.reg.record(ResourceOp::Notify, at);
            st.waiters.first_waiting().map(|w| {
                w.granted = true;
                w.waker.clone()
            })
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Joins the line and records the wait, asked for at `at`.
    fn begin_waiting(&self, waker: &Waker, at: &'static Location<'static>) -> u64 {
        let mut st = self.state.borrow_mut();
        st.reg.record(ResourceOp::BlockedOnCondvar, Some(at));
        st.waiters.push(waker)
    }

    /// True (and the ticket gone) once a notification chose `ticket`;
    /// otherwise refreshes its waker.
    fn check(&self, ticket: u64, waker: &Waker) -> bool {
        let mut st = self.state.borrow_mut();
        if st.waiters.is_granted(ticket) {
            st.waiters.remove(ticket);
            return true;
        }
        st.waiters.update(ticket, waker);
        false
    }

    /// One poll of a wait, borrowed or owned, at the `.await` `at`: the
    /// first releases `guard` (after joining the line), later ones check
    /// for the notification, then drive `lock` (made by `relock`) until the
    /// mutex is ours again.
    fn poll_wait<G, L>(
        &self,
        guard: &mut Option<G>,
        ticket: &mut Option<u64>,
        lock: &mut Option<L>,
        relock: impl FnOnce() -> L,
        cx: &mut Context<'_>,
        at: &'static Location<'static>,
    ) -> Poll<G>
    where
        L: Future<Output = G> + Unpin,
    {
        if let Some(held) = guard.take() {
            // Join the line before unlocking: a notification sent by the
            // task the unlock lets in reaches us.
            *ticket = Some(self.begin_waiting(cx.waker(), at));
            drop(held);
            return pending_at(at);
        }
        if let Some(t) = *ticket {
            if !self.check(t, cx.waker()) {
                return pending_at(at);
            }
            *ticket = None;
            *lock = Some(relock());
        }
        let relocking = lock.as_mut().expect("a condvar wait is not polled after it finished");
        let again = std::task::ready!(Pin::new(relocking).poll(cx));
        *lock = None;
        Poll::Ready(again)
    }

    /// A wait dropped before it woke leaves the line; a notification
    /// `notify_one` gave it is passed on.
    fn give_up(&self, ticket: u64) {
        let granted = {
            let mut st = self.state.borrow_mut();
            let granted = st.waiters.remove(ticket).is_some_and(|w| w.granted);
            if !granted {
                st.reg.record(ResourceOp::GaveUp, None);
            }
            granted
        };
        if granted {
            self.notify_one_at(None);
        }
    }
}

/// The future returned by [`Condvar::wait`]: the mutex's guard again once
/// notified and re-locked.
#[must_use = "futures do nothing unless awaited"]
pub struct CondvarWait<'a, T> {
    condvar: &'a Condvar,
    mutex: &'a Mutex<T>,
    /// The guard given to `wait`, until the first poll releases it.
    guard: Option<MutexGuard<'a, T>>,
    /// Our place among the waiters, while waiting.
    ticket: Option<u64>,
    /// Locking the mutex again, once notified.
    lock: Option<Lock<'a, T>>,
}

impl<'a, T> Future for CondvarWait<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.get_mut();
        let mutex = this.mutex;
        this.condvar.poll_wait(
            &mut this.guard,
            &mut this.ticket,
            &mut this.lock,
            || mutex.lock(),
            cx,
            Location::caller(),
        )
    }
}

impl<T> Drop for CondvarWait<'_, T> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.condvar.give_up(ticket);
        }
    }
}

/// The future returned by [`Condvar::wait_owned`]: [`CondvarWait`] with
/// `Rc`s of the condition variable and the mutex.
#[must_use = "futures do nothing unless awaited"]
pub struct CondvarWaitOwned<T> {
    condvar: Rc<Condvar>,
    mutex: Rc<Mutex<T>>,
    /// The guard given to `wait_owned`, until the first poll releases it.
    guard: Option<OwnedMutexGuard<T>>,
    /// Our place among the waiters, while waiting.
    ticket: Option<u64>,
    /// Locking the mutex again, once notified.
    lock: Option<LockOwned<T>>,
}

impl<T> Future for CondvarWaitOwned<T> {
    type Output = OwnedMutexGuard<T>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedMutexGuard<T>> {
        let this = self.get_mut();
        let mutex = &this.mutex;
        this.condvar.poll_wait(
            &mut this.guard,
            &mut this.ticket,
            &mut this.lock,
            || mutex.lock_owned(),
            cx,
            Location::caller(),
        )
    }
}

impl<T> Drop for CondvarWaitOwned<T> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.condvar.give_up(ticket);
        }
    }
}
