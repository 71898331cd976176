//! Events in words: the one describer the CLI, the app and every report use.
//!
//! An event is described as a *subject* (a task as `popcorn #2`, a timer, the
//! clock, the run), an *action* (`poll → pending`) and a *kind*, a short
//! word that groups events for display (`poll`, `wake`, `timer`, …; the app
//! uses it as a CSS class). [`describe_record`] joins them into the line the
//! CLI prints: `t=3.000s  popcorn #2  poll → pending`.
//!
//! Every side-table fact the trace keeps (names, parents, deadlines, owners,
//! panic and check messages) appears in the text, so two events with the same
//! text are the same event; only a printed text is shown clipped, to
//! [`PRINTED_CHARS_SHOWN`] characters (its whole text:
//! [`Trace::printed_text`]). Control characters in names and messages are
//! escaped: one event is always one line.
//! Times inside event text are exact ([`format_time_ns`]); [`duration`] is the
//! rounder form for labels and axes.
//!
//! The other words of the product live here too — a task's label, a
//! resource's kind and operation, why a run ended — so the CLI and the page
//! never name the same thing differently.

use std::borrow::Cow;

use crate::task::TaskId;
use crate::timer::TimerId;
use crate::trace::{
    CancelCause, DropCause, EndReason, Event, EventRecord, ExitReason, FaultKind, PollResult, ResourceId, ResourceKind,
    ResourceOp, Trace,
};
use crate::waker::WakeSource;

/// One event in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Words {
    /// A short word grouping the event for display: `spawn`, `poll`,
    /// `pending`, `ready`, `wake`, `timer`, `fire`, `clock`, `done`, `cancel`,
    /// `panic`, `work`, `long`, `resource`, `link`, `exit`, `trap`, `kill`,
    /// `fault`, `check`, `print`, `end`.
    pub kind: &'static str,
    /// Who or what the event is about: `popcorn #2`, `timer 3 (popcorn)`, `clock`, `run`.
    pub subject: String,
    /// What happened: `poll → pending`, `← woken by timer 3 (popcorn)`.
    pub action: String,
    /// Where in the program, when the trace knows: `waits at src/main.rs:14:9`
    /// for a poll that ended pending, `at src/main.rs:9:5` for a call.
    pub place: Option<String>,
}

impl Words {
    /// Subject and action as one sentence: `popcorn #2 poll → pending`.
    pub fn sentence(&self) -> String {
        format!("{} {}", self.subject, self.action)
    }

    /// The action, followed by the place when known:
    /// `poll → pending  waits at src/main.rs:14:9`.
    pub fn action_and_place(&self) -> String {
        match &self.place {
            Some(place) => format!("{}  {place}", self.action),
            None => self.action.clone(),
        }
    }
}

/// Characters of a printed text an event's words show; longer ones end in `…`.
pub const PRINTED_CHARS_SHOWN: usize = 120;

/// Where event `record` was asked for, in words: `waits at …` for a poll
/// that ended pending, `at …` for anything else with a location.
pub fn place(trace: &Trace, record: &EventRecord) -> Option<String> {
    let site = trace.site(record.seq as usize)?;
    Some(match record.event {
        Event::PollEnded { .. } => format!("waits at {site}"),
        _ => format!("at {site}"),
    })
}

/// A virtual time in seconds, exactly, as precise as it needs to be:
/// `3.000s`, `0.000250s`, `1.000000001s`.
///
/// ```
/// use wakescope::describe::format_time_ns;
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

/// A virtual duration for people, to three decimals at most: `0 s`,
/// `250 ms`, `3 s`, `2.5 s`, `1 h 2 min 5 s`.
///
/// ```
/// use wakescope::describe::duration;
/// assert_eq!(duration(2_500_000_000), "2.5 s");
/// assert_eq!(duration(3_725_000_000_000), "1 h 2 min 5 s");
/// ```
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

