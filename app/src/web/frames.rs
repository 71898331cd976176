//! The page's frames for the [`crate::slicer`]: `performance.now()` as its
//! clock, and as its next frame the next turn of the event loop — a message
//! to itself on a `MessageChannel`, not `requestAnimationFrame` — and a
//! `Copy` handle the controllers can keep beside their signals.
//!
//! Waiting for the next animation frame after every slice would leave the
//! rest of each frame idle: with slices of [`crate::slicer::SLICE_BUDGET_MS`]
//! in frames of 16.7 ms, work would get half the time. A message runs as
//! soon as the browser has nothing more urgent: input events and rendering
//! go first (the browser renders between tasks when a frame is due), so the
//! page still draws every frame and answers input within one slice, and the
//! work gets the time in between.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::browser;
use crate::slicer::{Frames, Slice, Slicer};

/// The page's turns of the event loop.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageFrames;

impl Frames for PageFrames {
    fn now_ms(&self) -> f64 {
        browser::now_ms()
    }

    fn next_frame(&self, frame: Box<dyn FnOnce()>) {
        TURNS.with(|turns| match turns {
            Some(turns) => turns.post(frame),
            None => request_animation_frame(frame),
        });
    }
}

/// Closures waiting for their turn, in order, and the channel that calls
/// them: one message posted per closure, one closure run per message.
struct Turns {
    waiting: Rc<RefCell<VecDeque<Box<dyn FnOnce()>>>>,
    /// The end messages are posted to; the other end's listener runs them.
    sender: web_sys::MessagePort,
    /// Kept alive as long as the page: the receiving end's listener.
    _listener: Closure<dyn FnMut()>,
}

impl Turns {
    /// The channel, or `None` where the browser has none (then frames are
    /// animation frames).
    fn new() -> Option<Turns> {
        let channel = web_sys::MessageChannel::new().ok()?;
        let waiting: Rc<RefCell<VecDeque<Box<dyn FnOnce()>>>> = Rc::default();
        let queue = Rc::clone(&waiting);
        let listener = Closure::<dyn FnMut()>::new(move || {
            // Taken out before it runs: it may post the next turn.
            let next = queue.borrow_mut().pop_front();
            if let Some(next) = next {
                next();
            }
        });
        channel.port1().set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Turns {
            waiting,
            sender: channel.port2(),
            _listener: listener,
        })
    }

    fn post(&self, frame: Box<dyn FnOnce()>) {
        self.waiting.borrow_mut().push_back(frame);
        if self.sender.post_message(&wasm_bindgen::JsValue::NULL).is_err() {
            // Cannot happen for a null message; if it did, run it at the next frame.
            if let Some(frame) = self.waiting.borrow_mut().pop_back() {
                request_animation_frame(frame);
            }
        }
    }
}

thread_local! {
    static TURNS: Option<Turns> = Turns::new();
}

/// A [`Slicer`] on the page's frames, as a `Copy` handle (it lives in the
/// reactive arena, on this thread, as long as the page).
#[derive(Clone, Copy)]
pub struct FrameSlicer {
    slicer: StoredValue<Slicer<PageFrames>, LocalStorage>,
}

impl FrameSlicer {
    /// A slicer with nothing to do.
    pub fn new() -> FrameSlicer {
        FrameSlicer {
            slicer: StoredValue::new_local(Slicer::new(PageFrames)),
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
