//! The scheduling decisions of a recorded run, read back from its trace.
//!
//! A *decision* is a pick from a ready queue that held more than one task
//! (a `poll_started`, or a `delayed` under a delay fault): the only places
//! where one run of a program can differ from another with the same seed.
//! [`decisions`] lists them for any trace — whatever the policy that made
//! them — by replaying the trace's own account of the queue through the view
//! fold ([`ViewState`]), so it needs no knowledge of policies.
//!
//! Each decision is stated the way a [`Schedule`] states it: the picked
//! task's place among the ready tasks **in the order they became ready**
//! (0: the one that waited longest). That order is FIFO's: under FIFO every
//! choice is 0, and a schedule's choices replay with the tasks behind a pick
//! moving up. So [`Schedule::of_run`] turns any run into a schedule that
//! [`crate::Sim::with_schedule`] replays — a random run, a PCT run, a run
//! after a prefix — and a choice other than 0 is a **deviation** from FIFO
//! ([`Schedule::deviations`]), the measure [`crate::shrink`] minimises.
//!
//! The place of a task among the ready ones is kept in a Fenwick tree over
//! the order of arrival, so reading the decisions of a run with a million
//! queued tasks stays O(log n) a pick.

use std::fmt;

use crate::schedule::Schedule;
use crate::task::TaskId;
use crate::trace::{Event, Trace};
use crate::view::{TaskStatus, ViewState};

/// One scheduling decision of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The event that made it (`poll_started` or `delayed`): the step the
    /// app and the CLI show.
    pub seq: u64,
    /// The task picked.
    pub task: TaskId,
    /// Its place among the ready tasks in the order they became ready: the
    /// schedule's choice (0: the task FIFO would pick).
    pub choice: u32,
    /// How many tasks were ready (the alternatives).
    pub ready: u32,
    /// When `choice` > 0: the task FIFO would have picked — the one that
    /// had waited longest — and the event at which it became ready.
    pub passed_over: Option<(TaskId, u64)>,
    /// True for a `delayed` pick: a delay fault put the task back at the end
    /// of the queue instead of polling it.
    pub delayed: bool,
}

/// The tasks that wait in the ready queue, in the order they joined it.
struct Arrivals {
    /// Fenwick tree over arrival numbers (1-based nodes); node `i` counts
    /// the queued arrivals in `(i - lowbit(i), i]`. Its length minus one is
    /// a power of two.
    tree: Vec<u32>,
    /// The task of each arrival, by arrival number.
    tasks: Vec<TaskId>,
    /// The event of each arrival.
    seqs: Vec<u64>,
    /// Each task's arrival number while it is queued, by task index.
    queued: Vec<Option<usize>>,
    /// Every arrival before this one has left the queue.
    front: usize,
    /// Tasks queued.
    len: u32,
}

impl Arrivals {
    fn new() -> Arrivals {
        Arrivals {
            tree: vec![0; 17],
            tasks: Vec::new(),
            seqs: Vec::new(),
            queued: Vec::new(),
            front: 0,
            len: 0,
        }
    }

    fn capacity(&self) -> usize {
        self.tree.len() - 1
    }