/// One event as a line: `t=<time>  <subject>  <action>`, then the place in
/// the program when the trace knows it (`at src/main.rs:4:20`).
///
/// ```
/// use wakescope::{describe::describe_record, Config, Sim};
/// let mut sim = Sim::new(Config::seeded(1));
/// let _popcorn = sim.spawn("popcorn", async {});
/// sim.run();
/// let trace = sim.trace();
/// let lines: Vec<String> = trace.iter().map(|r| describe_record(&trace, &r)).collect();
/// assert!(lines[0].starts_with("t=0.000s  popcorn #0  spawned  at "));
/// assert_eq!(lines[2], "t=0.000s  popcorn #0  poll → ready");
/// ```
pub fn describe_record(trace: &Trace, record: &EventRecord) -> String {
    let words = describe(trace, record);
    format!(
        "t={}  {}  {}",
        format_time_ns(record.time_ns),
        words.subject,
        words.action_and_place()
    )
}

/// The subject and the action of one event, e.g. `("popcorn #2", "poll → pending")`.
pub fn describe_event(trace: &Trace, record: &EventRecord) -> (String, String) {
    let words = describe(trace, record);
    (words.subject, words.action)
}

/// One event in words.
///
/// Every event kind is listed here, once: a new kind is a compile error
/// until it has words.
pub fn describe(trace: &Trace, record: &EventRecord) -> Words {
    let task = |t: TaskId| task_label(trace, t);
    let maybe_task = |t: Option<TaskId>| t.map_or_else(|| "outside".to_string(), task);
    let place = place(trace, record);
    let words = |kind, subject: String, action: String| Words {
        kind,
        subject,
        action,
        place: place.clone(),
    };
    match record.event {
        Event::Spawned { task: t } => {
            let parent = trace.task(t).and_then(|i| i.parent);
            let by = parent.map(|p| format!(" by {}", task(p))).unwrap_or_default();
            words("spawn", task(t), format!("spawned{by}"))
        }
        Event::PollStarted { task: t, pick } => {
            let from = if pick.index == 0 {
                String::new()
            } else {
                format!(" (picked at place {} of the ready queue)", pick.index + 1)
            };
            words("poll", task(t), format!("poll{from}"))
        }
        Event::Delayed { task: t, .. } => words(
            "fault",
            task(t),
            "fault injected: delayed instead of polled, back to the end of the ready queue".to_string(),
        ),
        Event::PollEnded { task: t, result } => match result {
            PollResult::Ready => words("ready", task(t), "poll → ready".to_string()),
            PollResult::Pending => words("pending", task(t), "poll → pending".to_string()),
        },
        Event::Woken { task: t, source } => {
            let by = match source {
                WakeSource::Outside => "from outside the run".to_string(),
                other => format!("by {}", source_label(trace, other)),
            };
            words("wake", task(t), format!("← woken {by}"))
        }
        Event::TimerArmed { timer } => {
            let info = trace.timer(timer);
            let owner = maybe_task(info.and_then(|i| i.owner));
            let when = info
                .map(|i| format!(" for t={}", format_time_ns(i.deadline_ns)))
                .unwrap_or_default();
            words("timer", owner, format!("arms {timer}{when}"))
        }
        Event::TimerFired { timer } => words("fire", timer_label(trace, timer), "fires".to_string()),
        Event::TimerCancelled { timer } => words(
            "timer",
            timer_label(trace, timer),
            "cancelled before its deadline".to_string(),
        ),
        Event::ClockAdvanced { to_ns } => words("clock", "clock".to_string(), format!("→ t={}", format_time_ns(to_ns))),
        Event::Completed { task: t } => words("done", task(t), "completed".to_string()),
        Event::Cancelled { task: t, cause } => words("cancel", task(t), format!("cancelled ({})", cancel_cause(cause))),
        Event::Panicked { task: t } => {
            let message = trace
                .panic_message(t)
                .map(|m| format!(": {}", one_line(m)))
                .unwrap_or_default();
            words("panic", task(t), format!("panicked{message}"))
        }
        Event::Worked { task: t, to_ns } => words(
            "work",
            task(t),
            format!("works on the CPU until t={}", format_time_ns(to_ns)),
        ),
        Event::LongPoll { task: t } => words(
            "long",
            task(t),
            format!(
                "blocked the executor (a poll over {})",
                duration(crate::LONG_POLL.as_nanos() as u64)
            ),
        ),
        Event::FutureDropped { task: t, cause } => {
            let cause = match cause {
                DropCause::Timeout => "its timeout ran out",
                DropCause::Select => "another select branch won",
            };
            words("cancel", task(t), format!("dropped a future: {cause}"))
        }
        Event::ResourceCreated { resource } => {
            let what = match trace.resource(resource) {
                Some(info) => {
                    let capacity = if info.capacity > 0 {
                        format!(" (capacity {})", info.capacity)
                    } else {
                        String::new()
                    };
                    format!("created: {}{capacity}", resource_kind(info.kind))
                }
                None => "created".to_string(),
            };
            words("resource", resource_label(trace, resource), what)
        }
        Event::Resource { resource, task: t, op } => words(
            "resource",
            maybe_task(t),
            format!("{} {}", resource_op(op), resource_label(trace, resource)),
        ),
        Event::Linked { task: t, peer } => words("link", task(t), format!("linked to {}", task(peer))),
        Event::Exited { task: t, reason } => {
            let reason = match reason {
                ExitReason::Normal => "normal",
                ExitReason::Error => "error",
                ExitReason::Killed => "killed",
            };
            words("exit", task(t), format!("exits ({reason})"))
        }
        Event::ExitTrapped { task: t, from } => words("trap", task(t), format!("traps the exit of {}", task(from))),
        Event::ExitKilled { task: t, from } => words("kill", task(t), format!("killed by the exit of {}", task(from))),
        Event::Fault { task: t, fault } => {
            let fault = match fault {
                FaultKind::Delay => "delayed instead of polled",
                FaultKind::SpuriousWake => "a spurious wake",
                FaultKind::TimerJitter => "timer jitter",
                FaultKind::Buggify => "a buggify point took its rare branch",
            };
            words(
                "fault",
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
            words(
                "check",
                t.map_or_else(|| "run".to_string(), task),
                format!("invariant check failed{message}"),
            )
        }
        Event::Printed { task: t } => {
            let text = trace.printed_text(record.seq as usize).unwrap_or("");
            words(
                "print",
                maybe_task(t),
                format!("prints {:?}", clip(text, PRINTED_CHARS_SHOWN)),
            )
        }
        Event::Ended { reason } => words("end", "run".to_string(), format!("ended: {}", end_reason(reason))),
    }
}

/// Why a task was cancelled, in a few words.
pub fn cancel_cause(cause: CancelCause) -> &'static str {
    match cause {
        CancelCause::Aborted => "aborted",
        CancelCause::Shutdown => "shut down with the simulation",
        CancelCause::Killed => "killed by a linked task",
        CancelCause::Exited => "ended itself with an exit",
    }
}

