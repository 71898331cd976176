//! The ready queue: runnable tasks in queue order, the one polled next marked.
//!
//! The page knows the future (the whole trace is recorded), so "next" is not
//! a guess: it is the task of the next `PollStarted` event, when that task is
//! already queued.

use leptos::prelude::*;

use super::{use_session, with_frame};

/// The ready queue panel (`data-testid="ready-queue"`, one child per task).
#[component]
pub fn ReadyQueue() -> impl IntoView {
    let session = use_session();
    let next = Memo::new(move |_| with_frame(session, |f| f.next_task));
    let count = move || with_frame(session, |f| f.ready.len() + f.ready_hidden);
    let polling = move || with_frame(session, |f| f.polling.clone());

    view! {
        <section class="panel ready-panel" aria-labelledby="ready-title">
            <h2 id="ready-title">"Ready queue" <span class="count">{count}</span></h2>
            <ol class="queue" data-testid="ready-queue" aria-labelledby="ready-title">
                <For
                    each=move || with_frame(session, |f| f.ready.clone())
                    key=|row| row.task
                    children=move |row| {
                        let task = row.task;
                        let is_next = move || next.get() == Some(task);
                        view! {
                            <li class="queue-item" class:next=is_next data-task=task>
                                <span class="name">{row.name}</span>
                                <span class="id">{format!("#{task}")}</span>
                                {move || is_next().then(|| view! { <span class="badge">"polled next"</span> })}
                            </li>
                        }
                    }
                />
            </ol>
            {move || (count() == 0).then(|| view! { <p class="empty">"Empty: no task is runnable."</p> })}
            {move || {
                let hidden = with_frame(session, |f| f.ready_hidden);
                (hidden > 0).then(|| view! { <p class="more">{format!("… and {hidden} more queued")}</p> })
            }}
            {move || polling().map(|(id, name)| view! {
                <p class="in-poll"><span class="dot" aria-hidden="true"></span>{format!("In poll now: {name} #{id}")}</p>
            })}
        </section>
    }
}