    fn add(&mut self, arrival: usize, delta: i32) {
        let mut i = arrival + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add_signed(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// Queued arrivals numbered below `arrival`.
    fn before(&self, arrival: usize) -> u32 {
        let mut i = arrival;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    fn push(&mut self, task: TaskId, seq: u64) {
        let arrival = self.tasks.len();
        if arrival == self.capacity() {
            // Doubling a power-of-two tree: the new nodes below the top
            // cover only new, empty arrivals; the top covers everything.
            let cap = self.capacity() * 2;
            self.tree.resize(cap + 1, 0);
            self.tree[cap] = self.len;
        }
        self.tasks.push(task);
        self.seqs.push(seq);
        if self.queued.len() <= task.index() {
            self.queued.resize(task.index() + 1, None);
        }
        debug_assert!(self.queued[task.index()].is_none(), "{task} is queued once");
        self.queued[task.index()] = Some(arrival);
        self.add(arrival, 1);
        self.len += 1;
    }

    /// Takes `task` out of the queue and returns its place by arrival.
    fn take(&mut self, task: TaskId) -> Option<u32> {
        let arrival = self.queued.get_mut(task.index())?.take()?;
        let place = self.before(arrival);
        self.add(arrival, -1);
        self.len -= 1;
        Some(place)
    }

    /// The task that has waited longest, and the event at which it arrived.
    fn first(&mut self) -> Option<(TaskId, u64)> {
        while self.front < self.tasks.len() {
            let task = self.tasks[self.front];
            if self.queued.get(task.index()).copied().flatten() == Some(self.front) {
                return Some((task, self.seqs[self.front]));
            }
            self.front += 1;
        }
        None
    }
}

/// Every scheduling decision of the run `trace` records, in order.
///
/// ```
/// use wakescope::{decisions, yield_now, Config, Schedule, Sim};
/// let mut sim = Sim::new(Config::seeded(3));
/// for name in ["a", "b"] {
///     let _t = sim.spawn(name, async { yield_now().await });
/// }
/// sim.run();
/// let trace = sim.trace_clone();
/// let made = decisions(&trace);
/// assert!(made.iter().all(|d| d.ready >= 2));
/// // The same decisions as a schedule, which replays the run.
/// let schedule = Schedule::of_run(&trace);
/// assert_eq!(schedule.choices().len(), made.len());
/// ```
pub fn decisions(trace: &Trace) -> Vec<Decision> {
    let mut state = ViewState::initial(trace);
    let mut queue = Arrivals::new();
    let mut made = Vec::new();
    for record in trace.iter() {
        let seq = record.seq;
        match record.event {
            Event::Spawned { task } => queue.push(task, seq),
            Event::Woken { task, .. } if state.status(task) == Some(TaskStatus::Idle) => queue.push(task, seq),
            Event::Cancelled { task, .. } if state.status(task) == Some(TaskStatus::Scheduled) => {
                queue.take(task);
            }
            Event::PollStarted { task, .. } | Event::Delayed { task, .. } => {
                let ready = queue.len;
                let first = queue.first();
                let choice = queue.take(task).unwrap_or(0);
                let delayed = matches!(record.event, Event::Delayed { .. });
                if ready > 1 {
                    made.push(Decision {
                        seq,
                        task,
                        choice,
                        ready,
                        passed_over: first.filter(|_| choice > 0),
                        delayed,
                    });
                }
                if delayed {
                    queue.push(task, seq);
                }
            }
            _ => {}
        }
        state.apply(record.event, trace);
    }
    made
}

impl Schedule {
    /// The schedule of a recorded run: its [`decisions`]' choices, which
    /// [`crate::Sim::with_schedule`] replays — the same task polled at every
    /// step — whatever policy made them. (The replay's trace differs from
    /// the original's only in how each pick is written, and in the policy
    /// its header names.)
    pub fn of_run(trace: &Trace) -> Schedule {
        Schedule::from_choices(decisions(trace).iter().map(|d| d.choice).collect())
    }

    /// How many choices deviate from FIFO: the choices other than 0.
    pub fn deviations(&self) -> usize {
        self.choices().iter().filter(|&&c| c != 0).count()
    }

    /// The same schedule without its trailing FIFO choices, which a replay
    /// makes anyway (past its end a schedule picks the first ready task).
    pub fn trimmed(&self) -> Schedule {
        let choices = self.choices();
        let end = choices.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
        Schedule::from_choices(choices[..end].to_vec())
    }
}

/// A decision in words, with the names of the tasks involved.
pub struct DecisionText<'a> {
    decision: &'a Decision,
    trace: &'a Trace,
}

impl Decision {
    /// The decision in words, e.g. "at step 12 `task 2` ran before `task 1`,
    /// which had been ready since step 9".
    pub fn describe<'a>(&'a self, trace: &'a Trace) -> DecisionText<'a> {
        DecisionText { decision: self, trace }
    }
}

impl fmt::Display for DecisionText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.decision;
        let name = |t: TaskId| self.trace.task(t).map_or_else(|| t.to_string(), |i| i.name.to_string());
        let verb = if d.delayed { "was picked (and delayed)" } else { "ran" };
        write!(f, "at step {} `{}` {verb}", d.seq, name(d.task))?;
        match d.passed_over {
            Some((first, since)) => write!(f, " before `{}`, which had been ready since step {since}", name(first)),
            None => write!(f, ", the task that had waited longest of {} ready", d.ready),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_by_arrival_survive_growth_and_removals_in_the_middle() {
        let mut q = Arrivals::new();
        let mut model: Vec<TaskId> = Vec::new();
        let mut next = 0u32;
        // Push 100 tasks, take every third from the middle, push more: the
        // place the tree gives is the index in a plain list of arrivals.
        for round in 0..40u32 {
            for _ in 0..5 {
                q.push(TaskId(next), u64::from(next));
                model.push(TaskId(next));
                next += 1;
            }
            let victim = model[(round as usize * 7) % model.len()];
            let at = model.iter().position(|t| *t == victim).unwrap() as u32;
            assert_eq!(q.take(victim), Some(at));
            model.retain(|t| *t != victim);
            assert_eq!(q.first().map(|(t, _)| t), model.first().copied());
            assert_eq!(q.len as usize, model.len());
        }
        assert_eq!(q.take(TaskId(next + 5)), None, "a task never queued has no place");
    }
}
