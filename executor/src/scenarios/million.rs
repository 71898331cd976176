//! The seed's million sleeping tasks.
//!
//! Spawn N tasks that each sleep 10 ms, then join them all. With one thread
//! per task that would be N stacks and N kernel timers; here a task is a
//! small heap-allocated future and a sleep is an 8-byte timer entry, so a
//! million of them fit in memory, and the run ends at 10 ms of virtual time —
//! the length of one sleep, since nobody works while they wait.
//!
//! The interesting thing to watch is what does *not* happen: the clock
//! jumps from 0 to 10 ms once, every timer fires at that instant, and each
//! fired timer wakes exactly its own task. Nothing polls a sleeping task to
//! ask whether it is done yet. (`main` spawns in batches of 4,096 and yields
//! between them, and joins in batches too — by the time it is polled again
//! most sleepers may have finished, and one poll would join them all — and
//! the executor fires at most 4,096 timers per step, so even a million tasks
//! never make one long step.)

use std::time::Duration;

use super::measure::format_ns;
use super::{Mode, ParamSpec, Params, Scenario};
use crate::{Outcome, Sim, sleep, spawn, yield_now};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "million",
    title: "A million sleeping tasks",
    question: "Spawn 10,000 — or a million — tasks that each sleep 10 ms, then wait for all of them. \
               How long does that take?",
    answer: "10 ms of virtual time, however many tasks: they all sleep at once. Each task costs a small \
             future and a timer entry, not a thread, and the executor wakes each one exactly once.",
    notice: "After the spawns, the clock makes one jump to 10 ms; all timers fire there, and each wake \
             names its own timer as the source. `main` is woken once per finished task it awaits.",
    modes: &[Mode {
        id: "spawn-then-join",
        label: "Spawn, then join",
        about: "Spawn every task, then await their handles in order.",
    }],
    params: &[
        ParamSpec {
            name: "tasks",
            label: "Tasks",
            default: 10_000,
            min: 1,
            max: 1_000_000,
            unit: "tasks",
        },
        ParamSpec {
            name: "sleep_ms",
            label: "Sleep",
            default: 10,
            min: 1,
            max: 1000,
            unit: "ms",
        },
    ],
    spawn: spawn_million,
    configure: None,
    check: Some(check),
    report: Some(report),
    program: Some(program),
    source: None,
};

fn sleep_of(params: &Params) -> Duration {
    Duration::from_millis(params.get("sleep_ms").max(1) as u64)
}

/// Tasks `main` spawns (here and in `cost`), and joins, per poll. Between
/// batches it yields, so no single step spawns or joins more than this many
/// — each stays a few milliseconds, and the app keeps to its frame budget
/// even for a million tasks.
pub(super) const SPAWN_BATCH: usize = 4096;

fn spawn_million(sim: &mut Sim, params: &Params) {
    let tasks = params.get("tasks").max(1) as usize;
    let nap = sleep_of(params);
    let _main = sim.spawn("main", async move {
        let mut handles = Vec::with_capacity(tasks);
        while handles.len() < tasks {
            let batch = (tasks - handles.len()).min(SPAWN_BATCH);
            handles.extend((0..batch).map(|_| spawn("sleeper", sleep(nap))));
            if handles.len() < tasks {
                yield_now().await;
            }
        }
        let mut joined = 0;
        for h in handles {
            if joined > 0 && joined % SPAWN_BATCH == 0 {
                yield_now().await;
            }
            h.await.expect("a sleeping task cannot fail");
            joined += 1;
        }
    });
}

/// Passes when the run completed after exactly one sleep.
fn check(sim: &Sim, outcome: &Outcome) -> Result<(), String> {
    if !outcome.is_completed() {
        return Err(outcome.to_string());
    }
    let expected = sleep_of(&SCENARIO.params_of(sim));
    if sim.now() != expected {
        return Err(format!(
            "the run ended at {:?}, expected one sleep: {expected:?}",
            sim.now()
        ));
    }
    Ok(())
}

fn report(sim: &Sim) -> String {
    let tasks = sim.task_count().saturating_sub(1);
    format!(
        "{tasks} tasks slept together: the run ended at {} of virtual time after {} executor steps",
        format_ns(sim.now().as_nanos() as u64),
        sim.steps()
    )
}

/// The program, with the parameters as `const`s.
fn program(params: &Params) -> String {
    format!(
        "{PROGRAM_HEAD}const TASKS: usize = {};\nconst SLEEP_MS: u64 = {};\n// Spawned and joined in batches, with a yield between, so the page keeps drawing.\nconst SPAWN_BATCH: usize = {SPAWN_BATCH};\n\n{PROGRAM_MAIN}",
        params.get("tasks").max(1),
        params.get("sleep_ms").max(1)
    )
}

const PROGRAM_HEAD: &str = "\
// Many sleeping tasks: spawn them all, each sleeps, then wait for every one.

use std::time::Duration;

use wakescope::{sleep, spawn, yield_now};

";

const PROGRAM_MAIN: &str = "\
async fn main() {
    let mut handles = Vec::new();
    while handles.len() < TASKS {
        let batch = (TASKS - handles.len()).min(SPAWN_BATCH);
        for _ in 0..batch {
            handles.push(spawn(\"sleeper\", sleep(Duration::from_millis(SLEEP_MS))));
        }
        if handles.len() < TASKS {
            yield_now().await;
        }
    }
    let mut joined = 0;
    for handle in handles {
        if joined > 0 && joined % SPAWN_BATCH == 0 {
            yield_now().await;
        }
        handle.await.expect(\"a sleeping task cannot fail\");
        joined += 1;
    }
}
";
