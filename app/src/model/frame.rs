//! A frame: what the panels show at one step, ready to render.
//!
//! [`Frame::at`] turns the fold at step k ([`ViewState`]) into rows with
//! names and labels, looking one poll ahead to mark the task the executor
//! will poll next. Long lists are cut to a named maximum; the frame says how
//! many rows it left out, and the panels say so too.

use wakescope::describe::{describe, kind_word, source_label, task_label, task_name, timer_label, wait_word};
use wakescope::view::{self as resources, Phase, Recording, TaskStatus, ViewState};
use wakescope::{Event, EventRecord, TaskId, Trace, WakeSource};

/// Rows shown in the ready queue panel; the rest are counted.
pub const READY_ROWS_MAX: usize = 64;
/// Rows shown in the timers panel; the rest are counted.
pub const TIMER_ROWS_MAX: usize = 64;
/// Rows shown in the tasks table (the first tasks by id); the rest are counted.
pub const TASK_ROWS_MAX: usize = 200;
/// Resources shown in the resources panel.
pub const RESOURCE_ROWS_MAX: usize = 64;
/// Event log rows shown before the current event.
pub const LOG_ROWS_BEFORE: u64 = 60;
/// Event log rows shown after the current event. The log shows events so
/// far; the ready queue's "next" mark is the page's only look ahead.
pub const LOG_ROWS_AFTER: u64 = 0;

/// A runnable task in the ready queue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReadyRow {
    pub task: u32,
    pub name: String,
}

/// A pending timer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TimerRow {
    pub timer: u32,
    /// The task that armed it, if any.
    pub task: Option<u32>,
    /// The owner's name (or "outside").
    pub owner: String,
    pub deadline_ns: u64,
    /// Time left until it fires, from the current clock.
    pub left_ns: u64,
    /// How far the clock is past the deadline: the timer is due but has not
    /// fired yet, because a poll held the executor (CPU work without an await).
    pub late_ns: u64,
    /// The longest time left among the pending timers: the scale of the time-left bars.
    pub span_ns: u64,
}

/// One row of the tasks table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskRow {
    pub task: u32,
    pub name: String,
    pub status: TaskStatus,
    pub polls: u32,
    pub wakes: u32,
    pub busy_ns: u64,
    pub queued_ns: u64,
    pub idle_ns: u64,
    /// Polls that blocked the executor (over 8 ms).
    pub long_polls: u32,
}

/// A task named in the resources panel: id and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskRef {
    pub task: u32,
    pub name: String,
}

/// One resource (channel, oneshot, mutex, semaphore, notify point).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceRow {
    pub resource: u32,
    /// `data-kind`: channel, oneshot, fair-mutex, unfair-mutex, semaphore, notify.
    pub kind: &'static str,
    pub name: String,
    pub holders: Vec<TaskRef>,
    /// In arrival order, with what each waits for.
    pub waiters: Vec<(TaskRef, &'static str)>,
    /// Messages in the buffer (channels, oneshots).
    pub buffered: u32,
    /// A channel's capacity or a semaphore's permits.
    pub capacity: u32,
    /// The buffer or permits in words.
    pub buffer: String,
    pub closed: bool,
}

/// Who woke: a task, a timer, or nothing in the run.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Task(u32),
    Timer(u32),
    Outside,
}

/// One recent wake, for the wakers panel.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WakeRow {
    /// Index of the `Woken` event.
    pub seq: u64,
    pub source: SourceKind,
    pub source_label: String,
    pub task: u32,
    pub task_label: String,
}

/// One event log row.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogRow {
    pub seq: u64,
    pub time_ns: u64,
    /// CSS class: spawn, poll, pending, ready, wake, timer, fire, clock, done, cancel, panic, end.
    pub kind: &'static str,
    pub text: String,
    /// Where in the program the event was asked for, when the trace knows
    /// (`at main.rs:6:9`, `waits at main.rs:18:15`).
    pub place: Option<String>,
}

/// Everything the panels show at one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub step: u64,
    /// Events recorded so far (the run may still be recording).
    pub total: u64,
    pub clock_ns: u64,
    pub phase: Phase,
    /// The task being polled at this step.
    pub polling: Option<(u32, String)>,
    pub ready: Vec<ReadyRow>,
    pub ready_hidden: usize,
    /// The queued task the executor polls next, if the next poll is of a queued task.
    pub next_task: Option<u32>,
    pub timers: Vec<TimerRow>,
    pub timers_hidden: usize,
    pub tasks: Vec<TaskRow>,
    pub tasks_hidden: usize,
    /// Latest first.
    pub wakes: Vec<WakeRow>,
    /// The event applied last (step k shows event k-1 as current).
    pub current: Option<LogRow>,
    /// Resources created so far (mailboxes left out), by id.
    pub resources: Vec<ResourceRow>,
    /// Resources the recorded run creates in all (mailboxes left out), so
    /// the panel is there before the first one is created.
    pub resources_in_run: usize,
}

impl Frame {
    /// The frame at step `k` of `run` (clamped to what is recorded).
    pub fn at(run: &Recording, k: u64) -> Frame {
        run.with_view_at(k, |state| {
            let next = run
                .next_poll(state.step)
                .filter(|t| state.status(*t) == Some(TaskStatus::Scheduled));
            run.with_trace(|trace| Frame::build(state, trace, run.len(), next))
        })
    }

