//! Wakers: how a pending future says "poll me again".
//!
//! A future that returns `Poll::Pending` keeps a clone of the `Waker` from its
//! `Context`; whoever makes progress possible (a timer, another task, a
//! channel) calls `wake()`. Wakescope's waker is a hand-built `RawWaker`:
//!
//! - Its data pointer is a [`WakerCell`]: the id of the task it wakes and a
//!   pointer to the simulation's [`WakerArena`]. Cells are allocated in
//!   chunks of [`CHUNK_CELLS`], one per task, and never move or change, so a
//!   task's waker costs no allocation of its own.
//! - The arena is reference-counted by hand: every live `Waker` holds one
//!   count, the simulation holds one. The arena (with its cells) is freed
//!   when the last of them goes, so a waker kept past the end of its
//!   simulation stays valid — waking it just lands in an inbox nobody reads.
//! - A wake does not touch the task. It appends `(task, source)` to the
//!   arena's inbox; the executor drains the inbox after every step, records
//!   each wake in the trace and queues the task if it was idle.
//!
//! The *source* of a wake — who woke whom — is whatever the executor was
//! doing when `wake()` ran: polling task T (source `Task(T)`), firing timer M
//! (`Timer(M)`), or nothing (`Outside`). The executor publishes it in the
//! inbox before it polls or fires, so a waker needs no state of its own.
//!
//! Wakers must be `Send + Sync` (the `Waker` contract allows waking from any
//! thread): the inbox is a `Mutex`, the source and the count are atomics,
//! and cells are immutable. A wake from another thread is safe but not
//! deterministic: it is attributed to whatever the simulation was doing.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::task::TaskId;

pub use crate::trace::WakeSource;

/// One recorded wake, waiting in the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wake {
    pub task: TaskId,
    pub source: WakeSource,
}

/// Cells per chunk: one allocation serves this many tasks.
pub(crate) const CHUNK_CELLS: usize = 1024;

/// The data behind one task's waker. Immutable once created.
pub(crate) struct WakerCell {
    arena: NonNull<WakerArena>,
    task: TaskId,
}

/// The shared part: wake inbox, current source, reference count, cells.
pub(crate) struct WakerArena {
    /// One per live `Waker` built on a cell, plus one for the simulation.
    refs: AtomicUsize,
    wakes: Mutex<Vec<Wake>>,
    /// True when `wakes` may be non-empty; lets the executor skip the lock.
    pending: AtomicBool,
    /// The current [`WakeSource`], encoded as in the trace's packed form.
    source: AtomicU64,
    /// Owns the cell chunks; only the simulation's thread appends.
    chunks: Mutex<Vec<Chunk>>,
}

/// One chunk of cells, owned through a raw pointer taken once from its box:
/// every cell pointer is derived from it, so none is invalidated by moving
/// or borrowing the box later. Freed with the arena.
struct Chunk(NonNull<[WakerCell]>);

impl Chunk {
    fn new(cells: Box<[WakerCell]>) -> Chunk {
        Chunk(NonNull::from(Box::leak(cells)))
    }

