//! A run: one scenario or playground program with one seed, recorded a
//! slice at a time.
//!
//! The recording itself — slices, fold, snapshots, seeking, the end — is the
//! library's [`Recording`]; a run adds what the page knows about where it
//! came from (the scenario and its parameters, or the program's text; the
//! seed) and the scenario's verdict on it. A program is run as the compiled
//! program would be — `sim.spawn("main", main())` on `Config::seeded(seed)` —
//! and recorded with the same slicing, so an endless loop in it stops at the
//! interpreter's per-poll limit instead of freezing the page.
//!
//! Every run shows its program ([`Listing`]). A scenario that has one
//! (`Scenario::program`) is run by interpreting that program's text for its
//! parameters, on the configuration the scenario would use — the trace, and
//! so the fingerprint, is the compiled scenario's (the playground's
//! `tests/scenarios.rs` checks it), and the verdict, sweep and address stay
//! the scenario's. Only a run with more than [`INTERPRETED_TASKS_MAX`] tasks
//! runs compiled, its program shown as the equivalent. [`Source`] is the
//! page's recording: a run, or a trace opened from a file.

use std::ops::Deref;
use std::sync::Arc;

use wakescope::scenarios::{Params, Scenario};
use wakescope::view::Recording;
use wakescope::{Config, Sim};
use wakescope_playground::{Diagnostic, Program};

use super::listing::Listing;
use super::sweep::Judgement;

/// The file name a playground program's locations carry in the trace (and
/// the code panel matches them by).
pub const PROGRAM_FILE: &str = "main.rs";

/// The most events the page records for one run; past it the run is stopped
/// (the executor's own limits usually end it first). The trace keeps 8 bytes
/// an event, so this is 128 MB of trace at most; a million sleepers need
/// about 9 million events. Snapshots add about as much again (see
/// [`wakescope::view::Snapshots`]), and the executor's own tasks come on top.
pub const EVENTS_MAX: u64 = 16_000_000;

/// The most tasks (a scenario's `tasks` parameter) a scenario run is
/// interpreted with; past it the compiled scenario runs, since the
/// interpreter holds several times more memory per task (its environment
/// and statement stack) and a million interpreted sleepers would not fit
/// beside the trace.
pub const INTERPRETED_TASKS_MAX: i64 = 20_000;

/// True when a run of `scenario` with `params` interprets its program:
/// it has one, and no more than [`INTERPRETED_TASKS_MAX`] tasks.
pub fn interprets(scenario: &Scenario, params: &Params) -> bool {
    let tasks = params.values.iter().find(|(name, _)| *name == "tasks").map(|(_, v)| *v);
    scenario.program.is_some() && tasks.is_none_or(|tasks| tasks <= INTERPRETED_TASKS_MAX)
}

/// The configuration a run of `scenario` with `params` and `seed` uses
/// (the scenario's `configure` hook applied, as `Scenario::start` does).
pub fn scenario_config(scenario: &Scenario, params: &Params, seed: u64) -> Config {
    let mut config = Config::seeded(seed);
    if let Some(configure) = scenario.configure {
        configure(&mut config, params);
    }
    config
}

/// What is being run: a scenario, its validated parameters and a seed — or,
/// when `program` holds a text, that playground program with the seed (the
/// scenario and parameters are then the ones to go back to). Two setups are
/// the same run when all of it agrees.
#[derive(Clone, Debug)]
pub struct Setup {
    pub scenario: &'static Scenario,
    pub params: Params,
    pub seed: u64,
    /// A playground program's text, run in place of the scenario.
    pub program: Option<Arc<str>>,
}

impl PartialEq for Setup {
    fn eq(&self, other: &Setup) -> bool {
        self.scenario.id == other.scenario.id
            && self.params == other.params
            && self.seed == other.seed
            && self.program == other.program
    }
}

impl Setup {
    /// The scenario `scenario` with `params` and `seed`.
    pub fn scenario(scenario: &'static Scenario, params: Params, seed: u64) -> Setup {
        Setup {
            scenario,
            params,
            seed,
            program: None,
        }
    }

    /// True when a playground program is run.
    pub fn is_program(&self) -> bool {
        self.program.is_some()
    }
}

