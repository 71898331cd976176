//! `Semaphore`: the library's fair semaphore (a `semaphore` resource of the trace).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

pub use wakescope::sync::AcquireError;

/// The name of a semaphore in the trace.
const NAME: &str = "semaphore";

/// A counting semaphore: a released permit goes to the longest waiter.
pub struct Semaphore {
    /// The library's semaphore, in an `Rc` so owned permits can keep it.
    inner: Rc<wakescope::sync::Semaphore>,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.inner.available_permits())
            .finish()
    }
}

/// Why `try_acquire` returned no permit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore is closed.
    Closed,
    /// No permit is free now.
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

/// A permit borrowed from a [`Semaphore`]; dropping it releases it.
pub struct SemaphorePermit<'a> {
    /// The library's permit.
    _inner: wakescope::sync::Permit<'a>,
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").finish_non_exhaustive()
    }
}

/// A permit that owns a handle on its [`Semaphore`]; dropping it releases it.
pub struct OwnedSemaphorePermit {
    /// The library's permit.
    _inner: wakescope::sync::OwnedPermit,
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit").finish_non_exhaustive()
    }
}

impl SemaphorePermit<'_> {
    /// Keeps the permit taken for good: the semaphore has one permit fewer.
    /// (The trace goes on showing it held by the task that took it.)
    pub fn forget(self) {
        self._inner.forget();
    }
}

impl OwnedSemaphorePermit {
    /// Keeps the permit taken for good: the semaphore has one permit fewer.
    /// (The trace goes on showing it held by the task that took it.)
    pub fn forget(self) {
        self._inner.forget();
    }
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            inner: Rc::new(wakescope::sync::Semaphore::new(NAME, permits)),
        }
    }

    /// Waits for a permit; `Err` once the semaphore is closed.
    #[track_caller]
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            inner: self.inner.acquire(),
        }
    }

    /// A permit if one is free now.
    #[track_caller]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        if self.inner.is_closed() {
            return Err(TryAcquireError::Closed);
        }
        match self.inner.try_acquire() {
            Some(permit) => Ok(SemaphorePermit { _inner: permit }),
            None => Err(TryAcquireError::NoPermits),
        }
    }

    /// Waits for a permit that owns a handle on the semaphore.
    #[track_caller]
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        AcquireOwned {
            inner: self.inner.acquire_owned(),
        }
    }

    /// An owned permit if one is free now.
    #[track_caller]
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        if self.inner.is_closed() {
            return Err(TryAcquireError::Closed);
        }
        match self.inner.try_acquire_owned() {
            Some(permit) => Ok(OwnedSemaphorePermit { _inner: permit }),
            None => Err(TryAcquireError::NoPermits),
        }
    }

    /// Permits free now.
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Closes the semaphore: waiters and later acquires get `AcquireError`.
    pub fn close(&self) {
        self.inner.close();
    }

    /// True once closed.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

/// The future returned by [`Semaphore::acquire`].
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    /// The library's future.
    inner: wakescope::sync::Acquire<'a>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.inner)
            .poll(cx)
            .map_ok(|permit| SemaphorePermit { _inner: permit })
    }
}

/// The future returned by [`Semaphore::acquire_owned`].
#[must_use = "futures do nothing unless awaited"]
pub struct AcquireOwned {
    /// The library's future.
    inner: wakescope::sync::AcquireOwned,
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.inner)
            .poll(cx)
            .map_ok(|permit| OwnedSemaphorePermit { _inner: permit })
    }
}
