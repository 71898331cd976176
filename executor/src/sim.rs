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
use std::panic::Location;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::config::Config;
use crate::context;
use crate::core::Core;
use crate::join::{JoinError, JoinHandle};
use crate::outcome::{Outcome, Step};
use crate::scheduler::Script;
use crate::task::{TaskId, TaskState};
use crate::trace::Trace;

pub use crate::core::FIRE_PER_STEP_MAX;

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
        f.debug_struct("Sim")
            .field("config", &self.core.config())
            .field("now", &self.core.now())
            .field("tasks", &self.core.task_count())
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
        sim.core.set_script(Script::new(schedule.choices().to_vec()));
        sim
    }

    /// A simulation that makes the first decisions of `prefix` — a schedule
    /// from [`Sim::schedule`] or [`crate::explore`], or any part of one —
    /// and then goes on under its config's policy and seed: the way to ask
    /// what else could happen from a given point of a run. [`Sim::schedule`]
    /// gives the prefix's decisions as taken; the policy's are in the trace
    /// (each `poll_started`'s pick).
    /// The random and FIFO policies can continue a prefix; PCT cannot (its
    /// priorities are not defined after a scripted prefix), which is refused.
    ///
    /// ```
    /// use wakescope::{Config, Schedule, Sim, yield_now};
    /// let program = |sim: &mut Sim| {
    ///     for name in ["a", "b", "c"] {
    ///         let _t = sim.spawn(name, async { yield_now().await; yield_now().await });
    ///     }
    /// };
    /// // Two decisions — run `c` first, then `a` (indices into the ready
    /// // queue) — then whatever seed 99 picks.
    /// let prefix = Schedule::from_choices(vec![2, 0]);
    /// let mut other = Sim::with_prefix(Config::seeded(99), &prefix).unwrap();
    /// program(&mut other);
    /// other.run();
    /// assert_eq!(&other.schedule().unwrap().choices()[..2], prefix.choices());
    /// ```
    pub fn with_prefix(config: Config, prefix: &crate::Schedule) -> Result<Sim, String> {
        let sim = Sim::new(config);
        sim.core
            .set_prefix(Script::prefix(prefix.choices().to_vec()), prefix.choices().len(), None)?;
        Ok(sim)
    }

    /// [`Sim::with_prefix`] whose policy, after the prefix, draws from the
    /// scheduler stream of `continue_seed` instead of the config's seed: a
    /// *fork* of a run. The tasks' own random draws ([`crate::rng`]), the
    /// faults and `select`'s order still come from the config's seed, so
    /// when the prefix is a run's first decisions, everything up to them is
    /// that run exactly and only the scheduling after them varies with
    /// `continue_seed` ([`crate::sweep::fork`]).
    ///
    /// ```
    /// use wakescope::{Config, Schedule, Sim, yield_now};
    /// let run = |continue_seed: u64| {
    ///     let prefix = Schedule::from_choices(vec![1]);
    ///     let mut sim = Sim::with_prefix_seeded(Config::seeded(5), &prefix, continue_seed).unwrap();
    ///     for name in ["a", "b", "c"] {
    ///         let _t = sim.spawn(name, async { yield_now().await });
    ///     }
    ///     sim.run();
    ///     sim.fingerprint()
    /// };
    /// assert_eq!(run(1), run(1));
    /// assert!((2..20).any(|s| run(s) != run(1)), "other seeds continue otherwise");
    /// ```
    pub fn with_prefix_seeded(config: Config, prefix: &crate::Schedule, continue_seed: u64) -> Result<Sim, String> {
        let sim = Sim::new(config);
        sim.core.set_prefix(
            Script::prefix(prefix.choices().to_vec()),
            prefix.choices().len(),
            Some(continue_seed),
        )?;
        Ok(sim)
    }

    /// The scheduling choices made so far, when running a schedule (see
    /// [`Sim::with_schedule`]); `None` under a plain policy.
    pub fn schedule(&self) -> Option<crate::Schedule> {
        self.core
            .script_taken()
            .map(|(taken, _)| crate::Schedule::from_choices(taken))
    }

    /// Alternatives at each decision so far, when running a schedule.
    pub(crate) fn branching(&self) -> Option<Vec<u32>> {
        self.core.script_taken().map(|(_, branching)| branching)
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
        self.core.config()
    }

    /// Spawns a named task. See [`crate::spawn`] for spawning from inside a task.
    #[track_caller]
    pub fn spawn<F>(&mut self, name: &str, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        let _enter = context::enter(&self.core);
        JoinHandle::spawn(&self.core, name, future, Location::caller())
    }

    /// Virtual time since the start.
    pub fn now(&self) -> Duration {
        self.core.now()
    }

    /// The trace recorded so far, borrowed: hold the `Ref` only while
    /// reading, not across a step. For a value that outlives the borrow —
    /// the tail expression of a function that owns the `Sim` (which edition
    /// 2021 refuses for `sim.trace().fingerprint()`), a value kept after the
    /// `Sim` is gone — use [`Sim::fingerprint`], [`Sim::fingerprint_hex`],
    /// [`Sim::trace_jsonl`] or [`Sim::trace_clone`].
    pub fn trace(&self) -> Ref<'_, Trace> {
        self.core.trace()
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
        self.core.set_scenario(id, params);
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
        self.core.take_trace()
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.core.steps()
    }

    /// Tasks spawned so far.
    pub fn task_count(&self) -> u32 {
        self.core.task_count()
    }

    /// The state of a task.
    pub fn task_state(&self, task: TaskId) -> Option<TaskState> {
        self.core.task(task).map(|t| t.state)
    }

    /// Polls a task has had so far.
    pub fn task_polls(&self, task: TaskId) -> Option<u32> {
        self.core.task(task).map(|t| t.polls)
    }

    /// Size in bytes of a task's future — the state it keeps across
    /// `.await`s — measured at spawn, so it is known after the task finished.
    pub fn task_future_bytes(&self, task: TaskId) -> Option<usize> {
        self.core.task(task).map(|t| t.future_bytes as usize)
    }

    /// Where a task waits: the `.await` its last poll ended pending at (known
    /// when the run records a trace; `None` once it ran to the end).
    pub fn task_waits_at(&self, task: TaskId) -> Option<crate::trace::Site> {
        self.core.task_waits_at(task)
    }

    /// The name a task was spawned with (known with recording on or off).
    pub fn task_name(&self, task: TaskId) -> Option<String> {
        self.core.task(task).map(|t| t.name)
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
        self.core.ready_tasks()
    }

    /// Timers waiting to fire.
    pub fn armed_timers(&self) -> u32 {
        self.core.armed_timers()
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
    #[track_caller]
    pub fn block_on<F>(&mut self, future: F) -> Result<F::Output, BlockOnError>
    where
        F: Future + 'static,
    {
        let _enter = context::enter(&self.core);
        let mut main = JoinHandle::spawn(&self.core, "main", future, Location::caller());
        let Some(task) = main.id() else {
            return Err(BlockOnError::Join(JoinError::NotSpawned));
        };
        loop {
            if self.core.is_finished(task) {
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
        let step = self.core.step();
        if !self.invariants.is_empty() && !matches!(step, Step::Finished(_)) {
            self.check_invariants();
        }
        step
    }

    fn check_invariants(&mut self) {
        for inv in &mut self.invariants {
            if let Err(message) = (inv.check)() {
                self.core.fail_check(format!("{}: {message}", inv.name), None);
                return;
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _enter = context::enter(&self.core);
        self.core.shut_down();
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
