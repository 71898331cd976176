//! Synchronisation between tasks, each primitive a traced resource.
//!
//! The bounded channel, the oneshot, the mutex, the semaphore and `Notify`
//! are the library's own (`wakescope::sync`), so each operation is a
//! resource event of the trace; the unbounded channel is the library's
//! channel with no practical bound, and `RwLock`, `OnceCell`, `watch`, `broadcast`
//! and `Barrier` are built from the library's mutex and `Notify`, so their
//! waits show up as those resources' waits. Share them between tasks with
//! `Rc` or `Arc` (an `Arc` of a `!Sync` value is fine on one thread).

pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
pub mod watch;

mod barrier;
mod mutex;
mod notify;
mod once_cell;
mod rwlock;
mod semaphore;

pub use barrier::{Barrier, BarrierWaitResult};
pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Notified, Notify};
pub use once_cell::{OnceCell, SetError};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError};
