//! Seed sweeps and the determinism self-check: simulation testing in a few lines.
//!
//! A deterministic executor turns "it fails one run in a thousand" into "it
//! fails for seed 317". A **sweep** runs the same test body once per seed,
//! each on a fresh [`Sim`], and reports how many seeds failed and the
//! *smallest* failing seed — with its message, its trace and a one-line
//! command that replays exactly that run.
//!
//! ```
//! use std::cell::Cell;
//! use std::rc::Rc;
//! use wakescope::{sweep, yield_now};
//!
//! // Two tasks increment a shared counter with a read, a yield, then a write.
//! let report = sweep(0..200, |sim| {
//!     let counter = Rc::new(Cell::new(0));
//!     for name in ["a", "b"] {
//!         let counter = counter.clone();
//!         let _task = sim.spawn(name, async move {
//!             let read = counter.get();
//!             yield_now().await; // the other task may run here
//!             counter.set(read + 1);
//!         });
//!     }
//!     sweep::check_outcome(&sim.run())?;
//!     match counter.get() {
//!         2 => Ok(()),
//!         n => Err(format!("counter is {n}, expected 2: an increment was lost")),
//!     }
//! });
//! let failure = report.first_failure.as_ref().expect("some interleaving loses an increment");
//! assert!(failure.message.contains("lost"));
//! println!("{report}"); // seed, message, fingerprint and the replay command
//! ```
//!
//! # Design
//! - **Seeds are independent.** Each seed gets its own [`Sim`]; nothing is
//!   shared but the body (hence `Sync`). On native targets seeds run in
//!   parallel on a rayon pool ([`Sweep::jobs`]); each simulation stays on one
//!   thread. On wasm32 seeds run one after another.
//! - **The first failure does not depend on the job count.** Every seed runs
//!   (so the failure count is exact) and the smallest failing seed wins, so
//!   one job and sixteen report the same seed, message and trace.
//! - **Or stop at the first failure** ([`Sweep::stop_at_first`]): workers
//!   skip the seeds above the smallest failing seed found so far. Every seed
//!   below it still runs, so the reported seed is the one a full sweep
//!   reports; the counts are of the seeds that ran (with one job, exactly
//!   the seeds up to the failing one and one failure).
//! - **Sweeps run with recording off** (unless the [`Config`] given to
//!   [`Sweep::config`] turns it on): the first failing seed is then run once
//!   more, on the calling thread, with recording on, to capture its trace.
//!   [`Failure::reproduced`] says whether that second run failed again.
//! - **Panics are failures.** A panic in the body is caught per seed and
//!   reported with its message and location; the default panic message is
//!   not printed for each seed. A panic in a task that nothing handled ends
//!   the run as [`Outcome::Panicked`], which [`check_outcome`] fails: a
//!   failed `assert!` inside a task fails its seed. [`check_no_panics`] is
//!   stricter and fails on handled panics too. (On wasm32 a panic aborts the
//!   program, as everywhere there.)
//! - **The first failure is shrunk** ([`shrink()`], on by default with a
//!   budget of [`SHRINK_RUNS_DEFAULT`] runs, [`Sweep::shrink_runs`]): the
//!   report adds the failing schedule with the fewest deviations from FIFO
//!   order, each deviation in words — what actually mattered.
//! - **Replay by environment.** `WAKESCOPE_SEED=N` narrows a sweep to seed N
//!   and `WAKESCOPE_SEEDS=A..B` replaces its range, so the printed replay
//!   command works on an unchanged test ([`Sweep::env`]).
//! - **Shards.** `WAKESCOPE_SHARD=K/N` (or [`Sweep::shard`]) runs the K-th
//!   of N contiguous blocks of the range ([`Shard`]), for a sweep split
//!   across machines; the report names the shard.
//! - **Wall-clock time is used only to report seeds per second**; it never
//!   reaches a simulation.
//!
//! [`check_determinism`] is the executor's self-check: it runs one seed twice
//! and compares the traces event by event, naming the first divergence.

mod determinism;
mod engine;
mod fork;
mod shard;
mod shrink;

use std::fmt;
use std::ops::Range;
use std::time::Duration;

