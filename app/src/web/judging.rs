//! Judging in the background: the scenario's verdict on the run being
//! watched, and the sweep over seeds that looks for a failing one.
//!
//! Both run the executor a slice at a time, at most [`SLICE_BUDGET_MS`] per
//! animation frame, like recording does, and both stop when the run they
//! belong to is replaced (a generation number, as in `session.rs`).
//! The verdict is read from the recorded run itself once it has ended; only
//! a run the page's event limit cut short is judged on a second simulation
//! of the same scenario, seed and configuration, run to its real end.

use leptos::prelude::*;

use super::browser;
use super::session::{SLICE_BUDGET_MS, Session, Setup};
use crate::model::Source;
use crate::model::sweep::{Judge, SeedSweep, SweepFound};
use crate::model::waitfor::DeadlockView;

/// Executor steps between two looks at the clock inside a slice.
const STEPS_PER_CHECK: u32 = 64;

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

/// Where a sweep stands, for the sweep bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepStatus {
    pub running: bool,
    pub done: u64,
    pub total: u64,
    /// Once over: the first failing seed (if any) and the sentence.
    pub result: Option<(Option<u64>, String)>,
}

impl Session {
    /// Starts judging the run being watched (called once it has ended).
    pub(super) fn start_judging(&self) {
        let own = self.run.with_value(|r| match r {
            Some(Source::Run(run)) => run.judgement(),
            _ => None,
        });
        if let Some(j) = own {
            self.verdict.set(Some(Verdict {
                verdict: j.verdict,
                measured: j.measured,
                deadlock: j.outcome.deadlock().map(DeadlockView::new),
            }));
            return;
        }
        let Setup { scenario, params, seed } = self.setup.get_untracked();
        self.judge.set_value(Some(Judge::start(scenario, &params, seed, true)));
        let generation = self.generation.get_value();
        self.judge_slice(generation);
    }

    fn judge_slice(&self, generation: u64) {
        let started = browser::now_ms();
        let done = self.judge.try_update_value(|judge| {
            let judge = judge.as_mut()?;
            while !judge.advance(STEPS_PER_CHECK) {
                if browser::now_ms() - started >= SLICE_BUDGET_MS {
                    return Some(None);
                }
            }
            Some(judge.judgement())
        });
        match done {
            Some(Some(Some(j))) => {
                self.judge.set_value(None);
                self.verdict.set(Some(Verdict {
                    verdict: j.verdict,
                    measured: j.measured,
                    deadlock: j.outcome.deadlock().map(DeadlockView::new),
                }));
            }
            Some(Some(None)) => {
                let session = *self;
                request_animation_frame(move || {
                    if session.generation.get_value() == generation {
                        session.judge_slice(generation);
                    }
                });
            }
            _ => {}
        }
    }

    /// Sweeps `count` seeds from the current one for the first the verdict fails.
    pub fn start_sweep(&self, count: u64) {
        let Setup { scenario, params, seed } = self.setup.get_untracked();
        let sweep = SeedSweep::new(scenario, params, seed, count);
        let total = sweep.total();
        self.sweep_run.set_value(Some(sweep));
        let generation = self.sweep_generation.get_value() + 1;
        self.sweep_generation.set_value(generation);
        self.sweep.set(SweepStatus {
            running: true,
            done: 0,
            total,
            result: None,
        });
        self.sweep_slice(generation);
    }

    /// Stops a running sweep; what it tried so far is kept on screen.
    pub fn cancel_sweep(&self) {
        if !self.sweep.with_untracked(|s| s.running) {
            return;
        }
        self.sweep_generation.update_value(|g| *g += 1);
        self.sweep_run.set_value(None);
        self.sweep.update(|s| {
            s.running = false;
            s.result = Some((None, format!("cancelled after {} of {} seeds", s.done, s.total)));
        });
    }

    fn sweep_slice(&self, generation: u64) {
        let started = browser::now_ms();
        let state = self.sweep_run.try_update_value(|sweep| {
            let sweep = sweep.as_mut()?;
            while !sweep.advance(STEPS_PER_CHECK) {
                if browser::now_ms() - started >= SLICE_BUDGET_MS {
                    break;
                }
            }
            let failing = match sweep.found() {
                Some(SweepFound::Failure { seed, .. }) => Some(*seed),
                _ => None,
            };
            Some((sweep.done(), sweep.result_text().map(|text| (failing, text))))
        });
        let Some(Some((done, result))) = state else { return };
        let over = result.is_some();
        self.sweep.update(|s| {
            s.done = done;
            s.running = !over;
            s.result = result.clone();
        });
        if !over {
            let session = *self;
            request_animation_frame(move || {
                if session.sweep_generation.get_value() == generation {
                    session.sweep_slice(generation);
                }
            });
            return;
        }
        self.sweep_run.set_value(None);
        if let Some((Some(seed), _)) = result {
            // Load the failing seed, as a seed change does (a new history entry).
            let setup = self.setup.get_untracked();
            self.change_setup(Setup { seed, ..setup });
        }
    }
}
