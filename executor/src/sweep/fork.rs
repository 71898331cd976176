//! Fork and bisect: the runs a run could have been, from any step on.
//!
//! A **fork** of a run at step `k` replays the run's scheduling decisions
//! before `k` exactly ([`Sim::with_prefix_seeded`]: the same prefix, and the
//! tasks' own random draws from the run's seed) and lets the random policy
//! decide the rest, with continuation seeds `0, 1, 2, …`. How many of the
//! continuations fail, and how, estimates P(fail | the run up to step `k`).
//!
//! A **bisection** of a failing run estimates that probability at its
//! decision points and finds the first prefix after which every
//! continuation fails the same way: the decision that made the bug
//! inevitable. With budget for every point, every point is estimated (the
//! chart along the run); otherwise an even grid of points, then a binary
//! search between the last grid point where some continuation passed and
//! the next.
//!
//! Estimates are fractions of `runs` continuations; their stated error is
//! Hoeffding's bound at [`ERROR_CONFIDENCE`]: the true probability lies
//! within `± sqrt(ln(2 / (1 − confidence)) / (2 · runs))` of the estimate
//! with at least that confidence. "Every continuation fails" is an
//! observation of `runs` runs, not a proof.

use std::fmt;

use super::SeedResult;
use super::engine::run_on;
use super::shrink::FailureKind;
use crate::config::{Config, Policy};
use crate::decisions::{Decision, decisions};
use crate::schedule::Schedule;
use crate::sim::Sim;
use crate::trace::{Event, Trace};

/// Continuations a fork runs unless told otherwise.
pub const FORK_RUNS_DEFAULT: u64 = 100;
/// The most continuations one fork (or one point of a bisection) may run.
pub const FORK_RUNS_MAX: u64 = 100_000;
/// Runs a bisection takes unless told otherwise.
pub const BISECT_RUNS_DEFAULT: u64 = 10_000;
/// The most runs a bisection may be given.
pub const BISECT_RUNS_MAX: u64 = 10_000_000;
/// The confidence of an estimate's stated error.
pub const ERROR_CONFIDENCE: f64 = 0.999;

/// Hoeffding's bound on the error of a fraction of `runs` trials at [`ERROR_CONFIDENCE`].
pub fn estimate_error(runs: u64) -> f64 {
    if runs == 0 {
        return 1.0;
    }
    ((2.0 / (1.0 - ERROR_CONFIDENCE)).ln() / (2.0 * runs as f64)).sqrt()
}

/// One way continuations ended, with the first that did.
#[derive(Clone, Debug)]
pub struct Ending {
    /// `None`: they passed.
    pub kind: Option<FailureKind>,
    /// How many ended this way.
    pub runs: u64,
    /// The continuation seed of the first that did.
    pub first_seed: u64,
    /// Its whole schedule (prefix and continuation): `--schedule` replays it.
    pub schedule: Schedule,
    /// What its verdict said (empty when it passed).
    pub message: String,
}

/// Continuations of one prefix: how many ran and how they ended.
#[derive(Clone, Debug)]
pub struct Forks {
    /// The step the fork is at: every decision before it is the run's.
    pub at: u64,
    /// Those decisions.
    pub prefix: Schedule,
    /// How the forked run itself failed, if it did: the failure the
    /// continuations are counted against.
    pub original: Option<FailureKind>,
    /// Continuations run (their seeds are `0..runs`).
    pub runs: u64,
    /// How they ended, in order of first appearance.
    pub endings: Vec<Ending>,
    /// Continuations that failed the way the run did.
    pub same: u64,
}

impl Forks {
    /// No continuations yet of the run whose first decisions are `prefix`.
    pub fn new(at: u64, prefix: Schedule, original: Option<FailureKind>) -> Forks {
        Forks {
            at,
            prefix,
            original,
            runs: 0,
            endings: Vec::new(),
            same: 0,
        }
    }

    /// Runs one more continuation (the next seed) of `body` under `config`
    /// (its seed is the run's; the continuation is random whatever its policy).
    pub fn run_next<F>(&mut self, config: Config, body: &F)
    where
        F: Fn(&mut Sim) -> SeedResult,
    {
        let seed = self.runs;
        let config = config.with_policy(Policy::Random).with_trace(true);
        let sim = Sim::with_prefix_seeded(config, &self.prefix, seed).expect("the random policy continues a prefix");
        let (result, trace, _) = run_on(sim, body);
        let (kind, message) = match result {
            Ok(()) => (None, String::new()),
            Err(m) => (Some(FailureKind::of(&trace, &m)), m),
        };
        self.runs += 1;
        if let (Some(k), Some(o)) = (&kind, &self.original)
            && k.same_as(o)
        {
            self.same += 1;
        }
        let alike = |e: &Ending| match (&e.kind, &kind) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same_as(b),
            _ => false,
        };
        match self.endings.iter_mut().find(|e| alike(e)) {
            Some(e) => e.runs += 1,
            None => self.endings.push(Ending {
                kind,
                runs: 1,
                first_seed: seed,
                schedule: Schedule::of_run(&trace).trimmed(),
                message,
            }),
        }
    }

    /// Continuations that failed, any way.
    pub fn failures(&self) -> u64 {
        self.endings.iter().filter(|e| e.kind.is_some()).map(|e| e.runs).sum()
    }

    /// The estimated probability of failing the way the run did (of
    /// failing at all, when the run passed).
    pub fn probability(&self) -> f64 {
        let count = if self.original.is_some() {
            self.same
        } else {
            self.failures()
        };
        if self.runs == 0 {
            0.0
        } else {
            count as f64 / self.runs as f64
        }
    }
}

