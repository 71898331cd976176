//! A data race without threads: the lost update.
//!
//! Single-threaded async code has no data races in Rust's sense — but it
//! still has *races*. Each worker handles `increments` requests; a request
//! arrives after a pause drawn from the simulation's seeded RNG (up to
//! `spread_ms`), and adds 1 to a shared counter like this:
//!
//! ```text
//! let read = counter.get();   // read
//! yield_now().await;          // any await: a lookup, a log write, a timer
//! counter.set(read + 1);      // write what was read, plus one
//! ```
//!
//! Between the read and the write the task returns `Pending`, and the
//! executor may poll another worker, which reads the same old value. Both
//! write `old + 1`: one increment is lost. That needs two requests to arrive
//! in the same millisecond *and* the scheduler to pick the second before the
//! first writes — both decided by the seed. Most seeds count correctly; a
//! few lose an update.
//!
//! That makes the scenario a small simulation test. After the workers are
//! joined, `main` states the invariant with [`check()`]: the counter must equal
//! `tasks × increments`. A failing check ends the run with
//! `Outcome::CheckFailed` (and a `CheckFailed` event carrying the message),
//! so the verdict fails for exactly the seeds that lose an update — with
//! recording on or off — and a sweep over seeds finds the first one, the same
//! one every time. Replay it and step to the two reads of the same value.
//!
//! `locked` mode is the fix: the counter lives in a [`Mutex`] held across the
//! await, so no other worker can read between a read and its write.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use super::measure::recorded;
use super::{Mode, ParamSpec, Params, Scenario};
use crate::sync::Mutex;
use crate::trace::Event;
use crate::{Sim, check, rng, sleep, spawn, yield_now};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "race",
    title: "The lost update",
    question: "Two requests arrive within 10 ms; each adds 1 to a shared counter: read it, await \
               something, write read + 1. Is the counter always 2 at the end?",
    answer: "No: when both arrive in the same millisecond, some seeds let both read 0 before either \
             writes, and both write 1. Nothing runs in parallel — the race is in the interleaving at the \
             await. Hold a lock across the await (locked mode) and every seed counts to 2.",
    notice: "On a failing seed, find the millisecond where two requests arrive together: one task reads \
             and its poll ends Pending; the other is polled before the first one's next poll — its write — \
             so the second read sees the old value. The run ends with the failed check.",
    modes: &[
        Mode {
            id: "racy",
            label: "Racy",
            about: "Read, await, write: another task may run in between.",
        },
        Mode {
            id: "locked",
            label: "Locked",
            about: "The same, holding a mutex across the await.",
        },
    ],
    params: &[
        ParamSpec {
            name: "tasks",
            label: "Tasks",
            default: 2,
            min: 2,
            max: 8,
            unit: "tasks",
        },
        ParamSpec {
            name: "increments",
            label: "Requests per task",
            default: 1,
            min: 1,
            max: 100,
            unit: "requests",
        },
        ParamSpec {
            name: "spread_ms",
            label: "Requests arrive within",
            default: 10,
            min: 0,
            max: 1000,
            unit: "ms",
        },
    ],
    spawn: spawn_race,
    configure: None,
    check: None,
    report: Some(report),
    program: Some(program),
    source: None,
};

fn spawn_race(sim: &mut Sim, params: &Params) {
    let tasks = params.get("tasks").max(2) as u32;
    let increments = params.get("increments").max(1) as u32;
    let spread_ms = params.get("spread_ms").clamp(0, u32::MAX as i64) as u32;
    let locked = params.mode == "locked";
    let _main = sim.spawn("main", async move {
        let expected = tasks * increments;
        let work = Work {
            tasks,
            increments,
            spread_ms,
        };
        let got = if locked {
            run_locked(work).await
        } else {
            run_racy(work).await
        };
        check(
            got == expected,
            &format!(
                "counter is {got}, expected {expected}: {} update(s) lost",
                expected - got
            ),
        );
    });
}

/// What the workers do: `tasks` workers, `increments` requests each.
#[derive(Clone, Copy)]
struct Work {
    tasks: u32,
    increments: u32,
    /// Each request arrives after a seeded pause of `0..spread_ms` ms.
    spread_ms: u32,
}

/// Waits for the next request: a pause drawn from the seeded RNG.
async fn next_request(spread_ms: u32) {
    if spread_ms > 0 {
        sleep(Duration::from_millis(rng().below(spread_ms) as u64)).await;
    }
}

