//! Work in slices: long work spread over the page's frames — turns of its
//! event loop, with rendering and input in between — so the page never
//! freezes.
//!
//! Recording a run, judging it, sweeping seeds and folding an imported trace
//! can each take seconds. A [`Slicer`] runs such work as a chunk closure — a
//! bounded piece of work, a few dozen executor steps, that says whether the
//! work is done — called again and again for at most [`SLICE_BUDGET_MS`],
//! then again at the next frame, until it is done or cancelled. After every
//! slice a publish closure shows what the slice did (progress, a result).
//!
//! The rules, which hold for all four kinds of work:
//! - the first slice runs at once, inside [`Slicer::start`]; later ones run
//!   one per frame;
//! - a slice runs at least one chunk, and at most [`CHUNKS_PER_SLICE_MAX`]
//!   (a clock that does not move must not freeze the page either);
//! - starting new work on a slicer cancels the work it was running, and a
//!   cancelled slicer runs no chunk and no publish of that work again, even
//!   from a frame already requested.
//!
//! The slicer is plain Rust: the clock and the next frame come from its
//! [`Frames`] (the browser's in `web/frames.rs`: the next turn of the event
//! loop, so no time waits idle for an animation frame), so the rules above are
//! tested natively with a clock that moves as the test says.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Work per slice, in milliseconds: between slices the page renders (when a
/// 60 Hz frame, about 16.7 ms, is due) and answers input.
pub const SLICE_BUDGET_MS: f64 = 8.0;
/// Executor steps in one chunk: the clock is looked at between chunks.
pub const STEPS_PER_CHECK: u32 = 64;
/// The most chunks in one slice, whatever the clock says.
pub const CHUNKS_PER_SLICE_MAX: u32 = 65_536;

/// What a slicer needs from its host: a clock and a way to run code at the
/// next frame.
pub trait Frames: Clone + 'static {
    /// Milliseconds from any fixed origin; it never runs backwards.
    fn now_ms(&self) -> f64;
    /// Runs `frame` once, at the next frame (never inside this call).
    fn next_frame(&self, frame: Box<dyn FnOnce()>);
}

/// How a slice went, for the work's publish closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    /// The slice ran inside [`Slicer::start`], not from a frame.
    pub first: bool,
    /// The chunk said the work is done: no slice follows.
    pub done: bool,
}

/// Runs `chunk` until it returns true (done) or `budget_ms` has passed on
/// `now`, and at least once; true if the work is done.
pub fn run_slice(budget_ms: f64, now: &dyn Fn() -> f64, chunk: &mut dyn FnMut() -> bool) -> bool {
    let started_ms = now();
    for _ in 0..CHUNKS_PER_SLICE_MAX {
        if chunk() {
            return true;
        }
        if now() - started_ms >= budget_ms {
            return false;
        }
    }
    false
}

/// Runs one piece of sliced work at a time, across frames (see the module
/// notes). Clones are handles to the same slicer.
pub struct Slicer<F: Frames> {
    frames: F,
    /// Bumped by every start and cancel: a frame requested under an older
    /// value does nothing.
    generation: Rc<Cell<u64>>,
    /// Work has been started and is neither done nor cancelled.
    running: Rc<Cell<bool>>,
}

impl<F: Frames> Clone for Slicer<F> {
    fn clone(&self) -> Self {
        Slicer {
            frames: self.frames.clone(),
            generation: self.generation.clone(),
            running: self.running.clone(),
        }
    }
}

/// One piece of work, its state, chunk and publish closed over: runs one
/// slice (`true`: the first) and returns whether the work is done. Erased to
/// one type, so the frame loop below exists once, whatever the work.
type Work = Rc<RefCell<dyn FnMut(bool) -> bool>>;

impl<F: Frames> Slicer<F> {
    /// A slicer with nothing to do, on `frames`.
    pub fn new(frames: F) -> Slicer<F> {
        Slicer {
            frames,
            generation: Rc::new(Cell::new(0)),
            running: Rc::new(Cell::new(false)),
        }
    }

    /// Cancels the work this slicer is running and starts `state` instead:
    /// `chunk` advances it a bounded amount and returns true once it is done;
    /// `publish` runs after every slice. The first slice runs before this returns.
    pub fn start<W, C, P>(&self, mut state: W, mut chunk: C, mut publish: P)
    where
        W: 'static,
        C: FnMut(&mut W) -> bool + 'static,
        P: FnMut(&mut W, Slice) + 'static,
    {
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        self.running.set(true);
        let frames = self.frames.clone();
        let work: Work = Rc::new(RefCell::new(move |first| {
            let done = run_slice(SLICE_BUDGET_MS, &|| frames.now_ms(), &mut || chunk(&mut state));
            publish(&mut state, Slice { first, done });
            done
        }));
        self.slice(generation, work, true);
    }