use crate::config::{Config, Policy};
use crate::outcome::Outcome;
use crate::sim::Sim;
use crate::task::{TaskId, TaskState};
use crate::trace::Trace;

pub use crate::describe::{describe_event, describe_record, format_time_ns};
pub use determinism::{DeterminismReport, Divergence, check_determinism, check_determinism_with};
pub use fork::{
    BISECT_RUNS_DEFAULT, BISECT_RUNS_MAX, Bisection, ERROR_CONFIDENCE, Ending, FORK_RUNS_DEFAULT, FORK_RUNS_MAX, Forks,
    Inevitable, Point, bisect, estimate_error, fork,
};
pub use shard::{SHARD_ENV, SHARDS_MAX, Shard, shard_from_env};
pub use shrink::{FailureKind, SHRINK_RUNS_DEFAULT, SHRINK_RUNS_MAX, SHRINK_RUNS_MIN, ShrinkError, Shrunk, shrink};

/// Environment variable that narrows a sweep to one seed (see [`Sweep::env`]).
pub const SEED_ENV: &str = "WAKESCOPE_SEED";
/// Environment variable that replaces a sweep's seed range, as `A..B` (see [`Sweep::env`]).
pub const SEEDS_ENV: &str = "WAKESCOPE_SEEDS";
/// Most worker threads a sweep may ask for.
pub const JOBS_MAX: usize = 1024;

/// What a sweep body returns: `Err(message)` for a failing seed.
pub type SeedResult = Result<(), String>;

/// Runs `body` once per seed and reports the failures: the one-call form of [`Sweep`].
///
/// Uses the defaults of [`Sweep::new`]: every core, recording off, the
/// environment may override the seeds. See the [module docs](self).
pub fn sweep<F>(seeds: Range<u64>, body: F) -> SweepReport
where
    F: Fn(&mut Sim) -> SeedResult + Sync,
{
    Sweep::new(seeds).run(body)
}

/// A sweep over a range of seeds, configured step by step, then [run](Sweep::run).
///
/// ```
/// use wakescope::{sweep::Sweep, Config, Policy};
/// let report = Sweep::new(0..50)
///     .config(Config::seeded(0).with_policy(Policy::Random).with_trace(false))
///     .jobs(1)
///     .name("my_test")
///     .run(|sim| {
///         let _idle = sim.spawn("idle", async {});
///         wakescope::sweep::check_outcome(&sim.run())
///     });
/// assert!(report.is_ok());
/// assert_eq!(report.runs, 50);
/// ```
pub struct Sweep {
    /// The seeds to run, before any environment override.
    seeds: Range<u64>,
    /// The template for every run; its seed is replaced by each seed.
    config: Config,
    /// Worker threads; `None` means every core.
    jobs: Option<usize>,
    /// Whether [`SEED_ENV`] / [`SEEDS_ENV`] may override `seeds`.
    env: bool,
    /// The test name for the replay hint; `None` guesses it from the thread name.
    name: Option<String>,
    /// Writes the replay hint for a failing seed; overrides `name`.
    replay: Option<Box<dyn Fn(u64) -> String>>,
    /// Runs the shrink of the first failure may take; 0: no shrink.
    shrink_runs: u64,
    /// Skip the seeds after the first failure.
    stop_at_first: bool,
    /// The block of the seeds to run; [`SHARD_ENV`] may override it.
    shard: Shard,
}

impl fmt::Debug for Sweep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sweep")
            .field("seeds", &self.seeds)
            .field("config", &self.config)
            .field("jobs", &self.jobs)
            .field("env", &self.env)
            .field("name", &self.name)
            .field("shrink_runs", &self.shrink_runs)
            .field("stop_at_first", &self.stop_at_first)
            .field("shard", &self.shard)
            .finish_non_exhaustive()
    }
}

impl Sweep {
    /// A sweep over `seeds` with the default config ([`Config::seeded`], recording
    /// off), every core, and the environment allowed to override the seeds.
    pub fn new(seeds: Range<u64>) -> Sweep {
        Sweep {
            seeds,
            config: Config::seeded(0).with_trace(false),
            jobs: None,
            env: true,
            name: None,
            replay: None,
            shrink_runs: SHRINK_RUNS_DEFAULT,
            stop_at_first: false,
            shard: Shard::WHOLE,
        }
    }

