//! `wakescope run`: one seeded run of a scenario, as a timeline, a trace
//! file or a Perfetto file.
//!
//! The trace goes to stdout (or `--out`); the fingerprint goes to stderr, so
//! a pipe receives the trace alone. The fingerprint is the one the app shows
//! for the same scenario, parameters and seed: both start the run through
//! `Scenario::start` with `Config::seeded(seed)`.

use std::io::Write;

use wakescope::describe::describe;
use wakescope::sweep::{format_time_ns, measure_horizon};
use wakescope::{Event, Outcome, Sim, Trace};

use crate::args::{Format, RunArgs};
use crate::selection::Selection;
use crate::{Exit, Output};

/// Longest subject column in the text timeline; longer task names stick out.
const SUBJECT_COLUMN_MAX: usize = 32;

pub fn run(args: &RunArgs) -> Result<Exit, String> {
    let selection = args.target.select()?;
    let mut sim = match &args.schedule {
        // Replays one schedule found by `wakescope explore`.
        Some(schedule) => {
            let mut sim = Sim::with_schedule(selection.config(args.seed), schedule);
            crate::sweep::start(&selection, &mut sim);
            sim
        }
        // PCT without a horizon measures the scenario first, as a sweep does.
        None => {
            let config = measure_horizon(selection.config(args.seed), |sim| {
                crate::sweep::start(&selection, sim);
                sim.run();
            });
            let mut sim = Sim::new(config);
            selection.start(&mut sim);
            sim
        }
    };
    let outcome = sim.run();
    let verdict = crate::sweep::check_run(&selection, &sim, &outcome);
    let trace = sim.trace();
    let mut out = Output::open(args.out.as_deref())?;
    let written = match args.format {
        Format::Text => {
            let mut text = timeline(&selection, args.seed, &trace, &outcome);
            text.push_str(&match &verdict {
                Ok(()) => "verdict: pass\n".to_string(),
                Err(message) => format!("verdict: FAIL: {message}\n"),
            });
            if let Some(measured) = selection.measure(&sim) {
                text.push_str(&format!("measured: {measured}\n"));
            }
            out.write(&text)
        }
        Format::Jsonl => out.write(&trace.to_jsonl()),
        // Streamed: a large run's export is never held in memory whole.
        Format::Chrome => {
            let result = trace.write_chrome_json(&mut out).and_then(|()| out.flush());
            out.check(result)
        }
    };
    written?;
    eprintln!("fingerprint {}", trace.fingerprint_hex());
    if let Some(path) = &args.out {
        eprintln!("wrote {} bytes to {}", out.bytes(), path.display());
    }
    match verdict {
        Ok(()) => Ok(Exit::Ok),
        Err(message) => {
            eprintln!("seed {}: the run failed: {message}", args.seed);
            Ok(Exit::Failure)
        }
    }
}

/// The run as text: a header, one line per event, the outcome.
///
/// Events that happen during a poll (spawns, timers armed, wakes it causes
/// before the poll ends) are indented under it.
pub fn timeline(selection: &Selection, seed: u64, trace: &Trace, outcome: &Outcome) -> String {
    let rows: Vec<(String, String, String, bool)> = {
        let mut polling = false;
        trace
            .iter()
            .map(|record| {
                let words = describe(trace, &record);
                let (subject, action) = (words.subject.clone(), words.action_and_place());
                let nested = polling && !matches!(record.event, Event::PollEnded { .. } | Event::Panicked { .. });
                match record.event {
                    Event::PollStarted { .. } => polling = true,
                    Event::PollEnded { .. } | Event::Panicked { .. } => polling = false,
                    _ => {}
                }
                (format!("t={}", format_time_ns(record.time_ns)), subject, action, nested)
            })
            .collect()
    };
    let time_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let subject_width = rows
        .iter()
        .map(|r| r.1.chars().count() + 2 * usize::from(r.3))
        .max()
        .unwrap_or(0)
        .min(SUBJECT_COLUMN_MAX);
    let (title, question) = selection.title_and_question();
    let mut out = format!("{title} — {}\n", selection.describe());
    out.push_str(&format!("seed {seed}: {question}\n\n"));
    for (time, subject, action, nested) in rows {
        let subject = if nested { format!("  {subject}") } else { subject };
        out.push_str(&format!("{time:<time_width$}  {subject:<subject_width$}  {action}\n"));
    }
    out.push_str(&format!(
        "\noutcome: {outcome}\nvirtual time {}, {} events, fingerprint {}\n",
        format_time_ns(last_time_ns(trace)),
        trace.len(),
        trace.fingerprint_hex()
    ));
    out
}

fn last_time_ns(trace: &Trace) -> u64 {
    trace.iter().last().map_or(0, |r| r.time_ns)
}
