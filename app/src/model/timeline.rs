//! The timeline: every task's life on the virtual-time axis.
//!
//! Built once from the whole recorded trace (the page knows the future, and
//! shows it dimmed past the cursor). With up to [`TIMELINE_LANES_MAX`] tasks
//! each gets a lane — polls as ticks, sleeps (a timer it armed, from arming
//! to firing) as bars. With more, lanes would be unreadable, so the timeline
//! aggregates: per time bucket, how many polls ran and how many timers were
//! pending.

use wakescope::{Event, EventRecord, TaskId, Trace};

use wakescope::describe::{duration, task_name};

/// Most tasks drawn as lanes of their own; past it the timeline aggregates.
pub const TIMELINE_LANES_MAX: usize = 24;
/// Poll ticks kept per lane (ticks at one instant are merged first).
pub const POLL_MARKS_MAX: usize = 2_000;
/// Sleep bars kept per lane.
pub const SLEEP_BARS_MAX: usize = 2_000;
/// Time buckets of the aggregate view.
pub const AGGREGATE_BUCKETS: usize = 120;
/// Axis ticks aimed for.
const AXIS_TICKS: u64 = 5;

/// Polls of one task at one virtual instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PollMark {
    pub time_ns: u64,
    /// Index of the first `PollStarted` at this instant (seek target: `seq + 1`).
    pub seq: u64,
    /// Polls at this instant.
    pub count: u32,
}

/// A timer armed by the task, from arming to firing or cancelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SleepBar {
    pub from_ns: u64,
    /// When it fired or was cancelled; the end of the run if it never did.
    pub to_ns: u64,
    /// Index of the `TimerArmed` event.
    pub seq: u64,
}

/// CPU work inside a poll: the clock moved while the task held the executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkBar {
    pub from_ns: u64,
    pub to_ns: u64,
    /// The poll ran over 8 ms (a `LongPoll` followed it): it blocked the executor.
    pub long: bool,
}

/// One task's lane.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Lane {
    pub task: u32,
    pub name: String,
    pub spawn_ns: u64,
    /// When it finished, if it did.
    pub end_ns: Option<u64>,
    pub polls: Vec<PollMark>,
    pub sleeps: Vec<SleepBar>,
    pub work: Vec<WorkBar>,
}

/// Activity per time bucket, for runs with many tasks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Aggregate {
    pub tasks: u32,
    /// Polls started in each bucket.
    pub polls: Vec<u32>,
    /// Timers pending at each bucket's start.
    pub pending: Vec<u32>,
}

/// What the timeline draws.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TimelineBody {
    Lanes(Vec<Lane>),
    Aggregate(Aggregate),
}

/// The timeline of a recorded trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timeline {
    /// The axis spans `0..=end_ns` (at least 1 ns).
    pub end_ns: u64,
    pub body: TimelineBody,
    /// Axis ticks: time and label.
    pub ticks: Vec<(u64, String)>,
}

impl Timeline {
    /// The timeline of `trace`, in one go (see [`TimelineBuilder`] to build
    /// it a slice at a time).
    pub fn build(trace: &Trace) -> Timeline {
        let mut builder = TimelineBuilder::new(trace);
        while !builder.feed(trace, usize::MAX) {}
        builder.finish()
    }

    /// Where `time_ns` lies on the axis, from 0.0 to 1.0.
    pub fn fraction(&self, time_ns: u64) -> f64 {
        (time_ns.min(self.end_ns) as f64) / (self.end_ns as f64)
    }
}

/// A timeline being built from a finished trace, a bounded number of events
/// at a time: the page builds a million-task run's over several slices
/// rather than in one long task.
pub struct TimelineBuilder {
    end_ns: u64,
    /// The next event to read, and the virtual time before it.
    next: usize,
    time_ns: u64,
    body: Building,
}

enum Building {
    Lanes {
        lanes: Vec<Lane>,
        /// Open sleeps by timer id: (lane, index of its bar).
        open: Vec<Option<(usize, usize)>>,
    },
    Aggregate {
        tasks: u32,
        polls: Vec<u32>,
        /// +1 where a timer is armed, -1 where it ends; the running sum is what is pending.
        delta: Vec<i64>,
        armed_at: Vec<u64>,
    },
}

impl TimelineBuilder {
    /// Nothing read yet of `trace`, which has ended.
    pub fn new(trace: &Trace) -> TimelineBuilder {
        let end_ns = trace.end_time().as_nanos() as u64;
        let body = if trace.task_count() <= TIMELINE_LANES_MAX {
            Building::Lanes {
                lanes: (0..trace.task_count())
                    .map(|i| Lane {
                        task: i as u32,
                        name: task_name(trace, TaskId(i as u32)),
                        spawn_ns: 0,
                        end_ns: None,
                        polls: Vec::new(),
                        sleeps: Vec::new(),
                        work: Vec::new(),
                    })
                    .collect(),
                open: vec![None; trace.timer_count()],
            }
        } else {
            Building::Aggregate {
                tasks: trace.task_count() as u32,
                polls: vec![0u32; AGGREGATE_BUCKETS],
                delta: vec![0i64; AGGREGATE_BUCKETS + 1],
                armed_at: vec![0; trace.timer_count()],
            }
        };
        TimelineBuilder {
            end_ns,
            next: 0,
            time_ns: trace.start_time().as_nanos() as u64,
            body,
        }
    }