    /// The config every run starts from; each run replaces its seed. Keep
    /// recording off for speed unless the body reads the trace.
    pub fn config(mut self, config: Config) -> Sweep {
        self.config = config;
        self
    }

    /// Worker threads: 1 runs the seeds in order on the calling thread; more
    /// uses a rayon pool of that size (at most [`JOBS_MAX`]). The default is
    /// every core. Ignored on wasm32, where seeds always run in order.
    pub fn jobs(mut self, jobs: usize) -> Sweep {
        self.jobs = Some(jobs.clamp(1, JOBS_MAX));
        self
    }

    /// Whether `WAKESCOPE_SEED=N` (run only seed N) and `WAKESCOPE_SEEDS=A..B`
    /// (run those seeds instead) apply. On by default, so that the replay
    /// hint works on an unchanged test; tools that take seeds from their own
    /// arguments switch it off.
    ///
    /// # Panics
    /// [`Sweep::run`] panics when a variable is set but is not a seed (or a
    /// range of seeds): a typo must not silently sweep the default range.
    pub fn env(mut self, env: bool) -> Sweep {
        self.env = env;
        self
    }

    /// The test name used in the replay hint `WAKESCOPE_SEED=N cargo test NAME`.
    /// By default it is the name of the calling thread, which the standard
    /// test harness sets to the test's name.
    pub fn name(mut self, name: &str) -> Sweep {
        self.name = Some(name.to_string());
        self
    }

    /// Whether the first failure is shrunk ([`shrink()`]: the failing
    /// schedule with the fewest deviations from FIFO, in words) — on by
    /// default, with a budget of [`SHRINK_RUNS_DEFAULT`] runs.
    pub fn shrink(mut self, on: bool) -> Sweep {
        self.shrink_runs = if on { SHRINK_RUNS_DEFAULT } else { 0 };
        self
    }

    /// The budget of the first failure's shrink, in runs (from
    /// [`SHRINK_RUNS_MIN`] to [`SHRINK_RUNS_MAX`]; clamped); 0 turns
    /// shrinking off.
    pub fn shrink_runs(mut self, runs: u64) -> Sweep {
        self.shrink_runs = if runs == 0 {
            0
        } else {
            runs.clamp(SHRINK_RUNS_MIN, SHRINK_RUNS_MAX)
        };
        self
    }

    /// Stop at the first failing seed instead of running every seed (off by
    /// default). The smallest failing seed is the same as a full sweep's;
    /// [`SweepReport::runs`] and [`SweepReport::failures`] then count only
    /// the seeds that ran.
    ///
    /// ```
    /// use wakescope::sweep::Sweep;
    /// let report = Sweep::new(0..1_000_000).env(false).jobs(1).stop_at_first(true).run(|sim| {
    ///     let seed = sim.config().seed;
    ///     if seed == 41 { Err("forty-one".into()) } else { Ok(()) }
    /// });
    /// assert_eq!((report.runs, report.failures, report.first_failure.unwrap().seed), (42, 1, 41));
    /// assert!(report.stopped_at_first);
    /// ```
    pub fn stop_at_first(mut self, on: bool) -> Sweep {
        self.stop_at_first = on;
        self
    }

    /// Runs only `shard`'s block of the seeds (see [`Shard`]); with
    /// [`Sweep::env`] on, `WAKESCOPE_SHARD=K/N` overrides it, and
    /// `WAKESCOPE_SEED=N` (a replay) runs seed N whatever the shard.
    ///
    /// ```
    /// use wakescope::sweep::{Shard, Sweep};
    /// let sweep = Sweep::new(0..1000).env(false).shard(Shard::new(2, 4).unwrap());
    /// assert_eq!(sweep.seeds(), 250..500);
    /// ```
    pub fn shard(mut self, shard: Shard) -> Sweep {
        self.shard = shard;
        self
    }

