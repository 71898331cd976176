//! A run: one scenario with one seed, recorded a slice at a time.
//!
//! The recording itself — slices, fold, snapshots, seeking, the end — is the
//! library's [`Recording`]; a run adds what the page knows about where it
//! came from (the scenario, its parameters, the seed) and the scenario's
//! verdict on it. [`Source`] is the page's recording: a run, or a trace
//! opened from a file.

use std::ops::Deref;

use wakescope::Config;
use wakescope::scenarios::{Params, Scenario};
use wakescope::view::Recording;

use super::sweep::Judgement;

/// The most events the page records for one run; past it the run is stopped
/// (the executor's own limits usually end it first). The trace keeps 8 bytes
/// an event, so this is 128 MB of trace at most; a million sleepers need
/// about 9 million events. Snapshots add about as much again (see
/// [`wakescope::view::Snapshots`]), and the executor's own tasks come on top.
pub const EVENTS_MAX: u64 = 16_000_000;

/// What is being run: a scenario, its validated parameters and a seed. Two
/// setups are the same run when all three agree.
#[derive(Clone, Debug)]
pub struct Setup {
    pub scenario: &'static Scenario,
    pub params: Params,
    pub seed: u64,
}

impl PartialEq for Setup {
    fn eq(&self, other: &Setup) -> bool {
        self.scenario.id == other.scenario.id && self.params == other.params && self.seed == other.seed
    }
}

/// One scenario run, recorded so far.
pub struct Run {
    scenario: &'static Scenario,
    params: Params,
    seed: u64,
    recording: Recording,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("scenario", &self.scenario.id)
            .field("params", &self.params)
            .field("seed", &self.seed)
            .field("recording", &self.recording)
            .finish()
    }
}

impl Run {
    /// Spawns the scenario's tasks on a fresh simulation and folds what that recorded.
    pub fn start(scenario: &'static Scenario, params: Params, seed: u64) -> Run {
        let sim = scenario.start(Config::seeded(seed), &params);
        Run {
            scenario,
            params,
            seed,
            recording: Recording::live(sim, EVENTS_MAX),
        }
    }

    /// [`Run::start`] for `setup`.
    pub fn of(setup: &Setup) -> Run {
        Run::start(setup.scenario, setup.params.clone(), setup.seed)
    }

    /// The scenario's verdict and measurement on this very run, once it has
    /// ended by itself (`None` before, or when the page's event limit cut it short).
    pub fn judgement(&self) -> Option<Judgement> {
        self.recording.end()?;
        let outcome = self.recording.outcome()?.clone();
        let sim = self.recording.sim()?;
        Some(Judgement {
            verdict: self.scenario.verdict(sim, &outcome),
            measured: self.scenario.measure(sim),
            outcome,
        })
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &'static Scenario {
        self.scenario
    }

    /// The validated parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
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
