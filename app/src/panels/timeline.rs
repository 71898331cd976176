//! The timeline: one lane per task on the virtual-time axis — polls as
//! ticks, sleeps as bars — with a cursor at the current step's clock and the
//! future dimmed. Many tasks: an aggregate of polls and pending timers.
//! Clicking seeks to the step nearest that virtual time.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::why::inevitable_step;
use super::{use_session, with_frame};
use crate::model::describe::duration;
use crate::model::timeline::{Aggregate, Lane};
use crate::model::{Timeline, TimelineBody};

/// Width of the drawing in SVG units (stretched to the panel's width).
const WIDTH: f64 = 1000.0;
const LANE_HEIGHT: f64 = 24.0;
const AGGREGATE_HEIGHT: f64 = 48.0;

/// The timeline panel (`data-testid="timeline"`).
#[component]
pub fn TimelinePanel() -> impl IntoView {
    let session = use_session();
    let timeline = session.recorder().timeline();
    let clock_ns = Memo::new(move |_| with_frame(session, |f| f.clock_ns));
    let polling = Memo::new(move |_| with_frame(session, |f| f.polling.as_ref().map(|(id, _)| *id)));

    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(svg) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return;
        };
        let rect = svg.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        let fraction = ((ev.client_x() as f64 - rect.left()) / rect.width()).clamp(0.0, 1.0);
        let end_ns = timeline.with_untracked(|t| t.as_ref().map_or(0, |t| t.end_ns));
        session.pause();
        session.seek_time((fraction * end_ns as f64).round() as u64);
    };

    view! {
        <section class="panel timeline-panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline" <span class="subtitle">"virtual time · click to jump"</span></h2>
            <div class="timeline" data-testid="timeline">
                {move || match timeline.get() {
                    None => view! { <p class="empty">"Recording the run…"</p> }.into_any(),
                    Some(t) => {
                        let height = body_height(&t);
                        let end_ns = t.end_ns;
                        let cursor_x = move || WIDTH * (clock_ns.get().min(end_ns) as f64) / end_ns as f64;
                        view! {
                            <div class="timeline-grid">
                                <div class="lane-labels" aria-hidden="true">{labels(&t, polling)}</div>
                                <div class="timeline-plot">
                                    <svg
                                        class="timeline-svg"
                                        viewBox=format!("0 0 {WIDTH} {height}")
                                        preserveAspectRatio="none"
                                        style:height=format!("{height}px")
                                        role="img"
                                        aria-label=summary(&t)
                                        on:click=on_click
                                    >
                                        {body(&t)}
                                        <rect
                                            class="future"
                                            x=cursor_x
                                            y="0"
                                            width=move || (WIDTH - cursor_x()).max(0.0)
                                            height=height
                                        ></rect>
                                        <line class="cursor" x1=cursor_x x2=cursor_x y1="0" y2=height></line>
                                        {move || inevitable_step(session).and_then(|k| session.recorder().clock_at(k)).map(|ns| {
                                            let x = WIDTH * (ns.min(end_ns) as f64) / end_ns as f64;
                                            view! {
                                                <line class="inevitable" data-testid="timeline-inevitable" x1=x x2=x y1="0" y2=height>
                                                    <title>"From here on, every continuation fails"</title>
                                                </line>
                                            }
                                        })}
                                    </svg>
                                    <div class="axis" aria-hidden="true">
                                        {t.ticks
                                            .iter()
                                            .map(|(ns, label)| {
                                                let left = 100.0 * t.fraction(*ns);
                                                view! { <span class="tick" style:left=format!("{left:.2}%")>{label.clone()}</span> }
                                            })
                                            .collect_view()}
                                    </div>
                                </div>
                            </div>
                            <p class="timeline-now">{move || format!("Cursor at {} of {}", duration(clock_ns.get()), duration(end_ns))}</p>
                        }
                        .into_any()
                    }
                }}
            </div>
        </section>
    }
}

fn body_height(t: &Timeline) -> f64 {
    match &t.body {
        TimelineBody::Lanes(lanes) => (lanes.len().max(1) as f64) * LANE_HEIGHT,
        TimelineBody::Aggregate(_) => 2.0 * AGGREGATE_HEIGHT,
    }
}

fn summary(t: &Timeline) -> String {
    match &t.body {
        TimelineBody::Lanes(lanes) => format!("Timeline of {} tasks over {}", lanes.len(), duration(t.end_ns)),
        TimelineBody::Aggregate(a) => format!("Aggregate timeline of {} tasks over {}", a.tasks, duration(t.end_ns)),
    }
}

