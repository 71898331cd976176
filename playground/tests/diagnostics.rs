//! Bad programs lose nothing and freeze nothing: what the playground cannot
//! run is refused with its line and column; what fails while running ends
//! its task as panicked, with the message and the line, and the others go on.

use wakescope::{Config, Event, Outcome, Sim};
use wakescope_playground::{PROGRAM_BYTES_MAX, Program, STEPS_PER_POLL_MAX, SUPPORTED};

fn refused(text: &str) -> (u32, u32, String) {
    match Program::parse("bad.rs", text) {
        Ok(_) => panic!("the playground ran:\n{text}"),
        Err(d) => (d.line, d.column, d.message),
    }
}

/// Runs `text` to its end; the outcome and, for the first panicked task, its
/// message and the location the trace gives it.
fn run(text: &str) -> (Outcome, Option<(String, String)>) {
    run_program(&Program::parse("prog.rs", text).unwrap_or_else(|d| panic!("{d}")))
}

/// [`run`] of a parsed program (one given other limits, say).
fn run_program(program: &Program) -> (Outcome, Option<(String, String)>) {
    let mut sim = Sim::new(Config::seeded(1));
    let _main = program.spawn_main(&mut sim);
    let outcome = sim.run();
    let trace = sim.trace_clone();
    let panicked = trace.iter().find_map(|r| match r.event {
        Event::Panicked { task } => Some((
            trace.panic_message(task).unwrap().to_string(),
            trace.site(r.seq as usize).map(ToString::to_string).unwrap_or_default(),
        )),
        _ => None,
    });
    (outcome, panicked)
}

#[test]
fn a_construct_outside_the_subset_is_refused_at_its_place_with_the_list() {
    let (line, column, message) = refused("struct Point(u32);\nasync fn main() {}\n");
    assert_eq!((line, column), (1, 1));
    assert!(
        message.starts_with("the item `struct` is not supported in the playground"),
        "{message}"
    );
    assert!(message.ends_with(SUPPORTED), "{message}");

    let (line, column, message) = refused("async fn main() {\n    let x = [0; 3];\n}\n");
    assert_eq!((line, column), (2, 13));
    assert!(
        message.contains("the expression `[x; n]` is not supported"),
        "{message}"
    );

    let (line, column, message) = refused("async fn main() {\n    let y = 1.5;\n}\n");
    assert_eq!((line, column), (2, 13));
    assert!(message.contains("this literal (floats, bytes)"), "{message}");
}

#[test]
fn a_parse_error_names_its_place_and_a_program_needs_main() {
    let (line, column, message) = refused("async fn main() {\n    let x = ;\n}\n");
    assert_eq!(line, 2);
    assert!(column >= 13, "column {column}");
    assert!(message.contains("expected"), "{message}");
    let (_, _, message) = refused("async fn helper() {}\n");
    assert!(message.contains("no `async fn main()`"), "{message}");
    let long = format!("async fn main() {{}}\n//{}\n", "x".repeat(PROGRAM_BYTES_MAX));
    let (_, _, message) = refused(&long);
    assert!(message.contains(&format!("at most {PROGRAM_BYTES_MAX}")), "{message}");
}

#[test]
fn a_future_never_awaited_gets_rustcs_warning() {
    let text =
        "use std::time::Duration;\nuse wakescope::sleep;\n\nasync fn main() {\n    sleep(Duration::from_secs(1));\n}\n";
    let program = Program::parse("warn.rs", text).unwrap();
    let warnings = program.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!((warnings[0].line, warnings[0].column), (5, 5));
    assert!(
        warnings[0].message.contains("this `sleep(..)` is never awaited"),
        "{}",
        warnings[0].message
    );
    // And it does nothing, as compiled: no timer is armed.
    let mut sim = Sim::new(Config::seeded(1));
    let _main = program.spawn_main(&mut sim);
    assert!(sim.run().is_completed());
    assert!(
        !sim.trace_clone()
            .iter()
            .any(|r| matches!(r.event, Event::TimerArmed { .. }))
    );
}

#[test]
fn a_pending_future_never_awaited_is_warned_about_and_one_awaited_never_ends() {
    let text = "use std::future::pending;\n\nasync fn main() {\n    pending::<()>();\n}\n";
    let program = Program::parse("warn.rs", text).unwrap();
    let warnings = program.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!((warnings[0].line, warnings[0].column), (4, 5));
    assert!(
        warnings[0].message.contains("this `pending(..)` is never awaited"),
        "{}",
        warnings[0].message
    );
    // Awaited, it waits forever: with nothing else to run, the run deadlocks.
    let (outcome, panicked) = run("use std::future::pending;\n\nasync fn main() {\n    pending::<()>().await;\n}\n");
    assert!(outcome.deadlock().is_some(), "{outcome}");
    assert_eq!(panicked, None);
}

