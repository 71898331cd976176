//! Checks every trace must pass, kept apart from the executor they check.

#![allow(dead_code)]

use std::collections::BTreeMap;

use wakescope::{Event, PollResult, ResourceOp, TaskId, TimerId, Trace};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Scheduled,
    Running,
    Idle,
    Finished,
}

/// Replays a trace against the task state machine and the timer rules, and
/// returns the first violation. `context` (scenario and seed) prefixes it.
pub fn check_invariants(trace: &Trace, context: &str) -> Result<(), String> {
    let fail = |seq: u64, what: String| Err(format!("{context}: event {seq}: {what}"));
    let mut tasks: BTreeMap<TaskId, Seen> = BTreeMap::new();
    let mut armed: BTreeMap<TimerId, u64> = BTreeMap::new();
    let mut done_timers: BTreeMap<TimerId, &str> = BTreeMap::new();
    let mut overrun: std::collections::BTreeSet<TimerId> = std::collections::BTreeSet::new();
    let mut last_time = 0;
    for r in trace.iter() {
        if r.time_ns < last_time {
            return fail(r.seq, format!("time went back from {last_time} to {}", r.time_ns));
        }
        last_time = r.time_ns;
        match r.event {
            Event::Spawned { task } => {
                if tasks.insert(task, Seen::Scheduled).is_some() {
                    return fail(r.seq, format!("task {task} spawned twice"));
                }
            }
            Event::PollStarted { task, .. } => match tasks.get(&task) {
                Some(Seen::Scheduled) => {
                    tasks.insert(task, Seen::Running);
                }
                other => return fail(r.seq, format!("task {task} polled while {other:?}, not scheduled")),
            },
            Event::Delayed { task, .. } => {
                if tasks.get(&task) != Some(&Seen::Scheduled) {
                    return fail(r.seq, format!("task {task} delayed while not scheduled"));
                }
            }
            Event::PollEnded { task, result } => {
                if tasks.get(&task) != Some(&Seen::Running) {
                    return fail(r.seq, format!("poll of {task} ended but it was not running"));
                }
                if result == PollResult::Pending {
                    tasks.insert(task, Seen::Idle);
                }
            }
            Event::Woken { task, .. } => match tasks.get(&task) {
                Some(Seen::Idle) => {
                    tasks.insert(task, Seen::Scheduled);
                }
                Some(Seen::Scheduled) => {}
                other => return fail(r.seq, format!("task {task} woken while {other:?}")),
            },
            Event::Completed { task } | Event::Panicked { task } => {
                if tasks.get(&task) != Some(&Seen::Running) {
                    return fail(r.seq, format!("task {task} finished outside its poll"));
                }
                tasks.insert(task, Seen::Finished);
            }
            Event::Cancelled { task, .. } => {
                if tasks.get(&task) == Some(&Seen::Finished) {
                    return fail(r.seq, format!("task {task} cancelled after it finished"));
                }
                tasks.insert(task, Seen::Finished);
            }
            Event::TimerArmed { timer } => {
                let deadline = trace.timer(timer).expect("armed timers are in the table").deadline_ns;
                if deadline <= r.time_ns {
                    return fail(r.seq, format!("{timer} armed for {deadline} ns, not in the future"));
                }
                armed.insert(timer, deadline);
            }
            Event::TimerFired { timer } => {
                let Some(deadline) = armed.remove(&timer) else {
                    return fail(r.seq, format!("{timer} fired but was {:?}", done_timers.get(&timer)));
                };
                // Exactly at the deadline — unless CPU work held the executor
                // past it; then at the first moment the executor was free.
                let late_by_work = overrun.contains(&timer) && r.time_ns > deadline;
                if deadline != r.time_ns && !late_by_work {
                    return fail(
                        r.seq,
                        format!("{timer} fired at {} ns, its deadline is {deadline} ns", r.time_ns),
                    );
                }
                done_timers.insert(timer, "fired");
            }
            Event::TimerCancelled { timer } => {
                if armed.remove(&timer).is_none() {
                    return fail(
                        r.seq,
                        format!("{timer} cancelled but was {:?}", done_timers.get(&timer)),
                    );
                }
                done_timers.insert(timer, "cancelled");
            }
            Event::ClockAdvanced { to_ns } => {
                if let Some((t, d)) = armed.iter().find(|(_, d)| **d < to_ns) {
                    return fail(r.seq, format!("clock jumped to {to_ns} ns past {t}'s deadline {d} ns"));
                }
                if tasks.values().any(|s| *s == Seen::Scheduled) {
                    return fail(r.seq, "clock advanced while a task was runnable".into());
                }
            }
            Event::Worked { task, to_ns } => {
                if tasks.get(&task) != Some(&Seen::Running) {
                    return fail(r.seq, format!("task {task} worked outside its poll"));
                }
                // Work holds the executor: timers due meanwhile fire late, after it.
                overrun.extend(armed.iter().filter(|(_, d)| **d < to_ns).map(|(t, _)| *t));
            }
            Event::Resource {
                task: Some(task), op, ..
            } => {
                let handed_over = matches!(op, ResourceOp::Lock | ResourceOp::Acquire);
                let state = tasks.get(&task);
                if state != Some(&Seen::Running) && !(handed_over && state.is_some()) {
                    return fail(
                        r.seq,
                        format!("task {task} did {op:?} while {state:?}, not in its poll"),
                    );
                }
            }
            Event::LongPoll { .. }
            | Event::FutureDropped { .. }
            | Event::ResourceCreated { .. }
            | Event::Resource { task: None, .. }
            | Event::Linked { .. }
            | Event::Exited { .. }
            | Event::ExitTrapped { .. }
            | Event::ExitKilled { .. }
            | Event::Fault { .. }
            | Event::CheckFailed { .. }
            | Event::Printed { .. }
            | Event::Ended { .. } => {}
        }
    }
    Ok(())
}

/// The line of `source` (a test file's text, from `include_str!`) that ends
/// with `marker`: tests name the lines they expect locations at.
pub fn line_of(source: &str, marker: &str) -> u32 {
    let needle = format!("{marker}\n");
    let at = source
        .find(&needle)
        .unwrap_or_else(|| panic!("no line ends with {marker:?}"));
    source[..at].lines().count() as u32
}
