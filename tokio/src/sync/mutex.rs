//! `Mutex`: the library's fair mutex (a `mutex` resource of the trace),
//! held across `.await`.

use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

pub use wakescope::sync::{MutexGuard, OwnedMutexGuard};

/// The name of a mutex in the trace.
const NAME: &str = "mutex";

/// A fair async mutex: a released lock goes to the longest waiter.
pub struct Mutex<T> {
    /// The library's mutex, in an `Rc` so owned guards can keep it.
    inner: Rc<wakescope::sync::Mutex<T>>,
}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex").finish_non_exhaustive()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

/// `try_lock` found the mutex held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

impl TryLockError {
    pub(super) fn new() -> TryLockError {
        TryLockError(())
    }
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            inner: Rc::new(wakescope::sync::Mutex::new(NAME, value)),
        }
    }

    /// Waits for the lock.
    #[track_caller]
    pub fn lock(&self) -> wakescope::sync::Lock<'_, T> {
        self.inner.lock()
    }

    /// The lock if it is free now.
    #[track_caller]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        self.inner.try_lock().ok_or(TryLockError(()))
    }

    /// The value, through exclusive access to the mutex itself.
    ///
    /// # Panics
    /// While an owned guard (or its `lock_owned` future) is alive: it
    /// keeps a handle on the value.
    pub fn get_mut(&mut self) -> &mut T {
        Rc::get_mut(&mut self.inner)
            .expect("Mutex::get_mut while an owned guard is alive")
            .get_mut()
    }

    /// The value, consuming the mutex.
    ///
    /// # Panics
    /// While an owned guard (or its `lock_owned` future) is alive.
    pub fn into_inner(self) -> T {
        match Rc::try_unwrap(self.inner) {
            Ok(mutex) => mutex.into_inner(),
            Err(_) => panic!("Mutex::into_inner while an owned guard is alive"),
        }
    }

    /// Waits for the lock and returns a guard that owns a handle on the mutex.
    #[track_caller]
    pub fn lock_owned(self: Arc<Self>) -> wakescope::sync::LockOwned<T> {
        self.inner.lock_owned()
    }

    /// An owned guard if the lock is free now.
    #[track_caller]
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        self.inner.try_lock_owned().ok_or(TryLockError(()))
    }
}
