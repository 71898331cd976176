//! How a simulation is set up: seed, scheduling policy, trace recording, limits.
//!
//! Every limit is a named constant with a default, and a hard cap where the
//! trace encoding needs one. Hitting a limit ends the run with
//! [`crate::Outcome::LimitReached`] naming it — a run never hangs.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Default for [`Limits::steps_max`]: executor steps (polls and clock jumps) per run.
pub const STEPS_MAX_DEFAULT: u64 = 50_000_000;
/// Default for [`Limits::time_max`]: one virtual day.
pub const TIME_MAX_DEFAULT: Duration = Duration::from_secs(24 * 60 * 60);
/// Default for [`Limits::tasks_max`]: tasks spawned per run.
pub const TASKS_MAX_DEFAULT: u32 = 4_000_000;
/// Hard cap on tasks per run: task ids must fit the trace's 24-bit field.
pub const TASKS_MAX_CAP: u32 = (1 << 24) - 1;
/// Default for [`Limits::timers_max`]: timers armed per run.
pub const TIMERS_MAX_DEFAULT: u32 = 16_000_000;
/// Hard cap on timers per run: timer ids must fit a wake source's 30-bit field.
pub const TIMERS_MAX_CAP: u32 = (1 << 30) - 1;

/// The PCT horizon a [`crate::Sim`] uses when the policy names none and
/// nothing measured the program first: the number of picks over which the
/// priority change points are spread. Sweeps and the command line measure the
/// program instead (see [`Policy::Pct`]).
pub const PCT_HORIZON_FALLBACK: u32 = 100;
/// Largest PCT depth accepted (one priority change point fewer than this).
pub const PCT_DEPTH_MAX: u32 = 64;

/// The rule that picks the next task among the runnable ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Pick uniformly at random with the seeded RNG. Different seeds give
    /// different interleavings wherever the program allows more than one.
    #[default]
    Random,
    /// Poll tasks in the order they became runnable, like most production executors.
    Fifo,
    /// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010):
    /// every task gets a random priority, the highest-priority runnable task
    /// runs, and at `depth - 1` distinct random picks among the first
    /// `horizon` the picked task drops to a priority below all others. A bug
    /// that needs `depth` ordering constraints is found with probability at
    /// least 1/(n·k^(depth−1)) per run (n tasks, k polls), far better than at
    /// random. A task that calls [`crate::yield_now`] drops below all others
    /// too: it asked to let the others run.
    ///
    /// The bound holds when the horizon is the program's length: a horizon
    /// much longer than the run puts most change points past its end, and
    /// PCT degrades to running tasks one after another. So with `horizon:
    /// None` the program measures itself: [`crate::sweep`] (and
    /// [`crate::sweep::Sweep`], the determinism checks and the command line)
    /// first runs it once in FIFO order with seed 0 and uses the number of
    /// polls of that run ([`crate::sweep::measure_horizon`]). A [`crate::Sim`]
    /// created directly has nothing to measure and uses
    /// [`PCT_HORIZON_FALLBACK`].
    Pct {
        /// Bug depth targeted: 1 + the number of priority change points.
        depth: u32,
        /// Picks over which the change points are drawn; `None`: the
        /// program's own length, measured (see above).
        horizon: Option<u32>,
    },
}

impl Policy {
    /// PCT with `depth` and the program's own length as the horizon.
    pub fn pct(depth: u32) -> Policy {
        Policy::Pct { depth, horizon: None }
    }

    /// PCT without a horizon, when `self` is one: the policy measures the
    /// program (see [`Policy::Pct`]).
    pub fn needs_horizon(&self) -> bool {
        matches!(self, Policy::Pct { horizon: None, .. })
    }

