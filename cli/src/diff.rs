//! `wakescope diff`: two runs side by side — where they first differ and how
//! they end differently.
//!
//! Run A is the target with `--seed` (and its mode, parameters and policy);
//! run B is A changed as `--vs` says (`seed:13`, `mode:locked`,
//! `policy:fifo`, `schedule:s:…`, `param:NAME=VALUE`, several joined by
//! commas — the forms the app's `&vs=` takes). Both are compared by what
//! happened (`wakescope::compare`, behaviour): a poll of the same task is
//! the same step however each policy wrote its pick.

use wakescope::compare::{Against, Strictness, compare};
use wakescope::sweep::{format_time_ns, measure_horizon};
use wakescope::{Schedule, Sim, Trace};

use crate::args::{DiffArgs, ScenarioArgs};
use crate::selection::Selection;
use crate::{Exit, Output};

pub fn diff(args: &DiffArgs) -> Result<Exit, String> {
    let a = args.target.select()?;
    let b_args = against_args(&args.target, &args.vs)?;
    let b = b_args.select().map_err(|e| format!("--vs {}: {e}", args.vs))?;
    let b_seed = args.vs.seed().unwrap_or(args.seed);
    let ta = record(&a, args.seed, None);
    let tb = record(&b, b_seed, args.vs.schedule());
    let comparison = compare(&ta, &tb, Strictness::Behaviour);
    let describe = |s: &Selection, seed: u64, schedule: Option<&Schedule>| {
        let mut text = format!("{} seed {seed}", s.describe());
        if let Some(schedule) = schedule {
            text.push_str(&format!(" schedule {schedule}"));
        }
        text
    };
    let mut lines = vec![
        format!("A: {}", describe(&a, args.seed, None)),
        format!("B: {} (--vs {})", describe(&b, b_seed, args.vs.schedule()), args.vs),
    ];
    for (name, trace, end) in [("A", &ta, &comparison.ends.0), ("B", &tb, &comparison.ends.1)] {
        lines.push(format!(
            "{name}: {} events, ends at t={}: {end}, fingerprint {}",
            trace.len(),
            format_time_ns(trace.iter().last().map_or(0, |r| r.time_ns)),
            trace.fingerprint_hex()
        ));
    }
    lines.extend(comparison.to_string().lines().map(str::to_string));
    let mut text = lines.join("\n");
    text.push('\n');
    Output::open(None)?.write(&text)?;
    Ok(if comparison.is_same() { Exit::Ok } else { Exit::Failure })
}

/// Run A's arguments with `--vs`'s mode, parameters and policy.
fn against_args(a: &ScenarioArgs, vs: &Against) -> Result<ScenarioArgs, String> {
    let mut params = a.params.clone();
    for (name, value) in vs.params() {
        params.retain(|(k, _)| k != name);
        params.push((name.to_string(), value.to_string()));
    }
    Ok(ScenarioArgs {
        target: a.target.clone(),
        mode: vs.mode().map(str::to_string).or_else(|| a.mode.clone()),
        policy: vs.policy().unwrap_or(a.policy),
        params,
        steps_max: a.steps_max,
        preemption_points: a.preemption_points,
    })
}

/// One run of the selection with `seed` (under `schedule` when given), recorded.
fn record(selection: &Selection, seed: u64, schedule: Option<&Schedule>) -> Trace {
    let mut sim = match schedule {
        Some(schedule) => Sim::with_schedule(selection.config(seed), schedule),
        None => Sim::new(measure_horizon(selection.config(seed), |sim| {
            selection.start(sim);
            sim.run();
        })),
    };
    selection.start(&mut sim);
    sim.run();
    sim.take_trace()
}
