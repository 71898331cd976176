//! A counting semaphore with fair, first-come-first-served permits.
//!
//! A released permit goes straight to the first waiter (recorded as its
//! `Acquire`), so a waiter is never overtaken by a later arrival.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::{Registration, Waiters, pending_at};
use crate::trace::{ResourceKind, ResourceOp};

struct State {
    reg: Registration,
    permits: usize,
    closed: bool,
    waiters: Waiters,
}

/// A named counting semaphore. Share it between tasks with `Rc`.
pub struct Semaphore {
    state: RefCell<State>,
}

/// The semaphore was closed while waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcquireError;

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the semaphore is closed")
    }
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(name: &str, permits: usize) -> Semaphore {
        let capacity = u32::try_from(permits).unwrap_or(u32::MAX);
        Semaphore {
            state: RefCell::new(State {
                reg: Registration::new(ResourceKind::Semaphore, name, capacity),
                permits,
                closed: false,
                waiters: Waiters::default(),
            }),
        }
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            ticket: None,
        }
    }

    /// Takes a permit if one is free and nobody waits.
    #[track_caller]
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut st = self.state.borrow_mut();
        if st.closed || st.permits == 0 || !st.waiters.is_empty() {
            return None;
        }
        st.permits -= 1;
        st.reg.record(ResourceOp::Acquire, Some(Location::caller()));
        Some(Permit { semaphore: self })
    }

    /// Free permits now.
    pub fn available_permits(&self) -> usize {
        self.state.borrow().permits
    }

    /// Closes the semaphore: waiters and later `acquire`s fail.
    #[track_caller]
    pub fn close(&self) {
        let wakers = {
            let mut st = self.state.borrow_mut();
            st.closed = true;
            st.reg.record(ResourceOp::Closed, Some(Location::caller()));
            st.waiters.take_all()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    fn release(&self) {
        let waker = {
            let mut guard = self.state.borrow_mut();
            let st = &mut *guard;
            st.reg.record(ResourceOp::Release, None);
            match st.waiters.first_waiting() {
                Some(w) => {
                    w.granted = true;
                    let (to, waker) = (w.task, w.waker.clone());
                    st.reg.hand_over(ResourceOp::Acquire, to);
                    Some(waker)
                }
                None => {
                    st.permits += 1;
                    None
                }
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The future returned by [`Semaphore::acquire`].
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    ticket: Option<u64>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<Permit<'a>, AcquireError>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut st = this.semaphore.state.borrow_mut();
        if let Some(t) = this.ticket
            && st.waiters.is_granted(t)
        {
            st.waiters.remove(t);
            this.ticket = None;
            return Poll::Ready(Ok(Permit {
                semaphore: this.semaphore,
            }));
        }
        if st.closed {
            this.ticket = None;
            return Poll::Ready(Err(AcquireError));
        }
        if this.ticket.is_none() && st.permits > 0 && st.waiters.is_empty() {
            st.permits -= 1;
            st.reg.record(ResourceOp::Acquire, Some(Location::caller()));
            return Poll::Ready(Ok(Permit {
                semaphore: this.semaphore,
            }));
        }
        match this.ticket {
            Some(t) => {
                st.waiters.update(t, cx.waker());
            }
            None => {
                this.ticket = Some(st.waiters.push(cx.waker()));
                st.reg.record(ResourceOp::BlockedOnPermit, Some(Location::caller()));
            }
        }
        pending_at(Location::caller())
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(t) = self.ticket.take() else { return };
        let granted = {
            let mut st = self.semaphore.state.borrow_mut();
            let granted = st.waiters.remove(t).is_some_and(|w| w.granted);
            if !granted {
                st.reg.record(ResourceOp::GaveUp, None);
            }
            granted
        };
        // A permit handed to a waiter that gave up goes to the next one.
        if granted {
            self.semaphore.release();
        }
    }
}

/// A held permit; dropping it releases the permit.
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.semaphore.release();
    }
}
