//! `RwLock`: many readers or one writer, built from the library's fair
//! mutex and `Notify` so its waits are resource events of the trace.
//!
//! Design. Every reader and writer first passes a gate, the library mutex
//! `rwlock` (fair: arrival order). A reader passes it, counts itself in and
//! opens it again; a writer keeps it for as long as it writes, and first
//! waits on `rwlock readers` (a `Notify`) until the readers inside have
//! left. So a waiting writer holds back the readers that come after it, as
//! tokio's write-preferring lock does. States: free (gate open, no reader),
//! read by n ≥ 1 (gate open), written (gate held, no reader); the value's
//! `RefCell` asserts that a writer and a reader never overlap.

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::fmt;
use std::ops::{Deref, DerefMut};

use super::TryLockError;

/// The name of the gate in the trace.
const GATE_NAME: &str = "rwlock";
/// The name of the readers-left notification in the trace.
const READERS_NAME: &str = "rwlock readers";

/// A fair reader-writer lock held across `.await`.
///
/// ```
/// use std::rc::Rc;
/// use wakescope_tokio as tokio;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let value = sim.block_on(async {
///     let lock = Rc::new(tokio::sync::RwLock::new(1));
///     let (a, b) = (lock.read().await, lock.read().await); // readers share
///     assert!(lock.try_write().is_err());
///     drop((a, b));
///     *lock.write().await += 1;
///     *lock.read().await
/// });
/// assert_eq!(value.unwrap(), 2);
/// ```
pub struct RwLock<T> {
    /// Passed by every reader and held by the writer.
    gate: wakescope::sync::Mutex<()>,
    /// Readers holding a guard now.
    readers: Cell<usize>,
    /// Woken when the last reader leaves.
    readers_left: wakescope::sync::Notify,
    /// The protected value.
    value: RefCell<T>,
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLock").field("readers", &self.readers.get()).finish()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> RwLock<T> {
    /// A free lock holding `value`.
    pub fn new(value: T) -> RwLock<T> {
        RwLock {
            gate: wakescope::sync::Mutex::new(GATE_NAME, ()),
            readers: Cell::new(0),
            readers_left: wakescope::sync::Notify::new(READERS_NAME),
            value: RefCell::new(value),
        }
    }

    /// Waits for shared access.
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        let gate = self.gate.lock().await;
        let guard = self.enter_reader();
        drop(gate);
        guard
    }

    /// Shared access if no writer holds or waits for the lock now.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        let gate = self.gate.try_lock().ok_or_else(TryLockError::new)?;
        let guard = self.enter_reader();
        drop(gate);
        Ok(guard)
    }

    /// Waits for exclusive access.
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        let gate = self.gate.lock().await;
        while self.readers.get() > 0 {
            self.readers_left.notified().await;
        }
        self.enter_writer(gate)
    }

    /// Exclusive access if the lock is free now.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        let gate = self.gate.try_lock().ok_or_else(TryLockError::new)?;
        if self.readers.get() > 0 {
            return Err(TryLockError::new());
        }
        Ok(self.enter_writer(gate))
    }

    /// The value, through exclusive access to the lock itself.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// The value, consuming the lock.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    fn enter_reader(&self) -> RwLockReadGuard<'_, T> {
        self.readers.set(self.readers.get() + 1);
        let value = self
            .value
            .try_borrow()
            .expect("RwLock: a reader got in while a writer writes");
        RwLockReadGuard { lock: self, value }
    }

    fn enter_writer<'a>(&'a self, gate: wakescope::sync::MutexGuard<'a, ()>) -> RwLockWriteGuard<'a, T> {
        assert_eq!(self.readers.get(), 0, "RwLock: a writer got in while readers read");
        let value = self.value.try_borrow_mut().expect("RwLock: two writers at once");
        RwLockWriteGuard { value, _gate: gate }
    }

    /// Counts a reader out, waking a waiting writer after the last.
    fn leave_reader(&self) {
        let readers = self.readers.get();
        assert!(readers > 0, "RwLock: a reader left that never entered");
        self.readers.set(readers - 1);
        if readers == 1 {
            self.readers_left.notify_one();
        }
    }
}

/// Shared access to an [`RwLock`]'s value; dropping it lets a writer in.
pub struct RwLockReadGuard<'a, T> {
    /// The lock, to count this reader out.
    lock: &'a RwLock<T>,
    /// The value, borrowed shared.
    value: Ref<'a, T>,
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.leave_reader();
    }
}

/// Exclusive access to an [`RwLock`]'s value; dropping it opens the gate.
pub struct RwLockWriteGuard<'a, T> {
    /// The value, borrowed exclusively (dropped before the gate).
    value: RefMut<'a, T>,
    /// The gate, held while writing.
    _gate: wakescope::sync::MutexGuard<'a, ()>,
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}
