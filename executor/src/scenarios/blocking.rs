//! The seed's blocked main thread: a CPU loop that never yields.
//!
//! A browser draws a frame every 16 ms; more than about 8 ms of work on the
//! main thread and a frame is skipped. Here the `frames` task plays the
//! screen: it sleeps until the next 16 ms tick, draws, and repeats (`main`
//! starts it and waits for it). At the first frame a click arrives and
//! spawns `cpu loop`, which runs K iterations of 2 ms of CPU work
//! ([`work()`]).
//!
//! An executor can only switch tasks at an `.await` that returns `Pending`.
//! In `blocking` mode the loop never gives it one: all K iterations run in a
//! single poll, the clock moves 2·K ms inside it, and the frame timer that
//! came due meanwhile fires only when the poll returns — late by the loop's
//! length minus the frame it started in (20 × 2 ms = 40 ms of loop, so the
//! 32 ms frame fires at 56 ms: 24 ms late, and the 48 ms frame never comes).
//! In `yielding` mode the loop awaits [`yield_now`] after each iteration,
//! which wakes itself and returns `Pending` once: the executor gets a turn
//! every 2 ms, fires the due timers, and every frame timer fires on time.
//!
//! The verdict: `yielding` promises no frame timer fires a whole frame late,
//! and fails if one does; `blocking` shows the opposite on purpose and passes
//! when it completes. Both need the trace to measure lateness; with
//! recording off only the outcome is judged.

use std::time::Duration;

use super::measure::{format_ns, recorded, task_named, timer_lateness};
use super::{Mode, ParamSpec, Params, Scenario};
use crate::{Outcome, Sim, now, sleep_until, spawn, work, yield_now};

/// One frame at 60 frames per second, rounded as browsers round it.
const FRAME_NS: u64 = 16_000_000;
/// The frames task draws at most this many frames (a bound on its loop).
const FRAMES_MAX: u32 = 10_000;

pub(super) const SCENARIO: Scenario = Scenario {
    id: "blocking",
    title: "A blocked main thread",
    question: "A screen redraws every 16 ms. A click starts a loop of 20 × 2 ms of CPU work. Do frames \
               keep coming while the loop runs?",
    answer: "Not if the loop never yields: it runs in one 40 ms poll, the frame timer fires 24 ms late and \
             a frame is skipped. Awaiting yield_now() in each iteration hands the executor back every \
             2 ms, and every frame timer fires on time.",
    notice: "In blocking mode look for one long `cpu loop` poll (flagged LongPoll) with the frame timer \
             firing only after it. In yielding mode the loop's polls are 2 ms each, and the frame timer \
             fires between two of them.",
    modes: &[
        Mode {
            id: "blocking",
            label: "Blocking loop",
            about: "The loop runs all its iterations without an await.",
        },
        Mode {
            id: "yielding",
            label: "Yielding loop",
            about: "The loop awaits yield_now() after each iteration.",
        },
    ],
    params: &[
        ParamSpec {
            name: "iterations",
            label: "Loop iterations",
            default: 20,
            min: 1,
            max: 500,
            unit: "iterations",
        },
        ParamSpec {
            name: "step_ms",
            label: "Work per iteration",
            default: 2,
            min: 1,
            max: 16,
            unit: "ms",
        },
    ],
    spawn: spawn_blocking,
    configure: None,
    check: Some(check),
    report: Some(report),
    program: Some(program),
    source: None,
};

fn spawn_blocking(sim: &mut Sim, params: &Params) {
    let iterations = params.get("iterations").max(1) as u32;
    let step = Duration::from_millis(params.get("step_ms").max(1) as u64);
    let yielding = params.mode == "yielding";
    let _main = sim.spawn("main", async move {
        let frames = spawn("frames", async move {
            // The first frame brings the click.
            sleep_until(next_frame()).await;
            let cpu_loop = spawn("cpu loop", run_loop(iterations, step, yielding));
            for _ in 1..FRAMES_MAX {
                sleep_until(next_frame()).await;
                // Draw the frame; the last one after the loop is done.
                if cpu_loop.is_finished() {
                    break;
                }
            }
        });
        frames.await.expect("the frames task cannot fail");
    });
}

