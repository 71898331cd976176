//! The shared state of one simulation.
//!
//! [`crate::Sim`] owns a `Rc<Core>`; while it runs a step it also publishes the
//! core in a thread-local ([`crate::context`]) so that code inside tasks —
//! `sleep`, `spawn`, `JoinHandle`s — can reach it. All mutable state sits in
//! one `RefCell`, and the executor never holds that borrow while user code
//! runs (a poll, a destructor, a foreign waker), so user code can always call
//! back into the simulation.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use std::task::Waker;

use crate::clock::Clock;
use crate::config::{Config, TASKS_MAX_CAP};
use crate::join::JoinHandle;
use crate::outcome::{BlockedTask, CheckFailure, Deadlock, Limit, TaskPanic, WaitingOn};
use crate::rng::{FAULT_STREAM, SCHEDULER_STREAM, SELECT_STREAM, SeededRng, USER_STREAM};
use crate::scheduler::Scheduler;
use crate::supervision::{ExitMessage, Supervision};
use crate::sync::End;
use crate::task::{ErasedTask, TaskCell, TaskId, TaskSlot, TaskState};
use crate::timer::Timers;
use crate::trace::{CancelCause, Event, ExitReason, ResourceId, ResourceKind, ResourceOp, Trace, TraceHeader};
use crate::waker::{Wake, WakeSource, Wakers};

/// Interned task names: ids in first-seen order.
#[derive(Default)]
pub(crate) struct Names {
    ids: BTreeMap<Box<str>, u32>,
    list: Vec<Box<str>>,
    /// The last name looked up, to skip the map for a run of same-named spawns.
    last: Option<u32>,
}

impl Names {
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.last
            && &*self.list[id as usize] == name
        {
            return id;
        }
        let id = match self.ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.list.len() as u32;
                self.ids.insert(name.into(), id);
                self.list.push(name.into());
                id
            }
        };
        self.last = Some(id);
        id
    }

    pub(crate) fn get(&self, id: u32) -> &str {
        &self.list[id as usize]
    }
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
pub(crate) struct Ends {
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

/// A task's panic, and whether anything handled it.
#[derive(Clone, Debug)]
pub(crate) struct PanicRecord {
    pub message: String,
    /// The step whose poll panicked.
    pub step: u64,
    /// Its `JoinError` reached an awaiting task, or a linked task trapped its exit.
    pub handled: bool,
}

/// Everything that changes during a run.
pub(crate) struct State {
    pub config: Config,
    pub clock: Clock,
    pub tasks: Vec<TaskSlot>,
    /// Tasks not yet finished.
    pub live: u32,
    pub scheduler: Scheduler,
    pub timers: Timers,
    pub wakers: Wakers,
    pub trace: Trace,
    pub names: Names,
    pub user_rng: SeededRng,
    /// The task being polled, if any.
    pub current: Option<TaskId>,
    /// Steps taken.
    pub steps: u64,
    /// A limit hit by a spawn or a timer; it ends the run at the next step.
    pub limit_hit: Option<Limit>,
    /// An `Ended` event was recorded and nothing has happened since.
    pub ended: bool,
    /// Wakers of tasks awaiting a `JoinHandle`, by the awaited task.
    pub join_wakers: BTreeMap<TaskId, Waker>,
    /// Why cancelled tasks were cancelled, for their `JoinError`.
    pub cancel_causes: BTreeMap<TaskId, CancelCause>,
    /// Panics of tasks, for their `JoinError` and the run's outcome.
    pub panics: BTreeMap<TaskId, PanicRecord>,
    /// Scratch buffer for draining the wake inbox.
    pub wake_buf: Vec<Wake>,
    /// Links, trapped exits and mailboxes.
    pub supervision: Supervision,
    /// Instrumented resources: kind and interned name, by id.
    pub resources: Vec<(ResourceKind, u32)>,
    /// What each blocked task last said it waits on.
    pub waiting_on: BTreeMap<TaskId, (ResourceId, ResourceOp)>,
    /// Who holds each lock or permit, by resource.
    pub holders: BTreeMap<ResourceId, Vec<TaskId>>,
    /// Who holds the ends of each channel and oneshot (see [`Ends`]).
    pub channel_ends: BTreeMap<ResourceId, Ends>,
    /// The task each task awaits through a `JoinHandle`, as of its last poll.
    pub join_waits: BTreeMap<TaskId, TaskId>,
    /// Virtual time at which the current poll started.
    pub poll_started_ns: u64,
    /// Draws for injected faults: their own stream, so enabling one fault
    /// does not reshuffle every other random choice.
    pub fault_rng: SeededRng,
    /// Draws for which branch a `select` polls first: their own stream, so
    /// user code drawing one more number does not change the order.
    pub select_rng: SeededRng,
    /// A failed invariant check; it ends the run at the next step.
    pub check_failed: Option<CheckFailure>,
    /// The pool of CPU workers, when `Config::workers` > 1 and work was done.
    pub cpu_pool: Option<Rc<crate::sync::Semaphore>>,
}

impl State {
    /// True with probability `ppm` parts per million, drawn from the fault stream.
    pub(crate) fn fault_hits(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.fault_rng.below(crate::config::PPM) < ppm
    }

