//! Printing through the simulation: a program's output as part of its trace.
//!
//! A line printed with [`crate::println!`] (or [`print_line`]) inside a
//! simulation is recorded as an [`crate::Event::Printed`] event, by the task
//! being polled, with the line of the call — so the output sits in the
//! timeline between the polls, wakes and timers that led to it, and a
//! replayed run prints the same lines in the same places. The text is kept in
//! the trace (cut to [`crate::trace::PRINTED_BYTES_MAX`] bytes) and hashed
//! into the fingerprint: a run that prints something else is another run.
//!
//! Natively the line also goes to standard output, as `std::println!` would
//! write it; on wasm32 it goes only to the trace (the browser app shows it in
//! its event log). Outside a simulation it is only printed.
//!
//! A program opts in with `use wakescope::println;`, which shadows the
//! standard library's macro in that module: the calls stay as they are.

use std::panic::Location;

use crate::context::try_with_core;

/// Prints `text` as one line: recorded in the current simulation's trace (if
/// any, with the location of the call) and, natively, written to standard
/// output. [`crate::println!`] formats its arguments and calls this.
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// sim.block_on(async { wakescope::print_line("popcorn is ready") }).unwrap();
/// let trace = sim.trace();
/// let printed = trace.iter().find(|r| matches!(r.event, wakescope::Event::Printed { .. }));
/// assert_eq!(trace.printed_text(printed.unwrap().seq as usize), Some("popcorn is ready"));
/// ```
#[track_caller]
pub fn print_line(text: &str) {
    let at = Location::caller();
    try_with_core(|core| core.print(text, at));
    #[cfg(not(target_arch = "wasm32"))]
    ::std::println!("{text}");
}

/// Records `text` as a printed line of the current simulation without
/// writing it anywhere: for a host that shows the output its own way (the
/// playground's interpreter, whose output is the trace). The trace is the
/// same as [`print_line`]'s.
#[track_caller]
pub fn record_line(text: &str) {
    let at = Location::caller();
    try_with_core(|core| core.print(text, at));
}

/// Prints a line through the simulation, with `std::println!`'s syntax:
/// `println!()`, `println!("{} popped", n)`, `println!("{n} popped")`.
///
/// The line is formatted with `format!` and given to [`print_line`]: inside a
/// simulation it becomes a `printed` event of the trace, at the line of the
/// call; natively it is also written to standard output. Import it to shadow
/// the standard library's `println!` in a module:
///
/// ```
/// use wakescope::println;
///
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// sim.block_on(async {
///     let kernels = 3;
///     println!("{kernels} kernels popped");
/// })
/// .unwrap();
/// let text = sim.trace().to_jsonl();
/// assert!(text.contains(r#""kind":"printed","task":0,"text":"3 kernels popped""#));
/// ```
#[macro_export]
macro_rules! println {
    () => {
        $crate::print_line("")
    };
    ($($arg:tt)+) => {
        $crate::print_line(&::std::format!($($arg)+))
    };
}
