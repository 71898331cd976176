//! The event log: the events so far, the current one highlighted and kept
//! in view. Only a window of the latest rows is rendered
//! ([`crate::model::frame::LOG_ROWS_BEFORE`]), so a trace of millions of
//! events costs the same as one of forty. Clicking a row seeks to it.

use leptos::prelude::*;

use super::use_session;
use crate::model::LogRow;
use crate::model::describe::duration;

/// The event log panel (`data-testid="event-log"`, one child per shown event).
#[component]
pub fn EventLog() -> impl IntoView {
    let session = use_session();
    let step = session.playback().step();
    let log = session.recorder().log();
    let list_ref = NodeRef::<leptos::html::Ol>::new();

    // Keep the current (last) row in view: scroll the list itself, never the page.
    Effect::new(move |_| {
        log.track();
        if let Some(list) = list_ref.get() {
            request_animation_frame(move || list.set_scroll_top(list.scroll_height()));
        }
    });

    let earlier = move || log.with(|rows| rows.first().map_or(0, |r| r.seq));

    view! {
        <section class="panel log-panel" aria-labelledby="log-title">
            <h2 id="log-title">
                "Event log"
                <span class="count">{move || format!("{} of {}", step.get(), session.recorder().status().with(|s| s.total))}</span>
            </h2>
            {move || {
                let n = earlier();
                (n > 0).then(|| view! { <p class="more">{format!("{n} earlier events not shown")}</p> })
            }}
            <ol
                class="log"
                data-testid="event-log"
                node_ref=list_ref
                aria-labelledby="log-title"
                style:--seq-digits=move || session.recorder().status().with(|s| s.total.max(1).ilog10() + 1).to_string()
            >
                <For
                    each=move || {
                        let k = step.get();
                        log.get().into_iter().map(move |row| (row.seq + 1 == k, row)).collect::<Vec<_>>()
                    }
                    key=|(current, row): &(bool, LogRow)| (row.seq, *current)
                    children=move |(current, row): (bool, LogRow)| {
                        let seq = row.seq;
                        view! {
                            <li class=format!("log-row kind-{}", row.kind) class:current=current data-seq=seq aria-current=current.then_some("step")>
                                <button type="button" class="log-button" title=format!("Go to step {}", seq + 1) on:click=move |_| {
                                    session.pause();
                                    session.seek(seq + 1);
                                }>
                                    <span class="seq">{seq}</span>
                                    <span class="time">{duration(row.time_ns)}</span>
                                    <span class="text">
                                        {row.text}
                                        {row.place.map(|place| view! { <span class="place">{format!(" · {place}")}</span> })}
                                    </span>
                                </button>
                            </li>
                        }
                    }
                />
            </ol>
            {move || log.with(|rows| rows.is_empty()).then(|| view! { <p class="empty">"Step 0: nothing has happened yet."</p> })}
        </section>
    }
}
