//! Opening a trace file: the file picker and drag-and-drop both end here.
//!
//! The size is checked before anything is read ([`IMPORT_BYTES_MAX`]); the
//! text is parsed with `Trace::from_jsonl`, whose errors name the line. A
//! file that cannot be opened leaves the current view exactly as it was.
//! An imported trace replaces the recording on screen but not the address:
//! it cannot be shared by link, and back/forward or picking a scenario
//! returns to scenario runs.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::session::{Session, Status};
use crate::model::Source;
use crate::model::Timeline;
use crate::model::describe::clip;
use crate::model::import::{IMPORT_BYTES_MAX, parse, too_large};
use crate::url;

/// What the page says about an imported trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportInfo {
    /// The file's name, as given by the browser.
    pub file: String,
    /// The scenario named in the trace's header, if any.
    pub scenario: Option<String>,
    pub seed: u64,
    /// `key=value` pairs from the header.
    pub params: String,
    pub events: u64,
}

impl Session {
    /// Opens `text` (the contents of `name`) as a trace, or says why not.
    pub fn import_text(&self, name: &str, text: &str) {
        let name = clip(name, 80);
        let mut imported = match parse(text) {
            Ok(imported) => imported,
            Err(error) => {
                self.errors.set(vec![format!(
                    "{name}: {error}; the trace was not imported and the view is unchanged"
                )]);
                return;
            }
        };
        self.halt();
        self.cancel_sweep();
        self.judge.set_value(None);
        self.verdict.set(None);
        self.generation.update_value(|g| *g += 1);
        self.url_epoch.update_value(|e| *e += 1);
        self.pending.set_value(None);
        imported.finish();
        let header = imported.with_trace(|t| t.header().clone());
        let info = ImportInfo {
            file: name,
            scenario: header.scenario.clone(),
            seed: header.seed,
            params: header
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            events: imported.len(),
        };
        let status = Status {
            total: imported.len(),
            finished: true,
            end: imported.end().cloned(),
            fingerprint: imported.fingerprint().map(|f| format!("{f:016x}")),
            end_clock_ns: imported.end_clock_ns(),
        };
        let timeline = imported.with_trace(Timeline::build);
        self.run.set_value(Some(Source::Imported(imported)));
        self.imported.set(Some(info));
        self.errors.set(Vec::new());
        self.status.set(status);
        self.timeline.set(Some(timeline));
        self.step.set(0);
        self.show(0);
    }

    /// Back to the scenario run the address describes.
    pub fn leave_import(&self) {
        let parsed = url::parse(&super::browser::search());
        let request = parsed.request;
        self.load(&request, request.step.unwrap_or(0), false, None);
    }

    /// Reads `file` (after the size check) and imports it.
    pub fn open_file(&self, file: web_sys::File) {
        let name = file.name();
        let bytes = file.size().max(0.0) as u64;
        if bytes > IMPORT_BYTES_MAX {
            self.errors.set(vec![too_large(&name, bytes)]);
            return;
        }
        let Ok(reader) = web_sys::FileReader::new() else {
            self.report(format!("{}: this browser cannot read files here", clip(&name, 80)));
            return;
        };
        let session = *self;
        let reader_in = reader.clone();
        let onload = Closure::once_into_js(move || match reader_in.result().ok().and_then(|v| v.as_string()) {
            Some(text) => session.import_text(&name, &text),
            None => session
                .errors
                .set(vec![format!("{}: the file could not be read as text", clip(&name, 80))]),
        });
        reader.set_onload(Some(onload.unchecked_ref()));
        let name_err = file.name();
        let onerror = Closure::once_into_js(move || {
            session
                .errors
                .set(vec![format!("{}: the file could not be read", clip(&name_err, 80))]);
        });
        reader.set_onerror(Some(onerror.unchecked_ref()));
        if reader.read_as_text(&file).is_err() {
            self.report(format!("{}: the file could not be read", clip(&file.name(), 80)));
        }
    }
}

/// Drag-and-drop of a trace file anywhere on the page, for the page's lifetime.
pub fn install_drop(session: Session) {
    let has_files = |e: &web_sys::DragEvent| {
        e.data_transfer()
            .is_some_and(|d| d.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
    };
    let over = window_event_listener(leptos::ev::dragover, move |e| {
        if has_files(&e) {
            e.prevent_default();
            if !session.dragging.get_untracked() {
                session.dragging.set(true);
            }
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |e| {
        // Leaving the window (not moving between elements) ends the hint.
        if e.related_target().is_none() {
            session.dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |e| {
        session.dragging.set(false);
        let file = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0));
        if let Some(file) = file {
            e.prevent_default();
            session.open_file(file);
        }
    });
    std::mem::forget((over, leave, drop));
}
