//! A one-shot channel: one value, sent once, received once.
//!
//! The receiver is a future. Waiting on it is recorded as `BlockedOnEmpty`;
//! the send as `Send`, the receipt as `Recv`; a sender dropped without
//! sending closes the channel and the receiver gets [`Canceled`].

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::{End, Registration, pending_at};
use crate::trace::{ResourceKind, ResourceOp};

struct Inner<T> {
    reg: Registration,
    value: Option<T>,
    sender_alive: bool,
    receiver_alive: bool,
    waker: Option<Waker>,
    blocked: bool,
}

/// Creates a one-shot channel named `name`.
pub fn channel<T>(name: &str) -> (Sender<T>, Receiver<T>) {
    let inner = Rc::new(RefCell::new(Inner {
        reg: Registration::new(ResourceKind::Oneshot, name, 1),
        value: None,
        sender_alive: true,
        receiver_alive: true,
        waker: None,
        blocked: false,
    }));
    {
        // A oneshot made inside a task starts with both ends held by it.
        let inner = inner.borrow();
        inner.reg.hold(End::Sender(0));
        inner.reg.hold(End::Receiver);
    }
    (Sender { inner: inner.clone() }, Receiver { inner })
}

/// Sends the one value.
pub struct Sender<T> {
    inner: Rc<RefCell<Inner<T>>>,
}

/// Receives the one value: await it.
pub struct Receiver<T> {
    inner: Rc<RefCell<Inner<T>>>,
}

/// The sender was dropped without sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Canceled;

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the oneshot sender was dropped without sending")
    }
}

impl<T> Sender<T> {
    /// Sends `value`; gives it back if the receiver is gone.
    #[track_caller]
    pub fn send(self, value: T) -> Result<(), T> {
        let waker = {
            let mut inner = self.inner.borrow_mut();
            if !inner.receiver_alive {
                return Err(value);
            }
            inner.value = Some(value);
            inner
                .reg
                .record_by(ResourceOp::Send, End::Sender(0), Some(Location::caller()));
            inner.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// True once the receiver is gone.
    pub fn is_closed(&self) -> bool {
        !self.inner.borrow().receiver_alive
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut inner = self.inner.borrow_mut();
            inner.sender_alive = false;
            inner.reg.release(End::Sender(0));
            if inner.value.is_some() {
                return;
            }
            inner.reg.record(ResourceOp::Closed, None);
            inner.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inner = self.inner.borrow_mut();
        if let Some(v) = inner.value.take() {
            inner.blocked = false;
            inner
                .reg
                .record_by(ResourceOp::Recv, End::Receiver, Some(Location::caller()));
            return Poll::Ready(Ok(v));
        }
        if !inner.sender_alive {
            inner.blocked = false;
            return Poll::Ready(Err(Canceled));
        }
        if !inner.blocked {
            inner.blocked = true;
            inner
                .reg
                .record_by(ResourceOp::BlockedOnEmpty, End::Receiver, Some(Location::caller()));
        }
        match &inner.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => inner.waker = Some(cx.waker().clone()),
        }
        pending_at(Location::caller())
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut inner = self.inner.borrow_mut();
        inner.receiver_alive = false;
        inner.reg.release(End::Receiver);
        if inner.blocked {
            inner.blocked = false;
            inner.reg.record(ResourceOp::GaveUp, None);
        }
        let value = inner.value.take();
        drop(inner);
        drop(value);
    }
}