    /// The same policy with `horizon` if it is PCT without one; else unchanged.
    pub fn with_horizon(self, horizon: u32) -> Policy {
        match self {
            Policy::Pct { depth, horizon: None } => Policy::Pct {
                depth,
                horizon: Some(horizon.max(1)),
            },
            other => other,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Random => f.write_str("random"),
            Policy::Fifo => f.write_str("fifo"),
            Policy::Pct { depth, horizon: None } => write!(f, "pct:{depth}"),
            Policy::Pct {
                depth,
                horizon: Some(horizon),
            } => write!(f, "pct:{depth}:{horizon}"),
        }
    }
}

impl FromStr for Policy {
    type Err = String;

    /// `random`, `fifo`, `pct:D` or `pct:D:H` (depth D in 1..=64, horizon H ≥ 1;
    /// without H the program's length is measured).
    fn from_str(s: &str) -> Result<Policy, String> {
        let bad = || format!("unknown policy `{s}`; expected `random`, `fifo`, `pct:DEPTH` or `pct:DEPTH:HORIZON`");
        match s {
            "random" => return Ok(Policy::Random),
            "fifo" => return Ok(Policy::Fifo),
            _ => {}
        }
        let rest = s.strip_prefix("pct:").ok_or_else(bad)?;
        let mut parts = rest.split(':');
        let depth: u32 = parts.next().and_then(|d| d.parse().ok()).ok_or_else(bad)?;
        let horizon: Option<u32> = match parts.next() {
            Some(h) => Some(h.parse().map_err(|_| bad())?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        if !(1..=PCT_DEPTH_MAX).contains(&depth) {
            return Err(format!("PCT depth {depth} is out of range 1..={PCT_DEPTH_MAX}"));
        }
        if horizon == Some(0) {
            return Err("the PCT horizon must be at least 1 poll".to_string());
        }
        Ok(Policy::Pct { depth, horizon })
    }
}

/// Probability scale for faults: parts per million.
pub const PPM: u32 = 1_000_000;
/// Largest delay probability: at least one poll in ten must go through.
pub const DELAY_PPM_MAX: u32 = 900_000;

/// Faults the simulation injects, each seeded and recorded in the trace.
/// All are off by default. Probabilities are in parts per million.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Faults {
    /// Chance that a picked task is put back in the queue instead of being
    /// polled — an extra yield before the poll (at most [`DELAY_PPM_MAX`]).
    pub delay_ppm: u32,
    /// Chance per step that a random idle task is woken for no reason.
    /// Correct futures re-check their condition and return `Pending` again.
    pub spurious_wake_ppm: u32,
    /// Each timer fires up to this much later than asked (uniformly drawn).
    pub timer_jitter_max: Duration,
    /// Chance that a `buggify!()` point takes its rare branch.
    pub buggify_ppm: u32,
}

impl Faults {
    /// No faults.
    pub const NONE: Faults = Faults {
        delay_ppm: 0,
        spurious_wake_ppm: 0,
        timer_jitter_max: Duration::ZERO,
        buggify_ppm: 0,
    };

    /// True when no fault is enabled.
    pub fn is_none(&self) -> bool {
        *self == Faults::NONE
    }
}

/// Bounds on one run. See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Executor steps before the run ends with [`crate::Limit::Steps`].
    pub steps_max: u64,
    /// Virtual time past which no timer fires ([`crate::Limit::VirtualTime`]).
    pub time_max: Duration,
    /// Tasks that may be spawned ([`crate::Limit::Tasks`]); at most [`TASKS_MAX_CAP`].
    pub tasks_max: u32,
    /// Timers that may be armed ([`crate::Limit::Timers`]); at most [`TIMERS_MAX_CAP`].
    pub timers_max: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            steps_max: STEPS_MAX_DEFAULT,
            time_max: TIME_MAX_DEFAULT,
            tasks_max: TASKS_MAX_DEFAULT,
            timers_max: TIMERS_MAX_DEFAULT,
        }
    }
}

