//! The browser side: the root component, the session it owns, and the
//! browser facilities behind them. Compiled for wasm32 only.

mod address;
mod app;
pub mod browser;
mod keys;
pub mod playback;
pub mod session;

pub use session::Session;

/// Mounts the root component on `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(app::App);
}
