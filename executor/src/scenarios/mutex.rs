//! Lock contention: a fair and an unfair mutex, and a task that hogs the lock.
//!
//! The `hog` locks, holds the lock across `hold_ms` of waiting, unlocks —
//! and at once locks again, `rounds` times, without ever yielding in
//! between. A few `waiter`s ask for the lock 1 ms in. `main` makes the lock,
//! spawns the hog and then the waiters, and waits for all of them.
//!
//! With a **fair** mutex ([`Mutex::new`]) an unlock hands the lock straight
//! to the first waiter: by the time the hog asks again, the lock is already
//! someone else's, and the hog queues behind the waiters. Every task waits
//! at most a few holds.
//!
//! With an **unfair** mutex ([`Mutex::unfair`]) an unlock only frees the
//! lock and wakes the first waiter. The waiter needs a poll to take it, but
//! the hog is still running and asks first: it *barges* in, every round.
//! The waiters get the lock only when the hog is done. Total time is the
//! same; who waits is not. Unfair locks are faster for the barging task (no
//! hand-over), and starve everybody else.
//!
//! The report measures each task's *lock latency* from the trace: the time
//! from its `BlockedOnLock` to its `Lock`.

use std::rc::Rc;
use std::time::Duration;

use super::measure::{format_ns, lock_waits, name_of, recorded};
use super::{Mode, ParamSpec, Params, Scenario};
use crate::sync::Mutex;
use crate::{Sim, sleep, spawn};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "mutex",
    title: "Fair and unfair locks",
    question: "One task unlocks a mutex and immediately locks it again, round after round. Do the tasks \
               waiting for the same lock ever get a turn?",
    answer: "With a fair mutex, yes: the unlock hands the lock to the first waiter, and the hog queues \
             behind it. With an unfair mutex the hog re-locks before the woken waiter is even polled, so \
             the waiters wait for all of its rounds.",
    notice: "Follow the `lock` resource. Fair: each Unlock by the hog is followed by a Lock for a waiter, \
             recorded at the same instant. Unfair: each Unlock by the hog is followed by its own Lock.",
    modes: &[
        Mode {
            id: "fair",
            label: "Fair mutex",
            about: "An unlock hands the lock to the first waiter.",
        },
        Mode {
            id: "unfair",
            label: "Unfair mutex",
            about: "An unlock frees the lock; whoever asks first takes it.",
        },
    ],
    params: &[
        ParamSpec {
            name: "waiters",
            label: "Waiting tasks",
            default: 3,
            min: 1,
            max: 8,
            unit: "tasks",
        },
        ParamSpec {
            name: "rounds",
            label: "Hog's rounds",
            default: 5,
            min: 1,
            max: 50,
            unit: "rounds",
        },
        ParamSpec {
            name: "hold_ms",
            label: "Time holding the lock",
            default: 10,
            min: 1,
            max: 1000,
            unit: "ms",
        },
    ],
    spawn: spawn_mutex,
    configure: None,
    check: None,
    report: Some(report),
    program: Some(program),
    source: None,
};

fn spawn_mutex(sim: &mut Sim, params: &Params) {
    let waiters = params.get("waiters").max(1) as u32;
    let rounds = params.get("rounds").max(1) as u32;
    let hold = Duration::from_millis(params.get("hold_ms").max(1) as u64);
    let unfair = params.mode == "unfair";
    let _main = sim.spawn("main", async move {
        let lock = Rc::new(if unfair {
            Mutex::unfair("lock", ())
        } else {
            Mutex::new("lock", ())
        });
        let mut tasks = Vec::new();
        let hog_lock = lock.clone();
        tasks.push(spawn("hog", async move {
            for _ in 0..rounds {
                let guard = hog_lock.lock().await;
                sleep(hold).await;
                drop(guard);
                // No await between this unlock and the next lock.
            }
        }));
        for i in 1..=waiters {
            let lock = lock.clone();
            tasks.push(spawn(&format!("waiter {i}"), async move {
                sleep(Duration::from_millis(1)).await;
                let _guard = lock.lock().await;
                sleep(hold).await;
            }));
        }
        for task in tasks {
            task.await.expect("a task cannot fail");
        }
    });
}

/// Each task's longest lock latency, in id order.
fn latencies(sim: &Sim) -> Vec<(String, u64)> {
    let trace = sim.trace();
    let mut longest: std::collections::BTreeMap<crate::TaskId, u64> = Default::default();
    for (task, waited) in lock_waits(&trace) {
        let slot = longest.entry(task).or_default();
        *slot = (*slot).max(waited);
    }
    longest
        .into_iter()
        .map(|(task, waited)| (name_of(&trace, task), waited))
        .collect()
}

fn report(sim: &Sim) -> String {
    if !recorded(sim) {
        return "no trace recorded: lock latency is measured from the trace".to_string();
    }
    let per_task: Vec<String> = latencies(sim)
        .into_iter()
        .map(|(name, waited)| format!("{name} {}", format_ns(waited)))
        .collect();
    format!("longest wait for the lock, per task: {}", per_task.join(", "))
}

/// The program of a mode, with the parameters as `const`s.
fn program(params: &Params) -> String {
    let consts = format!(
        "const WAITERS: u32 = {};\nconst ROUNDS: u32 = {};\nconst HOLD_MS: u64 = {};",
        params.get("waiters").max(1),
        params.get("rounds").max(1),
        params.get("hold_ms").max(1)
    );
    let lock = if params.mode == "unfair" {
        "    // Unfair: an unlock frees the lock; whoever asks first takes it.\n    let lock = Rc::new(Mutex::unfair(\"lock\", ()));\n"
    } else {
        "    // Fair: an unlock hands the lock to the first waiter.\n    let lock = Rc::new(Mutex::new(\"lock\", ()));\n"
    };
    format!("{PROGRAM_HEAD}{consts}\n\nasync fn main() {{\n{lock}{PROGRAM_TASKS}")
}

const PROGRAM_HEAD: &str = "\
// Lock contention: the hog unlocks and at once locks again, round after
// round; the waiters ask for the same lock 1 ms in.

use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::Mutex;
use wakescope::{sleep, spawn};

";

const PROGRAM_TASKS: &str = "\
    let mut tasks = Vec::new();
    let hog_lock = lock.clone();
    tasks.push(spawn(\"hog\", async move {
        for _ in 0..ROUNDS {
            let guard = hog_lock.lock().await;
            sleep(Duration::from_millis(HOLD_MS)).await;
            drop(guard);
            // No await between this unlock and the next lock.
        }
    }));
    for i in 1..=WAITERS {
        let lock = lock.clone();
        tasks.push(spawn(&format!(\"waiter {i}\"), async move {
            sleep(Duration::from_millis(1)).await;
            let _guard = lock.lock().await;
            sleep(Duration::from_millis(HOLD_MS)).await;
        }));
    }
    for task in tasks {
        task.await.expect(\"a task cannot fail\");
    }
}
";
