//! The seed loop: seeds in order or on a rayon pool, panics caught per seed.
//!
//! Every seed runs; the tally keeps the count of failures and the failure of
//! the *smallest* failing seed. Merging two tallies keeps the smaller seed,
//! so the result is the same whatever the job count and however rayon splits
//! the range.
//!
//! With `stop_at_first`, a worker skips every seed above the smallest
//! failing seed found so far (an atomic minimum), and a parallel loop runs
//! the seeds in blocks of `STOP_BLOCK_SEEDS`, ending after the first block
//! with a failure. Seeds below it still run,
//! so the smallest failing seed is the one a full loop finds, whatever the
//! job count; how many seeds ran before the workers saw it is not (with one
//! job: exactly the seeds up to it).
//!
//! A panic is caught around the body and around dropping its simulation, and
//! becomes the seed's failure message. While a seed runs, a process-wide
//! panic hook (installed once, delegating to the previous hook everywhere
//! else) keeps the default message off the terminal and remembers the
//! panic's location for the failure message instead.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::{Failure, SeedResult};
use crate::config::Config;
use crate::schedule::Schedule;
use crate::sim::Sim;
use crate::trace::Trace;

/// What a loop over seeds found.
pub(super) struct Tally<R> {
    /// Seeds run.
    pub runs: u64,
    /// Seeds whose check returned something.
    pub failures: u64,
    /// The smallest such seed and what its check returned.
    pub first: Option<(u64, R)>,
    /// Worker threads used.
    pub jobs: usize,
    /// Wall-clock time of the loop, where a clock exists.
    pub elapsed: Option<Duration>,
}

/// A partial tally, for one rayon split or the whole sequential loop.
struct Acc<R> {
    runs: u64,
    failures: u64,
    first: Option<(u64, R)>,
}

impl<R> Acc<R> {
    fn new() -> Acc<R> {
        Acc {
            runs: 0,
            failures: 0,
            first: None,
        }
    }

    /// Counts a seed that ran (`Some`, with its failure if any); a skipped
    /// seed (`None`) leaves the tally as it is.
    fn add(mut self, seed: u64, ran: Option<Option<R>>) -> Acc<R> {
        let Some(failure) = ran else { return self };
        self.runs += 1;
        if let Some(r) = failure {
            self.failures += 1;
            if self.first.as_ref().is_none_or(|(s, _)| seed < *s) {
                self.first = Some((seed, r));
            }
        }
        self
    }

    #[cfg_attr(target_arch = "wasm32", allow(dead_code))] // seeds run in order there
    fn merge(self, other: Acc<R>) -> Acc<R> {
        let first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        Acc {
            runs: self.runs + other.runs,
            failures: self.failures + other.failures,
            first,
        }
    }
}

/// Runs `check` for every seed and tallies the seeds for which it returns
/// `Some`; with `stop_at_first`, skips the seeds above the smallest such
/// seed found so far (see the module docs).
pub(super) fn for_each_seed<R, C>(seeds: Range<u64>, jobs: Option<usize>, stop_at_first: bool, check: &C) -> Tally<R>
where
    R: Send,
    C: Fn(u64) -> Option<R> + Sync,
{
    let clock = Stopwatch::start();
    let smallest_failing = AtomicU64::new(u64::MAX);
    let gated = |seed: u64| {
        if stop_at_first && seed > smallest_failing.load(Ordering::Relaxed) {
            return None;
        }
        let failure = check(seed);
        if stop_at_first && failure.is_some() {
            smallest_failing.fetch_min(seed, Ordering::Relaxed);
        }
        Some(failure)
    };
    let (acc, jobs) = run_seeds(seeds, jobs, stop_at_first, &gated);
    Tally {
        runs: acc.runs,
        failures: acc.failures,
        first: acc.first,
        jobs,
        elapsed: clock.elapsed(),
    }
}

/// The seeds in order; with `stop_at_first`, none after the first failure.
fn run_in_order<R>(seeds: Range<u64>, stop_at_first: bool, check: &impl Fn(u64) -> Option<Option<R>>) -> Acc<R> {
    let mut acc = Acc::new();
    for seed in seeds {
        acc = acc.add(seed, check(seed));
        if stop_at_first && acc.first.is_some() {
            break;
        }
    }
    acc
}

