//! Printing through the simulation: `use wakescope::println;` makes a
//! program's output part of its trace, with the line of each call.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::describe::{PRINTED_CHARS_SHOWN, describe, describe_record};
use wakescope::trace::{PRINTED_BYTES_MAX, Site};
use wakescope::{Config, Event, Sim, TaskId, Trace, check_determinism, print_line, println, sleep, spawn, with_site};

mod support;

const SOURCE: &str = include_str!("print.rs");

/// `file:line:column` of the line ending with `marker`, at `column`.
fn at(marker: &str, column: u32) -> String {
    format!("{}:{}:{column}", file!(), support::line_of(SOURCE, marker))
}

/// Every printed event of `trace`: task, text and location.
fn printed(trace: &Trace) -> Vec<(Option<TaskId>, String, Option<String>)> {
    trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Printed { task } => Some((
                task,
                trace
                    .printed_text(r.seq as usize)
                    .expect("a printed event has a text")
                    .to_string(),
                trace.site(r.seq as usize).map(Site::to_string),
            )),
            _ => None,
        })
        .collect()
}

/// A kitchen that announces what it does, with the shadowing `println!`.
fn kitchen(seed: u64) -> Sim {
    let mut sim = Sim::new(Config::seeded(seed));
    let _main = sim.spawn("main", async {
        let popcorn = spawn("popcorn", async {
            sleep(Duration::from_secs(3)).await;
            println!("popcorn done after {} s", 3); // POPCORN
        });
        let kernels = 120;
        println!("{kernels} kernels in"); // KERNELS
        println!(); // EMPTY
        popcorn.await.unwrap();
    });
    assert!(sim.run().is_completed(), "seed {seed}");
    sim
}

#[test]
fn a_program_that_imports_println_prints_into_the_trace_with_each_line() {
    let sim = kitchen(1);
    let trace = sim.trace_clone();
    assert_eq!(
        printed(&trace),
        [
            (Some(TaskId(0)), "120 kernels in".to_string(), Some(at("// KERNELS", 9))),
            (Some(TaskId(0)), String::new(), Some(at("// EMPTY", 9))),
            (
                Some(TaskId(1)),
                "popcorn done after 3 s".to_string(),
                Some(at("// POPCORN", 13))
            ),
        ]
    );
    // The line is printed where the task printed it: after its timer fired.
    let fired = trace
        .iter()
        .position(|r| matches!(r.event, Event::TimerFired { .. }))
        .unwrap();
    let popcorn = trace
        .iter()
        .position(|r| matches!(r.event, Event::Printed { task: Some(TaskId(1)) }))
        .unwrap();
    assert!(fired < popcorn, "fired at {fired}, printed at {popcorn}");
    support::check_invariants(&trace, "kitchen seed 1").unwrap();
}

#[test]
fn a_printed_line_round_trips_through_a_file_with_its_text_and_line() {
    let sim = kitchen(2);
    let trace = sim.trace_clone();
    let text = trace.to_jsonl();
    let line = format!(
        r#""kind":"printed","task":0,"text":"120 kernels in","at":"{}"}}"#,
        at("// KERNELS", 9)
    );
    assert!(text.contains(&line), "{text}");
    let back = Trace::from_jsonl(&text).unwrap();
    assert_eq!(printed(&back), printed(&trace));
    assert_eq!(back.fingerprint(), trace.fingerprint());
    assert_eq!(back.to_jsonl(), text);
}

/// A one-task trace that prints `text`, as a file.
fn file_printing(text: &str) -> String {
    let mut sim = Sim::new(Config::seeded(3));
    let text = text.to_string();
    let _t = sim.spawn("t", async move { print_line(&text) });
    sim.run();
    sim.trace_jsonl()
}

