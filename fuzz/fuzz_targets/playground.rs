//! The playground's parser and interpreter on arbitrary text.
//!
//! Parsing must never panic: anything it does not take is a diagnostic. A
//! program that parses runs to an end within bounds (a step limit for the
//! run, a statement limit per poll, the call-depth and nesting limits) and
//! never panics the host — a failure is its task's panic — and the same
//! program with the same seed gives the same trace, twice.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wakescope::{Config, Limits, Sim};
use wakescope_playground::Program;

/// Executor steps a fuzzed run may take, and statements per poll.
const STEPS_MAX: u64 = 2_000;
const STATEMENTS_PER_POLL: u64 = 2_000;

fn run(program: &Program) -> u64 {
    let limits = Limits {
        steps_max: STEPS_MAX,
        ..Limits::default()
    };
    let mut sim = Sim::new(Config::seeded(7).with_limits(limits));
    let _main = program.spawn_main(&mut sim);
    sim.run();
    sim.fingerprint()
}

/// Stack of the thread each input runs on: the evaluator may nest
/// `NESTED_POLLS_MAX` polls, and this build's frames (debug assertions,
/// coverage counters) are several times a release build's.
const STACK_BYTES: usize = 64 << 20;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let text = text.to_owned();
    let checked = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let Ok(program) = Program::parse("fuzz.rs", &text) else { return };
            let program = program.with_steps_per_poll(STATEMENTS_PER_POLL);
            let first = run(&program);
            assert_eq!(run(&program), first, "the same program and seed gave two traces");
        })
        .expect("a thread for the input")
        .join();
    if let Err(panic) = checked {
        std::panic::resume_unwind(panic);
    }
});
