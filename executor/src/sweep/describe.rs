//! Events in words, one line each: `t=3.000s  #2 popcorn  poll → pending`.
//!
//! Used where a person reads events as text: the first divergence of a
//! determinism check, and the command-line timeline. A line names its
//! *subject* (a task as `#id name`, a timer, the clock, the run) and its
//! *action*; [`describe_event`] returns the two apart so a caller can align
//! them in columns. Every side-table fact the trace keeps (names, parents,
//! deadlines, owners, panic messages) appears in the text, so two events
//! with the same text are the same event. Control characters in names and
//! messages are escaped: one event is always one line.

use std::borrow::Cow;

use crate::task::TaskId;
use crate::trace::{
    CancelCause, DropCause, EndReason, Event, EventRecord, ExitReason, FaultKind, PollResult, ResourceId, ResourceKind,
    ResourceOp, Trace,
};
use crate::waker::WakeSource;

/// A virtual time in seconds, as precise as it needs to be: `3.000s`,
/// `0.000250s`, `1.000000001s`.
///
/// ```
/// use wakescope::sweep::format_time_ns;
/// assert_eq!(format_time_ns(3_000_000_000), "3.000s");
/// assert_eq!(format_time_ns(250_000), "0.000250s");
/// assert_eq!(format_time_ns(1_000_000_001), "1.000000001s");
/// ```
pub fn format_time_ns(ns: u64) -> String {
    let (secs, frac) = (ns / 1_000_000_000, ns % 1_000_000_000);
    if frac % 1_000_000 == 0 {
        format!("{secs}.{:03}s", frac / 1_000_000)
    } else if frac % 1_000 == 0 {
        format!("{secs}.{:06}s", frac / 1_000)
    } else {
        format!("{secs}.{frac:09}s")
    }
}

/// One event as a line: `t=<time>  <subject>  <action>`.
///
/// ```
/// use wakescope::{sweep::describe_record, Config, Sim};
/// let mut sim = Sim::new(Config::seeded(1));
/// let _popcorn = sim.spawn("popcorn", async {});
/// sim.run();
/// let trace = sim.trace();
/// let lines: Vec<String> = trace.iter().map(|r| describe_record(&trace, &r)).collect();
/// assert_eq!(lines[0], "t=0.000s  #0 popcorn  spawned");
/// assert_eq!(lines[2], "t=0.000s  #0 popcorn  poll → ready");
/// ```
pub fn describe_record(trace: &Trace, record: &EventRecord) -> String {
    let (subject, action) = describe_event(trace, record);
    format!("t={}  {subject}  {action}", format_time_ns(record.time_ns))
}

/// The subject and the action of one event, e.g. `("#2 popcorn", "poll → pending")`.
///
/// Every event kind is listed here, once: a new kind is a compile error
/// until it has words.
pub fn describe_event(trace: &Trace, record: &EventRecord) -> (String, String) {
    let task = |t: TaskId| task_label(trace, t);
    let maybe_task = |t: Option<TaskId>| t.map_or_else(|| "outside".to_string(), task);
    match record.event {
        Event::Spawned { task: t } => {
            let parent = trace.task(t).and_then(|i| i.parent);
            let by = parent.map(|p| format!(" by {}", task(p))).unwrap_or_default();
            (task(t), format!("spawned{by}"))
        }
        Event::PollStarted { task: t } => (task(t), "poll".to_string()),
        Event::PollEnded { task: t, result } => {
            let result = match result {
                PollResult::Ready => "ready",
                PollResult::Pending => "pending",
            };
            (task(t), format!("poll → {result}"))
        }
        Event::Woken { task: t, source } => {
            let by = match source {
                WakeSource::Task(s) => format!("by {}", task(s)),
                WakeSource::Timer(m) => format!("by {m}"),
                WakeSource::Outside => "from outside the run".to_string(),
            };
            (task(t), format!("← woken {by}"))
        }
        Event::TimerArmed { timer } => {
            let info = trace.timer(timer);
            let owner = maybe_task(info.and_then(|i| i.owner));
            let when = info
                .map(|i| format!(" for t={}", format_time_ns(i.deadline_ns)))
                .unwrap_or_default();
            (owner, format!("arms {timer}{when}"))
        }
        Event::TimerFired { timer } => (timer.to_string(), "fires".to_string()),
        Event::TimerCancelled { timer } => (timer.to_string(), "cancelled before its deadline".to_string()),
        Event::ClockAdvanced { to_ns } => ("clock".to_string(), format!("→ t={}", format_time_ns(to_ns))),
        Event::Completed { task: t } => (task(t), "completed".to_string()),
        Event::Cancelled { task: t, cause } => {
            let cause = match cause {
                CancelCause::Aborted => "aborted",
                CancelCause::Shutdown => "shut down with the simulation",
                CancelCause::Killed => "killed by a linked task",
                CancelCause::Exited => "ended itself with an exit",
            };
            (task(t), format!("cancelled ({cause})"))
        }
        Event::Panicked { task: t } => {
            let message = trace
                .panic_message(t)
                .map(|m| format!(": {}", one_line(m)))
                .unwrap_or_default();
            (task(t), format!("panicked{message}"))
        }
        Event::Worked { task: t, to_ns } => (task(t), format!("works on the CPU until t={}", format_time_ns(to_ns))),
        Event::LongPoll { task: t } => (task(t), "blocked the executor (a long poll)".to_string()),
        Event::FutureDropped { task: t, cause } => {
            let cause = match cause {
                DropCause::Timeout => "its timeout ran out",
                DropCause::Select => "another select branch won",
            };
            (task(t), format!("dropped a future: {cause}"))
        }
        Event::ResourceCreated { resource } => {
            let what = match trace.resource(resource) {
                Some(info) => {
                    let capacity = if info.capacity > 0 {
                        format!(" (capacity {})", info.capacity)
                    } else {
                        String::new()
                    };
                    format!("created: {} {:?}{capacity}", resource_kind(info.kind), info.name)
                }
                None => "created".to_string(),
            };
            (resource_label(trace, resource), what)
        }
        Event::Resource { resource, task: t, op } => (
            maybe_task(t),
            format!("{} {}", resource_op(op), resource_label(trace, resource)),
        ),
        Event::Linked { task: t, peer } => (task(t), format!("linked to {}", task(peer))),
        Event::Exited { task: t, reason } => {
            let reason = match reason {
                ExitReason::Normal => "normal",
                ExitReason::Error => "error",
                ExitReason::Killed => "killed",
            };
            (task(t), format!("exits ({reason})"))
        }
        Event::ExitTrapped { task: t, from } => (task(t), format!("traps the exit of {}", task(from))),
        Event::ExitKilled { task: t, from } => (task(t), format!("killed by the exit of {}", task(from))),
        Event::Fault { task: t, fault } => {
            let fault = match fault {
                FaultKind::Delay => "delayed instead of polled",
                FaultKind::SpuriousWake => "a spurious wake",
                FaultKind::TimerJitter => "timer jitter",
                FaultKind::Buggify => "a buggify point took its rare branch",
            };
            (
                t.map_or_else(|| "run".to_string(), task),
                format!("fault injected: {fault}"),
            )
        }
        Event::CheckFailed { task: t } => {
            // Messages are stored in order: this is the message of the n-th failed check.
            let n = trace
                .iter()
                .take(record.seq as usize)
                .filter(|r| matches!(r.event, Event::CheckFailed { .. }))
                .count();
            let message = trace
                .check_message(n)
                .map(|m| format!(": {}", one_line(m)))
                .unwrap_or_default();
            (
                t.map_or_else(|| "run".to_string(), task),
                format!("invariant check failed{message}"),
            )
        }
        Event::Ended { reason } => ("run".to_string(), format!("ended: {}", end_reason(reason))),
    }
}

