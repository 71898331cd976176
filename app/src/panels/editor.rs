//! The playground editor: a plain `<textarea>` beside a gutter of line
//! numbers, an example picker, Run, and the problems of the last Run at
//! their line and column. Tab indents (Escape, then Tab, leaves the field);
//! Enter keeps the indentation. Every change is saved as a draft.

use leptos::prelude::*;
use wakescope_playground::{PROGRAM_BYTES_MAX, SUPPORTED};
use wasm_bindgen::JsCast;

use super::use_session;
use crate::model::editing::{INDENT, newline_after, prefix_utf16};
use crate::model::examples::EXAMPLES;
use crate::web::Session;

/// The editor (`data-testid="code-editor"` holds the text), shown while the playground is open.
#[component]
pub fn Editor() -> impl IntoView {
    let session = use_session();
    let playground = session.playground();
    let text = playground.text();
    let problems = playground.problems();
    let line_count = move || text.with(|t| t.split('\n').count());
    let widest = move || text.with(|t| t.split('\n').map(|l| l.chars().count()).max().unwrap_or(0));
    let bytes = move || text.with(String::len);
    let size_class = move || {
        if bytes() > PROGRAM_BYTES_MAX {
            "editor-size over"
        } else {
            "editor-size"
        }
    };
    let error_lines = Memo::new(move |_| {
        problems.with(|p| {
            p.iter()
                .filter(|p| !p.warning)
                .map(|p| p.diagnostic.line)
                .collect::<Vec<_>>()
        })
    });
    // Escape hands Tab back to the page for one press.
    let tab_leaves = RwSignal::new(false);

    let on_input = move |ev: leptos::ev::Event| session.edit_code(event_target_value(&ev));
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if key == "Escape" {
            tab_leaves.set(true);
            return;
        }
        let leaving = tab_leaves.get_untracked();
        tab_leaves.set(false);
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            // Ctrl+Enter runs, as in most playgrounds.
            if key == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                ev.prevent_default();
                session.run_code();
            }
            return;
        }
        let Some(area) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        else {
            return;
        };
        let inserted = match key.as_str() {
            "Tab" if !ev.shift_key() && !leaving => INDENT.to_string(),
            "Enter" if !ev.shift_key() => {
                let value = area.value();
                let caret = area.selection_start().ok().flatten().unwrap_or(0);
                newline_after(prefix_utf16(&value, caret))
            }
            _ => return,
        };
        ev.prevent_default();
        insert_text(session, &area, &inserted);
    };

    view! {
        <section class="editor panel" aria-labelledby="editor-title">
            <h2 id="editor-title">
                "Playground"
                <span class="subtitle">"async Rust against wakescope, run as "<code>"sim.spawn(\"main\", main())"</code></span>
            </h2>
            <div class="editor-bar">
                <button type="button" class="primary" data-testid="code-run" on:click=move |_| session.run_code() title="Run the program with the seed on screen (Ctrl+Enter)">
                    "Run"
                </button>
                <label for="example-select">"Example"</label>
                <select id="example-select" data-testid="code-example" on:change=move |ev| {
                    let id = event_target_value(&ev);
                    session.load_example(&id);
                    if let Some(select) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                        select.set_value("");
                    }
                }>
                    <option value="" selected>"Load an example…"</option>
                    {EXAMPLES.iter().map(|e| view! { <option value=e.id>{e.title}</option> }).collect_view()}
                </select>
                <span class=size_class>
                    {move || format!("{} / {PROGRAM_BYTES_MAX} bytes", bytes())}
                </span>
                <button type="button" class="editor-close" on:click=move |_| session.close_playground()>
                    "Close editor"
                </button>
            </div>
            <div class="editor-frame">
                <pre class="editor-gutter" aria-hidden="true">
                    {move || {
                        let errors = error_lines.get();
                        (1..=line_count())
                            .map(|n| {
                                let bad = errors.contains(&(n as u32));
                                view! { <span class:bad=bad>{n}"\n"</span> }
                            })
                            .collect_view()
                    }}
                </pre>
                <textarea
                    class="editor-text"
                    data-testid="code-editor"
                    aria-label="Program text"
                    aria-describedby="editor-help"
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="off"
                    rows=move || line_count().max(8)
                    cols=move || (widest() + 2).max(60)
                    prop:value=move || text.get()
                    on:input=on_input
                    on:keydown=on_keydown
                ></textarea>
            </div>
            <p class="editor-help" id="editor-help">
                "Tab indents; Escape then Tab leaves the editor. Ctrl+Enter runs. The text is kept in this browser as a draft."
            </p>
            <details class="editor-supported">
                <summary>"What the playground runs"</summary>
                <p>{SUPPORTED}</p>
            </details>
            {move || playground.unsaved().get().then(|| view! {
                <p class="editor-unsaved" role="status">"This browser refused to keep the draft: copy your text before leaving."</p>
            })}
            <Problems/>
        </section>
    }
}

/// Inserts `text` at the caret as typing would (so undo still works);
/// where the browser will not, splices it in and reports the change.
fn insert_text(session: Session, area: &web_sys::HtmlTextAreaElement, text: &str) {
    let typed = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .is_some_and(|d| {
            d.exec_command_with_show_ui_and_value("insertText", false, text)
                .unwrap_or(false)
        });
    if !typed {
        let start = area.selection_start().ok().flatten().unwrap_or(0);
        let end = area.selection_end().ok().flatten().unwrap_or(start);
        if area
            .set_range_text_with_start_and_end_and_mode(text, start, end, "end")
            .is_ok()
        {
            session.edit_code(area.value());
        }
    }
}

/// The problems of the last Run: errors (nothing ran) and warnings, each at
/// its line and column (`data-testid="code-error"`).
#[component]
fn Problems() -> impl IntoView {
    let session = use_session();
    let problems = session.playground().problems();
    move || {
        let list = problems.get();
        (!list.is_empty()).then(|| {
            view! {
                <ul class="editor-problems" role="status" aria-label="Problems of the last run">
                    {list
                        .into_iter()
                        .map(|p| {
                            let d = p.diagnostic;
                            let kind = if p.warning { "warning" } else { "error" };
                            view! {
                                <li class=format!("code-problem {kind}") data-testid="code-error" data-line=d.line data-column=d.column data-kind=kind>
                                    <strong>{format!("{kind}, line {}, column {}: ", d.line, d.column)}</strong>
                                    {d.message}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    }
}