async fn run_racy(
    Work {
        tasks,
        increments,
        spread_ms,
    }: Work,
) -> u32 {
    let counter = Rc::new(Cell::new(0));
    let workers: Vec<_> = (1..=tasks)
        .map(|i| {
            let counter = counter.clone();
            spawn(&format!("task {i}"), async move {
                for _ in 0..increments {
                    next_request(spread_ms).await;
                    let read = counter.get();
                    yield_now().await;
                    counter.set(read + 1);
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("a worker cannot fail");
    }
    counter.get()
}

async fn run_locked(
    Work {
        tasks,
        increments,
        spread_ms,
    }: Work,
) -> u32 {
    let counter = Rc::new(Mutex::new("counter", 0));
    let workers: Vec<_> = (1..=tasks)
        .map(|i| {
            let counter = counter.clone();
            spawn(&format!("task {i}"), async move {
                for _ in 0..increments {
                    next_request(spread_ms).await;
                    let mut value = counter.lock().await;
                    let read = *value;
                    yield_now().await;
                    *value = read + 1;
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("a worker cannot fail");
    }
    *counter.try_lock().expect("every worker is done")
}

fn report(sim: &Sim) -> String {
    if !recorded(sim) {
        return "no trace recorded: the counter's check is read from the trace".to_string();
    }
    let trace = sim.trace();
    let failed = trace.iter().any(|r| matches!(r.event, Event::CheckFailed { .. }));
    match trace.check_message(0) {
        Some(message) if failed => format!("seed {}: {message}", trace.header().seed),
        _ => format!("seed {}: every increment counted", trace.header().seed),
    }
}

/// The program of a mode, with the parameters as `const`s.
fn program(params: &Params) -> String {
    let consts = format!(
        "const TASKS: u32 = {};\nconst INCREMENTS: u32 = {};\nconst SPREAD_MS: u32 = {};",
        params.get("tasks").max(2),
        params.get("increments").max(1),
        params.get("spread_ms").clamp(0, u32::MAX as i64)
    );
    let body = if params.mode == "locked" {
        LOCKED_MAIN
    } else {
        RACY_MAIN
    };
    format!("{PROGRAM_HEAD}{consts}\n\n{NEXT_REQUEST}\n{body}")
}

const PROGRAM_HEAD: &str = "\
// The lost update: each request reads a shared counter, awaits something,
// and writes back what it read plus one.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::Mutex;
use wakescope::{check, rng, sleep, spawn, yield_now};

";

const NEXT_REQUEST: &str = "\
// The next request arrives after a seeded pause of 0..SPREAD_MS ms.
async fn next_request() {
    if SPREAD_MS > 0 {
        sleep(Duration::from_millis(rng().below(SPREAD_MS) as u64)).await;
    }
}
";

const RACY_MAIN: &str = "\
async fn main() {
    let counter = Rc::new(Cell::new(0));
    let mut workers = Vec::new();
    for i in 1..=TASKS {
        let counter = counter.clone();
        workers.push(spawn(&format!(\"task {i}\"), async move {
            for _ in 0..INCREMENTS {
                next_request().await;
                let read = counter.get();
                yield_now().await;
                counter.set(read + 1);
            }
        }));
    }
    for worker in workers {
        worker.await.expect(\"a worker cannot fail\");
    }
    let got = counter.get();
    let expected = TASKS * INCREMENTS;
    check(got == expected, &format!(\"counter is {got}, expected {expected}: {} update(s) lost\", expected - got));
}
";

const LOCKED_MAIN: &str = "\
async fn main() {
    let counter = Rc::new(Mutex::new(\"counter\", 0));
    let mut workers = Vec::new();
    for i in 1..=TASKS {
        let counter = counter.clone();
        workers.push(spawn(&format!(\"task {i}\"), async move {
            for _ in 0..INCREMENTS {
                next_request().await;
                let mut value = counter.lock().await;
                let read = *value;
                yield_now().await;
                *value = read + 1;
            }
        }));
    }
    for worker in workers {
        worker.await.expect(\"a worker cannot fail\");
    }
    let got = *counter.try_lock().expect(\"every worker is done\");
    let expected = TASKS * INCREMENTS;
    check(got == expected, &format!(\"counter is {got}, expected {expected}: {} update(s) lost\", expected - got));
}
";
