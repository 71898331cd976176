//! `wakescope shrink`: a failing seed's run shrunk to the schedule that matters.
//!
//! The seed's run under the chosen policy is the failure; the library's
//! shrinker (`wakescope::shrink`) looks for a schedule that fails the same
//! way with as few deviations from FIFO order as it can find within the
//! budget. The report gives the schedule as `s:…`, each deviation in words,
//! how many runs the search took, and the command that replays it.

use wakescope::sweep::{ShrinkError, Shrunk, measure_horizon};
use wakescope::{Sim, shrink};

use crate::args::ShrinkArgs;
use crate::selection::Selection;
use crate::{Exit, Output};

pub fn shrink_command(args: &ShrinkArgs) -> Result<Exit, String> {
    let selection = args.target.select()?;
    let body = |sim: &mut Sim| {
        selection.start(sim);
        let outcome = sim.run();
        selection.verdict(sim, &outcome)
    };
    let config = measure_horizon(selection.config(args.seed), |sim| {
        selection.start(sim);
        sim.run();
    });
    let mut lines = vec![format!(
        "shrink {} seed {} (budget {} runs)",
        selection.describe(),
        args.seed,
        args.budget
    )];
    let exit = match shrink(config, args.budget, &body) {
        Ok(shrunk) => {
            lines.extend(report(&selection, args.seed, &shrunk));
            Exit::Failure
        }
        Err(passes @ ShrinkError::Passes { .. }) => {
            lines.push(passes.to_string());
            Exit::Ok
        }
        Err(other) => return Err(other.to_string()),
    };
    let mut text = lines.join("\n");
    text.push('\n');
    Output::open(None)?.write(&text)?;
    Ok(exit)
}

/// The shrunk run in lines: the summary, the schedule, each deviation in
/// words, the failure, and the command that replays it (for `shrink` and
/// for a sweep's first failure).
pub fn report(selection: &Selection, seed: u64, shrunk: &Shrunk) -> Vec<String> {
    let mut lines: Vec<String> = shrunk.to_string().lines().map(str::to_string).collect();
    lines.push(format!("  replay: {}", replay_command(selection, seed, shrunk)));
    // At the first deviation, where the shrunk run leaves first-come, first-served order.
    let step = shrunk.deviations.first().map_or(0, |d| d.seq);
    lines.push(format!(
        "  open:   {}",
        selection.app_url(seed, Some(&shrunk.schedule), Some(step))
    ));
    lines
}

/// `wakescope run … --seed N --schedule s:…`.
fn replay_command(selection: &Selection, seed: u64, shrunk: &Shrunk) -> String {
    let run = selection
        .replay_command(seed)
        .replace(" --format chrome --out run.json", "");
    format!("{run} --schedule {}", shrunk.schedule)
}