    /// The first cell; the chunk's `CHUNK_CELLS` cells follow it.
    fn base(&self) -> NonNull<WakerCell> {
        self.0.cast()
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::leak` in `Chunk::new` and is
        // freed once, here; the arena (and so every waker) is gone by now.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

// SAFETY: cells and the arena are shared across threads only through
// wakers; everything mutable in them is behind a `Mutex` or an atomic, and
// the `NonNull` in a cell is never written after creation.
unsafe impl Send for WakerCell {}
unsafe impl Sync for WakerCell {}
unsafe impl Send for WakerArena {}
unsafe impl Sync for WakerArena {}
// SAFETY: a chunk is only its cells (`Send + Sync` above), owned uniquely.
unsafe impl Send for Chunk {}
unsafe impl Sync for Chunk {}

impl WakerArena {
    fn push(&self, task: TaskId) {
        let source = crate::trace::decode_source(self.source.load(Ordering::Relaxed) as u32);
        self.wakes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Wake { task, source });
        self.pending.store(true, Ordering::Release);
    }

    /// Drops one reference; frees the arena with the last.
    ///
    /// # Safety
    /// `this` must point to a live arena and the caller must own one count.
    unsafe fn release(this: NonNull<WakerArena>) {
        // SAFETY: per the contract the arena is alive until this decrement.
        if unsafe { this.as_ref() }.refs.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            // SAFETY: the count reached zero: nobody else can reach the arena.
            drop(unsafe { Box::from_raw(this.as_ptr()) });
        }
    }
}

/// The simulation's handle on its arena: makes cells, lends wakers, drains wakes.
pub(crate) struct Wakers {
    arena: NonNull<WakerArena>,
    /// Base pointers of the chunks, indexed by `task / CHUNK_CELLS`.
    bases: Vec<NonNull<WakerCell>>,
}

impl Wakers {
    pub(crate) fn new() -> Wakers {
        let arena = Box::new(WakerArena {
            refs: AtomicUsize::new(1),
            wakes: Mutex::new(Vec::new()),
            pending: AtomicBool::new(false),
            source: AtomicU64::new(0),
            chunks: Mutex::new(Vec::new()),
        });
        Wakers {
            arena: NonNull::from(Box::leak(arena)),
            bases: Vec::new(),
        }
    }

    fn arena(&self) -> &WakerArena {
        // SAFETY: `self` owns one count, so the arena is alive.
        unsafe { self.arena.as_ref() }
    }

    /// Makes sure task `task` has a cell (tasks get cells in id order).
    pub(crate) fn ensure(&mut self, task: TaskId) {
        let chunk = task.index() / CHUNK_CELLS;
        while self.bases.len() <= chunk {
            let first = (self.bases.len() * CHUNK_CELLS) as u32;
            let cells: Box<[WakerCell]> = (0..CHUNK_CELLS as u32)
                .map(|i| WakerCell {
                    arena: self.arena,
                    task: TaskId(first + i),
                })
                .collect();
            let chunk = Chunk::new(cells);
            self.bases.push(chunk.base());
            self.arena()
                .chunks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(chunk);
        }
    }

    fn cell(&self, task: TaskId) -> NonNull<WakerCell> {
        let base = self.bases[task.index() / CHUNK_CELLS];
        // SAFETY: `ensure` made the chunk; the offset is inside it.
        unsafe { base.add(task.index() % CHUNK_CELLS) }
    }

    /// Lends task `task`'s waker without touching the reference count.
    ///
    /// The waker must not outlive `self`; `ManuallyDrop` keeps its drop from
    /// releasing a count it never took. Futures that keep it clone it, and the
    /// clone takes a count properly.
    pub(crate) fn lend(&self, task: TaskId) -> ManuallyDrop<Waker> {
        let raw = RawWaker::new(self.cell(task).as_ptr().cast_const().cast(), &VTABLE);
        // SAFETY: the data pointer is a live cell of this arena and the vtable
        // below treats it as one.
        ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
    }

    /// Asks the cache for task `task`'s waker cell, which its next poll's
    /// sleeps and waits clone.
    pub(crate) fn prefetch(&self, task: TaskId) {
        if task.index() / CHUNK_CELLS < self.bases.len() {
            crate::prefetch::fetch(self.cell(task).as_ptr());
        }
    }

    /// The task a waker wakes, if it is a plain waker of this simulation.
    /// `current` is the task being polled: its own waker is by far the most
    /// common case and is recognised by address, without reading the cell.
    pub(crate) fn task_of(&self, waker: &Waker, current: Option<TaskId>) -> Option<TaskId> {
        if !std::ptr::eq(waker.vtable(), &VTABLE) {
            return None;
        }
        if let Some(task) = current
            && task.index() / CHUNK_CELLS < self.bases.len()
            && std::ptr::eq(waker.data(), self.cell(task).as_ptr().cast())
        {
            return Some(task);
        }
        // SAFETY: the vtable is ours, so the data pointer is a live `WakerCell`.
        let cell = unsafe { &*waker.data().cast::<WakerCell>() };
        (cell.arena == self.arena).then_some(cell.task)
    }

    /// Sets what wakes are attributed to until the next call.
    pub(crate) fn set_source(&self, source: WakeSource) {
        let bits = u64::from(crate::trace::encode_source(source));
        self.arena().source.store(bits, Ordering::Relaxed);
    }

    /// Moves the pending wakes into `out` (which should be empty), keeping both
    /// allocations. Returns false, without locking, when there are none.
    pub(crate) fn drain_into(&self, out: &mut Vec<Wake>) -> bool {
        let arena = self.arena();
        // A plain load first: most steps have no wakes to drain, and a swap
        // (a locked instruction) would wait for every store before it.
        if !arena.pending.load(Ordering::Acquire) || !arena.pending.swap(false, Ordering::Acquire) {
            return false;
        }
        let mut wakes = arena.wakes.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::swap(&mut *wakes, out);
        true
    }
}

impl Drop for Wakers {
    fn drop(&mut self) {
        // SAFETY: the simulation's own count is released exactly once.
        unsafe { WakerArena::release(self.arena) };
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

// SAFETY (all four): `data` is a `WakerCell` of a live arena: every `Waker`
// on it either is lent by `Wakers::lend` while the simulation's count is held,
// or owns a count itself.
unsafe fn clone(data: *const ()) -> RawWaker {
    let cell = unsafe { &*data.cast::<WakerCell>() };
    unsafe { cell.arena.as_ref() }.refs.fetch_add(1, Ordering::Relaxed);
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    let cell = unsafe { &*data.cast::<WakerCell>() };
    unsafe { cell.arena.as_ref() }.push(cell.task);
}

unsafe fn drop_waker(data: *const ()) {
    let cell = unsafe { &*data.cast::<WakerCell>() };
    unsafe { WakerArena::release(cell.arena) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timer::TimerId;

    #[test]
    fn wakes_name_the_task_and_the_current_source() {
        let mut wakers = Wakers::new();
        wakers.ensure(TaskId(1500));
        let lent = wakers.lend(TaskId(1500));
        let owned: Waker = (*lent).clone();
        assert_eq!(wakers.task_of(&owned, None), Some(TaskId(1500)));
        assert_eq!(wakers.task_of(&owned, Some(TaskId(1500))), Some(TaskId(1500)));
        assert_eq!(wakers.task_of(&owned, Some(TaskId(3))), Some(TaskId(1500)));
        wakers.set_source(WakeSource::Timer(TimerId(9)));
        owned.wake_by_ref();
        wakers.set_source(WakeSource::Task(TaskId(1)));
        owned.wake();
        let mut out = Vec::new();
        assert!(wakers.drain_into(&mut out));
        assert_eq!(
            out,
            vec![
                Wake {
                    task: TaskId(1500),
                    source: WakeSource::Timer(TimerId(9))
                },
                Wake {
                    task: TaskId(1500),
                    source: WakeSource::Task(TaskId(1))
                },
            ]
        );
        out.clear();
        assert!(!wakers.drain_into(&mut out), "nothing pending: no lock taken");
        assert_eq!(
            wakers.arena().refs.load(Ordering::Relaxed),
            1,
            "only the simulation's count is left"
        );
    }

    #[test]
    fn a_waker_outlives_its_simulation_safely() {
        let mut wakers = Wakers::new();
        wakers.ensure(TaskId(0));
        let kept: Waker = (*wakers.lend(TaskId(0))).clone();
        drop(wakers);
        kept.wake_by_ref();
        drop(kept);
    }

    #[test]
    fn foreign_wakers_are_not_mistaken_for_ours() {
        let mut a = Wakers::new();
        let mut b = Wakers::new();
        a.ensure(TaskId(0));
        b.ensure(TaskId(0));
        let from_b = b.lend(TaskId(0));
        assert_eq!(a.task_of(&from_b, None), None);
        assert_eq!(a.task_of(&from_b, Some(TaskId(0))), None);
        assert_eq!(a.task_of(Waker::noop(), None), None);
    }
}
