//! `Sim`: the runtime facade — spawn tasks, step or run them, read the trace.
//!
//! # The executor loop
//! Each [`Sim::step`] does exactly one of these, in this order of priority:
//!
//! 1. **Fire timers** already due at the current time (at most
//!    [`FIRE_PER_STEP_MAX`] per step; the rest on the next steps).
//! 2. **Poll a ready task**, chosen by the policy.
//! 3. **Advance the clock** to the earliest deadline and fire what is due there
//!    (again at most [`FIRE_PER_STEP_MAX`]).
//! 4. Otherwise the run is over: every task finished (`Completed`), or some
//!    wait for a wake that can never come (`Deadlock`).
//!
//! A limit can end the run before any of these. Wakes that happened during a
//! step are drained at its end: each is recorded, and idle tasks are queued.

use std::cell::Ref;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::clock::duration_ns;
use crate::config::{Config, DELAY_PPM_MAX};
use crate::context;
use crate::core::{Core, PanicRecord};
use crate::join::{JoinError, JoinHandle};
use crate::outcome::{Limit, Outcome, Step};
use crate::scheduler::{Picked, Script};
use crate::task::{TaskId, TaskState};
use crate::timer::Target;
use crate::trace::{CancelCause, Event, FaultKind, PollResult, Trace};
use crate::waker::WakeSource;

/// Timers one step fires at most. More due at one instant fire over the
/// following steps, in the same order, before any task is polled — so a
/// step stays short enough for the app to keep to its frame budget.
pub const FIRE_PER_STEP_MAX: usize = 4096;

/// Passes over the tasks at shutdown: a destructor may spawn, so repeat, but boundedly.
const SHUTDOWN_PASSES_MAX: u32 = 16;

/// A deterministic simulation: a single-threaded executor, a virtual clock,
/// a seeded scheduler and a trace of everything that happened.
///
/// ```
/// use std::time::Duration;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(42));
/// let h = sim.spawn("popcorn", async { wakescope::sleep(Duration::from_secs(3)).await; 3 });
/// let outcome = sim.run();
/// assert!(outcome.is_completed());
/// assert_eq!(sim.now(), Duration::from_secs(3));
/// assert!(h.is_finished());
/// println!("fingerprint {}", sim.fingerprint_hex());
/// ```
pub struct Sim {
    core: Rc<Core>,
    /// Checks evaluated after every step (see [`Sim::add_invariant`]).
    invariants: Vec<Invariant>,
}

/// A named check the executor evaluates after every step.
struct Invariant {
    name: String,
    check: Box<dyn FnMut() -> Result<(), String>>,
}

impl fmt::Debug for Sim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.core.state.borrow();
        f.debug_struct("Sim")
            .field("config", &st.config)
            .field("now", &st.clock.now())
            .field("tasks", &st.tasks.len())
            .field("live", &st.live)
            .finish()
    }
}

impl Sim {
    /// A new simulation at virtual time zero.
    pub fn new(config: Config) -> Sim {
        Sim {
            core: Core::new(config),
            invariants: Vec::new(),
        }
    }

    /// A simulation that follows `schedule` — the choices of an earlier run
    /// under [`crate::explore`] — instead of its policy, to replay that run.
    pub fn with_schedule(config: Config, schedule: &crate::Schedule) -> Sim {
        let sim = Sim::new(config);
        sim.core
            .state
            .borrow_mut()
            .scheduler
            .set_script(Script::new(schedule.choices().to_vec()));
        sim
    }

    /// The scheduling choices made so far, when running a schedule (see
    /// [`Sim::with_schedule`]); `None` under a plain policy.
    pub fn schedule(&self) -> Option<crate::Schedule> {
        let st = self.core.state.borrow();
        st.scheduler
            .script()
            .map(|s| crate::Schedule::from_choices(s.taken.clone()))
    }