fn labels(t: &Timeline, polling: Memo<Option<u32>>) -> AnyView {
    match &t.body {
        TimelineBody::Lanes(lanes) => lanes
            .iter()
            .map(|lane| {
                let task = lane.task;
                view! { <div class="lane-label" class:active=move || polling.get() == Some(task)>{format!("{} #{task}", lane.name)}</div> }
            })
            .collect_view()
            .into_any(),
        TimelineBody::Aggregate(a) => view! {
            <div class="lane-label agg">{format!("polls ({} tasks)", a.tasks)}</div>
            <div class="lane-label agg">"pending timers"</div>
        }
        .into_any(),
    }
}

fn body(t: &Timeline) -> AnyView {
    let x = |ns: u64| WIDTH * t.fraction(ns);
    match &t.body {
        TimelineBody::Lanes(lanes) => lanes
            .iter()
            .enumerate()
            .map(|(i, lane)| lane_view(lane, i, &x))
            .collect_view()
            .into_any(),
        TimelineBody::Aggregate(a) => aggregate_view(a).into_any(),
    }
}

fn lane_view(lane: &Lane, i: usize, x: &dyn Fn(u64) -> f64) -> impl IntoView {
    let top = i as f64 * LANE_HEIGHT;
    let mid = top + LANE_HEIGHT / 2.0;
    let life_end = lane.end_ns.map_or(WIDTH, x);
    let sleeps = lane
        .sleeps
        .iter()
        .map(|s| {
            let (x1, x2) = (x(s.from_ns), x(s.to_ns));
            view! { <rect class="sleep" x=x1 y=mid - 5.0 width=(x2 - x1).max(1.5) height="10" rx="3"></rect> }
        })
        .collect_view();
    let work = lane
        .work
        .iter()
        .map(|w| {
            let (x1, x2) = (x(w.from_ns), x(w.to_ns));
            if w.long {
                view! {
                    <rect class="work long" data-testid="long-poll-mark" x=x1 y=top + 1.0 width=(x2 - x1).max(1.5) height=LANE_HEIGHT - 2.0 rx="2">
                        <title>"This poll blocked the executor (over 8 ms without an await)"</title>
                    </rect>
                }
                .into_any()
            } else {
                view! { <rect class="work" x=x1 y=top + 3.0 width=(x2 - x1).max(1.5) height=LANE_HEIGHT - 6.0 rx="2"></rect> }.into_any()
            }
        })
        .collect_view();
    let polls = lane
        .polls
        .iter()
        .map(|p| {
            let px = x(p.time_ns).clamp(1.0, WIDTH - 1.0);
            view! { <line class="poll" x1=px x2=px y1=top + 3.0 y2=top + LANE_HEIGHT - 3.0></line> }
        })
        .collect_view();
    view! {
        <g class="lane">
            <rect class=if i.is_multiple_of(2) { "lane-bg even" } else { "lane-bg odd" } x="0" y=top width=WIDTH height=LANE_HEIGHT></rect>
            <line class="life" x1=x(lane.spawn_ns) x2=life_end y1=mid y2=mid></line>
            {sleeps}
            {work}
            {polls}
        </g>
    }
}

fn aggregate_view(a: &Aggregate) -> impl IntoView {
    let buckets = a.polls.len().max(1) as f64;
    let w = WIDTH / buckets;
    let polls_max = a.polls.iter().copied().max().unwrap_or(0).max(1) as f64;
    let pending_max = a.pending.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bars = |values: &[u32], max: f64, top: f64, class: &'static str| {
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .map(|(i, v)| {
                let h = (AGGREGATE_HEIGHT - 6.0) * (*v as f64) / max;
                view! { <rect class=class x=i as f64 * w y=top + AGGREGATE_HEIGHT - 3.0 - h width=(w - 1.0).max(0.5) height=h></rect> }
            })
            .collect_view()
    };
    view! {
        <g class="aggregate">
            <rect class="lane-bg even" x="0" y="0" width=WIDTH height=AGGREGATE_HEIGHT></rect>
            <rect class="lane-bg odd" x="0" y=AGGREGATE_HEIGHT width=WIDTH height=AGGREGATE_HEIGHT></rect>
            {bars(&a.polls, polls_max, 0.0, "agg-polls")}
            {bars(&a.pending, pending_max, AGGREGATE_HEIGHT, "agg-pending")}
        </g>
    }
}
