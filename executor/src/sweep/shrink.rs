//! Shrinking a failing run to the schedule that matters.
//!
//! A failing seed says *that* a run fails, not *which* of its scheduling
//! decisions made it fail. Every run is a [`Schedule`] — its decisions, each
//! the picked task's place among the ready tasks in the order they became
//! ready ([`Schedule::of_run`]) — and FIFO is the schedule of all zeros, so
//! a choice other than 0 is a **deviation** from the natural order. The
//! shrinker looks for a schedule that fails *the same way* with as few
//! deviations as possible (delay bounding), then with each deviation as
//! small as possible, and states each remaining one in words: "at step 12
//! `task 2` ran before `task 1`, which had been ready since step 9".
//!
//! The search, every run counted against the budget (`runs_max`, at most
//! [`SHRINK_RUNS_MAX`]):
//! 1. The failing run under its own policy and seed, and its schedule
//!    replayed, which must fail the same way (otherwise the body depends on
//!    something outside the simulation, and that is the answer).
//! 2. Greedy: set one deviation back to FIFO at a time, latest first, and
//!    keep the change while the run still fails the same way.
//! 3. Exhaustive by bound: every schedule with 0, then 1, then 2, …
//!    deviations, below the greedy result, depth first over the decisions
//!    each run actually met. The first that fails is a minimum; when the
//!    bounds below the best are exhausted, the best is proven minimal.
//! 4. Each deviation lowered to the smallest choice that still fails.
//!
//! Every run keeps the seed (so the tasks' own random draws and any faults
//! are those of the failing run); only the scheduling changes. "The same
//! way" is a [`FailureKind`]: a deadlock stays a deadlock, a failed check
//! stays the same check (by its place in the source, or its message when it
//! has none), a panic stays a panic of the same task, a limit the same
//! limit, and any other verdict the same message — up to the numbers in it,
//! since "the value is 1" and "the value is 11" are one failure.

use std::collections::BTreeMap;
use std::fmt;

use super::SeedResult;
use super::engine::run_on;
use crate::config::Config;
use crate::decisions::{Decision, decisions};
use crate::schedule::Schedule;
use crate::sim::Sim;
use crate::trace::{EndReason, Event, Site, Trace};

/// The most runs a shrink may be given.
pub const SHRINK_RUNS_MAX: u64 = 1_000_000;
/// The fewest runs a shrink may be given: the failing run and its replay.
pub const SHRINK_RUNS_MIN: u64 = 2;
/// The runs a shrink takes unless told otherwise (the CLI's `--budget`,
/// [`super::Sweep::shrink_runs`]).
pub const SHRINK_RUNS_DEFAULT: u64 = 2_000;

/// How a run failed, for "fails the same way".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Tasks were left that nothing could wake.
    Deadlock,
    /// A check failed: where it was made (when known) and what it said.
    Check {
        /// The `check` call's place in the source; `None` for an invariant.
        at: Option<Site>,
        /// The check's message.
        message: String,
    },
    /// A task panicked and nothing handled it: the task's name.
    Panicked(String),
    /// A limit ended the run: which one.
    Limit(EndReason),
    /// The run finished, and the test's own verdict failed with this message.
    Verdict(String),
}

impl FailureKind {
    /// The kind of the failed run `trace` records, whose verdict said `message`.
    pub fn of(trace: &Trace, message: &str) -> FailureKind {
        let ended = trace.iter().find_map(|r| match r.event {
            Event::Ended { reason } => Some(reason),
            _ => None,
        });
        match ended {
            Some(EndReason::Deadlock) => FailureKind::Deadlock,
            Some(EndReason::CheckFailed) => {
                let at = trace
                    .iter()
                    .find(|r| matches!(r.event, Event::CheckFailed { .. }))
                    .and_then(|r| trace.site(r.seq as usize).cloned());
                FailureKind::Check {
                    at,
                    message: trace.check_message(0).unwrap_or(message).to_string(),
                }
            }
            Some(EndReason::Panicked) => {
                let name = trace.iter().find_map(|r| match r.event {
                    Event::Panicked { task } => trace.task(task).map(|t| t.name.to_string()),
                    _ => None,
                });
                FailureKind::Panicked(name.unwrap_or_default())
            }
            Some(
                limit @ (EndReason::StepsLimit | EndReason::TimeLimit | EndReason::TasksLimit | EndReason::TimersLimit),
            ) => FailureKind::Limit(limit),
            Some(EndReason::Completed) | None => FailureKind::Verdict(message.to_string()),
        }
    }

