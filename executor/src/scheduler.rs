//! The ready queue and the policy that picks from it.
//!
//! A task enters the queue when it is spawned or woken while idle, and leaves
//! it when it is picked for a poll (or aborted). There is one queue, a
//! `VecDeque<TaskId>`, whatever the policy: tasks join at the back, and every
//! pick reports how its task left ([`Picked`]: the index, and whether the slot
//! was refilled with the last task or the tasks behind it moved up). So
//! anyone who sees the picks can keep an exact copy of the queue without
//! knowing the policy. The policy decides which of the queued tasks goes next:
//!
//! - [`Policy::Fifo`]: the one that has waited longest (index 0).
//! - [`Policy::Random`]: any one, uniformly, drawn from the scheduler's seeded
//!   stream. The picked slot is refilled with the last task
//!   (`swap_remove_back`), which keeps a pick O(1) even with a million tasks
//!   queued. With one task queued nothing is drawn.
//! - [`Policy::Pct`]: the highest-priority task, with random priorities and
//!   `depth - 1` distinct change points among the first `horizon` picks
//!   (probabilistic concurrency testing). A heap of the queued tasks by
//!   priority and each task's index in the queue sit beside the queue, so a
//!   pick is O(log n) with a million tasks queued; its slot is refilled with
//!   the last task. A task is lowered below every other — its priority goes
//!   one under the lowest given so far — when a change point falls on its
//!   pick and whenever it calls [`crate::yield_now`]: a yield hands the turn to the
//!   others, so a spin loop that yields cannot starve the task it waits for.
//! - A *script* (exploration and replay, see `explore.rs`) overrides the
//!   policy completely: at each decision — a pick with more than one task
//!   queued — it takes the ready queue's `i`-th task (`remove`, the tasks
//!   behind it move up), `i` read from the script (0 once the script runs
//!   out), and records the choice and the number of alternatives.
//!
//! Invariants (asserted): a task appears in the queue at most once (the
//! executor only queues `Idle` tasks and marks them `Scheduled`); under PCT
//! the heap holds exactly the queued tasks, each at its current priority, and
//! the index map agrees with the queue; a task's priority changes only while
//! it is out of the queue.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};

use crate::config::{PCT_DEPTH_MAX, PCT_HORIZON_FALLBACK, Policy};
use crate::seeded::{SeededRng, below_first};
use crate::task::TaskId;

/// Queue length from which [`Scheduler::upcoming`] names the next picks:
/// a shorter queue and its tasks stay in the cache anyway.
const UPCOMING_QUEUE_MIN: usize = 1024;

/// How a task left the ready queue for its poll.
///
/// Applying the picks to a copy of the queue — `remove(index)` or, with
/// `refill`, `swap_remove_back(index)` — and appending each task that joins
/// keeps the copy equal to the executor's queue, for every policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Picked {
    /// The task that left the queue.
    pub task: TaskId,
    /// Its index in the ready queue at the pick.
    pub index: u32,
    /// True: the slot was refilled with the last queued task
    /// (`swap_remove_back`); false: the tasks behind it moved up (`remove`).
    pub refill: bool,
}

impl Picked {
    /// The pick as the trace records it, beside the task (`Event::PollStarted`).
    pub fn to_trace(self) -> crate::trace::Pick {
        crate::trace::Pick {
            index: self.index,
            refill: self.refill,
        }
    }
}

/// `Pct::positions` of a task that is not queued.
const NOT_QUEUED: u32 = u32::MAX;

/// PCT state beside the ready queue: priorities, change points, and the
/// queued tasks ordered by priority.
struct Pct {
    /// Priority of each task by id; higher runs first. Fresh tasks draw one in
    /// `1..=2^32`; a lowered task gets one below [`Pct::lowest`].
    priorities: Vec<i64>,
    /// The lowest priority given so far (at most every fresh one).
    lowest: i64,
    /// Pick numbers (counted from 1) at which the picked task is lowered:
    /// distinct, ascending.
    change_points: Vec<u64>,
    /// Index into `change_points` of the next one to reach.
    next_change: usize,
    /// The queued tasks by priority: highest first, ties to the lower id.
    heap: BinaryHeap<(i64, Reverse<TaskId>)>,
    /// Each task's index in the ready queue, or [`NOT_QUEUED`].
    positions: Vec<u32>,
}

