//! The seed's TCP flow control: a window, backpressure, and a zero window.
//!
//! A TCP receiver advertises a *window*: how many bytes it can still buffer.
//! A sender that fills the window must stop until the receiver reads. Here
//! the window is a bounded [`channel`] named `data`: `send` into a full
//! buffer waits, and the trace records `BlockedOnFull` — backpressure, the
//! slow reader pacing the fast writer without losing anything.
//!
//! `main` opens the window and starts the sender (in `flowing` the receiver
//! too) and ends; it does not wait for them — the run goes on as long as a
//! task has work.
//!
//! `flowing`: the sender writes `segments` segments, the receiver takes
//! `read_ms` to process each. The sender soon blocks on the full window and
//! from then on sends one segment each time the receiver frees a slot.
//!
//! `zero-window`: the receiver now acknowledges every segment on a second
//! bounded channel, `acks`, and the sender — like an application that
//! writes its whole request before reading any reply — reads acks only after
//! it has sent everything. The sender opens the connection: it makes `acks`,
//! its own receive buffer, and starts the receiver with the sending end. The
//! acks fill their buffer; the receiver blocks sending an ack and stops
//! reading; the data window fills and drops to zero; the sender blocks too.
//! Each waits for the other to read, forever. The run ends in a deadlock
//! that names both tasks, the channel each is stuck on, and the wait-for
//! cycle `sender → data → receiver → acks → sender`: the receiver holds
//! `data`'s receiving end, the sender `acks`' (it made it and keeps it). It
//! takes `segments ≥ 2 × window + 2`; with fewer, the buffers hold
//! everything and the transfer completes.
//!
//! The verdict: `flowing` passes when it completes; `zero-window` passes
//! when it deadlocks as described — that deadlock is its lesson — and fails
//! if it completes.

use std::time::Duration;

use super::measure::{format_ns, recorded, task_named};
use super::{Mode, ParamSpec, Params, Scenario};
use crate::sync::channel;
use crate::trace::{Event, ResourceOp};
use crate::{Outcome, Sim, sleep, spawn};

pub(super) const SCENARIO: Scenario = Scenario {
    id: "flow",
    title: "Flow control and a zero window",
    question: "A fast sender writes into a bounded window read by a slow receiver. What stops the sender \
               from flooding it — and what happens when both sides write before they read?",
    answer: "Backpressure: a send into a full window waits until the receiver frees a slot. But when each \
             side writes into a full buffer before reading its own, both wait for the other to read: a \
             zero-window deadlock, which the run reports with both tasks and both channels.",
    notice: "In flowing mode the sender's BlockedOnFull on `data` is followed, each time the receiver \
             reads, by its next Send. In zero-window mode watch `acks` fill up, then `data`: the last \
             two resource events are the two BlockedOnFull that never end.",
    modes: &[
        Mode {
            id: "flowing",
            label: "Flowing (backpressure)",
            about: "A fast sender and a slow receiver over one window.",
        },
        Mode {
            id: "zero-window",
            label: "Zero window (deadlock)",
            about: "Both sides write into a full buffer before reading their own.",
        },
    ],
    params: &[
        ParamSpec {
            name: "segments",
            label: "Segments",
            default: 16,
            min: 1,
            max: 1000,
            unit: "segments",
        },
        ParamSpec {
            name: "window",
            label: "Window",
            default: 4,
            min: 1,
            max: 64,
            unit: "segments",
        },
        ParamSpec {
            name: "read_ms",
            label: "Receiver time per segment",
            default: 10,
            min: 0,
            max: 1000,
            unit: "ms",
        },
    ],
    spawn: spawn_flow,
    configure: None,
    check: Some(check),
    report: Some(report),
    program: Some(program),
    source: None,
};

fn spawn_flow(sim: &mut Sim, params: &Params) {
    let segments = params.get("segments").max(1) as u32;
    let window = params.get("window").max(1) as usize;
    let read = Duration::from_millis(params.get("read_ms").max(0) as u64);
    let zero_window = params.mode == "zero-window";
    let _main = sim.spawn("main", async move {
        let (data_tx, mut data_rx) = channel::<u32>("data", window);
        if zero_window {
            let _sender = spawn("sender", async move {
                // The sender's own receive buffer: it holds the receiving end.
                let (ack_tx, mut ack_rx) = channel::<u32>("acks", window);
                let _receiver = spawn("receiver", async move {
                    while let Some(segment) = data_rx.recv().await {
                        sleep(read).await;
                        ack_tx.send(segment).await.expect("the sender reads acks at the end");
                    }
                });
                for segment in 0..segments {
                    data_tx.send(segment).await.expect("the receiver outlives the sender");
                }
                drop(data_tx);
                while ack_rx.recv().await.is_some() {}
            });
        } else {
            let _sender = spawn("sender", async move {
                for segment in 0..segments {
                    data_tx.send(segment).await.expect("the receiver outlives the sender");
                }
            });
            let _receiver = spawn("receiver", async move {
                while data_rx.recv().await.is_some() {
                    sleep(read).await;
                }
            });
        }
    });
}