    /// The shard the sweep will run, after any environment override.
    ///
    /// # Panics
    /// When [`Sweep::env`] is on and [`SHARD_ENV`] holds something that is not a shard.
    pub fn shard_to_run(&self) -> Shard {
        if !self.env {
            return self.shard;
        }
        // Replaying one seed (the printed hint) ignores the shard it came from.
        if std::env::var_os(SEED_ENV).is_some() {
            return Shard::WHOLE;
        }
        match shard_from_env(self.shard) {
            Ok(shard) => shard,
            Err(message) => panic!("{message}"),
        }
    }

    /// Writes the replay hint for a failing seed, replacing the `cargo test` one.
    pub fn replay_hint(mut self, hint: impl Fn(u64) -> String + 'static) -> Sweep {
        self.replay = Some(Box::new(hint));
        self
    }

    /// The seeds the sweep will run, after any environment override: its
    /// shard's block of the range.
    ///
    /// # Panics
    /// When [`Sweep::env`] is on and a variable holds something that is not a seed.
    pub fn seeds(&self) -> Range<u64> {
        let shard = self.shard_to_run();
        if !self.env {
            return shard.seeds(self.seeds.clone());
        }
        match seeds_from_env(self.seeds.clone()) {
            Ok(seeds) => shard.seeds(seeds),
            Err(message) => panic!("{message}"),
        }
    }

    /// Runs `body` once per seed (see the [module docs](self)). Under
    /// [`Policy::Pct`] without a horizon, `body` runs once more first, to
    /// measure it ([`measure_horizon`]).
    pub fn run<F>(self, body: F) -> SweepReport
    where
        F: Fn(&mut Sim) -> SeedResult + Sync,
    {
        let seeds = self.seeds();
        let config = measure_horizon(self.config, |sim| {
            let _ = body(sim);
        });
        let run_seed = |seed: u64| engine::run_body(Config { seed, ..config }, &body).err();
        let tally = engine::for_each_seed(seeds.clone(), self.jobs, self.stop_at_first, &run_seed);
        let first_failure = tally.first.map(|(seed, message)| {
            let replay = self.replay_for(seed);
            let mut failure = engine::replay(config, seed, message, replay, &body);
            if self.shrink_runs > 0 && failure.reproduced {
                failure.shrunk = Some(shrink(Config { seed, ..config }, self.shrink_runs, &body));
            }
            failure
        });
        SweepReport {
            shard: self.shard_to_run(),
            stopped_at_first: self.stop_at_first && first_failure.is_some() && tally.runs < range_len(&seeds),
            seeds,
            runs: tally.runs,
            failures: tally.failures,
            first_failure,
            jobs: tally.jobs,
            elapsed: tally.elapsed,
        }
    }

    fn replay_for(&self, seed: u64) -> String {
        if let Some(hint) = &self.replay {
            return hint(seed);
        }
        let name = self.name.clone().or_else(|| {
            std::thread::current()
                .name()
                .filter(|n| *n != "main")
                .map(str::to_string)
        });
        format!(
            "{SEED_ENV}={seed} cargo test {}",
            name.as_deref().unwrap_or("<test name>")
        )
    }
}

/// The first failing seed of a sweep, re-run with recording on.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The smallest failing seed.
    pub seed: u64,
    /// What the body reported (or the panic), from the recorded re-run when it failed again.
    pub message: String,
    /// The trace of the recorded re-run.
    pub trace: Trace,
    /// [`Trace::fingerprint`] of that trace.
    pub fingerprint: u64,
    /// False when the re-run did *not* fail: the body depends on something
    /// outside the simulation (see [`check_determinism`]).
    pub reproduced: bool,
    /// A one-line command that replays this seed.
    pub replay: String,
    /// The failing run shrunk to its fewest deviations from FIFO order
    /// ([`shrink()`]), or why it could not be; `None` when the sweep does
    /// not shrink ([`Sweep::shrink`]) or the seed did not fail again.
    pub shrunk: Option<Result<Shrunk, ShrinkError>>,
}