impl fmt::Display for Forks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} continuations from step {} ({} decisions kept): {} failed",
            self.runs,
            self.at,
            self.prefix.choices().len(),
            self.failures()
        )?;
        if let Some(original) = &self.original {
            write!(
                f,
                ", {} with {original} as the run did: P = {:.3} ± {:.3}",
                self.same,
                self.probability(),
                estimate_error(self.runs)
            )?;
        }
        for e in &self.endings {
            let how = match &e.kind {
                None => "passed".to_string(),
                Some(k) => format!("failed with {k}"),
            };
            write!(
                f,
                "\n  {:>6} {how} — the first, continuation seed {}: schedule {}",
                e.runs, e.first_seed, e.schedule
            )?;
        }
        Ok(())
    }
}

/// The failing run of `body` under `config`, recorded, and how it failed.
fn original<F>(config: Config, body: &F) -> (Trace, Option<(FailureKind, String)>)
where
    F: Fn(&mut Sim) -> SeedResult,
{
    let (result, trace, _) = run_on(Sim::new(config.with_trace(true)), body);
    let failure = result.err().map(|m| (FailureKind::of(&trace, &m), m));
    (trace, failure)
}

/// The run's first `n` decisions as a schedule.
fn prefix_of(made: &[Decision], n: usize) -> Schedule {
    Schedule::from_choices(made[..n].iter().map(|d| d.choice).collect())
}

/// Forks the run of `body` under `config` at step `at`: `runs`
/// continuations of the run's decisions before that step, with fresh
/// scheduler seeds (see the [module docs](self)).
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use wakescope::{sweep::{fork, check_outcome}, yield_now, Config};
/// let body = |sim: &mut wakescope::Sim| {
///     let n = Rc::new(Cell::new(0));
///     for name in ["a", "b"] {
///         let n = n.clone();
///         let _t = sim.spawn(name, async move {
///             let read = n.get();
///             yield_now().await;
///             n.set(read + 1);
///         });
///     }
///     check_outcome(&sim.run())?;
///     if n.get() == 2 { Ok(()) } else { Err("lost".to_string()) }
/// };
/// let forks = fork(Config::seeded(1), 0, 200, &body).unwrap();
/// assert_eq!(forks.runs, 200);
/// assert!(forks.failures() > 0 && forks.failures() < 200);
/// ```
pub fn fork<F>(config: Config, at: u64, runs: u64, body: &F) -> Result<Forks, String>
where
    F: Fn(&mut Sim) -> SeedResult,
{
    check_runs(runs)?;
    let (trace, failure) = original(config, body);
    if at > trace.len() as u64 {
        return Err(format!(
            "step {at} is past the end of the run ({} events): fork at 0 to {}",
            trace.len(),
            trace.len()
        ));
    }
    let made = decisions(&trace);
    let kept = made.iter().take_while(|d| d.seq < at).count();
    let mut forks = Forks::new(at, prefix_of(&made, kept), failure.map(|(k, _)| k));
    for _ in 0..runs {
        forks.run_next(config, body);
    }
    Ok(forks)
}

fn check_runs(runs: u64) -> Result<(), String> {
    if (1..=FORK_RUNS_MAX).contains(&runs) {
        Ok(())
    } else {
        Err(format!(
            "a fork runs from 1 to {FORK_RUNS_MAX} continuations, not {runs}"
        ))
    }
}

/// One estimated point of a bisection.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// How many of the run's decisions the continuations keep.
    pub decisions: usize,
    /// The step the fork is at: the next decision's event (the run's length after the last).
    pub step: u64,
    /// Continuations run.
    pub runs: u64,
    /// Those that failed the way the run did.
    pub fails: u64,
}

impl Point {
    /// The estimated probability of failing the way the run did.
    pub fn probability(&self) -> f64 {
        self.fails as f64 / self.runs.max(1) as f64
    }
}

/// Where the failure became inevitable.
#[derive(Clone, Debug, PartialEq)]
pub struct Inevitable {
    /// The fewest decisions of the run after which every continuation tried failed.
    pub decisions: usize,
    /// The first step at which it is inevitable: the one after the poll the
    /// deciding decision started (0 when it fails from the start).
    pub step: u64,
    /// The deciding decision (the last one kept), if any.
    pub decision: Option<Decision>,
}

