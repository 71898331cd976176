//! The browser side: the root component, the session it owns, and the
//! browser facilities behind them. Compiled for wasm32 only.

mod address;
mod app;
pub mod browser;
pub mod import;
pub mod judging;
mod keys;
pub mod playback;
pub mod session;

pub use session::Session;

/// Mounts the root component on `<body>`, replacing the loading note that
/// `index.html` shows until the wasm has arrived.
pub fn mount() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
