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

/// The `change` handler of a number field for a count in `min..=max` kept
/// in `count`: a number outside it, or no number, is said in the error
/// panel (`what`: "seeds to sweep") and the field shows the count kept.
pub fn count_field(
    session: Session,
    count: RwSignal<u64>,
    (min, max): (u64, u64),
    what: &'static str,
) -> impl Fn(leptos::ev::Event) + Copy + 'static {
    move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        match text.trim().parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => count.set(n),
            _ => {
                session.report(format!(
                    "{what}: `{}` is not a whole number in {min}..={max}; using {}",
                    crate::model::describe::clip(&text, 20),
                    count.get_untracked()
                ));
                if let Some(input) = ev
                    .target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
                {
                    input.set_value(&count.get_untracked().to_string());
                }
            }
        }
    }
}
