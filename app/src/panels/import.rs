//! Opening a trace file: the picker, the note on what was opened, and the
//! hint shown while a file is dragged over the page. Everything from the
//! file is shown as text, never as HTML.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::use_session;

/// The file picker (`data-testid="import"`), with a visible label.
#[component]
pub fn ImportField() -> impl IntoView {
    let session = use_session();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            session.open_file(file);
        }
        // The same file can be picked again after a fix.
        input.set_value("");
    };
    view! {
        <div class="field import">
            <label for="import-file" class="import-label">"Open a trace (.jsonl)"</label>
            <input id="import-file" type="file" data-testid="import" accept=".jsonl,.json,application/x-ndjson" on:change=on_change/>
        </div>
    }
}

/// What was imported, that it has no link, and the way back (`data-testid="import-info"`).
#[component]
pub fn ImportBanner() -> impl IntoView {
    let session = use_session();
    move || {
        session.import().info().get().map(|info| {
            let scenario = info.scenario.clone().unwrap_or_else(|| "no scenario named".into());
            view! {
                <section class="import-banner" data-testid="import-info" aria-label="Imported trace">
                    <p>
                        <strong>"Imported trace: "</strong>
                        <span class="file">{info.file}</span>
                        {format!(" — {scenario}, seed {}, {} events", info.seed, info.events)}
                        {(!info.params.is_empty()).then(|| view! { <span class="params">{format!(" ({})", info.params)}</span> })}
                    </p>
                    <p class="share-note" data-testid="share-note">
                        "An imported trace cannot be shared by link: the address still describes the scenario run before it."
                    </p>
                    <button type="button" data-testid="import-leave" on:click=move |_| session.leave_import()>
                        "Back to the scenario"
                    </button>
                </section>
            }
        })
    }
}

/// The hint shown while a file is dragged over the page.
#[component]
pub fn DropHint() -> impl IntoView {
    let session = use_session();
    move || {
        session.import().dragging().get().then(|| {
            view! {
                <div class="drop-hint" data-testid="drop-hint" role="status">
                    <p>"Drop a .jsonl trace to open it"</p>
                </div>
            }
        })
    }
}