    fn build(state: &ViewState, trace: &Trace, total: u64, next: Option<TaskId>) -> Frame {
        let ready = state
            .ready
            .iter()
            .take(READY_ROWS_MAX)
            .map(|task| ReadyRow {
                task: task.0,
                name: task_name(trace, task),
            })
            .collect();
        let longest_ns = state
            .timers
            .iter()
            .map(|(d, _)| d.saturating_sub(state.clock_ns))
            .max()
            .unwrap_or(0);
        let timers = state
            .timers
            .iter()
            .take(TIMER_ROWS_MAX)
            .map(|&(deadline_ns, timer)| {
                let owner = trace.timer(timer).and_then(|i| i.owner);
                TimerRow {
                    timer: timer.0,
                    task: owner.map(|t| t.0),
                    owner: owner.map_or_else(|| "outside".to_string(), |t| task_name(trace, t)),
                    deadline_ns,
                    left_ns: deadline_ns.saturating_sub(state.clock_ns),
                    late_ns: state.clock_ns.saturating_sub(deadline_ns),
                    span_ns: longest_ns,
                }
            })
            .collect();
        let tasks = state
            .tasks
            .iter()
            .take(TASK_ROWS_MAX)
            .enumerate()
            .map(|(i, t)| {
                let task = TaskId(i as u32);
                let (busy_ns, queued_ns, idle_ns) = t.times_at(state.clock_ns);
                TaskRow {
                    task: task.0,
                    name: task_name(trace, task),
                    status: t.status,
                    polls: t.polls,
                    wakes: t.wakes,
                    busy_ns,
                    queued_ns,
                    idle_ns,
                    long_polls: t.long_polls,
                }
            })
            .collect();
        let wakes = state
            .recent_wakes
            .iter()
            .rev()
            .map(|w| WakeRow {
                seq: w.seq,
                source: match w.source {
                    WakeSource::Task(t) => SourceKind::Task(t.0),
                    WakeSource::Timer(t) => SourceKind::Timer(t.0),
                    WakeSource::Outside => SourceKind::Outside,
                },
                source_label: match w.source {
                    WakeSource::Timer(t) => timer_label(trace, t),
                    other => source_label(trace, other),
                },
                task: w.task.0,
                task_label: task_label(trace, w.task),
            })
            .collect();
        Frame {
            step: state.step,
            total,
            clock_ns: state.clock_ns,
            phase: state.phase,
            polling: state.polling.map(|t| (t.0, task_name(trace, t))),
            ready,
            ready_hidden: state.ready.len().saturating_sub(READY_ROWS_MAX),
            next_task: next.map(|t| t.0),
            timers,
            timers_hidden: state.timers.len().saturating_sub(TIMER_ROWS_MAX),
            tasks,
            tasks_hidden: state.tasks.len().saturating_sub(TASK_ROWS_MAX),
            wakes,
            current: state
                .step
                .checked_sub(1)
                .and_then(|seq| log_row(trace, seq, state.clock_ns)),
            resources: resource_rows(state, trace),
            resources_in_run: (0..trace.resource_count() as u32)
                .filter(|r| {
                    trace
                        .resource(wakescope::ResourceId(*r))
                        .is_some_and(|i| resources::is_shown(i.kind))
                })
                .count(),
        }
    }
}

/// The resources panel's rows: every resource but mailboxes, at most [`RESOURCE_ROWS_MAX`].
fn resource_rows(state: &ViewState, trace: &Trace) -> Vec<ResourceRow> {
    let task_ref = |t: TaskId| TaskRef {
        task: t.0,
        name: task_name(trace, t),
    };
    state
        .resources
        .iter()
        .filter_map(|r| {
            let (kind, name, capacity) = resources::resource_info(trace, r.resource);
            resources::is_shown(kind).then(|| ResourceRow {
                resource: r.resource.0,
                kind: kind_word(kind),
                name,
                holders: r.holders.iter().map(|t| task_ref(*t)).collect(),
                waiters: r.waiters.iter().map(|(t, op)| (task_ref(*t), wait_word(*op))).collect(),
                buffered: r.buffered,
                capacity,
                buffer: resources::buffer_text(r, kind, capacity),
                closed: r.closed,
            })
        })
        .take(RESOURCE_ROWS_MAX)
        .collect()
}

/// The event log rows around step `k`: up to [`LOG_ROWS_BEFORE`] events
/// before it (ending with the current event, `k - 1`) and up to
/// [`LOG_ROWS_AFTER`] after. Virtual times come from the fold at the first row.
pub fn log_window(run: &Recording, k: u64) -> Vec<LogRow> {
    let k = k.min(run.len());
    let from = k.saturating_sub(LOG_ROWS_BEFORE);
    let to = (k + LOG_ROWS_AFTER).min(run.len());
    let mut time_ns = run.clock_at(from);
    run.with_trace(|trace| {
        (from..to)
            .filter_map(|seq| {
                let event = trace.get(seq as usize)?;
                if let Event::ClockAdvanced { to_ns } | Event::Worked { to_ns, .. } = event {
                    time_ns = to_ns;
                }
                Some(log_row_of(trace, EventRecord { seq, time_ns, event }))
            })
            .collect()
    })
}

fn log_row(trace: &Trace, seq: u64, time_ns: u64) -> Option<LogRow> {
    let event = trace.get(seq as usize)?;
    Some(log_row_of(trace, EventRecord { seq, time_ns, event }))
}

fn log_row_of(trace: &Trace, record: EventRecord) -> LogRow {
    let words = describe(trace, &record);
    LogRow {
        seq: record.seq,
        time_ns: record.time_ns,
        kind: words.kind,
        text: words.sentence(),
        place: words.place,
    }
}
