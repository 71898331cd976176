//! The pure model of the page: what the panels show, built from the
//! library's view of a run.
//!
//! The fold (the state at step k), the ready queue, resources, snapshots
//! and the recording live in the library ([`wakescope::view`]), as do the
//! words for events ([`wakescope::describe`]); this module adds what only
//! the page needs. Nothing here touches the browser, so all of it is tested
//! natively:
//! - [`run`]: what is run ([`run::Setup`]: scenario, parameters, seed), a
//!   scenario run with its recording, and [`run::Source`], the page's recording;
//! - [`progress`]: how far the recording on screen has got, and a step
//!   asked for before it was recorded;
//! - [`import`]: traces opened from a file;
//! - [`frame`]: the rows each panel renders at a step;
//! - [`timeline`]: the lanes (or the aggregate) of the whole run;
//! - [`sweep`]: the scenario's verdict on a run, and sweeps over seeds for a failing one;
//! - [`waitfor`]: a deadlock's wait-for graph, listed and laid out.

pub mod frame;
pub mod import;
pub mod progress;
pub mod run;
pub mod sweep;
pub mod timeline;
pub mod waitfor;

pub use frame::{Frame, LogRow, ReadyRow, ResourceRow, SourceKind, TaskRef, TaskRow, TimerRow, WakeRow};
pub use progress::{Landing, PendingStep, Status};
pub use run::{EVENTS_MAX, Run, Setup, Source};
pub use timeline::{Timeline, TimelineBody};
pub use wakescope::describe;
pub use wakescope::view::{
    EndKind, Phase, ReadyQueue, Recording, RunEnd, SNAPSHOT_EVERY_MIN, Snapshots, TaskStatus, TaskView, ViewState,
    WakeView,
};
