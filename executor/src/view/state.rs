//! The fold: what the executor looked like after the first k events.
//!
//! [`ViewState`] is the state of every panel at one step, rebuilt from the
//! trace alone — the app never asks the executor what it is doing. Stepping
//! forward applies one event ([`ViewState::apply`]); there is no "undo": the
//! state at step k is always the fold of `events[..k]`, so going back shows
//! exactly what going forward showed. [`super::Snapshots`] keeps copies
//! every so often so that the fold to any k starts close by.
//!
//! # How each event changes the state
//! The rules mirror the executor's (`executor/src/sim.rs`, `core.rs`):
//! - `Spawned`: a new task, `scheduled`, appended to the ready queue.
//! - `PollStarted`: the task leaves the ready queue the way the scheduler
//!   takes it (see [`ReadyQueue`]) and is `running`.
//! - `PollEnded { Pending }`: `idle`; `PollEnded { Ready }` is followed by
//!   `Completed`, which makes it `done`.
//! - `Woken`: counted; an `idle` task becomes `scheduled` and joins the queue
//!   (a wake of a queued task changes nothing, as in the executor).
//! - `TimerArmed` / `TimerFired` / `TimerCancelled`: the pending timer set.
//! - `ClockAdvanced`: the clock.
//! - `Cancelled`: `cancelled`, and out of the queue if it was in it.
//! - `Panicked`: `panicked`.
//! - `LongPoll`: counted on the task (its poll blocked the executor).
//! - `ResourceCreated` / `Resource`: the resources panel (see [`super::resources`]).
//!
//! Invariants (checked by `debug_assert`s and the tests): a task is in the
//! ready queue iff it is `scheduled`, at most once; a pending timer has not
//! fired or been cancelled; the clock never goes back.

use std::collections::VecDeque;

use crate::task::TaskId;
use crate::timer::TimerId;
use crate::trace::{CancelCause, EndReason, Event, PollResult, ResourceId, SiteId, Trace};
use crate::waker::WakeSource;

use super::queue::ReadyQueue;
use super::resources::ResourceView;
use super::shared::{SharedSet, SharedVec};

/// Wakes kept for the wakers panel: the latest ones.
pub const RECENT_WAKES_MAX: usize = 8;

/// Where a task is, in the words the UI uses (`data-state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// Waiting for a wake; not in the ready queue.
    Idle,
    /// In the ready queue.
    Scheduled,
    /// Being polled at this step.
    Running,
    /// Its future returned `Ready`.
    Done,
    /// Its future was dropped before it finished.
    Cancelled,
    /// Its future panicked.
    Panicked,
}

impl TaskStatus {
    /// The word used in `data-state` and in the tasks table.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Idle => "idle",
            TaskStatus::Scheduled => "scheduled",
            TaskStatus::Running => "running",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Panicked => "panicked",
        }
    }

    /// True once the task can never run again.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Cancelled | TaskStatus::Panicked)
    }
}

/// What the executor loop is doing at this step (`data-phase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Before the first step: tasks spawned from outside, nothing polled yet.
    Start,
    /// Polling a ready task (and what its poll caused: spawns, wakes, timers).
    Poll,
    /// Firing due timers and delivering their wakes.
    Fire,
    /// Nothing was runnable: the clock jumped to the next deadline.
    Advance,
    /// The run is over.
    End,
}

impl Phase {
    /// The word used in `data-phase`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::Poll => "poll",
            Phase::Fire => "fire",
            Phase::Advance => "advance",
            Phase::End => "end",
        }
    }
}

/// One task's state and its counters at a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskView {
    /// Where the task is.
    pub status: TaskStatus,
    /// Polls started so far.
    pub polls: u32,
    /// Wakes received so far (including wakes of a task already queued).
    pub wakes: u32,
    /// Virtual time spent running before the current state began. A poll
    /// takes no virtual time unless it does CPU work ([`crate::work`]), which
    /// moves the clock while the task runs: that time is counted here.
    pub busy_ns: u64,
    /// Virtual time spent in the ready queue before the current state began.
    pub queued_ns: u64,
    /// Virtual time spent idle (waiting for a wake) before the current state began.
    pub idle_ns: u64,
    /// When the current state began.
    pub since_ns: u64,
    /// Polls that blocked the executor (over [`crate::LONG_POLL`] of virtual time: `LongPoll`).
    pub long_polls: u32,
    /// Where the task waits: the location its last pending poll ended at
    /// ([`Trace::site_by_id`]); kept while it is queued again, gone when it ends.
    pub waits_at: Option<SiteId>,
}

impl TaskView {
    fn new(now_ns: u64) -> TaskView {
        TaskView {
            status: TaskStatus::Scheduled,
            polls: 0,
            wakes: 0,
            busy_ns: 0,
            queued_ns: 0,
            idle_ns: 0,
            since_ns: now_ns,
            long_polls: 0,
            waits_at: None,
        }
    }

