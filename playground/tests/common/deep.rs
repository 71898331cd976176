//! A program that nests polls deeper than the playground allows: an
//! `.await` at the bottom of a long chain of `+`, in a function that
//! recurses 62 calls deep. Found by the fuzz target, where it overflowed
//! the host's stack; now its task stops at `NESTED_POLLS_MAX`.

use wakescope::trace::Event;
use wakescope::{Config, Outcome, Sim};
use wakescope_playground::{NESTED_POLLS_MAX, Program};

/// The program's text.
pub fn text() -> String {
    let chain = " + 1".repeat(120);
    format!(
        "async fn f(n: u64) -> u64 {{\n    if n == 0 {{\n        return 0;\n    }}\n    f(n - 1).await{chain}\n}}\n\nasync fn main() {{\n    let v = f(62).await;\n    assert!(v > 0);\n}}\n"
    )
}

/// Runs it and checks that `main` panicked with the nesting message, at the
/// deep expression (line 5); then that the same recursion with a shallow
/// expression completes.
pub fn check() {
    let program = Program::parse("deep.rs", &text()).unwrap_or_else(|d| panic!("{d}"));
    let mut sim = Sim::new(Config::seeded(1));
    let _main = program.spawn_main(&mut sim);
    let outcome = sim.run();
    assert!(matches!(outcome, Outcome::Panicked(_)), "{outcome}");
    let trace = sim.trace_clone();
    let (message, at) = trace
        .iter()
        .find_map(|r| match r.event {
            Event::Panicked { task } => Some((
                trace.panic_message(task).unwrap_or_default().to_string(),
                trace.site(r.seq as usize).map(|s| s.to_string()).unwrap_or_default(),
            )),
            _ => None,
        })
        .expect("a task panicked");
    assert!(message.contains(&format!("nest {NESTED_POLLS_MAX} deep")), "{message}");
    assert!(at.starts_with("deep.rs:5:"), "at the deep expression: {at}");

    let shallow = "async fn f(n: u64) -> u64 {\n    if n == 0 {\n        return 0;\n    }\n    f(n - 1).await + 1\n}\n\nasync fn main() {\n    assert_eq!(f(62).await, 62);\n}\n";
    let program = Program::parse("shallow.rs", shallow).unwrap_or_else(|d| panic!("{d}"));
    let mut sim = Sim::new(Config::seeded(1));
    let _main = program.spawn_main(&mut sim);
    let outcome = sim.run();
    assert!(outcome.is_completed(), "{outcome}");
}
