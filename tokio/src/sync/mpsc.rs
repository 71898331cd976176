//! Multi-producer, single-consumer channels: bounded with backpressure,
//! and unbounded.
//!
//! Both are the library's channel (a `channel` resource of the trace); the
//! unbounded one has a capacity of `usize::MAX`, so its senders never wait.

use std::fmt;

/// The channels' errors.
pub mod error {
    use std::fmt;

    pub use wakescope::sync::{SendError, TrySendError};

    /// Why `try_recv` returned nothing.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TryRecvError {
        /// Nothing buffered yet.
        Empty,
        /// Nothing buffered and every sender is gone.
        Disconnected,
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("receiving on an empty channel"),
                TryRecvError::Disconnected => f.write_str("receiving on a closed channel"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{SendError, TryRecvError, TrySendError};

/// The name of a bounded channel in the trace.
const BOUNDED_NAME: &str = "mpsc";
/// The name of an unbounded channel in the trace.
const UNBOUNDED_NAME: &str = "mpsc unbounded";

/// A channel that holds at most `buffer` messages; senders wait when it is full.
///
/// # Panics
/// When `buffer` is 0, as tokio's does.
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let (tx, rx) = wakescope::sync::channel(BOUNDED_NAME, buffer);
    (Sender { inner: tx, buffer }, Receiver { inner: rx })
}

/// A channel without a bound: sending never waits.
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = wakescope::sync::channel(UNBOUNDED_NAME, usize::MAX);
    (
        UnboundedSender { inner: tx },
        UnboundedReceiver {
            inner: Receiver { inner: rx },
        },
    )
}

/// The sending half of a bounded channel.
pub struct Sender<T> {
    /// The library's sender.
    inner: wakescope::sync::Sender<T>,
    /// The channel's capacity.
    buffer: usize,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            inner: self.inner.clone(),
            buffer: self.buffer,
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("max_capacity", &self.buffer).finish()
    }
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the channel is full; `Err` with the
    /// value if the receiver is gone.
    #[track_caller]
    pub fn send(&self, value: T) -> wakescope::sync::Send<'_, T> {
        self.inner.send(value)
    }

    /// Sends `value` if there is room now.
    #[track_caller]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.inner.try_send(value)
    }

    /// True once the receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Free slots in the buffer now.
    pub fn capacity(&self) -> usize {
        self.buffer.saturating_sub(self.inner.len())
    }

    /// The channel's capacity, as created.
    pub fn max_capacity(&self) -> usize {
        self.buffer
    }
}

/// The receiving half of a bounded channel.
pub struct Receiver<T> {
    /// The library's receiver.
    inner: wakescope::sync::Receiver<T>,
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("len", &self.inner.len()).finish()
    }
}

impl<T> Receiver<T> {
    /// Waits for the next message; `None` once every sender is gone and the
    /// buffer is drained.
    #[track_caller]
    pub fn recv(&mut self) -> wakescope::sync::Recv<'_, T> {
        self.inner.recv()
    }

    /// The next message if one is buffered.
    #[track_caller]
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inner.try_recv().map_err(|e| match e {
            wakescope::sync::TryRecvError::Empty => TryRecvError::Empty,
            wakescope::sync::TryRecvError::Closed => TryRecvError::Disconnected,
        })
    }

    /// Messages buffered now.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

/// The sending half of an unbounded channel.
pub struct UnboundedSender<T> {
    /// The library's sender (of a channel with capacity `usize::MAX`).
    inner: wakescope::sync::Sender<T>,
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").finish_non_exhaustive()
    }
}

impl<T> UnboundedSender<T> {
    /// Sends `value` at once; `Err` with the value if the receiver is gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.inner.try_send(value) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(value)) => Err(SendError(value)),
            Err(TrySendError::Full(_)) => unreachable!("an unbounded channel (capacity usize::MAX) is never full"),
        }
    }

    /// True once the receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

/// The receiving half of an unbounded channel.
#[derive(Debug)]
pub struct UnboundedReceiver<T> {
    /// The same receiver as a bounded channel's.
    inner: Receiver<T>,
}

impl<T> UnboundedReceiver<T> {
    /// Waits for the next message; `None` once every sender is gone and the
    /// buffer is drained.
    #[track_caller]
    pub fn recv(&mut self) -> wakescope::sync::Recv<'_, T> {
        self.inner.recv()
    }

    /// The next message if one is buffered.
    #[track_caller]
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.inner.try_recv()
    }

    /// Messages buffered now.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}