/// Why a run ended, in a few words.
pub fn end_reason(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Completed => "every task finished",
        EndReason::Deadlock => "deadlock",
        EndReason::StepsLimit => "step limit reached",
        EndReason::TimeLimit => "virtual-time limit reached",
        EndReason::TasksLimit => "task limit reached",
        EndReason::TimersLimit => "timer limit reached",
        EndReason::CheckFailed => "an invariant check failed",
        EndReason::Panicked => "a task panicked and nothing handled it",
    }
}

/// A resource kind in words: `channel`, `fair mutex`.
pub fn resource_kind(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Channel => "channel",
        ResourceKind::Oneshot => "oneshot",
        ResourceKind::FairMutex => "fair mutex",
        ResourceKind::UnfairMutex => "unfair mutex",
        ResourceKind::Semaphore => "semaphore",
        ResourceKind::Notify => "notify",
        ResourceKind::Mailbox => "mailbox",
        ResourceKind::Condvar => "condvar",
    }
}

/// A resource kind as one token (`fair-mutex`), for attributes and file formats.
pub fn kind_word(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Channel => "channel",
        ResourceKind::Oneshot => "oneshot",
        ResourceKind::FairMutex => "fair-mutex",
        ResourceKind::UnfairMutex => "unfair-mutex",
        ResourceKind::Semaphore => "semaphore",
        ResourceKind::Notify => "notify",
        ResourceKind::Mailbox => "mailbox",
        ResourceKind::Condvar => "condvar",
    }
}