#[test]
fn a_file_with_a_printed_text_over_the_limit_is_refused_with_its_line() {
    let at_limit = "a".repeat(PRINTED_BYTES_MAX);
    let file = file_printing(&at_limit);
    assert!(
        Trace::from_jsonl(&file).is_ok(),
        "{PRINTED_BYTES_MAX} bytes are allowed"
    );
    let line = file.lines().position(|l| l.contains(r#""kind":"printed""#)).unwrap() + 1;
    let over = file.replacen(&at_limit, &format!("{at_limit}b"), 1);
    assert_eq!(
        Trace::from_jsonl(&over).unwrap_err().to_string(),
        format!(
            "line {line}: the printed text is {} bytes; the limit is {PRINTED_BYTES_MAX}",
            PRINTED_BYTES_MAX + 1
        )
    );
}

#[test]
fn a_longer_text_is_cut_when_recorded_so_its_trace_reads_back() {
    let long = "🍿".repeat(PRINTED_BYTES_MAX); // 4 bytes each
    let file = file_printing(&long);
    let trace = Trace::from_jsonl(&file).unwrap();
    let [(_, kept, _)] = &printed(&trace)[..] else {
        panic!("one printed line");
    };
    assert!(kept.len() <= PRINTED_BYTES_MAX, "{} bytes", kept.len());
    assert!(kept.ends_with("🍿…"), "cut at a character, with an ellipsis");
    assert!(long.starts_with(kept.trim_end_matches('…')));
}

#[test]
fn with_site_names_the_interpreter_s_line_for_a_print() {
    let mut sim = Sim::new(Config::seeded(4));
    let _t = sim.spawn("script", async {
        let here = Site::parse("playground.rs:2:5").unwrap();
        with_site(here, || println!("from the playground"));
        println!("from the test"); // OWN LINE
    });
    sim.run();
    let sites: Vec<Option<String>> = printed(&sim.trace_clone()).into_iter().map(|p| p.2).collect();
    assert_eq!(
        sites,
        [Some("playground.rs:2:5".to_string()), Some(at("// OWN LINE", 9))]
    );
}

#[test]
fn a_print_reads_as_the_task_printing_its_text() {
    let mut sim = Sim::new(Config::seeded(5));
    let _t = sim.spawn("boiler", async {
        println!("water at {} °C", 100);
        println!("{}", "x".repeat(PRINTED_CHARS_SHOWN + 1));
    });
    sim.enter(|| println!("between steps"));
    sim.run();
    let trace = sim.trace_clone();
    let words: Vec<_> = trace
        .iter()
        .filter(|r| matches!(r.event, Event::Printed { .. }))
        .map(|r| describe(&trace, &r))
        .collect();
    assert_eq!(words.len(), 3);
    assert!(words.iter().all(|w| w.kind == "print"));
    assert_eq!(words[0].sentence(), "outside prints \"between steps\"");
    assert_eq!(words[1].sentence(), "boiler #0 prints \"water at 100 °C\"");
    let clipped = format!("boiler #0 prints \"{}…\"", "x".repeat(PRINTED_CHARS_SHOWN));
    assert_eq!(words[2].sentence(), clipped);
    let record = trace
        .iter()
        .find(|r| matches!(r.event, Event::Printed { task: Some(_) }))
        .unwrap();
    let line = describe_record(&trace, &record);
    assert!(
        line.starts_with("t=0.000s  boiler #0  prints \"water at 100 °C\"  at executor/tests/print.rs:"),
        "{line}"
    );
}

#[test]
fn what_a_program_prints_is_part_of_its_fingerprint() {
    let run = |text: &'static str| {
        let mut sim = Sim::new(Config::seeded(6));
        let _t = sim.spawn("t", async move { println!("{text}") });
        sim.run();
        sim.fingerprint()
    };
    assert_eq!(run("ready"), run("ready"));
    assert_ne!(run("ready"), run("steady"));
}

#[test]
fn the_determinism_check_sees_a_difference_past_the_shown_characters() {
    // A counter outside the simulation leaks into the end of a long line:
    // the words of the two events agree, their texts do not.
    let runs = Rc::new(Cell::new(0u32));
    let divergence = check_determinism(7, |sim| {
        let run = runs.get();
        runs.set(run + 1);
        let _t = sim.spawn("leaky", async move {
            println!("{} run {run}", "-".repeat(PRINTED_CHARS_SHOWN));
        });
        sim.run();
        Ok(())
    })
    .unwrap_err();
    assert_eq!(divergence.first_event.map(|r| r.event.kind().name()), Some("printed"));
}

#[test]
fn without_a_simulation_or_a_trace_a_print_only_prints() {
    print_line("no simulation here");
    println!("nor {}", "here");
    let mut sim = Sim::new(Config::seeded(8).with_trace(false));
    sim.block_on(async { println!("not recorded") }).unwrap();
    assert!(sim.trace().is_empty());
}
