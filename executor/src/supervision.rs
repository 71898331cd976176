//! Supervision: links, trapped exits and kill, after Erlang.
//!
//! The seed's "hard parts of concurrency": a task that fails should take its
//! collaborators down with it, unless one of them is a supervisor that wants
//! to hear about the failure and act. So:
//!
//! - [`link`] ties the current task to another: when either ends, the other
//!   gets an *exit signal* carrying the [`ExitReason`] (normal, error, killed).
//! - A task that does not trap exits dies from any signal but a normal one
//!   (recorded `ExitKilled`, then `Cancelled { cause: Killed }`), and its own
//!   end signals its links in turn.
//! - A task that calls [`trap_exit`]`(true)` gets signals as messages instead
//!   (`ExitTrapped`), read with [`recv_exit`].
//! - [`kill`] cannot be trapped: the target dies whatever it does. Without
//!   that, the seed's chain P0 → P1(T) → P2(T) → C1 could never be stopped: a
//!   trapping P2 that hangs would only turn every signal into a message.
//!
//! A task ends with reason `Normal` when its future completes, `Error` when
//! it panics or calls [`exit`]`(Error)`, and `Killed` when it is killed or
//! aborted.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::context::with_core;
use crate::join::JoinHandle;
use crate::task::TaskId;
use crate::trace::ExitReason;

pub use crate::core::ExitMessage;

fn current(what: &str) -> TaskId {
    crate::context::current_task()
        .unwrap_or_else(|| panic!("wakescope::supervision::{what}() must be called from inside a task's poll"))
}

/// Links the current task with `peer`: when either ends, the other gets an
/// exit signal. Linking to a task that already ended signals at once.
#[track_caller]
pub fn link(peer: TaskId) {
    let me = current("link");
    let at = Location::caller();
    with_core("supervision::link", |core| core.link(me, peer, at));
}

/// Spawns a task linked with the current one.
#[track_caller]
pub fn spawn_link<F>(name: &str, future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    let handle = crate::spawn(name, future);
    if let Some(task) = handle.id() {
        link(task);
    }
    handle
}

/// Makes the current task trap exit signals (receive them as messages) or not.
pub fn trap_exit(on: bool) {
    let me = current("trap_exit");
    with_core("supervision::trap_exit", |core| core.trap_exit(me, on));
}

/// Kills `task`: it dies whether or not it traps exits, with reason `Killed`,
/// and its links are signalled. Killing the current task ends it when its
/// poll returns.
#[track_caller]
pub fn kill(task: TaskId) {
    let by = crate::context::current_task();
    let at = Location::caller();
    with_core("supervision::kill", |core| core.kill(task, by, at));
}

/// Ends the current task with `reason`; its links are signalled. The future
/// never resolves: the task is cancelled as soon as its poll returns.
pub fn exit(reason: ExitReason) -> Exit {
    Exit { reason, done: false }
}

/// The future returned by [`exit`].
#[must_use = "exit does nothing unless awaited"]
pub struct Exit {
    reason: ExitReason,
    done: bool,
}

impl Future for Exit {
    type Output = std::convert::Infallible;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        if !self.done {
            self.done = true;
            let me = current("exit");
            let reason = self.reason;
            with_core("supervision::exit", |core| core.exit(me, reason));
        }
        Poll::Pending
    }
}

/// Waits for the next exit signal of a linked task (for a task that traps exits).
pub fn recv_exit() -> RecvExit {
    RecvExit { _private: () }
}

/// The future returned by [`recv_exit`].
#[must_use = "futures do nothing unless awaited"]
pub struct RecvExit {
    _private: (),
}

impl Future for RecvExit {
    type Output = ExitMessage;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ExitMessage> {
        let me = current("recv_exit");
        let at = Location::caller();
        with_core("supervision::recv_exit", |core| {
            let poll = core.poll_exit_message(me, cx.waker());
            if poll.is_pending() {
                core.waits_at(at);
            }
            poll
        })
    }
}
