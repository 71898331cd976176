//! The seed's kill chain: P0 → P1(T) → P2(T) → C1, after Erlang.
//!
//! Four tasks, each spawned and linked by the one before: `main` starts P0
//! and waits for it, P0 starts P1, P1 starts P2, P2 starts C1. P1 and P2
//! *trap exits* (T): a linked task's end reaches them as a message in their
//! mailbox instead of ending them too.
//!
//! C1 works for `c1_s` seconds. P2 hangs — it never reads its mailbox, never
//! finishes. After `patience_s` seconds P1 gives up on it. A polite exit
//! signal would be useless: P2 traps exits, so the signal would just become
//! one more unread message. That is why [`kill`] cannot be trapped. P1 kills
//! P2; P2 dies (`ExitKilled`, `Cancelled { cause: killed }`); its links are
//! signalled with reason `killed`: C1, which does not trap, dies too, and
//! P1, which traps, gets the news as a message (`ExitTrapped`) and reads it
//! with [`recv_exit`]. P1 and P0 finish normally.
//!
//! The verdict checks the task states, which need no trace: P0 and P1
//! completed, P2 cancelled, and C1 cancelled too unless its work was done
//! before P1 ran out of patience.

use std::future::pending;
use std::time::Duration;

use super::{Mode, ParamSpec, Params, Scenario};
use crate::supervision::{kill, recv_exit, spawn_link, trap_exit};
use crate::{Outcome, Sim, TaskId, TaskState, sleep, spawn};

/// The tasks in spawn order; `main` (task 0) spawns P0, and each of the
/// others is spawned in its parent's first poll, so their ids are these
/// indices plus one on every seed.
const CHAIN: [&str; 4] = ["P0", "P1", "P2", "C1"];

pub(super) const SCENARIO: Scenario = Scenario {
    id: "supervision",
    title: "Links, trapped exits and kill",
    question: "P1 and P2 trap exits. P2 hangs. How can P1 stop it — and what happens to C1, P2's child, \
               and to P1 itself?",
    answer: "P1 kills P2: kill is the one signal that cannot be trapped. P2's death is signalled along its \
             links: C1 does not trap exits and dies too; P1 traps them and receives P2's exit (killed) as \
             a message. P1 and P0 then finish normally.",
    notice: "Look for Linked events as the chain is built, then at the kill: ExitKilled for P2, its \
             Cancelled, ExitTrapped at P1 (the message), and ExitKilled for C1 from P2.",
    modes: &[Mode {
        id: "kill-chain",
        label: "Kill chain",
        about: "P0 → P1(T) → P2(T) → C1; P1 kills the hung P2.",
    }],
    params: &[
        ParamSpec {
            name: "patience_s",
            label: "P1 waits for P2",
            default: 5,
            min: 1,
            max: 3600,
            unit: "s",
        },
        ParamSpec {
            name: "c1_s",
            label: "C1's work",
            default: 60,
            min: 1,
            max: 3600,
            unit: "s",
        },
    ],
    spawn: spawn_chain,
    configure: None,
    check: Some(check),
    report: None,
    program: Some(program),
    source: None,
};

fn spawn_chain(sim: &mut Sim, params: &Params) {
    let patience = Duration::from_secs(params.get("patience_s").max(1) as u64);
    let c1_work = Duration::from_secs(params.get("c1_s").max(1) as u64);
    let _main = sim.spawn("main", async move {
        let p0 = spawn(CHAIN[0], async move {
            let p1 = spawn_link(CHAIN[1], async move {
                trap_exit(true);
                let p2 = spawn_link(CHAIN[2], async move {
                    trap_exit(true);
                    let _c1 = spawn_link(CHAIN[3], sleep(c1_work));
                    // P2 hangs: it traps every signal and never reads one.
                    pending::<()>().await;
                });
                sleep(patience).await;
                if let Some(p2) = p2.id() {
                    kill(p2);
                }
                // P2's exit (reason: killed) arrives as a message.
                let _p2_exit = recv_exit().await;
            });
            p1.await.expect("P1 finishes normally");
        });
        p0.await.expect("P0 finishes normally");
    });
}

fn check(sim: &Sim, outcome: &Outcome) -> Result<(), String> {
    if !outcome.is_completed() {
        return Err(outcome.to_string());
    }
    let params = SCENARIO.params_of(sim);
    let (c1_s, patience_s) = (params.get("c1_s"), params.get("patience_s"));
    // C1 dies with P2 unless its work ended first; at a tie the seed decides.
    let c1: &[TaskState] = match c1_s.cmp(&patience_s) {
        std::cmp::Ordering::Less => &[TaskState::Completed],
        std::cmp::Ordering::Equal => &[TaskState::Completed, TaskState::Cancelled],
        std::cmp::Ordering::Greater => &[TaskState::Cancelled],
    };
    let expected: [&[TaskState]; 4] = [
        &[TaskState::Completed],
        &[TaskState::Completed],
        &[TaskState::Cancelled],
        c1,
    ];
    for (i, (name, want)) in CHAIN.iter().zip(expected).enumerate() {
        match sim.task_state(TaskId(i as u32 + 1)) {
            Some(got) if want.contains(&got) => {}
            got => return Err(format!("{name} ended {got:?}, expected {want:?}")),
        }
    }
    Ok(())
}

/// The program, with the parameters as `const`s.
fn program(params: &Params) -> String {
    format!(
        "{PROGRAM_HEAD}const PATIENCE_S: u64 = {};\nconst C1_S: u64 = {};\n\n{PROGRAM_MAIN}",
        params.get("patience_s").max(1),
        params.get("c1_s").max(1)
    )
}

const PROGRAM_HEAD: &str = "\
// The kill chain P0 -> P1(T) -> P2(T) -> C1: each task spawns and links the
// next; P1 and P2 trap exits. P2 hangs, and P1 kills it.

use std::future::pending;
use std::time::Duration;

use wakescope::{sleep, spawn};
use wakescope::supervision::{kill, recv_exit, spawn_link, trap_exit};

";

const PROGRAM_MAIN: &str = "\
async fn main() {
    let p0 = spawn(\"P0\", async move {
        let p1 = spawn_link(\"P1\", async move {
            trap_exit(true);
            let p2 = spawn_link(\"P2\", async move {
                trap_exit(true);
                let _c1 = spawn_link(\"C1\", sleep(Duration::from_secs(C1_S)));
                // P2 hangs: it traps every signal and never reads one.
                pending::<()>().await;
            });
            sleep(Duration::from_secs(PATIENCE_S)).await;
            if let Some(p2) = p2.id() {
                kill(p2);
            }
            // P2's exit (reason: killed) arrives as a message.
            let _p2_exit = recv_exit().await;
        });
        p1.await.expect(\"P1 finishes normally\");
    });
    p0.await.expect(\"P0 finishes normally\");
}
";
