//! The playground editor's state: whether it is open, the text being
//! edited, and the problems of the last Run.
//!
//! The text is the visitor's work, so it is never lost: every change is
//! saved as a draft in `localStorage` ([`DRAFT_KEY`]) and a reload starts
//! from it; with no draft the editor starts with the first example program.
//! Only the visitor's own edits write the draft — opening a shared link
//! shows its program without touching the draft — and a Run that fails
//! leaves both the text and the run on screen as they were.

use leptos::prelude::*;
use wakescope_playground::Diagnostic;

use super::browser;
use super::read_only::ReadOnly;
use crate::model::examples::EXAMPLES;

/// Where the draft is kept in `localStorage`.
pub const DRAFT_KEY: &str = "wakescope.playground.draft";

/// A problem shown under the editor: a refused or unparsable construct (an
/// error: nothing ran) or a warning (the program ran).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub diagnostic: Diagnostic,
    pub warning: bool,
}

/// The editor; `Copy`, owned by the session.
#[derive(Clone, Copy)]
pub struct Playground {
    open: RwSignal<bool>,
    text: RwSignal<String>,
    problems: RwSignal<Vec<Problem>>,
    /// The draft could not be saved (storage refused): said once, under the editor.
    unsaved: RwSignal<bool>,
}

impl Playground {
    /// Closed, holding the draft (or the first example when there is none).
    pub fn new() -> Playground {
        let text = browser::stored(DRAFT_KEY).unwrap_or_else(|| EXAMPLES[0].text.to_string());
        Playground {
            open: RwSignal::new(false),
            text: RwSignal::new(text),
            problems: RwSignal::new(Vec::new()),
            unsaved: RwSignal::new(false),
        }
    }

    /// True while the editor is shown.
    pub fn is_open(&self) -> ReadOnly<bool> {
        ReadOnly::of(self.open)
    }

    /// The text in the editor.
    pub fn text(&self) -> ReadOnly<String> {
        ReadOnly::of(self.text)
    }

    /// The problems of the last Run (or of the program a link opened).
    pub fn problems(&self) -> ReadOnly<Vec<Problem>> {
        ReadOnly::of(self.problems)
    }

    /// True when the last change could not be saved as a draft.
    pub fn unsaved(&self) -> ReadOnly<bool> {
        ReadOnly::of(self.unsaved)
    }

    /// Shows the editor; with `text`, holding that text (the draft is not
    /// written until the visitor edits it).
    pub(super) fn open(&self, text: Option<String>) {
        if let Some(text) = text {
            self.text.set(text);
        }
        self.open.set(true);
    }

    /// Hides the editor; the text stays.
    pub(super) fn close(&self) {
        self.open.set(false);
    }

    /// The visitor changed the text: keep it, and save it as the draft.
    pub(super) fn edit(&self, text: String) {
        self.unsaved.set(!browser::store(DRAFT_KEY, &text));
        self.text.set(text);
    }

    /// The problems to show: `errors` (nothing ran) or the run's `warnings`.
    pub(super) fn report(&self, errors: &[Diagnostic], warnings: &[Diagnostic]) {
        let problems = errors
            .iter()
            .map(|d| Problem {
                diagnostic: d.clone(),
                warning: false,
            })
            .chain(warnings.iter().map(|d| Problem {
                diagnostic: d.clone(),
                warning: true,
            }))
            .collect();
        self.problems.set(problems);
    }
}
