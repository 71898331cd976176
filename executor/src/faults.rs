//! Fault injection and invariant checks: the simulation-testing hooks.
//!
//! Faults are configured in [`crate::Faults`] (all off by default), drawn
//! from the seed's own fault stream and recorded as `Fault` events, so a run
//! with faults replays exactly like any other. Three are applied by the
//! executor — delays before a poll, spurious wakes, timer jitter — and one is
//! asked for by user code: [`buggify`], after FoundationDB's `BUGGIFY`, marks
//! a rare branch (a retry, a short read, a slow path) that the simulation
//! takes now and then.
//!
//! [`check`] states an invariant from inside a task; [`crate::Sim::add_invariant`]
//! states one the executor evaluates after every step. A failing check ends
//! the run with [`crate::Outcome::CheckFailed`], naming the message, the seed
//! and the step.

use crate::context::{try_with_core, with_core};

/// True when this rare branch should be taken now: with the probability
/// [`crate::Faults::buggify_ppm`], never when it is 0 (the default) and
/// never outside a simulation. Each `true` is recorded.
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let retries = sim.block_on(async {
///     let mut retries = 0;
///     while wakescope::buggify() {
///         retries += 1;
///     }
///     retries
/// });
/// assert_eq!(retries.unwrap(), 0, "faults are off by default");
/// ```
pub fn buggify() -> bool {
    try_with_core(|core| core.buggify()).unwrap_or(false)
}

/// `buggify!()` is [`buggify()`], for code that reads like FoundationDB's.
#[macro_export]
macro_rules! buggify {
    () => {
        $crate::buggify()
    };
}

/// States an invariant: if `condition` is false, the run ends with
/// [`crate::Outcome::CheckFailed`] carrying `message`, the seed and the step.
///
/// The failure names the line of the call (a `check!` names its own).
///
/// # Panics
/// Outside a simulation.
#[track_caller]
pub fn check(condition: bool, message: &str) {
    if condition {
        return;
    }
    let at = std::panic::Location::caller();
    with_core("check", |core| core.fail_check(message.to_string(), Some(at)));
}

/// `check!(condition, "format {}", args)`: [`check()`] with a formatted
/// message, built only when the check fails.
#[macro_export]
macro_rules! check {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            $crate::check(false, &format!($($fmt)+));
        }
    };
}
