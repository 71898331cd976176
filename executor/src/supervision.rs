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

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::context::with_core;
use crate::join::JoinHandle;
use crate::task::TaskId;
use crate::trace::{CancelCause, Event, ExitReason};

/// An exit signal delivered as a message to a task that traps exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitMessage {
    /// The linked task that ended.
    pub from: TaskId,
    /// Why it ended.
    pub reason: ExitReason,
}

#[derive(Default)]
struct Mailbox {
    messages: VecDeque<ExitMessage>,
    waker: Option<Waker>,
}

/// The simulation's supervision state.
#[derive(Default)]
pub(crate) struct Supervision {
    links: BTreeMap<TaskId, BTreeSet<TaskId>>,
    pub trapping: BTreeSet<TaskId>,
    mailboxes: BTreeMap<TaskId, Mailbox>,
    /// Reasons given to `exit`, by task.
    exit_reasons: BTreeMap<TaskId, ExitReason>,
    /// Tasks that ended with links, waiting for their signals to go out.
    pub pending: VecDeque<(TaskId, ExitReason)>,
}

impl Supervision {
    pub(crate) fn is_linked(&self, task: TaskId) -> bool {
        self.links.get(&task).is_some_and(|l| !l.is_empty())
    }

    fn link(&mut self, a: TaskId, b: TaskId) {
        self.links.entry(a).or_default().insert(b);
        self.links.entry(b).or_default().insert(a);
    }

    /// Removes every link of `task`; returns its peers in id order.
    pub(crate) fn unlink_all(&mut self, task: TaskId) -> Vec<TaskId> {
        let peers: Vec<TaskId> = self
            .links
            .remove(&task)
            .map(|l| l.into_iter().collect())
            .unwrap_or_default();
        for p in &peers {
            if let Some(l) = self.links.get_mut(p) {
                l.remove(&task);
            }
        }
        peers
    }

    /// Queues a message for a trapping task; returns its waker to wake.
    pub(crate) fn deliver(&mut self, to: TaskId, message: ExitMessage) -> Option<Waker> {
        let mailbox = self.mailboxes.entry(to).or_default();
        mailbox.messages.push_back(message);
        mailbox.waker.take()
    }

    pub(crate) fn exit_reason(&self, task: TaskId) -> ExitReason {
        self.exit_reasons.get(&task).copied().unwrap_or(ExitReason::Error)
    }
}

fn current(what: &str) -> TaskId {
    crate::context::current_task()
        .unwrap_or_else(|| panic!("wakescope::supervision::{what}() must be called from inside a task's poll"))
}

/// Links the current task with `peer`: when either ends, the other gets an
/// exit signal. Linking to a task that already ended signals at once.
pub fn link(peer: TaskId) {
    let me = current("link");
    with_core("supervision::link", |core| {
        {
            let mut guard = core.state.borrow_mut();
            let st = &mut *guard;
            let Some(slot) = st.tasks.get(peer.index()) else { return };
            if st.config.record_trace {
                st.trace.push(Event::Linked { task: me, peer });
            }
            if slot.state.is_finished() {
                // Like Erlang's `noproc`: the peer is gone, so its exit is news now.
                let reason = match slot.state {
                    crate::TaskState::Completed => ExitReason::Normal,
                    crate::TaskState::Panicked => ExitReason::Error,
                    _ => ExitReason::Killed,
                };
                st.supervision.links.entry(me).or_default().insert(peer);
                st.supervision.pending.push_back((peer, reason));
            } else {
                st.supervision.link(me, peer);
            }
        }
        core.settle_exits();
    });
}

/// Spawns a task linked with the current one.
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
    with_core("supervision::trap_exit", |core| {
        let mut st = core.state.borrow_mut();
        if on {
            st.supervision.trapping.insert(me);
        } else {
            st.supervision.trapping.remove(&me);
        }
    });
}

/// Kills `task`: it dies whether or not it traps exits, with reason `Killed`,
/// and its links are signalled. Killing the current task ends it when its
/// poll returns.
pub fn kill(task: TaskId) {
    let by = crate::context::current_task();
    with_core("supervision::kill", |core| {
        {
            let mut st = core.state.borrow_mut();
            let alive = st.tasks.get(task.index()).is_some_and(|s| !s.state.is_finished());
            if !alive {
                return;
            }
            if let (true, Some(by)) = (st.config.record_trace, by) {
                st.trace.push(Event::ExitKilled { task, from: by });
            }
        }
        core.cancel(task, CancelCause::Killed);
        core.settle_exits();
    });
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
            with_core("supervision::exit", |core| {
                core.state.borrow_mut().supervision.exit_reasons.insert(me, reason);
                core.cancel(me, CancelCause::Exited);
            });
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

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ExitMessage> {
        let me = current("recv_exit");
        with_core("supervision::recv_exit", |core| {
            let mut st = core.state.borrow_mut();
            let mailbox = st.supervision.mailboxes.entry(me).or_default();
            match mailbox.messages.pop_front() {
                Some(m) => Poll::Ready(m),
                None => {
                    mailbox.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
    }
}
