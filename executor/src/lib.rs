//! # Wakescope: a deterministic async executor you can watch
//!
//! Wakescope runs async Rust on a single thread, on a virtual clock, with a
//! seeded scheduler, and records everything it does as a trace. Same program
//! and same seed give a bit-identical trace — on x86-64 and on wasm32 — so a
//! failing interleaving found once can be replayed, stepped through and
//! shared. The browser app folds that trace into pictures of the ready queue,
//! the timers, the wakers and a timeline.
//!
//! ## The story, module by module
//! A **future** is a computation that may not be finished: `poll` answers
//! `Poll::Ready(value)` or `Poll::Pending`. A pending future keeps the
//! **waker** from its context and is polled again only after someone calls
//! `wake()` (`waker.rs`). Spawned on an executor, a future becomes a **task**:
//! a heap-allocated future with a state (`task.rs`). The **scheduler** keeps
//! the runnable tasks and a policy that picks the next one (`scheduler.rs`).
//! The **clock** and the **timers** give virtual time (`clock.rs`,
//! `timer.rs`, and the task-facing `time.rs`). The **trace** records every
//! change (`trace/`). [`Sim`] ties it together (`sim.rs`).
//!
//! ```
//! use std::time::Duration;
//! use wakescope::{sleep, spawn, Config, Sim};
//!
//! // The seed's kitchen: popcorn 3 s, water boiler 5 s, cookies 10 s.
//! let mut sim = Sim::new(Config::seeded(42));
//! sim.block_on(async {
//!     let timers = [("popcorn", 3), ("boiler", 5), ("cookies", 10)]
//!         .map(|(name, s)| spawn(name, sleep(Duration::from_secs(s))));
//!     for t in timers {
//!         t.await.unwrap();
//!     }
//! })
//! .unwrap();
//! assert_eq!(sim.now(), Duration::from_secs(10)); // not 18: they wait together
//! ```
//!
//! ## Goals
//! - Determinism: no wall clock, no OS threads, no unseeded randomness, no
//!   iteration over hash maps; two simulations never share state.
//! - Visibility: every poll, wake, timer and clock jump is an event.
//! - A real tool: limits that end a run instead of hanging it, deadlock as an
//!   explicit outcome, panics caught per task, speed that beats tokio's paused
//!   clock on the seed's million-task example.
//!
//! ## Non-goals
//! - Real I/O and multi-threaded execution: futures need not be `Send`.
//! - Catching panics on wasm32: there `panic = "abort"`, so a panicking task
//!   ends the whole program. The library itself does not panic on any path
//!   user input reaches; it panics only when its own invariants break, or when
//!   a task-side function is called outside a simulation.

mod chrome;
mod clock;
pub mod compare;
pub mod config;
mod context;
mod core;
mod decisions;
pub mod describe;
pub mod explore;
mod faults;
mod join;
pub mod outcome;
mod prefetch;
mod print;
mod rng;
#[cfg(feature = "scenarios")]
pub mod scenarios;
mod schedule;
mod scheduler;
mod seeded;
mod sim;
pub mod supervision;
pub mod sweep;
pub mod sync;
mod task;
mod time;
mod timer;
pub mod trace;
pub mod view;
mod waker;
mod work;

pub use config::{Config, Faults, Limits, Policy};
pub use context::{YieldNow, current_task, panic_task, spawn, with_site, yield_now};
pub use decisions::{Decision, DecisionText, decisions};
pub use explore::{EXPLORE_SCHEDULES_MAX_DEFAULT, Exploration, Explore, explore};
pub use faults::{buggify, check};
pub use join::{AbortHandle, JoinError, JoinHandle};
pub use outcome::{BlockedTask, CheckFailure, Deadlock, Limit, Outcome, Step, TaskPanic, WaitingOn};
pub use print::{print_line, record_line};
pub use rng::{SimRng, rng};
pub use schedule::Schedule;
pub use scheduler::Picked;
pub use sim::{BlockOnError, FIRE_PER_STEP_MAX, Sim};
pub use sweep::{FailureKind, ShrinkError, Shrunk, Sweep, SweepReport, check_determinism, shrink, sweep};
pub use task::{TaskId, TaskState};
pub use time::{Either, Elapsed, Select, Sleep, Timeout, now, select, select_first, sleep, sleep_until, timeout};
pub use timer::TimerId;
pub use trace::{
    CancelCause, DropCause, EndReason, Event, EventRecord, ExitReason, FaultKind, Pick, PollResult, ResourceId,
    ResourceKind, ResourceOp, Trace, TraceError, TraceHeader,
};
pub use waker::WakeSource;
pub use work::{LONG_POLL, Work, work};

/// `#[wakescope::test(seeds = 0..1000)]` on an `async fn`: runs it as the
/// `main` task of one simulation per seed (through [`Sweep`], so
/// `WAKESCOPE_SEED`/`WAKESCOPE_SEEDS` override the range) and fails with
/// the smallest failing seed, its message and the replay command. With the
/// `macros` feature.
#[cfg(feature = "macros")]
pub use wakescope_macros::wakescope_test as test;

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
