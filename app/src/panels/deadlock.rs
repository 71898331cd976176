//! The deadlock, revealed with the answer at the last step: every blocked
//! task, what it waits on, who holds that, the wait-for cycles the executor
//! found, and a small graph (task → resource → the task that could release
//! it; edges on a cycle highlighted).

use leptos::prelude::*;

use super::use_session;
use crate::model::waitfor::{DeadlockView, NODE_RADIUS};

/// The deadlock panel (`data-testid="deadlock"`), at the last step of a deadlocked run.
#[component]
pub fn DeadlockPanel() -> impl IntoView {
    let session = use_session();
    let (status, step, verdict) = (
        session.recorder().status(),
        session.playback().step(),
        session.judging().verdict(),
    );
    let at_end = move || {
        let k = step.get();
        status.with(|s| s.finished && k >= s.total)
    };
    let view_model = Memo::new(move |_| verdict.with(|v| v.as_ref().and_then(|v| v.deadlock.clone())));
    move || {
        let d = view_model.get()?;
        at_end().then(|| deadlock_view(d))
    }
}

fn deadlock_view(d: DeadlockView) -> impl IntoView {
    let DeadlockView {
        blocked,
        blocked_hidden,
        cycles,
        nodes,
        edges,
        size,
    } = d;
    let no_cycle = cycles.is_empty();
    let cycle_count = cycles.len();
    view! {
        <section class="panel deadlock-panel" aria-labelledby="deadlock-title" data-testid="deadlock" data-cycles=cycle_count>
            <h2 id="deadlock-title">"Deadlock: " {blocked.len() + blocked_hidden} " task(s) wait forever"</h2>
            <div class="deadlock-body">
                <ul class="blocked">
                    {blocked.into_iter().map(|b| view! {
                        <li data-task=b.task data-resource=b.resource.map(|r| r.to_string()).unwrap_or_default() class:in-cycle=b.in_cycle>
                            <strong>{b.name}</strong>{format!(" #{} waits on ", b.task)}<span class="waits-on">{b.waits_on}</span>
                            {(!b.holders.is_empty()).then(|| {
                                let names: Vec<String> = b.holders.iter().map(|(t, n)| format!("{n} #{t}")).collect();
                                view! { <span class="held-by">{format!(", held by {}", names.join(", "))}</span> }
                            })}
                        </li>
                    }).collect_view()}
                    {(blocked_hidden > 0).then(|| view! { <li class="more">{format!("and {blocked_hidden} more")}</li> })}
                </ul>
                {(!nodes.is_empty()).then(|| view! {
                    <svg class="waitfor" data-testid="waitfor-graph" viewBox=format!("0 0 {size:.0} {size:.0}") role="img" aria-label="Wait-for graph: arrows from each blocked task to what it waits on and on to who could release it">
                        <defs>
                            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                <path d="M0 0L10 5L0 10z" fill="context-stroke"></path>
                            </marker>
                        </defs>
                        {edges.into_iter().map(|e| view! {
                            <line class="edge" class:cycle=e.in_cycle x1=format!("{:.1}", e.x1) y1=format!("{:.1}", e.y1) x2=format!("{:.1}", e.x2) y2=format!("{:.1}", e.y2) marker-end="url(#arrow)"></line>
                        }).collect_view()}
                        {nodes.into_iter().map(|n| {
                            let is_task = n.kind == "task";
                            let below = n.y + NODE_RADIUS + 14.0;
                            view! {
                                <g class=if is_task { "node task" } else { "node resource" } class:cycle=n.in_cycle data-kind=n.kind data-id=n.id>
                                    {if is_task {
                                        view! { <circle cx=format!("{:.1}", n.x) cy=format!("{:.1}", n.y) r=NODE_RADIUS></circle> }.into_any()
                                    } else {
                                        view! { <rect x=format!("{:.1}", n.x - NODE_RADIUS) y=format!("{:.1}", n.y - NODE_RADIUS) width=NODE_RADIUS * 2.0 height=NODE_RADIUS * 2.0 rx="4"></rect> }.into_any()
                                    }}
                                    <text x=format!("{:.1}", n.x) y=format!("{:.1}", below) text-anchor="middle">{n.label}</text>
                                </g>
                            }
                        }).collect_view()}
                    </svg>
                })}
            </div>
            {if no_cycle {
                view! {
                    <p class="cycles none" data-testid="deadlock-cycles">
                        "No wait-for cycle is known: the trace shows who waits on what, but not who holds an end of a channel it has not used yet."
                    </p>
                }.into_any()
            } else {
                view! {
                    <ol class="cycles" data-testid="deadlock-cycles">
                        {cycles.into_iter().map(|(tasks, text)| {
                            let ids: Vec<String> = tasks.iter().map(u32::to_string).collect();
                            view! { <li data-cycle=ids.join(" ")>"cycle: " {text}</li> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
