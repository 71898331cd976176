//! How a step and a run end.

use std::fmt;
use std::time::Duration;

use crate::scheduler::Picked;
use crate::task::TaskId;
use crate::trace::{EndReason, ResourceId, ResourceKind, ResourceOp};

/// Which limit ended a run (see [`crate::Limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`crate::Limits::steps_max`] steps were taken.
    Steps(u64),
    /// The next timer lies past [`crate::Limits::time_max`].
    VirtualTime(Duration),
    /// A spawn would have exceeded [`crate::Limits::tasks_max`].
    Tasks(u32),
    /// Arming a timer would have exceeded [`crate::Limits::timers_max`].
    Timers(u32),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Steps(n) => write!(f, "step limit of {n} steps reached"),
            Limit::VirtualTime(t) => write!(f, "virtual-time limit of {t:?} reached"),
            Limit::Tasks(n) => write!(f, "task limit of {n} tasks reached"),
            Limit::Timers(n) => write!(f, "timer limit of {n} timers reached"),
        }
    }
}

/// A task left waiting when the run deadlocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedTask {
    /// Its id.
    pub task: TaskId,
    /// Its name.
    pub name: String,
    /// The resource it waits on, when it waits on an instrumented one.
    pub waiting_on: Option<WaitingOn>,
    /// The task whose `JoinHandle` it awaits, if any.
    pub joining: Option<TaskId>,
    /// Where it waits: the `.await` its last poll ended at (when the run
    /// records a trace and a library future said so).
    pub waits_at: Option<crate::trace::Site>,
    /// The unfinished tasks that could unblock it: the holders of the lock or
    /// permits it wants, the channel peers it waits for, the task it joins.
    /// These are the edges of the wait-for graph.
    pub waits_for: Vec<TaskId>,
}

/// A resource a blocked task waits on, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingOn {
    pub resource: ResourceId,
    pub kind: ResourceKind,
    /// The resource's name.
    pub name: String,
    /// What it waits for: `BlockedOnFull`, `BlockedOnEmpty`, `BlockedOnLock`, …
    pub op: ResourceOp,
    /// Tasks holding the resource (a mutex's owner, a semaphore's permit holders).
    pub holders: Vec<TaskId>,
}

/// Tasks are left, none is runnable, and no timer will ever wake one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadlock {
    /// Every unfinished task, in id order.
    pub blocked: Vec<BlockedTask>,
    /// Cycles in the wait-for graph, each starting at its lowest task id
    /// (at most [`CYCLES_MAX`]): the tasks that wait on one another.
    pub cycles: Vec<Vec<TaskId>>,
}

/// The most wait-for cycles a deadlock report lists.
pub const CYCLES_MAX: usize = 16;

impl Deadlock {
    /// The task's entry, if it is blocked.
    pub fn task(&self, task: TaskId) -> Option<&BlockedTask> {
        self.blocked.iter().find(|b| b.task == task)
    }

    /// One cycle as text: `#1 "a" → lock "m2" → #2 "b" → lock "m1" → #1 "a"`.
    pub fn describe_cycle(&self, cycle: &[TaskId]) -> String {
        let mut out = String::new();
        for (i, t) in cycle.iter().enumerate() {
            let Some(b) = self.task(*t) else { continue };
            out.push_str(&format!("{} {:?} → ", b.task, b.name));
            let next = cycle[(i + 1) % cycle.len()];
            match (&b.waiting_on, b.joining) {
                (Some(w), _) => out.push_str(&format!("{} {:?} → ", kind_word(w.kind), w.name)),
                (None, Some(_)) => out.push_str("join → "),
                _ => {}
            }
            if i + 1 == cycle.len()
                && let Some(first) = self.task(next)
            {
                out.push_str(&format!("{} {:?}", first.task, first.name));
            }
        }
        out
    }
}