    /// Whether `other` is the same failure: the same check by its place, a
    /// check without a place or a verdict by its message up to the numbers
    /// in it ("value is 1" and "value is 11" are the same verdict).
    pub fn same_as(&self, other: &FailureKind) -> bool {
        match (self, other) {
            (FailureKind::Check { at: Some(a), .. }, FailureKind::Check { at: Some(b), .. }) => a == b,
            (FailureKind::Check { message: a, .. }, FailureKind::Check { message: b, .. })
            | (FailureKind::Verdict(a), FailureKind::Verdict(b)) => without_numbers(a) == without_numbers(b),
            _ => self == other,
        }
    }
}

/// `message` with every run of digits replaced by `#`.
fn without_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('#') {
            out.push('#');
        }
    }
    out
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureKind::Deadlock => f.write_str("a deadlock"),
            FailureKind::Check { at: Some(at), .. } => write!(f, "the check at {at}"),
            FailureKind::Check { at: None, message } => write!(f, "the check \"{message}\""),
            FailureKind::Panicked(task) => write!(f, "a panic in `{task}`"),
            FailureKind::Limit(limit) => {
                let name = match limit {
                    EndReason::StepsLimit => "step",
                    EndReason::TimeLimit => "virtual-time",
                    EndReason::TasksLimit => "task",
                    _ => "timer",
                };
                write!(f, "the {name} limit")
            }
            FailureKind::Verdict(message) => write!(f, "the verdict \"{message}\""),
        }
    }
}

/// Why [`shrink`] could not shrink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShrinkError {
    /// The budget is 0 or above [`SHRINK_RUNS_MAX`].
    Budget(u64),
    /// The seed's run passes: there is nothing to shrink.
    Passes {
        /// The seed.
        seed: u64,
        /// The policy it ran under.
        policy: String,
    },
    /// The failing run, replayed from its own schedule, does not fail the
    /// same way (or the budget ended before the replay): the body depends
    /// on something outside the simulation.
    DoesNotReplay {
        /// The seed.
        seed: u64,
        /// How it failed.
        message: String,
        /// Its schedule.
        schedule: Schedule,
    },
}

impl fmt::Display for ShrinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShrinkError::Budget(runs) => write!(
                f,
                "a shrink takes from {SHRINK_RUNS_MIN} to {SHRINK_RUNS_MAX} runs, not {runs}"
            ),
            ShrinkError::Passes { seed, policy } => write!(
                f,
                "seed {seed} does not fail under the {policy} policy: there is nothing to shrink"
            ),
            ShrinkError::DoesNotReplay {
                seed,
                message,
                schedule,
            } => write!(
                f,
                "seed {seed} fails ({message}), but replayed from its own schedule {schedule} it does not fail the same way: the run depends on something outside the simulation"
            ),
        }
    }
}

impl std::error::Error for ShrinkError {}

/// What [`shrink`] found.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// How the original run failed — and so does the shrunk one.
    pub kind: FailureKind,
    /// What the shrunk run's verdict said.
    pub message: String,
    /// The failing run's own schedule (without trailing FIFO choices).
    pub original: Schedule,
    /// The shrunk schedule: replay it with [`Sim::with_schedule`] (or `--schedule`).
    pub schedule: Schedule,
    /// Its deviations from FIFO, in order (see [`Decision::describe`]).
    pub deviations: Vec<Decision>,
    /// The shrunk run's trace.
    pub trace: Trace,
    /// Runs the search took.
    pub runs: u64,
    /// The budget it was given.
    pub runs_max: u64,
    /// True when every schedule with fewer deviations was run and none
    /// failed the same way; false when the budget ran out first.
    pub minimal: bool,
}

impl Shrunk {
    /// The deviations in words, one line each.
    pub fn explanation(&self) -> Vec<String> {
        self.deviations
            .iter()
            .map(|d| d.describe(&self.trace).to_string())
            .collect()
    }
}

