//! Cancellation: the seed's "a future might be cancelled before `do` runs".
//!
//! A future does nothing unless polled, so cancelling one is simply *not
//! polling it again* — and dropping it. Whatever it was waiting for is
//! released by its destructor: a dropped [`sleep`] disarms its timer. Three
//! everyday ways to do it, each visible in the trace:
//!
//! 1. [`timeout`]: a slow fetch gets `limit_s` seconds. When the deadline
//!    wins, the fetch future is dropped (`FutureDropped { cause: timeout }`)
//!    and its own timer is disarmed (`TimerCancelled`).
//! 2. [`select`]: ask two replicas, take the first answer. The slower
//!    branch is dropped (`FutureDropped { cause: select }`, `TimerCancelled`).
//! 3. [`JoinHandle::abort`](crate::JoinHandle::abort): a whole task is
//!    stopped from outside (`Cancelled { cause: aborted }`) and its pending
//!    sleep goes with it (`TimerCancelled`).
//!
//! Note what cancellation is *not*: nothing interrupts a running poll. A
//! future is only ever dropped between polls, at an `.await` where it
//! returned `Pending`. If the limit is not shorter than the slow work, the
//! work wins and nothing is cancelled.

use std::time::Duration;

use super::measure::count;
use super::{Mode, ParamSpec, Params, Scenario};
use crate::trace::{CancelCause, Event};
use crate::{Sim, select, sleep, spawn, timeout};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "cancel",
    title: "Cancellation",
    question: "A timeout runs out, a select picks a winner, a task is aborted. What happens to the future \
               that lost, and to the timer it was waiting on?",
    answer: "It is dropped between two polls and never polled again; its destructor disarms its timer. \
             Cancellation is a drop at an .await, not an interruption.",
    notice: "Each cancellation is a FutureDropped (timeout, select) or Cancelled (abort) event, followed by \
             TimerCancelled for the sleep that will now never fire.",
    modes: &[
        Mode {
            id: "all",
            label: "All three in turn",
            about: "A timeout, then a select, then an abort.",
        },
        Mode {
            id: "timeout",
            label: "Timeout",
            about: "A slow fetch inside a timeout.",
        },
        Mode {
            id: "select",
            label: "Select",
            about: "The first of two replicas to answer wins.",
        },
        Mode {
            id: "abort",
            label: "Abort",
            about: "A worker task aborted through its JoinHandle.",
        },
    ],
    params: &[
        ParamSpec {
            name: "slow_s",
            label: "Slow work",
            default: 5,
            min: 1,
            max: 3600,
            unit: "s",
        },
        ParamSpec {
            name: "limit_s",
            label: "Limit / fast answer",
            default: 1,
            min: 1,
            max: 3600,
            unit: "s",
        },
    ],
    spawn: spawn_cancel,
    configure: None,
    check: None,
    report: Some(report),
    program: Some(program),
    source: None,
};

fn spawn_cancel(sim: &mut Sim, params: &Params) {
    let slow = Duration::from_secs(params.get("slow_s").max(1) as u64);
    let limit = Duration::from_secs(params.get("limit_s").max(1) as u64);
    let mode = params.mode;
    let _main = sim.spawn("main", async move {
        if matches!(mode, "all" | "timeout") {
            // The fetch is dropped if the limit runs out first.
            let _fetch = timeout(limit, sleep(slow)).await;
        }
        if matches!(mode, "all" | "select") {
            let fast_replica = sleep(limit);
            let slow_replica = sleep(slow);
            let _first = select(fast_replica, slow_replica).await;
        }
        if matches!(mode, "all" | "abort") {
            let worker = spawn("worker", sleep(slow));
            sleep(limit).await;
            worker.abort();
            let _gone = worker.await;
        }
    });
}

fn report(sim: &Sim) -> String {
    let trace = sim.trace();
    let dropped = count(&trace, |e| matches!(e, Event::FutureDropped { .. }));
    let aborted = count(&trace, |e| {
        matches!(
            e,
            Event::Cancelled {
                cause: CancelCause::Aborted,
                ..
            }
        )
    });
    let disarmed = count(&trace, |e| matches!(e, Event::TimerCancelled { .. }));
    format!("{dropped} future(s) dropped by timeout or select, {aborted} task(s) aborted, {disarmed} timer(s) disarmed")
}

/// The program of a mode, with the parameters as `const`s.
fn program(params: &Params) -> String {
    let mode = params.mode;
    let mut body = String::from("async fn main() {\n");
    if matches!(mode, "all" | "timeout") {
        body.push_str(
            "    // The fetch is dropped if the limit runs out first.\n    let _fetch = timeout(Duration::from_secs(LIMIT_S), sleep(Duration::from_secs(SLOW_S))).await;\n",
        );
    }
    if matches!(mode, "all" | "select") {
        body.push_str(
            "    // Two replicas: the first to answer wins, the other is dropped.\n    let fast_replica = sleep(Duration::from_secs(LIMIT_S));\n    let slow_replica = sleep(Duration::from_secs(SLOW_S));\n    let _first = select(fast_replica, slow_replica).await;\n",
        );
    }
    if matches!(mode, "all" | "abort") {
        body.push_str(
            "    // A worker given up on: aborted, its future dropped.\n    let worker = spawn(\"worker\", sleep(Duration::from_secs(SLOW_S)));\n    sleep(Duration::from_secs(LIMIT_S)).await;\n    worker.abort();\n    let _gone = worker.await;\n",
        );
    }
    body.push_str("}\n");
    format!(
        "// Giving up on slow work: timeout, select and abort drop the futures they give up.\n\n\
         use std::time::Duration;\n\nuse wakescope::{{select, sleep, spawn, timeout}};\n\n\
         const SLOW_S: u64 = {};\nconst LIMIT_S: u64 = {};\n\n{body}",
        params.get("slow_s").max(1),
        params.get("limit_s").max(1)
    )
}
