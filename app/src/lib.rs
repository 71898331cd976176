//! # Wakescope in the browser
//!
//! A learner picks a scenario, steps through every poll forwards and
//! backwards, and watches the ready queue, the timers, the wakers and a
//! virtual timeline move; a seed picks another interleaving; the address bar
//! holds the exact view, so it can be shared.
//!
//! ## How it fits together
//! - The executor runs here, in the page's wasm, a slice of steps per
//!   animation frame ([`slicer`]); the page never freezes.
//! - The trace is the only source of truth: the state at step k is the fold
//!   of its first k events ([`model::ViewState`]), with snapshots along the
//!   way so that any step is instant and going back shows exactly what going
//!   forward showed.
//! - [`url`] reads and writes the view in the address bar.
//! - The browser side (wasm32 only) is Leptos, in layers that only look
//!   down: `web/` holds the session — one owner composing small controllers
//!   (playback, address, recording, judging, import) — and the browser
//!   facilities behind it; `panels/` holds one component per panel, each
//!   reading the session; `shell` is the root component that creates the
//!   session, provides it by context and lays the panels out.
//!
//! Everything outside `web/`, `panels/` and `shell` is plain Rust and tested
//! natively with `cargo test -p wakescope-app`.

pub mod model;
pub mod slicer;
pub mod url;

#[cfg(target_arch = "wasm32")]
mod panels;
#[cfg(target_arch = "wasm32")]
mod shell;
#[cfg(target_arch = "wasm32")]
mod web;

/// Mounts the app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn mount() {
    shell::mount();
}
