//! `OnceCell`: a value set once, by the first task to ask, others waiting.
//!
//! Built from the library's mutex (a `once cell` resource of the trace):
//! the task that initialises holds it while its initialiser runs, so a
//! second task asking meanwhile waits on it and then finds the value.

use std::fmt;
use std::future::Future;

/// The name of the cell's initialisation lock in the trace.
const NAME: &str = "once cell";

/// Why `set` did not store the value; the value comes back.
#[derive(Clone, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already has a value.
    AlreadyInitializedError(T),
    /// A task is initialising the cell now.
    InitializingError(T),
}

impl<T> fmt::Debug for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("AlreadyInitializedError(..)"),
            SetError::InitializingError(_) => f.write_str("InitializingError(..)"),
        }
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("the cell is already initialized"),
            SetError::InitializingError(_) => f.write_str("the cell is being initialized"),
        }
    }
}

impl<T> std::error::Error for SetError<T> {}

/// A cell written at most once.
pub struct OnceCell<T> {
    /// The value once set.
    value: std::cell::OnceCell<T>,
    /// Held while an initialiser runs.
    init: wakescope::sync::Mutex<()>,
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell").field("value", &self.value.get()).finish()
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T> OnceCell<T> {
    /// An empty cell.
    pub fn new() -> OnceCell<T> {
        OnceCell {
            value: std::cell::OnceCell::new(),
            init: wakescope::sync::Mutex::new(NAME, ()),
        }
    }

    /// A cell holding `value` if it is `Some`.
    pub fn new_with(value: Option<T>) -> OnceCell<T> {
        let cell = OnceCell::new();
        if let Some(value) = value {
            let _ = cell.value.set(value);
        }
        cell
    }

    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// True once set.
    pub fn initialized(&self) -> bool {
        self.value.get().is_some()
    }

    /// Stores `value` if the cell is empty and nobody is initialising it.
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        if self.initialized() {
            return Err(SetError::AlreadyInitializedError(value));
        }
        let Some(_initialising) = self.init.try_lock() else {
            return Err(SetError::InitializingError(value));
        };
        self.value.set(value).map_err(SetError::AlreadyInitializedError)
    }

    /// The value, initialised by `init` if the cell is empty; a task asking
    /// while another initialises waits for it.
    pub async fn get_or_init<F, Fut>(&self, init: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self
            .get_or_try_init(|| async { Ok::<T, std::convert::Infallible>(init().await) })
            .await
        {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Like [`OnceCell::get_or_init`] with an initialiser that may fail;
    /// after a failure the cell stays empty and the next task tries.
    pub async fn get_or_try_init<E, F, Fut>(&self, init: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.value.get() {
            return Ok(value);
        }
        let _initialising = self.init.lock().await;
        if let Some(value) = self.value.get() {
            return Ok(value);
        }
        let value = init().await?;
        assert!(self.value.set(value).is_ok(), "OnceCell: set twice under its lock");
        Ok(self.value.get().expect("the value was just set"))
    }

    /// Takes the value, leaving the cell empty.
    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }
}
