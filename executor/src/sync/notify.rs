//! A notification point, after tokio's `Notify`.
//!
//! - `notify_one` wakes the first waiter (in the order they began waiting),
//!   or — if nobody waits — stores one permit that the next `notified()`
//!   consumes at once. Several calls store one permit, not several.
//! - `notify_waiters` wakes every [`Notified`] future *created* before the
//!   call, waiting or not yet polled, and stores no permit: a `Notified`
//!   made after it waits for the next notification. It counts its calls, and
//!   a `Notified` remembers the count at its creation.
//! - A `Notified` joins the waiters for `notify_one` when first polled, or
//!   earlier with [`Notified::enable`]. One that `notify_one` chose and that
//!   is dropped before it completes passes the notification on.
//!
//! States of a `Notified`: fresh (counted, not waiting) → waiting (a ticket
//! in the queue) → notified (sticky: every later poll is `Ready`).
//!
//! [`Notify::notified`] borrows the notification point;
//! [`Notify::notified_owned`] gives an [`OwnedNotified`] holding an `Rc` of
//! it. Both keep their state in a `Wait` moved along by the one state
//! machine of `Notify` (`check`, `give_up`), so they behave and record alike.

use std::cell::RefCell;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::{At, Registration, Waiters, pending_at};
use crate::trace::{ResourceKind, ResourceOp};

struct State {
    reg: Registration,
    /// A stored `notify_one` (at most one).
    permit: bool,
    waiters: Waiters,
    /// Calls of `notify_waiters` so far.
    notify_waiters_calls: u64,
}

/// A named notification point. Share it between tasks with `Rc`.
pub struct Notify {
    state: RefCell<State>,
}

impl Notify {
    /// A notification point with no stored permit.
    pub fn new(name: &str) -> Notify {
        Notify {
            state: RefCell::new(State {
                reg: Registration::new(ResourceKind::Notify, name, 0),
                permit: false,
                waiters: Waiters::default(),
                notify_waiters_calls: 0,
            }),
        }
    }

