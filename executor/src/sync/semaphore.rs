//! A counting semaphore with fair, first-come-first-served permits.
//!
//! A released permit goes straight to the first waiter (recorded as its
//! `Acquire`), so a waiter is never overtaken by a later arrival.
//!
//! A permit is asked for through a borrow of the semaphore
//! ([`Semaphore::acquire`], giving a [`Permit`]) or through an `Rc` of it
//! ([`Semaphore::acquire_owned`], giving an [`OwnedPermit`]). Both run the
//! one state machine of the semaphore (`poll_acquire`, `give_up`, `release`),
//! so they queue, hand over and record exactly alike.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
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

    /// Waits for a permit, like [`Semaphore::acquire`], through a handle
    /// that owns its `Rc` of the semaphore: the future and its
    /// [`OwnedPermit`] borrow nothing.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// sim.block_on(async {
    ///     let seats = Rc::new(wakescope::sync::Semaphore::new("seats", 1));
    ///     let permit = seats.acquire_owned().await.unwrap();
    ///     assert_eq!(seats.available_permits(), 0);
    ///     drop(permit);
    ///     assert_eq!(seats.available_permits(), 1);
    /// })
    /// .unwrap();
    /// ```
    pub fn acquire_owned(self: &Rc<Self>) -> AcquireOwned {
        AcquireOwned {
            semaphore: Rc::clone(self),
            ticket: None,
        }
    }

    /// Takes a permit if one is free and nobody waits.
    #[track_caller]
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        self.try_take(Location::caller()).then(|| Permit {
            semaphore: self,
            release: true,
        })
    }

    /// [`Semaphore::try_acquire`], giving an [`OwnedPermit`].
    #[track_caller]
    pub fn try_acquire_owned(self: &Rc<Self>) -> Option<OwnedPermit> {
        self.try_take(Location::caller()).then(|| OwnedPermit {
            semaphore: Rc::clone(self),
            release: true,
        })
    }

    /// Free permits now.
    pub fn available_permits(&self) -> usize {
        self.state.borrow().permits
    }

    /// True once [`Semaphore::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.state.borrow().closed
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

    /// Takes a permit for `try_acquire` if one is free and nobody waits.
    /// Callers make their permit with `bool::then`, never `then_some`: a
    /// permit made on failure would be released when dropped.
    fn try_take(&self, at: &'static Location<'static>) -> bool {
        let mut st = self.state.borrow_mut();
        if st.closed || st.permits == 0 || !st.waiters.is_empty() {
            return false;
        }
        st.permits -= 1;
        st.reg.record(ResourceOp::Acquire, Some(at));
        true
    }

    /// One poll of an acquire future, borrowed or owned, whose place in line
    /// is `ticket` and whose `.await` is `at`: `Ready` with a permit taken,
    /// or with the error once the semaphore is closed.
    fn poll_acquire(
        &self,
        ticket: &mut Option<u64>,
        waker: &Waker,
        at: &'static Location<'static>,
    ) -> Poll<Result<(), AcquireError>> {
        let mut st = self.state.borrow_mut();
        if let Some(t) = *ticket
            && st.waiters.is_granted(t)
        {
            st.waiters.remove(t);
            *ticket = None;
            return Poll::Ready(Ok(()));
        }
        if st.closed {
            *ticket = None;
            return Poll::Ready(Err(AcquireError));
        }
        if ticket.is_none() && st.permits > 0 && st.waiters.is_empty() {
            st.permits -= 1;
            st.reg.record(ResourceOp::Acquire, Some(at));
            return Poll::Ready(Ok(()));
        }
        match *ticket {
            Some(t) => {
                st.waiters.update(t, waker);
            }
            None => {
                *ticket = Some(st.waiters.push(waker));
                st.reg.record(ResourceOp::BlockedOnPermit, Some(at));
            }
        }
        drop(st);
        pending_at(at)
    }

    /// An acquire future dropped before it finished leaves the line; a
    /// permit it was handed goes to the next waiter.
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
            self.release();
        }
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
    /// Our place in line, once we wait.
    ticket: Option<u64>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<Permit<'a>, AcquireError>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let semaphore = this.semaphore;
        semaphore
            .poll_acquire(&mut this.ticket, cx.waker(), Location::caller())
            .map_ok(|()| Permit {
                semaphore,
                release: true,
            })
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.semaphore.give_up(&mut self.ticket);
    }
}

/// The future returned by [`Semaphore::acquire_owned`]: [`Acquire`] with an
/// `Rc` of the semaphore.
#[must_use = "futures do nothing unless awaited"]
pub struct AcquireOwned {
    semaphore: Rc<Semaphore>,
    /// Our place in line, once we wait.
    ticket: Option<u64>,
}

impl Future for AcquireOwned {
    type Output = Result<OwnedPermit, AcquireError>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.semaphore
            .poll_acquire(&mut this.ticket, cx.waker(), Location::caller())
            .map_ok(|()| OwnedPermit {
                semaphore: Rc::clone(&this.semaphore),
                release: true,
            })
    }
}

impl Drop for AcquireOwned {
    fn drop(&mut self) {
        self.semaphore.give_up(&mut self.ticket);
    }
}

/// A held permit; dropping it releases the permit.
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
    /// False once forgotten: dropping it then releases nothing.
    release: bool,
}

impl Permit<'_> {
    /// Keeps the permit taken for good: the semaphore has one permit fewer
    /// (the trace goes on showing it held by the task that took it).
    pub fn forget(mut self) {
        self.release = false;
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.release {
            self.semaphore.release();
        }
    }
}

/// [`Permit`] holding an `Rc` of the semaphore (from
/// [`Semaphore::acquire_owned`]); dropping it releases the permit.
pub struct OwnedPermit {
    semaphore: Rc<Semaphore>,
    /// False once forgotten: dropping it then releases nothing.
    release: bool,
}

impl OwnedPermit {
    /// Keeps the permit taken for good: the semaphore has one permit fewer,
    /// and this handle on it is let go (the trace goes on showing the
    /// permit held by the task that took it).
    pub fn forget(mut self) {
        self.release = false;
    }
}

impl Drop for OwnedPermit {
    fn drop(&mut self) {
        if self.release {
            self.semaphore.release();
        }
    }
}