impl Pct {
    fn new(depth: u32, horizon: u32, rng: &mut SeededRng) -> Pct {
        let depth = depth.clamp(1, PCT_DEPTH_MAX);
        Pct {
            priorities: Vec::new(),
            lowest: 1,
            change_points: change_points(rng, depth - 1, horizon.max(1)),
            next_change: 0,
            heap: BinaryHeap::new(),
            positions: Vec::new(),
        }
    }

    /// Puts `task` below every other task.
    fn lower(&mut self, task: TaskId) {
        assert_eq!(
            self.positions[task.index()],
            NOT_QUEUED,
            "a queued task's priority never changes ({task})"
        );
        self.lowest = self.lowest.checked_sub(1).expect("priorities stay above i64::MIN");
        self.priorities[task.index()] = self.lowest;
    }
}

/// `count` distinct pick numbers in `1..=horizon` (fewer if the horizon is
/// shorter), ascending, by Floyd's algorithm: exactly one draw each, so the
/// scheduler stream advances the same way whatever the values.
fn change_points(rng: &mut SeededRng, count: u32, horizon: u32) -> Vec<u64> {
    let count = count.min(horizon);
    let mut points = BTreeSet::new();
    for j in (horizon - count + 1)..=horizon {
        let t = u64::from(rng.below(j)) + 1;
        if !points.insert(t) {
            points.insert(u64::from(j));
        }
    }
    assert_eq!(points.len(), count as usize, "change points are distinct");
    points.into_iter().collect()
}

/// A fixed list of choices to follow (exploration and replay), with a record
/// of every decision made.
pub(crate) struct Script {
    choices: Vec<u32>,
    /// Choices made so far: index into the ready queue at each decision.
    pub taken: Vec<u32>,
    /// Ready-queue length at each decision (the number of alternatives).
    pub branching: Vec<u32>,
    /// Past its choices, the policy decides (a prefix); otherwise the
    /// first task in the queue (a whole schedule).
    then_policy: bool,
}

impl Script {
    /// A whole schedule: past its choices, the first queued task runs.
    pub(crate) fn new(choices: Vec<u32>) -> Script {
        Script {
            choices,
            taken: Vec::new(),
            branching: Vec::new(),
            then_policy: false,
        }
    }

    /// A prefix: its choices first, then the policy (whose decisions are in
    /// the trace's picks, not in the script).
    pub(crate) fn prefix(choices: Vec<u32>) -> Script {
        Script {
            then_policy: true,
            ..Script::new(choices)
        }
    }

    /// Whether the next decision is the script's own.
    fn decides(&self) -> bool {
        !self.then_policy || self.taken.len() < self.choices.len()
    }
}

/// The scheduler's stream, with some values drawn ahead of their use.
///
/// Values come out in stream order whether they were drawn ahead or not, so
/// drawing ahead changes no pick. It lets [`Scheduler::upcoming`] say which
/// tasks the next picks will take while the current poll runs.
struct Draws {
    rng: SeededRng,
    /// Values drawn and not yet used, in stream order.
    ahead: VecDeque<u32>,
}

impl Draws {
    fn new(rng: SeededRng) -> Draws {
        Draws {
            rng,
            ahead: VecDeque::new(),
        }
    }

    fn next_u32(&mut self) -> u32 {
        match self.ahead.pop_front() {
            Some(x) => x,
            None => self.rng.next_u32(),
        }
    }

    fn below(&mut self, n: u32) -> u32 {
        crate::seeded::below(n, || self.next_u32())
    }

    /// The value `k` draws from now (0: the next), without using it.
    fn peek(&mut self, k: usize) -> u32 {
        while self.ahead.len() <= k {
            let x = self.rng.next_u32();
            self.ahead.push_back(x);
        }
        self.ahead[k]
    }
}

/// A task in the ready queue, and where its future was when it joined: a
/// hint for fetching memory early, never read through (a prefetch of a
/// stale address is harmless).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Queued {
    pub(crate) task: TaskId,
    pub(crate) future: *const u8,
}

/// Runnable tasks, and the rule that orders them.
pub(crate) struct Scheduler {
    /// The ready queue, in queue order, under every policy.
    ready: VecDeque<Queued>,
    policy: Policy,
    rng: Draws,
    /// Tasks picked so far (a pick that finds the queue empty does not count).
    picks: u64,
    /// PCT's priorities beside the queue, under [`Policy::Pct`] without a script.
    pct: Option<Pct>,
    script: Option<Script>,
}

