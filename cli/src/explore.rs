//! `wakescope explore`: every distinct schedule of a scenario, up to a bound.
//!
//! Small programs have few enough interleavings to try them all: the
//! explorer runs the scenario under each distinct schedule (see
//! `wakescope::explore`), judges each run with the scenario's verdict, and
//! prints how many schedules it tried, whether that was all of them, and the
//! first failing schedule as a string `wakescope run --schedule` replays.

use wakescope::Explore;

use crate::args::ExploreArgs;
use crate::sweep::{check_run, start};
use crate::{Exit, Output};

pub fn explore_command(args: &ExploreArgs) -> Result<Exit, String> {
    let selection = args.target.select()?;
    let found = Explore::new(selection.config(0))
        .schedules_max(args.max)
        .stop_at_first(args.stop_at_first)
        .run(
            |sim| start(&selection, sim),
            |sim, outcome, ()| check_run(&selection, sim, outcome),
        );
    let mut lines = vec![format!(
        "explore {} (up to {} schedules)",
        selection.describe(),
        args.max
    )];
    let scope = if found.exhausted {
        "every schedule"
    } else if found.stopped_at_first {
        "stopped at the first failure (--stop-at-first); more schedules remain"
    } else {
        "stopped at the bound; more schedules remain"
    };
    lines.push(format!("{} schedule(s) run: {scope}", found.schedules));
    let exit = match &found.first_failure {
        None => {
            lines.push("no schedule failed".to_string());
            Exit::Ok
        }
        Some((schedule, message)) => {
            lines.push(format!(
                "{} of {} schedules failed; the first:",
                found.failures, found.schedules
            ));
            lines.push(format!("  {message}"));
            let index = found.first_failure_index.unwrap_or_default();
            lines.push(format!("  schedule {schedule}"));
            lines.push(format!("  the walk's schedule #{index}, counting from 0"));
            let mut replay = selection
                .replay_command(0)
                .replace(" --format chrome --out run.json", "");
            replay.push_str(&format!(" --schedule {schedule}"));
            lines.push(format!("  replay: {replay}"));
            Exit::Failure
        }
    };
    let mut text = lines.join("\n");
    text.push('\n');
    Output::open(None)?.write(&text)?;
    Ok(exit)
}
