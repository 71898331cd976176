//! The browser side's state: the session — one owner composing small
//! controllers — and the browser facilities behind it. Compiled for wasm32
//! only.
//!
//! Each controller owns its signals and is changed only through its own
//! methods, which the session calls: [`recorder`] (the recording and its
//! views), [`playback`] (the cursor, play, speed), [`address`] (when the
//! address bar is written), [`judging`] (verdict and seed sweep), [`import`]
//! (an opened trace file), [`inquiry`] (shrink, fork and bisect, in a
//! worker of their own); the recorder's [`interpreter`] is the handle on
//! the worker that interprets programs. Panels get only the read side of a controller's
//! signals ([`read_only`]). [`frames`] runs sliced work on animation frames;
//! [`browser`] wraps the few browser calls; [`keys`] maps the keyboard to
//! session commands. Nothing here knows the panels.

pub mod address;
pub mod browser;
pub mod frames;
pub mod import;
pub mod inquiry;
pub mod interpreter;
pub mod judging;
pub mod keys;
pub mod playback;
pub mod playground;
pub mod read_only;
pub mod recorder;
pub mod session;

pub use session::Session;
