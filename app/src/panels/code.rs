//! The code panel: the program that runs, with line numbers and syntax
//! colours, the current event's line lit, and in the gutter each unfinished
//! task at the line where it waits. Clicking a line — or Enter on it —
//! goes to the next step at that line. The lines are one stop for Tab:
//! ↑/↓ move between them (a roving `tabindex`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::use_session;
use crate::model::code::LineMarkers;
use crate::model::syntax::{Span, highlight};
use crate::model::{PROGRAM_FILE, Setup};
use crate::web::Session;

/// The code panel (`data-testid="code-panel"`), for program runs.
#[component]
pub fn CodePanel() -> impl IntoView {
    let session = use_session();
    let setup = session.recorder().setup();
    let lines = Memo::new(move |_| setup.with(|s| s.program.as_deref().map(highlight).unwrap_or_default()));
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
                session.jump_to_line(at);
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
                "Program"
                <span class="subtitle">{PROGRAM_FILE}" · click a line to go to its next step"</span>
                <button type="button" class="code-edit" data-testid="code-edit" on:click=move |_| session.edit_program()>
                    "Edit this program"
                </button>
            </h2>
            <ol class="code" node_ref=list_ref aria-labelledby="code-title" on:keydown=on_keydown>
                {move || {
                    lines
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, spans)| code_line(session, i as u32 + 1, spans, current, focused, tab_line))
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
                session.jump_to_line(line);
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

/// True when a program run is on screen (not an import).
pub fn shows_code(session: Session) -> bool {
    session.recorder().setup().with(Setup::is_program) && session.import().info().with(Option::is_none)
}