/// When the next frame is due: the next 16 ms tick after now.
fn next_frame() -> Duration {
    let now_ns = now().as_nanos() as u64;
    Duration::from_nanos((now_ns / FRAME_NS + 1) * FRAME_NS)
}

async fn run_loop(iterations: u32, step: Duration, yielding: bool) {
    for _ in 0..iterations {
        work(step).await;
        if yielding {
            yield_now().await;
        }
    }
}

/// `(deadline_ns, late_ns)` of every frame timer; empty without a trace.
fn frames(sim: &Sim) -> Vec<(u64, u64)> {
    let trace = sim.trace();
    task_named(&trace, "frames")
        .map(|t| timer_lateness(&trace, t))
        .unwrap_or_default()
}

fn check(sim: &Sim, outcome: &Outcome) -> Result<(), String> {
    if !outcome.is_completed() {
        return Err(outcome.to_string());
    }
    if SCENARIO.params_of(sim).mode != "yielding" {
        return Ok(());
    }
    match frames(sim).into_iter().find(|(_, late)| *late >= FRAME_NS) {
        Some((deadline, late)) => Err(format!(
            "the frame due at {} fired {} late: a frame was skipped although the loop yields",
            format_ns(deadline),
            format_ns(late)
        )),
        None => Ok(()),
    }
}

fn report(sim: &Sim) -> String {
    if !recorded(sim) {
        return "no trace recorded: frame lateness is measured from the trace".to_string();
    }
    let frames = frames(sim);
    let (deadline, late) = frames.iter().copied().max_by_key(|(_, late)| *late).unwrap_or((0, 0));
    let skipped: u64 = frames.iter().map(|(_, late)| late / FRAME_NS).sum();
    if late == 0 {
        return format!("{} frame timers, every one fired on time", frames.len());
    }
    format!(
        "{} frame timers; the latest, due at {}, fired {} late; {skipped} frame(s) skipped",
        frames.len(),
        format_ns(deadline),
        format_ns(late)
    )
}

/// The program of a mode, with the parameters as `const`s.
fn program(params: &Params) -> String {
    let consts = format!(
        "const ITERATIONS: u32 = {};\nconst STEP_MS: u64 = {};\n// One frame at 60 frames per second, rounded as browsers round it.\nconst FRAME_NS: u64 = {FRAME_NS};\n// The frames task draws at most this many frames.\nconst FRAMES_MAX: u32 = {FRAMES_MAX};",
        params.get("iterations").max(1),
        params.get("step_ms").max(1)
    );
    let run_loop = if params.mode == "yielding" {
        YIELDING_LOOP
    } else {
        BLOCKING_LOOP
    };
    format!("{PROGRAM_HEAD}{consts}\n\n{run_loop}\n{PROGRAM_MAIN}")
}

const PROGRAM_HEAD: &str = "\
// A blocked main thread: the screen draws a frame every 16 ms; a click at
// the first frame starts a loop of CPU work.

use std::time::Duration;

use wakescope::{now, sleep_until, spawn, work, yield_now};

";

const BLOCKING_LOOP: &str = "\
// The loop never awaits anything that returns Pending: one long poll.
async fn run_loop() {
    for _ in 0..ITERATIONS {
        work(Duration::from_millis(STEP_MS)).await;
    }
}
";

const YIELDING_LOOP: &str = "\
// The loop yields after each iteration: the executor gets a turn.
async fn run_loop() {
    for _ in 0..ITERATIONS {
        work(Duration::from_millis(STEP_MS)).await;
        yield_now().await;
    }
}
";

const PROGRAM_MAIN: &str = "\
// When the next frame is due: the next 16 ms tick after now.
fn next_frame() -> Duration {
    let now_ns = now().as_nanos() as u64;
    Duration::from_nanos((now_ns / FRAME_NS + 1) * FRAME_NS)
}

async fn main() {
    let frames = spawn(\"frames\", async move {
        // The first frame brings the click.
        sleep_until(next_frame()).await;
        let cpu_loop = spawn(\"cpu loop\", run_loop());
        for _ in 1..FRAMES_MAX {
            sleep_until(next_frame()).await;
            // Draw the frame; the last one after the loop is done.
            if cpu_loop.is_finished() {
                break;
            }
        }
    });
    frames.await.expect(\"the frames task cannot fail\");
}
";
