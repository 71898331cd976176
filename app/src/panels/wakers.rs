//! Who woke whom: an arrow from each waking source — a task or a timer — to
//! the task it woke, for the latest wakes; the newest is drawn strongest.

use leptos::prelude::*;

use super::{use_session, with_frame};
use crate::model::describe::clip;
use crate::model::{Frame, SourceKind, WakeRow};

const WIDTH: f64 = 300.0;
const ROW_HEIGHT: f64 = 30.0;
const PAD: f64 = 10.0;
const NODE_WIDTH: f64 = 112.0;
const LABEL_CHARS_MAX: usize = 15;

/// The wakers panel.
#[component]
pub fn Wakers() -> impl IntoView {
    let session = use_session();
    view! {
        <section class="panel wakers-panel" aria-labelledby="wakers-title">
            <h2 id="wakers-title">"Wakers"</h2>
            <div data-testid="wakers">
                {move || session.recorder().frame().with(|f| f.as_ref().map(graph))}
            </div>
            <ol class="wake-list" aria-label="Latest wakes, newest first">
                {move || with_frame(session, |f| {
                    f.wakes
                        .iter()
                        .take(3)
                        .map(|w| view! { <li data-task=w.task>{format!("{} woke {}", w.source_label, w.task_label)}</li> })
                        .collect_view()
                })}
            </ol>
        </section>
    }
}

/// A node in one of the two columns.
#[derive(Clone, PartialEq)]
struct Node {
    key: SourceKind,
    label: String,
}

fn index_of(nodes: &mut Vec<Node>, key: SourceKind, label: &str) -> usize {
    if let Some(i) = nodes.iter().position(|n| n.key == key) {
        return i;
    }
    nodes.push(Node {
        key,
        label: clip(label, LABEL_CHARS_MAX),
    });
    nodes.len() - 1
}

/// Sources on the left, woken tasks on the right, an arrow per wake.
fn graph(frame: &Frame) -> AnyView {
    if frame.wakes.is_empty() {
        return view! { <p class="empty">"No wake yet. A task is polled again only after something wakes it."</p> }
            .into_any();
    }
    let mut sources = Vec::new();
    let mut targets = Vec::new();
    let edges: Vec<(usize, usize, &WakeRow)> = frame
        .wakes
        .iter()
        .map(|w| {
            let s = index_of(&mut sources, w.source.clone(), &w.source_label);
            let t = index_of(&mut targets, SourceKind::Task(w.task), &w.task_label);
            (s, t, w)
        })
        .collect();
    let rows = sources.len().max(targets.len()) as f64;
    let height = rows * ROW_HEIGHT + PAD;
    let y = |i: usize| PAD / 2.0 + i as f64 * ROW_HEIGHT + ROW_HEIGHT / 2.0;
    let left_x = PAD + NODE_WIDTH;
    let right_x = WIDTH - PAD - NODE_WIDTH;
    let summary = format!(
        "{} latest wakes; newest: {} woke {}",
        frame.wakes.len(),
        frame.wakes[0].source_label,
        frame.wakes[0].task_label
    );

    // Oldest first, so the newest arrow is drawn on top.
    let arrows = edges
        .iter()
        .enumerate()
        .rev()
        .map(|(age, (s, t, _))| {
            let (y1, y2) = (y(*s), y(*t));
            let mid = (left_x + right_x) / 2.0;
            let d = format!(
                "M{left_x:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {:.1},{y2:.1}",
                right_x - 4.0
            );
            let opacity = if age == 0 {
                1.0
            } else {
                (0.75 - age as f64 * 0.08).max(0.25)
            };
            let class = if age == 0 { "wake-arrow newest" } else { "wake-arrow" };
            view! { <path class=class d=d opacity=opacity.to_string() marker-end="url(#wake-arrowhead)"></path> }
        })
        .collect_view();
    let source_nodes = sources
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let kind = match n.key {
                SourceKind::Timer(_) => "node timer-node",
                SourceKind::Task(_) => "node task-node",
                SourceKind::Outside => "node outside-node",
            };
            node(kind, PAD, y(i), &n.label)
        })
        .collect_view();
    let target_nodes = targets
        .iter()
        .enumerate()
        .map(|(i, n)| node("node task-node", right_x, y(i), &n.label))
        .collect_view();

    view! {
        <svg class="wake-graph" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=summary>
            <defs>
                <marker id="wake-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="arrowhead"></path>
                </marker>
            </defs>
            {arrows}
            {source_nodes}
            {target_nodes}
        </svg>
    }
    .into_any()
}

fn node(class: &'static str, x: f64, y: f64, label: &str) -> impl IntoView {
    view! {
        <g class=class>
            <rect x=x y=y - 11.0 width=NODE_WIDTH height="22" rx="6"></rect>
            <text x=x + 8.0 y=y + 4.0>{label.to_string()}</text>
        </g>
    }
}
