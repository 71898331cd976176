//! A bounded multi-producer, single-consumer channel with backpressure.
//!
//! `send` waits while the buffer is full (recorded once per wait as
//! `BlockedOnFull`); `recv` waits while it is empty (`BlockedOnEmpty`).
//! Waiting senders are served in arrival order. When every sender is gone
//! `recv` returns `None` after the buffer drains; when the receiver is gone
//! `send` returns the value in a [`SendError`].

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::{End, PreemptionPoint, Registration, Waiters, pending_at};
use crate::trace::{ResourceKind, ResourceOp};

struct Chan<T> {
    reg: Registration,
    buf: VecDeque<T>,
    capacity: usize,
    senders: usize,
    receiver_alive: bool,
    send_waiters: Waiters,
    recv_waker: Option<Waker>,
    /// `BlockedOnEmpty` was recorded for the receiver's current wait.
    recv_blocked: bool,
    /// The number the next cloned sender gets (see [`End::Sender`]).
    next_sender: u32,
}

impl<T> Chan<T> {
    /// The first waiting sender's waker, if there is room for it.
    fn next_sender(&mut self) -> Option<Waker> {
        if self.buf.len() < self.capacity {
            self.send_waiters.first_waiting().map(|w| w.waker.clone())
        } else {
            None
        }
    }
}

/// Creates a bounded channel named `name` holding at most `capacity` messages.
///
/// # Panics
/// If `capacity` is 0 (as tokio's bounded channel does): a channel that can
/// hold nothing cannot make progress.
///
/// ```
/// use std::time::Duration;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let got = sim.block_on(async {
///     let (tx, mut rx) = wakescope::sync::channel::<u32>("pipe", 1);
///     let _producer = wakescope::spawn("producer", async move {
///         for i in 0..3 {
///             tx.send(i).await.unwrap();
///         }
///     });
///     let mut got = Vec::new();
///     while let Some(v) = rx.recv().await {
///         got.push(v);
///     }
///     got
/// });
/// assert_eq!(got.unwrap(), vec![0, 1, 2]);
/// ```
pub fn channel<T>(name: &str, capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "wakescope::sync::channel(\"{name}\", 0): a bounded channel needs a capacity of at least 1"
    );
    let capacity_u32 = u32::try_from(capacity).unwrap_or(u32::MAX);
    let chan = Rc::new(RefCell::new(Chan {
        reg: Registration::new(ResourceKind::Channel, name, capacity_u32),
        buf: VecDeque::new(),
        capacity,
        senders: 1,
        receiver_alive: true,
        send_waiters: Waiters::default(),
        recv_waker: None,
        recv_blocked: false,
        next_sender: 1,
    }));
    {
        // A channel made inside a task starts with both ends held by it.
        let chan = chan.borrow();
        chan.reg.hold(End::Sender(0));
        chan.reg.hold(End::Receiver);
    }
    (
        Sender {
            chan: chan.clone(),
            end: 0,
        },
        Receiver { chan },
    )
}

/// The sending half; clone it for more producers.
pub struct Sender<T> {
    chan: Rc<RefCell<Chan<T>>>,
    /// This sending end's number in the channel.
    end: u32,
}

/// The receiving half.
pub struct Receiver<T> {
    chan: Rc<RefCell<Chan<T>>>,
}

/// The receiver is gone; the value comes back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the receiver is gone")
    }
}

/// Why `try_send` did not send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// The buffer is full (or senders are already waiting).
    Full(T),
    /// The receiver is gone.
    Closed(T),
}

/// Why `try_recv` returned nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing buffered yet.
    Empty,
    /// Nothing buffered and every sender is gone.
    Closed,
}

/// `recv` after every sender is gone and the buffer drained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvError;

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        let mut chan = self.chan.borrow_mut();
        chan.senders += 1;
        let end = chan.next_sender;
        chan.next_sender += 1;
        chan.reg.hold(End::Sender(end));
        Sender {
            chan: self.chan.clone(),
            end,
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut chan = self.chan.borrow_mut();
            chan.senders -= 1;
            chan.reg.release(End::Sender(self.end));
            if chan.senders > 0 {
                return;
            }
            chan.reg.record(ResourceOp::Closed, None);
            chan.recv_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the buffer is full.
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            sender: self,
            value: Some(value),
            ticket: None,
            preemption: PreemptionPoint::default(),
        }
    }

    /// Sends `value` if there is room right now.
    #[track_caller]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let waker = {
            let mut chan = self.chan.borrow_mut();
            if !chan.receiver_alive {
                return Err(TrySendError::Closed(value));
            }
            if chan.buf.len() >= chan.capacity || !chan.send_waiters.is_empty() {
                return Err(TrySendError::Full(value));
            }
            chan.buf.push_back(value);
            chan.reg
                .record_by(ResourceOp::Send, End::Sender(self.end), Some(Location::caller()));
            chan.recv_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Messages in the buffer now.
    pub fn len(&self) -> usize {
        self.chan.borrow().buf.len()
    }

    /// True when the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True once the receiver is gone.
    pub fn is_closed(&self) -> bool {
        !self.chan.borrow().receiver_alive
    }
}

