//! Readings taken from a run's trace, shared by the scenarios' checks and reports.
//!
//! A check or a report sees what the app and the CLI see: the trace. These
//! helpers fold it into the few numbers the scenarios talk about — how late
//! a timer fired, how long a task waited for a lock, how long a woken task
//! waited for its poll. Maps are `BTreeMap`s so every reading is in a fixed
//! order. With recording off the trace is empty and every reading is empty.

use std::collections::BTreeMap;

use crate::trace::{Event, ResourceKind, ResourceOp, Trace};
use crate::{Sim, TaskId};

/// The first task spawned with this name.
pub(crate) fn task_named(trace: &Trace, name: &str) -> Option<TaskId> {
    (0..trace.task_count() as u32)
        .map(TaskId)
        .find(|t| trace.task(*t).is_some_and(|i| i.name == name))
}

/// A task's name, or its id when the trace does not know it.
pub(crate) fn name_of(trace: &Trace, task: TaskId) -> String {
    trace
        .task(task)
        .map_or_else(|| task.to_string(), |i| i.name.to_string())
}

/// True when the run recorded a trace (recording was on).
pub(crate) fn recorded(sim: &Sim) -> bool {
    !sim.trace().is_empty()
}

/// How late each timer armed by `owner` fired: `(deadline_ns, late_ns)`, in firing order.
pub(crate) fn timer_lateness(trace: &Trace, owner: TaskId) -> Vec<(u64, u64)> {
    trace
        .iter()
        .filter_map(|r| match r.event {
            Event::TimerFired { timer } => {
                let info = trace.timer(timer)?;
                (info.owner == Some(owner)).then(|| (info.deadline_ns, r.time_ns.saturating_sub(info.deadline_ns)))
            }
            _ => None,
        })
        .collect()
}

/// Every mutex acquisition: `(task, waited_ns)` from its `BlockedOnLock` to
/// its `Lock` (0 when it took a free lock), in the order the locks were taken.
pub(crate) fn lock_waits(trace: &Trace) -> Vec<(TaskId, u64)> {
    let is_mutex = |r| {
        trace
            .resource(r)
            .is_some_and(|i| matches!(i.kind, ResourceKind::FairMutex | ResourceKind::UnfairMutex))
    };
    let mut blocked_since: BTreeMap<TaskId, u64> = BTreeMap::new();
    let mut waits = Vec::new();
    for r in trace.iter() {
        let Event::Resource {
            resource,
            task: Some(task),
            op,
        } = r.event
        else {
            continue;
        };
        if !is_mutex(resource) {
            continue;
        }
        match op {
            ResourceOp::BlockedOnLock => {
                blocked_since.entry(task).or_insert(r.time_ns);
            }
            ResourceOp::Lock => {
                let since = blocked_since.remove(&task).unwrap_or(r.time_ns);
                waits.push((task, r.time_ns - since));
            }
            ResourceOp::GaveUp => {
                blocked_since.remove(&task);
            }
            _ => {}
        }
    }
    waits
}

/// Scheduling latency: for every poll, its task and the virtual time from
/// the moment the task became runnable (spawned or woken) to the poll's start.
pub(crate) fn wake_to_poll(trace: &Trace) -> Vec<(TaskId, u64)> {
    let mut runnable_since: BTreeMap<TaskId, u64> = BTreeMap::new();
    let mut latencies = Vec::new();
    for r in trace.iter() {
        match r.event {
            Event::Spawned { task } | Event::Woken { task, .. } => {
                runnable_since.entry(task).or_insert(r.time_ns);
            }
            Event::PollStarted { task, .. } => {
                if let Some(since) = runnable_since.remove(&task) {
                    latencies.push((task, r.time_ns - since));
                }
            }
            _ => {}
        }
    }
    latencies
}

/// Number of events matching `pred`.
pub(crate) fn count(trace: &Trace, pred: impl Fn(&Event) -> bool) -> usize {
    trace.iter().filter(|r| pred(&r.event)).count()
}

/// A virtual duration for people: `0 s`, `750 ns`, `2.5 µs`, `24 ms`, `1.25 s`, `150 min`.
pub(crate) fn format_ns(ns: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (60_000_000_000, "min"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "µs"),
    ];
    if ns == 0 {
        return "0 s".to_string();
    }
    for (size, unit) in UNITS {
        if ns >= size {
            let whole = ns / size;
            let hundredths = (ns % size) * 100 / size;
            return match hundredths {
                0 => format!("{whole} {unit}"),
                h if h % 10 == 0 => format!("{whole}.{} {unit}", h / 10),
                h => format!("{whole}.{h:02} {unit}"),
            };
        }
    }
    format!("{ns} ns")
}

#[cfg(test)]
mod tests {
    use super::format_ns;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(format_ns(0), "0 s");
        assert_eq!(format_ns(750), "750 ns");
        assert_eq!(format_ns(2_500), "2.5 µs");
        assert_eq!(format_ns(24_000_000), "24 ms");
        assert_eq!(format_ns(1_250_000_000), "1.25 s");
        assert_eq!(format_ns(150 * 60_000_000_000), "150 min");
        assert_eq!(format_ns(1_005_000), "1 ms", "below a hundredth is dropped");
    }
}