impl Scheduler {
    pub(crate) fn new(policy: Policy, mut rng: SeededRng) -> Scheduler {
        let pct = match policy {
            Policy::Pct { depth, horizon } => Some(Pct::new(depth, horizon.unwrap_or(PCT_HORIZON_FALLBACK), &mut rng)),
            _ => None,
        };
        Scheduler {
            ready: VecDeque::new(),
            policy,
            rng: Draws::new(rng),
            picks: 0,
            pct,
            script: None,
        }
    }

    /// Follows `script` instead of the policy from now on: the policy's own
    /// state (PCT's priorities) is dropped, so a schedule replays the same
    /// run whatever policy the configuration names.
    pub(crate) fn set_script(&mut self, script: Script) {
        self.pct = None;
        self.script = Some(script);
    }

    /// Draws the policy's picks from `rng` from now on (a fork's
    /// continuation: the same prefix, another scheduler seed).
    pub(crate) fn reseed(&mut self, rng: SeededRng) {
        self.rng = Draws::new(rng);
    }

    pub(crate) fn script(&self) -> Option<&Script> {
        self.script.as_ref()
    }

    /// Queues a task that became runnable, at the back; `future` is where
    /// its future is (for [`Scheduler::upcoming`], null if unknown).
    pub(crate) fn push(&mut self, task: TaskId, future: *const u8) {
        let index = u32::try_from(self.ready.len()).expect("the ready queue is bounded by the task limit");
        self.ready.push_back(Queued { task, future });
        if let Some(pct) = &mut self.pct {
            while pct.priorities.len() <= task.index() {
                // Fresh tasks get a random priority above every lowered one.
                pct.priorities.push(1 + i64::from(self.rng.next_u32()));
                pct.positions.push(NOT_QUEUED);
            }
            assert_eq!(pct.positions[task.index()], NOT_QUEUED, "{task} is queued once");
            pct.positions[task.index()] = index;
            pct.heap.push((pct.priorities[task.index()], Reverse(task)));
            assert_eq!(pct.heap.len(), self.ready.len(), "the PCT heap holds the queued tasks");
        }
    }

    /// Takes the next task to poll, by the script or the policy, and says how
    /// it left the queue.
    pub(crate) fn pick(&mut self) -> Option<Picked> {
        let n = self.ready.len();
        if n == 0 {
            return None;
        }
        let len = u32::try_from(n).expect("the ready queue is bounded by the task limit");
        let (index, refill) = if n == 1 {
            // One candidate: no choice to make, so no draw and no decision
            // (keeps traces of sequential programs identical across seeds).
            (0, false)
        } else if let Some(script) = self.script.as_mut().filter(|s| s.decides()) {
            let at = script.taken.len();
            let i = script.choices.get(at).copied().unwrap_or(0).min(len - 1);
            script.taken.push(i);
            script.branching.push(len);
            (i, false)
        } else if let Some(pct) = &self.pct {
            let &(priority, Reverse(task)) = pct.heap.peek().expect("the PCT heap holds the queued tasks");
            assert_eq!(
                priority,
                pct.priorities[task.index()],
                "{task} is queued at its priority"
            );
            (pct.positions[task.index()], true)
        } else {
            match self.policy {
                Policy::Random => (self.rng.below(len), true),
                _ => (0, false),
            }
        };
        let task = if refill {
            self.ready.swap_remove_back(index as usize)
        } else {
            self.ready.remove(index as usize)
        }
        .expect("the picked index is in the queue")
        .task;
        self.picks += 1;
        if let Some(pct) = &mut self.pct {
            let (_, Reverse(top)) = pct.heap.pop().expect("the PCT heap holds the queued tasks");
            assert_eq!(top, task, "PCT picks the highest-priority task");
            assert_eq!(
                pct.positions[task.index()],
                index,
                "the index map agrees with the queue"
            );
            pct.positions[task.index()] = NOT_QUEUED;
            if refill && let Some(moved) = self.ready.get(index as usize) {
                pct.positions[moved.task.index()] = index;
            }
            if pct.change_points.get(pct.next_change) == Some(&self.picks) {
                pct.next_change += 1;
                pct.lower(task);
            }
        }
        Some(Picked { task, index, refill })
    }