#[cfg(not(target_arch = "wasm32"))]
fn run_seeds<R, C>(seeds: Range<u64>, jobs: Option<usize>, stop_at_first: bool, check: &C) -> (Acc<R>, usize)
where
    R: Send,
    C: Fn(u64) -> Option<Option<R>> + Sync,
{
    use rayon::prelude::*;
    let parallel = |seeds: Range<u64>| {
        seeds
            .into_par_iter()
            .fold(Acc::new, |acc, seed| acc.add(seed, check(seed)))
            .reduce(Acc::new, Acc::merge)
    };
    // Stopping at the first failure, the seeds go in blocks: the loop ends
    // after the block with a failure instead of skipping the rest one by one.
    let all = || {
        if !stop_at_first {
            return parallel(seeds.clone());
        }
        let mut acc = Acc::new();
        let mut start = seeds.start;
        while start < seeds.end && acc.first.is_none() {
            let end = start.saturating_add(STOP_BLOCK_SEEDS).min(seeds.end);
            acc = acc.merge(parallel(start..end));
            start = end;
        }
        acc
    };
    match jobs {
        Some(1) => (run_in_order(seeds, stop_at_first, check), 1),
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => (pool.install(all), n),
            // No threads to be had: the global pool still gives the same answer.
            Err(_) => (all(), rayon::current_num_threads()),
        },
        None => (all(), rayon::current_num_threads()),
    }
}

/// Seeds a parallel sweep that stops at its first failure runs before it
/// looks for one: a block's seeds run in parallel, and no block starts after
/// a block with a failure.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // seeds run in order there
const STOP_BLOCK_SEEDS: u64 = 4096;

#[cfg(target_arch = "wasm32")]
fn run_seeds<R, C>(seeds: Range<u64>, _jobs: Option<usize>, stop_at_first: bool, check: &C) -> (Acc<R>, usize)
where
    C: Fn(u64) -> Option<Option<R>>,
{
    (run_in_order(seeds, stop_at_first, check), 1)
}

/// Wall-clock time for the seeds-per-second figure; absent on wasm32.
struct Stopwatch {
    #[cfg(not(target_arch = "wasm32"))]
    start: std::time::Instant,
}

impl Stopwatch {
    // The one wall-clock read in the crate: it times the sweep for the
    // seeds-per-second report and never reaches a simulation.
    #[allow(clippy::disallowed_methods)]
    fn start() -> Stopwatch {
        Stopwatch {
            #[cfg(not(target_arch = "wasm32"))]
            start: std::time::Instant::now(),
        }
    }

    fn elapsed(&self) -> Option<Duration> {
        #[cfg(not(target_arch = "wasm32"))]
        return Some(self.start.elapsed());
        #[cfg(target_arch = "wasm32")]
        return None;
    }
}

/// Runs `body` on a fresh simulation with `config`, catching panics.
pub(super) fn run_body<F>(config: Config, body: &F) -> SeedResult
where
    F: Fn(&mut Sim) -> SeedResult,
{
    run_recorded(config, body).0
}

/// Runs `body` on a fresh simulation with `config`, catching panics, and
/// returns its result with the trace (empty when recording is off).
pub(super) fn run_recorded<F>(config: Config, body: &F) -> (SeedResult, Trace)
where
    F: Fn(&mut Sim) -> SeedResult,
{
    let (result, trace, _) = run_on(Sim::new(config), body);
    (result, trace)
}

/// Runs `body` on `sim`, catching panics, and returns its result, the trace
/// and the schedule the run took (when `sim` follows one).
pub(super) fn run_on<F>(mut sim: Sim, body: &F) -> (SeedResult, Trace, Option<Schedule>)
where
    F: Fn(&mut Sim) -> SeedResult,
{
    let _quiet = QuietPanics::enter();
    let result = caught(|| body(&mut sim)).and_then(|r| r);
    let trace = sim.take_trace();
    let schedule = sim.schedule();
    // Dropping the simulation drops unfinished futures, which may panic too.
    let dropped = caught(move || drop(sim)).map_err(|m| format!("while shutting the simulation down: {m}"));
    (result.and(dropped), trace, schedule)
}

/// Polls of one run of `program` on a fresh simulation with `config` (at
/// least 1, at most `u32::MAX`), catching panics.
pub(super) fn count_polls(config: Config, program: impl FnOnce(&mut Sim)) -> u32 {
    let _quiet = QuietPanics::enter();
    let mut sim = Sim::new(config);
    let _ = caught(|| program(&mut sim));
    let polls: u64 = (0..sim.task_count())
        .filter_map(|i| sim.task_polls(crate::task::TaskId(i)))
        .map(u64::from)
        .sum();
    let _ = caught(move || drop(sim));
    u32::try_from(polls).unwrap_or(u32::MAX).max(1)
}

