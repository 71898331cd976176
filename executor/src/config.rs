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

/// The rule that picks the next task among the runnable ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Pick uniformly at random with the seeded RNG. Different seeds give
    /// different interleavings wherever the program allows more than one.
    #[default]
    Random,
    /// Poll tasks in the order they became runnable, like most production executors.
    Fifo,
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::Random => "random",
            Policy::Fifo => "fifo",
        })
    }
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Policy, String> {
        match s {
            "random" => Ok(Policy::Random),
            "fifo" => Ok(Policy::Fifo),
            other => Err(format!("unknown policy `{other}`; expected `random` or `fifo`")),
        }
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
}

impl Config {
    /// A config with this seed, [`Policy::Random`], recording on and default limits.
    pub fn seeded(seed: u64) -> Config {
        Config { seed, policy: Policy::Random, record_trace: true, limits: Limits::default(), workers: 1 }
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
