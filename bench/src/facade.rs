//! What the tokio facade costs: each conformance program of
//! `tokio/tests/conformance/programs.rs` on real tokio and on
//! `wakescope-tokio`, and the million sleepers written against the facade
//! beside the same workload on the plain `wakescope` API.
//!
//! The programs are included twice, as the conformance suite includes them:
//! once with `tokio` naming real tokio, once naming the facade. A run on
//! tokio builds a fresh current-thread runtime with a paused clock (as
//! `#[tokio::test(start_paused = true)]` does); a run on the facade builds a
//! fresh simulation with seed 0 and the default config (random policy,
//! trace on), as the suite does, and again with the trace off. The three
//! are timed in alternating batches in one process and the median batch is
//! reported, per run.
//!
//! The million sleepers are timed in fresh processes, like `million`, the
//! facade's case and the plain one alternating.

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use wakescope::Policy;

use crate::{Sample, measure_once};

/// The programs with `tokio` naming real tokio (the bench's own dependency).
mod real {
    include!("../../tokio/tests/conformance/programs.rs");
}

/// The same programs with `tokio` naming the facade (whose primitives are
/// `!Sync`: an `Arc` of one is fine on the simulation's one thread).
#[allow(clippy::arc_with_non_send_sync)]
mod sim {
    use wakescope_tokio as tokio;
    include!("../../tokio/tests/conformance/programs.rs");
}

/// The seed of every run on the facade.
const SEED: u64 = 0;
/// Alternating batches per executor and program; the median is reported.
const BATCHES: usize = 21;
/// The wall time a batch aims at; its runs are counted from warm runs of each.
const BATCH_WALL: Duration = Duration::from_millis(10);
/// Runs of each executor that warm it up before the batch is sized, and
/// then size it.
const CALIBRATION_RUNS: u32 = 10;
/// The most runs in one batch.
const BATCH_RUNS_MAX: u32 = 20_000;
/// The message of the one program's deliberate panic (`join_set_and_abort`),
/// kept off stderr while the programs are timed.
const EXPECTED_PANIC: &str = "boom";
/// Fresh processes per million-sleeper case, alternating between the two.
const MILLION_RUNS: usize = 3;

/// A conformance program: its name, one run on each executor (its output
/// passed through `black_box`), and a check that the outputs agree.
struct Program {
    /// The program's function name in `programs.rs`.
    name: &'static str,
    /// A run on a fresh tokio runtime.
    tokio: fn(),
    /// A run on the facade with the default config (trace on).
    facade: fn(),
    /// A run on the facade with the trace off.
    facade_untraced: fn(),
    /// Panics unless both facade runs give tokio's output.
    check: fn(),
}

/// Runs `program` on a fresh current-thread tokio runtime with a paused clock.
fn on_tokio<F: Future>(program: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current_thread runtime")
        .block_on(program)
}

/// Runs `program` on a fresh simulation with seed [`SEED`], recording the trace or not.
fn on_facade<F: Future + 'static>(record: bool, program: F) -> F::Output {
    let mut sim = wakescope::Sim::new(wakescope::Config::seeded(SEED).with_trace(record));
    sim.block_on(program)
        .unwrap_or_else(|e| panic!("seed {SEED}: the facade's run failed: {e}"))
}

macro_rules! programs {
    ($($name:ident),* $(,)?) => {
        [$(Program {
            name: stringify!($name),
            tokio: || {
                let _ = black_box(on_tokio(real::$name()));
            },
            facade: || {
                let _ = black_box(on_facade(true, sim::$name()));
            },
            facade_untraced: || {
                let _ = black_box(on_facade(false, sim::$name()));
            },
            check: || {
                let expected = on_tokio(real::$name());
                let name = stringify!($name);
                assert_eq!(on_facade(true, sim::$name()), expected, "seed {SEED}: {name} differs from tokio");
                assert_eq!(on_facade(false, sim::$name()), expected, "seed {SEED}: {name}, trace off, differs");
            },
        }),*]
    };
}

/// Every program of `programs.rs`, in the conformance suite's order.
const PROGRAMS: [Program; 22] = programs!(
    timers,
    sequential_sleeps,
    timeouts,
    intervals,
    select_oneshot,
    mpsc_backpressure,
    unbounded_fan_in,
    mutex_across_await,
    semaphore_limit,
    graceful_shutdown,
    broadcast_lag,
    broadcast_capacity_three,
    join_set_and_abort,
    rwlock,
    barrier,
    joins_and_blocking,
    once_cell,
    intervals_slightly_late,
    channel_edges,
    timer_and_task_edges,
    semaphore_forget,
    fairness,
);

/// The wall time of `runs` calls of `run`.
fn batch(run: fn(), runs: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..runs {
        run();
    }
    start.elapsed()
}

/// Runs per batch: enough that the slowest executor's batch takes about [`BATCH_WALL`].
fn batch_runs(program: &Program) -> u32 {
    let runs = [program.tokio, program.facade, program.facade_untraced];
    let slowest = runs
        .iter()
        .map(|&run| {
            batch(run, CALIBRATION_RUNS);
            batch(run, CALIBRATION_RUNS) / CALIBRATION_RUNS
        })
        .max()
        .expect("three executors");
    let runs = BATCH_WALL.as_nanos() / slowest.as_nanos().max(1);
    u32::try_from(runs).unwrap_or(u32::MAX).clamp(1, BATCH_RUNS_MAX)
}

