//! `watch`: one value, many observers who see its latest version.
//!
//! Built from the library's `Notify` (a `watch` resource of the trace):
//! each send bumps a version and wakes every waiting receiver; a receiver
//! remembers the version it saw last, so `changed` returns at once when it
//! is behind and waits otherwise. Dropping the sender wakes the receivers,
//! whose `changed` then fails.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::ops::Deref;
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

    /// The sender is gone.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, SendError};

/// The name of a watch channel's notification in the trace.
const NAME: &str = "watch";

/// The state both ends share.
struct Shared<T> {
    /// The latest value.
    value: RefCell<T>,
    /// Bumped by every send.
    version: Cell<u64>,
    /// Receivers alive.
    receivers: Cell<usize>,
    /// Senders alive.
    senders: Cell<usize>,
    /// Wakes the receivers waiting in `changed`.
    changed: wakescope::sync::Notify,
}

/// A channel holding `init`, which receivers have already seen.
///
/// ```
/// use wakescope_tokio as tokio;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let seen = sim.block_on(async {
///     let (tx, mut rx) = tokio::sync::watch::channel("starting");
///     let _task = tokio::spawn(async move { tx.send("ready").unwrap() });
///     rx.changed().await.unwrap();
///     *rx.borrow_and_update()
/// });
/// assert_eq!(seen.unwrap(), "ready");
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Rc::new(Shared {
        value: RefCell::new(init),
        version: Cell::new(0),
        receivers: Cell::new(1),
        senders: Cell::new(1),
        changed: wakescope::sync::Notify::new(NAME),
    });
    (Sender { shared: shared.clone() }, Receiver { shared, seen: 0 })
}

/// A borrow of the current value.
pub struct Ref<'a, T> {
    /// The value's borrow.
    value: std::cell::Ref<'a, T>,
    /// Whether it was new to the receiver that borrowed it.
    changed: bool,
}

impl<T> Ref<'_, T> {
    /// True when the receiver had not seen this value before borrowing it.
    pub fn has_changed(&self) -> bool {
        self.changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

/// Sends new values (clone it for more senders).
pub struct Sender<T> {
    /// The channel.
    shared: Rc<Shared<T>>,
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("version", &self.shared.version.get())
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
    /// Replaces the value and wakes the receivers; `Err` with the value if
    /// there are none.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.receivers.get() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value whether or not anyone receives; returns the old one.
    #[track_caller]
    pub fn send_replace(&self, value: T) -> T {
        let old = self.shared.value.replace(value);
        self.bump();
        old
    }

    /// Changes the value in place and wakes the receivers.
    #[track_caller]
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        modify(&mut self.shared.value.borrow_mut());
        self.bump();
    }

    /// Changes the value in place; wakes the receivers only if `modify`
    /// returns true. Returns what it returned.
    #[track_caller]
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let modified = modify(&mut self.shared.value.borrow_mut());
        if modified {
            self.bump();
        }
        modified
    }

    /// The current value.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            value: self.shared.value.borrow(),
            changed: false,
        }
    }

    /// A new receiver that has seen the current value.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.set(self.shared.receivers.get() + 1);
        Receiver {
            shared: self.shared.clone(),
            seen: self.shared.version.get(),
        }
    }

    /// Receivers alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.get()
    }

    /// True when every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.receivers.get() == 0
    }

    #[track_caller]
    fn bump(&self) {
        self.shared.version.set(self.shared.version.get() + 1);
        self.shared.changed.notify_waiters();
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let senders = self.shared.senders.get();
        assert!(senders > 0, "watch: a sender dropped twice");
        self.shared.senders.set(senders - 1);
        if senders == 1 {
            self.shared.changed.notify_waiters();
        }
    }
}

/// Observes the value (clone it for more receivers).
pub struct Receiver<T> {
    /// The channel.
    shared: Rc<Shared<T>>,
    /// The version this receiver saw last.
    seen: u64,
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("seen", &self.seen).finish()
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.set(self.shared.receivers.get() + 1);
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Receiver<T> {
    /// The current value, without marking it seen.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            value: self.shared.value.borrow(),
            changed: self.seen != self.shared.version.get(),
        }
    }

    /// The current value, marking it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let version = self.shared.version.get();
        let changed = self.seen != version;
        self.seen = version;
        Ref {
            value: self.shared.value.borrow(),
            changed,
        }
    }

    /// True when a value this receiver has not seen was sent; `Err` once
    /// the senders are gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        if self.shared.senders.get() == 0 {
            return Err(RecvError(()));
        }
        Ok(self.seen != self.shared.version.get())
    }

    /// Makes the current value count as unseen.
    pub fn mark_changed(&mut self) {
        self.seen = self.shared.version.get().wrapping_sub(1);
    }

    /// Makes the current value count as seen.
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.version.get();
    }

    /// Waits for a value this receiver has not seen, and marks it seen;
    /// `Err` once every sender is gone.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        loop {
            let version = self.shared.version.get();
            if self.seen != version {
                self.seen = version;
                return Ok(());
            }
            if self.shared.senders.get() == 0 {
                return Err(RecvError(()));
            }
            // Nothing else runs between the check and this wait's first
            // poll, so no send can slip in between.
            self.shared.changed.notified().await;
        }
    }

    /// Waits until the value satisfies `condition` (checking the current
    /// one first) and returns it, marked seen.
    pub async fn wait_for(&mut self, mut condition: impl FnMut(&T) -> bool) -> Result<Ref<'_, T>, RecvError> {
        loop {
            self.seen = self.shared.version.get();
            if condition(&self.shared.value.borrow()) {
                break;
            }
            self.changed().await?;
        }
        Ok(Ref {
            value: self.shared.value.borrow(),
            changed: false,
        })
    }

    /// True when both receive from the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let receivers = self.shared.receivers.get();
        assert!(receivers > 0, "watch: a receiver dropped twice");
        self.shared.receivers.set(receivers - 1);
    }
}