    /// The first panic (by step) that nothing handled, as an outcome.
    pub(crate) fn unhandled_panic(&self) -> Option<TaskPanic> {
        let (task, record) = self
            .panics
            .iter()
            .filter(|(_, p)| !p.handled)
            .min_by_key(|(t, p)| (p.step, **t))?;
        Some(TaskPanic {
            task: *task,
            name: self.names.get(self.tasks[task.index()].name).to_string(),
            message: record.message.clone(),
            seed: self.config.seed,
            step: record.step,
        })
    }

    /// Records a failed check; the run ends at the next step. Only the first counts.
    pub(crate) fn fail_check(&mut self, message: String) {
        if self.check_failed.is_some() {
            return;
        }
        let task = self.current;
        if self.config.record_trace {
            self.trace.record_check(task, &message);
        }
        self.check_failed = Some(CheckFailure {
            message,
            seed: self.config.seed,
            step: self.steps,
            task,
        });
    }

    /// Records a wake of `task` and queues it if it was idle.
    pub(crate) fn wake(&mut self, task: TaskId, source: WakeSource) {
        let Some(slot) = self.tasks.get_mut(task.index()) else {
            return;
        };
        if slot.state.is_finished() {
            return;
        }
        if self.config.record_trace {
            self.trace.push(Event::Woken { task, source });
        }
        if slot.state == TaskState::Idle {
            slot.state = TaskState::Scheduled;
            self.scheduler.push(task);
        }
        self.ended = false;
    }

