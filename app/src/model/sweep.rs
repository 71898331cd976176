//! Judging runs: the scenario's verdict on one run, and a sweep over seeds
//! that looks for the first run the verdict fails.
//!
//! A [`Judge`] runs a scenario with one seed on its own simulation, exactly
//! as the page's recorded run does (`Config::seeded(seed)` through the
//! scenario's `configure` hook), a bounded number of steps at a time, and
//! keeps the simulation so [`Scenario::verdict`] and [`Scenario::measure`]
//! can read it. The page judges its current run with recording on (the
//! measurements read the trace) and sweeps with recording off, as the CLI's
//! `sweep` does — so the first failing seed here is the one the CLI names.
//!
//! A [`SeedSweep`] is a queue of judges, one seed after another, each taking
//! steps only when asked: the page asks once per animation frame for at most
//! its frame budget, so a thousand runs never freeze it.

use std::ops::Range;

use wakescope::scenarios::{Params, Scenario};
use wakescope::{Config, Outcome, Sim, Step};

/// The seeds a sweep tries when the user does not say.
pub const SWEEP_SEEDS_DEFAULT: u64 = 1000;
/// The fewest seeds a sweep may be asked to try.
pub const SWEEP_SEEDS_MIN: u64 = 10;
/// The most seeds one sweep tries.
pub const SWEEP_SEEDS_MAX: u64 = 100_000;

/// The verdict and measurement of a finished run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// `Err` says what went otherwise than the scenario documents.
    pub verdict: Result<(), String>,
    /// The scenario's measured summary, if it has one.
    pub measured: Option<String>,
    /// How the run ended.
    pub outcome: Outcome,
}

/// One scenario run with one seed, stepped until it ends, then judged.
pub struct Judge {
    scenario: &'static Scenario,
    sim: Sim,
    outcome: Option<Outcome>,
}

impl Judge {
    /// A run of `scenario` with `params` and `seed`, the page's configuration;
    /// `record`: keep the trace (the measurements need it; the verdict does not).
    pub fn start(scenario: &'static Scenario, params: &Params, seed: u64, record: bool) -> Judge {
        let sim = scenario.start(Config::seeded(seed).with_trace(record), params);
        Judge {
            scenario,
            sim,
            outcome: None,
        }
    }

    /// Takes up to `steps_max` steps; true once the run has ended.
    pub fn advance(&mut self, steps_max: u32) -> bool {
        for _ in 0..steps_max {
            if self.outcome.is_some() {
                break;
            }
            if let Step::Finished(outcome) = self.sim.step() {
                self.outcome = Some(outcome);
            }
        }
        self.outcome.is_some()
    }

    /// The verdict, once the run has ended.
    pub fn verdict(&self) -> Option<Result<(), String>> {
        self.outcome.as_ref().map(|o| self.scenario.verdict(&self.sim, o))
    }

    /// Verdict, measurement and outcome, once the run has ended.
    pub fn judgement(&self) -> Option<Judgement> {
        let outcome = self.outcome.clone()?;
        Some(Judgement {
            verdict: self.scenario.verdict(&self.sim, &outcome),
            measured: self.scenario.measure(&self.sim),
            outcome,
        })
    }

    /// Runs to the end in one go (tests).
    pub fn finish(&mut self) -> Judgement {
        while !self.advance(4096) {}
        self.judgement().expect("the run has ended")
    }
}

/// What a sweep found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SweepFound {
    /// The first seed whose run the verdict fails, and why.
    Failure { seed: u64, message: String },
    /// Every seed passed.
    NoFailure,
}

/// Seeds tried one after another until one fails or the range is done.
pub struct SeedSweep {
    scenario: &'static Scenario,
    params: Params,
    seeds: Range<u64>,
    /// The seed being run.
    next: u64,
    current: Option<Judge>,
    found: Option<SweepFound>,
}

impl SeedSweep {
    /// A sweep of `count` seeds from `first` (count clamped to
    /// [`SWEEP_SEEDS_MIN`]..=[`SWEEP_SEEDS_MAX`]).
    pub fn new(scenario: &'static Scenario, params: Params, first: u64, count: u64) -> SeedSweep {
        let count = count.clamp(SWEEP_SEEDS_MIN, SWEEP_SEEDS_MAX);
        let seeds = first..first.saturating_add(count);
        SeedSweep {
            scenario,
            params,
            next: seeds.start,
            seeds,
            current: None,
            found: None,
        }
    }

    /// The seeds this sweep tries.
    pub fn seeds(&self) -> Range<u64> {
        self.seeds.clone()
    }

    /// Seeds judged so far.
    pub fn done(&self) -> u64 {
        self.next - self.seeds.start
    }

    /// Seeds in all.
    pub fn total(&self) -> u64 {
        self.seeds.end - self.seeds.start
    }

    /// What the sweep found, once it is over.
    pub fn found(&self) -> Option<&SweepFound> {
        self.found.as_ref()
    }

    /// Takes up to `steps_max` executor steps across runs; true once the sweep is over.
    pub fn advance(&mut self, steps_max: u32) -> bool {
        let mut budget = steps_max;
        while self.found.is_none() && budget > 0 {
            if self.next >= self.seeds.end {
                self.found = Some(SweepFound::NoFailure);
                break;
            }
            let seed = self.next;
            let judge = self
                .current
                .get_or_insert_with(|| Judge::start(self.scenario, &self.params, seed, false));
            let before = judge.sim.steps();
            let ended = judge.advance(budget);
            budget = budget.saturating_sub((judge.sim.steps() - before).max(1) as u32);
            if ended {
                let verdict = judge.verdict().expect("the run has ended");
                self.current = None;
                self.next += 1;
                if let Err(message) = verdict {
                    self.found = Some(SweepFound::Failure { seed, message });
                }
            }
        }
        self.found.is_some()
    }

    /// Runs to the end in one go (tests).
    pub fn finish(&mut self) -> SweepFound {
        while !self.advance(4096) {}
        self.found.clone().expect("the sweep is over")
    }

    /// The sentence for the result: `seed 12 fails: …` or `no failure in seeds 0..999`.
    pub fn result_text(&self) -> Option<String> {
        Some(match self.found.as_ref()? {
            SweepFound::Failure { seed, message } => format!("seed {seed} fails: {message}"),
            SweepFound::NoFailure => {
                format!(
                    "no failure in seeds {}..{}",
                    self.seeds.start,
                    self.seeds.end.saturating_sub(1)
                )
            }
        })
    }
}
