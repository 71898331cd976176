//! Resources: channels, oneshots, mutexes, semaphores and notify points, as
//! the trace shows them at a step.
//!
//! Each [`ResourceView`] is folded from `ResourceCreated` and
//! `Resource { resource, task, op }` events alone:
//! - holders: `Lock` / `Acquire` add the task, `Unlock` / `Release` remove it
//!   (a fair release records `Unlock` by the holder, then `Lock` / `Acquire`
//!   for the waiter it hands to, so the hand-over needs no special case);
//! - waiters, in arrival order: a `BlockedOn*` op adds the task once; the
//!   op that serves it (`Send`, `Recv`, `Lock`, `Acquire`) or `GaveUp`
//!   removes it; `Notify` serves the first waiter (the trace does not say
//!   whether `notify_waiters` served more; they leave when they give up);
//!   a condition variable's `NotifyAll` serves every task waiting on it;
//! - the buffer: `Send` adds a message, `Recv` takes one;
//! - `Closed` marks the resource closed and releases receivers waiting on
//!   an empty buffer (they wake to `None`).
//!
//! Mailboxes (supervision) are resources in the trace but not shown here:
//! their story is told by the exit events.
//!
//! Invariants: a task is at most once among the waiters; the buffer never
//! goes below zero (a `Recv` on an empty buffer is ignored, not wrapped).

use std::collections::VecDeque;

use crate::task::TaskId;
use crate::trace::{ResourceId, ResourceKind, ResourceOp, Trace};

/// One resource's state at a step.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceView {
    /// Its id.
    pub resource: ResourceId,
    /// Tasks holding it: a mutex's owner, a semaphore's permit holders (a task
    /// holding two permits is listed twice).
    pub holders: Vec<TaskId>,
    /// Tasks waiting on it, in arrival order, with what they wait for.
    pub waiters: VecDeque<(TaskId, ResourceOp)>,
    /// Messages in a channel's (or oneshot's) buffer.
    pub buffered: u32,
    /// Messages sent so far.
    pub sent: u32,
    /// Notifications sent so far (notify points and condition variables).
    pub notified: u32,
    /// The last sender or the receiver is gone (or the semaphore was closed).
    pub closed: bool,
}

impl ResourceView {
    /// A resource just created: nothing held, nobody waiting, an empty buffer.
    pub fn new(resource: ResourceId) -> ResourceView {
        ResourceView {
            resource,
            holders: Vec::new(),
            waiters: VecDeque::new(),
            buffered: 0,
            sent: 0,
            notified: 0,
            closed: false,
        }
    }

    /// Applies one operation by `task` (`None`: from outside the run).
    pub fn apply(&mut self, task: Option<TaskId>, op: ResourceOp) {
        match op {
            ResourceOp::Send => {
                self.buffered = self.buffered.saturating_add(1);
                self.sent = self.sent.saturating_add(1);
                self.leave(task);
            }
            ResourceOp::Recv => {
                self.buffered = self.buffered.saturating_sub(1);
                self.leave(task);
            }
            ResourceOp::Lock | ResourceOp::Acquire => {
                if let Some(t) = task {
                    self.holders.push(t);
                }
                self.leave(task);
            }
            ResourceOp::Unlock | ResourceOp::Release => {
                if let Some(t) = task
                    && let Some(i) = self.holders.iter().position(|h| *h == t)
                {
                    self.holders.remove(i);
                }
            }
            ResourceOp::BlockedOnFull
            | ResourceOp::BlockedOnEmpty
            | ResourceOp::BlockedOnLock
            | ResourceOp::BlockedOnPermit
            | ResourceOp::BlockedOnNotify
            | ResourceOp::BlockedOnCondvar => {
                if let Some(t) = task
                    && !self.waiters.iter().any(|(w, _)| *w == t)
                {
                    self.waiters.push_back((t, op));
                }
            }
            ResourceOp::Notify => {
                self.notified = self.notified.saturating_add(1);
                self.waiters.pop_front();
            }
            ResourceOp::NotifyAll => {
                self.notified = self.notified.saturating_add(1);
                self.waiters.retain(|(_, op)| *op != ResourceOp::BlockedOnCondvar);
            }
            ResourceOp::GaveUp => self.leave(task),
            ResourceOp::Closed => {
                self.closed = true;
                self.waiters.retain(|(_, op)| *op != ResourceOp::BlockedOnEmpty);
            }
        }
    }

    /// `task` stops waiting (it was served or gave up).
    fn leave(&mut self, task: Option<TaskId>) {
        if let Some(t) = task {
            self.waiters.retain(|(w, _)| *w != t);
        }
    }

    /// The task waiting on this resource longest, if any.
    pub fn first_waiter(&self) -> Option<TaskId> {
        self.waiters.front().map(|(t, _)| *t)
    }
}

/// True for the kinds the resources panel shows (every kind but mailboxes).
pub fn is_shown(kind: ResourceKind) -> bool {
    kind != ResourceKind::Mailbox
}

/// The buffer or permits in a few words: `2 / 4 messages`, `1 of 3 permits free`.
pub fn buffer_text(view: &ResourceView, kind: ResourceKind, capacity: u32) -> String {
    match kind {
        ResourceKind::Channel | ResourceKind::Mailbox => format!("{} / {capacity} messages", view.buffered),
        ResourceKind::Oneshot => {
            if view.buffered > 0 {
                "value sent, not yet received".into()
            } else {
                "empty".into()
            }
        }
        ResourceKind::Semaphore => {
            let free = capacity.saturating_sub(view.holders.len() as u32);
            format!("{free} of {capacity} permits free")
        }
        ResourceKind::FairMutex | ResourceKind::UnfairMutex => {
            if view.holders.is_empty() {
                "unlocked".into()
            } else {
                "locked".into()
            }
        }
        ResourceKind::Notify | ResourceKind::Condvar => format!("{} notifications sent", view.notified),
    }
}

/// The resource's kind, name and capacity from the trace's side table.
pub fn info(trace: &Trace, resource: ResourceId) -> (ResourceKind, String, u32) {
    match trace.resource(resource) {
        Some(i) => (i.kind, i.name.to_string(), i.capacity),
        None => (ResourceKind::Channel, format!("resource {}", resource.0), 0),
    }
}