fn check(sim: &Sim, outcome: &Outcome) -> Result<(), String> {
    let params = SCENARIO.params_of(sim);
    if params.mode != "zero-window" {
        return if outcome.is_completed() {
            Ok(())
        } else {
            Err(outcome.to_string())
        };
    }
    let Some(deadlock) = outcome.deadlock() else {
        return Err(format!(
            "expected a zero-window deadlock, but the run ended otherwise ({outcome}); it needs \
             segments ≥ 2 × window + 2 (here {} and {})",
            params.get("segments"),
            params.get("window")
        ));
    };
    for (task, channel) in [("sender", "data"), ("receiver", "acks")] {
        let stuck = deadlock.blocked.iter().any(|b| {
            b.name == task
                && b.waiting_on
                    .as_ref()
                    .is_some_and(|w| w.name == channel && w.op == ResourceOp::BlockedOnFull)
        });
        if !stuck {
            return Err(format!(
                "expected `{task}` blocked on a full `{channel}`; the deadlock was: {deadlock}"
            ));
        }
    }
    let cycles: Vec<String> = deadlock.cycles.iter().map(|c| deadlock.describe_cycle(c)).collect();
    if cycles != [ZERO_WINDOW_CYCLE] {
        return Err(format!(
            "expected the one wait-for cycle {ZERO_WINDOW_CYCLE}; the deadlock was: {deadlock}"
        ));
    }
    Ok(())
}

/// The wait-for cycle of the zero-window deadlock, as the report words it.
const ZERO_WINDOW_CYCLE: &str = r##"#1 "sender" → channel "data" → #2 "receiver" → channel "acks" → #1 "sender""##;

/// How often the sender found the window full, and how long it waited in all.
fn report(sim: &Sim) -> String {
    if !recorded(sim) {
        return "no trace recorded: backpressure is measured from the trace".to_string();
    }
    let trace = sim.trace();
    let Some(sender) = task_named(&trace, "sender") else {
        return "no sender in this trace".to_string();
    };
    let (mut waits, mut waited_ns, mut since) = (0, 0, None);
    for r in trace.iter() {
        match r.event {
            Event::Resource {
                task: Some(t),
                op: ResourceOp::BlockedOnFull,
                ..
            } if t == sender => {
                waits += 1;
                since = Some(r.time_ns);
            }
            Event::Resource {
                task: Some(t),
                op: ResourceOp::Send,
                ..
            } if t == sender => {
                waited_ns += since.take().map_or(0, |s| r.time_ns - s);
            }
            _ => {}
        }
    }
    let tail = if since.is_some() {
        "; its last wait never ended"
    } else {
        ""
    };
    format!(
        "the sender found the window full {waits} time(s) and waited {} in all{tail}",
        format_ns(waited_ns)
    )
}

/// The program of a mode, with the parameters as `const`s.
fn program(params: &Params) -> String {
    let consts = format!(
        "const SEGMENTS: u32 = {};\nconst WINDOW: usize = {};\nconst READ_MS: u64 = {};",
        params.get("segments").max(1),
        params.get("window").max(1),
        params.get("read_ms").max(0)
    );
    let body = if params.mode == "zero-window" {
        ZERO_WINDOW_MAIN
    } else {
        FLOWING_MAIN
    };
    format!("{PROGRAM_HEAD}{consts}\n\n{body}")
}

const PROGRAM_HEAD: &str = "\
// Flow control: a sender, a receiver, and a bounded window between them.

use std::time::Duration;

use wakescope::sync::channel;
use wakescope::{sleep, spawn};

";

const FLOWING_MAIN: &str = "\
// main opens the window and starts both ends; the run goes on while they work.
async fn main() {
    let (data_tx, mut data_rx) = channel(\"data\", WINDOW);
    let _sender = spawn(\"sender\", async move {
        for segment in 0..SEGMENTS {
            data_tx.send(segment).await.expect(\"the receiver outlives the sender\");
        }
    });
    let _receiver = spawn(\"receiver\", async move {
        while data_rx.recv().await.is_some() {
            sleep(Duration::from_millis(READ_MS)).await;
        }
    });
}
";

const ZERO_WINDOW_MAIN: &str = "\
// main opens the window and starts the sender; the sender makes its own
// receive buffer for the acks and starts the receiver. Both write before
// they read.
async fn main() {
    let (data_tx, mut data_rx) = channel(\"data\", WINDOW);
    let _sender = spawn(\"sender\", async move {
        let (ack_tx, mut ack_rx) = channel(\"acks\", WINDOW);
        let _receiver = spawn(\"receiver\", async move {
            while let Some(segment) = data_rx.recv().await {
                sleep(Duration::from_millis(READ_MS)).await;
                ack_tx.send(segment).await.expect(\"the sender reads acks at the end\");
            }
        });
        for segment in 0..SEGMENTS {
            data_tx.send(segment).await.expect(\"the receiver outlives the sender\");
        }
        drop(data_tx);
        while ack_rx.recv().await.is_some() {}
    });
}
";