/// What a sweep found.
#[derive(Clone, Debug)]
pub struct SweepReport {
    /// The seeds that were run.
    pub seeds: Range<u64>,
    /// How many seeds ran (every seed in the range, unless the sweep
    /// [stopped at the first failure](Sweep::stop_at_first)).
    pub runs: u64,
    /// How many seeds failed.
    pub failures: u64,
    /// The smallest failing seed, if any, with its trace.
    pub first_failure: Option<Failure>,
    /// Worker threads used.
    pub jobs: usize,
    /// Wall-clock time of the sweep (without the recorded re-run); `None` on
    /// wasm32, which has no clock in the standard library.
    pub elapsed: Option<Duration>,
    /// True when the sweep stopped at its first failure with seeds left
    /// ([`Sweep::stop_at_first`]).
    pub stopped_at_first: bool,
    /// The shard that ran ([`Shard::WHOLE`] unless the sweep was sharded);
    /// [`SweepReport::seeds`] is its block.
    pub shard: Shard,
}

/// How many seeds `seeds` holds.
fn range_len(seeds: &Range<u64>) -> u64 {
    seeds.end.saturating_sub(seeds.start)
}

impl SweepReport {
    /// True when no seed failed.
    pub fn is_ok(&self) -> bool {
        self.failures == 0
    }

    /// Seeds per second of wall-clock time, when it was measured.
    pub fn seeds_per_second(&self) -> Option<f64> {
        let secs = self.elapsed?.as_secs_f64();
        Some(if secs > 0.0 {
            self.runs as f64 / secs
        } else {
            f64::INFINITY
        })
    }

    /// Panics with the whole report (seed first) when a seed failed: the last line of a test.
    #[track_caller]
    pub fn assert_ok(&self) {
        if !self.is_ok() {
            panic!("{self}");
        }
    }
}

impl fmt::Display for SweepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(fail) = &self.first_failure {
            writeln!(f, "seed {} failed: {}", fail.seed, fail.message)?;
            if !fail.reproduced {
                writeln!(
                    f,
                    "  warning: the recorded re-run of seed {} did not fail; the body is not deterministic",
                    fail.seed
                )?;
            }
            writeln!(f, "  replay: {}", fail.replay)?;
            writeln!(
                f,
                "  fingerprint {:016x}, {} events",
                fail.fingerprint,
                fail.trace.len()
            )?;
            match &fail.shrunk {
                Some(Ok(shrunk)) => {
                    let text = shrunk.to_string();
                    let mut lines = text.lines();
                    writeln!(f, "  shrunk: {}", lines.next().unwrap_or_default())?;
                    for line in lines {
                        writeln!(f, "  {line}")?;
                    }
                }
                Some(Err(why)) => writeln!(f, "  not shrunk: {why}")?,
                None => {}
            }
        }
        write!(
            f,
            "sweep of seeds {}..{}: {} run, {} failed, {} job(s)",
            self.seeds.start, self.seeds.end, self.runs, self.failures, self.jobs
        )?;
        if self.shard != Shard::WHOLE {
            write!(f, ", shard {}", self.shard)?;
        }
        if self.stopped_at_first {
            write!(f, ", stopped at the first failure")?;
        }
        if let Some(rate) = self.seeds_per_second() {
            write!(f, ", {rate:.0} seeds/s")?;
        }
        Ok(())
    }
}

/// The seed of the run that measures a program for PCT's horizon: fixed, so
/// that every sweep, replay and `wakescope run` of a program measures the
/// same length whatever seeds it runs.
pub const HORIZON_SEED: u64 = 0;

/// `config` with the program's own length as PCT's horizon, when its policy
/// is [`Policy::Pct`] without one; otherwise `config` unchanged (and
/// `program` does not run).
///
/// The length is the number of polls of one run of `program` — which must
/// run the simulation it is given — in FIFO order with seed
/// [`HORIZON_SEED`], recording off. PCT's guarantee needs the change points
/// spread over the polls the program really makes: a horizon far longer
/// than the run puts most of them past its end. A panic in that run is
/// caught; the polls up to it count.
///
/// ```
/// use wakescope::{sweep::measure_horizon, yield_now, Config, Policy};
/// let config = measure_horizon(Config::seeded(9).with_policy(Policy::pct(2)), |sim| {
///     for name in ["a", "b"] {
///         let _t = sim.spawn(name, yield_now());
///     }
///     sim.run();
/// });
/// // Two tasks of two polls each.
/// assert_eq!(config.policy, Policy::Pct { depth: 2, horizon: Some(4) });
/// assert_eq!(config.seed, 9);
/// ```
pub fn measure_horizon(config: Config, program: impl FnOnce(&mut Sim)) -> Config {
    if !config.policy.needs_horizon() {
        return config;
    }
    let measuring = Config {
        seed: HORIZON_SEED,
        policy: Policy::Fifo,
        ..config
    }
    .with_trace(false);
    let polls = engine::count_polls(measuring, program);
    Config {
        policy: config.policy.with_horizon(polls),
        ..config
    }
}

