//! `broadcast`: every receiver gets every value, from a ring of bounded size.
//!
//! Built from the library's `Notify` (a `broadcast` resource of the trace).
//! The channel keeps the last `capacity` values, each with a sequence
//! number; a receiver keeps the number of the next value it wants. A
//! receiver that fell more than `capacity` behind gets `Lagged(n)` for the
//! `n` values it missed and goes on from the oldest still kept. As in tokio,
//! the capacity is rounded up to a power of two.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

/// The channel's errors.
pub mod error {
    use std::fmt;

    /// `send` found no receiver; the value comes back.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub struct SendError<T>(pub T);

    impl<T> fmt::Debug for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("SendError(..)")
        }
    }

    impl<T> fmt::Display for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl<T> std::error::Error for SendError<T> {}

    /// Why `recv` returned no value.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum RecvError {
        /// Every sender is gone and this receiver has seen every value.
        Closed,
        /// This receiver missed this many values; the next `recv` gets the
        /// oldest value still kept.
        Lagged(u64),
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                RecvError::Closed => f.write_str("channel closed"),
                RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for RecvError {}

    /// Why `try_recv` returned no value.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TryRecvError {
        /// No value this receiver has not seen.
        Empty,
        /// Every sender is gone and this receiver has seen every value.
        Closed,
        /// This receiver missed this many values.
        Lagged(u64),
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
                TryRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, SendError, TryRecvError};

/// The name of a broadcast channel's notification in the trace.
const NAME: &str = "broadcast";

/// The state every end shares.
struct Shared<T> {
    /// The kept values, oldest first.
    ring: RefCell<VecDeque<Slot<T>>>,
    /// Most values kept (a power of two).
    capacity: usize,
    /// The sequence number the next value gets.
    next_seq: Cell<u64>,
    /// Senders alive.
    senders: Cell<usize>,
    /// Receivers alive.
    receivers: Cell<usize>,
    /// Wakes the receivers waiting in `recv`.
    sent: wakescope::sync::Notify,
}

/// One kept value.
struct Slot<T> {
    /// Its sequence number.
    seq: u64,
    /// The value.
    value: T,
    /// Receivers alive when it was sent that have not received it yet:
    /// while above zero the value counts as queued (`Sender::len`).
    unseen: usize,
}

/// A channel keeping the last `capacity` values (rounded up to a power of two).
///
/// ```
/// use wakescope_tokio as tokio;
/// use tokio::sync::broadcast::error::RecvError;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let got = sim.block_on(async {
///     let (tx, mut rx) = tokio::sync::broadcast::channel(2);
///     for i in 0..3 {
///         tx.send(i).unwrap(); // the third pushes out the first
///     }
///     (rx.recv().await, rx.recv().await, rx.recv().await)
/// });
/// assert_eq!(got.unwrap(), (Err(RecvError::Lagged(1)), Ok(1), Ok(2)));
/// ```
///
/// # Panics
/// When `capacity` is 0.
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "broadcast channel capacity cannot be zero");
    let capacity = capacity.next_power_of_two();
    let shared = Rc::new(Shared {
        ring: RefCell::new(VecDeque::with_capacity(capacity)),
        capacity,
        next_seq: Cell::new(0),
        senders: Cell::new(1),
        receivers: Cell::new(1),
        sent: wakescope::sync::Notify::new(NAME),
    });
    (Sender { shared: shared.clone() }, Receiver { shared, next: 0 })
}

/// Sends values to every receiver (clone it for more senders).
pub struct Sender<T> {
    /// The channel.
    shared: Rc<Shared<T>>,
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("next_seq", &self.shared.next_seq.get())
            .finish()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.set(self.shared.senders.get() + 1);
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Sender<T> {
    /// Keeps `value` for every receiver (dropping the oldest when full) and
    /// returns how many receivers there are; `Err` with the value if none.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let receivers = self.shared.receivers.get();
        if receivers == 0 {
            return Err(SendError(value));
        }
        let seq = self.shared.next_seq.get();
        {
            let mut ring = self.shared.ring.borrow_mut();
            if ring.len() == self.shared.capacity {
                ring.pop_front();
            }
            ring.push_back(Slot {
                seq,
                value,
                unseen: receivers,
            });
        }
        self.shared.next_seq.set(seq + 1);
        self.shared.sent.notify_waiters();
        Ok(receivers)
    }