impl fmt::Display for Shrunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.deviations.len();
        let was = self.original.deviations();
        if n == 0 {
            write!(f, "FIFO order fails the same way: no deviation is needed")?;
        } else {
            write!(f, "{n} deviation{} from FIFO order", if n == 1 { "" } else { "s" })?;
        }
        writeln!(f, " (the failing run had {was}), found in {} runs", self.runs)?;
        if !self.minimal {
            writeln!(
                f,
                "  the budget of {} runs ran out: a schedule with fewer deviations may exist",
                self.runs_max
            )?;
        }
        writeln!(f, "  schedule {}", self.schedule)?;
        for line in self.explanation() {
            writeln!(f, "  {line}")?;
        }
        write!(f, "  fails again: {}", self.message)
    }
}

/// One run of a schedule.
#[derive(Clone)]
struct Tried {
    /// Failed the same way as the original.
    fails: bool,
    /// The decisions the run made (its schedule, not trimmed) and the
    /// alternatives at each.
    taken: Vec<u32>,
    branching: Vec<u32>,
}

/// The search's state: the budget and every schedule run so far.
struct Search<'a, F> {
    config: Config,
    body: &'a F,
    kind: FailureKind,
    runs: u64,
    runs_max: u64,
    tried: BTreeMap<Vec<u32>, Tried>,
}

/// The budget ran out.
struct OutOfRuns;