    /// Stops the work being run; nothing of it runs again.
    pub fn cancel(&self) {
        self.generation.set(self.generation.get() + 1);
        self.running.set(false);
    }

    /// True from [`Slicer::start`] until the work is done or cancelled.
    pub fn is_running(&self) -> bool {
        self.running.get()
    }

    /// One slice of `work` with its publish, then the next frame's slice
    /// unless the work is done or was replaced meanwhile (publish may start
    /// or cancel).
    fn slice(&self, generation: u64, work: Work, first: bool) {
        let done = (work.borrow_mut())(first);
        if self.generation.get() != generation {
            return;
        }
        if done {
            self.running.set(false);
            return;
        }
        let slicer = self.clone();
        self.frames.next_frame(Box::new(move || {
            if slicer.generation.get() == generation {
                slicer.slice(generation, work, false);
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Frames asked for and not yet run, in order.
    type FrameQueue = Rc<RefCell<VecDeque<Box<dyn FnOnce()>>>>;

    /// A clock that moves `tick_ms` each time it is read, and frames that run
    /// when the test says.
    #[derive(Clone)]
    struct TestFrames {
        now_ms: Rc<Cell<f64>>,
        tick_ms: f64,
        queue: FrameQueue,
    }

    impl TestFrames {
        fn new(tick_ms: f64) -> TestFrames {
            TestFrames {
                now_ms: Rc::new(Cell::new(0.0)),
                tick_ms,
                queue: Rc::new(RefCell::new(VecDeque::new())),
            }
        }

        fn pending(&self) -> usize {
            self.queue.borrow().len()
        }

        /// Runs the frames requested so far (not those they request); how many ran.
        fn run_frame(&self) -> usize {
            let due: Vec<_> = self.queue.borrow_mut().drain(..).collect();
            let count = due.len();
            for frame in due {
                frame();
            }
            count
        }
    }

    impl Frames for TestFrames {
        fn now_ms(&self) -> f64 {
            let now = self.now_ms.get();
            self.now_ms.set(now + self.tick_ms);
            now
        }

        fn next_frame(&self, frame: Box<dyn FnOnce()>) {
            self.queue.borrow_mut().push_back(frame);
        }
    }

    /// A chunk that counts the chunks run in its state and is done after `units`.
    fn counting(units: u32) -> impl FnMut(&mut u32) -> bool {
        move |done: &mut u32| {
            *done += 1;
            *done >= units
        }
    }

    #[test]
    fn a_slice_runs_chunks_until_the_budget_is_spent() {
        let frames = TestFrames::new(1.0);
        let mut chunks = 0;
        let done = run_slice(SLICE_BUDGET_MS, &|| frames.now_ms(), &mut || {
            chunks += 1;
            false
        });
        assert!(!done);
        // The clock reads 0 at the start and k after chunk k: 8 chunks fill 8 ms.
        assert_eq!(chunks, 8);
    }

    #[test]
    fn a_slice_stops_at_done_and_always_runs_one_chunk() {
        let frames = TestFrames::new(1.0);
        let mut chunks = 0;
        assert!(run_slice(SLICE_BUDGET_MS, &|| frames.now_ms(), &mut || {
            chunks += 1;
            chunks == 3
        }));
        assert_eq!(chunks, 3);

        let mut chunks = 0;
        let slow = TestFrames::new(100.0);
        assert!(!run_slice(SLICE_BUDGET_MS, &|| slow.now_ms(), &mut || {
            chunks += 1;
            false
        }));
        assert_eq!(chunks, 1, "a chunk longer than the budget still runs once");
    }

    #[test]
    fn a_clock_that_stands_still_ends_the_slice_at_the_chunk_limit() {
        let frozen = TestFrames::new(0.0);
        let mut chunks = 0;
        assert!(!run_slice(SLICE_BUDGET_MS, &|| frozen.now_ms(), &mut || {
            chunks += 1;
            false
        }));
        assert_eq!(chunks, CHUNKS_PER_SLICE_MAX);
    }

    #[test]
    fn work_runs_one_slice_at_start_then_one_per_frame_until_done() {
        let frames = TestFrames::new(1.0);
        let slicer = Slicer::new(frames.clone());
        let log = Rc::new(RefCell::new(Vec::new()));
        let published = log.clone();
        let mut before = 0;
        slicer.start(0, counting(20), move |done: &mut u32, slice| {
            published.borrow_mut().push((*done - before, slice));
            before = *done;
        });
        // 8 chunks a slice: 8 at start, 8 in the first frame, the last 4 in the second.
        assert_eq!(
            *log.borrow(),
            [(
                8,
                Slice {
                    first: true,
                    done: false
                }
            )]
        );
        assert!(slicer.is_running());
        assert_eq!(frames.run_frame(), 1);
        assert_eq!(frames.run_frame(), 1);
        assert_eq!(
            *log.borrow(),
            [
                (
                    8,
                    Slice {
                        first: true,
                        done: false
                    }
                ),
                (
                    8,
                    Slice {
                        first: false,
                        done: false
                    }
                ),
                (
                    4,
                    Slice {
                        first: false,
                        done: true
                    }
                ),
            ]
        );
        assert_eq!(frames.pending(), 0, "no frame is asked for after the work is done");
        assert!(!slicer.is_running());
    }

    #[test]
    fn work_done_in_the_first_slice_asks_for_no_frame() {
        let frames = TestFrames::new(1.0);
        let slicer = Slicer::new(frames.clone());
        let log = Rc::new(RefCell::new(Vec::new()));
        let published = log.clone();
        slicer.start(0, counting(5), move |done: &mut u32, slice| {
            published.borrow_mut().push((*done, slice))
        });
        assert_eq!(
            *log.borrow(),
            [(
                5,
                Slice {
                    first: true,
                    done: true
                }
            )]
        );
        assert_eq!(frames.pending(), 0);
        assert!(!slicer.is_running());
    }

    #[test]
    fn cancelled_work_runs_no_chunk_and_no_publish_again() {
        let frames = TestFrames::new(1.0);
        let slicer = Slicer::new(frames.clone());
        let chunks = Rc::new(Cell::new(0));
        let publishes = Rc::new(Cell::new(0));
        let (c, p) = (chunks.clone(), publishes.clone());
        slicer.start(
            (),
            move |_| {
                c.set(c.get() + 1);
                false
            },
            move |_, _| p.set(p.get() + 1),
        );
        assert_eq!((chunks.get(), publishes.get()), (8, 1));
        slicer.cancel();
        assert!(!slicer.is_running());
        // The frame asked for before the cancel still comes, and does nothing.
        assert_eq!(frames.run_frame(), 1);
        assert_eq!((chunks.get(), publishes.get()), (8, 1));
        assert_eq!(frames.pending(), 0);
    }

    #[test]
    fn starting_new_work_cancels_the_old() {
        let frames = TestFrames::new(1.0);
        let slicer = Slicer::new(frames.clone());
        let log = Rc::new(RefCell::new(Vec::new()));
        for name in ["old", "new"] {
            let log = log.clone();
            slicer.start(
                (),
                |_| false,
                move |_, slice| log.borrow_mut().push((name, slice.first)),
            );
        }
        assert_eq!(frames.pending(), 2, "each start asked for a frame");
        assert_eq!(frames.run_frame(), 2);
        assert_eq!(*log.borrow(), [("old", true), ("new", true), ("new", false)]);
        assert_eq!(frames.pending(), 1, "only the new work goes on");
    }

    #[test]
    fn a_publish_that_cancels_its_own_work_stops_it() {
        let frames = TestFrames::new(1.0);
        let slicer = Slicer::new(frames.clone());
        let inner = slicer.clone();
        let publishes = Rc::new(Cell::new(0));
        let p = publishes.clone();
        slicer.start(
            (),
            |_| false,
            move |_, _| {
                p.set(p.get() + 1);
                inner.cancel();
            },
        );
        assert_eq!(publishes.get(), 1);
        assert_eq!(frames.pending(), 0, "no frame is asked for cancelled work");
        assert!(!slicer.is_running());
    }

    #[test]
    fn a_publish_that_starts_new_work_hands_the_slicer_over() {
        let frames = TestFrames::new(1.0);
        let slicer = Slicer::new(frames.clone());
        let inner = slicer.clone();
        let log = Rc::new(RefCell::new(Vec::new()));
        let outer_log = log.clone();
        slicer.start(
            (),
            |_| false,
            move |_, slice| {
                outer_log.borrow_mut().push(("old", slice.first));
                let log = outer_log.clone();
                inner.start((), |_| true, move |_, slice| log.borrow_mut().push(("new", slice.done)));
            },
        );
        assert_eq!(*log.borrow(), [("old", true), ("new", true)]);
        assert_eq!(
            frames.pending(),
            0,
            "the old work asks for no frame, the new one is done"
        );
        assert!(!slicer.is_running());
    }
}
