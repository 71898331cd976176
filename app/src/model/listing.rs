//! The code a run shows in the code panel, and whether the trace can light it.
//!
//! Every run shows its program. A playground program shows the text that
//! ran; a scenario with a program is run by interpreting that program's
//! text, so it shows the text that ran too — except when it is too big for
//! the interpreter (see [`super::run::INTERPRETED_TASKS_MAX`]), when the
//! compiled scenario runs and the same text is shown as its equivalent; a
//! scenario the playground cannot say shows its own Rust source. Only
//! interpreted text is lit: its events carry its lines
//! ([`super::run::PROGRAM_FILE`]), a compiled run's do not.

use std::sync::Arc;

/// What the code panel lists for a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listing {
    /// The program text that runs, interpreted: the current line is lit and
    /// tasks are marked where they wait.
    Interpreted(Arc<str>),
    /// A scenario's program text, while the run on screen is the compiled
    /// scenario it is equivalent to (same trace, same fingerprint).
    CompiledEquivalent(Arc<str>),
    /// A scenario's own Rust source: it has no playground program.
    Source(&'static str),
}

impl Listing {
    /// The text listed.
    pub fn text(&self) -> &str {
        match self {
            Listing::Interpreted(text) | Listing::CompiledEquivalent(text) => text,
            Listing::Source(text) => text,
        }
    }

    /// True when the run's events name lines of this text, so the current
    /// line and the tasks' waiting lines can be shown.
    pub fn is_traced(&self) -> bool {
        matches!(self, Listing::Interpreted(_))
    }

    /// The text the playground editor may open: a program (`None` for Rust
    /// source, which the playground does not run).
    pub fn program(&self) -> Option<&str> {
        match self {
            Listing::Interpreted(text) | Listing::CompiledEquivalent(text) => Some(text),
            Listing::Source(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_interpreted_text_is_lit_and_only_programs_are_editable() {
        let text: Arc<str> = Arc::from("async fn main() {}\n");
        let interpreted = Listing::Interpreted(text.clone());
        let compiled = Listing::CompiledEquivalent(text.clone());
        let source = Listing::Source("fn spawn() {}\n");
        assert!(interpreted.is_traced());
        assert!(!compiled.is_traced());
        assert!(!source.is_traced());
        assert_eq!(interpreted.program(), Some(&*text));
        assert_eq!(compiled.program(), Some(&*text));
        assert_eq!(source.program(), None);
        assert_eq!(source.text(), "fn spawn() {}\n");
    }
}
