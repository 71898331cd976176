//! `Runtime` and `Builder`: a simulation in tokio's clothes.
//!
//! A `Runtime` owns one [`wakescope::Sim`], seeded from `WAKESCOPE_SEED`
//! (default 0). `block_on` runs a future as the simulation's `main` task
//! until it finishes; tasks spawned on the runtime, or left running by an
//! earlier `block_on`, go on in the next one, as in tokio. The builder's
//! options are accepted and change nothing: the simulation has one thread,
//! a virtual clock, and no I/O to enable.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;

use crate::task::{JoinHandle, LocalSet};

/// The name of a task spawned through [`Runtime::spawn`].
const TASK_NAME: &str = "task";

/// The seed of a simulation started from tokio code: `WAKESCOPE_SEED`, or 0.
///
/// # Panics
/// When the variable is set but not a seed.
pub(crate) fn seed_from_env() -> u64 {
    match std::env::var(wakescope::sweep::SEED_ENV) {
        Err(_) => 0,
        Ok(text) => match wakescope::sweep::parse_seeds(&text) {
            Ok(range) => range.start,
            Err(e) => panic!("{}={text}: {e}", wakescope::sweep::SEED_ENV),
        },
    }
}

/// A simulation that runs futures: see the [module docs](self).
pub struct Runtime {
    /// The simulation, borrowed by `block_on` and `spawn`.
    sim: RefCell<wakescope::Sim>,
    /// Its seed, named when a run fails.
    seed: u64,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").field("seed", &self.seed).finish()
    }
}

impl Runtime {
    /// A runtime seeded from `WAKESCOPE_SEED` (default 0). Never fails.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().build()
    }

    /// Runs `future` as the simulation's `main` task until it finishes.
    ///
    /// Unlike tokio, the future must be `'static` (it becomes a task).
    ///
    /// # Panics
    /// When the future panics, or the run ends first (deadlock, a limit) —
    /// the message names the seed.
    #[track_caller]
    pub fn block_on<F: Future + 'static>(&self, future: F) -> F::Output {
        let seed = self.seed;
        match self.sim.borrow_mut().block_on(future) {
            Ok(output) => output,
            Err(e) => panic!(
                "seed {seed}: {e}\nreplay: {}={seed} (the same seed gives the same run)",
                wakescope::sweep::SEED_ENV
            ),
        }
    }

    /// Spawns `future` as a task; it runs during the next `block_on`.
    #[track_caller]
    pub fn spawn<F: Future + 'static>(&self, future: F) -> JoinHandle<F::Output> {
        let mut sim = self.sim.borrow_mut();
        JoinHandle::from_inner(sim.spawn(TASK_NAME, future))
    }
}

/// Configures a [`Runtime`]; every option is accepted and changes nothing.
#[derive(Debug, Default)]
pub struct Builder {
    /// The seed of the runtime's simulation (`WAKESCOPE_SEED` unless set).
    seed: Option<u64>,
}

impl Builder {
    /// A single-threaded runtime, like every simulation.
    pub fn new_current_thread() -> Builder {
        Builder::default()
    }

    /// A "multi-threaded" runtime: one thread, as every simulation.
    pub fn new_multi_thread() -> Builder {
        Builder::default()
    }

    /// Accepted: there is nothing to enable.
    pub fn enable_all(&mut self) -> &mut Builder {
        self
    }

    /// Accepted: the virtual clock is always there.
    pub fn enable_time(&mut self) -> &mut Builder {
        self
    }

    /// Accepted: the virtual clock is always paused.
    pub fn start_paused(&mut self, _paused: bool) -> &mut Builder {
        self
    }

    /// Accepted: a simulation has one thread.
    pub fn worker_threads(&mut self, _threads: usize) -> &mut Builder {
        self
    }

    /// Runs with `seed` instead of `WAKESCOPE_SEED` (not in tokio).
    pub fn seed(&mut self, seed: u64) -> &mut Builder {
        self.seed = Some(seed);
        self
    }

    /// The runtime. Never fails.
    pub fn build(&mut self) -> io::Result<Runtime> {
        let seed = self.seed.unwrap_or_else(seed_from_env);
        Ok(Runtime {
            sim: RefCell::new(wakescope::Sim::new(wakescope::Config::seeded(seed))),
            seed,
        })
    }
}

impl LocalSet {
    /// Runs `future` on `runtime` (see [`Runtime::block_on`]); the set's
    /// tasks are the runtime's, as every task is.
    #[track_caller]
    pub fn block_on<F: Future + 'static>(&self, runtime: &Runtime, future: F) -> F::Output {
        runtime.block_on(future)
    }
}
