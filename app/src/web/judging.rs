//! Judging: the scenario's verdict on the run being watched, and the sweep
//! over seeds that looks for a failing one.
//!
//! The verdict is read from the recorded run itself once it has ended; only
//! a run the page's event limit cut short is judged on a second simulation
//! of the same scenario, seed and configuration, run to its real end. That
//! simulation and the sweep each run on a [`FrameSlicer`] of their own, at
//! most [`crate::slicer::SLICE_BUDGET_MS`] per animation frame, so neither
//! freezes the page and either can be stopped: the session stops the judge
//! when the run on screen is replaced, the user stops the sweep.

use leptos::prelude::*;

use super::read_only::ReadOnly;

use super::frames::FrameSlicer;
use crate::model::Setup;
use crate::model::sweep::{Judge, Judgement, SeedSweep, SweepFound};
use crate::model::waitfor::DeadlockView;
use crate::slicer::STEPS_PER_CHECK;

/// The verdict on the run being watched, once judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// `Err` says what went otherwise than the scenario documents.
    pub verdict: Result<(), String>,
    /// The scenario's measured summary.
    pub measured: Option<String>,
    /// The wait-for graph, when the run deadlocked.
    pub deadlock: Option<DeadlockView>,
}

impl Verdict {
    fn of(judgement: Judgement) -> Verdict {
        Verdict {
            deadlock: judgement.outcome.deadlock().map(DeadlockView::new),
            verdict: judgement.verdict,
            measured: judgement.measured,
        }
    }
}

/// Where a sweep stands, for the sweep bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepStatus {
    pub running: bool,
    pub done: u64,
    pub total: u64,
    /// Once over: the first failing seed (if any) and the sentence.
    pub result: Option<(Option<u64>, String)>,
}

/// The verdict and the sweep; `Copy`, owned by the session.
#[derive(Clone, Copy)]
pub struct Judging {
    verdict: RwSignal<Option<Verdict>>,
    sweep: RwSignal<SweepStatus>,
    /// Runs the second simulation, when one is needed.
    judge: FrameSlicer,
    /// Runs the sweep.
    sweeper: FrameSlicer,
}

impl Judging {
    /// No verdict, no sweep.
    pub fn new() -> Judging {
        let verdict = RwSignal::new(None);
        let sweep = RwSignal::new(SweepStatus::default());
        Judging {
            verdict,
            sweep,
            judge: FrameSlicer::new(),
            sweeper: FrameSlicer::new(),
        }
    }

    /// The verdict on the run on screen, once judged.
    pub fn verdict(&self) -> ReadOnly<Option<Verdict>> {
        ReadOnly::of(self.verdict)
    }

    /// Where the seed sweep stands.
    pub fn sweep(&self) -> ReadOnly<SweepStatus> {
        ReadOnly::of(self.sweep)
    }

    /// Forgets the verdict and stops judging: the run on screen is being replaced.
    pub(super) fn reset(&self) {
        self.judge.cancel();
        self.verdict.set(None);
    }

    /// Judges the run of `setup` that has just ended: from `own`, the
    /// recorded run's own judgement, or on a second simulation when there is
    /// none (the event limit cut the recording short).
    pub(super) fn judge(&self, own: Option<Judgement>, setup: &Setup) {
        if let Some(judgement) = own {
            self.verdict.set(Some(Verdict::of(judgement)));
            return;
        }
        let verdict = self.verdict;
        self.judge.start(
            Judge::start(setup.scenario, &setup.params, setup.seed, true),
            |judge| judge.advance(STEPS_PER_CHECK),
            move |judge, slice| {
                if slice.done {
                    verdict.set(judge.judgement().map(Verdict::of));
                }
            },
        );
    }

    /// Sweeps `count` seeds from `setup`'s for the first the verdict fails;
    /// `failed` is called with that seed, once the sweep is over.
    pub(super) fn start_sweep(&self, setup: &Setup, count: u64, failed: impl FnOnce(u64) + 'static) {
        let sweep = SeedSweep::new(setup.scenario, setup.params.clone(), setup.seed, count);
        self.sweep.set(SweepStatus {
            running: true,
            done: 0,
            total: sweep.total(),
            result: None,
        });
        let status = self.sweep;
        let mut failed = Some(failed);
        self.sweeper.start(
            sweep,
            |sweep| sweep.advance(STEPS_PER_CHECK),
            move |sweep, _| {
                let failing = match sweep.found() {
                    Some(SweepFound::Failure { seed, .. }) => Some(*seed),
                    _ => None,
                };
                let result = sweep.result_text().map(|text| (failing, text));
                let over = result.is_some();
                status.update(|s| {
                    s.done = sweep.done();
                    s.running = !over;
                    s.result = result;
                });
                if let (Some(seed), Some(failed)) = (failing, failed.take()) {
                    failed(seed);
                }
            },
        );
    }

    /// Stops a running sweep; what it tried so far stays on screen.
    pub(super) fn cancel_sweep(&self) {
        if !self.sweep.with_untracked(|s| s.running) {
            return;
        }
        self.sweeper.cancel();
        self.sweep.update(|s| {
            s.running = false;
            s.result = Some((None, format!("cancelled after {} of {} seeds", s.done, s.total)));
        });
    }
}
