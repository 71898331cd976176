//! The pure model of the page: what the panels show, built from the
//! library's view of a run.
//!
//! The fold (the state at step k), the ready queue, resources, snapshots
//! and the recording live in the library ([`wakescope::view`]), as do the
//! words for events ([`wakescope::describe`]); this module adds what only
//! the page needs. Nothing here touches the browser, so all of it is tested
//! natively:
//! - [`run`]: what is run ([`run::Setup`]: scenario, parameters, seed, or a
//!   playground program's text), a run with its recording, and
//!   [`run::Source`], the page's recording;
//! - [`listing`]: the code a run shows (its program, interpreted or
//!   compiled, or a scenario's Rust source) and whether the trace lights it;
//! - [`code`]: the code panel at a step — the current event's line, where
//!   each task waits — and the next step at a line;
//! - [`syntax`]: syntax colours for the program's text;
//! - [`editing`]: what Tab and Enter do in the editor;
//! - [`examples`]: the playground's example programs;
//! - [`progress`]: how far the recording on screen has got, and a step
//!   asked for before it was recorded;
//! - [`import`]: traces opened from a file;
//! - [`frame`]: the rows each panel renders at a step;
//! - [`timeline`]: the lanes (or the aggregate) of the whole run;
//! - [`sweep`]: the scenario's verdict on a run, and sweeps over seeds for a failing one;
//! - [`waitfor`]: a deadlock's wait-for graph, listed and laid out.

pub mod code;
pub mod compare;
pub mod editing;
pub mod examples;
pub mod frame;
pub mod import;
pub mod listing;
pub mod progress;
pub mod run;
pub mod sweep;
pub mod syntax;
pub mod timeline;
pub mod waitfor;

pub use code::CodeView;
pub use frame::{Frame, LogRow, ReadyRow, ResourceRow, SourceKind, TaskRef, TaskRow, TimerRow, WakeRow};
pub use listing::Listing;
pub use progress::{Landing, PendingStep, Status};
pub use run::{EVENTS_MAX, INTERPRETED_TASKS_MAX, PROGRAM_FILE, Run, Setup, Source};
pub use timeline::Timeline;
pub use wakescope::describe;
pub use wakescope::view::{
    EndKind, Phase, ReadyQueue, Recording, RunEnd, SNAPSHOT_EVERY_MIN, Snapshots, TaskStatus, TaskView, ViewState,
    WakeView,
};