    /// Moves to `status` at `now_ns`, charging the time since the last move
    /// to the state being left.
    fn transition_to(&mut self, status: TaskStatus, now_ns: u64) {
        let spent = now_ns.saturating_sub(self.since_ns);
        match self.status {
            TaskStatus::Running => self.busy_ns += spent,
            TaskStatus::Scheduled => self.queued_ns += spent,
            TaskStatus::Idle => self.idle_ns += spent,
            TaskStatus::Done | TaskStatus::Cancelled | TaskStatus::Panicked => {}
        }
        self.status = status;
        self.since_ns = now_ns;
    }

    /// Busy, queued and idle time up to `now_ns`, counting the current state.
    pub fn times_at(&self, now_ns: u64) -> (u64, u64, u64) {
        let spent = now_ns.saturating_sub(self.since_ns);
        match self.status {
            TaskStatus::Running => (self.busy_ns + spent, self.queued_ns, self.idle_ns),
            TaskStatus::Scheduled => (self.busy_ns, self.queued_ns + spent, self.idle_ns),
            TaskStatus::Idle => (self.busy_ns, self.queued_ns, self.idle_ns + spent),
            _ => (self.busy_ns, self.queued_ns, self.idle_ns),
        }
    }
}

/// One wake, for the wakers panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WakeView {
    /// Index of the `Woken` event.
    pub seq: u64,
    /// Who called `wake()`.
    pub source: WakeSource,
    /// The task woken.
    pub task: TaskId,
}

/// The state of every panel after the first `step` events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewState {
    /// Events applied so far.
    pub step: u64,
    /// Virtual time, in nanoseconds.
    pub clock_ns: u64,
    /// Every task spawned so far, by id.
    pub tasks: SharedVec<TaskView>,
    /// Runnable tasks in queue order.
    pub ready: ReadyQueue,
    /// Pending timers as `(deadline_ns, timer)`: sorted by deadline, then arming order.
    pub timers: SharedSet<(u64, TimerId)>,
    /// The latest wakes, oldest first.
    pub recent_wakes: VecDeque<WakeView>,
    /// The task inside `poll` at this step, if any.
    pub polling: Option<TaskId>,
    /// What the executor loop is doing.
    pub phase: Phase,
    /// Set once the `Ended` event was applied.
    pub ended: Option<EndReason>,
    /// Every resource created so far, by id.
    pub resources: Vec<ResourceView>,
}

impl ViewState {
    /// The state at step 0, before any event.
    pub fn new() -> ViewState {
        ViewState {
            step: 0,
            clock_ns: 0,
            tasks: SharedVec::new(),
            ready: ReadyQueue::new(),
            timers: SharedSet::new(),
            recent_wakes: VecDeque::new(),
            polling: None,
            phase: Phase::Start,
            ended: None,
            resources: Vec::new(),
        }
    }

    /// The state at step 0 for this trace.
    pub fn initial(trace: &Trace) -> ViewState {
        let _ = trace;
        ViewState::new()
    }

    /// The fold of `trace.events[..k]` from scratch (k past the end: the whole trace).
    pub fn fold(trace: &Trace, k: u64) -> ViewState {
        let mut state = ViewState::initial(trace);
        state.apply_range(trace, k);
        state
    }

    /// Applies events `self.step..k` of `trace` (k past the end: up to the end).
    pub fn apply_range(&mut self, trace: &Trace, k: u64) {
        let end = k.min(trace.len() as u64);
        while self.step < end {
            let event = trace.get(self.step as usize).expect("seq below the trace length");
            self.apply(event, trace);
        }
    }

    /// Asks the cache for what folding `event` (a few events from now) will
    /// touch: its task's view, and for a pick the queue slot it leaves.
    pub(crate) fn prefetch_for(&self, event: &Event) {
        if let Some(view) = event.task().and_then(|t| self.tasks.address(t.index())) {
            crate::prefetch::fetch(view);
        }
        if let Event::PollStarted { pick, .. } | Event::Delayed { pick, .. } = event {
            self.ready.prefetch(pick.index);
        }
    }

