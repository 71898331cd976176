//! A channel for one value: the library's oneshot (a traced resource).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The oneshot's errors.
pub mod error {
    use std::fmt;

    /// The sender was dropped without sending.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::RecvError;

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The name of a oneshot in the trace.
const NAME: &str = "oneshot";

/// A channel for exactly one value.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = wakescope::sync::oneshot::channel(NAME);
    (Sender { inner: tx }, Receiver { inner: rx })
}

/// Sends the one value.
pub struct Sender<T> {
    /// The library's sender.
    inner: wakescope::sync::oneshot::Sender<T>,
}

impl<T> Sender<T> {
    /// Sends `value`; `Err(value)` if the receiver is gone.
    pub fn send(self, value: T) -> Result<(), T> {
        self.inner.send(value)
    }

    /// True once the receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

/// Awaits the one value.
pub struct Receiver<T> {
    /// The library's receiver.
    inner: wakescope::sync::oneshot::Receiver<T>,
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.inner).poll(cx).map_err(|_| RecvError(()))
    }
}
