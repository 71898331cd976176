//! The cost of concurrency: nothing is free, not even a sleeping task.
//!
//! The seed's closing list — memory per task, runtime costs, scheduling
//! latency — measured on N small tasks. Each one sleeps 1 ms, then does
//! `poll_us` microseconds of CPU work and finishes.
//!
//! - **Memory.** A task is its future on the heap: the state the async block
//!   keeps across its `.await`s, whose size the compiler fixes (the report
//!   gives it in bytes), plus the executor's own record of the task.
//! - **Runtime.** Every task is polled twice — once to arm its timer, once
//!   after the wake — and woken once; the report counts polls, wakes and
//!   executor steps per task.
//! - **Scheduling latency.** All N timers fire at the same instant, so all N
//!   tasks become runnable together, but one executor polls one task at a
//!   time. Each poll costs `poll_us`, so the last task is polled about
//!   (N − 1) × `poll_us` after its wake. That wait — wake to poll — is the
//!   latency users feel; the report gives its average and maximum, read from
//!   the trace's `Woken` and `PollStarted` events.

use std::time::Duration;

use super::measure::{count, format_ns, recorded, wake_to_poll};
use super::{Mode, ParamSpec, Params, Scenario};
use crate::trace::Event;
use crate::{Sim, sleep, work};

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
        about: "N tasks: sleep 1 ms, then a little CPU work.",
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
    program: None,
    source: include_str!("cost.rs"),
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

fn spawn_cost(sim: &mut Sim, params: &Params) {
    let cpu = Duration::from_micros(params.get("poll_us").max(0) as u64);
    for _ in 0..params.get("tasks").max(1) {
        let _task = sim.spawn("small", small_task(cpu));
    }
}

fn report(sim: &Sim) -> String {
    let tasks = sim.task_count().max(1) as usize;
    let memory = format!("future size {} B per task", future_bytes());
    if !recorded(sim) {
        return format!(
            "{memory}; {} executor steps (record the trace for polls and latency)",
            sim.steps()
        );
    }
    let trace = sim.trace();
    let polls = count(&trace, |e| matches!(e, Event::PollStarted { .. }));
    let wakes = count(&trace, |e| matches!(e, Event::Woken { .. }));
    let latencies = wake_to_poll(&trace);
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