    /// Marks a task finished and hands back the waker of whoever awaits it.
    pub(crate) fn retire(&mut self, task: TaskId, state: TaskState) -> Option<Waker> {
        debug_assert!(state.is_finished());
        let slot = &mut self.tasks[task.index()];
        assert!(!slot.state.is_finished(), "task {task} finished twice");
        slot.state = state;
        self.live -= 1;
        self.waiting_on.remove(&task);
        if self.supervision.is_linked(task) {
            let reason = match state {
                TaskState::Completed => Some(ExitReason::Normal),
                TaskState::Panicked => Some(ExitReason::Error),
                _ => match self.cancel_causes.get(&task) {
                    Some(CancelCause::Shutdown) => None,
                    Some(CancelCause::Exited) => Some(self.supervision.exit_reason(task)),
                    _ => Some(ExitReason::Killed),
                },
            };
            if let Some(reason) = reason {
                self.supervision.pending.push_back((task, reason));
            }
        }
        let slot = &mut self.tasks[task.index()];
        if slot.joined {
            slot.joined = false;
            self.join_wakers.remove(&task)
        } else {
            None
        }
    }
}

/// One simulation's state.
pub(crate) struct Core {
    pub state: RefCell<State>,
}

impl Core {
    pub(crate) fn new(config: Config) -> Rc<Core> {
        let header = TraceHeader {
            seed: config.seed,
            policy: config.policy.to_string(),
            ..TraceHeader::default()
        };
        let state = State {
            config,
            clock: Clock::default(),
            tasks: Vec::new(),
            live: 0,
            scheduler: Scheduler::new(config.policy, SeededRng::new(config.seed, SCHEDULER_STREAM)),
            timers: Timers::default(),
            wakers: Wakers::new(),
            trace: Trace::new(header),
            names: Names::default(),
            user_rng: SeededRng::new(config.seed, USER_STREAM),
            current: None,
            steps: 0,
            limit_hit: None,
            ended: false,
            join_wakers: BTreeMap::new(),
            cancel_causes: BTreeMap::new(),
            panics: BTreeMap::new(),
            wake_buf: Vec::new(),
            supervision: Supervision::default(),
            resources: Vec::new(),
            waiting_on: BTreeMap::new(),
            holders: BTreeMap::new(),
            channel_ends: BTreeMap::new(),
            join_waits: BTreeMap::new(),
            poll_started_ns: 0,
            cpu_pool: None,
            fault_rng: SeededRng::new(config.seed, FAULT_STREAM),
            select_rng: SeededRng::new(config.seed, SELECT_STREAM),
            check_failed: None,
        };
        Rc::new(Core {
            state: RefCell::new(state),
        })
    }

    /// Creates a task and queues it. Over the task limit, the future is
    /// dropped, the handle resolves to [`crate::JoinError::NotSpawned`], and
    /// the run ends with [`Limit::Tasks`] at the next step.
    pub(crate) fn spawn<F>(self: &Rc<Core>, name: &str, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let tasks_max = st.config.limits.tasks_max.min(TASKS_MAX_CAP);
        if st.tasks.len() as u32 >= tasks_max {
            st.limit_hit.get_or_insert(Limit::Tasks(tasks_max));
            drop(guard);
            drop(future);
            return JoinHandle::not_spawned(Rc::downgrade(self));
        }
        let id = TaskId(st.tasks.len() as u32);
        let name_id = st.names.intern(name);
        st.wakers.ensure(id);
        st.tasks.push(TaskSlot::new(TaskCell::boxed(future), name_id));
        st.live += 1;
        st.scheduler.push(id);
        st.ended = false;
        if st.config.record_trace {
            let parent = st.current;
            st.trace.record_spawn(id, name_id, name, parent);
        }
        JoinHandle::new(Rc::downgrade(self), id)
    }

    /// Records the wakes waiting in the inbox and queues the idle tasks they name.
    pub(crate) fn drain_wakes(&self) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let mut wakes = std::mem::take(&mut st.wake_buf);
        if st.wakers.drain_into(&mut wakes) {
            for wake in wakes.drain(..) {
                st.wake(wake.task, wake.source);
            }
        }
        st.wake_buf = wakes;
    }

    /// Cancels a task (see [`JoinHandle::abort`]) and settles the exit
    /// signals that follows from it.
    pub(crate) fn abort(&self, task: TaskId) {
        self.cancel(task, CancelCause::Aborted);
        self.settle_exits();
    }

    /// Cancels a task: its future is dropped now, or — if it is the task
    /// being polled — as soon as its poll returns. A finished task is left as
    /// it is. Exit signals to linked tasks are queued for [`Core::settle_exits`].
    pub(crate) fn cancel(&self, task: TaskId, cause: CancelCause) {
        let (cell, join_waker) = {
            let mut guard = self.state.borrow_mut();
            let st = &mut *guard;
            let Some(slot) = st.tasks.get_mut(task.index()) else {
                return;
            };
            match slot.state {
                s if s.is_finished() => return,
                TaskState::Running => {
                    if !slot.abort_requested {
                        slot.abort_requested = true;
                        st.cancel_causes.insert(task, cause);
                    }
                    return;
                }
                TaskState::Scheduled => {
                    let removed = st.scheduler.remove(task);
                    assert!(removed, "a scheduled task is in the ready queue");
                }
                _ => {}
            }
            if st.config.record_trace {
                st.trace.push(Event::Cancelled { task, cause });
            }
            st.cancel_causes.insert(task, cause);
            let join_waker = st.retire(task, TaskState::Cancelled);
            (st.tasks[task.index()].cell.take(), join_waker)
        };
        self.drop_future(task, cell);
        if let Some(w) = join_waker {
            w.wake();
        }
    }