/// An operation as a verb phrase, completed by the resource: `sends to`, `waits for the lock of`.
pub fn resource_op(op: ResourceOp) -> &'static str {
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
        ResourceOp::BlockedOnCondvar => "waits on",
        ResourceOp::NotifyAll => "notifies every waiter of",
    }
}

/// What a blocked task waits for, in a word or two (empty for ops that are not waits).
pub fn wait_word(op: ResourceOp) -> &'static str {
    match op {
        ResourceOp::BlockedOnFull => "room (full)",
        ResourceOp::BlockedOnEmpty => "a message",
        ResourceOp::BlockedOnLock => "the lock",
        ResourceOp::BlockedOnPermit => "a permit",
        ResourceOp::BlockedOnNotify => "a notification",
        ResourceOp::BlockedOnCondvar => "a notification (condvar)",
        _ => "",
    }
}

/// A resource as `channel 3 "jobs"` (`resource 3` if the trace does not know it).
pub fn resource_label(trace: &Trace, resource: ResourceId) -> String {
    match trace.resource(resource) {
        Some(info) => format!("{} {} {:?}", resource_kind(info.kind), resource.0, info.name),
        None => format!("resource {}", resource.0),
    }
}

/// A task as `name #id` (`#id` alone if the trace does not know it).
pub fn task_label(trace: &Trace, task: TaskId) -> String {
    match trace.task(task) {
        Some(info) => format!("{} {task}", one_line(info.name)),
        None => task.to_string(),
    }
}

/// A task's name (`#id` if the trace does not know it).
pub fn task_name(trace: &Trace, task: TaskId) -> String {
    trace
        .task(task)
        .map_or_else(|| task.to_string(), |info| one_line(info.name).into_owned())
}

/// A timer as `timer N (owner)`.
pub fn timer_label(trace: &Trace, timer: TimerId) -> String {
    match trace.timer(timer).and_then(|info| info.owner) {
        Some(owner) => format!("{timer} ({})", task_name(trace, owner)),
        None => timer.to_string(),
    }
}

/// Who woke: a task label, a timer label, or `outside the run`.
pub fn source_label(trace: &Trace, source: WakeSource) -> String {
    match source {
        WakeSource::Task(task) => task_label(trace, task),
        WakeSource::Timer(timer) => timer_label(trace, timer),
        WakeSource::Outside => "outside the run".to_string(),
    }
}

/// At most `chars_max` characters of `text`, with an ellipsis when cut.
///
/// ```
/// assert_eq!(wakescope::describe::clip("äbcd", 2), "äb…");
/// ```
pub fn clip(text: &str, chars_max: usize) -> String {
    if text.chars().count() <= chars_max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(chars_max).collect();
    out.push('…');
    out
}

/// The text with control characters (newlines, escapes) written as escapes.
pub fn one_line(text: &str) -> Cow<'_, str> {
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

    #[test]
    fn control_characters_never_break_the_line() {
        assert_eq!(one_line("plain"), "plain");
        assert_eq!(one_line("two\nlines\u{1b}[31m"), "two\\nlines\\u{1b}[31m");
    }

    #[test]
    fn the_long_poll_threshold_comes_from_the_constant() {
        let mut sim = crate::Sim::new(crate::Config::seeded(1));
        let _cruncher = sim.spawn("cruncher", async {
            crate::work(std::time::Duration::from_millis(20)).await
        });
        sim.run();
        let trace = sim.trace();
        let long = trace
            .iter()
            .find(|r| matches!(r.event, Event::LongPoll { .. }))
            .expect("a 20 ms poll is long");
        let words = describe(&trace, &long);
        assert_eq!(words.kind, "long");
        assert_eq!(words.sentence(), "cruncher #0 blocked the executor (a poll over 8 ms)");
    }
}
