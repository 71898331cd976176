//! The playground's example programs: the ones the playground's own tests
//! run, interpreted and compiled, trace for trace (`playground/tests/programs/`).
//! The editor starts with the first when there is no draft.

/// An example program the editor can load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// The `<option>` value.
    pub id: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// Every example, the editor's first program first.
pub const EXAMPLES: &[Example] = &[
    Example {
        id: "timers",
        title: "Three kitchen timers",
        text: include_str!("../../../playground/tests/programs/timers.rs"),
    },
    Example {
        id: "pipeline",
        title: "A pipeline with backpressure",
        text: include_str!("../../../playground/tests/programs/pipeline.rs"),
    },
    Example {
        id: "race",
        title: "The lost update",
        text: include_str!("../../../playground/tests/programs/race.rs"),
    },
    Example {
        id: "deadline",
        title: "A request with a deadline",
        text: include_str!("../../../playground/tests/programs/deadline.rs"),
    },
    Example {
        id: "failures",
        title: "Tasks that panic",
        text: include_str!("../../../playground/tests/programs/failures.rs"),
    },
    Example {
        id: "locks",
        title: "Locks, permits and notifications",
        text: include_str!("../../../playground/tests/programs/locks.rs"),
    },
];

/// The example by id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.id == id)
}
