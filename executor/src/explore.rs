//! Exhaustive exploration: every distinct schedule of a small program.
//!
//! A run under a *script* records each decision the scheduler made — which
//! of the `n` queued tasks it polled when `n` > 1 — and how many
//! alternatives it had. Exploration is a depth-first walk of that tree:
//! after each run, take the last decision that still has an untried
//! alternative, bump it, and replay the prefix up to it; later decisions
//! start again from their first alternative. When no decision has one left,
//! every schedule was tried exactly once.
//!
//! Each schedule is a [`Schedule`] (`schedule.rs`), which
//! [`crate::Sim::with_schedule`] replays exactly.

use crate::schedule::Schedule;
use crate::{Config, Outcome, Sim};

/// What [`explore`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exploration {
    /// Distinct schedules run.
    pub schedules: u64,
    /// True when every schedule was tried (false: `schedules_max` stopped it).
    pub exhausted: bool,
    /// Schedules whose check failed.
    pub failures: u64,
    /// The first failing schedule and its message.
    pub first_failure: Option<(Schedule, String)>,
}

/// Runs `program` under every distinct schedule, up to `schedules_max`, and
/// checks each run's outcome with `check`.
///
/// `program` spawns the tasks on a fresh `Sim` (built from `config`, whose
/// policy is ignored: the exploration decides); `check` judges the finished run.
///
/// ```
/// use wakescope::{explore, yield_now, Config};
/// // Two tasks that each yield once: C(4, 2) = 6 interleavings of their four polls.
/// let found = explore(Config::seeded(0), 1000, |sim| {
///     for name in ["a", "b"] {
///         let _t = sim.spawn(name, async { yield_now().await });
///     }
/// }, |_, outcome| if outcome.is_completed() { Ok(()) } else { Err(outcome.to_string()) });
/// assert_eq!((found.schedules, found.exhausted), (6, true));
/// ```
pub fn explore(
    config: Config,
    schedules_max: u64,
    program: impl Fn(&mut Sim),
    check: impl Fn(&Sim, &Outcome) -> Result<(), String>,
) -> Exploration {
    let mut found = Exploration {
        schedules: 0,
        exhausted: false,
        failures: 0,
        first_failure: None,
    };
    let mut next = Some(Vec::new());
    while let Some(prefix) = next.take() {
        if found.schedules >= schedules_max {
            return found;
        }
        let mut sim = Sim::with_schedule(config.with_trace(false), &Schedule::from_choices(prefix));
        program(&mut sim);
        let outcome = sim.run();
        found.schedules += 1;
        let taken = sim.schedule().map(|s| s.choices().to_vec()).unwrap_or_default();
        if let Err(message) = check(&sim, &outcome) {
            found.failures += 1;
            if found.first_failure.is_none() {
                found.first_failure = Some((Schedule::from_choices(taken.clone()), message));
            }
        }
        let branching = sim.branching().unwrap_or_default();
        // The deepest decision with an untried alternative.
        if let Some(i) = (0..taken.len()).rev().find(|&i| taken[i] + 1 < branching[i]) {
            let mut prefix = taken[..i].to_vec();
            prefix.push(taken[i] + 1);
            next = Some(prefix);
        }
    }
    found.exhausted = true;
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_round_trip_through_their_strings() {
        for choices in [vec![], vec![0, 1, 0, 2], vec![35, 36, 1000, 0]] {
            let s = Schedule::from_choices(choices);
            assert_eq!(s.to_string().parse::<Schedule>().unwrap(), s);
        }
        assert_eq!(Schedule::from_choices(vec![1, 0, 36]).to_string(), "s:10(36)");
        assert!("x:01".parse::<Schedule>().unwrap_err().contains("must start with `s:`"));
        assert!("s:0(12".parse::<Schedule>().unwrap_err().contains("unclosed"));
        assert!("s:0!".parse::<Schedule>().unwrap_err().contains("not a base-36 digit"));
    }
}
