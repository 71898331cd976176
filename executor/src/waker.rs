//! Wakers: how a pending future says "poll me again".
//!
//! A future that returns `Poll::Pending` keeps a clone of the `Waker` from its
//! `Context`; whoever makes progress possible (a timer, another task, a
//! channel) calls `wake()`. Wakescope's waker is a hand-built `RawWaker` whose
//! data pointer is an `Arc<TaskWaker>`: it knows which task it wakes, and a
//! wake does not touch the task at all — it appends `(task, source)` to the
//! simulation's wake inbox. The executor drains the inbox after every step,
//! records each wake in the trace and schedules the task if it was idle.
//!
//! The *source* of a wake — who woke whom — is whatever the executor was doing
//! when `wake()` ran: polling task T (source `Task(T)`), firing timer M
//! (`Timer(M)`), or nothing (`Outside`). The executor publishes that in the
//! inbox before it polls or fires, so a waker needs no extra state.
//!
//! Wakers must be `Send + Sync` (the `Waker` contract allows waking from any
//! thread), so the inbox is a `Mutex` and the source an atomic. A wake from
//! another thread is safe, but not deterministic: it is attributed to whatever
//! the simulation was doing at that moment.

use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{RawWaker, RawWakerVTable, Waker};

use serde::{Deserialize, Serialize};

use crate::task::TaskId;
use crate::timer::TimerId;

/// Who called `wake()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WakeSource {
    /// Code running in this task's poll (a send, a lock release, `yield_now`, a join).
    Task(TaskId),
    /// A timer that reached its deadline.
    Timer(TimerId),
    /// Nothing in the simulation: the wake came from outside any poll.
    Outside,
}

/// One recorded wake, waiting in the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wake {
    pub task: TaskId,
    pub source: WakeSource,
}

/// State shared between a simulation and all its wakers.
pub(crate) struct Inbox {
    wakes: Mutex<Vec<Wake>>,
    /// The current [`WakeSource`], encoded as in the trace's packed form.
    source: AtomicU64,
}

impl Inbox {
    pub(crate) fn new() -> Arc<Inbox> {
        Arc::new(Inbox { wakes: Mutex::new(Vec::new()), source: AtomicU64::new(0) })
    }

    /// Sets what wakes are attributed to until the next call.
    pub(crate) fn set_source(&self, source: WakeSource) {
        let bits = u64::from(crate::trace::encode_source(source));
        self.source.store(bits, Ordering::Relaxed);
    }

    fn push(&self, task: TaskId) {
        let source = crate::trace::decode_source(self.source.load(Ordering::Relaxed) as u32);
        self.wakes.lock().unwrap_or_else(|e| e.into_inner()).push(Wake { task, source });
    }

    /// Moves all pending wakes into `out` (which should be empty), keeping both allocations.
    pub(crate) fn drain_into(&self, out: &mut Vec<Wake>) {
        let mut wakes = self.wakes.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::swap(&mut *wakes, out);
    }

    /// True when no wake is waiting.
    pub(crate) fn is_empty(&self) -> bool {
        self.wakes.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }
}

/// The data behind a task's waker: the task it wakes and the inbox to write to.
pub(crate) struct TaskWaker {
    task: TaskId,
    inbox: Arc<Inbox>,
}

impl TaskWaker {
    pub(crate) fn new(task: TaskId, inbox: Arc<Inbox>) -> Arc<TaskWaker> {
        Arc::new(TaskWaker { task, inbox })
    }

    /// Reuses a waker whose last clone is gone for a new task, saving an allocation.
    pub(crate) fn reuse(this: &mut Arc<TaskWaker>, task: TaskId) -> bool {
        match Arc::get_mut(this) {
            Some(w) => {
                w.task = task;
                true
            }
            None => false,
        }
    }

    fn wake(&self) {
        self.inbox.push(self.task);
    }
}

/// Lends `arc` as a `Waker` without touching its reference count.
///
/// The returned waker must not outlive `arc`; `ManuallyDrop` keeps its drop
/// from decrementing a count it never incremented. Futures that keep the waker
/// clone it, which increments the count properly.
pub(crate) fn borrowed_waker(arc: &Arc<TaskWaker>) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(Arc::as_ptr(arc).cast(), &VTABLE);
    // SAFETY: the data pointer comes from a live `Arc<TaskWaker>` and the
    // vtable functions below treat it as one. The waker is never dropped
    // (ManuallyDrop), so it does not release a reference it does not own.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// SAFETY (all four): `data` was produced by `Arc::as_ptr`/`Arc::into_raw` of
/// an `Arc<TaskWaker>` that is still alive, because every `Waker` built on it
/// either borrows a live `Arc` or owns one strong count.
unsafe fn clone(data: *const ()) -> RawWaker {
    unsafe { Arc::increment_strong_count(data.cast::<TaskWaker>()) };
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    let waker = unsafe { Arc::from_raw(data.cast::<TaskWaker>()) };
    waker.wake();
}

unsafe fn wake_by_ref(data: *const ()) {
    let waker = unsafe { &*data.cast::<TaskWaker>() };
    waker.wake();
}

unsafe fn drop_waker(data: *const ()) {
    drop(unsafe { Arc::from_raw(data.cast::<TaskWaker>()) });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_name_the_task_and_the_current_source() {
        let inbox = Inbox::new();
        let arc = TaskWaker::new(TaskId(3), inbox.clone());
        let lent = borrowed_waker(&arc);
        let owned: Waker = (*lent).clone();
        inbox.set_source(WakeSource::Timer(TimerId(9)));
        owned.wake_by_ref();
        inbox.set_source(WakeSource::Task(TaskId(1)));
        owned.wake();
        let mut out = Vec::new();
        inbox.drain_into(&mut out);
        assert_eq!(
            out,
            vec![
                Wake { task: TaskId(3), source: WakeSource::Timer(TimerId(9)) },
                Wake { task: TaskId(3), source: WakeSource::Task(TaskId(1)) },
            ]
        );
        // The lent waker never owned a count; the clone's count was released by `wake`.
        assert_eq!(Arc::strong_count(&arc), 1);
    }
}
