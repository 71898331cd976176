//! `wakescope sweep` and `wakescope check-determinism`: a scenario over a
//! range of seeds.
//!
//! A sweep counts how each run ended and names the smallest failing seed,
//! with the command and the address that replay it. A failure is what the
//! scenario's verdict says it is ([`check_run`]): by default a run that did
//! not complete, but e.g. the flow scenario's zero-window mode expects its
//! deadlock, and the race scenario fails when an update was lost.

use std::sync::atomic::{AtomicU64, Ordering};

use wakescope::sweep::{SeedResult, Sweep, format_time_ns};
use wakescope::{Limit, Outcome, Sim};

use crate::args::SweepArgs;
use crate::selection::Selection;
use crate::shard::{ShardFailure, ShardReport, count_lines, failure_lines};
use crate::{Exit, Output};

/// How runs can end, in the order the report lists them.
const OUTCOME_KINDS: [&str; 8] = [
    "completed",
    "deadlock",
    "check failed",
    "panicked",
    "step limit",
    "virtual-time limit",
    "task limit",
    "timer limit",
];

/// Which of [`OUTCOME_KINDS`] an outcome is.
fn outcome_kind(outcome: &Outcome) -> usize {
    match outcome {
        Outcome::Completed => 0,
        Outcome::Deadlock(_) => 1,
        Outcome::CheckFailed(_) => 2,
        Outcome::Panicked(_) => 3,
        Outcome::LimitReached(Limit::Steps(_)) => 4,
        Outcome::LimitReached(Limit::VirtualTime(_)) => 5,
        Outcome::LimitReached(Limit::Tasks(_)) => 6,
        Outcome::LimitReached(Limit::Timers(_)) => 7,
    }
}

/// An outcome counter on its own cache line: workers count different
/// outcomes without invalidating each other's line.
#[derive(Default)]
#[repr(align(64))]
struct Counter(AtomicU64);

/// Whether one run of a scenario passed.
///
/// The hook for scenario checks: when scenarios declare their own
/// invariants (a `check` in the registry), call them here, after the
/// outcome check, so sweeps, the app and the tests agree on what a failure is.
pub fn check_run(selection: &Selection, sim: &Sim, outcome: &Outcome) -> SeedResult {
    selection.verdict(sim, outcome)
}

/// Starts the selected scenario on `sim`, exactly as `Scenario::start` does.
pub fn start(selection: &Selection, sim: &mut Sim) {
    selection.start(sim);
}

fn sweep_of(selection: &Selection, args: &SweepArgs) -> Sweep {
    let mut sweep = Sweep::new(args.seeds.clone())
        .config(selection.config(0).with_trace(false))
        .env(false);
    if let Some(jobs) = args.jobs {
        sweep = sweep.jobs(jobs);
    }
    if !args.shrink {
        sweep = sweep.shrink(false);
    }
    if args.stop_at_first {
        sweep = sweep.stop_at_first(true);
    }
    if let Some(shard) = args.shard {
        sweep = sweep.shard(shard);
    }
    let replay = selection.clone();
    sweep.replay_hint(move |seed| replay.replay_command(seed))
}

pub fn sweep(args: &SweepArgs) -> Result<Exit, String> {
    let selection = args.target.select()?;
    let counts: [Counter; OUTCOME_KINDS.len()] = Default::default();
    let report = sweep_of(&selection, args).run(|sim| {
        start(&selection, sim);
        let outcome = sim.run();
        // The first failing seed is run once more with recording on to
        // capture its trace; only the sweep's own runs are counted.
        if !sim.config().record_trace {
            counts[outcome_kind(&outcome)].0.fetch_add(1, Ordering::Relaxed);
        }
        check_run(&selection, sim, &outcome)
    });
    let shard = match args.shard {
        Some(shard) => format!(" (shard {shard} of {}..{})", args.seeds.start, args.seeds.end),
        None => String::new(),
    };
    let mut out = vec![format!(
        "sweep {} over seeds {}..{}{shard} on {} job(s)",
        selection.describe(),
        report.seeds.start,
        report.seeds.end,
        report.jobs
    )];
    let outcomes: Vec<(String, u64)> = OUTCOME_KINDS
        .iter()
        .zip(&counts)
        .map(|(kind, count)| (kind.to_string(), count.0.load(Ordering::Relaxed)))
        .collect();
    out.extend(count_lines(&outcomes));
    out.push(rate(report.runs, report.elapsed));
    if report.stopped_at_first {
        out.push(format!(
            "stopped at the first failure (--stop-at-first): {} of {} seeds ran",
            report.runs,
            report.seeds.end - report.seeds.start
        ));
    }
    let exit = match &report.first_failure {
        None => {
            out.push("no failing seed".to_string());
            Exit::Ok
        }
        Some(failure) => {
            out.extend(failure_lines(
                report.failures,
                report.runs,
                failure.seed,
                &failure.message,
            ));
            if !failure.reproduced {
                out.push("  warning: the seed did not fail again when re-run with recording on".to_string());
            }
            out.push(format!(
                "  fingerprint {:016x}, {} events, ends at t={}",
                failure.fingerprint,
                failure.trace.len(),
                format_time_ns(end_ns(&failure.trace))
            ));
            out.push(format!("  replay: {}", failure.replay));
            out.push(format!("  open:   {}", selection.app_url(failure.seed, None, None)));
            if let Some(differences) = selection.app_differences() {
                out.push(format!("          (the app runs with the random policy and default limits; the replay command keeps {differences})"));
            }
            match &failure.shrunk {
                Some(Ok(shrunk)) => {
                    let mut lines = crate::shrink::report(&selection, failure.seed, shrunk).into_iter();
                    out.push(format!("  shrunk: {}", lines.next().unwrap_or_default()));
                    out.extend(lines.map(|l| format!("  {l}")));
                }
                Some(Err(why)) => out.push(format!("  not shrunk: {why}")),
                None => {}
            }
            Exit::Failure
        }
    };
    if let Some(path) = &args.report {
        let shard_report = ShardReport {
            target: selection.describe(),
            seeds: (args.seeds.start, args.seeds.end),
            shard: report.shard,
            stop_at_first: args.stop_at_first,
            runs: report.runs,
            failures: report.failures,
            outcomes,
            first_failure: report.first_failure.as_ref().map(|f| ShardFailure {
                seed: f.seed,
                message: f.message.clone(),
                replay: f.replay.clone(),
                open: Some(selection.app_url(f.seed, None, None)),
                fingerprint: format!("{:016x}", f.fingerprint),
                events: f.trace.len() as u64,
                end_ns: end_ns(&f.trace),
            }),
        };
        Output::open(Some(path))?.write(&shard_report.to_json())?;
        out.push(format!(
            "report: {} (wakescope merge adds the shards up)",
            path.display()
        ));
    }
    print_lines(&out)?;
    Ok(exit)
}