#[test]
fn a_failing_task_panics_with_its_message_at_its_line_and_the_others_go_on() {
    let text = "use wakescope::{spawn, yield_now};\n\
                \n\
                async fn main() {\n\
                \x20   let bad = spawn(\"bad\", async {\n\
                \x20       yield_now().await;\n\
                \x20       let n = 5u32;\n\
                \x20       n.lock()\n\
                \x20   });\n\
                \x20   let good = spawn(\"good\", async { 1 + 1 });\n\
                \x20   assert!(bad.await.is_err());\n\
                \x20   assert_eq!(good.await.unwrap(), 2);\n\
                }\n";
    let (outcome, panicked) = run(text);
    assert!(outcome.is_completed(), "main handled the panic: {outcome}");
    let (message, at) = panicked.unwrap();
    assert_eq!(message, "no method `lock` on a value of type `u32`");
    assert_eq!(at, "prog.rs:7:9");
}

#[test]
fn an_unknown_name_and_a_moved_value_are_named() {
    let (outcome, panicked) = run("async fn main() {\n    frobnicate(3);\n}\n");
    assert!(matches!(outcome, Outcome::Panicked(_)), "{outcome}");
    let (message, at) = panicked.unwrap();
    assert_eq!(
        message,
        "cannot find function `frobnicate` in this program or the library"
    );
    assert_eq!(at, "prog.rs:2:5");

    let text = "use wakescope::sync::channel;\n\nasync fn main() {\n    let (tx, rx) = channel::<u32>(\"c\", 1);\n    drop(tx);\n    drop(tx);\n    drop(rx);\n}\n";
    let (_, panicked) = run(text);
    let (message, at) = panicked.unwrap();
    assert_eq!(message, "use of moved value `tx`");
    assert_eq!(at, "prog.rs:6:10");
}

#[test]
fn an_endless_loop_without_an_await_stops_at_the_limit_and_the_run_ends() {
    let text = "use wakescope::{spawn, yield_now};\n\nasync fn main() {\n    let spinner = spawn(\"spinner\", async {\n        let mut n = 0u64;\n        loop {\n            n = n + 1;\n        }\n    });\n    yield_now().await;\n    assert!(spinner.await.is_err());\n}\n";
    let (outcome, panicked) = run(text);
    assert!(outcome.is_completed(), "{outcome}");
    let (message, at) = panicked.unwrap();
    assert!(
        message.contains(&format!("ran {STEPS_PER_POLL_MAX} statements without an `.await`")),
        "{message}"
    );
    assert_eq!(at, "prog.rs:6:9", "the loop's line");
}

#[test]
fn deep_recursion_and_deep_nesting_are_stopped_with_a_message() {
    let text = "async fn down(n: u64) -> u64 {\n    if n == 0 { 0 } else { 1 + Box::pin(down(n - 1)).await }\n}\n\nasync fn main() {\n    down(1000).await;\n}\n";
    // `Box::pin` is not in the subset (plain recursion of an async fn is):
    // the task fails at the call, with its name.
    let (_, panicked) = run(text);
    assert_eq!(
        panicked.unwrap().0,
        "cannot find function `Box::pin` in this program or the library"
    );
    let text = "async fn down(n: u64) -> u64 {\n    if n == 0 { 0 } else { 1 + down(n - 1).await }\n}\n\nasync fn main() {\n    down(1000).await;\n}\n";
    let (outcome, panicked) = run(text);
    assert!(matches!(outcome, Outcome::Panicked(_)), "{outcome}");
    let (message, at) = panicked.unwrap();
    assert!(
        message.contains(&format!("called {} calls deep", wakescope_playground::CALL_DEPTH_MAX)),
        "{message}"
    );
    assert_eq!(at, "prog.rs:1:10", "the function's name");
    // Shallow recursion runs.
    let (outcome, _) = run(&text.replace("down(1000)", "down(20)"));
    assert!(outcome.is_completed(), "{outcome}");

    let deep = format!(
        "async fn main() {{\n    let x = {}1{};\n}}\n",
        "(".repeat(200),
        ")".repeat(200)
    );
    let (line, _, message) = refused(&deep);
    assert_eq!(line, 2);
    assert!(message.contains("nests brackets deeper than"), "{message}");
}

