//! Keyboard shortcuts: ←/→ step, Home/End, Space play/pause, [ and ] speed,
//! ? help, Escape closes help.
//!
//! Keys typed into a text field or a select are theirs, not shortcuts; while
//! the help dialog is open only ? and Escape act. A
//! range input (the scrubber) keeps its own arrows and Home/End, so those
//! are not handled twice; the other shortcuts still work there.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::session::Session;

/// What a focused element does with keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Focus {
    /// A text field, select or editable area: every key is its own.
    TextEntry,
    /// The scrubber: arrows and Home/End are its own.
    Range,
    /// Anything else: shortcuts apply.
    Other,
}

fn focus_of(event: &web_sys::KeyboardEvent) -> Focus {
    let Some(element) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return Focus::Other;
    };
    if element.is_content_editable() {
        return Focus::TextEntry;
    }
    match element.tag_name().to_ascii_lowercase().as_str() {
        "textarea" | "select" => Focus::TextEntry,
        "input" => {
            let kind = element.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
            match kind.as_str() {
                "range" => Focus::Range,
                "button" | "checkbox" | "radio" | "submit" | "reset" => Focus::Other,
                _ => Focus::TextEntry,
            }
        }
        _ => Focus::Other,
    }
}

/// Installs the shortcuts for the lifetime of the page.
pub fn install(session: Session) {
    let down = window_event_listener(leptos::ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let focus = focus_of(&event);
        if focus == Focus::TextEntry {
            return;
        }
        let key = event.key();
        // While the help dialog is open only its own keys work.
        if session.help_open().get_untracked() && !matches!(key.as_str(), "?" | "Escape") {
            return;
        }
        let handled = match key.as_str() {
            "ArrowRight" if focus != Focus::Range => {
                session.pause();
                session.step_by(1);
                true
            }
            "ArrowLeft" if focus != Focus::Range => {
                session.pause();
                session.step_by(-1);
                true
            }
            "Home" if focus != Focus::Range => {
                session.first();
                true
            }
            "End" if focus != Focus::Range => {
                session.last();
                true
            }
            " " | "Spacebar" => {
                if !event.repeat() {
                    session.toggle_play();
                }
                true
            }
            "]" => {
                session.change_speed(1);
                true
            }
            "[" => {
                session.change_speed(-1);
                true
            }
            "?" => {
                session.set_help_open(!session.help_open().get_untracked());
                true
            }
            "Escape" if session.help_open().get_untracked() => {
                session.set_help_open(false);
                true
            }
            _ => false,
        };
        if handled {
            event.prevent_default();
        }
    });
    // A focused button would also "click" on the Space key's release.
    let up = window_event_listener(leptos::ev::keyup, move |event| {
        let space = event.key() == " " || event.key() == "Spacebar";
        if space && !session.help_open().get_untracked() && focus_of(&event) != Focus::TextEntry {
            event.prevent_default();
        }
    });
    // The page lives as long as the app: keep the listeners.
    std::mem::forget(down);
    std::mem::forget(up);
}
