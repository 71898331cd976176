//! The determinism self-check: one seed, two runs, identical traces.
//!
//! Same program and same seed must give the same trace, event for event.
//! When they do not, something outside the simulation leaked in: a global
//! counter, the wall clock, an unseeded RNG, hash-map order, another thread.
//! The check runs the body twice with recording on and compares the traces:
//! equal fingerprints and lengths mean equal traces; otherwise it walks both,
//! comparing each event's own hash (its side fields included, which its
//! words may show clipped), and names the first event where they differ, as
//! text with task names.
//! The body's results are compared too: equal traces that end in different
//! verdicts mean the body itself read something outside the run.

// A divergence is the rare, reported outcome of a check; boxing it would
// only add noise where callers match on it.
#![allow(clippy::result_large_err)]

use std::fmt;

use super::engine::{for_each_seed, run_recorded};
use super::{SeedResult, Sweep};
use crate::compare::Strictness;
use crate::config::Config;
use crate::sim::Sim;
use crate::trace::{EventRecord, Trace};

/// Where two runs of the same seed first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The seed.
    pub seed: u64,
    /// Index of the first event that differs (the trace length when the
    /// traces are equal but the body's results are not).
    pub index: u64,
    /// The first run's event there, if its trace had one.
    pub first_event: Option<EventRecord>,
    /// The second run's event there, if its trace had one.
    pub second_event: Option<EventRecord>,
    /// The first run at that point, in words.
    pub first: String,
    /// The second run at that point, in words.
    pub second: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seed {}: two runs diverge at event {}", self.seed, self.index)?;
        writeln!(f, "  first run:  {}", self.first)?;
        write!(f, "  second run: {}", self.second)
    }
}

impl std::error::Error for Divergence {}

/// Runs `body` twice on seed `seed` ([`Config::seeded`], recording on) and
/// compares the traces. Returns the trace fingerprint when they match.
///
/// ```
/// use std::time::Duration;
/// let fingerprint = wakescope::sweep::check_determinism(7, |sim| {
///     let _nap = sim.spawn("nap", wakescope::sleep(Duration::from_secs(1)));
///     wakescope::sweep::check_outcome(&sim.run())
/// })
/// .expect("a program that reads nothing outside the run is deterministic");
/// assert_ne!(fingerprint, 0);
/// ```
pub fn check_determinism<F>(seed: u64, body: F) -> Result<u64, Divergence>
where
    F: Fn(&mut Sim) -> SeedResult,
{
    check_determinism_with(Config::seeded(seed), body)
}

/// [`check_determinism`] with a whole config (its seed is the one checked;
/// recording is switched on; PCT without a horizon measures `body` first,
/// see [`super::measure_horizon`]).
pub fn check_determinism_with<F>(config: Config, body: F) -> Result<u64, Divergence>
where
    F: Fn(&mut Sim) -> SeedResult,
{
    let config = super::measure_horizon(config, |sim| {
        let _ = body(sim);
    });
    check_seed(config, &body)
}

fn check_seed<F>(config: Config, body: &F) -> Result<u64, Divergence>
where
    F: Fn(&mut Sim) -> SeedResult,
{
    let config = config.with_trace(true);
    let (first_result, first) = run_recorded(config, body);
    let (second_result, second) = run_recorded(config, body);
    if let Some(divergence) = first_divergence(config.seed, &first, &second) {
        return Err(divergence);
    }
    if first_result != second_result {
        let verdict = |r: &SeedResult| match r {
            Ok(()) => "the body returned Ok".to_string(),
            Err(m) => format!("the body failed: {m}"),
        };
        return Err(Divergence {
            seed: config.seed,
            index: first.len() as u64,
            first_event: None,
            second_event: None,
            first: format!("(identical trace) {}", verdict(&first_result)),
            second: format!("(identical trace) {}", verdict(&second_result)),
        });
    }
    Ok(first.fingerprint())
}

/// The first event where two traces differ, if they do: the comparison of
/// two runs ([`crate::compare`]) at its strictest.
fn first_divergence(seed: u64, first: &Trace, second: &Trace) -> Option<Divergence> {
    let d = crate::compare::first_divergence(first, second, Strictness::Exact)?;
    Some(Divergence {
        seed,
        index: d.step,
        first_event: d.a,
        second_event: d.b,
        first: d.a_text,
        second: d.b_text,
    })
}

/// What a determinism check over many seeds found.
#[derive(Clone, Debug)]
pub struct DeterminismReport {
    /// Seeds checked (each ran twice).
    pub runs: u64,
    /// Seeds whose two runs differed.
    pub divergences: u64,
    /// The smallest such seed and where it diverged.
    pub first: Option<Divergence>,
    /// Worker threads used.
    pub jobs: usize,
    /// Wall-clock time, where a clock exists.
    pub elapsed: Option<std::time::Duration>,
}

impl DeterminismReport {
    /// True when every seed gave the same trace twice.
    pub fn is_ok(&self) -> bool {
        self.divergences == 0
    }
}

impl fmt::Display for DeterminismReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.first {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "determinism check: {} seed(s) run twice, {} diverged, {} job(s)",
            self.runs, self.divergences, self.jobs
        )
    }
}

impl Sweep {
    /// Runs every seed twice and compares the traces (see [`check_determinism`]);
    /// recording is switched on for these runs.
    pub fn check_determinism<F>(self, body: F) -> DeterminismReport
    where
        F: Fn(&mut Sim) -> SeedResult + Sync,
    {
        let seeds = self.seeds();
        let config = super::measure_horizon(self.config, |sim| {
            let _ = body(sim);
        });
        let check = |seed: u64| check_seed(Config { seed, ..config }, &body).err();
        let tally = for_each_seed(seeds, self.jobs, false, &check);
        DeterminismReport {
            runs: tally.runs,
            divergences: tally.failures,
            first: tally.first.map(|(_, d)| d),
            jobs: tally.jobs,
            elapsed: tally.elapsed,
        }
    }
}
