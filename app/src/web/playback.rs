//! Playback: the cursor (the step on screen), play/pause and speed.
//!
//! While playing, each animation frame moves the cursor by the time elapsed
//! × speed: the frame hands the steps due to the session's tick, which moves
//! the cursor and says whether to go on (it stops at the end of the run).
//! A generation number, bumped by every start and stop, makes a frame
//! requested for an earlier play do nothing.

use leptos::prelude::*;

use super::read_only::ReadOnly;

use super::browser;

/// Playback speeds; the default is ×1.
pub const SPEEDS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];
/// Index of ×1 in [`SPEEDS`].
pub const SPEED_DEFAULT: usize = 2;
/// Steps per second at ×1.
const STEPS_PER_SECOND: f64 = 4.0;

/// The cursor and its playback; `Copy`, owned by the session.
#[derive(Clone, Copy)]
pub struct Playback {
    /// Step k on screen: the state after the first k events.
    step: RwSignal<u64>,
    playing: RwSignal<bool>,
    /// Index into [`SPEEDS`].
    speed: RwSignal<usize>,
    /// Bumped when playback starts or stops, so frames of an earlier play stop.
    generation: StoredValue<u64>,
}

impl Playback {
    /// At step 0, paused, at ×1.
    pub fn new() -> Playback {
        let step = RwSignal::new(0);
        let playing = RwSignal::new(false);
        let speed = RwSignal::new(SPEED_DEFAULT);
        Playback {
            step,
            playing,
            speed,
            generation: StoredValue::new(0),
        }
    }

    /// The step on screen.
    pub fn step(&self) -> ReadOnly<u64> {
        ReadOnly::of(self.step)
    }

    /// True while playing.
    pub fn playing(&self) -> ReadOnly<bool> {
        ReadOnly::of(self.playing)
    }

    /// The speed, as an index into [`SPEEDS`].
    pub fn speed(&self) -> ReadOnly<usize> {
        ReadOnly::of(self.speed)
    }

    /// Puts the cursor at `k` (the session has clamped it to what is recorded).
    pub(super) fn move_to(&self, k: u64) {
        if k != self.step.get_untracked() {
            self.step.set(k);
        }
    }

    /// The speed at `index` into [`SPEEDS`] (clamped).
    pub(super) fn set_speed(&self, index: usize) {
        self.speed.set(index.min(SPEEDS.len() - 1));
    }

    /// A faster (+1) or slower (−1) speed, within [`SPEEDS`].
    pub(super) fn change_speed(&self, delta: i32) {
        let i = (self.speed.get_untracked() as i32 + delta).clamp(0, SPEEDS.len() as i32 - 1);
        self.speed.set(i as usize);
    }

    /// Plays: every animation frame, `tick` gets the steps due since the
    /// last (often 0) and returns whether to go on.
    pub(super) fn play(&self, tick: impl FnMut(u64) -> bool + 'static) {
        self.playing.set(true);
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.play_frame(generation, browser::now_ms(), 0.0, Box::new(tick));
    }

    /// Stops playing; true if it was playing.
    pub(super) fn halt(&self) -> bool {
        let was_playing = self.playing.get_untracked();
        if was_playing {
            self.playing.set(false);
            self.generation.update_value(|g| *g += 1);
        }
        was_playing
    }

    /// One animation frame of playback: elapsed time × speed, plus what was
    /// left over last frame (`carry`), in whole steps.
    fn play_frame(&self, generation: u64, last_ms: f64, carry: f64, mut tick: Box<dyn FnMut(u64) -> bool>) {
        let playback = *self;
        request_animation_frame(move || {
            if playback.generation.get_value() != generation || !playback.playing.get_untracked() {
                return;
            }
            let now_ms = browser::now_ms();
            let rate = STEPS_PER_SECOND * SPEEDS[playback.speed.get_untracked().min(SPEEDS.len() - 1)];
            let due = carry + (now_ms - last_ms).max(0.0) / 1000.0 * rate;
            let steps = due.floor();
            if tick(steps as u64) && playback.generation.get_value() == generation {
                playback.play_frame(generation, now_ms, due - steps, tick);
            }
        });
    }
}