    /// Alternatives at each decision so far, when running a schedule.
    pub(crate) fn branching(&self) -> Option<Vec<u32>> {
        self.core.state.borrow().scheduler.script().map(|s| s.branching.clone())
    }

    /// Adds a check evaluated after every step. When it returns `Err`, the
    /// run ends with [`Outcome::CheckFailed`] naming `name`, the message, the
    /// seed and the step. The closure typically captures `Rc`s the tasks share.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(7));
    /// let balance = Rc::new(Cell::new(10i64));
    /// let b = balance.clone();
    /// sim.add_invariant("balance never negative", move || {
    ///     if b.get() >= 0 { Ok(()) } else { Err(format!("balance is {}", b.get())) }
    /// });
    /// let b = balance.clone();
    /// let _t = sim.spawn("spend", async move { b.set(b.get() - 15); });
    /// assert!(matches!(sim.run(), wakescope::Outcome::CheckFailed(_)));
    /// ```
    pub fn add_invariant(&mut self, name: &str, check: impl FnMut() -> Result<(), String> + 'static) {
        self.invariants.push(Invariant {
            name: name.to_string(),
            check: Box::new(check),
        });
    }

    /// The configuration it was created with.
    pub fn config(&self) -> Config {
        self.core.state.borrow().config
    }

    /// Spawns a named task. See [`crate::spawn`] for spawning from inside a task.
    pub fn spawn<F>(&mut self, name: &str, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        let _enter = context::enter(&self.core);
        self.core.spawn(name, future)
    }

    /// Virtual time since the start.
    pub fn now(&self) -> Duration {
        self.core.state.borrow().clock.now()
    }

