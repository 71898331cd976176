//! The pure model of the page: a run's trace folded into what the panels show.
//!
//! Nothing here touches the browser, so all of it is tested natively:
//! - [`fold`]: [`ViewState`], the state at step k as a fold of the first k events;
//! - [`queue`]: the ready queue in the executor's exact order;
//! - [`snapshots`]: copies of the fold along the trace, so any step is near one;
//! - [`run`]: a scenario run recorded in slices, with its fold and snapshots;
//! - [`frame`]: the rows each panel renders at a step;
//! - [`timeline`]: the lanes (or the aggregate) of the whole run;
//! - [`resources`]: channels, mutexes, semaphores and notify points at a step;
//! - [`sweep`]: the scenario's verdict on a run, and sweeps over seeds for a failing one;
//! - [`waitfor`]: a deadlock's wait-for graph, listed and laid out;
//! - [`import`]: traces opened from a file, and [`import::Source`], the page's recording;
//! - [`describe`]: the words for events, tasks and durations.

pub mod describe;
pub mod fold;
pub mod frame;
pub mod import;
pub mod queue;
pub mod resources;
pub mod run;
pub mod snapshots;
pub mod sweep;
pub mod timeline;
pub mod waitfor;

pub use fold::{Phase, TaskStatus, TaskView, ViewState, WakeView};
pub use frame::{Frame, LogRow, ReadyRow, ResourceRow, SourceKind, TaskRef, TaskRow, TimerRow, WakeRow};
pub use queue::{QueueOrder, ReadyQueue};
pub use run::{EVENTS_MAX, EndKind, Run, RunEnd};
pub use snapshots::{SNAPSHOT_EVERY_MIN, Snapshots};
pub use timeline::{Timeline, TimelineBody};