fn kind_word(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Channel => "channel",
        ResourceKind::Oneshot => "oneshot",
        ResourceKind::FairMutex | ResourceKind::UnfairMutex => "lock",
        ResourceKind::Semaphore => "semaphore",
        ResourceKind::Notify => "notify",
        ResourceKind::Mailbox => "mailbox",
        ResourceKind::Condvar => "condvar",
    }
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "deadlock: {} task(s) wait forever:", self.blocked.len())?;
        for (i, t) in self.blocked.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            write!(f, "{sep}{} {:?}", t.task, t.name)?;
            if let Some(w) = &t.waiting_on {
                write!(f, " waits on {:?} {:?} ({:?})", w.kind, w.name, w.op)?;
                if !w.holders.is_empty() {
                    let holders: Vec<String> = w.holders.iter().map(|h| h.to_string()).collect();
                    write!(f, " held by {}", holders.join(", "))?;
                }
            } else if let Some(j) = t.joining {
                write!(f, " joins {j}")?;
            }
            if let Some(at) = &t.waits_at {
                write!(f, " at {at}")?;
            }
        }
        for cycle in &self.cycles {
            write!(f, "; cycle: {}", self.describe_cycle(cycle))?;
        }
        Ok(())
    }
}

/// An invariant check that failed, with what it takes to replay it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    /// What the check said.
    pub message: String,
    /// The seed of the run.
    pub seed: u64,
    /// The executor step at which it failed.
    pub step: u64,
    /// The task whose poll made the check, if any.
    pub task: Option<TaskId>,
    /// Where the check was made (when the run records a trace; an invariant
    /// added with [`crate::Sim::add_invariant`] has none).
    pub at: Option<crate::trace::Site>,
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "check failed (seed {}, step {}", self.seed, self.step)?;
        if let Some(t) = self.task {
            write!(f, ", in task {t}")?;
        }
        if let Some(at) = &self.at {
            write!(f, ", at {at}")?;
        }
        write!(f, "): {}", self.message)
    }
}

/// A task's panic that nothing handled, with what it takes to replay it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskPanic {
    /// The task that panicked.
    pub task: TaskId,
    /// Its name.
    pub name: String,
    /// The panic's message.
    pub message: String,
    /// The seed of the run.
    pub seed: u64,
    /// The executor step whose poll panicked.
    pub step: u64,
}

impl fmt::Display for TaskPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "task {} {:?} panicked (seed {}, step {}): {}",
            self.task, self.name, self.seed, self.step, self.message
        )
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every task finished — completed, was cancelled, or panicked with the
    /// panic handled (see [`Outcome::Panicked`]).
    Completed,
    /// Tasks are left but nothing can ever wake them.
    Deadlock(Deadlock),
    /// A limit stopped the run.
    LimitReached(Limit),
    /// An invariant check failed ([`check()`](crate::check()) or [`crate::Sim::add_invariant`]).
    CheckFailed(CheckFailure),
    /// Every task finished, but a task panicked and nothing handled it: a
    /// failed `assert!` in a task fails the run. The first such panic (by
    /// step) is named. A panic is handled when its [`crate::JoinHandle`] was
    /// awaited to the [`crate::JoinError::Panicked`], or a linked task that
    /// traps exits received its exit signal (see [`crate::supervision`]).
    /// The other tasks run on after a panic, so supervision and joins see
    /// it first; a run that deadlocks or hits a limit ends as that instead.
    /// The trace's `Ended` event says `completed` (every task finished); its
    /// `Panicked` events say which did not complete.
    Panicked(TaskPanic),
}

impl Outcome {
    /// True when every task finished.
    pub fn is_completed(&self) -> bool {
        matches!(self, Outcome::Completed)
    }

    /// True when the run deadlocked.
    pub fn is_deadlock(&self) -> bool {
        matches!(self, Outcome::Deadlock(_))
    }

    /// The deadlock, if the run ended in one.
    pub fn deadlock(&self) -> Option<&Deadlock> {
        match self {
            Outcome::Deadlock(d) => Some(d),
            _ => None,
        }
    }

    /// The unhandled panic, if one ended the run.
    pub fn panic(&self) -> Option<&TaskPanic> {
        match self {
            Outcome::Panicked(p) => Some(p),
            _ => None,
        }
    }

