//! Playback: play/pause and speed. Each animation frame advances the cursor
//! by the time elapsed × speed; it stops at the end of the run.

use leptos::prelude::*;

use super::browser::{self, HistoryMode};
use super::session::Session;

/// Playback speeds; the default is ×1.
pub const SPEEDS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];
/// Index of ×1 in [`SPEEDS`].
pub const SPEED_DEFAULT: usize = 2;
/// Steps per second at ×1.
const STEPS_PER_SECOND: f64 = 4.0;

impl Session {
    /// Play from here (from the start when at the end), or pause.
    pub fn toggle_play(&self) {
        if self.playing.get_untracked() {
            self.pause();
            return;
        }
        let status = self.status.get_untracked();
        if status.finished && self.step.get_untracked() >= status.total {
            self.seek(0);
        }
        self.playing.set(true);
        let generation = self.play_generation.get_value() + 1;
        self.play_generation.set_value(generation);
        self.play_frame(generation, browser::now_ms(), 0.0);
    }

    /// Stops playback and writes the address.
    pub fn pause(&self) {
        if self.halt() {
            self.write_address(HistoryMode::Replace);
        }
    }

    /// Stops playback without touching the address (it may already show
    /// another entry); true if it was playing.
    pub(super) fn halt(&self) -> bool {
        let was_playing = self.playing.get_untracked();
        if was_playing {
            self.playing.set(false);
            self.play_generation.update_value(|g| *g += 1);
        }
        was_playing
    }

    /// One animation frame of playback: advance by elapsed time × speed.
    fn play_frame(&self, generation: u64, last_ms: f64, carry: f64) {
        let session = *self;
        request_animation_frame(move || {
            if session.play_generation.get_value() != generation || !session.playing.get_untracked() {
                return;
            }
            let now = browser::now_ms();
            let rate = STEPS_PER_SECOND * SPEEDS[session.speed.get_untracked().min(SPEEDS.len() - 1)];
            let due = carry + (now - last_ms).max(0.0) / 1000.0 * rate;
            let steps = due.floor();
            if steps >= 1.0 {
                session.step_by(steps as i64);
            }
            let status = session.status.get_untracked();
            if status.finished && session.step.get_untracked() >= status.total {
                session.pause();
                return;
            }
            session.play_frame(generation, now, due - steps);
        });
    }

    /// A faster (+1) or slower (−1) playback speed.
    pub fn change_speed(&self, delta: i32) {
        let i = (self.speed.get_untracked() as i32 + delta).clamp(0, SPEEDS.len() as i32 - 1);
        self.speed.set(i as usize);
    }
}