/// Why a run ended, in a few words.
fn end_reason(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Completed => "every task finished",
        EndReason::Deadlock => "deadlock",
        EndReason::StepsLimit => "step limit reached",
        EndReason::TimeLimit => "virtual-time limit reached",
        EndReason::TasksLimit => "task limit reached",
        EndReason::TimersLimit => "timer limit reached",
        EndReason::CheckFailed => "an invariant check failed",
    }
}

fn resource_kind(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Channel => "channel",
        ResourceKind::Oneshot => "oneshot",
        ResourceKind::FairMutex => "fair mutex",
        ResourceKind::UnfairMutex => "unfair mutex",
        ResourceKind::Semaphore => "semaphore",
        ResourceKind::Notify => "notify",
        ResourceKind::Mailbox => "mailbox",
    }
}

fn resource_op(op: ResourceOp) -> &'static str {
    match op {
        ResourceOp::Send => "sends to",
        ResourceOp::Recv => "receives from",
        ResourceOp::BlockedOnFull => "waits (full) on",
        ResourceOp::BlockedOnEmpty => "waits (empty) on",
        ResourceOp::Lock => "locks",
        ResourceOp::Unlock => "unlocks",
        ResourceOp::BlockedOnLock => "waits for the lock of",
        ResourceOp::Acquire => "acquires a permit of",
        ResourceOp::Release => "releases a permit of",
        ResourceOp::BlockedOnPermit => "waits for a permit of",
        ResourceOp::Notify => "notifies",
        ResourceOp::BlockedOnNotify => "waits for",
        ResourceOp::GaveUp => "stops waiting on",
        ResourceOp::Closed => "closes",
    }
}

/// A resource as `resource 3 "jobs"`.
fn resource_label(trace: &Trace, resource: ResourceId) -> String {
    match trace.resource(resource) {
        Some(info) => format!("resource {} {:?}", resource.0, info.name),
        None => format!("resource {}", resource.0),
    }
}

/// A task as `#id name` (`#id` alone if the trace does not know it).
fn task_label(trace: &Trace, task: TaskId) -> String {
    match trace.task(task) {
        Some(info) => format!("{task} {}", one_line(info.name)),
        None => task.to_string(),
    }
}

/// The text with control characters (newlines, escapes) written as escapes.
fn one_line(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .flat_map(|c| {
                    if c.is_control() {
                        c.escape_default().collect::<Vec<_>>()
                    } else {
                        vec![c]
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_as_many_digits_as_they_need() {
        assert_eq!(format_time_ns(0), "0.000s");
        assert_eq!(format_time_ns(10_000_000_000), "10.000s");
        assert_eq!(format_time_ns(1_500_000), "0.001500s");
        assert_eq!(format_time_ns(7), "0.000000007s");
    }

    #[test]
    fn control_characters_never_break_the_line() {
        assert_eq!(one_line("plain"), "plain");
        assert_eq!(one_line("two\nlines\u{1b}[31m"), "two\\nlines\\u{1b}[31m");
    }
}
