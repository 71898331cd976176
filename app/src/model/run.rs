//! A run: one scenario or playground program with one seed, recorded a
//! slice at a time.
//!
//! The recording itself — slices, fold, snapshots, seeking, the end — is the
//! library's [`Recording`]; a run adds what the page knows about where it
//! came from (the scenario and its parameters, or the program's text; the
//! seed) and the scenario's verdict on it.
//!
//! Every run shows its program ([`Listing`]). A program — a visitor's, or a
//! scenario's (`Scenario::program`) with no more than
//! [`INTERPRETED_TASKS_MAX`] tasks — is interpreted ([`interprets`]): in the
//! page by the interpreter's worker, which sends the run back as the JSON
//! lines of its trace ([`Run::streamed`] reads them: the recording is the
//! one the program's run in the page itself would make; `wakescope-worker`'s
//! tests check it). It runs as the compiled program would —
//! `sim.spawn("main", main())` on `Config::seeded(seed)`, or on the
//! simulation the scenario prepares — so a scenario's interpreted run is the
//! compiled scenario's trace and fingerprint (the playground's
//! `tests/scenarios.rs` checks it), and its verdict, sweep and address stay
//! the scenario's. Everything else runs compiled, in the page
//! ([`Run::compiled`]). [`Source`] is the page's recording: a run, or a
//! trace opened from a file.

use std::ops::Deref;
use std::sync::Arc;

use wakescope::scenarios::{Params, Scenario};
use wakescope::trace::TraceError;
use wakescope::view::Recording;
use wakescope::{Config, Schedule};
use wakescope_playground::Diagnostic;
use wakescope_worker::{RunRequest, ScenarioRun, Search, SearchRequest, Target};

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

/// A streamed run asks the interpreter for its next piece once fewer than
/// this many bytes of its lines wait to be read (about one piece).
pub const PENDING_BYTES_LOW: usize = 256 * 1024;

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
    /// The schedule followed instead of the seed's random choices (a
    /// shrunk run, a fork's continuation); the seed still gives the tasks'
    /// own draws.
    pub schedule: Option<Schedule>,
}