    /// Reads up to `max` more events of `trace` (the one [`TimelineBuilder::new`]
    /// was given); true once every event is read.
    pub fn feed(&mut self, trace: &Trace, max: usize) -> bool {
        let end_ns = self.end_ns;
        let mut read = 0;
        let mut before_ns = self.time_ns;
        for record in trace.iter_from(self.next, self.time_ns).take(max) {
            read += 1;
            let now = record.time_ns;
            let was_ns = std::mem::replace(&mut before_ns, now);
            match &mut self.body {
                Building::Lanes { lanes, open } => lane_event(trace, lanes, open, record, was_ns, end_ns),
                Building::Aggregate {
                    polls, delta, armed_at, ..
                } => aggregate_event(polls, delta, armed_at, record, end_ns),
            }
        }
        self.next += read;
        self.time_ns = before_ns;
        self.next >= trace.len()
    }

    /// The timeline, from what was read.
    pub fn finish(self) -> Timeline {
        let body = match self.body {
            Building::Lanes { lanes, .. } => TimelineBody::Lanes(lanes),
            Building::Aggregate {
                tasks, polls, delta, ..
            } => {
                let mut pending = Vec::with_capacity(AGGREGATE_BUCKETS);
                let mut sum = 0i64;
                for d in delta.iter().take(AGGREGATE_BUCKETS) {
                    sum += d;
                    pending.push(sum.max(0) as u32);
                }
                TimelineBody::Aggregate(Aggregate { tasks, polls, pending })
            }
        };
        Timeline {
            end_ns: self.end_ns.max(1),
            body,
            ticks: ticks(self.end_ns),
        }
    }
}

/// One event into the lanes; `was_ns` is the time before it.
fn lane_event(
    trace: &Trace,
    lanes: &mut [Lane],
    open: &mut [Option<(usize, usize)>],
    record: EventRecord,
    was_ns: u64,
    end_ns: u64,
) {
    let now = record.time_ns;
    match record.event {
        Event::Worked { task, to_ns } => {
            let work = &mut lanes[task.index()].work;
            if work.len() < SLEEP_BARS_MAX {
                work.push(WorkBar {
                    from_ns: was_ns,
                    to_ns,
                    long: false,
                });
            }
        }
        Event::LongPoll { task } => {
            if let Some(bar) = lanes[task.index()].work.last_mut() {
                bar.long = true;
            }
        }
        Event::Spawned { task } => lanes[task.index()].spawn_ns = now,
        Event::PollStarted { task, .. } => {
            let polls = &mut lanes[task.index()].polls;
            let full = polls.len() >= POLL_MARKS_MAX;
            match polls.last_mut() {
                Some(last) if last.time_ns == now => last.count += 1,
                _ if !full => polls.push(PollMark {
                    time_ns: now,
                    seq: record.seq,
                    count: 1,
                }),
                _ => {}
            }
        }
        Event::TimerArmed { timer } => {
            let Some(owner) = trace.timer(timer).and_then(|i| i.owner) else {
                return;
            };
            let sleeps = &mut lanes[owner.index()].sleeps;
            if sleeps.len() < SLEEP_BARS_MAX {
                open[timer.index()] = Some((owner.index(), sleeps.len()));
                sleeps.push(SleepBar {
                    from_ns: now,
                    to_ns: end_ns,
                    seq: record.seq,
                });
            }
        }
        Event::TimerFired { timer } | Event::TimerCancelled { timer } => {
            if let Some((lane, bar)) = open[timer.index()].take() {
                lanes[lane].sleeps[bar].to_ns = now;
            }
        }
        Event::Completed { task } | Event::Panicked { task } | Event::Cancelled { task, .. } => {
            lanes[task.index()].end_ns.get_or_insert(now);
        }
        _ => {}
    }
}

/// One event into the aggregate's buckets over `0..=end_ns`.
fn aggregate_event(polls: &mut [u32], delta: &mut [i64], armed_at: &mut [u64], record: EventRecord, end_ns: u64) {
    let span = end_ns.max(1);
    let bucket =
        |t: u64| (((t as u128) * (AGGREGATE_BUCKETS as u128 - 1) / span as u128) as usize).min(AGGREGATE_BUCKETS - 1);
    match record.event {
        Event::PollStarted { .. } => {
            let b = bucket(record.time_ns);
            polls[b] = polls[b].saturating_add(1);
        }
        Event::TimerArmed { timer } => {
            armed_at[timer.index()] = record.time_ns;
            delta[bucket(record.time_ns)] += 1;
        }
        Event::TimerFired { timer } | Event::TimerCancelled { timer } => {
            let from = bucket(armed_at[timer.index()]);
            let to = bucket(record.time_ns).max(from + 1);
            delta[to] -= 1;
        }
        _ => {}
    }
}

/// Round axis ticks from 0 to about `end_ns`: steps of 1, 2 or 5 × 10ⁿ ns.
fn ticks(end_ns: u64) -> Vec<(u64, String)> {
    if end_ns == 0 {
        return vec![(0, duration(0))];
    }
    let raw = end_ns.div_ceil(AXIS_TICKS).max(1);
    let mut unit = 1u64;
    let step = loop {
        if let Some(s) = [1u64, 2, 5].iter().map(|m| m.saturating_mul(unit)).find(|s| *s >= raw) {
            break s;
        }
        unit = unit.saturating_mul(10);
    };
    (0..)
        .map(|i: u64| i * step)
        .take_while(|t| *t <= end_ns)
        .map(|t| (t, duration(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        let labels: Vec<String> = ticks(10_000_000_000).into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["0 s", "2 s", "4 s", "6 s", "8 s", "10 s"]);
        let labels: Vec<String> = ticks(18_000_000_000).into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["0 s", "5 s", "10 s", "15 s"]);
        assert_eq!(ticks(0).len(), 1);
    }
}
