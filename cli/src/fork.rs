//! `wakescope fork` and `wakescope bisect`: the runs a run could have been.
//!
//! `fork --at K` keeps the seed's decisions before step K and lets the
//! random policy decide the rest, `--runs` times, with continuation seeds
//! 0, 1, 2, …: how many fail and how, each with the schedule that replays
//! its first. `bisect` does that at the decision points of a failing run and
//! names the step from which every continuation fails the same way.

use wakescope::Sim;
use wakescope::sweep::{Forks, bisect, fork, measure_horizon};

use crate::args::{BisectArgs, ForkArgs};
use crate::selection::Selection;
use crate::{Exit, Output};

/// The selection as a sweep body: started on the `Sim`, judged by its verdict.
fn body(selection: &Selection) -> impl Fn(&mut Sim) -> wakescope::sweep::SeedResult + '_ {
    |sim| {
        selection.start(sim);
        let outcome = sim.run();
        selection.verdict(sim, &outcome)
    }
}

fn config(selection: &Selection, seed: u64) -> wakescope::Config {
    measure_horizon(selection.config(seed), |sim| {
        selection.start(sim);
        sim.run();
    })
}

fn write(lines: &[String]) -> Result<(), String> {
    let mut text = lines.join("\n");
    text.push('\n');
    Output::open(None)?.write(&text)
}

/// `wakescope run … --schedule s:…` for one continuation.
fn replay(selection: &Selection, seed: u64, schedule: &wakescope::Schedule) -> String {
    let run = selection
        .replay_command(seed)
        .replace(" --format chrome --out run.json", "");
    format!("{run} --schedule {schedule}")
}

fn fork_lines(selection: &Selection, seed: u64, forks: &Forks) -> Vec<String> {
    let mut lines: Vec<String> = forks.to_string().lines().map(str::to_string).collect();
    for e in &forks.endings {
        lines.push(format!(
            "  replay the first that {}: {}",
            if e.kind.is_some() { "failed so" } else { "passed" },
            replay(selection, seed, &e.schedule)
        ));
    }
    lines
}

pub fn fork_command(args: &ForkArgs) -> Result<Exit, String> {
    let selection = args.target.select()?;
    let forks = fork(config(&selection, args.seed), args.at, args.runs, &body(&selection))?;
    let mut lines = vec![format!(
        "fork {} seed {} at step {}",
        selection.describe(),
        args.seed,
        args.at
    )];
    lines.extend(fork_lines(&selection, args.seed, &forks));
    write(&lines)?;
    Ok(if forks.failures() > 0 { Exit::Failure } else { Exit::Ok })
}

pub fn bisect_command(args: &BisectArgs) -> Result<Exit, String> {
    let selection = args.target.select()?;
    let config = config(&selection, args.seed);
    if body(&selection)(&mut Sim::new(config.with_trace(false))).is_ok() {
        write(&[format!(
            "seed {} does not fail under the {} policy: there is nothing to bisect",
            args.seed, config.policy
        )])?;
        return Ok(Exit::Ok);
    }
    let b = bisect(config, args.runs, args.budget, &body(&selection))?;
    let mut lines = vec![format!(
        "bisect {} seed {}: it fails with {}",
        selection.describe(),
        args.seed,
        b.kind
    )];
    lines.extend(b.to_string().lines().map(str::to_string));
    write(&lines)?;
    Ok(Exit::Failure)
}