/// `Ok` when the run completed; otherwise the outcome — a deadlock, a limit,
/// a failed check, or a task's panic that nothing handled
/// ([`Outcome::Panicked`]) — as the message.
///
/// ```
/// use wakescope::{sweep::{check_outcome, Sweep}, yield_now};
/// let report = Sweep::new(0..30).env(false).run(|sim| {
///     let seed = sim.config().seed;
///     let _task = sim.spawn("checker", async move {
///         yield_now().await;
///         assert!(seed % 3 != 1, "seed {seed} is one more than a multiple of three");
///     });
///     check_outcome(&sim.run())
/// });
/// assert_eq!((report.failures, report.first_failure.unwrap().seed), (10, 1));
/// ```
pub fn check_outcome(outcome: &Outcome) -> SeedResult {
    if outcome.is_completed() {
        Ok(())
    } else {
        Err(outcome.to_string())
    }
}

/// `Ok` when no task of `sim` panicked, handled or not; otherwise names the
/// first that did (with its message when the trace was recorded). Stricter
/// than [`check_outcome`], which lets a panic pass that a `JoinHandle` or a
/// supervisor handled.
pub fn check_no_panics(sim: &Sim) -> SeedResult {
    for i in 0..sim.task_count() {
        let task = TaskId(i);
        if sim.task_state(task) == Some(TaskState::Panicked) {
            let trace = sim.trace();
            let name = trace.task(task).map(|t| format!(" {:?}", t.name)).unwrap_or_default();
            let message = trace.panic_message(task).map(|m| format!(": {m}")).unwrap_or_default();
            return Err(format!("task {task}{name} panicked{message}"));
        }
    }
    Ok(())
}

/// Reads a seed range: `A..B` (B excluded), `A..=B`, or a single seed `N`.
///
/// ```
/// use wakescope::sweep::parse_seeds;
/// assert_eq!(parse_seeds("0..100"), Ok(0..100));
/// assert_eq!(parse_seeds("7"), Ok(7..8));
/// assert_eq!(parse_seeds("3..=5"), Ok(3..6));
/// assert!(parse_seeds("5..2").unwrap_err().contains("empty"));
/// assert!(parse_seeds("x..y").unwrap_err().contains("`x`"));
/// ```
pub fn parse_seeds(text: &str) -> Result<Range<u64>, String> {
    let text = text.trim();
    let seed = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{s}` is not a seed: seeds are whole numbers from 0 to {}", u64::MAX))
    };
    let range = if let Some((a, b)) = text.split_once("..=") {
        let (a, b) = (seed(a)?, seed(b)?);
        let end = b
            .checked_add(1)
            .ok_or_else(|| format!("the range `{text}` ends past the last seed; write `{a}..{}`", u64::MAX))?;
        a..end
    } else if let Some((a, b)) = text.split_once("..") {
        seed(a)?..seed(b)?
    } else {
        let n = seed(text)?;
        n..n.checked_add(1)
            .ok_or_else(|| format!("seed {n} is the last seed; a range must end after it"))?
    };
    if range.is_empty() {
        return Err(format!(
            "the seed range `{text}` is empty: it must start below where it ends, e.g. `0..1000`"
        ));
    }
    Ok(range)
}

/// The seeds a sweep should run given the environment: `default`, unless
/// [`SEED_ENV`] or [`SEEDS_ENV`] is set (a set but wrong value is an error).
pub fn seeds_from_env(default: Range<u64>) -> Result<Range<u64>, String> {
    for var in [SEED_ENV, SEEDS_ENV] {
        if let Ok(text) = std::env::var(var) {
            return parse_seeds(&text).map_err(|e| format!("{var}={text}: {e}"));
        }
    }
    Ok(default)
}
