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
//! [`crate::Sim::with_schedule`] replays exactly. Schedules are numbered
//! from 0 in the order the walk runs them, so "the first failure is schedule
//! 3" means the same on every machine.
//!
//! [`explore`] is the one-call form: every schedule up to a bound, the check
//! seeing the simulation and the outcome. [`Explore`] adds the options: stop
//! at the first failing schedule, and a program that returns its own state
//! (an `Rc` of what its tasks share) for the check to read.

use crate::schedule::Schedule;
use crate::{Config, Outcome, Sim};

/// Default bound on the schedules one exploration runs ([`Explore::new`]).
pub const EXPLORE_SCHEDULES_MAX_DEFAULT: u64 = 100_000;

/// What [`explore`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exploration {
    /// Distinct schedules run.
    pub schedules: u64,
    /// True when every schedule was tried (false: `schedules_max` or
    /// [`Explore::stop_at_first`] stopped it).
    pub exhausted: bool,
    /// Schedules whose check failed (with [`Explore::stop_at_first`]: 0 or 1).
    pub failures: u64,
    /// The first failing schedule and its message.
    pub first_failure: Option<(Schedule, String)>,
    /// The first failing schedule's index in the walk: 0 is the first
    /// schedule run (FIFO order), `schedules - 1` the last.
    pub first_failure_index: Option<u64>,
    /// True when the exploration stopped at its first failure
    /// ([`Explore::stop_at_first`]) with schedules left to try.
    pub stopped_at_first: bool,
}

/// Runs `program` under every distinct schedule, up to `schedules_max`, and
/// checks each run's outcome with `check`.
///
/// `program` spawns the tasks on a fresh `Sim` (built from `config`, whose
/// policy is ignored: the exploration decides); `check` judges the finished run.
/// [`Explore`] stops at the first failure and lets the check read the
/// program's own state.
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
    Explore::new(config)
        .schedules_max(schedules_max)
        .run(program, |sim, outcome, ()| check(sim, outcome))
}

/// An exploration, configured step by step, then [run](Explore::run).
///
/// The program returns a value — typically an `Rc` of the state its tasks
/// share — and the check receives it with the finished run, so it can judge
/// what the program did, not only how the run ended:
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use wakescope::{explore::Explore, yield_now, Config};
///
/// let found = Explore::new(Config::seeded(0)).stop_at_first(true).run(
///     |sim| {
///         let counter = Rc::new(Cell::new(0));
///         for name in ["a", "b"] {
///             let counter = counter.clone();
///             let _t = sim.spawn(name, async move {
///                 let read = counter.get();
///                 yield_now().await; // the other task may run here
///                 counter.set(read + 1);
///             });
///         }
///         counter // the check receives it
///     },
///     |_sim, _outcome, counter| match counter.get() {
///         2 => Ok(()),
///         n => Err(format!("counter is {n}")),
///     },
/// );
/// // FIFO order (schedule 0) interleaves the reads: it fails at once.
/// assert_eq!(found.first_failure_index, Some(0));
/// assert_eq!((found.schedules, found.failures, found.stopped_at_first), (1, 1, true));
/// let (schedule, message) = found.first_failure.unwrap();
/// assert_eq!(message, "counter is 1");
/// println!("replay with Sim::with_schedule(config, &\"{schedule}\".parse()?)");
/// ```
#[derive(Clone, Debug)]
pub struct Explore {
    /// The config of every run; its policy is ignored.
    config: Config,
    /// Stop after this many schedules.
    schedules_max: u64,
    /// Stop at the first failing schedule.
    stop_at_first: bool,
}

impl Explore {
    /// An exploration of every schedule up to
    /// [`EXPLORE_SCHEDULES_MAX_DEFAULT`], going on past failures.
    pub fn new(config: Config) -> Explore {
        Explore {
            config,
            schedules_max: EXPLORE_SCHEDULES_MAX_DEFAULT,
            stop_at_first: false,
        }
    }

    /// Stop after `schedules_max` schedules (the result then says it was
    /// not [exhausted](Exploration::exhausted)).
    pub fn schedules_max(mut self, schedules_max: u64) -> Explore {
        self.schedules_max = schedules_max;
        self
    }

    /// Stop at the first failing schedule instead of counting every
    /// failure: [`Exploration::failures`] is then 0 or 1.
    pub fn stop_at_first(mut self, on: bool) -> Explore {
        self.stop_at_first = on;
        self
    }

    /// Runs `program` under each schedule and `check` on each finished run,
    /// with the value `program` returned.
    pub fn run<S>(
        self,
        program: impl Fn(&mut Sim) -> S,
        check: impl Fn(&Sim, &Outcome, S) -> Result<(), String>,
    ) -> Exploration {
        let mut found = Exploration {
            schedules: 0,
            exhausted: false,
            failures: 0,
            first_failure: None,
            first_failure_index: None,
            stopped_at_first: false,
        };
        let mut next = Some(Vec::new());
        while let Some(prefix) = next.take() {
            if found.schedules >= self.schedules_max {
                return found;
            }
            let mut sim = Sim::with_schedule(self.config.with_trace(false), &Schedule::from_choices(prefix));
            let state = program(&mut sim);
            let outcome = sim.run();
            let index = found.schedules;
            found.schedules += 1;
            let taken = sim.schedule().map(|s| s.choices().to_vec()).unwrap_or_default();
            let failed = check(&sim, &outcome, state).err();
            let branching = sim.branching().unwrap_or_default();
            // The deepest decision with an untried alternative.
            if let Some(i) = (0..taken.len()).rev().find(|&i| taken[i] + 1 < branching[i]) {
                let mut prefix = taken[..i].to_vec();
                prefix.push(taken[i] + 1);
                next = Some(prefix);
            }
            if let Some(message) = failed {
                found.failures += 1;
                if found.first_failure.is_none() {
                    found.first_failure = Some((Schedule::from_choices(taken), message));
                    found.first_failure_index = Some(index);
                }
                if self.stop_at_first {
                    found.stopped_at_first = next.is_some();
                    found.exhausted = next.is_none();
                    return found;
                }
            }
        }
        found.exhausted = true;
        found
    }
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
