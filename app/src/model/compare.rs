//! Two runs at one step, side by side: the rows the compare view shows for
//! run A (on screen) and run B (the one `&vs=` describes), each marked when
//! the two differ — the clock, the event just applied, the task being
//! polled, the ready queue, and every task's state and polls.

use super::describe::duration;
use super::frame::Frame;

/// One row of the side-by-side view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// What the row is: "clock", "event", "polling", "ready queue", or a task's name and number.
    pub what: String,
    pub a: String,
    pub b: String,
}

impl Row {
    /// True when A and B differ here.
    pub fn differs(&self) -> bool {
        self.a != self.b
    }
}

/// The rows for frames `a` and `b` (of the same step, or of the step each
/// run has when one is shorter). A task only one run has shows "—" in the other.
pub fn side_by_side(a: &Frame, b: &Frame) -> Vec<Row> {
    let event = |f: &Frame| f.current.as_ref().map_or("—".to_string(), |c| c.text.clone());
    let polling = |f: &Frame| {
        f.polling
            .as_ref()
            .map_or("—".to_string(), |(task, name)| format!("{name} #{task}"))
    };
    let ready = |f: &Frame| {
        if f.ready.is_empty() {
            return "empty".to_string();
        }
        let mut names: Vec<String> = f.ready.iter().map(|r| format!("{} #{}", r.name, r.task)).collect();
        if f.ready_hidden > 0 {
            names.push(format!("… {} more", f.ready_hidden));
        }
        names.join(", ")
    };
    let mut rows = vec![
        row("step", a.step.to_string(), b.step.to_string()),
        row("clock", duration(a.clock_ns), duration(b.clock_ns)),
        row("event", event(a), event(b)),
        row("polling", polling(a), polling(b)),
        row("ready queue", ready(a), ready(b)),
    ];
    let mut tasks: Vec<u32> = a.tasks.iter().chain(&b.tasks).map(|t| t.task).collect();
    tasks.sort_unstable();
    tasks.dedup();
    for task in tasks {
        fn find(f: &Frame, task: u32) -> Option<&super::frame::TaskRow> {
            f.tasks.iter().find(|t| t.task == task)
        }
        let state = |f: &Frame| {
            find(f, task).map_or("—".to_string(), |t| {
                format!(
                    "{}, {} poll{}",
                    t.status.as_str(),
                    t.polls,
                    if t.polls == 1 { "" } else { "s" }
                )
            })
        };
        let name = find(a, task)
            .or_else(|| find(b, task))
            .map_or(String::new(), |t| t.name.clone());
        rows.push(row(&format!("{name} #{task}"), state(a), state(b)));
    }
    rows
}

fn row(what: &str, a: String, b: String) -> Row {
    Row {
        what: what.to_string(),
        a,
        b,
    }
}
