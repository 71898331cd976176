//! A notification point, after tokio's `Notify`.
//!
//! `notify_one` wakes the first waiter, or — if nobody waits — leaves a
//! permit that the next `notified()` consumes at once. `notify_waiters` wakes
//! everyone waiting now and leaves no permit.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::{Registration, Waiters};
use crate::trace::{ResourceKind, ResourceOp};

struct State {
    reg: Registration,
    permit: bool,
    waiters: Waiters,
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
            }),
        }
    }

    /// Waits for a notification.
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            ticket: None,
        }
    }

    /// Wakes the first waiter, or stores a permit for the next one.
    pub fn notify_one(&self) {
        let waker = {
            let mut st = self.state.borrow_mut();
            st.reg.record(ResourceOp::Notify);
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

    /// Wakes every current waiter; stores no permit.
    pub fn notify_waiters(&self) {
        let wakers: Vec<Waker> = {
            let mut guard = self.state.borrow_mut();
            let st = &mut *guard;
            st.reg.record(ResourceOp::Notify);
            let mut wakers = Vec::new();
            while let Some(w) = st.waiters.first_waiting() {
                w.granted = true;
                wakers.push(w.waker.clone());
            }
            wakers
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// The future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless awaited"]
pub struct Notified<'a> {
    notify: &'a Notify,
    ticket: Option<u64>,
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut st = this.notify.state.borrow_mut();
        match this.ticket {
            Some(t) if st.waiters.is_granted(t) => {
                st.waiters.remove(t);
                this.ticket = None;
                Poll::Ready(())
            }
            Some(t) => {
                st.waiters.update(t, cx.waker());
                Poll::Pending
            }
            None if st.permit => {
                st.permit = false;
                Poll::Ready(())
            }
            None => {
                this.ticket = Some(st.waiters.push(cx.waker()));
                st.reg.record(ResourceOp::BlockedOnNotify);
                Poll::Pending
            }
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Some(t) = self.ticket.take() else { return };
        let granted = {
            let mut st = self.notify.state.borrow_mut();
            let granted = st.waiters.remove(t).is_some_and(|w| w.granted);
            if !granted {
                st.reg.record(ResourceOp::GaveUp);
            }
            granted
        };
        // A notification delivered to a waiter that gave up is passed on.
        if granted {
            self.notify.notify_one();
        }
    }
}
