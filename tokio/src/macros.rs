//! `select!`, `join!`, `try_join!` and `pin!`.
//!
//! The first three are procedural (crate `wakescope-macros`); these
//! wrappers pass them this crate's `$crate` path, so their expansion finds
//! the helpers in [`crate::__private`] under whatever name the facade has.

/// Waits on several branches and runs the handler of the first to complete.
///
/// `pattern = future [, if precondition] => handler`, an optional
/// `else => handler` for when every branch is disabled, and an optional
/// leading `biased;`. Without `biased;` the branch polled first is drawn
/// from the simulation's seeded select stream (`wakescope::select_first`),
/// so which of two ready branches wins depends on the seed, and only on it.
///
/// ```
/// use std::time::Duration;
/// use wakescope_tokio as tokio;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(3));
/// let winner = sim.block_on(async {
///     let (tx, rx) = tokio::sync::oneshot::channel();
///     let _task = tokio::spawn(async move { tx.send(5).unwrap() });
///     tokio::select! {
///         v = rx => v.unwrap(),
///         _ = tokio::time::sleep(Duration::from_secs(1)) => 0,
///     }
/// });
/// assert_eq!(winner.unwrap(), 5);
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__private::select_impl!(($crate) $($tokens)*)
    };
}

/// Runs futures concurrently in this task and returns all their outputs.
#[macro_export]
macro_rules! join {
    ($($tokens:tt)*) => {
        $crate::__private::join_impl!(($crate) $($tokens)*)
    };
}

/// Runs `Result` futures concurrently; the first `Err` ends it at once.
#[macro_export]
macro_rules! try_join {
    ($($tokens:tt)*) => {
        $crate::__private::try_join_impl!(($crate) $($tokens)*)
    };
}

/// Pins values on the stack: `pin!(a, b)` or `pin! { let a = f(); }`.
#[macro_export]
macro_rules! pin {
    ($($x:ident),* $(,)?) => {
        $( let mut $x = ::core::pin::pin!($x); )*
    };
    ($(let $x:ident = $init:expr;)*) => {
        $( let $x = $init; $crate::pin!($x); )*
    };
}
