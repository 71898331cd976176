//! The cost of concurrency: nothing is free, not even a sleeping task.
//!
//! The seed's closing list — memory per task, runtime costs, scheduling
//! latency — measured on N small tasks. `main` spawns them and lets them go
//! (it drops their handles and finishes); each one sleeps 1 ms, then does
//! `poll_us` microseconds of CPU work and finishes. `main` spawns in batches
//! of 4,096 with a yield between, as in `million`, so even 100,000 tasks
//! never make one long step. The report's polls, wakes and latencies are
//! the small tasks'; `main`'s are left out (its polls are in the run's
//! executor steps).
//!
//! - **Memory.** A task is its future on the heap: the state the async block
//!   keeps across its `.await`s, whose size the compiler fixes (the report
//!   gives it in bytes), plus the executor's own record of the task.
//! - **Runtime.** Every task is polled twice — once to arm its timer, once
//!   after the wake — and woken once; the report counts polls and wakes per
//!   task, and the run's executor steps.
//! - **Scheduling latency.** All N timers fire at the same instant, so all N
//!   tasks become runnable together, but one executor polls one task at a
//!   time. Each poll costs `poll_us`, so the last task is polled about
//!   (N − 1) × `poll_us` after its wake. That wait — wake to poll — is the
//!   latency users feel; the report gives its average and maximum, read from
//!   the trace's `Spawned`, `Woken` and `PollStarted` events.

use std::time::Duration;

use super::measure::{format_ns, recorded, task_named, wake_to_poll};
use super::million::SPAWN_BATCH;
use super::{Mode, ParamSpec, Params, Scenario};
use crate::trace::Event;
use crate::{Sim, sleep, spawn, work, yield_now};

/// How long every task sleeps before its work.
const NAP: Duration = Duration::from_millis(1);

pub(super) const SCENARIO: Scenario = Scenario {
    id: "cost",
    title: "The cost of concurrency",
    question: "A thousand small tasks wake at the same instant, each needing 10 µs of CPU. What does each \
               task cost in memory and in executor work, and how long does the last one wait for its turn?",
    answer: "Each task is a future of a few dozen bytes plus the executor's record of it, two polls and one \
             wake. But one executor polls one task at a time: the last of the thousand is polled about \
             10 ms after its wake. Latency grows with the number of ready tasks times the cost of a poll.",
    notice: "At 1 ms every timer fires and every task is woken in one step; then watch the clock creep \
             forward by `poll_us` per poll while the ready queue drains.",
    modes: &[Mode {
        id: "many-small",
        label: "Many small tasks",
        about: "`main` spawns N tasks: each sleeps 1 ms, then does a little CPU work.",
    }],
    params: &[
        ParamSpec {
            name: "tasks",
            label: "Tasks",
            default: 1000,
            min: 1,
            max: 100_000,
            unit: "tasks",
        },
        ParamSpec {
            name: "poll_us",
            label: "CPU per task",
            default: 10,
            min: 0,
            max: 1000,
            unit: "µs",
        },
    ],
    spawn: spawn_cost,
    configure: None,
    check: None,
    report: Some(report),
    program: Some(program),
    source: None,
};

/// One small task: what every spawned future is, and what the report measures.
async fn small_task(cpu: Duration) {
    sleep(NAP).await;
    if !cpu.is_zero() {
        work(cpu).await;
    }
}

/// Bytes of one task's future: fixed by its type, whatever its arguments.
fn future_bytes() -> usize {
    std::mem::size_of_val(&small_task(Duration::ZERO))
}

fn cpu_of(params: &Params) -> Duration {
    Duration::from_micros(params.get("poll_us").max(0) as u64)
}

fn spawn_cost(sim: &mut Sim, params: &Params) {
    let tasks = params.get("tasks").max(1) as usize;
    let cpu = cpu_of(params);
    let _main = sim.spawn("main", async move {
        for i in 0..tasks {
            if i > 0 && i % SPAWN_BATCH == 0 {
                yield_now().await;
            }
            // The handle is dropped at the end of the iteration, which
            // detaches the task: it runs on, and nobody awaits it.
            let _task = spawn("small", small_task(cpu));
        }
    });
}

fn report(sim: &Sim) -> String {
    let memory = format!("future size {} B per task", future_bytes());
    if !recorded(sim) {
        return format!(
            "{memory}; {} executor steps (record the trace for polls and latency)",
            sim.steps()
        );
    }
    let trace = sim.trace();
    // The small tasks: every task but `main`.
    let main = task_named(&trace, "main");
    let small = |task| Some(task) != main;
    let tasks = (sim.task_count() as usize).saturating_sub(usize::from(main.is_some()));
    let mut polls = 0;
    let mut wakes = 0;
    for r in trace.iter() {
        match r.event {
            Event::PollStarted { task, .. } if small(task) => polls += 1,
            Event::Woken { task, .. } if small(task) => wakes += 1,
            _ => {}
        }
    }
    let latencies: Vec<u64> = wake_to_poll(&trace)
        .into_iter()
        .filter(|(task, _)| small(*task))
        .map(|(_, ns)| ns)
        .collect();
    let max = latencies.iter().copied().max().unwrap_or(0);
    let avg = latencies.iter().sum::<u64>() / latencies.len().max(1) as u64;
    format!(
        "{memory}; polls per task {}, wakes per task {}, {} executor steps; wake → poll latency avg {}, max {}",
        ratio(polls, tasks),
        ratio(wakes, tasks),
        sim.steps(),
        format_ns(avg),
        format_ns(max)
    )
}

/// The program, with the parameters as `const`s.
fn program(params: &Params) -> String {
    format!(
        "{PROGRAM_HEAD}const TASKS: usize = {};\nconst POLL_US: u64 = {};\nconst NAP_MS: u64 = {};\n// Spawned in batches, with a yield between, so the page keeps drawing.\nconst SPAWN_BATCH: usize = {SPAWN_BATCH};\n\n{PROGRAM_BODY}",
        params.get("tasks").max(1),
        params.get("poll_us").max(0),
        NAP.as_millis()
    )
}

const PROGRAM_HEAD: &str = "\
// Many small tasks: `main` spawns them and lets them go; each sleeps, then
// does a little CPU work. One executor polls one task at a time.

use std::time::Duration;

use wakescope::{sleep, spawn, work, yield_now};

";

const PROGRAM_BODY: &str = "\
async fn small() {
    sleep(Duration::from_millis(NAP_MS)).await;
    if POLL_US > 0 {
        work(Duration::from_micros(POLL_US)).await;
    }
}

async fn main() {
    for i in 0..TASKS {
        if i > 0 && i % SPAWN_BATCH == 0 {
            yield_now().await;
        }
        // The handle is dropped at the end of the iteration, which
        // detaches the task: it runs on, and nobody awaits it.
        let _task = spawn(\"small\", small());
    }
}
";

/// `a / b` with at most two decimals, e.g. `2` or `1.5`.
fn ratio(a: usize, b: usize) -> String {
    let hundredths = a * 100 / b.max(1);
    match hundredths % 100 {
        0 => format!("{}", hundredths / 100),
        r => format!("{}.{:02}", hundredths / 100, r)
            .trim_end_matches('0')
            .to_string(),
    }
}
