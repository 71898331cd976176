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
//!
//! Invariant: a task appears in the queue at most once (the executor only
//! queues `Idle` tasks and marks them `Scheduled`).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::config::Policy;
use crate::rng::SeededRng;
use crate::task::TaskId;

/// Runnable tasks, and the rule that orders them.
pub(crate) struct Scheduler {
    ready: VecDeque<TaskId>,
    policy: Policy,
    rng: SeededRng,
}

impl Scheduler {
    pub(crate) fn new(policy: Policy, rng: SeededRng) -> Scheduler {
        Scheduler { ready: VecDeque::new(), policy, rng }
    }

    /// Queues a task that became runnable.
    pub(crate) fn push(&mut self, task: TaskId) {
        self.ready.push_back(task);
    }

    /// Takes the next task to poll, by the policy.
    pub(crate) fn pick(&mut self) -> Option<TaskId> {
        match self.policy {
            Policy::Fifo => self.ready.pop_front(),
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
        }
    }

    /// Removes a task that was aborted while queued. O(n), but aborts are rare.
    pub(crate) fn remove(&mut self, task: TaskId) -> bool {
        match self.ready.iter().position(|t| *t == task) {
            Some(i) => {
                self.ready.remove(i);
                true
            }
            None => false,
        }
    }

    /// Queued tasks, in queue order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.ready.iter().copied()
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