/// What [`bisect`] found.
#[derive(Clone, Debug)]
pub struct Bisection {
    /// How the run failed.
    pub kind: FailureKind,
    /// Its decisions, all of them.
    pub decisions: Vec<Decision>,
    /// The points estimated, by decisions kept.
    pub points: Vec<Point>,
    /// Where every continuation fails (the run's whole schedule always does).
    pub inevitable: Inevitable,
    /// Runs taken (the run itself included).
    pub runs: u64,
    /// The budget.
    pub runs_max: u64,
    /// Continuations per point.
    pub per_point: u64,
    /// The run's trace, for the words.
    pub trace: Trace,
}

impl fmt::Display for Bisection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} decisions; {} points estimated with {} continuations each (± {:.3}), {} runs",
            self.decisions.len(),
            self.points.len(),
            self.per_point,
            estimate_error(self.per_point),
            self.runs
        )?;
        for p in &self.points {
            let bar = "#".repeat((p.probability() * 20.0).round() as usize);
            writeln!(
                f,
                "  step {:>6}  {:>4} decisions kept  P(fail) {:.3}  {bar}",
                p.step,
                p.decisions,
                p.probability()
            )?;
        }
        let i = &self.inevitable;
        match &i.decision {
            None => write!(
                f,
                "every continuation fails from the start: the failure does not depend on the schedule"
            ),
            Some(d) => write!(
                f,
                "inevitable from step {}: after decision {} ({})",
                i.step,
                i.decisions,
                d.describe(&self.trace).to_string().replacen("at step", "step", 1)
            ),
        }
    }
}

/// Bisects the failing run of `body` under `config`: estimates P(fail the
/// same way | the run's first `j` decisions) with `per_point` continuations
/// each, within `runs_max` runs, and finds where the failure became
/// inevitable (see the [module docs](self)).
pub fn bisect<F>(config: Config, per_point: u64, runs_max: u64, body: &F) -> Result<Bisection, String>
where
    F: Fn(&mut Sim) -> SeedResult,
{
    check_runs(per_point)?;
    if !(1..=BISECT_RUNS_MAX).contains(&runs_max) || runs_max < 2 * per_point + 1 {
        return Err(format!(
            "a bisection with {per_point} continuations a point takes from {} to {BISECT_RUNS_MAX} runs, not {runs_max}",
            2 * per_point + 1
        ));
    }
    let (trace, failure) = original(config, body);
    let Some((kind, _)) = failure else {
        return Err(format!(
            "seed {} does not fail under the {} policy: there is nothing to bisect",
            config.seed, config.policy
        ));
    };
    let made = decisions(&trace);
    let total = made.len();
    let step_of = |j: usize| made.get(j).map_or(trace.len() as u64, |d| d.seq);
    let mut runs = 1u64;
    let mut points: Vec<Point> = Vec::new();
    let estimate = |j: usize, runs: &mut u64, points: &mut Vec<Point>| -> bool {
        if let Some(p) = points.iter().find(|p| p.decisions == j) {
            return p.fails == p.runs;
        }
        let mut forks = Forks::new(step_of(j), prefix_of(&made, j), Some(kind.clone()));
        for _ in 0..per_point {
            forks.run_next(config, body);
        }
        *runs += per_point;
        points.push(Point {
            decisions: j,
            step: step_of(j),
            runs: per_point,
            fails: forks.same,
        });
        forks.same == forks.runs
    };
    let affordable = ((runs_max - 1) / per_point) as usize;
    let grid: Vec<usize> = if total < affordable {
        (0..=total).collect()
    } else {
        let n = (affordable / 2).max(2);
        let mut g: Vec<usize> = (0..n).map(|i| i * total / (n - 1)).collect();
        g.dedup();
        g
    };
    let mut all_fail = Vec::new();
    for &j in &grid {
        all_fail.push((j, estimate(j, &mut runs, &mut points)));
    }
    // The first grid point after the last one where some continuation passed.
    let last_pass = all_fail.iter().rposition(|(_, all)| !all);
    let mut hi = match last_pass {
        None => 0,
        Some(i) => all_fail.get(i + 1).map_or(total, |(j, _)| *j),
    };
    if let Some(i) = last_pass {
        let mut lo = all_fail[i].0;
        while hi - lo > 1 && runs + per_point <= runs_max {
            let mid = lo + (hi - lo) / 2;
            if estimate(mid, &mut runs, &mut points) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
    }
    points.sort_by_key(|p| p.decisions);
    let decision = hi.checked_sub(1).map(|d| made[d].clone());
    let step = decision.as_ref().map_or(0, |d| step_after_poll(&trace, d));
    Ok(Bisection {
        kind,
        decisions: made,
        points,
        inevitable: Inevitable {
            decisions: hi,
            step,
            decision,
        },
        runs,
        runs_max,
        per_point,
        trace,
    })
}

/// The step after the poll that `d` started ends (after `d` itself for a delay).
fn step_after_poll(trace: &Trace, d: &Decision) -> u64 {
    if d.delayed {
        return d.seq + 1;
    }
    trace
        .iter()
        .skip(d.seq as usize)
        .find(|r| matches!(r.event, Event::PollEnded { task, .. } | Event::Panicked { task } if task == d.task))
        .map_or(d.seq + 1, |r| r.seq + 1)
}
