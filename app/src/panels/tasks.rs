//! Every task: state, polls, wakes, and where its virtual time went.
//!
//! Busy time is virtual time spent inside `poll`; in a simulation a poll
//! takes no virtual time at all, so it stays 0 — time only moves when the
//! executor jumps the clock, while tasks wait (queued or idle).

use leptos::prelude::*;

use super::{use_session, with_frame};
use crate::model::TaskRow;
use crate::model::describe::duration;

/// The tasks table (one `task-row` per task, up to the table's limit).
#[component]
pub fn Tasks() -> impl IntoView {
    let session = use_session();
    let polling = Memo::new(move |_| with_frame(session, |f| f.polling.as_ref().map(|(id, _)| *id)));
    view! {
        <section class="panel tasks-panel" aria-labelledby="tasks-title">
            <h2 id="tasks-title">"Tasks" <span class="count">{move || with_frame(session, |f| f.tasks.len() + f.tasks_hidden)}</span></h2>
            <div class="table-wrap">
                <table class="tasks">
                    <thead>
                        <tr>
                            <th scope="col">"Task"</th>
                            <th scope="col">"State"</th>
                            <th scope="col" class="num">"Polls"</th>
                            <th scope="col" class="num">"Wakes"</th>
                            <th scope="col" class="num" title="Virtual time inside poll">"Busy"</th>
                            <th scope="col" class="num" title="Virtual time in the ready queue">"Queued"</th>
                            <th scope="col" class="num" title="Virtual time waiting for a wake">"Idle"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || with_frame(session, |f| f.tasks.clone())
                            key=|row: &TaskRow| row.clone()
                            children=move |row: TaskRow| {
                                let task = row.task;
                                let state = row.status.as_str();
                                view! {
                                    <tr data-testid="task-row" data-task=task data-state=state class:polling=move || polling.get() == Some(task)>
                                        <th scope="row">
                                            <span class="name">{row.name}</span> <span class="id">{format!("#{task}")}</span>
                                            {(row.long_polls > 0).then(|| view! {
                                                <span class="badge long-poll" data-testid="long-poll" data-count=row.long_polls title="A poll of this task ran over 8 ms of virtual time without an await: no other task could run meanwhile">
                                                    {if row.long_polls == 1 { "blocked the executor".to_string() } else { format!("blocked the executor ×{}", row.long_polls) }}
                                                </span>
                                            })}
                                        </th>
                                        <td><span class=format!("state state-{state}")>{state}</span></td>
                                        <td class="num">{row.polls}</td>
                                        <td class="num">{row.wakes}</td>
                                        <td class="num">{duration(row.busy_ns)}</td>
                                        <td class="num">{duration(row.queued_ns)}</td>
                                        <td class="num">{duration(row.idle_ns)}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
            {move || with_frame(session, |f| f.tasks.is_empty()).then(|| view! { <p class="empty">"No task spawned yet."</p> })}
            {move || {
                let hidden = with_frame(session, |f| f.tasks_hidden);
                (hidden > 0).then(|| view! { <p class="more">{format!("Showing the first {} tasks; {hidden} more are not listed.", crate::model::frame::TASK_ROWS_MAX)}</p> })
            }}
        </section>
    }
}
