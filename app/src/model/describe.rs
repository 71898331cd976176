//! Words for events, tasks, timers and durations, as the panels show them.
//!
//! Everything here returns plain text; the page puts it in text nodes, never
//! parses it as HTML.

use wakescope::{CancelCause, DropCause, EndReason, Event, PollResult, ResourceOp, TaskId, TimerId, Trace, WakeSource};

/// A task as `name #id` (`#id` alone if the trace does not know it).
pub fn task_label(trace: &Trace, task: TaskId) -> String {
    match trace.task(task) {
        Some(info) => format!("{} #{}", info.name, task.0),
        None => format!("#{}", task.0),
    }
}

/// A task's name (`#id` if the trace does not know it).
pub fn task_name(trace: &Trace, task: TaskId) -> String {
    trace
        .task(task)
        .map_or_else(|| format!("#{}", task.0), |info| info.name.to_string())
}

/// A timer as `timer N (owner)`.
pub fn timer_label(trace: &Trace, timer: TimerId) -> String {
    match trace.timer(timer).and_then(|info| info.owner) {
        Some(owner) => format!("timer {} ({})", timer.0, task_name(trace, owner)),
        None => format!("timer {}", timer.0),
    }
}

/// Who woke: a task label, a timer label, or "outside".
pub fn source_label(trace: &Trace, source: WakeSource) -> String {
    match source {
        WakeSource::Task(task) => task_label(trace, task),
        WakeSource::Timer(timer) => timer_label(trace, timer),
        WakeSource::Outside => "outside the run".to_string(),
    }
}

/// The CSS class and the sentence for one event.
pub fn describe(trace: &Trace, event: Event) -> (&'static str, String) {
    let t = |task| task_label(trace, task);
    match event {
        Event::Spawned { task } => {
            let by = trace
                .task(task)
                .and_then(|i| i.parent)
                .map(|p| format!(" (by {})", t(p)))
                .unwrap_or_default();
            ("spawn", format!("spawn {}{by}", t(task)))
        }
        Event::PollStarted { task } => ("poll", format!("poll {}", t(task))),
        Event::PollEnded {
            task,
            result: PollResult::Pending,
        } => ("pending", format!("{} → Pending", t(task))),
        Event::PollEnded {
            task,
            result: PollResult::Ready,
        } => ("ready", format!("{} → Ready", t(task))),
        Event::Woken { task, source } => ("wake", format!("wake {} ← {}", t(task), source_label(trace, source))),
        Event::TimerArmed { timer } => {
            let when = trace
                .timer(timer)
                .map(|i| format!(": fires at {}", duration(i.deadline_ns)))
                .unwrap_or_default();
            ("timer", format!("arm {}{when}", timer_label(trace, timer)))
        }
        Event::TimerFired { timer } => ("fire", format!("fire {}", timer_label(trace, timer))),
        Event::TimerCancelled { timer } => ("timer", format!("cancel {}", timer_label(trace, timer))),
        Event::ClockAdvanced { to_ns } => ("clock", format!("clock → {}", duration(to_ns))),
        Event::Completed { task } => ("done", format!("{} done", t(task))),
        Event::Cancelled { task, cause } => {
            let why = match cause {
                CancelCause::Aborted => "aborted",
                CancelCause::Shutdown => "shut down",
                CancelCause::Killed => "killed",
                CancelCause::Exited => "it called exit",
            };
            ("cancel", format!("{} cancelled ({why})", t(task)))
        }
        Event::Panicked { task } => {
            let message = trace
                .panic_message(task)
                .map(|m| format!(": {}", clip(m, 120)))
                .unwrap_or_default();
            ("panic", format!("{} panicked{message}", t(task)))
        }
        Event::Ended { reason } => ("end", format!("run ended: {}", end_reason(reason))),
        Event::Worked { task, to_ns } => (
            "work",
            format!("{} works on the CPU until {}", t(task), duration(to_ns)),
        ),
        Event::LongPoll { task } => ("long", format!("{} blocked the executor (a poll over 8 ms)", t(task))),
        Event::FutureDropped { task, cause } => {
            let why = match cause {
                DropCause::Timeout => "its timeout ran out",
                DropCause::Select => "another select branch won",
            };
            ("cancel", format!("{} dropped a future: {why}", t(task)))
        }
        Event::ResourceCreated { resource } => {
            let name = trace.resource(resource).map(|r| clip(r.name, 60)).unwrap_or_default();
            ("resource", format!("create {name}"))
        }
        Event::Resource { resource, task, op } => {
            let name = trace.resource(resource).map(|r| clip(r.name, 60)).unwrap_or_default();
            let who = task.map(t).unwrap_or_else(|| "outside".to_string());
            ("resource", format!("{who}: {} {name}", resource_op(op)))
        }
        Event::Linked { task, peer } => ("link", format!("link {} ↔ {}", t(task), t(peer))),
        Event::Exited { task, reason } => ("exit", format!("{} exits ({reason:?})", t(task))),
        Event::ExitTrapped { task, from } => ("trap", format!("{} traps the exit of {}", t(task), t(from))),
        Event::ExitKilled { task, from } => ("kill", format!("{} killed by the exit of {}", t(task), t(from))),
        Event::Fault { task, fault } => {
            let who = task.map(t).unwrap_or_else(|| "the run".to_string());
            ("fault", format!("fault injected into {who}: {fault:?}"))
        }
        Event::CheckFailed { .. } => ("panic", "an invariant check failed".to_string()),
    }
}