impl<F> Search<'_, F>
where
    F: Fn(&mut Sim) -> SeedResult,
{
    /// Runs `choices` (or recalls its run).
    fn run(&mut self, choices: &[u32]) -> Result<Tried, OutOfRuns> {
        if let Some(t) = self.tried.get(choices) {
            return Ok(t.clone());
        }
        if self.runs >= self.runs_max {
            return Err(OutOfRuns);
        }
        self.runs += 1;
        let schedule = Schedule::from_choices(choices.to_vec());
        let sim = Sim::with_schedule(self.config, &schedule);
        let (result, trace, _) = run_on(sim, self.body);
        let fails = match &result {
            Ok(()) => false,
            Err(message) => FailureKind::of(&trace, message).same_as(&self.kind),
        };
        let made = decisions(&trace);
        let tried = Tried {
            fails,
            taken: made.iter().map(|d| d.choice).collect(),
            branching: made.iter().map(|d| d.ready).collect(),
        };
        self.tried.insert(choices.to_vec(), tried.clone());
        Ok(tried)
    }

    /// Greedy: sets deviations back to FIFO, latest first, while it still fails.
    fn drop_deviations(&mut self, mut best: Schedule) -> (Schedule, Result<(), OutOfRuns>) {
        'again: loop {
            let choices = best.choices().to_vec();
            for i in (0..choices.len()).rev().filter(|&i| choices[i] != 0) {
                let mut candidate = choices.clone();
                candidate[i] = 0;
                let candidate = Schedule::from_choices(candidate).trimmed();
                match self.run(candidate.choices()) {
                    Err(out) => return (best, Err(out)),
                    Ok(t) if t.fails => {
                        let found = Schedule::from_choices(t.taken).trimmed();
                        if found.deviations() < best.deviations() {
                            best = found;
                            continue 'again;
                        }
                    }
                    Ok(_) => {}
                }
            }
            return (best, Ok(()));
        }
    }

    /// A failing schedule with exactly `k` deviations, if one exists: depth
    /// first from `prefix` (whose last choice is its `used`-th deviation)
    /// over the later decisions of its run.
    fn bounded(&mut self, prefix: Vec<u32>, used: usize, k: usize) -> Result<Option<Schedule>, OutOfRuns> {
        let run = self.run(&prefix)?;
        if used == k {
            return Ok(run.fails.then(|| Schedule::from_choices(run.taken).trimmed()));
        }
        for i in prefix.len()..run.taken.len() {
            for c in 1..run.branching[i] {
                let mut next = run.taken[..i].to_vec();
                next.push(c);
                if let Some(found) = self.bounded(next, used + 1, k)? {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// Lowers each deviation to the smallest choice that still fails.
    fn lower_choices(&mut self, mut best: Schedule) -> Schedule {
        let len = best.choices().len();
        for i in 0..len {
            let c = best.choices()[i];
            for lower in 1..c {
                let mut candidate = best.choices().to_vec();
                candidate[i] = lower;
                match self.run(&candidate) {
                    Err(OutOfRuns) => return best,
                    Ok(t) if t.fails => {
                        let found = Schedule::from_choices(t.taken).trimmed();
                        if found.deviations() <= best.deviations() && found.choices().len() == len {
                            best = found;
                            break;
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
        best
    }
}

/// Shrinks the failing run of `body` under `config` (its seed and policy)
/// to a schedule that fails the same way with as few deviations from FIFO
/// order as the search finds within `runs_max` runs (see the [module
/// docs](self)).
///
/// `body` is a sweep body: it spawns the program on the `Sim` it is given,
/// runs it and judges it (`Err` is a failure). Runs record a trace whatever
/// `config` says. Refused ([`ShrinkError`]): a `config` whose run passes, a
/// budget below 2 (the failing run and its replay) or above
/// [`SHRINK_RUNS_MAX`], and a failing run that does not fail again when
/// replayed from its own schedule.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use wakescope::{shrink, sweep::check_outcome, yield_now, Config};
///
/// // Three workers read a counter, yield, and write back read + 1.
/// let body = |sim: &mut wakescope::Sim| {
///     let counter = Rc::new(Cell::new(0));
///     for name in ["a", "b", "c"] {
///         let counter = counter.clone();
///         let _t = sim.spawn(name, async move {
///             yield_now().await;
///             let read = counter.get();
///             yield_now().await;
///             counter.set(read + 1);
///         });
///     }
///     check_outcome(&sim.run())?;
///     if counter.get() == 3 { Ok(()) } else { Err("an increment was lost".to_string()) }
/// };
/// let seed = (0..100).find(|&s| body(&mut wakescope::Sim::new(Config::seeded(s))).is_err()).unwrap();
/// let shrunk = shrink(Config::seeded(seed), 500, &body).unwrap();
/// assert!(shrunk.minimal);
/// assert!(shrunk.schedule.deviations() <= shrunk.original.deviations());
/// println!("{shrunk}"); // the schedule, each deviation in words, the failure
/// ```
pub fn shrink<F>(config: Config, runs_max: u64, body: &F) -> Result<Shrunk, ShrinkError>
where
    F: Fn(&mut Sim) -> SeedResult,
{
    if !(SHRINK_RUNS_MIN..=SHRINK_RUNS_MAX).contains(&runs_max) {
        return Err(ShrinkError::Budget(runs_max));
    }
    let config = config.with_trace(true);
    let (result, trace, _) = run_on(Sim::new(config), body);
    let Err(message) = result else {
        return Err(ShrinkError::Passes {
            seed: config.seed,
            policy: config.policy.to_string(),
        });
    };
    let kind = FailureKind::of(&trace, &message);
    let original = Schedule::of_run(&trace).trimmed();
    let mut search = Search {
        config,
        body,
        kind,
        runs: 1,
        runs_max,
        tried: BTreeMap::new(),
    };
    if !matches!(search.run(original.choices()), Ok(Tried { fails: true, .. })) {
        return Err(ShrinkError::DoesNotReplay {
            seed: config.seed,
            message,
            schedule: original,
        });
    }
    let (mut best, greedy) = search.drop_deviations(original.clone());
    let mut minimal = false;
    if greedy.is_ok() {
        minimal = true;
        for k in 0..best.deviations() {
            match search.bounded(Vec::new(), 0, k) {
                Ok(Some(found)) => {
                    best = found;
                    break;
                }
                Ok(None) => {}
                Err(OutOfRuns) => {
                    minimal = false;
                    break;
                }
            }
        }
    }
    let best = search.lower_choices(best);
    // The shrunk run once more, for its trace and its words.
    let sim = Sim::with_schedule(config, &best);
    let (result, trace, _) = run_on(sim, body);
    let message = result.err().unwrap_or(message);
    let deviations = decisions(&trace).into_iter().filter(|d| d.choice > 0).collect();
    Ok(Shrunk {
        kind: search.kind,
        message,
        original,
        schedule: best,
        deviations,
        trace,
        runs: search.runs,
        runs_max,
        minimal,
    })
}