#[test]
fn a_program_cannot_grow_without_bound() {
    // A loop over a huge range is walked, not collected, and stops at the limit.
    let text = "async fn main() {\n    for i in 0..u64::MAX {\n        let _ = i;\n    }\n}\n";
    let (_, panicked) = run(text);
    assert!(panicked.unwrap().0.contains("statements without an `.await`"));
    // A string that doubles is stopped at its size limit.
    let text =
        "async fn main() {\n    let mut s = String::from(\"ab\");\n    loop {\n        s = s.clone() + &s;\n    }\n}\n";
    let (_, panicked) = run(text);
    let (message, at) = panicked.unwrap();
    assert!(
        message.contains(&format!("limit of {} bytes", wakescope_playground::STRING_BYTES_MAX)),
        "{message}"
    );
    assert_eq!(at, "prog.rs:4:13");
}

/// Found by the fuzz target: a failed `assert!` whose message is cut from
/// the program's text read a line before the first.
#[test]
fn a_failed_assert_in_any_program_names_its_condition() {
    let text = include_str!("../../fuzz/corpus/playground/regression-assert-line.rs");
    let (outcome, panicked) = run(text);
    assert!(matches!(outcome, Outcome::Panicked(_)), "{outcome}");
    assert!(panicked.is_some());
    if let Outcome::Panicked(p) = outcome {
        assert_eq!(p.message, "assertion failed: failed.is_err()");
    }
}

/// Found by the fuzz target: a channel of capacity 0 is a panic of the task
/// that makes it, with the library's message — not of the host.
#[test]
fn a_channel_of_capacity_zero_panics_its_task_not_the_page() {
    let text =
        "use wakescope::sync::channel;\n\nasync fn main() {\n    let (_tx, _rx) = channel::<u32>(\"jobs\", 0);\n}\n";
    let (outcome, panicked) = run(text);
    assert!(matches!(outcome, Outcome::Panicked(_)), "{outcome}");
    let (message, at) = panicked.unwrap();
    assert_eq!(
        message,
        "wakescope::sync::channel(\"jobs\", 0): a bounded channel needs a capacity of at least 1"
    );
    assert_eq!(at, "prog.rs:4:22");
    let found = include_str!("../../fuzz/corpus/playground/regression-channel-zero.rs");
    let _ = Program::parse("found.rs", found).map(|_| run(found));
}

#[test]
fn unreachable_and_todo_panic_with_rusts_words() {
    let (_, panicked) = run("async fn main() {\n    unreachable!(\"state {}\", 3);\n}\n");
    assert_eq!(panicked.unwrap().0, "internal error: entered unreachable code: state 3");
    let (_, panicked) = run("async fn main() {\n    todo!();\n}\n");
    assert_eq!(panicked.unwrap().0, "not yet implemented");
}

#[test]
fn an_async_fn_never_awaited_and_a_bad_format_string_are_caught_before_running() {
    let text = "async fn helper() {}\n\nasync fn main() {\n    helper();\n}\n";
    let program = Program::parse("warn.rs", text).unwrap();
    assert_eq!(program.warnings().len(), 1);
    assert_eq!(program.warnings()[0].line, 4);
    assert!(
        program.warnings()[0]
            .message
            .contains("this `helper(..)` is never awaited")
    );
    let (line, _, message) = refused("async fn main() {\n    let x = 3;\n    println!(\"{:>5}\", x);\n}\n");
    assert_eq!(line, 3);
    assert!(message.contains("`{:>5}` is not supported"), "{message}");
}

#[test]
fn a_library_future_spawned_as_a_task_waits_where_it_was_spawned() {
    let text = "use std::time::Duration;\nuse wakescope::{sleep, spawn};\n\nasync fn main() {\n    let popcorn = spawn(\"popcorn\", sleep(Duration::from_secs(3)));\n    popcorn.await.unwrap();\n}\n";
    let program = Program::parse("prog.rs", text).unwrap();
    let mut sim = Sim::new(Config::seeded(1));
    let _main = program.spawn_main(&mut sim);
    sim.run();
    let trace = sim.trace_clone();
    let popcorn_waits: Vec<String> = trace
        .iter()
        .filter(|r| matches!(r.event, Event::PollEnded { task, result: wakescope::PollResult::Pending } if task.0 == 1))
        .map(|r| trace.site(r.seq as usize).unwrap().to_string())
        .collect();
    // As compiled: a task whose whole future is a library future waits at its spawn.
    assert_eq!(popcorn_waits, ["prog.rs:5:19"]);
}