    /// The limit, if one ended the run.
    pub fn limit(&self) -> Option<Limit> {
        match self {
            Outcome::LimitReached(l) => Some(*l),
            _ => None,
        }
    }

    /// How the trace records this outcome (its `ended` event).
    pub fn end_reason(&self) -> EndReason {
        match self {
            Outcome::Completed => EndReason::Completed,
            Outcome::Deadlock(_) => EndReason::Deadlock,
            Outcome::LimitReached(Limit::Steps(_)) => EndReason::StepsLimit,
            Outcome::LimitReached(Limit::VirtualTime(_)) => EndReason::TimeLimit,
            Outcome::LimitReached(Limit::Tasks(_)) => EndReason::TasksLimit,
            Outcome::LimitReached(Limit::Timers(_)) => EndReason::TimersLimit,
            Outcome::CheckFailed(_) => EndReason::CheckFailed,
            Outcome::Panicked(_) => EndReason::Panicked,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Completed => f.write_str("completed: every task finished"),
            Outcome::Deadlock(d) => d.fmt(f),
            Outcome::LimitReached(l) => l.fmt(f),
            Outcome::CheckFailed(c) => c.fmt(f),
            Outcome::Panicked(p) => p.fmt(f),
        }
    }
}

/// What one call of [`crate::Sim::step`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Polled one task; `ready` is true when its future finished (or panicked).
    /// `pick` says where in the ready queue the task was and how it left it.
    Polled { task: TaskId, ready: bool, pick: Picked },
    /// Fired the timers already due at the current time.
    FiredTimers { fired: u32 },
    /// Nothing was runnable: jumped the clock to the next deadline and fired what is due there.
    AdvancedClock { to: Duration, fired: u32 },
    /// A fault put the picked task back in the queue (at the back) instead of
    /// polling it; `pick` says how it left the queue first.
    Delayed { task: TaskId, pick: Picked },
    /// Nothing left to do; the run is over.
    Finished(Outcome),
}

/// Cycles of the wait-for graph given by `blocked[i].waits_for`, found by an
/// iterative depth-first search: each back edge closes one cycle. Each cycle
/// is rotated to start at its lowest id; at most [`CYCLES_MAX`] are kept.
pub(crate) fn find_cycles(blocked: &[BlockedTask]) -> Vec<Vec<TaskId>> {
    use std::collections::{BTreeMap, BTreeSet};
    let edges: BTreeMap<TaskId, &[TaskId]> = blocked.iter().map(|b| (b.task, b.waits_for.as_slice())).collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnPath,
        Done,
    }
    let mut marks: BTreeMap<TaskId, Mark> = BTreeMap::new();
    let mut found: BTreeSet<Vec<TaskId>> = BTreeSet::new();
    for b in blocked {
        if marks.contains_key(&b.task) {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut path: Vec<(TaskId, usize)> = vec![(b.task, 0)];
        marks.insert(b.task, Mark::OnPath);
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let out = edges.get(&node).copied().unwrap_or(&[]);
            if *next < out.len() {
                let to = out[*next];
                *next += 1;
                match marks.get(&to) {
                    None if edges.contains_key(&to) => {
                        marks.insert(to, Mark::OnPath);
                        path.push((to, 0));
                    }
                    Some(Mark::OnPath) => {
                        let start = path
                            .iter()
                            .position(|(t, _)| *t == to)
                            .expect("on-path nodes are on the path");
                        let mut cycle: Vec<TaskId> = path[start..].iter().map(|(t, _)| *t).collect();
                        let min = cycle.iter().enumerate().min_by_key(|(_, t)| **t).map_or(0, |(i, _)| i);
                        cycle.rotate_left(min);
                        if found.len() < CYCLES_MAX {
                            found.insert(cycle);
                        }
                    }
                    _ => {}
                }
            } else {
                marks.insert(node, Mark::Done);
                path.pop();
            }
        }
    }
    found.into_iter().collect()
}