    /// Applies the event at index `self.step`; `trace` supplies the side tables.
    pub fn apply(&mut self, event: Event, trace: &Trace) {
        let now_ns = self.clock_ns;
        match event {
            Event::Spawned { task } => {
                debug_assert_eq!(task.index(), self.tasks.len(), "task ids are dense");
                self.tasks.push(TaskView::new(now_ns));
                self.ready.push(task);
                if self.polling.is_none() {
                    self.phase = Phase::Start;
                }
            }
            Event::PollStarted { task, pick } => {
                let queued = self.ready.take(task, pick);
                debug_assert!(
                    queued,
                    "a polled task was at its pick's place in the ready queue ({task})"
                );
                self.set_status(task, TaskStatus::Running);
                if let Some(t) = self.task_mut(task) {
                    t.polls += 1;
                }
                self.polling = Some(task);
                self.phase = Phase::Poll;
            }
            Event::PollEnded { task, result } => {
                if result == PollResult::Pending {
                    self.set_status(task, TaskStatus::Idle);
                }
                if let Some(view) = self.tasks.get_mut(task.index()) {
                    view.waits_at = match result {
                        PollResult::Pending => trace.site_id(self.step as usize),
                        PollResult::Ready => None,
                    };
                }
                self.polling = None;
                self.phase = Phase::Poll;
            }
            Event::Woken { task, source } => self.apply_wake(task, source),
            Event::TimerArmed { timer } => {
                if let Some(info) = trace.timer(timer) {
                    self.timers.insert((info.deadline_ns, timer));
                }
            }
            Event::TimerFired { timer } => {
                self.remove_timer(timer, trace);
                self.phase = Phase::Fire;
            }
            Event::TimerCancelled { timer } => self.remove_timer(timer, trace),
            Event::ClockAdvanced { to_ns } => {
                debug_assert!(to_ns >= self.clock_ns, "the clock never goes back");
                self.clock_ns = to_ns.max(self.clock_ns);
                self.phase = Phase::Advance;
            }
            Event::Completed { task } => {
                self.set_status(task, TaskStatus::Done);
                self.phase = Phase::Poll;
            }
            Event::Cancelled { task, cause } => {
                if self.status(task) == Some(TaskStatus::Scheduled) {
                    self.ready.remove(task);
                }
                self.set_status(task, TaskStatus::Cancelled);
                if self.polling == Some(task) {
                    self.polling = None;
                }
                if cause == CancelCause::Shutdown {
                    self.phase = Phase::End;
                }
            }
            Event::Panicked { task } => {
                self.set_status(task, TaskStatus::Panicked);
                self.polling = None;
                self.phase = Phase::Poll;
            }
            Event::Ended { reason } => {
                self.ended = Some(reason);
                self.polling = None;
                self.phase = Phase::End;
            }
            Event::Worked { to_ns, .. } => {
                self.clock_ns = to_ns.max(self.clock_ns);
                self.phase = Phase::Poll;
            }
            Event::LongPoll { task } => {
                if let Some(t) = self.task_mut(task) {
                    t.long_polls += 1;
                }
            }
            Event::ResourceCreated { resource } => {
                debug_assert_eq!(resource.index(), self.resources.len(), "resource ids are dense");
                while self.resources.len() <= resource.index() {
                    self.resources
                        .push(ResourceView::new(ResourceId(self.resources.len() as u32)));
                }
            }
            Event::Resource { resource, task, op } => {
                if let Some(r) = self.resources.get_mut(resource.index()) {
                    r.apply(task, op);
                }
            }
            Event::Delayed { task, pick } => {
                // Taken as for a poll, then put back at the end.
                if self.ready.take(task, pick) {
                    self.ready.push(task);
                }
            }
            Event::FutureDropped { .. }
            | Event::Linked { .. }
            | Event::Exited { .. }
            | Event::ExitTrapped { .. }
            | Event::ExitKilled { .. }
            | Event::Fault { .. }
            | Event::CheckFailed { .. }
            | Event::Printed { .. } => {}
        }
        self.step += 1;
    }

    /// The state of a task, if it was spawned by this step.
    pub fn status(&self, task: TaskId) -> Option<TaskStatus> {
        self.tasks.get(task.index()).map(|t| t.status)
    }

    fn apply_wake(&mut self, task: TaskId, source: WakeSource) {
        if let Some(t) = self.task_mut(task) {
            t.wakes += 1;
        }
        if self.status(task) == Some(TaskStatus::Idle) {
            self.set_status(task, TaskStatus::Scheduled);
            self.ready.push(task);
        }
        if self.recent_wakes.len() == RECENT_WAKES_MAX {
            self.recent_wakes.pop_front();
        }
        self.recent_wakes.push_back(WakeView {
            seq: self.step,
            source,
            task,
        });
        match source {
            WakeSource::Timer(_) => self.phase = Phase::Fire,
            WakeSource::Task(_) => self.phase = Phase::Poll,
            WakeSource::Outside => {}
        }
    }

    fn remove_timer(&mut self, timer: TimerId, trace: &Trace) {
        if let Some(info) = trace.timer(timer) {
            self.timers.remove(&(info.deadline_ns, timer));
        }
    }

    fn task_mut(&mut self, task: TaskId) -> Option<&mut TaskView> {
        self.tasks.get_mut(task.index())
    }

    fn set_status(&mut self, task: TaskId, status: TaskStatus) {
        let now_ns = self.clock_ns;
        if let Some(t) = self.task_mut(task) {
            t.transition_to(status, now_ns);
        }
    }

    /// A rough count of the heap words this state holds, to space snapshots.
    pub fn weight(&self) -> usize {
        let resources: usize = self
            .resources
            .iter()
            .map(|r| 1 + r.holders.len() + r.waiters.len())
            .sum();
        self.tasks.len() + self.ready.len() + self.timers.len() + resources
    }
}