/// A resource operation in a few words.
pub fn resource_op(op: ResourceOp) -> &'static str {
    match op {
        ResourceOp::Send => "send to",
        ResourceOp::Recv => "receive from",
        ResourceOp::BlockedOnFull => "waits (full):",
        ResourceOp::BlockedOnEmpty => "waits (empty):",
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

/// Why the run ended, in a few words.
pub fn end_reason(reason: EndReason) -> &'static str {
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

/// At most `chars_max` characters of `text`, with an ellipsis when cut.
pub fn clip(text: &str, chars_max: usize) -> String {
    if text.chars().count() <= chars_max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(chars_max).collect();
    out.push('…');
    out
}

/// A virtual duration for people: `0 s`, `250 ms`, `3 s`, `2.5 s`, `1 h 2 min 5 s`.
pub fn duration(ns: u64) -> String {
    const US: u64 = 1_000;
    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;
    match ns {
        0 => "0 s".to_string(),
        n if n < US => format!("{n} ns"),
        n if n < MS => format!("{} µs", decimal(n, US)),
        n if n < S => format!("{} ms", decimal(n, MS)),
        n if n < 60 * S => format!("{} s", decimal(n, S)),
        n => {
            let (h, rest) = (n / (3600 * S), n % (3600 * S));
            let (m, rest) = (rest / (60 * S), rest % (60 * S));
            let mut parts = Vec::new();
            if h > 0 {
                parts.push(format!("{h} h"));
            }
            if m > 0 {
                parts.push(format!("{m} min"));
            }
            if rest > 0 {
                parts.push(format!("{} s", decimal(rest, S)));
            }
            parts.join(" ")
        }
    }
}

/// `n / unit` with up to three decimals, trailing zeros dropped.
fn decimal(n: u64, unit: u64) -> String {
    let whole = n / unit;
    let milli = (n % unit) * 1000 / unit;
    if milli == 0 {
        return whole.to_string();
    }
    let frac = format!("{milli:03}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(999), "999 ns");
        assert_eq!(duration(1_500), "1.5 µs");
        assert_eq!(duration(250_000_000), "250 ms");
        assert_eq!(duration(3_000_000_000), "3 s");
        assert_eq!(duration(2_500_000_000), "2.5 s");
        assert_eq!(duration(10_004_000_000), "10.004 s");
        assert_eq!(duration(3_725_000_000_000), "1 h 2 min 5 s");
        assert_eq!(duration(3_600_000_000_000), "1 h");
    }

    #[test]
    fn clip_cuts_on_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("äbcd", 2), "äb…");
    }
}
