//! Traces opened from a file.
//!
//! A `.jsonl` trace written by the library or the CLI (`Trace::to_jsonl`)
//! is parsed with `Trace::from_jsonl` and folded like a live run, by the
//! same [`Recording`]: the fold needs only the trace. There is no simulation
//! behind it, so no verdict, measurement or deadlock report (those read the
//! simulation).
//!
//! Limit: files over [`IMPORT_BYTES_MAX`] are refused before they are read.
//! A file that does not parse is refused whole ([`open`]), so the view on
//! screen stays as it was.

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

/// What the page says about an imported trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportInfo {
    /// The file's name, as given by the browser (cut to 80 characters).
    pub file: String,
    /// The scenario named in the trace's header, if any.
    pub scenario: Option<String>,
    pub seed: u64,
    /// `key=value` pairs from the header, space-separated.
    pub params: String,
    /// Events in the trace: the steps it will have once folded.
    pub events: u64,
}

impl ImportInfo {
    /// What `recording` (parsed from the file `file`) says about itself.
    pub fn of(file: &str, recording: &Recording) -> ImportInfo {
        let header = recording.with_trace(|t| t.header().clone());
        ImportInfo {
            file: clip(file, 80),
            scenario: header.scenario,
            seed: header.seed,
            params: header
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            events: recording.recorded(),
        }
    }
}

/// Parses `text`, the contents of the file `file`, into a recording to fold
/// and what to say about it; or the sentence for the error panel.
pub fn open(file: &str, text: &str) -> Result<(Recording, ImportInfo), String> {
    match parse(text) {
        Ok(recording) => {
            let info = ImportInfo::of(file, &recording);
            Ok((recording, info))
        }
        Err(error) => Err(format!(
            "{}: {error}; the trace was not imported and the view is unchanged",
            clip(file, 80)
        )),
    }
}
