//! Searches around a run, in the worker: shrink it, fork it at a step,
//! bisect it.
//!
//! Each takes many runs of one program — a scenario, compiled (its program
//! runs the same trace, faster), or a visitor's program, interpreted — so
//! the page asks the worker for them and stays free: a [`SearchRequest`]
//! names the program, the seed, the schedule the run on screen follows (if
//! any) and the search; [`search`] runs it, telling `progress` how many runs
//! it has made, and returns what it [`Found`], in words the page shows as
//! they are. The page cancels a search by ending the worker.

use std::cell::{Cell, RefCell};

use serde::{Deserialize, Serialize};
use wakescope::scenarios::{self, Params, Scenario};
use wakescope::sweep::{
    self, FORK_RUNS_MAX, FailureKind, Forks, SHRINK_RUNS_MAX, SHRINK_RUNS_MIN, SeedResult, ShrinkError, estimate_error,
};
use wakescope::{Config, Schedule, Sim, decisions};
use wakescope_playground::Program;

/// A scenario and its parameters, as the page validated them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRun {
    pub id: String,
    pub mode: String,
    pub params: Vec<(String, i64)>,
}

/// Progress is told about this many times over a search.
const PROGRESS_STEPS: u64 = 100;

/// A search of the runs around one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The page's number for this search; every answer carries it.
    pub job: u32,
    pub target: Target,
    pub seed: u64,
    /// The schedule the run follows, when it replays one (`s:…`).
    pub schedule: Option<String>,
    pub search: Search,
}

/// The program a search runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// A scenario, run compiled, as the page validated its parameters.
    Scenario(ScenarioRun),
    /// A visitor's program: its file name and text, interpreted.
    Program { file: String, text: String },
}

/// Which search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Search {
    /// The failing run shrunk to its fewest deviations from FIFO order, in at most `budget` runs.
    Shrink { budget: u64 },
    /// `runs` continuations of the run's decisions before step `at`.
    Fork { at: u64, runs: u64 },
    /// Where the failing run's failure became inevitable: `per_point`
    /// continuations at each point, at most `budget` runs.
    Bisect { per_point: u64, budget: u64 },
}

/// What a search found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Found {
    Shrunk(Shrunk),
    Forked(Forked),
    Bisected(Bisected),
    /// The run passes: there is no failure to shrink or bisect (the sentence).
    Passes(String),
    /// The search cannot be made (the sentence).
    Refused(String),
}

/// A shrunk failing run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shrunk {
    /// The shrunk schedule, `s:…`.
    pub schedule: String,
    /// Its deviations from FIFO order, in words, at their steps of the shrunk run.
    pub deviations: Vec<Deviation>,
    /// Deviations of the failing run itself.
    pub original_deviations: usize,
    /// Runs the search took, and the budget.
    pub runs: u64,
    pub budget: u64,
    /// True when no schedule with fewer deviations fails the same way.
    pub minimal: bool,
    /// How both fail ("the check at …", "a deadlock").
    pub failure: String,
    /// What the shrunk run's verdict said.
    pub message: String,
}

/// One deviation from FIFO order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    pub step: u64,
    /// "at step 5 `b` ran before `a`, which had been ready since step 2".
    pub text: String,
}

/// Continuations of a run from one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forked {
    pub at: u64,
    /// Decisions of the run kept (those before `at`).
    pub kept: usize,
    pub runs: u64,
    /// Continuations that failed in any way.
    pub failures: u64,
    /// How the run itself failed, if it did, and how many continuations failed so.
    pub original: Option<String>,
    pub same: u64,
    /// The estimated probability of the run's own ending (of failing, for a
    /// passing run), and its error at 99.9 %.
    pub probability: f64,
    pub error: f64,
    pub endings: Vec<Ending>,
}

/// One way continuations ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ending {
    /// How they failed; `None`: they passed.
    pub failure: Option<String>,
    pub runs: u64,
    /// The first that did: its continuation seed, the schedule that replays it, its verdict.
    pub first_seed: u64,
    pub schedule: String,
    pub message: String,
}