    /// Delivers the exit signals of tasks that ended, after Erlang: a linked
    /// task that traps exits gets a message; one that does not is killed
    /// unless the exit was normal — and its own end signals its links in turn.
    pub(crate) fn settle_exits(&self) {
        loop {
            let signals = {
                let mut guard = self.state.borrow_mut();
                let st = &mut *guard;
                let Some((task, reason)) = st.supervision.pending.pop_front() else {
                    return;
                };
                if st.config.record_trace {
                    st.trace.push(Event::Exited { task, reason });
                }
                let peers = st.supervision.unlink_all(task);
                let mut kills = Vec::new();
                let mut wakers = Vec::new();
                for peer in peers {
                    if st.tasks[peer.index()].state.is_finished() {
                        continue;
                    }
                    if st.supervision.trapping.contains(&peer) {
                        if st.config.record_trace {
                            st.trace.push(Event::ExitTrapped { task: peer, from: task });
                        }
                        // A supervisor got the news: the panic, if it was one, is handled.
                        if let Some(p) = st.panics.get_mut(&task) {
                            p.handled = true;
                        }
                        wakers.extend(st.supervision.deliver(peer, ExitMessage { from: task, reason }));
                    } else if reason != ExitReason::Normal {
                        if st.config.record_trace {
                            st.trace.push(Event::ExitKilled { task: peer, from: task });
                        }
                        kills.push(peer);
                    }
                }
                (kills, wakers)
            };
            let (kills, wakers) = signals;
            wakers.into_iter().for_each(Waker::wake);
            for peer in kills {
                self.cancel(peer, CancelCause::Killed);
            }
        }
    }

    /// Drops a finished task's future (outside the borrow: destructors are
    /// user code) and keeps the cell for the `JoinHandle`, unless detached.
    pub(crate) fn drop_future(&self, task: TaskId, cell: Option<Box<dyn ErasedTask>>) {
        let Some(mut cell) = cell else { return };
        cell.drop_future();
        self.keep_output(task, cell);
    }

    /// Puts a finished task's cell back for its `JoinHandle`, or drops it
    /// (outside the borrow: the output's destructor is user code) if detached.
    pub(crate) fn keep_output(&self, task: TaskId, cell: Box<dyn ErasedTask>) {
        let mut st = self.state.borrow_mut();
        let slot = &mut st.tasks[task.index()];
        if !slot.detached {
            slot.cell = Some(cell);
            return;
        }
        drop(st);
        drop(cell);
    }