/// The future returned by [`Sender::send`].
#[must_use = "futures do nothing unless awaited"]
pub struct Send<'a, T> {
    sender: &'a Sender<T>,
    value: Option<T>,
    /// Our place in the senders' queue, once we had to wait.
    ticket: Option<u64>,
    /// Yields once first when the run asks for preemption points.
    preemption: PreemptionPoint,
}

impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        std::task::ready!(this.preemption.poll(cx.waker(), Location::caller()));
        let mut chan = this.sender.chan.borrow_mut();
        if !chan.receiver_alive {
            if let Some(t) = this.ticket.take() {
                chan.send_waiters.remove(t);
            }
            let value = this.value.take().expect("a send is not polled after it finished");
            return Poll::Ready(Err(SendError(value)));
        }
        let my_turn = match this.ticket {
            None => chan.send_waiters.is_empty(),
            Some(t) => chan.send_waiters.is_first(t),
        };
        if my_turn && chan.buf.len() < chan.capacity {
            if let Some(t) = this.ticket.take() {
                chan.send_waiters.remove(t);
            }
            chan.buf
                .push_back(this.value.take().expect("a send is not polled after it finished"));
            chan.reg
                .record_by(ResourceOp::Send, End::Sender(this.sender.end), Some(Location::caller()));
            let receiver = chan.recv_waker.take();
            let next = chan.next_sender();
            drop(chan);
            receiver.into_iter().chain(next).for_each(Waker::wake);
            return Poll::Ready(Ok(()));
        }
        match this.ticket {
            Some(t) => {
                chan.send_waiters.update(t, cx.waker());
            }
            None => {
                this.ticket = Some(chan.send_waiters.push(cx.waker()));
                chan.reg.record_by(
                    ResourceOp::BlockedOnFull,
                    End::Sender(this.sender.end),
                    Some(Location::caller()),
                );
            }
        }
        pending_at(Location::caller())
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        let Some(t) = self.ticket.take() else { return };
        let next = {
            let mut chan = self.sender.chan.borrow_mut();
            chan.send_waiters.remove(t);
            chan.reg
                .record_by(ResourceOp::GaveUp, End::Sender(self.sender.end), None);
            chan.next_sender()
        };
        if let Some(w) = next {
            w.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// Receives the next message, waiting while the buffer is empty; `None`
    /// once every sender is gone and the buffer is drained.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            receiver: self,
            preemption: PreemptionPoint::default(),
        }
    }

    /// Receives a message if one is buffered.
    #[track_caller]
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let (value, next) = {
            let mut chan = self.chan.borrow_mut();
            match chan.buf.pop_front() {
                Some(v) => {
                    chan.reg
                        .record_by(ResourceOp::Recv, End::Receiver, Some(Location::caller()));
                    (v, chan.next_sender())
                }
                None if chan.senders == 0 => return Err(TryRecvError::Closed),
                None => return Err(TryRecvError::Empty),
            }
        };
        if let Some(w) = next {
            w.wake();
        }
        Ok(value)
    }

    /// Messages in the buffer now.
    pub fn len(&self) -> usize {
        self.chan.borrow().buf.len()
    }

    /// True when the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Senders waiting for room.
    pub fn blocked_senders(&self) -> usize {
        self.chan.borrow().send_waiters.len()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (wakers, buffered) = {
            let mut chan = self.chan.borrow_mut();
            chan.receiver_alive = false;
            chan.reg.record(ResourceOp::Closed, None);
            chan.reg.release(End::Receiver);
            (chan.send_waiters.take_all(), std::mem::take(&mut chan.buf))
        };
        drop(buffered);
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// The future returned by [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
    /// Yields once first when the run asks for preemption points.
    preemption: PreemptionPoint,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        std::task::ready!(this.preemption.poll(cx.waker(), Location::caller()));
        let mut chan = this.receiver.chan.borrow_mut();
        if let Some(v) = chan.buf.pop_front() {
            chan.recv_blocked = false;
            chan.recv_waker = None;
            chan.reg
                .record_by(ResourceOp::Recv, End::Receiver, Some(Location::caller()));
            let next = chan.next_sender();
            drop(chan);
            if let Some(w) = next {
                w.wake();
            }
            return Poll::Ready(Some(v));
        }
        if chan.senders == 0 {
            chan.recv_blocked = false;
            return Poll::Ready(None);
        }
        if !chan.recv_blocked {
            chan.recv_blocked = true;
            chan.reg
                .record_by(ResourceOp::BlockedOnEmpty, End::Receiver, Some(Location::caller()));
        }
        match &chan.recv_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => chan.recv_waker = Some(cx.waker().clone()),
        }
        pending_at(Location::caller())
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        let mut chan = self.receiver.chan.borrow_mut();
        if chan.recv_blocked {
            chan.recv_blocked = false;
            chan.recv_waker = None;
            chan.reg.record_by(ResourceOp::GaveUp, End::Receiver, None);
        }
    }
}