    /// The trace recorded so far, borrowed: hold the `Ref` only while
    /// reading, not across a step. For a value that outlives the borrow —
    /// the tail expression of a function that owns the `Sim` (which edition
    /// 2021 refuses for `sim.trace().fingerprint()`), a value kept after the
    /// `Sim` is gone — use [`Sim::fingerprint`], [`Sim::fingerprint_hex`],
    /// [`Sim::trace_jsonl`] or [`Sim::trace_clone`].
    pub fn trace(&self) -> Ref<'_, Trace> {
        Ref::map(self.core.state.borrow(), |st| &st.trace)
    }

    /// [`Trace::fingerprint`] of the trace so far, as an owned value.
    ///
    /// ```
    /// fn fingerprint_of(seed: u64) -> u64 {
    ///     let mut sim = wakescope::Sim::new(wakescope::Config::seeded(seed));
    ///     let _nap = sim.spawn("nap", wakescope::sleep(std::time::Duration::from_secs(1)));
    ///     sim.run();
    ///     sim.fingerprint()
    /// }
    /// assert_eq!(fingerprint_of(7), fingerprint_of(7));
    /// ```
    pub fn fingerprint(&self) -> u64 {
        self.trace().fingerprint()
    }

    /// [`Trace::fingerprint_hex`] of the trace so far: 16 hex digits, as the app and the CLI print it.
    pub fn fingerprint_hex(&self) -> String {
        self.trace().fingerprint_hex()
    }

    /// [`Trace::to_jsonl`] of the trace so far: the trace file.
    pub fn trace_jsonl(&self) -> String {
        self.trace().to_jsonl()
    }

    /// A copy of the trace so far, leaving the simulation's as it is (see
    /// [`Sim::take_trace`] to take it instead).
    pub fn trace_clone(&self) -> Trace {
        self.trace().clone()
    }

    /// Names the scenario and parameters in the trace header (for replay and export).
    pub fn set_scenario(&mut self, id: &str, params: Vec<(String, String)>) {
        let mut st = self.core.state.borrow_mut();
        let header = st.trace.header_mut();
        header.scenario = Some(id.to_string());
        header.params = params;
    }

    /// Takes the trace recorded so far; recording goes on in a trace that
    /// continues it.
    ///
    /// The taken trace is the run up to now, complete in itself. The one left
    /// behind keeps the run's ids — task, timer and resource ids are never
    /// renumbered, so `sim.task_state(id)` and the events agree — and carries
    /// the tables of everything created before the cut (task names and
    /// parents, timer owners and deadlines, resources, interned names), so
    /// every id its events use resolves. It starts at the virtual time of the
    /// cut ([`Trace::start_time`]); its events, length and fingerprint cover
    /// only what happened after it, and its JSON lines carry the inherited
    /// tables in the header, so [`Trace::from_jsonl`] reads it back whole.
    ///
    /// ```
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// let _a = sim.spawn("a", async {});
    /// sim.run();
    /// let first = sim.take_trace();
    /// let _b = sim.spawn("b", async {});
    /// sim.run();
    /// let second = sim.take_trace();
    /// assert_eq!(first.task(wakescope::TaskId(0)).unwrap().name, "a");
    /// assert_eq!(second.task(wakescope::TaskId(1)).unwrap().name, "b");
    /// let read = wakescope::Trace::from_jsonl(&second.to_jsonl()).unwrap();
    /// assert_eq!(read.fingerprint(), second.fingerprint());
    /// ```
    pub fn take_trace(&mut self) -> Trace {
        let mut st = self.core.state.borrow_mut();
        let next = st.trace.continuation(st.clock.now_ns());
        std::mem::replace(&mut st.trace, next)
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.core.state.borrow().steps
    }

    /// Tasks spawned so far.
    pub fn task_count(&self) -> u32 {
        self.core.state.borrow().tasks.len() as u32
    }

    /// The state of a task.
    pub fn task_state(&self, task: TaskId) -> Option<TaskState> {
        self.core.state.borrow().tasks.get(task.index()).map(|s| s.state)
    }

    /// Polls a task has had so far.
    pub fn task_polls(&self, task: TaskId) -> Option<u32> {
        self.core.state.borrow().tasks.get(task.index()).map(|s| s.polls)
    }

    /// Size in bytes of a task's future — the state it keeps across
    /// `.await`s — measured at spawn, so it is known after the task finished.
    pub fn task_future_bytes(&self, task: TaskId) -> Option<usize> {
        self.core
            .state
            .borrow()
            .tasks
            .get(task.index())
            .map(|s| s.future_bytes as usize)
    }

    /// The name a task was spawned with (known with recording on or off).
    pub fn task_name(&self, task: TaskId) -> Option<String> {
        let st = self.core.state.borrow();
        st.tasks.get(task.index()).map(|s| st.names.get(s.name).to_string())
    }

    /// Runs `f` with this simulation current, so that task-side functions
    /// (`wakescope::spawn`, `sync::channel`, …) used outside any task reach it:
    /// resources created in `f` are registered with this simulation at once.
    pub fn enter<R>(&mut self, f: impl FnOnce() -> R) -> R {
        let _enter = context::enter(&self.core);
        f()
    }

    /// Tasks in the ready queue, in queue order, for every policy: the next
    /// pick takes the task at its [`Picked::index`] (see [`Step::Polled`]).
    pub fn ready_tasks(&self) -> Vec<TaskId> {
        self.core.state.borrow().scheduler.iter().collect()
    }

    /// Timers waiting to fire.
    pub fn armed_timers(&self) -> u32 {
        self.core.state.borrow().timers.armed()
    }

    /// Runs until every task finished, the run deadlocks, or a limit is hit.
    pub fn run(&mut self) -> Outcome {
        let _enter = context::enter(&self.core);
        loop {
            if let Step::Finished(outcome) = self.step_entered() {
                return outcome;
            }
        }
    }

    /// Runs `future` as a task named `main` until it finishes and returns its
    /// output; other tasks may be left unfinished, as with `block_on` in
    /// other runtimes. If the run ends first, returns the outcome that ended
    /// it; if `main` panics or is cancelled, returns that `JoinError`.
    pub fn block_on<F>(&mut self, future: F) -> Result<F::Output, BlockOnError>
    where
        F: Future + 'static,
    {
        let _enter = context::enter(&self.core);
        let mut main = self.core.spawn("main", future);
        let Some(task) = main.id() else {
            return Err(BlockOnError::Join(JoinError::NotSpawned));
        };
        loop {
            if self.core.state.borrow().tasks[task.index()].state.is_finished() {
                break;
            }
            if let Step::Finished(outcome) = self.step_entered() {
                return Err(BlockOnError::Ended(outcome));
            }
        }
        let waker = std::task::Waker::noop();
        match std::pin::Pin::new(&mut main).poll(&mut Context::from_waker(waker)) {
            Poll::Ready(Ok(v)) => Ok(v),
            Poll::Ready(Err(e)) => Err(BlockOnError::Join(e)),
            Poll::Pending => unreachable!("a finished task's handle is ready"),
        }
    }

    /// Advances by exactly one observable step (see the module docs).
    pub fn step(&mut self) -> Step {
        let _enter = context::enter(&self.core);
        self.step_entered()
    }

    fn step_entered(&mut self) -> Step {
        let step = self.step_once();
        if !self.invariants.is_empty() && !matches!(step, Step::Finished(_)) {
            self.check_invariants();
        }
        step
    }

    fn check_invariants(&mut self) {
        for inv in &mut self.invariants {
            if let Err(message) = (inv.check)() {
                let mut st = self.core.state.borrow_mut();
                st.fail_check(format!("{}: {message}", inv.name));
                return;
            }
        }
    }

    fn step_once(&mut self) -> Step {
        let core = &self.core;
        core.drain_wakes();
        let mut st = core.state.borrow_mut();
        if let Some(failure) = st.check_failed.clone() {
            drop(st);
            return self.finish(Outcome::CheckFailed(failure));
        }
        if let Some(limit) = st.limit_hit {
            drop(st);
            return self.finish(Outcome::LimitReached(limit));
        }
        if st.steps >= st.config.limits.steps_max {
            let max = st.config.limits.steps_max;
            drop(st);
            return self.finish(Outcome::LimitReached(Limit::Steps(max)));
        }
        let now_ns = st.clock.now_ns();
        let next_deadline = st.timers.next_deadline();
        if next_deadline.is_some_and(|d| d <= now_ns) {
            st.steps += 1;
            drop(st);
            let fired = self.fire_due();
            return Step::FiredTimers { fired };
        }
        if st.config.faults.spurious_wake_ppm > 0 {
            Self::spurious_wake(&mut st);
        }
        if let Some(pick) = st.scheduler.pick() {
            let task = pick.task;
            st.steps += 1;
            let delay = st.config.faults.delay_ppm.min(DELAY_PPM_MAX);
            if st.scheduler.len() > 0 && st.fault_hits(delay) {
                // An extra yield before the poll: back of the queue, someone else first.
                st.scheduler.push(task);
                if st.config.record_trace {
                    st.trace.push(Event::Delayed {
                        task,
                        pick: pick.to_trace(),
                    });
                }
                return Step::Delayed { task, pick };
            }
            drop(st);
            return self.poll_task(pick);
        }
        if let Some(deadline_ns) = next_deadline {
            let time_max = st.config.limits.time_max;
            if deadline_ns > duration_ns(time_max) {
                drop(st);
                return self.finish(Outcome::LimitReached(Limit::VirtualTime(time_max)));
            }
            st.steps += 1;
            st.clock.advance_to(deadline_ns);
            if st.config.record_trace {
                st.trace.push(Event::ClockAdvanced { to_ns: deadline_ns });
            }
            drop(st);
            let fired = self.fire_due();
            return Step::AdvancedClock {
                to: Duration::from_nanos(deadline_ns),
                fired,
            };
        }
        let outcome = if st.live == 0 {
            match st.unhandled_panic() {
                Some(panic) => Outcome::Panicked(panic),
                None => Outcome::Completed,
            }
        } else {
            Outcome::Deadlock(Core::deadlock(&st))
        };
        drop(st);
        self.finish(outcome)
    }

    /// With the configured chance, wakes one idle task for no reason.
    fn spurious_wake(st: &mut crate::core::State) {
        let ppm = st.config.faults.spurious_wake_ppm;
        if !st.fault_hits(ppm) {
            return;
        }
        let idle: Vec<TaskId> = st
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.state == TaskState::Idle)
            .map(|(i, _)| TaskId(i as u32))
            .collect();
        if idle.is_empty() {
            return;
        }
        let task = idle[st.fault_rng.below(idle.len() as u32) as usize];
        if st.config.record_trace {
            st.trace.push(Event::Fault {
                task: Some(task),
                fault: FaultKind::SpuriousWake,
            });
        }
        st.wake(task, WakeSource::Outside);
    }

    /// Records the end of the run once, and reports it.
    fn finish(&mut self, outcome: Outcome) -> Step {
        let mut st = self.core.state.borrow_mut();
        if !st.ended {
            st.ended = true;
            if st.config.record_trace {
                st.trace.push(Event::Ended {
                    reason: outcome.end_reason(),
                });
            }
        }
        Step::Finished(outcome)
    }

    /// Fires every timer due now, in arming order. A timer that wakes a task
    /// of this simulation is recorded as fired and its task as woken in one
    /// go; other wakers are called after, with the timer as the source.
    fn fire_due(&mut self) -> u32 {
        let core = &self.core;
        let mut foreign = Vec::new();
        let fired = {
            let mut guard = core.state.borrow_mut();
            let st = &mut *guard;
            let due = st.timers.take_due(st.clock.now_ns(), FIRE_PER_STEP_MAX);
            let fired = due.len() as u32;
            for (id, target) in due {
                if st.config.record_trace {
                    st.trace.push(Event::TimerFired { timer: id });
                }
                match target {
                    Target::Task(task) => st.wake(task, WakeSource::Timer(id)),
                    Target::Waker(waker) => foreign.push((id, waker)),
                }
            }
            fired
        };
        if !foreign.is_empty() {
            for (id, waker) in foreign {
                core.set_source(WakeSource::Timer(id));
                waker.wake();
            }
            core.set_source(WakeSource::Outside);
            core.drain_wakes();
        }
        fired
    }

    /// Polls the task `pick` took from the ready queue and settles what its poll did.
    fn poll_task(&mut self, pick: Picked) -> Step {
        let task = pick.task;
        let core = &self.core;
        let (mut cell, waker) = {
            let mut guard = core.state.borrow_mut();
            let st = &mut *guard;
            let slot = &mut st.tasks[task.index()];
            assert_eq!(
                slot.state,
                TaskState::Scheduled,
                "only a scheduled task is polled ({task})"
            );
            slot.state = TaskState::Running;
            slot.polls += 1;
            let cell = slot.cell.take().expect("an unfinished task owns its future");
            st.current = Some(task);
            st.join_waits.remove(&task);
            st.poll_started_ns = st.clock.now_ns();
            if st.config.record_trace {
                st.trace.push(Event::PollStarted {
                    task,
                    pick: pick.to_trace(),
                });
            }
            st.wakers.set_source(WakeSource::Task(task));
            (cell, st.wakers.lend(task))
        };
        let mut cx = Context::from_waker(&waker);
        let result = catch_unwind(AssertUnwindSafe(|| cell.poll(&mut cx)));

        let mut guard = core.state.borrow_mut();
        let st = &mut *guard;
        st.current = None;
        let record = st.config.record_trace;
        let long_poll = st.clock.now_ns() - st.poll_started_ns > duration_ns(crate::work::LONG_POLL);
        let slot = &mut st.tasks[task.index()];
        let (finished, ready) = match result {
            Ok(Poll::Pending) if !slot.abort_requested => {
                slot.state = TaskState::Idle;
                slot.cell = Some(cell);
                if record {
                    st.trace.push(Event::PollEnded {
                        task,
                        result: PollResult::Pending,
                    });
                    if long_poll {
                        st.trace.push(Event::LongPoll { task });
                    }
                }
                drop(guard);
                self.after_poll();
                return Step::Polled {
                    task,
                    ready: false,
                    pick,
                };
            }
            Ok(Poll::Pending) => {
                if record {
                    st.trace.push(Event::PollEnded {
                        task,
                        result: PollResult::Pending,
                    });
                    if long_poll {
                        st.trace.push(Event::LongPoll { task });
                    }
                    let cause = st.cancel_causes.get(&task).copied().unwrap_or(CancelCause::Aborted);
                    st.trace.push(Event::Cancelled { task, cause });
                }
                st.cancel_causes.entry(task).or_insert(CancelCause::Aborted);
                (TaskState::Cancelled, false)
            }
            Ok(Poll::Ready(())) => {
                if record {
                    st.trace.push(Event::PollEnded {
                        task,
                        result: PollResult::Ready,
                    });
                    if long_poll {
                        st.trace.push(Event::LongPoll { task });
                    }
                    st.trace.push(Event::Completed { task });
                }
                (TaskState::Completed, true)
            }
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                if record {
                    st.trace.record_panic(task, &message);
                }
                let step = st.steps;
                st.panics.insert(
                    task,
                    PanicRecord {
                        message,
                        step,
                        handled: false,
                    },
                );
                (TaskState::Panicked, true)
            }
        };
        let join_waker = st.retire(task, finished);
        drop(guard);
        if finished == TaskState::Completed {
            core.keep_output(task, cell);
        } else {
            core.drop_future(task, Some(cell));
        }
        if let Some(w) = join_waker {
            w.wake();
        }
        self.after_poll();
        Step::Polled { task, ready, pick }
    }

    /// Ends a poll: wakes from now on come from outside; record the poll's wakes.
    fn after_poll(&self) {
        self.core.settle_exits();
        self.core.set_source(WakeSource::Outside);
        self.core.drain_wakes();
    }
}

