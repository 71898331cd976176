//! Wait-for bookkeeping: what each blocked task waits on, who holds each
//! lock, permit and channel end, and which task each task joins — and the
//! deadlock report built from it.

use std::collections::BTreeMap;

use super::State;
use crate::outcome::{BlockedTask, Deadlock, WaitingOn, find_cycles};
use crate::task::TaskId;
use crate::trace::{ResourceId, ResourceOp};

/// One end of a channel or oneshot: which task holds it decides whom a
/// blocked peer waits for (see [`Ends`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// A sending end, numbered in the channel (clones get new numbers).
    Sender(u32),
    /// The receiving end.
    Receiver,
}

/// Who holds the ends of a channel or oneshot, for the wait-for graph: a
/// task blocked on a full channel waits for the receiving end's holder, one
/// blocked on an empty channel for the holders of the sending ends.
///
/// An end's holder is the task that created it (or cloned it, for a sender),
/// then the last task that operated on it — sent, received, waited or gave
/// up. That is deterministic and names the task whose future owns the end
/// as soon as that task uses it. An end made outside any task has no holder
/// until a task operates on it; operations from outside leave it as it is.
#[derive(Clone, Debug, Default)]
struct Ends {
    /// Each live sending end, by its number in the channel, and its holder.
    senders: BTreeMap<u32, Option<TaskId>>,
    /// The receiving end's holder.
    receiver: Option<TaskId>,
}

impl Ends {
    /// Records that `task` (when in a task) holds `end`.
    fn hold(&mut self, end: End, task: Option<TaskId>) {
        match end {
            End::Sender(n) => {
                let holder = self.senders.entry(n).or_insert(None);
                if task.is_some() {
                    *holder = task;
                }
            }
            End::Receiver => {
                if task.is_some() {
                    self.receiver = task;
                }
            }
        }
    }

    /// Forgets a dropped end.
    fn release(&mut self, end: End) {
        match end {
            End::Sender(n) => {
                self.senders.remove(&n);
            }
            End::Receiver => self.receiver = None,
        }
    }
}

/// The wait-for graph's raw material, kept up to date by resource operations.
#[derive(Default)]
pub(crate) struct WaitFor {
    /// What each blocked task last said it waits on.
    waiting_on: BTreeMap<TaskId, (ResourceId, ResourceOp)>,
    /// Who holds each lock or permit, by resource.
    holders: BTreeMap<ResourceId, Vec<TaskId>>,
    /// Who holds the ends of each channel and oneshot.
    channel_ends: BTreeMap<ResourceId, Ends>,
    /// The task each task awaits through a `JoinHandle`, as of its last poll.
    join_waits: BTreeMap<TaskId, TaskId>,
}

impl WaitFor {
    /// An operation on `resource` by `task` (if in a task), through `end` for
    /// a channel or oneshot.
    pub(crate) fn operated(&mut self, resource: ResourceId, op: ResourceOp, task: Option<TaskId>, end: Option<End>) {
        if let Some(end) = end {
            self.channel_ends.entry(resource).or_default().hold(end, task);
        }
        let Some(task) = task else { return };
        match op {
            ResourceOp::BlockedOnFull
            | ResourceOp::BlockedOnEmpty
            | ResourceOp::BlockedOnLock
            | ResourceOp::BlockedOnPermit
            | ResourceOp::BlockedOnNotify
            | ResourceOp::BlockedOnCondvar => {
                self.waiting_on.insert(task, (resource, op));
            }
            _ => self.stop_waiting(task, resource),
        }
        match op {
            ResourceOp::Lock | ResourceOp::Acquire => self.holders.entry(resource).or_default().push(task),
            ResourceOp::Unlock | ResourceOp::Release => {
                if let Some(h) = self.holders.get_mut(&resource) {
                    if let Some(i) = h.iter().position(|t| *t == task) {
                        h.remove(i);
                    } else {
                        h.pop();
                    }
                }
            }
            _ => {}
        }
    }

    /// A lock or permit of `resource` handed straight to `to` on release.
    pub(crate) fn handed_over(&mut self, resource: ResourceId, to: TaskId) {
        self.holders.entry(resource).or_default().push(to);
        self.stop_waiting(to, resource);
    }

    fn stop_waiting(&mut self, task: TaskId, resource: ResourceId) {
        if self.waiting_on.get(&task).is_some_and(|(r, _)| *r == resource) {
            self.waiting_on.remove(&task);
        }
    }

    /// `task` (if in a task) holds `end` of `resource`: it created or cloned it.
    pub(crate) fn hold_end(&mut self, resource: ResourceId, end: End, task: Option<TaskId>) {
        self.channel_ends.entry(resource).or_default().hold(end, task);
    }

    /// A dropped channel end.
    pub(crate) fn release_end(&mut self, resource: ResourceId, end: End) {
        if let Some(ends) = self.channel_ends.get_mut(&resource) {
            ends.release(end);
        }
    }

    /// `waiter` awaits `task`'s `JoinHandle`.
    pub(crate) fn joins(&mut self, waiter: TaskId, task: TaskId) {
        self.join_waits.insert(waiter, task);
    }

    /// `task` is being polled: what it waited on is no longer known.
    pub(crate) fn polled(&mut self, task: TaskId) {
        self.join_waits.remove(&task);
    }

    /// `task` finished: it waits on nothing.
    pub(crate) fn finished(&mut self, task: TaskId) {
        self.waiting_on.remove(&task);
    }
}

impl State {
    /// The unfinished tasks and the wait-for graph between them, for a deadlock report.
    pub(super) fn deadlock(&self) -> Deadlock {
        let graph = &self.wait_for;
        let alive = |t: &TaskId| self.tasks.get(t.index()).is_some_and(|s| !s.is_finished());
        let blocked: Vec<BlockedTask> = self
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, slot)| !slot.is_finished())
            .map(|(i, slot)| {
                let task = TaskId(i as u32);
                let waiting_on = graph.waiting_on.get(&task).map(|&(resource, op)| {
                    let (kind, name) = self.resources[resource.index()];
                    WaitingOn {
                        resource,
                        kind,
                        name: self.names.get(name).to_string(),
                        op,
                        holders: graph.holders.get(&resource).cloned().unwrap_or_default(),
                    }
                });
                let joining = graph.join_waits.get(&task).copied();
                let mut waits_for: Vec<TaskId> = match &waiting_on {
                    Some(w) => match w.op {
                        ResourceOp::BlockedOnLock | ResourceOp::BlockedOnPermit => w.holders.clone(),
                        ResourceOp::BlockedOnFull => graph
                            .channel_ends
                            .get(&w.resource)
                            .and_then(|e| e.receiver)
                            .into_iter()
                            .collect(),
                        ResourceOp::BlockedOnEmpty => graph
                            .channel_ends
                            .get(&w.resource)
                            .map(|e| e.senders.values().flatten().copied().collect())
                            .unwrap_or_default(),
                        _ => Vec::new(),
                    },
                    None => joining.into_iter().collect(),
                };
                waits_for.retain(|t| *t != task && alive(t));
                waits_for.sort_unstable();
                waits_for.dedup();
                let site = self.waits_at.get(i).copied().unwrap_or(super::NO_SITE);
                BlockedTask {
                    task,
                    name: self.names.get(slot.name()).to_string(),
                    waits_at: (site != super::NO_SITE)
                        .then(|| self.trace.site_by_id(crate::trace::SiteId(site)).cloned())
                        .flatten(),
                    waiting_on,
                    joining,
                    waits_for,
                }
            })
            .collect();
        let cycles = find_cycles(&blocked);
        Deadlock { blocked, cycles }
    }
}