    /// Lowers `task`'s priority below every other task's, under PCT: it
    /// yielded (see [`crate::yield_now`]). Other policies ignore yields.
    pub(crate) fn yielded(&mut self, task: TaskId) {
        if let Some(pct) = &mut self.pct
            && task.index() < pct.priorities.len()
        {
            pct.lower(task);
        }
    }

    /// Removes a task that was aborted while queued: the tasks behind it move
    /// up, as in [`Picked`] without `refill`. O(n), but aborts are rare.
    pub(crate) fn remove(&mut self, task: TaskId) -> bool {
        let Some(i) = self.ready.iter().position(|q| q.task == task) else {
            return false;
        };
        self.ready.remove(i);
        if let Some(pct) = &mut self.pct {
            pct.positions[task.index()] = NOT_QUEUED;
            for (j, q) in self.ready.iter().enumerate().skip(i) {
                pct.positions[q.task.index()] = j as u32;
            }
            pct.heap.retain(|(_, Reverse(t))| *t != task);
            assert_eq!(pct.heap.len(), self.ready.len(), "the PCT heap holds the queued tasks");
        }
        true
    }

    /// The queue slot of the task the `j`-th pick from now (0: the next) will
    /// take if no task joins the queue before then, under `Random` and `Fifo`
    /// with a long queue; `None` otherwise.
    ///
    /// A guess, for fetching memory early and nothing else: a task that
    /// joins, or a draw that [`crate::seeded::below`] rejects, or an earlier
    /// pick that moves the task, makes it wrong, and then only a fetch is
    /// wasted. Taking the slot's reference reads nothing, so the caller may
    /// fetch the slot itself before reading it.
    pub(crate) fn upcoming(&mut self, j: usize) -> Option<&Queued> {
        let n = self.ready.len();
        if n < UPCOMING_QUEUE_MIN || j >= n || self.pct.is_some() || self.script.is_some() {
            return None;
        }
        let index = match self.policy {
            Policy::Random => below_first((n - j) as u32, self.rng.peek(j)) as usize,
            Policy::Fifo => j,
            _ => return None,
        };
        self.ready.get(index)
    }

    /// Number of queued tasks.
    pub(crate) fn len(&self) -> usize {
        self.ready.len()
    }

    /// Queued tasks, in queue order (for every policy).
    pub(crate) fn iter(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.ready.iter().map(|q| q.task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded::SCHEDULER_STREAM;

    #[test]
    fn change_points_are_distinct_and_within_the_horizon() {
        for seed in 0..200 {
            let mut rng = SeededRng::new(seed, SCHEDULER_STREAM);
            for (count, horizon) in [(1, 1), (2, 2), (3, 10), (63, 64), (5, 3)] {
                let points = change_points(&mut rng, count, horizon);
                assert_eq!(points.len() as u32, count.min(horizon), "seed {seed}: {points:?}");
                assert!(points.windows(2).all(|w| w[0] < w[1]), "seed {seed}: {points:?}");
                assert!(
                    points.iter().all(|p| (1..=u64::from(horizon)).contains(p)),
                    "seed {seed}: {points:?} within 1..={horizon}"
                );
            }
        }
        // Every point of a one-poll horizon is that poll.
        assert_eq!(change_points(&mut SeededRng::new(9, SCHEDULER_STREAM), 1, 1), [1]);
    }

    #[test]
    fn a_pct_pick_takes_the_highest_priority_task_at_its_index() {
        let mut s = Scheduler::new(
            Policy::Pct {
                depth: 1,
                horizon: Some(1),
            },
            SeededRng::new(4, SCHEDULER_STREAM),
        );
        for t in 0..6 {
            s.push(TaskId(t), std::ptr::null());
        }
        let mut seen = Vec::new();
        while let Some(pick) = s.pick() {
            let before: Vec<TaskId> = seen.clone();
            assert!(!before.contains(&pick.task), "{pick:?} picked once");
            seen.push(pick.task);
        }
        assert_eq!(seen.len(), 6);
        let pct = s.pct.as_ref().unwrap();
        let priority = |t: &TaskId| pct.priorities[t.index()];
        assert!(
            seen.windows(2).all(|w| priority(&w[0]) >= priority(&w[1])),
            "picked by priority"
        );
    }
}
