//! Resources: every channel, oneshot, mutex, semaphore and notify point at
//! this step — who holds it, who waits on it (in arrival order), and its
//! buffer or permits. Hidden when the scenario uses none.

use leptos::prelude::*;

use super::{use_session, with_frame};
use crate::model::{ResourceRow, TaskRef};

/// A task chip with `data-task`.
fn task_chip(t: TaskRef, class: &'static str) -> impl IntoView {
    view! { <li class=class data-task=t.task>{t.name}<span class="id">{format!(" #{}", t.task)}</span></li> }
}

fn resource_card(row: ResourceRow) -> impl IntoView {
    let holders = row.holders.clone();
    let waiters = row.waiters.clone();
    let full = row.kind == "channel" && row.capacity > 0 && row.buffered >= row.capacity;
    let fill_pct = if row.capacity > 0 {
        (row.buffered.min(row.capacity) as f64 * 100.0 / row.capacity as f64).round()
    } else {
        0.0
    };
    view! {
        <li
            class="resource"
            class:closed=row.closed
            data-resource=row.resource
            data-kind=row.kind
            data-buffered=row.buffered
            data-capacity=row.capacity
            data-closed=row.closed.to_string()
        >
            <div class="resource-head">
                <span class="resource-kind">{row.kind.replace('-', " ")}</span>
                <span class="resource-name">{row.name}</span>
                {row.closed.then(|| view! { <span class="badge">"closed"</span> })}
            </div>
            <p class="resource-buffer" data-testid="resource-buffer" class:full=full>
                {(row.kind == "channel").then(|| view! {
                    <span class="buffer-bar" aria-hidden="true"><span class="buffer-fill" style:width=format!("{fill_pct}%")></span></span>
                })}
                {row.buffer}
            </p>
            <div class="resource-people">
                <span class="label">"Held by"</span>
                {if holders.is_empty() {
                    view! { <span class="none">"nobody"</span> }.into_any()
                } else {
                    view! { <ul class="chips" data-testid="resource-holders">{holders.into_iter().map(|t| task_chip(t, "chip holder")).collect_view()}</ul> }.into_any()
                }}
            </div>
            <div class="resource-people">
                <span class="label">"Waiting"</span>
                {if waiters.is_empty() {
                    view! { <span class="none">"nobody"</span> }.into_any()
                } else {
                    view! {
                        <ol class="chips" data-testid="resource-waiters">
                            {waiters.into_iter().map(|(t, what)| view! {
                                <li class="chip waiter" data-task=t.task title=format!("waits for {what}")>{t.name}<span class="id">{format!(" #{}", t.task)}</span></li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </div>
        </li>
    }
}

/// The resources panel (`data-testid="resources"`), present only when the run created some.
#[component]
pub fn Resources() -> impl IntoView {
    let session = use_session();
    let rows = Memo::new(move |_| with_frame(session, |f| f.resources.clone()));
    let in_run = Memo::new(move |_| with_frame(session, |f| f.resources_in_run));
    move || {
        (in_run.get() > 0).then(|| {
            view! {
                <section class="panel resources-panel" aria-labelledby="resources-title" data-testid="resources">
                    <h2 id="resources-title">"Resources" <span class="count">{move || rows.with(Vec::len)}</span></h2>
                    {move || {
                        let list = rows.get();
                        if list.is_empty() {
                            view! { <p class="empty">"No resource created yet."</p> }.into_any()
                        } else {
                            view! { <ul class="resources">{list.into_iter().map(resource_card).collect_view()}</ul> }.into_any()
                        }
                    }}
                </section>
            }
        })
    }
}
