//! Opening a trace file: the file picker and drag-and-drop both end here.
//!
//! The size is checked before anything is read ([`IMPORT_BYTES_MAX`]); the
//! session then parses the text ([`crate::model::import::open`], whose errors
//! name the line) and folds it like a recording. This controller owns what
//! the page says about the file ([`ImportInfo`]) and the hint shown while a
//! file is dragged over the page. An imported trace replaces the recording
//! on screen but not the address: it cannot be shared by link, and
//! back/forward or picking a scenario returns to scenario runs.

use leptos::prelude::*;

use super::read_only::ReadOnly;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::model::describe::clip;
use crate::model::import::{IMPORT_BYTES_MAX, ImportInfo, too_large};

/// The imported trace's note and the drop hint; `Copy`, owned by the session.
#[derive(Clone, Copy)]
pub struct Import {
    /// Set while an imported trace is on screen.
    info: RwSignal<Option<ImportInfo>>,
    /// A file is being dragged over the page.
    dragging: RwSignal<bool>,
}

impl Import {
    /// No import, nothing dragged.
    pub fn new() -> Import {
        let info = RwSignal::new(None);
        let dragging = RwSignal::new(false);
        Import { info, dragging }
    }

    /// What was imported, while an imported trace is on screen.
    pub fn info(&self) -> ReadOnly<Option<ImportInfo>> {
        ReadOnly::of(self.info)
    }

    /// True while a file is dragged over the page.
    pub fn dragging(&self) -> ReadOnly<bool> {
        ReadOnly::of(self.dragging)
    }

    /// True while an imported trace is on screen.
    pub(super) fn is_open(&self) -> bool {
        self.info.with_untracked(Option::is_some)
    }

    /// An imported trace is on screen (`Some`), or a scenario run again.
    pub(super) fn show(&self, info: Option<ImportInfo>) {
        self.info.set(info);
    }

    /// Reads `file` as text, after the size check: `opened` gets its name and
    /// text, `refused` the sentence saying why it could not be read.
    pub(super) fn read(
        &self,
        file: web_sys::File,
        opened: impl FnOnce(String, String) + 'static,
        refused: impl Fn(String) + 'static,
    ) {
        let name = file.name();
        let bytes = file.size().max(0.0) as u64;
        if bytes > IMPORT_BYTES_MAX {
            refused(too_large(&name, bytes));
            return;
        }
        let Ok(reader) = web_sys::FileReader::new() else {
            refused(format!("{}: this browser cannot read files here", clip(&name, 80)));
            return;
        };
        let refused = std::rc::Rc::new(refused);
        let reader_in = reader.clone();
        let name_in = name.clone();
        let refused_in = refused.clone();
        let onload = Closure::once_into_js(move || match reader_in.result().ok().and_then(|v| v.as_string()) {
            Some(text) => opened(name_in, text),
            None => refused_in(format!("{}: the file could not be read as text", clip(&name_in, 80))),
        });
        reader.set_onload(Some(onload.unchecked_ref()));
        let name_err = name.clone();
        let refused_err = refused.clone();
        let onerror = Closure::once_into_js(move || {
            refused_err(format!("{}: the file could not be read", clip(&name_err, 80)));
        });
        reader.set_onerror(Some(onerror.unchecked_ref()));
        if reader.read_as_text(&file).is_err() {
            refused(format!("{}: the file could not be read", clip(&name, 80)));
        }
    }

    /// Drag-and-drop of a file anywhere on the page, for the page's lifetime:
    /// the hint shows while a file is over the page; `dropped` gets the file.
    pub(super) fn listen_for_drops(&self, dropped: impl Fn(web_sys::File) + 'static) {
        let has_files = |e: &web_sys::DragEvent| {
            e.data_transfer()
                .is_some_and(|d| d.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
        };
        let import = *self;
        let over = window_event_listener(leptos::ev::dragover, move |e| {
            if has_files(&e) {
                e.prevent_default();
                if !import.dragging.get_untracked() {
                    import.dragging.set(true);
                }
            }
        });
        let leave = window_event_listener(leptos::ev::dragleave, move |e| {
            // Leaving the window (not moving between elements) ends the hint.
            if e.related_target().is_none() {
                import.dragging.set(false);
            }
        });
        let drop = window_event_listener(leptos::ev::drop, move |e| {
            import.dragging.set(false);
            let file = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0));
            if let Some(file) = file {
                e.prevent_default();
                dropped(file);
            }
        });
        std::mem::forget((over, leave, drop));
    }
}
