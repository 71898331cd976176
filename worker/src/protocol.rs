//! The messages between the page and the worker, each one JSON text.
//!
//! One definition serves both sides: the page (`wakescope-app`) writes
//! [`Request`]s and reads [`Response`]s with these types, the worker the
//! other way round.

use serde::{Deserialize, Serialize};
use wakescope::view::{EndKind, RunEnd};
use wakescope_playground::Diagnostic;

use crate::search::{Found, ScenarioRun, SearchRequest};

/// From the page to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Start a run, replacing any run the worker had.
    Run(RunRequest),
    /// The next piece of the run `job`.
    More { job: u32 },
    /// Search the runs around a run (shrink, fork, bisect); answered with
    /// [`Response::Progress`] now and then and one [`Response::Found`].
    Search(SearchRequest),
}

/// A program to run: as the compiled program would be, `sim.spawn("main",
/// main())` on `Config::seeded(seed)` — or, for a scenario's program, on the
/// simulation the scenario prepares (its configuration and trace header).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRequest {
    /// The page's number for this run; every answer carries it.
    pub job: u32,
    /// The file name the program's locations carry in the trace.
    pub file: String,
    pub text: String,
    pub seed: u64,
    /// The scenario whose program this is (`None`: a visitor's program).
    pub scenario: Option<ScenarioRun>,
    /// The most events the run may record; past it the run is stopped.
    pub events_max: u64,
    /// A schedule (`s:…`) the run follows instead of its policy
    /// (`Sim::with_schedule`): a shrunk or forked run, replayed.
    #[serde(default)]
    pub schedule: Option<String>,
}

/// From the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is listening: requests sent before this would be lost.
    Ready,
    /// The program does not parse, or uses what the playground refuses:
    /// nothing runs.
    Refused { job: u32, problem: Problem },
    /// The run has started: its trace's header line and what rustc would
    /// warn about.
    Started {
        job: u32,
        header: String,
        warnings: Vec<Problem>,
    },
    /// The next events, as whole JSON lines; `end` once the run is over
    /// (the last piece).
    Piece { job: u32, lines: String, end: Option<End> },
    /// The worker could not do what was asked (a request it cannot read).
    Failed { message: String },
    /// The search `job` has made `runs` of at most `of` runs.
    Progress { job: u32, runs: u64, of: u64 },
    /// What the search `job` found (its last answer).
    Found { job: u32, found: Found },
}

/// A problem at a line and column of the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl From<&Diagnostic> for Problem {
    fn from(d: &Diagnostic) -> Problem {
        Problem {
            line: d.line,
            column: d.column,
            message: d.message.clone(),
        }
    }
}

impl From<Problem> for Diagnostic {
    fn from(p: Problem) -> Diagnostic {
        Diagnostic {
            line: p.line,
            column: p.column,
            message: p.message,
        }
    }
}

/// How a run ended: the kind's word and the sentence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    pub kind: String,
    pub message: String,
}

impl From<&RunEnd> for End {
    fn from(end: &RunEnd) -> End {
        End {
            kind: end.kind.as_str().to_string(),
            message: end.message.clone(),
        }
    }
}

impl End {
    /// The end as the recording shows it; a kind this build does not know
    /// reads as a limit, with its sentence.
    pub fn to_run_end(&self) -> RunEnd {
        RunEnd {
            kind: EndKind::from_word(&self.kind).unwrap_or(EndKind::Limit),
            message: self.message.clone(),
        }
    }
}

impl Request {
    /// The request as the text posted to the worker.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("a request serializes")
    }

    /// Reads a posted request.
    pub fn from_text(text: &str) -> Result<Request, String> {
        serde_json::from_str(text).map_err(|e| format!("the worker cannot read this request: {e}"))
    }
}

impl Response {
    /// The response as the text posted to the page.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("a response serializes")
    }

    /// Reads a posted response.
    pub fn from_text(text: &str) -> Result<Response, String> {
        serde_json::from_str(text).map_err(|e| format!("the page cannot read the interpreter's answer: {e}"))
    }
}