impl PartialEq for Setup {
    fn eq(&self, other: &Setup) -> bool {
        self.scenario.id == other.scenario.id
            && self.params == other.params
            && self.seed == other.seed
            && self.program == other.program
            && self.schedule == other.schedule
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
            schedule: None,
        }
    }

    /// The same program and seed, following `schedule` (`None`: the seed's own run).
    pub fn with_schedule(self, schedule: Option<Schedule>) -> Setup {
        Setup { schedule, ..self }
    }

    /// True when a playground program is run.
    pub fn is_program(&self) -> bool {
        self.program.is_some()
    }

    /// True when the run is interpreted (see [`interprets`]): a program, or
    /// a scenario's program.
    pub fn is_interpreted(&self) -> bool {
        self.is_program() || interprets(self.scenario, &self.params)
    }

    /// The program text that runs, when the run is interpreted.
    pub fn interpreted_text(&self) -> Option<Arc<str>> {
        match (&self.program, self.scenario.program) {
            (Some(text), _) => Some(text.clone()),
            (None, Some(program)) if interprets(self.scenario, &self.params) => Some(program(&self.params).into()),
            _ => None,
        }
    }

    /// True when `other` runs the same program with the same seed, whatever
    /// schedule either follows (a shrunk run and its original, say).
    pub fn same_but_schedule(&self, other: &Setup) -> bool {
        self.scenario.id == other.scenario.id
            && self.params == other.params
            && self.seed == other.seed
            && self.program == other.program
    }

    /// What to ask the worker for to make `search` around this run, as
    /// search `job`: a scenario runs compiled (its program's trace is the
    /// same), a playground program interpreted.
    pub fn search_request(&self, job: u32, search: Search) -> SearchRequest {
        let target = match &self.program {
            Some(text) => Target::Program {
                file: PROGRAM_FILE.into(),
                text: text.to_string(),
            },
            None => Target::Scenario(self.scenario_run()),
        };
        SearchRequest {
            job,
            target,
            seed: self.seed,
            schedule: self.schedule.as_ref().map(ToString::to_string),
            search,
        }
    }

    fn scenario_run(&self) -> ScenarioRun {
        ScenarioRun {
            id: self.scenario.id.into(),
            mode: self.params.mode.into(),
            params: self.params.values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    /// What to ask the interpreter for, as run `job` recording at most
    /// `events_max` events (`None` when the run is not interpreted).
    pub fn request(&self, job: u32, events_max: u64) -> Option<RunRequest> {
        let text = self.interpreted_text()?;
        let scenario = (!self.is_program()).then(|| self.scenario_run());
        Some(RunRequest {
            job,
            file: PROGRAM_FILE.into(),
            text: text.to_string(),
            seed: self.seed,
            scenario,
            events_max,
            schedule: self.schedule.as_ref().map(ToString::to_string),
        })
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
    /// Starts the compiled scenario of `setup` on a fresh simulation, in
    /// the page. A scenario with a program lists it: as the code that runs
    /// when it is [`Run::streamed`] from the interpreter, as its equivalent
    /// when the run is too big to interpret.
    pub fn compiled(setup: &Setup) -> Run {
        let scenario = setup.scenario;
        let listing = match scenario.program {
            Some(program) => Listing::CompiledEquivalent(program(&setup.params).into()),
            None => Listing::Source(scenario.source.unwrap_or_default()),
        };
        Run {
            setup: Setup {
                program: None,
                ..setup.clone()
            },
            warnings: Vec::new(),
            listing,
            recording: Recording::live(
                scenario.start_with(Config::seeded(setup.seed), &setup.params, setup.schedule.as_ref()),
                EVENTS_MAX,
            ),
        }
    }

    /// The interpreted run of `setup` (see [`Setup::request`]) arriving from
    /// the interpreter: `header` is its trace's header line, `warnings` the
    /// program's; the events follow through [`Run::recording_mut`].
    pub fn streamed(setup: &Setup, header: &str, warnings: Vec<Diagnostic>) -> Result<Run, TraceError> {
        let text = setup.interpreted_text().expect("only an interpreted setup is streamed");
        Ok(Run {
            setup: setup.clone(),
            warnings,
            listing: Listing::Interpreted(text),
            recording: Recording::streamed(header)?,
        })
    }

    /// The run of `setup` made in this process: interpreted here when it is
    /// interpreted (tests and tools; the page interprets in its worker and
    /// never links the interpreter), else compiled. A program that does not
    /// parse, or that the playground refuses, is an error at its line and
    /// column, and nothing runs.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn of(setup: &Setup) -> Result<Run, Diagnostic> {
        let Some(request) = setup.request(0, EVENTS_MAX) else {
            return Ok(Run::compiled(setup));
        };
        let (sim, warnings) = wakescope_worker::job::prepare(&request).map_err(Diagnostic::from)?;
        Ok(Run {
            setup: setup.clone(),
            warnings: warnings.into_iter().map(Diagnostic::from).collect(),
            listing: Listing::Interpreted(setup.interpreted_text().expect("an interpreted setup")),
            recording: Recording::live(sim, EVENTS_MAX),
        })
    }

    /// Starts `scenario` with `params` and `seed` in this process (see [`Run::of`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn start(scenario: &'static Scenario, params: Params, seed: u64) -> Run {
        Run::of(&Setup::scenario(scenario, params, seed)).expect("a scenario's program runs")
    }

    /// Runs the program `text` with `seed` in this process (see [`Run::of`]);
    /// `back` is the scenario setup to go back to.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn program(text: Arc<str>, seed: u64, back: &Setup) -> Result<Run, Diagnostic> {
        Run::of(&Setup {
            seed,
            program: Some(text),
            ..back.clone()
        })
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

    /// True while a streamed run waits for more of its lines: its producer
    /// has not ended it and what it sent is all but read.
    pub fn wants_lines(&self) -> bool {
        let recording = self.recording();
        recording.is_streaming() && recording.pending_bytes() < PENDING_BYTES_LOW
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
