//! The view: what a run looked like at step k, folded from its trace alone.
//!
//! The trace is the only contract between the executor and everything that
//! shows a run. This module is the one place that turns events into view
//! state, so the app renders it, the CLI prints it and the tests assert on
//! it, and none of them re-implements an executor rule:
//! - [`ViewState`] (`state.rs`): tasks, the ready queue, timers, recent wakes,
//!   resources and the loop's phase after the first k events — a pure fold;
//! - [`ReadyQueue`] (`queue.rs`): the ready queue in the executor's order;
//! - [`ResourceView`] (`resources.rs`): holders, waiters and buffers of each
//!   channel, lock, semaphore and notify point;
//! - [`Snapshots`] (`snapshots.rs`): copies of the fold along the trace, so
//!   any step is a short fold away;
//! - [`Recording`] (`recording.rs`): a live simulation or a loaded trace,
//!   folded a slice at a time, with snapshots, indexes and its end.
//!
//! ```
//! use wakescope::view::Recording;
//! use wakescope::{Config, Sim, sleep};
//! use std::time::Duration;
//!
//! let mut sim = Sim::new(Config::seeded(7));
//! sim.spawn("popcorn", async { sleep(Duration::from_secs(3)).await });
//! let mut recording = Recording::live(sim, 1_000_000);
//! recording.finish();
//! let start = recording.view_at(1);
//! assert_eq!(start.ready.len(), 1, "spawned: in the ready queue");
//! let end = recording.view_at(recording.len());
//! assert_eq!(end.clock_ns, 3_000_000_000);
//! ```

mod queue;
mod recording;
mod resources;
mod shared;
mod snapshots;
mod state;

pub use queue::ReadyQueue;
pub use recording::{EndKind, FOLD_PER_ADVANCE_MAX, Recording, RunEnd};
pub use resources::{ResourceView, buffer_text, info as resource_info, is_shown};
pub use shared::{SharedSet, SharedVec};
pub use snapshots::{SNAPSHOT_EVERY_MIN, SPACING_PER_WEIGHT, Snapshots};
pub use state::{Phase, RECENT_WAKES_MAX, TaskStatus, TaskView, ViewState, WakeView};