pub fn check_determinism(args: &SweepArgs) -> Result<Exit, String> {
    if args.stop_at_first {
        return Err("--stop-at-first is an option of `sweep`: check-determinism runs every seed twice".to_string());
    }
    let selection = args.target.select()?;
    let report = sweep_of(&selection, args).check_determinism(|sim| {
        start(&selection, sim);
        let outcome = sim.run();
        check_run(&selection, sim, &outcome)
    });
    let mut out = vec![
        format!(
            "check-determinism {} over seeds {}..{} on {} job(s)",
            selection.describe(),
            args.seeds.start,
            args.seeds.end,
            report.jobs
        ),
        rate(report.runs, report.elapsed).replacen("seeds in", "seeds run twice in", 1),
    ];
    let exit = match &report.first {
        None => {
            out.push("every seed gave the same trace twice".to_string());
            Exit::Ok
        }
        Some(divergence) => {
            out.push(format!(
                "{} of {} seeds diverged; the first:",
                report.divergences, report.runs
            ));
            out.push(divergence.to_string());
            out.push(format!("  replay: {}", selection.replay_command(divergence.seed)));
            Exit::Failure
        }
    };
    print_lines(&out)?;
    Ok(exit)
}

fn print_lines(lines: &[String]) -> Result<(), String> {
    let mut text = lines.join("\n");
    text.push('\n');
    Output::open(None)?.write(&text)
}

/// `100000 seeds in 1.234 s: 81037 seeds/s`.
fn rate(runs: u64, elapsed: Option<std::time::Duration>) -> String {
    match elapsed {
        Some(e) => {
            let secs = e.as_secs_f64();
            let per_second = if secs > 0.0 { runs as f64 / secs } else { f64::INFINITY };
            format!("{runs} seeds in {secs:.3} s: {per_second:.0} seeds/s")
        }
        None => format!("{runs} seeds"),
    }
}

fn end_ns(trace: &wakescope::Trace) -> u64 {
    trace.iter().last().map_or(0, |r| r.time_ns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{ScenarioArgs, Target};

    /// The sweep starts runs by hand; they must be the runs `Scenario::start` makes.
    #[test]
    fn a_sweep_run_is_the_run_the_app_and_run_command_make() {
        for (mode, seed) in [("concurrent", 3), ("sequential", 8)] {
            let args = ScenarioArgs {
                target: Target::Scenario("timers".into()),
                mode: Some(mode.into()),
                policy: wakescope::Policy::Random,
                params: vec![("boiler_s".into(), "7".into())],
                steps_max: None,
                preemption_points: false,
            };
            let selection = args.select().unwrap();
            // Fail every seed so that the sweep records the trace of `seed`.
            let report = Sweep::new(seed..seed + 1).env(false).run(|sim| {
                start(&selection, sim);
                sim.run();
                Err("recorded".into())
            });
            let crate::selection::Source::Scenario { scenario, params } = &selection.source else {
                unreachable!("a scenario")
            };
            let (expected, _) = scenario.run(selection.config(seed), params);
            let failure = report.first_failure.unwrap();
            assert_eq!(
                failure.fingerprint,
                expected.trace().fingerprint(),
                "{mode} seed {seed}"
            );
            assert_eq!(failure.trace.header(), expected.trace().header(), "{mode} seed {seed}");
        }
    }

    #[test]
    fn every_outcome_has_a_kind() {
        assert_eq!(outcome_kind(&Outcome::Completed), 0);
        assert_eq!(
            outcome_kind(&Outcome::LimitReached(Limit::Timers(1))),
            OUTCOME_KINDS.len() - 1
        );
    }
}