    /// The unfinished tasks and the wait-for graph between them, for a deadlock report.
    pub(crate) fn deadlock(st: &State) -> Deadlock {
        let alive = |t: &TaskId| st.tasks.get(t.index()).is_some_and(|s| !s.state.is_finished());
        let blocked: Vec<BlockedTask> = st
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, slot)| !slot.state.is_finished())
            .map(|(i, slot)| {
                let task = TaskId(i as u32);
                let waiting_on = st.waiting_on.get(&task).map(|&(resource, op)| {
                    let (kind, name) = st.resources[resource.index()];
                    WaitingOn {
                        resource,
                        kind,
                        name: st.names.get(name).to_string(),
                        op,
                        holders: st.holders.get(&resource).cloned().unwrap_or_default(),
                    }
                });
                let joining = st.join_waits.get(&task).copied();
                let mut waits_for: Vec<TaskId> = match &waiting_on {
                    Some(w) => match w.op {
                        ResourceOp::BlockedOnLock | ResourceOp::BlockedOnPermit => w.holders.clone(),
                        ResourceOp::BlockedOnFull => st
                            .channel_ends
                            .get(&w.resource)
                            .and_then(|e| e.receiver)
                            .into_iter()
                            .collect(),
                        ResourceOp::BlockedOnEmpty => st
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
                BlockedTask {
                    task,
                    name: st.names.get(slot.name).to_string(),
                    waiting_on,
                    joining,
                    waits_for,
                }
            })
            .collect();
        let cycles = crate::outcome::find_cycles(&blocked);
        Deadlock { blocked, cycles }
    }

    /// Registers a resource and returns its id.
    pub(crate) fn create_resource(&self, kind: ResourceKind, name: &str, capacity: u32) -> ResourceId {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let id = ResourceId(st.resources.len() as u32);
        let name_id = st.names.intern(name);
        st.resources.push((kind, name_id));
        if st.config.record_trace {
            st.trace.record_resource(id, kind, name_id, name, capacity);
        }
        id
    }

    /// Records an operation on a resource by the current task — through
    /// `end`, for a channel or oneshot — and keeps the wait-for bookkeeping
    /// (who waits on what, who holds what) up to date.
    pub(crate) fn resource_op(&self, resource: ResourceId, op: ResourceOp, end: Option<End>) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let task = st.current;
        if st.config.record_trace {
            st.trace.push(Event::Resource { resource, task, op });
        }
        if let Some(end) = end {
            st.channel_ends.entry(resource).or_default().hold(end, task);
        }
        let Some(task) = task else { return };
        match op {
            ResourceOp::BlockedOnFull
            | ResourceOp::BlockedOnEmpty
            | ResourceOp::BlockedOnLock
            | ResourceOp::BlockedOnPermit
            | ResourceOp::BlockedOnNotify => {
                st.waiting_on.insert(task, (resource, op));
            }
            _ => {
                if st.waiting_on.get(&task).is_some_and(|(r, _)| *r == resource) {
                    st.waiting_on.remove(&task);
                }
            }
        }
        match op {
            ResourceOp::Lock | ResourceOp::Acquire => st.holders.entry(resource).or_default().push(task),
            ResourceOp::Unlock | ResourceOp::Release => {
                if let Some(h) = st.holders.get_mut(&resource) {
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

    /// Records that the current task (if any) holds `end` of `resource`: it
    /// created or cloned it. Not a trace event.
    pub(crate) fn hold_end(&self, resource: ResourceId, end: End) {
        let mut st = self.state.borrow_mut();
        let task = st.current;
        st.channel_ends.entry(resource).or_default().hold(end, task);
    }

    /// Forgets a dropped channel end. Ends are dropped by destructors, which
    /// may run anywhere; if the state is busy, the end is left listed (it
    /// can only add an edge to a finished task, which the report leaves out).
    pub(crate) fn release_end(&self, resource: ResourceId, end: End) {
        let Ok(mut st) = self.state.try_borrow_mut() else {
            return;
        };
        if let Some(ends) = st.channel_ends.get_mut(&resource) {
            ends.release(end);
        }
    }

    /// Records a hand-over of a lock or permit to `to` (a fair release).
    pub(crate) fn hand_over(&self, resource: ResourceId, op: ResourceOp, to: TaskId) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        if st.config.record_trace {
            st.trace.push(Event::Resource {
                resource,
                task: Some(to),
                op,
            });
        }
        st.holders.entry(resource).or_default().push(to);
        if st.waiting_on.get(&to).is_some_and(|(r, _)| *r == resource) {
            st.waiting_on.remove(&to);
        }
    }

    /// Publishes the current wake source to the wakers.
    pub(crate) fn set_source(&self, source: WakeSource) {
        self.state.borrow().wakers.set_source(source);
    }
}