/// Runs the first failing seed again with recording on, for its trace.
pub(super) fn replay<F>(config: Config, seed: u64, message: String, replay: String, body: &F) -> Failure
where
    F: Fn(&mut Sim) -> SeedResult,
{
    let config = Config { seed, ..config }.with_trace(true);
    let (result, trace) = run_recorded(config, body);
    let (message, reproduced) = match result {
        Err(again) => (again, true),
        Ok(()) => (message, false),
    };
    Failure {
        seed,
        message,
        fingerprint: trace.fingerprint(),
        trace,
        reproduced,
        replay,
        shrunk: None,
    }
}

/// Calls `f`, turning a panic into its message and location.
fn caught<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    LAST_LOCATION.with(|l| l.borrow_mut().take());
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let location = LAST_LOCATION.with(|l| l.borrow_mut().take());
        let at = location.map(|l| format!(" at {l}")).unwrap_or_default();
        format!("panicked{at}: {}", payload_text(payload.as_ref()))
    })
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

thread_local! {
    /// True while this thread runs a seed: the hook stays silent.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last silenced panic on this thread happened.
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Silences the panic hook on this thread until dropped.
struct QuietPanics {
    was: bool,
}

impl QuietPanics {
    fn enter() -> QuietPanics {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if QUIET.try_with(Cell::get).unwrap_or(false) {
                    let location = info
                        .location()
                        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                    let _ = LAST_LOCATION.try_with(|l| *l.borrow_mut() = location);
                } else {
                    previous(info);
                }
            }));
        });
        QuietPanics {
            was: QUIET.replace(true),
        }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        QUIET.set(self.was);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_the_smallest_failing_seed_and_exact_counts() {
        let left = Acc::new()
            .add(5, Some(Some("five")))
            .add(6, Some(None))
            .add(9, Some(Some("nine")));
        let right = Acc::new().add(1, Some(None)).add(3, Some(Some("three")));
        for merged in [
            left.merge(right),
            Acc::new()
                .add(3, Some(Some("three")))
                .merge(Acc::new().add(5, Some(Some("five")))),
        ] {
            assert_eq!(merged.first, Some((3, "three")));
        }
        let merged = Acc::new()
            .add(5, Some(Some("five")))
            .add(6, Some(None))
            .add(7, None) // skipped: not a run
            .merge(Acc::new().add(1, Some(None)));
        assert_eq!((merged.runs, merged.failures, merged.first), (3, 1, Some((5, "five"))));
    }

    #[test]
    fn stopping_at_the_first_failure_keeps_the_smallest_failing_seed() {
        let fails = |seed: u64| (seed % 7 == 3).then_some(seed);
        for jobs in [Some(1), Some(2), None] {
            let tally = for_each_seed(0..1_000, jobs, true, &fails);
            assert_eq!(tally.first, Some((3, 3)), "jobs {jobs:?}");
            assert!(tally.runs >= 4 && tally.failures >= 1, "jobs {jobs:?}");
        }
        // A range far too long to walk ends at the first failure all the same.
        for jobs in [Some(1), Some(2)] {
            let tally = for_each_seed(0..u64::MAX, jobs, true, &fails);
            assert_eq!(tally.first, Some((3, 3)), "jobs {jobs:?}");
            assert!(tally.runs <= STOP_BLOCK_SEEDS, "jobs {jobs:?}: {} runs", tally.runs);
        }
        let in_order = for_each_seed(0..1_000, Some(1), true, &fails);
        assert_eq!((in_order.runs, in_order.failures), (4, 1));
        let full = for_each_seed(0..1_000, Some(1), false, &fails);
        assert_eq!((full.runs, full.failures, full.first), (1_000, 143, Some((3, 3))));
    }

    #[test]
    fn a_panic_becomes_its_message_with_a_location() {
        let _quiet = QuietPanics::enter();
        let err = caught(|| panic!("boom {}", 7)).unwrap_err();
        assert!(err.starts_with("panicked at "), "{err}");
        assert!(err.contains("engine.rs"), "{err}");
        assert!(err.ends_with(": boom 7"), "{err}");
    }
}
