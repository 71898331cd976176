//! The page's frames for the [`crate::slicer`]: `performance.now()` as its
//! clock, `requestAnimationFrame` as its next frame, and a `Copy` handle the
//! controllers can keep beside their signals.

use leptos::prelude::*;

use super::browser;
use crate::slicer::{Frames, Slice, Slicer};

/// The browser's animation frames.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnimationFrames;

impl Frames for AnimationFrames {
    fn now_ms(&self) -> f64 {
        browser::now_ms()
    }

    fn next_frame(&self, frame: Box<dyn FnOnce()>) {
        request_animation_frame(frame);
    }
}

/// A [`Slicer`] on animation frames, as a `Copy` handle (it lives in the
/// reactive arena, on this thread, as long as the page).
#[derive(Clone, Copy)]
pub struct FrameSlicer {
    slicer: StoredValue<Slicer<AnimationFrames>, LocalStorage>,
}

impl FrameSlicer {
    /// A slicer with nothing to do.
    pub fn new() -> FrameSlicer {
        FrameSlicer {
            slicer: StoredValue::new_local(Slicer::new(AnimationFrames)),
        }
    }

    /// See [`Slicer::start`]: the first slice runs before this returns.
    pub fn start<W, C, P>(&self, state: W, chunk: C, publish: P)
    where
        W: 'static,
        C: FnMut(&mut W) -> bool + 'static,
        P: FnMut(&mut W, Slice) + 'static,
    {
        // A clone of the handle, so no borrow of the arena is held while the
        // work runs (its publish may start or cancel work on this slicer).
        self.slicer.get_value().start(state, chunk, publish);
    }

    /// See [`Slicer::cancel`].
    pub fn cancel(&self) {
        self.slicer.get_value().cancel();
    }
}
