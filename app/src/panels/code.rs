//! The code panel: the program that runs, with line numbers and syntax
//! colours, the current event's line lit, and in the gutter each unfinished
//! task at the line where it waits. Clicking a line — or Enter on it —
//! goes to the next step at that line. The lines are one stop for Tab:
//! ↑/↓ move between them (a roving `tabindex`).
//!
//! Every run shows its code ([`Listing`]): a scenario's program is the text
//! that runs, lit like a playground program's; a scenario too big to
//! interpret shows its program unlit, as the compiled run's equivalent; a
//! scenario without one shows its Rust source, unlit, and cannot be edited.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::use_session;
use crate::model::code::LineMarkers;
use crate::model::syntax::{Span, highlight};
use crate::model::{INTERPRETED_TASKS_MAX, Listing, PROGRAM_FILE};
use crate::web::Session;

/// The code panel (`data-testid="code-panel"`), for every run.
#[component]
pub fn CodePanel() -> impl IntoView {
    let session = use_session();
    let listing = session.recorder().listing();
    let lines = Memo::new(move |_| listing.with(|l| l.as_ref().map(|l| highlight(l.text())).unwrap_or_default()));
    // Only a lit listing's lines lead to steps.
    let traced = Memo::new(move |_| listing.with(|l| l.as_ref().is_some_and(Listing::is_traced)));
    let editable = Memo::new(move |_| listing.with(|l| l.as_ref().is_some_and(|l| l.program().is_some())));
    let caption = move || listing.with(|l| l.as_ref().map(caption_of).unwrap_or_default());
    let code = session.recorder().code();
    let current = Memo::new(move |_| code.with(|c| c.as_ref().and_then(|c| c.current_line)));
    // The line that takes the Tab stop: the one last moved to, else the current one.
    let focused = RwSignal::new(None::<u32>);
    let tab_line = move || focused.get().or(current.get()).unwrap_or(1);
    let list_ref = NodeRef::<leptos::html::Ol>::new();

    // Keep the current line in view: scroll the list itself, never the page.
    Effect::new(move |_| {
        let Some(line) = current.get() else {
            return;
        };
        let Some(list) = list_ref.get() else {
            return;
        };
        let Some(row) = line_element(&list, line) else {
            return;
        };
        let (top, height) = (row.offset_top(), row.offset_height());
        let (view_top, view_height) = (list.scroll_top(), list.client_height());
        if top < view_top || top + height > view_top + view_height {
            list.set_scroll_top((top - view_height / 3).max(0));
        }
    });

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let Some(list) = list_ref.get_untracked() else {
            return;
        };
        let count = lines.with_untracked(Vec::len) as u32;
        let at = focused.get_untracked().or(current.get_untracked()).unwrap_or(1);
        let to = match ev.key().as_str() {
            "ArrowDown" => at.saturating_add(1).min(count.max(1)),
            "ArrowUp" => at.saturating_sub(1).max(1),
            "PageDown" => at.saturating_add(10).min(count.max(1)),
            "PageUp" => at.saturating_sub(10).max(1),
            "Enter" => {
                ev.prevent_default();
                if traced.get_untracked() {
                    session.jump_to_line(at);
                }
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        focused.set(Some(to));
        if let Some(row) = line_element(&list, to) {
            let _ = row.focus();
        }
    };

    view! {
        <section class="panel code-panel" data-testid="code-panel" aria-labelledby="code-title">
            <h2 id="code-title">
                {move || if editable.get() { "Program" } else { "Source" }}
                <span class="subtitle" data-testid="code-caption">{caption}</span>
                <button
                    type="button"
                    class="code-edit"
                    data-testid="code-edit"
                    disabled=move || !editable.get()
                    title=move || (!editable.get()).then_some("The playground cannot run this scenario's Rust; only programs can be edited")
                    on:click=move |_| session.edit_program()
                >
                    "Edit this program"
                </button>
            </h2>
            <ol class="code" class:unlit=move || !traced.get() node_ref=list_ref aria-labelledby="code-title" on:keydown=on_keydown>
                {move || {
                    lines
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, spans)| code_line(session, i as u32 + 1, spans, current, focused, tab_line, traced))
                        .collect_view()
                }}
            </ol>
        </section>
    }
}

/// The `<li>` of line `line` in `list`.
fn line_element(list: &web_sys::HtmlOListElement, line: u32) -> Option<web_sys::HtmlElement> {
    list.query_selector(&format!("[data-line=\"{line}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
}

/// One line: number, task markers, coloured text.
fn code_line(
    session: Session,
    line: u32,
    spans: Vec<Span>,
    current: Memo<Option<u32>>,
    focused: RwSignal<Option<u32>>,
    tab_line: impl Fn() -> u32 + Copy + Send + Sync + 'static,
    traced: Memo<bool>,
) -> impl IntoView {
    let is_current = move || current.get() == Some(line);
    let code = session.recorder().code();
    let markers = move || {
        code.with(|c| {
            c.as_ref()
                .and_then(|c| {
                    let at = c.markers.binary_search_by_key(&line, |m| m.line).ok()?;
                    Some(c.markers[at].clone())
                })
                .map(markers_view)
        })
    };
    view! {
        <li
            class="code-line"
            class:current=is_current
            data-testid="code-line"
            data-line=line
            aria-current=move || is_current().then_some("step")
            tabindex=move || if tab_line() == line { "0" } else { "-1" }
            on:click=move |_| {
                focused.set(Some(line));
                if traced.get_untracked() {
                    session.jump_to_line(line);
                }
            }
            on:focus=move |_| focused.set(Some(line))
        >
            <span class="code-gutter">
                <span class="code-number">{line}</span>
                <span class="code-markers">{markers}</span>
            </span>
            <code class="code-text">
                {spans
                    .into_iter()
                    .map(|s| view! { <span class=s.kind.class()>{s.text}</span> })
                    .collect_view()}
            </code>
        </li>
    }
}

/// The tasks waiting at one line, as gutter markers.
fn markers_view(at: LineMarkers) -> impl IntoView {
    let line = at.line;
    view! {
        {at
            .tasks
            .into_iter()
            .map(|m| {
                let title = format!("{} waits here", m.name);
                view! {
                    <span class="code-task-marker" data-testid="code-task-marker" data-task=m.task data-line=line title=title>
                        {m.name}
                    </span>
                }
            })
            .collect_view()}
        {(at.hidden > 0).then(|| view! { <span class="code-task-more">{format!("+{}", at.hidden)}</span> })}
    }
}

/// The one line under the title: which file, and what the lines can do.
fn caption_of(listing: &Listing) -> String {
    match listing {
        Listing::Interpreted(_) => format!("{PROGRAM_FILE} · click a line to go to its next step"),
        Listing::CompiledEquivalent(_) => format!(
            "{PROGRAM_FILE} · over {INTERPRETED_TASKS_MAX} tasks this run is the compiled equivalent (same trace), so no line is lit"
        ),
        Listing::Source(_) => {
            "the scenario's compiled Rust, read-only · the playground cannot say it as a program".to_string()
        }
    }
}

/// True when a run is on screen (not an import).
pub fn shows_code(session: Session) -> bool {
    session.recorder().listing().with(Option::is_some) && session.import().info().with(Option::is_none)
}