/// One run of a scenario or a program, recorded so far.
pub struct Run {
    setup: Setup,
    /// What rustc would warn about in the program (nothing for a scenario).
    warnings: Vec<Diagnostic>,
    /// The code the run shows.
    listing: Listing,
    recording: Recording,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("scenario", &self.setup.scenario.id)
            .field("params", &self.setup.params)
            .field("seed", &self.setup.seed)
            .field("program", &self.setup.program.as_ref().map(|t| t.len()))
            .field("recording", &self.recording)
            .finish()
    }
}

impl Run {
    /// Starts the scenario on a fresh simulation: its program's text
    /// interpreted when [`interprets`] says so, else its compiled tasks.
    /// Either way the trace header names the scenario and its parameters.
    pub fn start(scenario: &'static Scenario, params: Params, seed: u64) -> Run {
        let (sim, listing) = match scenario.program {
            Some(program) if interprets(scenario, &params) => {
                let text: Arc<str> = program(&params).into();
                let parsed = Program::parse(PROGRAM_FILE, &text)
                    .unwrap_or_else(|d| panic!("the {} scenario's program does not parse: {d}", scenario.id));
                let mut sim = Sim::new(scenario_config(scenario, &params, seed));
                sim.set_scenario(scenario.id, params.pairs());
                // The handle is dropped: `main` runs detached, as the scenario's does.
                drop(parsed.spawn_main(&mut sim));
                (sim, Listing::Interpreted(text))
            }
            Some(program) => (
                scenario.start(Config::seeded(seed), &params),
                Listing::CompiledEquivalent(program(&params).into()),
            ),
            None => (
                scenario.start(Config::seeded(seed), &params),
                Listing::Source(scenario.source),
            ),
        };
        Run {
            setup: Setup::scenario(scenario, params, seed),
            warnings: Vec::new(),
            listing,
            recording: Recording::live(sim, EVENTS_MAX),
        }
    }

    /// Parses the program `text` and spawns its `main` on a fresh simulation
    /// with `seed`, as `sim.spawn("main", main())` does for the compiled
    /// program; `back` is the scenario setup to go back to. A program that
    /// does not parse (or that the playground refuses) is an error at its
    /// line and column, and nothing runs.
    pub fn program(text: Arc<str>, seed: u64, back: &Setup) -> Result<Run, Diagnostic> {
        let program = Program::parse(PROGRAM_FILE, &text)?;
        let mut sim = Sim::new(Config::seeded(seed));
        // The handle is dropped: `main` runs detached, as a spawned task does.
        drop(program.spawn_main(&mut sim));
        Ok(Run {
            setup: Setup {
                seed,
                program: Some(text.clone()),
                ..back.clone()
            },
            warnings: program.warnings().to_vec(),
            listing: Listing::Interpreted(text),
            recording: Recording::live(sim, EVENTS_MAX),
        })
    }

    /// A run of `setup`: its program if it has one, else its scenario.
    pub fn of(setup: &Setup) -> Result<Run, Diagnostic> {
        match &setup.program {
            Some(text) => Run::program(text.clone(), setup.seed, setup),
            None => Ok(Run::start(setup.scenario, setup.params.clone(), setup.seed)),
        }
    }

    /// The scenario's verdict and measurement on this very run, once it has
    /// ended by itself (`None` before, for a program, or when the page's
    /// event limit cut it short).
    pub fn judgement(&self) -> Option<Judgement> {
        let scenario = self.scenario()?;
        self.recording.end()?;
        let outcome = self.recording.outcome()?.clone();
        let sim = self.recording.sim()?;
        Some(Judgement {
            verdict: scenario.verdict(sim, &outcome),
            measured: scenario.measure(sim),
            outcome,
        })
    }

    /// What is run.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The scenario being run (`None` for a program).
    pub fn scenario(&self) -> Option<&'static Scenario> {
        (!self.setup.is_program()).then_some(self.setup.scenario)
    }

    /// The program's text (`None` for a scenario).
    pub fn program_text(&self) -> Option<&Arc<str>> {
        self.setup.program.as_ref()
    }

    /// The code the run shows.
    pub fn listing(&self) -> &Listing {
        &self.listing
    }

    /// The program's warnings: futures created and never awaited.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The validated parameters.
    pub fn params(&self) -> &Params {
        &self.setup.params
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.setup.seed
    }

    /// The recording, to advance it.
    pub fn recording_mut(&mut self) -> &mut Recording {
        &mut self.recording
    }

    /// Takes up to `steps_max` executor steps and folds what they recorded
    /// (see [`Recording::advance`]); true once the run has ended.
    pub fn advance(&mut self, steps_max: u32) -> bool {
        self.recording.advance(steps_max)
    }

    /// Runs to the end in one go (tests and tools; the page uses [`Run::advance`]).
    pub fn finish(&mut self) {
        self.recording.finish()
    }
}