/// Where a failing run's failure became inevitable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bisected {
    pub failure: String,
    /// Decisions of the run.
    pub decisions: usize,
    /// The estimated points, by step.
    pub points: Vec<Point>,
    /// The first step from which every continuation fails the same way.
    pub inevitable_step: u64,
    /// The decision that made it so, in words (`None`: it fails from the start).
    pub inevitable: Option<String>,
    pub runs: u64,
    pub budget: u64,
    pub per_point: u64,
    pub error: f64,
}

/// One estimate of P(fail | the run up to `step`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub step: u64,
    pub decisions: usize,
    pub runs: u64,
    pub fails: u64,
}

/// A program ready to run again and again: the config of the run and the
/// body that starts, runs and judges it.
struct Prepared {
    config: Config,
    body: Box<dyn Fn(&mut Sim) -> SeedResult>,
}

fn prepare(request: &SearchRequest) -> Result<Prepared, String> {
    let config = Config::seeded(request.seed);
    match &request.target {
        Target::Scenario(run) => {
            let (scenario, params) = scenario_of(run)?;
            Ok(Prepared {
                config: scenario.configured(config, &params),
                body: Box::new(move |sim| {
                    sim.set_scenario(scenario.id, params.pairs());
                    (scenario.spawn)(sim, &params);
                    let outcome = sim.run();
                    scenario.verdict(sim, &outcome)
                }),
            })
        }
        Target::Program { file, text } => {
            let program = Program::parse(file, text).map_err(|d| {
                format!(
                    "the program does not run (line {}, column {}: {})",
                    d.line, d.column, d.message
                )
            })?;
            Ok(Prepared {
                config,
                body: Box::new(move |sim| {
                    drop(program.spawn_main(sim));
                    sweep::check_outcome(&sim.run())
                }),
            })
        }
    }
}

