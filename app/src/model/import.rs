//! Traces opened from a file.
//!
//! A `.jsonl` trace written by the library or the CLI (`Trace::to_jsonl`)
//! is parsed with `Trace::from_jsonl` and folded like a live run, by the
//! same [`Recording`]: the fold needs only the trace. There is no simulation
//! behind it, so no verdict, measurement or deadlock report (those read the
//! simulation).
//!
//! Limit: files over [`IMPORT_BYTES_MAX`] are refused before they are read.

use wakescope::describe::clip;
use wakescope::view::Recording;
use wakescope::{Trace, TraceError};

/// The largest trace file the page opens, in bytes (64 MiB): checked before reading.
pub const IMPORT_BYTES_MAX: u64 = 64 * 1024 * 1024;

/// The refusal for a file over [`IMPORT_BYTES_MAX`].
pub fn too_large(name: &str, bytes: u64) -> String {
    format!(
        "{}: the file is {:.1} MiB; the page opens traces of at most {} MiB (IMPORT_BYTES_MAX); nothing was imported",
        clip(name, 80),
        bytes as f64 / (1024.0 * 1024.0),
        IMPORT_BYTES_MAX / (1024 * 1024)
    )
}

/// Parses a JSONL trace into a recording, not yet folded (advance it, or
/// [`Recording::finish`] it); the error names the line and the problem.
pub fn parse(text: &str) -> Result<Recording, TraceError> {
    Ok(Recording::loaded(Trace::from_jsonl(text)?))
}
