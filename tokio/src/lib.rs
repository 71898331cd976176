//! tokio's public paths, run by a Wakescope simulation.
//!
//! Switch a crate over with one line in its `Cargo.toml`:
//!
//! ```toml
//! tokio = { package = "wakescope-tokio", path = "../wakescope/tokio" }
//! ```
//!
//! and its `tokio::spawn`, `tokio::time`, `tokio::sync` and `tokio::task`
//! code compiles unchanged and runs inside a [`wakescope::Sim`]: on one
//! thread, on the virtual clock, in an order drawn from the run's seed, with
//! every poll, wake, timer and resource operation in the trace.
//!
//! **Goals.** The same paths and signatures as tokio for the parts a
//! simulated program uses (tasks, time, in-process synchronisation), each
//! primitive a traced resource: the library's own where it has one (bounded
//! channels, oneshot, mutex, semaphore, notify), otherwise built from those
//! (unbounded channels, `RwLock`, `watch`, `broadcast`, `Barrier`), so they
//! show up in the trace and in deadlock reports too. Where tokio asks for
//! `Send + 'static` this crate asks only `'static`.
//!
//! **Non-goals.** Networking, files, processes and signals: those paths are
//! absent, so using one is a compile error that names it. There are no OS
//! threads: `spawn_blocking` runs its closure as simulated CPU work
//! ([`wakescope::work`]), and the clock is always virtual — `time::pause` and
//! `time::resume` change nothing.
//!
//! ```
//! use std::time::Duration;
//! use wakescope_tokio as tokio;
//!
//! let mut sim = wakescope::Sim::new(wakescope::Config::seeded(7));
//! let elapsed = sim.block_on(async {
//!     let start = tokio::time::Instant::now();
//!     let a = tokio::spawn(async { tokio::time::sleep(Duration::from_secs(3)).await; 3 });
//!     let b = tokio::spawn(async { tokio::time::sleep(Duration::from_secs(5)).await; 5 });
//!     assert_eq!(a.await.unwrap() + b.await.unwrap(), 8);
//!     start.elapsed()
//! });
//! assert_eq!(elapsed.unwrap(), Duration::from_secs(5)); // concurrent, not 8 s
//! ```

mod macros;
pub mod runtime;
pub mod sync;
pub mod task;
pub mod time;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use task::spawn;
pub use wakescope_macros::{tokio_main as main, tokio_test as test};
