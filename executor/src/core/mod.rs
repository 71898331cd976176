//! The shared state of one simulation, and every change made to it.
//!
//! [`crate::Sim`] owns a `Rc<Core>`; while it runs a step it also publishes the
//! core in a thread-local ([`crate::context`]) so that code inside tasks —
//! `sleep`, `spawn`, `JoinHandle`s — can reach it. All mutable state sits in
//! one `RefCell`, and the executor never holds that borrow while user code
//! runs (a poll, a destructor, a foreign waker), so user code can always call
//! back into the simulation.
//!
//! The fields of [`State`] are private to this module and its children; the
//! rest of the crate changes the state only through `Core`'s methods. Each
//! concern has a file of its own:
//!
//! | file          | owns                                                                     |
//! |---------------|--------------------------------------------------------------------------|
//! | `mod.rs`      | the task lifecycle: spawn, wake, cancel, retire; panics, checks, prints  |
//! | `step.rs`     | one executor step: fire timers, advance the clock, poll a task           |
//! | `timing.rs`   | timers armed by sleeps, CPU work, and the other seeded draws             |
//! | `joining.rs`  | `JoinHandle` polls and detaching                                         |
//! | `links.rs`    | supervision: links, trapped exits, mailboxes, exit signals               |
//! | `waitfor.rs`  | who waits on and holds what, and the deadlock report                     |
//! | `names.rs`    | interned task and resource names                                         |

mod joining;
mod links;
mod names;
mod step;
mod timing;
mod waitfor;

