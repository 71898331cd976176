//! The page's interpreter, as a Web Worker of its own.
//!
//! The playground's parser and interpreter (`syn` and
//! `wakescope-playground`) are as big as the rest of the app together, so
//! they do not load with the page: they are this second wasm module, which
//! the page starts the first time it runs a program (a visitor's, or a
//! scenario's), in a Worker. The page and the worker share no memory; what
//! crosses is the trace — the one contract between the executor and
//! everything else — as the JSON lines of the trace file format:
//!
//! 1. the page sends a [`RunRequest`] (the program's text, the seed, and for
//!    a scenario its id and parameters);
//! 2. the worker parses it and answers [`Response::Refused`] with the
//!    problem's line and column, or [`Response::Started`] with the trace's
//!    header line and the program's warnings;
//! 3. each time the page asks for more ([`Request::More`]), the worker runs
//!    the simulation a bounded slice further ([`Job::piece`]) and answers a
//!    [`Response::Piece`]: the new events' lines and, at the last, how the run
//!    ended.
//!
//! The page asks for a piece only when it has read the last (pull, not
//! push), so the text in flight stays small however long the run. Its
//! `Recording::streamed` reads the lines and folds them exactly as a live
//! recording folds the simulation's own trace (`tests/jobs.rs` checks the
//! fingerprint and the view at every step against the direct run).
//!
//! The page's searches around a run — shrink it, fork it at a step, bisect
//! it — run here too, in a worker of their own ([`search`]): many runs that
//! would hold the page's thread for seconds, answered with progress and one
//! result the page shows as it is.

pub mod job;
pub mod protocol;
pub mod search;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use job::{Job, PIECE_EVENTS_MAX, PIECE_STEPS_MAX};
pub use protocol::{End, Problem, Request, Response, RunRequest};
pub use search::{Found, ScenarioRun, Search, SearchRequest, Target};
