//! One component per panel. Each reads the session from context and renders
//! the current [`crate::model::Frame`]; none keeps state of its own beyond
//! what the user is typing.

pub mod code;
pub mod controls;
pub mod deadlock;
pub mod editor;
pub mod errors;
pub mod event_log;
pub mod header;
pub mod help;
pub mod import;
pub mod phase;
pub mod ready_queue;
pub mod resources;
pub mod setup;
pub mod story;
pub mod sweep;
pub mod tasks;
pub mod timeline;
pub mod timers;
pub mod verdict;
pub mod wakers;
pub mod why;

use leptos::prelude::*;

use crate::model::Frame;
use crate::web::Session;

/// The session provided by the root component.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Reads the current frame (tracked), or `R::default()` before the first one.
pub fn with_frame<R: Default>(session: Session, f: impl FnOnce(&Frame) -> R) -> R {
    session
        .recorder()
        .frame()
        .with(|frame| frame.as_ref().map(f).unwrap_or_default())
}