    /// A receiver that gets the values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.set(self.shared.receivers.get() + 1);
        Receiver {
            shared: self.shared.clone(),
            next: self.shared.next_seq.get(),
        }
    }

    /// Receivers alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.get()
    }

    /// Values queued: kept, and not yet received by every receiver that
    /// was alive when each was sent.
    pub fn len(&self) -> usize {
        self.shared.ring.borrow().iter().filter(|slot| slot.unseen > 0).count()
    }

    /// True when no value is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let senders = self.shared.senders.get();
        assert!(senders > 0, "broadcast: a sender dropped twice");
        self.shared.senders.set(senders - 1);
        if senders == 1 {
            self.shared.sent.notify_waiters();
        }
    }
}

/// Receives every value sent after it subscribed.
pub struct Receiver<T> {
    /// The channel.
    shared: Rc<Shared<T>>,
    /// The sequence number of the next value this receiver wants.
    next: u64,
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("next", &self.next).finish()
    }
}

impl<T: Clone> Receiver<T> {
    /// Waits for the next value; `Lagged` when values were missed, `Closed`
    /// when every sender is gone and every value was received.
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        loop {
            match self.try_recv() {
                Ok(value) => return Ok(value),
                Err(TryRecvError::Lagged(n)) => return Err(RecvError::Lagged(n)),
                Err(TryRecvError::Closed) => return Err(RecvError::Closed),
                // Nothing else runs between the check and this wait's
                // first poll, so no send can slip in between.
                Err(TryRecvError::Empty) => self.shared.sent.notified().await,
            }
        }
    }

    /// The next value if one is there now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut ring = self.shared.ring.borrow_mut();
        if let Some(oldest) = ring.front().map(|slot| slot.seq)
            && self.next < oldest
        {
            let missed = oldest - self.next;
            self.next = oldest;
            return Err(TryRecvError::Lagged(missed));
        }
        if let Some(oldest) = ring.front().map(|slot| slot.seq)
            && self.next < self.shared.next_seq.get()
        {
            let index = usize::try_from(self.next - oldest).expect("a ring index fits in usize");
            let slot = &mut ring[index];
            assert_eq!(slot.seq, self.next, "broadcast: the ring's sequence numbers have a gap");
            slot.unseen = slot.unseen.saturating_sub(1);
            self.next += 1;
            return Ok(slot.value.clone());
        }
        if self.shared.senders.get() == 0 {
            return Err(TryRecvError::Closed);
        }
        Err(TryRecvError::Empty)
    }

    /// A new receiver that gets the values sent from now on.
    pub fn resubscribe(&self) -> Receiver<T> {
        self.shared.receivers.set(self.shared.receivers.get() + 1);
        Receiver {
            shared: self.shared.clone(),
            next: self.shared.next_seq.get(),
        }
    }

    /// Values sent that this receiver has not received (and still kept).
    pub fn len(&self) -> usize {
        let oldest = self.shared.ring.borrow().front().map_or(self.next, |slot| slot.seq);
        let from = self.next.max(oldest);
        usize::try_from(self.shared.next_seq.get() - from).expect("a count of kept values fits in usize")
    }

    /// True when this receiver has received every value kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let receivers = self.shared.receivers.get();
        assert!(receivers > 0, "broadcast: a receiver dropped twice");
        self.shared.receivers.set(receivers - 1);
        // The values it never received no longer wait for it.
        for slot in self.shared.ring.borrow_mut().iter_mut() {
            if slot.seq >= self.next {
                slot.unseen = slot.unseen.saturating_sub(1);
            }
        }
    }
}