/// Everything a [`crate::Sim`] needs to start. Same config + same program ⇒ same trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Seeds the scheduler's RNG and the RNG user code gets from [`crate::rng`].
    pub seed: u64,
    /// How the next runnable task is chosen.
    pub policy: Policy,
    /// Record every event. Off, the executor skips all recording and runs faster.
    pub record_trace: bool,
    /// Bounds on the run.
    pub limits: Limits,
    /// Simulated CPU workers for [`crate::work`]: 1 (the default) runs work on
    /// the executor itself, blocking it; more run it on a pool beside it.
    pub workers: u32,
    /// Injected faults (none by default).
    pub faults: Faults,
    /// Preemption points (off by default): every `lock`, `send` and `recv`
    /// of [`crate::sync`] first yields once, so the scheduler may run
    /// another task there, as a multi-threaded runtime may at any moment.
    /// See [`Config::with_preemption_points`].
    pub preemption_points: bool,
}

impl Config {
    /// A config with this seed, [`Policy::Random`], recording on and default limits.
    pub fn seeded(seed: u64) -> Config {
        Config {
            seed,
            policy: Policy::Random,
            record_trace: true,
            limits: Limits::default(),
            workers: 1,
            faults: Faults::NONE,
            preemption_points: false,
        }
    }

    /// The same config with another policy.
    pub fn with_policy(mut self, policy: Policy) -> Config {
        self.policy = policy;
        self
    }

    /// The same config with recording switched on or off.
    pub fn with_trace(mut self, record_trace: bool) -> Config {
        self.record_trace = record_trace;
        self
    }

    /// The same config with `workers` simulated CPU workers (at least 1).
    pub fn with_workers(mut self, workers: u32) -> Config {
        self.workers = workers.max(1);
        self
    }

    /// The same config with these faults injected.
    pub fn with_faults(mut self, faults: Faults) -> Config {
        self.faults = faults;
        self
    }

    /// The same config with preemption points on or off (off by default).
    ///
    /// Under cooperative scheduling a task runs until it awaits something
    /// that is not ready, so code between two `.await`s that do not wait is
    /// atomic here — and not on a multi-threaded runtime, where another
    /// thread runs at any moment. With preemption points on, every
    /// [`Mutex::lock`](crate::sync::Mutex::lock) (contended or not),
    /// [`Sender::send`](crate::sync::Sender::send) and
    /// [`Receiver::recv`](crate::sync::Receiver::recv) returns `Pending`
    /// once before it does its work, waking its own task: the scheduler
    /// (any policy, [`crate::explore`]) may pick another task there. A
    /// lock released and taken again without an `.await` between is no
    /// longer one atomic step:
    ///
    /// ```
    /// use std::rc::Rc;
    /// use wakescope::{explore, sync::Mutex, Config};
    /// let lost = |preemption: bool| {
    ///     explore(Config::seeded(0).with_preemption_points(preemption), 1000, |sim| {
    ///         let x = Rc::new(Mutex::new("x", 0));
    ///         for name in ["a", "b"] {
    ///             let x = x.clone();
    ///             let _t = sim.spawn(name, async move {
    ///                 let read = *x.lock().await; // read x, unlock
    ///                 *x.lock().await = read + 1; // lock again, write x + 1
    ///             });
    ///         }
    ///     }, |_, _| Ok(()))
    /// };
    /// assert_eq!(lost(false).schedules, 2); // only which task starts first
    /// assert!(lost(true).schedules > 2);    // the tasks interleave at each lock
    /// ```
    ///
    /// Without preemption points the trace is unchanged; with them, each
    /// point is a poll that ends `Pending` after the task woke itself.
    /// `spawn` and dropping a guard are plain calls that cannot return
    /// `Pending`: they are not points themselves, the task's next `lock`,
    /// `send` or `recv` is.
    pub fn with_preemption_points(mut self, on: bool) -> Config {
        self.preemption_points = on;
        self
    }

    /// The same config with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Config {
        self.limits = limits;
        self
    }
}

impl Default for Config {
    fn default() -> Config {
        Config::seeded(0)
    }
}
