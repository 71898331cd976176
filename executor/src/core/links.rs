//! Supervision bookkeeping: links between tasks, which tasks trap exits,
//! their mailboxes, and the exit signals waiting to be delivered. The rules
//! (after Erlang) are described in `supervision.rs`, the task-facing API.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::panic::Location;
use std::task::{Poll, Waker};

use super::Core;
use crate::task::{TaskId, TaskState};
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

/// Links, trapped exits, mailboxes and pending exit signals.
#[derive(Default)]
pub(crate) struct Links {
    links: BTreeMap<TaskId, BTreeSet<TaskId>>,
    trapping: BTreeSet<TaskId>,
    mailboxes: BTreeMap<TaskId, Mailbox>,
    /// Reasons given to `exit`, for the exit signal.
    exit_reasons: BTreeMap<TaskId, ExitReason>,
    /// Exit signals of ended tasks, to be delivered by `Core::settle_exits`.
    pending: VecDeque<(TaskId, ExitReason)>,
}

impl Links {
    pub(crate) fn is_linked(&self, task: TaskId) -> bool {
        self.links.get(&task).is_some_and(|l| !l.is_empty())
    }

    fn link(&mut self, a: TaskId, b: TaskId) {
        self.links.entry(a).or_default().insert(b);
        self.links.entry(b).or_default().insert(a);
    }

    /// Removes every link of `task` and returns its peers.
    fn unlink_all(&mut self, task: TaskId) -> Vec<TaskId> {
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

    fn deliver(&mut self, to: TaskId, message: ExitMessage) -> Option<Waker> {
        let mailbox = self.mailboxes.entry(to).or_default();
        mailbox.messages.push_back(message);
        mailbox.waker.take()
    }

    /// The reason a task that ended through `exit` gave (`Error` if none).
    pub(crate) fn exit_reason(&self, task: TaskId) -> ExitReason {
        self.exit_reasons.get(&task).copied().unwrap_or(ExitReason::Error)
    }

    /// Queues the exit signal of a linked task that ended.
    pub(crate) fn ended(&mut self, task: TaskId, reason: ExitReason) {
        self.pending.push_back((task, reason));
    }
}

impl Core {
    /// Links `me` and `peer`; a finished peer's exit is news at once.
    pub(crate) fn link(&self, me: TaskId, peer: TaskId, at: &'static Location<'static>) {
        {
            let mut guard = self.state.borrow_mut();
            let st = &mut *guard;
            let Some(peer_state) = st.tasks.get(peer.index()).map(|slot| slot.state()) else {
                return;
            };
            let site = st.site(Some(at));
            st.record_at(Event::Linked { task: me, peer }, site);
            if peer_state.is_finished() {
                // Like Erlang's `noproc`: the peer is gone, so its exit is news now.
                let reason = match peer_state {
                    TaskState::Completed => ExitReason::Normal,
                    TaskState::Panicked => ExitReason::Error,
                    _ => ExitReason::Killed,
                };
                st.links.links.entry(me).or_default().insert(peer);
                st.links.pending.push_back((peer, reason));
            } else {
                st.links.link(me, peer);
            }
        }
        self.settle_exits();
    }

    pub(crate) fn trap_exit(&self, me: TaskId, on: bool) {
        let mut st = self.state.borrow_mut();
        if on {
            st.links.trapping.insert(me);
        } else {
            st.links.trapping.remove(&me);
        }
    }

    /// Kills `task` (untrappable), recorded as by `by` when a task did it.
    pub(crate) fn kill(&self, task: TaskId, by: Option<TaskId>, at: &'static Location<'static>) {
        {
            let mut st = self.state.borrow_mut();
            let alive = st.tasks.get(task.index()).is_some_and(|s| !s.is_finished());
            if !alive {
                return;
            }
            if let Some(by) = by {
                let site = st.site(Some(at));
                st.record_at(Event::ExitKilled { task, from: by }, site);
            }
        }
        self.cancel(task, CancelCause::Killed);
        self.settle_exits();
    }

    /// Ends `me` with `reason` for its links.
    pub(crate) fn exit(&self, me: TaskId, reason: ExitReason) {
        self.state.borrow_mut().links.exit_reasons.insert(me, reason);
        self.cancel(me, CancelCause::Exited);
    }

    /// The next exit message for `me`, or registers `waker` for it.
    pub(crate) fn poll_exit_message(&self, me: TaskId, waker: &Waker) -> Poll<ExitMessage> {
        let mut st = self.state.borrow_mut();
        let mailbox = st.links.mailboxes.entry(me).or_default();
        match mailbox.messages.pop_front() {
            Some(m) => Poll::Ready(m),
            None => {
                mailbox.waker = Some(waker.clone());
                Poll::Pending
            }
        }
    }

    /// Delivers the exit signals of tasks that ended, after Erlang: a linked
    /// task that traps exits gets a message; one that does not is killed
    /// unless the exit was normal — and its own end signals its links in turn.
    pub(crate) fn settle_exits(&self) {
        loop {
            let (kills, wakers) = {
                let mut guard = self.state.borrow_mut();
                let st = &mut *guard;
                let Some((task, reason)) = st.links.pending.pop_front() else {
                    return;
                };
                st.record(Event::Exited { task, reason });
                let peers = st.links.unlink_all(task);
                let mut kills = Vec::new();
                let mut wakers = Vec::new();
                for peer in peers {
                    if st.tasks[peer.index()].is_finished() {
                        continue;
                    }
                    if st.links.trapping.contains(&peer) {
                        st.record(Event::ExitTrapped { task: peer, from: task });
                        // A supervisor got the news: the panic, if it was one, is handled.
                        if let Some(p) = st.panics.get_mut(&task) {
                            p.handled = true;
                        }
                        wakers.extend(st.links.deliver(peer, ExitMessage { from: task, reason }));
                    } else if reason != ExitReason::Normal {
                        st.record(Event::ExitKilled { task: peer, from: task });
                        kills.push(peer);
                    }
                }
                (kills, wakers)
            };
            wakers.into_iter().for_each(Waker::wake);
            for peer in kills {
                self.cancel(peer, CancelCause::Killed);
            }
        }
    }
}
