//! Pending timers, soonest first: who armed each, its deadline, time left.

use leptos::prelude::*;

use super::{use_session, with_frame};
use crate::model::describe::duration;

/// The timers panel (`data-testid="timers"`, one child per pending timer).
#[component]
pub fn Timers() -> impl IntoView {
    let session = use_session();
    let count = move || with_frame(session, |f| f.timers.len() + f.timers_hidden);
    let lookup = move |timer: u32| {
        with_frame(session, |f| {
            f.timers
                .iter()
                .find(|t| t.timer == timer)
                .map(|t| (t.left_ns, t.span_ns))
        })
    };
    let late = move |timer: u32| {
        with_frame(session, |f| {
            f.timers.iter().find(|t| t.timer == timer).map_or(0, |t| t.late_ns)
        })
    };

    view! {
        <section class="panel timers-panel" aria-labelledby="timers-title">
            <h2 id="timers-title">"Timers" <span class="count">{count}</span></h2>
            <ol class="timer-list" data-testid="timers" aria-labelledby="timers-title">
                <For
                    each=move || with_frame(session, |f| f.timers.clone())
                    key=|row| row.timer
                    children=move |row| {
                        let timer = row.timer;
                        let left = move || lookup(timer).map_or(0, |(left, _)| left);
                        let fill = move || {
                            let (left, span) = lookup(timer).unwrap_or((0, 0));
                            if span == 0 { 0.0 } else { 100.0 * left as f64 / span as f64 }
                        };
                        view! {
                            <li class="timer-item" data-task=row.task data-deadline-ns=row.deadline_ns data-timer=timer>
                                <div class="timer-line">
                                    <span class="name">{row.owner.clone()}</span>
                                    <span class="timer-id">{format!("timer {timer}")}</span>
                                    <span class="deadline">{format!("fires at {}", duration(row.deadline_ns))}</span>
                                </div>
                                <div class="timer-line">
                                    <div class="bar" aria-hidden="true">
                                        <div class="fill" style:width=move || format!("{:.1}%", fill())></div>
                                    </div>
                                    <span class="left" class:late=move || { late(timer) > 0 }>
                                        {move || match late(timer) {
                                            0 => format!("{} left", duration(left())),
                                            late_ns => format!("due, {} late", duration(late_ns)),
                                        }}
                                    </span>
                                </div>
                            </li>
                        }
                    }
                />
            </ol>
            {move || (count() == 0).then(|| view! { <p class="empty">"No timer is pending."</p> })}
            {move || {
                let hidden = with_frame(session, |f| f.timers_hidden);
                (hidden > 0).then(|| view! { <p class="more">{format!("… and {hidden} more pending")}</p> })
            }}
        </section>
    }
}
