//! A run recorded elsewhere and sent as pieces of its JSON lines — how the
//! app receives a program interpreted in its worker — is the same recording
//! as the run recorded live: the same events, fold at every step, end and
//! fingerprint. Every scenario, every mode, three seeds, cut into pieces at
//! the executor's step boundaries and in the middle of lines' runs.
//!
//! Every failure message names the scenario, mode and seed.

#![cfg(feature = "scenarios")]

use wakescope::scenarios::{self, Params, Scenario};
use wakescope::trace::JsonlWriter;
use wakescope::view::{EndKind, Recording, RunEnd};
use wakescope::{Config, Sim, Step};

/// Runs with more events than this are skipped (`million` at its default is
/// exercised by the app's own tests; here it runs with fewer tasks).
const EVENTS_MAX: usize = 400_000;

/// Streams `sim` to `recording` the way a producer would: a few executor
/// steps, then the lines they recorded as one piece (`steps_per_piece`
/// varies the cut), then the end.
fn stream(mut sim: Sim, steps_per_piece: u32) -> (Recording, Sim) {
    let mut writer = JsonlWriter::new();
    let mut header = Vec::new();
    writer.header(&sim.trace(), &mut header);
    let mut streamed = Recording::streamed(std::str::from_utf8(&header).expect("utf-8")).expect("the header reads");
    let end = loop {
        let mut finished = None;
        for _ in 0..steps_per_piece {
            if let Step::Finished(outcome) = sim.step() {
                finished = Some(outcome);
                break;
            }
        }
        let mut piece = Vec::new();
        writer.events(&sim.trace(), usize::MAX, &mut piece);
        streamed.push_jsonl(String::from_utf8(piece).expect("utf-8"));
        // Fold a little between pieces, as the page does between messages.
        streamed.advance(1);
        if let Some(outcome) = finished {
            break RunEnd::from_outcome(&outcome);
        }
    };
    streamed.close(end);
    streamed.finish();
    (streamed, sim)
}

fn cases() -> Vec<(&'static Scenario, Params, String)> {
    let mut cases = Vec::new();
    for scenario in scenarios::registry() {
        for mode in scenario.modes {
            let given: Vec<(&str, &str)> = match scenario.id {
                "million" => vec![("tasks", "2000")],
                "cost" => vec![("tasks", "300")],
                _ => vec![],
            };
            let (params, errors) = scenario.params(Some(mode.id), given);
            assert!(errors.is_empty(), "{}: {errors:?}", scenario.id);
            cases.push((scenario, params, format!("{} mode {}", scenario.id, mode.id)));
        }
    }
    cases
}

#[test]
fn a_streamed_run_is_the_live_run() {
    for (scenario, params, what) in cases() {
        for seed in [1, 12, 40] {
            let what = format!("{what} seed {seed}");
            let mut live = Recording::live(scenario.start(Config::seeded(seed), &params), u64::MAX);
            live.finish();
            if live.len() as usize > EVENTS_MAX {
                continue;
            }
            for steps_per_piece in [1, 7, 1000] {
                let (streamed, sim) = stream(scenario.start(Config::seeded(seed), &params), steps_per_piece);
                let what = format!("{what}, {steps_per_piece} steps a piece");
                assert_eq!(streamed.len(), live.len(), "{what}: events");
                assert_eq!(streamed.fingerprint(), live.fingerprint(), "{what}: fingerprint");
                assert_eq!(streamed.fingerprint(), Some(sim.trace().fingerprint()), "{what}");
                assert_eq!(streamed.end(), live.end(), "{what}: end");
                let total = live.len();
                for k in [0, 1, total / 3, total / 2, total - 1, total, 2] {
                    assert_eq!(streamed.view_at(k), live.view_at(k), "{what}: step {k}");
                    assert_eq!(streamed.clock_at(k), live.clock_at(k), "{what}: clock at {k}");
                    assert_eq!(streamed.next_poll(k), live.next_poll(k), "{what}: next poll at {k}");
                }
                assert_eq!(
                    streamed.with_trace(|t| t.to_jsonl()),
                    live.with_trace(|t| t.to_jsonl()),
                    "{what}: the trace, line for line"
                );
            }
        }
    }
}

#[test]
fn the_writers_pieces_make_the_whole_file() {
    let scenario = scenarios::find("race").expect("registered");
    let mut sim = scenario.start(Config::seeded(12), &scenario.default_params());
    let mut writer = JsonlWriter::new();
    let mut text = Vec::new();
    writer.header(&sim.trace(), &mut text);
    while !matches!(sim.step(), Step::Finished(_)) {
        writer.events(&sim.trace(), usize::MAX, &mut text);
    }
    writer.events(&sim.trace(), usize::MAX, &mut text);
    assert_eq!(writer.written(), sim.trace().len());
    assert_eq!(String::from_utf8(text).expect("utf-8"), sim.trace().to_jsonl());
}

#[test]
fn the_end_waits_for_the_close_and_for_every_line() {
    let scenario = scenarios::find("timers").expect("registered");
    let mut sim = scenario.start(Config::seeded(3), &scenario.default_params());
    let outcome = sim.run();
    let text = sim.trace().to_jsonl();
    let (header, events) = text.split_once('\n').expect("a header line");
    let mut streamed = Recording::streamed(header).expect("the header reads");
    streamed.push_jsonl(events.to_string());
    assert!(streamed.pending_bytes() > 0);
    for _ in 0..1000 {
        streamed.advance(64);
    }
    assert_eq!(streamed.pending_bytes(), 0);
    assert_eq!(streamed.len(), sim.trace().len() as u64);
    assert!(streamed.end().is_none(), "no end before the producer says so");
    streamed.close(RunEnd::from_outcome(&outcome));
    assert!(streamed.advance(64));
    assert_eq!(streamed.end().map(|e| e.kind), Some(EndKind::Completed));
    assert_eq!(streamed.fingerprint(), Some(sim.trace().fingerprint()));
}

#[test]
fn a_line_that_does_not_read_ends_the_recording_with_its_problem() {
    let scenario = scenarios::find("timers").expect("registered");
    let mut sim = scenario.start(Config::seeded(3), &scenario.default_params());
    let outcome = sim.run();
    let text = sim.trace().to_jsonl();
    let mut lines = text.lines();
    let header = lines.next().expect("a header line");
    let mut streamed = Recording::streamed(header).expect("the header reads");
    let good: Vec<&str> = lines.by_ref().take(5).collect();
    streamed.push_jsonl(format!("{}\n", good.join("\n")));
    // Line 7 of the file skips a sequence number.
    let skipped = lines.nth(1).expect("more lines");
    streamed.push_jsonl(format!("{skipped}\n"));
    streamed.close(RunEnd::from_outcome(&outcome));
    streamed.finish();
    assert_eq!(streamed.len(), 5, "the lines before the bad one are kept");
    let end = streamed.end().expect("ended");
    assert_eq!(end.kind, EndKind::Limit);
    assert!(
        end.message
            .contains("line 7: sequence number 6 out of order; expected 5"),
        "{}",
        end.message
    );
}

#[test]
fn a_header_that_does_not_read_is_refused() {
    let e = Recording::streamed("{\"format\":\"other\"}").expect_err("not a header");
    assert_eq!(e.line, 1);
    assert!(e.message.contains("not a wakescope trace header"), "{}", e.message);
}