    /// Waits for a notification. The future receives `notify_waiters` from
    /// its creation on, and `notify_one` once it is polled or enabled.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// sim.block_on(async {
    ///     let bell = Rc::new(wakescope::sync::Notify::new("bell"));
    ///     let rung = bell.notified(); // created before the call: it counts
    ///     bell.notify_waiters();
    ///     rung.await;
    /// })
    /// .unwrap();
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            wait: self.wait(),
        }
    }

    /// Waits for a notification, like [`Notify::notified`], through a future
    /// that owns its `Rc` of the notification point and borrows nothing.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use wakescope::sync::{Notify, OwnedNotified};
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// sim.block_on(async {
    ///     let bell = Rc::new(Notify::new("bell"));
    ///     let rung: OwnedNotified = bell.notified_owned();
    ///     let listener = wakescope::spawn("listener", rung); // the future moves along
    ///     bell.notify_waiters();
    ///     listener.await.unwrap();
    /// })
    /// .unwrap();
    /// ```
    pub fn notified_owned(self: &Rc<Self>) -> OwnedNotified {
        OwnedNotified {
            notify: Rc::clone(self),
            wait: self.wait(),
        }
    }

    /// Wakes the first waiter, or stores a permit for the next one.
    #[track_caller]
    pub fn notify_one(&self) {
        self.notify_one_at(Some(Location::caller()));
    }

    /// Wakes every `Notified` created before this call; stores no permit.
    #[track_caller]
    pub fn notify_waiters(&self) {
        let wakers: Vec<Waker> = {
            let mut st = self.state.borrow_mut();
            st.reg.record(ResourceOp::Notify, Some(Location::caller()));
            st.notify_waiters_calls += 1;
            // Waiters `notify_one` already chose stay queued, so that one
            // dropped unpolled still passes its notification on.
            st.waiters.take_waiting()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// `notify_one`, asked for at `at` (`None` from a destructor).
    fn notify_one_at(&self, at: At) {
        let waker = {
            let mut st = self.state.borrow_mut();
            st.reg.record(ResourceOp::Notify, at);
            match st.waiters.first_waiting() {
                Some(w) => {
                    w.granted = true;
                    Some(w.waker.clone())
                }
                None => {
                    st.permit = true;
                    None
                }
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// A fresh wait: counted from now, not yet in line.
    fn wait(&self) -> Wait {
        Wait {
            calls_at_creation: self.state.borrow().notify_waiters_calls,
            ticket: None,
            notified: false,
            blocked_recorded: false,
        }
    }

    /// Moves `wait` along; true when notified. With `waker` (a poll, at the
    /// `.await` `at`), a waiting future refreshes its waker and records that
    /// it blocks; without (`enable`), it only joins the line.
    fn check(&self, wait: &mut Wait, waker: Option<&Waker>, at: At) -> bool {
        if wait.notified {
            return true;
        }
        let mut st = self.state.borrow_mut();
        let by_all = st.notify_waiters_calls != wait.calls_at_creation;
        let by_one = wait.ticket.is_some_and(|t| st.waiters.is_granted(t));
        let by_permit = !by_all && wait.ticket.is_none() && std::mem::take(&mut st.permit);
        if by_all || by_one || by_permit {
            if let Some(t) = wait.ticket.take() {
                st.waiters.remove(t);
            }
            wait.notified = true;
            return true;
        }
        match wait.ticket {
            Some(t) => {
                if let Some(w) = waker {
                    st.waiters.update(t, w);
                }
            }
            None => wait.ticket = Some(st.waiters.push(waker.unwrap_or(Waker::noop()))),
        }
        if waker.is_some() && !wait.blocked_recorded {
            wait.blocked_recorded = true;
            st.reg.record(ResourceOp::BlockedOnNotify, at);
        }
        false
    }

    /// A future dropped before it was notified leaves the line; a
    /// notification `notify_one` delivered to it is passed on.
    fn give_up(&self, wait: &mut Wait) {
        let Some(t) = wait.ticket.take() else { return };
        let granted = {
            let mut st = self.state.borrow_mut();
            let granted = st.waiters.remove(t).is_some_and(|w| w.granted);
            if !granted && wait.blocked_recorded {
                st.reg.record(ResourceOp::GaveUp, None);
            }
            granted
        };
        if granted {
            self.notify_one_at(None);
        }
    }
}

/// Where one `Notified` (borrowed or owned) is in its states.
struct Wait {
    /// `notify_waiters` calls when the future was created.
    calls_at_creation: u64,
    /// Our place among the waiters for `notify_one`, once polled or enabled.
    ticket: Option<u64>,
    /// Notified: every poll from now on is `Ready`.
    notified: bool,
    /// `BlockedOnNotify` was recorded for this wait.
    blocked_recorded: bool,
}

/// The future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless awaited"]
pub struct Notified<'a> {
    notify: &'a Notify,
    wait: Wait,
}

impl Notified<'_> {
    /// Joins the waiters for `notify_one` before the first poll, without a
    /// waker, as tokio's `Notified::enable` does; returns true when the
    /// future is already notified (a `notify_waiters` since its creation, a
    /// stored permit it consumed now, or a `notify_one` that chose it).
    /// `notify_waiters` reaches it either way.
    ///
    /// ```
    /// use std::pin::pin;
    /// let bell = wakescope::sync::Notify::new("bell");
    /// let mut first = pin!(bell.notified());
    /// assert!(!first.as_mut().enable());
    /// bell.notify_one(); // chooses `first`: no permit is stored
    /// assert!(first.as_mut().enable());
    /// let mut second = pin!(bell.notified());
    /// assert!(!second.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        this.notify.check(&mut this.wait, None, None)
    }
}

impl Future for Notified<'_> {
    type Output = ();

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let at = Location::caller();
        if this.notify.check(&mut this.wait, Some(cx.waker()), Some(at)) {
            Poll::Ready(())
        } else {
            pending_at(at)
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        self.notify.give_up(&mut self.wait);
    }
}

/// The future returned by [`Notify::notified_owned`]: [`Notified`] with an
/// `Rc` of the notification point.
#[must_use = "futures do nothing unless awaited"]
pub struct OwnedNotified {
    notify: Rc<Notify>,
    wait: Wait,
}

impl OwnedNotified {
    /// [`Notified::enable`]: joins the waiters for `notify_one` before the
    /// first poll; true when already notified.
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::rc::Rc;
    /// let bell = Rc::new(wakescope::sync::Notify::new("bell"));
    /// let mut first = pin!(bell.notified_owned());
    /// assert!(!first.as_mut().enable());
    /// bell.notify_one(); // chooses `first`: no permit is stored
    /// assert!(first.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        this.notify.check(&mut this.wait, None, None)
    }
}

impl Future for OwnedNotified {
    type Output = ();

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let at = Location::caller();
        if this.notify.check(&mut this.wait, Some(cx.waker()), Some(at)) {
            Poll::Ready(())
        } else {
            pending_at(at)
        }
    }
}

impl Drop for OwnedNotified {
    fn drop(&mut self) {
        self.notify.give_up(&mut self.wait);
    }
}
