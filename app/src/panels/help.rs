//! The keyboard help overlay (`?`).

use leptos::prelude::*;

use super::use_session;

const SHORTCUTS: [(&str, &str); 8] = [
    ("→ / ←", "Step forward / back one event"),
    ("Home / End", "First / last step"),
    ("Space", "Play / pause"),
    ("] / [", "Faster / slower"),
    ("?", "Show or hide this help"),
    ("Esc", "Close this help"),
    ("Click the timeline", "Jump to that poll, or to that virtual time"),
    (
        "+ − 0 ← → ↑ ↓",
        "On the focused timeline: zoom, fit, pan, scroll the lanes",
    ),
];

/// The help dialog, shown while `help_open`.
#[component]
pub fn Help() -> impl IntoView {
    let session = use_session();
    let open = session.help_open();
    let close_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let (true, Some(button)) = (open.get(), close_ref.get()) {
            let _ = button.focus();
        }
    });
    move || {
        open.get().then(|| {
            view! {
                <div class="help-backdrop" on:click=move |_| session.set_help_open(false)>
                    <div
                        class="help"
                        role="dialog"
                        aria-modal="true"
                        aria-labelledby="help-title"
                        data-testid="help"
                        on:click=|ev| ev.stop_propagation()
                    >
                        <h2 id="help-title">"Keyboard shortcuts"</h2>
                        <p class="help-note">"Keys typed into a text field or a menu stay there."</p>
                        <dl class="shortcuts">
                            {SHORTCUTS
                                .iter()
                                .map(|(keys, what)| view! { <div><dt><kbd>{*keys}</kbd></dt><dd>{*what}</dd></div> })
                                .collect_view()}
                        </dl>
                        <button type="button" class="primary" node_ref=close_ref on:click=move |_| session.set_help_open(false)>
                            "Close"
                        </button>
                    </div>
                </div>
            }
        })
    }
}