/// A run reads as its recording.
impl Deref for Run {
    type Target = Recording;

    fn deref(&self) -> &Recording {
        &self.recording
    }
}

/// The page's recording: a scenario run, or a trace opened from a file.
pub enum Source {
    Run(Run),
    Imported(Recording),
}

impl Source {
    /// Records more (a run records, an import folds); true once it has ended.
    pub fn advance(&mut self, steps_max: u32) -> bool {
        match self {
            Source::Run(run) => run.advance(steps_max),
            Source::Imported(recording) => recording.advance(steps_max),
        }
    }

    /// The recording behind either.
    pub fn recording(&self) -> &Recording {
        match self {
            Source::Run(run) => &run.recording,
            Source::Imported(recording) => recording,
        }
    }

    /// True for an imported trace.
    pub fn is_imported(&self) -> bool {
        matches!(self, Source::Imported(_))
    }

    /// The program's text, when a program run is on screen.
    pub fn program_text(&self) -> Option<&Arc<str>> {
        match self {
            Source::Run(run) => run.program_text(),
            Source::Imported(_) => None,
        }
    }

    /// The code the run on screen shows (`None` for an import).
    pub fn listing(&self) -> Option<&Listing> {
        match self {
            Source::Run(run) => Some(run.listing()),
            Source::Imported(_) => None,
        }
    }
}

/// Either reads as its recording.
impl Deref for Source {
    type Target = Recording;

    fn deref(&self) -> &Recording {
        self.recording()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wakescope::scenarios;
    use wakescope::view::{EndKind, FOLD_PER_ADVANCE_MAX, ViewState};

    /// `million` spawns every sleeper in one executor step: far more events
    /// than one call may fold.
    fn million(tasks: &str) -> (&'static Scenario, Params) {
        let scenario = scenarios::find("million").expect("registered");
        let (params, errors) = scenario.params(None, [("tasks", tasks)]);
        assert!(errors.is_empty(), "{errors:?}");
        (scenario, params)
    }

    #[test]
    fn one_call_folds_a_bounded_number_of_events_and_the_end_waits_for_the_fold() {
        let (scenario, params) = million("20000");
        let mut run = Run::start(scenario, params.clone(), 3);
        let mut calls = 0;
        loop {
            let before = run.len();
            let done = run.advance(64);
            calls += 1;
            assert!(
                run.len() - before <= FOLD_PER_ADVANCE_MAX,
                "call {calls} folded {}",
                run.len() - before
            );
            assert!(run.len() <= run.recorded());
            if done {
                break;
            }
            assert!(
                run.end().is_none() && run.fingerprint().is_none(),
                "ended before the fold caught up"
            );
        }
        assert_eq!(run.len(), run.recorded());
        assert_eq!(run.end().map(|e| e.kind), Some(EndKind::Completed));
        assert!(run.len() as u64 > 20_000 * 8, "{} events", run.len());
        assert!(calls as u64 > run.len() / FOLD_PER_ADVANCE_MAX, "{calls} calls");

        let mut whole = scenario.start(Config::seeded(3), &params);
        whole.run();
        assert_eq!(run.fingerprint(), Some(whole.trace().fingerprint()));
        // Back and forward agree with a fold from scratch, across snapshots.
        let total = run.len();
        for k in [
            total,
            total - 1,
            total / 2 + 1,
            total / 2,
            20_001,
            3,
            0,
            total - 2,
            total,
        ] {
            assert_eq!(run.view_at(k), run.with_trace(|t| ViewState::fold(t, k)), "step {k}");
        }
    }

    #[test]
    fn snapshots_stay_few_when_the_state_is_big() {
        let (scenario, params) = million("20000");
        let mut run = Run::start(scenario, params, 1);
        run.finish();
        // About 180,000 events over a state weighing up to ~60,000.
        assert!(run.snapshot_count() <= 4, "{} snapshots", run.snapshot_count());
    }
}