fn scenario_of(run: &ScenarioRun) -> Result<(&'static Scenario, Params), String> {
    let scenario = scenarios::find(&run.id).ok_or_else(|| format!("no scenario is called `{}`", run.id))?;
    let values: Vec<(String, String)> = run.params.iter().map(|(k, v)| (k.clone(), v.to_string())).collect();
    let (params, errors) = scenario.params(Some(&run.mode), values.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    match errors.first() {
        Some(e) => Err(e.message.clone()),
        None => Ok((scenario, params)),
    }
}

/// Runs the search `request` asks for; `progress` is told (runs made, at
/// most runs) now and then.
pub fn search(request: &SearchRequest, progress: &mut dyn FnMut(u64, u64)) -> Found {
    match run(request, progress) {
        Ok(found) => found,
        Err(message) => Found::Refused(message),
    }
}

fn run(request: &SearchRequest, progress: &mut dyn FnMut(u64, u64)) -> Result<Found, String> {
    let prepared = prepare(request)?;
    let schedule = match &request.schedule {
        None => None,
        Some(text) => Some(text.parse::<Schedule>()?),
    };
    let of = match request.search {
        Search::Shrink { budget } => budget,
        Search::Fork { runs, .. } => runs + 1,
        Search::Bisect { budget, .. } => budget,
    };
    let every = (of / PROGRESS_STEPS).max(1);
    let made = Cell::new(0u64);
    let progress = RefCell::new(progress);
    let body = |sim: &mut Sim| {
        made.set(made.get() + 1);
        if made.get() % every == 0 {
            (progress.borrow_mut())(made.get(), of);
        }
        (prepared.body)(sim)
    };
    let config = prepared.config;
    let followed = "this run follows a schedule (a shrunk or forked run); open the seed's own run to";
    match request.search {
        Search::Shrink { budget } => {
            if schedule.is_some() {
                return Err(format!("{followed} shrink it"));
            }
            if !(SHRINK_RUNS_MIN..=SHRINK_RUNS_MAX).contains(&budget) {
                return Err(format!(
                    "a shrink takes from {SHRINK_RUNS_MIN} to {SHRINK_RUNS_MAX} runs, not {budget}"
                ));
            }
            match wakescope::shrink(config, budget, &body) {
                Ok(shrunk) => Ok(Found::Shrunk(Shrunk {
                    schedule: shrunk.schedule.to_string(),
                    deviations: shrunk
                        .deviations
                        .iter()
                        .map(|d| Deviation {
                            step: d.seq,
                            text: d.describe(&shrunk.trace).to_string(),
                        })
                        .collect(),
                    original_deviations: shrunk.original.deviations(),
                    runs: shrunk.runs,
                    budget,
                    minimal: shrunk.minimal,
                    failure: shrunk.kind.to_string(),
                    message: shrunk.message,
                })),
                Err(passes @ ShrinkError::Passes { .. }) => Ok(Found::Passes(passes.to_string())),
                Err(other) => Err(other.to_string()),
            }
        }
        Search::Fork { at, runs } => {
            if !(1..=FORK_RUNS_MAX).contains(&runs) {
                return Err(format!(
                    "a fork runs from 1 to {FORK_RUNS_MAX} continuations, not {runs}"
                ));
            }
            // The run itself, as the page shows it.
            let traced = config.with_trace(true);
            let mut sim = match &schedule {
                Some(schedule) => Sim::with_schedule(traced, schedule),
                None => Sim::new(traced),
            };
            let result = body(&mut sim);
            let trace = sim.trace();
            if at > trace.len() as u64 {
                return Err(format!("step {at} is past the end of the run ({} steps)", trace.len()));
            }
            let original = result.err().map(|m| FailureKind::of(&trace, &m));
            let kept: Vec<u32> = decisions(&trace)
                .iter()
                .take_while(|d| d.seq < at)
                .map(|d| d.choice)
                .collect();
            let mut forks = Forks::new(at, Schedule::from_choices(kept), original);
            for _ in 0..runs {
                forks.run_next(config, &body);
            }
            Ok(Found::Forked(forked(&forks)))
        }
        Search::Bisect { per_point, budget } => {
            if schedule.is_some() {
                return Err(format!("{followed} bisect it"));
            }
            let bisection = match sweep::bisect(config, per_point, budget, &body) {
                Ok(b) => b,
                Err(message) if message.contains("does not fail") => return Ok(Found::Passes(message)),
                Err(message) => return Err(message),
            };
            let mut points: Vec<Point> = bisection
                .points
                .iter()
                .map(|p| Point {
                    step: p.step,
                    decisions: p.decisions,
                    runs: p.runs,
                    fails: p.fails,
                })
                .collect();
            points.sort_by_key(|p| (p.step, p.decisions));
            let inevitable = &bisection.inevitable;
            Ok(Found::Bisected(Bisected {
                failure: bisection.kind.to_string(),
                decisions: bisection.decisions.len(),
                points,
                inevitable_step: inevitable.step,
                inevitable: inevitable
                    .decision
                    .as_ref()
                    .map(|d| d.describe(&bisection.trace).to_string()),
                runs: bisection.runs,
                budget,
                per_point,
                error: estimate_error(per_point),
            }))
        }
    }
}

fn forked(forks: &Forks) -> Forked {
    Forked {
        at: forks.at,
        kept: forks.prefix.choices().len(),
        runs: forks.runs,
        failures: forks.failures(),
        original: forks.original.as_ref().map(ToString::to_string),
        same: forks.same,
        probability: forks.probability(),
        error: estimate_error(forks.runs),
        endings: forks
            .endings
            .iter()
            .map(|e| Ending {
                failure: e.kind.as_ref().map(ToString::to_string),
                runs: e.runs,
                first_seed: e.first_seed,
                schedule: e.schedule.to_string(),
                message: e.message.clone(),
            })
            .collect(),
    }
}