use std::any::Any;
use std::cell::{Ref, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::task::Waker;
use std::time::Duration;

pub(crate) use joining::Joined;
pub use links::ExitMessage;
pub use step::FIRE_PER_STEP_MAX;
pub(crate) use timing::SleepEntry;
pub(crate) use waitfor::End;

use crate::clock::Clock;
use crate::config::{Config, PPM, TASKS_MAX_CAP};
use crate::outcome::{CheckFailure, Limit, TaskPanic};
use crate::scheduler::{Scheduler, Script};
use crate::seeded::{FAULT_STREAM, SCHEDULER_STREAM, SELECT_STREAM, SeededRng, USER_STREAM};
use crate::task::{ErasedTask, ROOT_POLL_FILE, TaskCell, TaskId, TaskSlot, TaskState};
use crate::timer::Timers;
use crate::trace::{
    CancelCause, Event, ExitReason, ResourceId, ResourceKind, ResourceOp, Site, SiteId, Trace, TraceHeader,
};
use crate::waker::{Wake, WakeSource, Wakers};
use links::Links;
use names::Names;
use waitfor::WaitFor;

/// The header's policy for a run that replays a [`crate::Schedule`].
pub const SCHEDULE_POLICY: &str = "schedule";

/// A task's panic, and whether anything handled it.
#[derive(Clone, Debug)]
struct PanicRecord {
    message: String,
    /// The step whose poll panicked.
    step: u64,
    /// Its `JoinError` reached an awaiting task, or a linked task trapped its exit.
    handled: bool,
}

/// Everything that changes during a run.
pub(crate) struct State {
    config: Config,
    clock: Clock,
    tasks: Vec<TaskSlot>,
    /// Tasks not yet finished.
    live: u32,
    scheduler: Scheduler,
    timers: Timers,
    wakers: Wakers,
    trace: Trace,
    names: Names,
    user_rng: SeededRng,
    /// The task being polled, if any.
    current: Option<TaskId>,
    /// Steps taken.
    steps: u64,
    /// A limit hit by a spawn or a timer; it ends the run at the next step.
    limit_hit: Option<Limit>,
    /// An `Ended` event was recorded and nothing has happened since.
    ended: bool,
    /// Wakers of tasks awaiting a `JoinHandle`, by the awaited task.
    join_wakers: BTreeMap<TaskId, Waker>,
    /// Why cancelled tasks were cancelled, for their `JoinError`.
    cancel_causes: BTreeMap<TaskId, CancelCause>,
    /// Panics of tasks, for their `JoinError` and the run's outcome.
    panics: BTreeMap<TaskId, PanicRecord>,
    /// Scratch buffer for draining the wake inbox.
    wake_buf: Vec<Wake>,
    /// Links, trapped exits and mailboxes.
    links: Links,
    /// Instrumented resources: kind and interned name, by id.
    resources: Vec<(ResourceKind, u32)>,
    /// Who waits on and holds what, for the deadlock report.
    wait_for: WaitFor,
    /// Virtual time at which the current poll started.
    poll_started_ns: u64,
    /// Draws for injected faults: their own stream, so enabling one fault
    /// does not reshuffle every other random choice.
    fault_rng: SeededRng,
    /// Draws for which branch a `select` polls first: their own stream, so
    /// user code drawing one more number does not change the order.
    select_rng: SeededRng,
    /// A failed invariant check; it ends the run at the next step.
    check_failed: Option<CheckFailure>,
    /// The pool of CPU workers (`work.rs` owns its type), when
    /// `Config::workers` > 1 and work was done.
    cpu_pool: Option<Rc<dyn Any>>,
    /// Where the task being polled waits, as the last library future that
    /// returned `Pending` in this poll said (see `trace/sites.rs`).
    waiting: Option<SiteId>,
    /// Calls of [`Core::waits_at`] in this poll, for combinators that name
    /// their own `.await` only when nothing inside them did.
    wait_marks: u32,
    /// Where each task waited when its last poll ended `Pending` (`NO_SITE`
    /// if unknown), for deadlock reports. Locations are known only with a
    /// trace (they are interned in it), so without one this stays empty.
    waits_at: Vec<u32>,
    /// Where each task was spawned (`NO_SITE` if unknown); empty without a trace.
    spawned_at: Vec<u32>,
    /// A location an interpreter names for the calls it makes next, in place
    /// of the compiler's (which would point into the interpreter).
    site_override: Option<Site>,
    /// A panic the current task asked for without unwinding
    /// ([`crate::panic_task`]), and where: its poll ends as if it had panicked.
    panic_request: Option<(String, Option<SiteId>)>,
}

/// `State::waits_at` entry for "no location".
const NO_SITE: u32 = u32::MAX;

impl State {
    /// Appends `event` to the trace when the run records one.
    fn record(&mut self, event: Event) {
        if self.config.record_trace {
            self.trace.push(event);
        }
    }

    /// Appends `event`, asked for at `site`, when the run records a trace.
    fn record_at(&mut self, event: Event, site: Option<SiteId>) {
        if self.config.record_trace {
            self.trace.push_at(event, site);
        }
    }

    /// The trace's id for a call at `location` (or at the interpreter's
    /// location, when one is set); `None` when no trace is recorded.
    fn site(&mut self, location: Option<&'static Location<'static>>) -> Option<SiteId> {
        if !self.config.record_trace {
            return None;
        }
        match &self.site_override {
            Some(site) => {
                let site = site.clone();
                self.trace.intern_site(site)
            }
            None => {
                let location = location?;
                if location.file() == ROOT_POLL_FILE {
                    // A library future that is the task's whole future: it
                    // waits where the task was spawned.
                    let task = self.current?;
                    let site = *self.spawned_at.get(task.index())?;
                    return (site != NO_SITE).then_some(SiteId(site));
                }
                self.trace.intern_location(location)
            }
        }
    }

    /// The task being polled waits at `site`.
    fn wait_at(&mut self, site: Option<SiteId>) {
        if self.current.is_some() {
            self.waiting = site;
            self.wait_marks += 1;
        }
    }

    /// True with probability `ppm` parts per million, drawn from the fault stream.
    fn fault_hits(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.fault_rng.below(PPM) < ppm
    }

    /// The first panic (by step) that nothing handled, as an outcome.
    fn unhandled_panic(&self) -> Option<TaskPanic> {
        let (task, record) = self
            .panics
            .iter()
            .filter(|(_, p)| !p.handled)
            .min_by_key(|(t, p)| (p.step, **t))?;
        Some(TaskPanic {
            task: *task,
            name: self.names.get(self.tasks[task.index()].name()).to_string(),
            message: record.message.clone(),
            seed: self.config.seed,
            step: record.step,
        })
    }

    /// Records a failed check; the run ends at the next step. Only the first counts.
    fn fail_check(&mut self, message: String, site: Option<SiteId>) {
        if self.check_failed.is_some() {
            return;
        }
        let task = self.current;
        if self.config.record_trace {
            self.trace.record_check(task, &message, site);
        }
        self.check_failed = Some(CheckFailure {
            message,
            seed: self.config.seed,
            step: self.steps,
            task,
            at: site.and_then(|id| self.trace.site_by_id(id).cloned()),
        });
    }

    /// Records a wake of `task` and queues it if it was idle.
    fn wake(&mut self, task: TaskId, source: WakeSource) {
        let Some(slot) = self.tasks.get_mut(task.index()) else {
            return;
        };
        if slot.is_finished() {
            return;
        }
        if self.config.record_trace {
            self.trace.push(Event::Woken { task, source });
        }
        if slot.state() == TaskState::Idle {
            slot.transition_to_scheduled();
            self.scheduler.push(task, slot.future_address());
        }
        self.ended = false;
    }

    /// Marks a task finished and hands back the waker of whoever awaits it.
    fn retire(&mut self, task: TaskId, state: TaskState) -> Option<Waker> {
        self.tasks[task.index()].transition_to_finished(state);
        self.live -= 1;
        self.wait_for.finished(task);
        if self.links.is_linked(task) {
            let reason = match state {
                TaskState::Completed => Some(ExitReason::Normal),
                TaskState::Panicked => Some(ExitReason::Error),
                _ => match self.cancel_causes.get(&task) {
                    Some(CancelCause::Shutdown) => None,
                    Some(CancelCause::Exited) => Some(self.links.exit_reason(task)),
                    _ => Some(ExitReason::Killed),
                },
            };
            if let Some(reason) = reason {
                self.links.ended(task, reason);
            }
        }
        if self.tasks[task.index()].take_joined() {
            self.join_wakers.remove(&task)
        } else {
            None
        }
    }
}

/// One simulation's state.
pub(crate) struct Core {
    state: RefCell<State>,
}

/// What [`Core::task`] tells about one task.
pub(crate) struct TaskInfo {
    pub state: TaskState,
    pub polls: u32,
    pub future_bytes: u32,
    pub name: String,
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
            links: Links::default(),
            resources: Vec::new(),
            wait_for: WaitFor::default(),
            poll_started_ns: 0,
            cpu_pool: None,
            fault_rng: SeededRng::new(config.seed, FAULT_STREAM),
            select_rng: SeededRng::new(config.seed, SELECT_STREAM),
            check_failed: None,
            waiting: None,
            wait_marks: 0,
            waits_at: Vec::new(),
            spawned_at: Vec::new(),
            site_override: None,
            panic_request: None,
        };
        Rc::new(Core {
            state: RefCell::new(state),
        })
    }

    // ---- What the rest of the crate may read.

    pub(crate) fn config(&self) -> Config {
        self.state.borrow().config
    }

    /// Whether `sync` operations are preemption points
    /// ([`Config::with_preemption_points`]).
    pub(crate) fn preemption_points(&self) -> bool {
        self.state.borrow().config.preemption_points
    }

    pub(crate) fn now(&self) -> Duration {
        self.state.borrow().clock.now()
    }

    pub(crate) fn now_ns(&self) -> u64 {
        self.state.borrow().clock.now_ns()
    }

    /// The task being polled, if any.
    pub(crate) fn current(&self) -> Option<TaskId> {
        self.state.borrow().current
    }

    pub(crate) fn steps(&self) -> u64 {
        self.state.borrow().steps
    }

    pub(crate) fn task_count(&self) -> u32 {
        self.state.borrow().tasks.len() as u32
    }

    pub(crate) fn task(&self, task: TaskId) -> Option<TaskInfo> {
        let st = self.state.borrow();
        st.tasks.get(task.index()).map(|slot| TaskInfo {
            state: slot.state(),
            polls: slot.polls(),
            future_bytes: slot.future_bytes(),
            name: st.names.get(slot.name()).to_string(),
        })
    }

    /// Where `task` waits, as its last pending poll said (when recording a trace).
    pub(crate) fn task_waits_at(&self, task: TaskId) -> Option<Site> {
        let st = self.state.borrow();
        let site = *st.waits_at.get(task.index())?;
        (site != NO_SITE)
            .then(|| st.trace.site_by_id(SiteId(site)).cloned())
            .flatten()
    }

    /// True once `task` completed, was cancelled or panicked (or never existed).
    pub(crate) fn is_finished(&self, task: TaskId) -> bool {
        self.state
            .borrow()
            .tasks
            .get(task.index())
            .is_none_or(TaskSlot::is_finished)
    }

    /// The ready queue, front first.
    pub(crate) fn ready_tasks(&self) -> Vec<TaskId> {
        self.state.borrow().scheduler.iter().collect()
    }

    pub(crate) fn armed_timers(&self) -> u32 {
        self.state.borrow().timers.armed()
    }

    pub(crate) fn trace(&self) -> Ref<'_, Trace> {
        Ref::map(self.state.borrow(), |st| &st.trace)
    }

    /// Names the scenario (and its parameters) in the trace's header.
    pub(crate) fn set_scenario(&self, id: &str, params: Vec<(String, String)>) {
        let mut st = self.state.borrow_mut();
        let header = st.trace.header_mut();
        header.scenario = Some(id.to_string());
        header.params = params;
    }

    /// Hands out the trace so far; recording continues in a fresh one.
    pub(crate) fn take_trace(&self) -> Trace {
        let mut st = self.state.borrow_mut();
        let next = st.trace.continuation(st.clock.now_ns());
        std::mem::replace(&mut st.trace, next)
    }

    /// Makes the decisions of `prefix` first, then the policy's; the trace's
    /// header names both. PCT cannot continue a scripted prefix (its
    /// priorities are not defined after one): refused with a sentence.
    /// With `continue_seed`, the policy's picks after the prefix come from
    /// that seed's scheduler stream instead of the run's (a fork), while the
    /// tasks' own draws keep the run's seed.
    pub(crate) fn set_prefix(
        &self,
        prefix: Script,
        decisions: usize,
        continue_seed: Option<u64>,
    ) -> Result<(), String> {
        let mut st = self.state.borrow_mut();
        if matches!(st.config.policy, crate::Policy::Pct { .. }) {
            return Err(format!(
                "a schedule prefix continues under the random or the FIFO policy, not {}: PCT's priorities are not defined after a scripted prefix",
                st.config.policy
            ));
        }
        st.scheduler.set_script(prefix);
        let mut policy = format!("{} after a prefix of {decisions} decisions", st.config.policy);
        if let Some(seed) = continue_seed {
            st.scheduler.reseed(SeededRng::new(seed, SCHEDULER_STREAM));
            policy.push_str(&format!(", continued with scheduler seed {seed}"));
        }
        st.trace.header_mut().policy = policy;
        Ok(())
    }

    /// Replays `script` instead of the policy's choices; the trace's header
    /// names the policy `schedule`.
    pub(crate) fn set_script(&self, script: Script) {
        let mut st = self.state.borrow_mut();
        st.scheduler.set_script(script);
        st.trace.header_mut().policy = SCHEDULE_POLICY.to_string();
    }

    /// The script's choices taken so far and how many tasks were ready at each.
    pub(crate) fn script_taken(&self) -> Option<(Vec<u32>, Vec<u32>)> {
        let st = self.state.borrow();
        st.scheduler.script().map(|s| (s.taken.clone(), s.branching.clone()))
    }

    // ---- The task lifecycle.

    /// Creates a task and queues it. Over the task limit the future is
    /// dropped and `None` returned; the run ends with [`Limit::Tasks`] at
    /// the next step.
    pub(crate) fn spawn<F>(&self, name: &str, future: F, at: &'static Location<'static>) -> Option<TaskId>
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
            return None;
        }
        let id = TaskId(st.tasks.len() as u32);
        let name_id = st.names.intern(name);
        st.wakers.ensure(id);
        let slot = TaskSlot::new(TaskCell::boxed(future), name_id);
        st.scheduler.push(id, slot.future_address());
        st.tasks.push(slot);
        st.live += 1;
        st.ended = false;
        if st.config.record_trace {
            let parent = st.current;
            let site = st.site(Some(at));
            st.spawned_at.push(site.map_or(NO_SITE, |s| s.0));
            st.waits_at.push(NO_SITE);
            st.trace.record_spawn(id, name_id, name, parent, site);
        }
        Some(id)
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

    /// The current task yielded: under PCT it drops below every other task.
    pub(crate) fn yielded(&self) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        if let Some(task) = st.current {
            st.scheduler.yielded(task);
        }
    }

    /// Cancels a task (see `JoinHandle::abort`) and settles the exit
    /// signals that follow from it.
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
            match slot.state() {
                s if s.is_finished() => return,
                TaskState::Running => {
                    if slot.request_abort() {
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
            st.record(Event::Cancelled { task, cause });
            st.cancel_causes.insert(task, cause);
            let join_waker = st.retire(task, TaskState::Cancelled);
            (st.tasks[task.index()].take_cell(), join_waker)
        };
        self.drop_future(task, cell);
        if let Some(w) = join_waker {
            w.wake();
        }
    }

    /// Drops a finished task's future (outside the borrow: destructors are
    /// user code) and keeps the cell for the `JoinHandle`, unless detached.
    fn drop_future(&self, task: TaskId, cell: Option<Box<dyn ErasedTask>>) {
        let Some(mut cell) = cell else { return };
        cell.drop_future();
        self.keep_output(task, cell);
    }

    /// Puts a finished task's cell back for its `JoinHandle`, or drops it
    /// (outside the borrow: the output's destructor is user code) if detached.
    fn keep_output(&self, task: TaskId, cell: Box<dyn ErasedTask>) {
        let unwanted = self.state.borrow_mut().tasks[task.index()].keep_cell(cell);
        drop(unwanted);
    }

    /// Records a failed check by the current task (made at `at`); the run
    /// ends at the next step.
    pub(crate) fn fail_check(&self, message: String, at: Option<&'static Location<'static>>) {
        let mut st = self.state.borrow_mut();
        let site = st.site(at);
        st.fail_check(message, site);
    }

    /// Records a line printed by the current task (or from outside any
    /// task) at `at`, when the run records a trace.
    pub(crate) fn print(&self, text: &str, at: &'static Location<'static>) {
        let mut st = self.state.borrow_mut();
        if !st.config.record_trace {
            return;
        }
        let task = st.current;
        let site = st.site(Some(at));
        st.trace.record_print(task, text, site);
    }

    /// The task being polled waits at `at`: a library future is about to
    /// return `Pending` there.
    pub(crate) fn waits_at(&self, at: &'static Location<'static>) {
        let mut st = self.state.borrow_mut();
        if st.current.is_some() {
            let site = st.site(Some(at));
            st.wait_at(site);
        }
    }

    /// Ends the current task as panicked with `message` once its poll
    /// returns; false outside a task's poll. The first request counts.
    pub(crate) fn request_panic(&self, message: String, at: &'static Location<'static>) -> bool {
        let mut st = self.state.borrow_mut();
        if st.current.is_none() {
            return false;
        }
        if st.panic_request.is_none() {
            let site = st.site(Some(at));
            st.panic_request = Some((message, site));
        }
        true
    }

    /// How many library futures said where they wait in this poll so far.
    pub(crate) fn wait_mark(&self) -> u32 {
        self.state.borrow().wait_marks
    }

    /// Names `site` as the location of the calls made from now on, in place
    /// of the compiler's (`None`: the compiler's again); returns the one before.
    pub(crate) fn replace_site_override(&self, site: Option<Site>) -> Option<Site> {
        std::mem::replace(&mut self.state.borrow_mut().site_override, site)
    }

    // ---- Instrumented resources.

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
    ///
    /// `at` is the call or `.await` that asked for it (`None` from a destructor);
    /// a blocking operation also says where the task waits.
    pub(crate) fn resource_op(
        &self,
        resource: ResourceId,
        op: ResourceOp,
        end: Option<End>,
        at: Option<&'static Location<'static>>,
    ) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        let task = st.current;
        let site = st.site(at);
        st.record_at(Event::Resource { resource, task, op }, site);
        if op.is_blocked() {
            st.wait_at(site);
        }
        st.wait_for.operated(resource, op, task, end);
    }

    /// Records that the current task (if any) holds `end` of `resource`: it
    /// created or cloned it. Not a trace event.
    pub(crate) fn hold_end(&self, resource: ResourceId, end: End) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        st.wait_for.hold_end(resource, end, st.current);
    }

    /// Forgets a dropped channel end. Ends are dropped by destructors, which
    /// may run anywhere; if the state is busy, the end is left listed (it
    /// can only add an edge to a finished task, which the report leaves out).
    pub(crate) fn release_end(&self, resource: ResourceId, end: End) {
        if let Ok(mut st) = self.state.try_borrow_mut() {
            st.wait_for.release_end(resource, end);
        }
    }

    /// Records a hand-over of a lock or permit to `to` (a fair release).
    pub(crate) fn hand_over(&self, resource: ResourceId, op: ResourceOp, to: TaskId) {
        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        st.record(Event::Resource {
            resource,
            task: Some(to),
            op,
        });
        st.wait_for.handed_over(resource, to);
    }

    /// Publishes the current wake source to the wakers.
    fn set_source(&self, source: WakeSource) {
        self.state.borrow().wakers.set_source(source);
    }
}