/// The median of `walls`, per run.
fn median_per_run(mut walls: Vec<Duration>, runs: u32) -> Duration {
    walls.sort();
    walls[walls.len() / 2] / runs
}

/// A wall time in µs, with one decimal below 10 µs.
fn micros(wall: Duration) -> String {
    let us = wall.as_secs_f64() * 1e6;
    if us < 10.0 {
        format!("{us:.1} µs")
    } else {
        format!("{us:.0} µs")
    }
}

/// One row of the conformance table: tokio and the facade (trace on, off)
/// per run, and the facade's ratios to tokio.
fn program_row(program: &Program) -> String {
    (program.check)();
    let runs = batch_runs(program);
    let executors = [program.tokio, program.facade, program.facade_untraced];
    let mut walls: [Vec<Duration>; 3] = std::array::from_fn(|_| Vec::with_capacity(BATCHES));
    for i in 0..BATCHES {
        // Rotate which goes first, so none always runs after the same one.
        for k in 0..executors.len() {
            let e = (i + k) % executors.len();
            walls[e].push(batch(executors[e], runs));
        }
    }
    let [tokio, facade, untraced] = walls.map(|w| median_per_run(w, runs));
    eprintln!("  {}: {runs} runs a batch", program.name);
    let ratio = |wall: Duration| wall.as_secs_f64() / tokio.as_secs_f64();
    format!(
        "| `{}` | {} | {} | **{:.2}×** | {} | {:.2}× |",
        program.name,
        micros(tokio),
        micros(facade),
        ratio(facade),
        micros(untraced),
        ratio(untraced)
    )
}

/// The conformance programs' table, with the expected panic kept quiet.
fn programs_report() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&EXPECTED_PANIC) {
            previous(info);
        }
    }));
    let rows: Vec<String> = PROGRAMS.iter().map(program_row).collect();
    // Back to the default hook for the rest of the run.
    drop(std::panic::take_hook());
    println!(
        "\nconformance programs, one whole run each (tokio: fresh current_thread runtime, paused clock; \
         facade: fresh Sim, seed {SEED}, default config; median of {BATCHES} alternating batches):\n"
    );
    println!("| program | tokio | facade | facade / tokio | facade, trace off | trace off / tokio |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}

/// The million sleepers against the facade: `tokio::spawn`, `tokio::time::sleep`, await every handle.
pub fn million(tasks: usize, policy: Policy, record: bool) {
    let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1).with_trace(record).with_policy(policy));
    sim.block_on(async move {
        let mut handles = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            handles.push(wakescope_tokio::spawn(async {
                wakescope_tokio::time::sleep(Duration::from_millis(10)).await;
            }));
        }
        for h in handles {
            h.await.expect("a sleeper completes");
        }
    })
    .expect("the million sleepers complete");
    assert_eq!(sim.now(), Duration::from_millis(10));
}

/// The median of `samples` by wall time.
fn median(mut samples: Vec<Sample>) -> Sample {
    samples.sort_by_key(|s| s.wall);
    samples.swap_remove(samples.len() / 2)
}

/// The million sleepers' table: facade over plain, trace off and on.
fn million_report(tasks: usize) {
    println!(
        "\n{tasks} tasks × sleep(10 ms), then join all, random policy (median of {MILLION_RUNS}, \
         each in a fresh process, alternating):\n"
    );
    println!(
        "| trace | plain `wakescope` | `wakescope-tokio` | facade / plain | peak heap, plain | peak heap, facade |"
    );
    println!("|---|---|---|---|---|---|");
    for (label, plain_case, facade_case) in [
        ("off", "random-off", "facade-million"),
        ("on", "random-on", "facade-million-on"),
    ] {
        let mut plain = Vec::with_capacity(MILLION_RUNS);
        let mut facade = Vec::with_capacity(MILLION_RUNS);
        for i in 0..MILLION_RUNS {
            // Alternate which goes first, so neither always follows the other.
            if i % 2 == 0 {
                plain.push(measure_once(plain_case, tasks));
                facade.push(measure_once(facade_case, tasks));
            } else {
                facade.push(measure_once(facade_case, tasks));
                plain.push(measure_once(plain_case, tasks));
            }
        }
        let walls_ms = |samples: &[Sample]| -> Vec<String> {
            samples
                .iter()
                .map(|s| format!("{:.1}", s.wall.as_secs_f64() * 1e3))
                .collect()
        };
        eprintln!(
            "  trace {label}: plain {:?} ms, facade {:?} ms",
            walls_ms(&plain),
            walls_ms(&facade)
        );
        let (plain, facade) = (median(plain), median(facade));
        println!(
            "| {label} | {:.1} ms | {:.1} ms | **{:.2}×** | {:.1} MiB | {:.1} MiB |",
            plain.wall.as_secs_f64() * 1e3,
            facade.wall.as_secs_f64() * 1e3,
            facade.wall.as_secs_f64() / plain.wall.as_secs_f64(),
            crate::mib(plain.heap_bytes),
            crate::mib(facade.heap_bytes)
        );
    }
}

pub fn report(tasks: usize) {
    programs_report();
    million_report(tasks);
}