/// Found by the fuzz target (a stack overflow in the parser): long runs of
/// prefix operators or closures are refused before parsing, and brackets,
/// operators in strings and comments do not count.
#[test]
fn chains_the_parser_would_recurse_on_too_deeply_are_refused() {
    for chain in ["!", "- ", "|| ", "&", "*"] {
        let text = format!("async fn main() {{\n    let x = {}1;\n}}\n", chain.repeat(5000));
        let (line, _, message) = refused(&text);
        assert_eq!(line, 2, "{chain:?}");
        assert!(
            message.contains("prefix operators or closure bars in a row"),
            "{chain:?}: {message}"
        );
    }
    let fine = "async fn main() {\n    // (((((((( ---------------------------------------- !!!!\n    let s = \"((((((((((((((((((((((((((((((((((((((((((((((((((((((---------------------------------\";\n    assert!(!!true);\n}\n";
    let (outcome, _) = run(fine);
    assert!(outcome.is_completed(), "{outcome}");
}

#[test]
fn an_expression_deeper_than_the_limit_is_refused() {
    let text = format!("async fn main() {{\n    let x = 1{};\n}}\n", " + 1".repeat(400));
    let (line, _, message) = refused(&text);
    assert_eq!(line, 2);
    assert!(
        message.contains(&format!(
            "nests deeper than {} levels",
            wakescope_playground::EXPR_DEPTH_MAX
        )),
        "{message}"
    );
    let (outcome, _) = run(&format!(
        "async fn main() {{\n    let x = 1{};\n    assert_eq!(x, 51);\n}}\n",
        " + 1".repeat(50)
    ));
    assert!(outcome.is_completed(), "{outcome}");
}

/// Found by the fuzz target (a timeout): finding where each expression starts
/// cost as much as the expression, at every level of a deep one (now it reads
/// the first token). The garbled program it found is refused.
#[test]
fn a_deep_garbled_program_is_refused_quickly() {
    let text = include_str!("../../fuzz/corpus/playground/regression-slow-lowering.rs");
    let refused = Program::parse("slow.rs", text).err().expect("refused");
    assert!(refused.message.contains("nests deeper than"), "{}", refused.message);
}

/// Found by the fuzz target (three timeouts, up to 90 s): an expression kind
/// whose start was found by printing it (`yield`, here before a deep chain of
/// unary operators and ranges), and refusals placed the same way (an item
/// inside a block, a `const` holding such a chain); `syn`'s printer can take
/// exponential time on such chains. Every expression, item, pattern and type
/// a refusal names is now placed at its first token.
#[test]
fn garbled_programs_with_deep_yields_are_refused_at_their_first_token() {
    for (name, text) in [
        (
            "regression-yield-printing.rs",
            include_str!("../../fuzz/corpus/playground/regression-yield-printing.rs"),
        ),
        (
            "regression-yield-printing-2.rs",
            include_str!("../../fuzz/corpus/playground/regression-yield-printing-2.rs"),
        ),
        (
            "regression-item-printing.rs",
            include_str!("../../fuzz/corpus/playground/regression-item-printing.rs"),
        ),
    ] {
        let refused = Program::parse(name, text).err().expect("refused");
        assert!(refused.line >= 1 && refused.column >= 1, "{name}: {refused:?}");
    }
    // A refused `yield` is placed at the keyword, not at what it yields.
    let (line, column, message) = refused("async fn main() {\n    let _x = yield -(-(-(1 .. 2)));\n}\n");
    assert_eq!((line, column), (2, 14), "{message}");
    // An item inside a block is placed at its first token, `pub` included.
    let (line, column, message) = refused("async fn main() {\n    pub const X: u32 = 1;\n}\n");
    assert_eq!((line, column), (2, 5), "{message}");
    assert!(message.contains("an item inside a block"), "{message}");
}

/// Found by the fuzz target (a timeout): recursion that doubles at every
/// level and never waits ran 2^31 calls in one poll; the per-poll limit
/// counted only loop turns. Calls count now, and the task stops at the call.
#[test]
fn recursion_that_never_waits_stops_at_the_per_poll_limit_at_the_call() {
    let text = "async fn f(n: u64) -> u64 {\n    if n == 0 {\n        return 0;\n    }\n    f(n - 2).await + f(n - 2).await + 1\n}\n\nasync fn main() {\n    let v = f(62).await;\n    assert!(v > 0);\n}\n";
    let program = Program::parse("prog.rs", text).unwrap().with_steps_per_poll(10_000);
    let (outcome, panicked) = run_program(&program);
    assert!(matches!(outcome, Outcome::Panicked(_)), "{outcome}");
    let (message, at) = panicked.expect("main panicked");
    assert!(
        message.contains("this call of `f` came after 10000 statements"),
        "{message}"
    );
    assert!(at.starts_with("prog.rs:5:"), "at the recursive call: {at}");
}
