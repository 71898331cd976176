//! The ready queue and the policy that picks from it.
//!
//! A task enters the queue when it is spawned or woken while idle, and leaves
//! it when it is picked for a poll (or aborted). The policy decides which of
//! the queued tasks goes next:
//!
//! - [`Policy::Fifo`]: the one that has waited longest.
//! - [`Policy::Random`]: any one, uniformly, drawn from the scheduler's seeded
//!   stream. The picked slot is refilled with the last task (`swap_remove`),
//!   which keeps a pick O(1) even with a million tasks queued.
//! - [`Policy::Pct`]: the highest-priority task, with random priorities and
//!   `depth - 1` random change points (probabilistic concurrency testing).
//! - A *script* (exploration and replay, see `explore.rs`) overrides the
//!   policy: at each decision — a pick with more than one task queued — it
//!   takes the ready queue's `i`-th task, `i` read from the script (0 once the
//!   script runs out), and records the choice and the number of alternatives.
//!
//! Invariant: a task appears in the queue at most once (the executor only
//! queues `Idle` tasks and marks them `Scheduled`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::config::{PCT_DEPTH_MAX, Policy};
use crate::rng::SeededRng;
use crate::task::TaskId;

/// PCT state: priorities, change points, and the queue ordered by priority.
struct Pct {
    depth: u32,
    /// Priority of each task by id; higher runs first. Initial priorities are
    /// above `depth`; the i-th change point lowers the running task to `depth - i`.
    priorities: Vec<u64>,
    /// Pick numbers at which the picked task is lowered, ascending.
    change_points: Vec<u64>,
    heap: BinaryHeap<(u64, Reverse<TaskId>)>,
}

/// A fixed list of choices to follow (exploration and replay), with a record
/// of every decision made.
pub(crate) struct Script {
    choices: Vec<u32>,
    /// Choices made so far: index into the ready queue at each decision.
    pub taken: Vec<u32>,
    /// Ready-queue length at each decision (the number of alternatives).
    pub branching: Vec<u32>,
}

impl Script {
    pub(crate) fn new(choices: Vec<u32>) -> Script {
        Script {
            choices,
            taken: Vec::new(),
            branching: Vec::new(),
        }
    }
}

/// Runnable tasks, and the rule that orders them.
pub(crate) struct Scheduler {
    ready: VecDeque<TaskId>,
    policy: Policy,
    rng: SeededRng,
    picks: u64,
    pct: Option<Pct>,
    script: Option<Script>,
}

impl Scheduler {
    pub(crate) fn new(policy: Policy, mut rng: SeededRng) -> Scheduler {
        let pct = match policy {
            Policy::Pct { depth, horizon } => {
                let depth = depth.clamp(1, PCT_DEPTH_MAX);
                let mut change_points: Vec<u64> = (1..depth).map(|_| u64::from(rng.below(horizon.max(1)))).collect();
                change_points.sort_unstable();
                Some(Pct {
                    depth,
                    priorities: Vec::new(),
                    change_points,
                    heap: BinaryHeap::new(),
                })
            }
            _ => None,
        };
        Scheduler {
            ready: VecDeque::new(),
            policy,
            rng,
            picks: 0,
            pct,
            script: None,
        }
    }

    /// Follows `script` instead of the policy from now on.
    pub(crate) fn set_script(&mut self, script: Script) {
        self.script = Some(script);
    }

    pub(crate) fn script(&self) -> Option<&Script> {
        self.script.as_ref()
    }

    /// Queues a task that became runnable.
    pub(crate) fn push(&mut self, task: TaskId) {
        if let Some(pct) = &mut self.pct {
            while pct.priorities.len() <= task.index() {
                // Fresh tasks get a random priority above every lowered one.
                let p = u64::from(pct.depth) + 1 + u64::from(self.rng.next_u32());
                pct.priorities.push(p);
            }
            pct.heap.push((pct.priorities[task.index()], Reverse(task)));
            return;
        }
        self.ready.push_back(task);
    }

    /// Takes the next task to poll, by the script or the policy.
    pub(crate) fn pick(&mut self) -> Option<TaskId> {
        self.picks += 1;
        if let Some(script) = &mut self.script {
            return match self.ready.len() {
                0 => None,
                1 => self.ready.pop_front(),
                n => {
                    let at = script.taken.len();
                    let i = script.choices.get(at).copied().unwrap_or(0).min(n as u32 - 1);
                    script.taken.push(i);
                    script.branching.push(n as u32);
                    self.ready.remove(i as usize)
                }
            };
        }
        if let Some(pct) = &mut self.pct {
            let (_, Reverse(task)) = pct.heap.pop()?;
            let lowered = pct.change_points.iter().filter(|k| **k < self.picks).count() as u32;
            if pct.change_points.get(lowered as usize) == Some(&self.picks) {
                pct.priorities[task.index()] = u64::from(pct.depth - 1 - lowered);
            }
            return Some(task);
        }
        match self.policy {
            Policy::Random => match self.ready.len() {
                0 => None,
                // One candidate: no choice to make, so no draw (keeps traces of
                // sequential programs identical across seeds).
                1 => self.ready.pop_front(),
                n => {
                    let len = u32::try_from(n).expect("the ready queue is bounded by the task limit");
                    let i = self.rng.below(len) as usize;
                    self.ready.swap_remove_back(i)
                }
            },
            _ => self.ready.pop_front(),
        }
    }

    /// Removes a task that was aborted while queued. O(n), but aborts are rare.
    pub(crate) fn remove(&mut self, task: TaskId) -> bool {
        if let Some(pct) = &mut self.pct {
            let before = pct.heap.len();
            pct.heap.retain(|(_, Reverse(t))| *t != task);
            return pct.heap.len() < before;
        }
        match self.ready.iter().position(|t| *t == task) {
            Some(i) => {
                self.ready.remove(i);
                true
            }
            None => false,
        }
    }

    /// Number of queued tasks.
    pub(crate) fn len(&self) -> usize {
        match &self.pct {
            Some(pct) => pct.heap.len(),
            None => self.ready.len(),
        }
    }

    /// Queued tasks, in queue order (by priority under PCT).
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = TaskId> + '_> {
        match &self.pct {
            Some(pct) => {
                let mut queued: Vec<_> = pct.heap.iter().copied().collect();
                queued.sort_unstable_by(|a, b| b.cmp(a));
                Box::new(queued.into_iter().map(|(_, Reverse(t))| t))
            }
            None => Box::new(self.ready.iter().copied()),
        }
    }
}

/// Gives the other runnable tasks a turn: returns `Pending` once, after waking
/// its own task, so the task goes to the back of the ready queue.
///
/// A CPU loop that never awaits holds the executor until it is done; awaiting
/// `yield_now()` in each iteration lets timers and other tasks in between.
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(3));
/// sim.spawn("loop", async {
///     for _ in 0..3 {
///         wakescope::yield_now().await;
///     }
/// });
/// assert!(sim.run().is_completed());
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