impl Drop for Sim {
    /// Drops every unfinished task's future (recorded as `Cancelled { cause:
    /// Shutdown }`) and every timer, with the simulation current so that
    /// destructors may still call into it.
    fn drop(&mut self) {
        let _enter = context::enter(&self.core);
        for _ in 0..SHUTDOWN_PASSES_MAX {
            let (cells, wakers) = {
                let mut guard = self.core.state.borrow_mut();
                let st = &mut *guard;
                let mut cells = Vec::new();
                for i in 0..st.tasks.len() {
                    let task = TaskId(i as u32);
                    if !st.tasks[i].state.is_finished() {
                        if st.config.record_trace {
                            st.trace.push(Event::Cancelled {
                                task,
                                cause: CancelCause::Shutdown,
                            });
                        }
                        st.cancel_causes.insert(task, CancelCause::Shutdown);
                        st.retire(task, TaskState::Cancelled);
                    }
                    cells.extend(st.tasks[i].cell.take());
                }
                let mut wakers = st.timers.clear();
                wakers.extend(std::mem::take(&mut st.join_wakers).into_values());
                (cells, wakers)
            };
            if cells.is_empty() && wakers.is_empty() {
                break;
            }
            drop(cells);
            drop(wakers);
        }
    }
}

/// Why [`Sim::block_on`] returned no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockOnError {
    /// The run ended (deadlock or limit) before the future finished.
    Ended(Outcome),
    /// The future's task panicked or was cancelled.
    Join(JoinError),
}

impl fmt::Display for BlockOnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockOnError::Ended(o) => write!(f, "the run ended before the future finished: {o}"),
            BlockOnError::Join(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BlockOnError {}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_string()
    }
}
