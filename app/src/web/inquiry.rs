//! Inquiry: the searches around the run on screen — shrink it, fork it at
//! a step ("What if from here?"), bisect it — made by a worker of their own
//! (see `wakescope_worker::search`), so the page stays free while the
//! searcher makes its thousands of runs.
//!
//! One search at a time. The searcher tells how many runs it has made now
//! and then (the progress bar) and what it found at the end. Cancelling ends
//! the searcher's worker (it cannot be interrupted otherwise); the next
//! search starts a new one. What was found stays while the run on screen is
//! the same program and seed — opening the shrunk run, or a fork's
//! continuation, keeps it — and is forgotten otherwise.

use leptos::prelude::*;
use wakescope_worker::{Found, Request, Response, Search};

use super::browser::WorkerHandle;
use super::interpreter::start_worker;
use super::read_only::ReadOnly;
use crate::model::{Frame, Setup};
use wakescope::compare::Against;
use wakescope::view::Recording;

/// A trace the searcher sent, read and folded (`None` if it does not read).
fn folded(text: &str) -> Option<Recording> {
    let mut recording = Recording::loaded(wakescope::Trace::from_jsonl(text).ok()?);
    recording.finish();
    Some(recording)
}

/// Which search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Shrink,
    Fork,
    Bisect,
    Compare,
}

impl Kind {
    fn of(search: &Search) -> Kind {
        match search {
            Search::Shrink { .. } => Kind::Shrink,
            Search::Fork { .. } => Kind::Fork,
            Search::Bisect { .. } => Kind::Bisect,
            Search::Compare { .. } => Kind::Compare,
        }
    }

    /// What the searcher is doing, for the progress line ("shrinking the failing run").
    pub fn doing(self) -> &'static str {
        match self {
            Kind::Shrink => "shrinking the failing run",
            Kind::Fork => "running continuations",
            Kind::Bisect => "bisecting the failing run",
            Kind::Compare => "running the other run",
        }
    }
}

/// Where the search stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    /// Runs made so far, of at most `of`.
    Running {
        runs: u64,
        of: u64,
    },
    Found(Found),
    /// Cancelled, or the searcher failed: the sentence.
    Stopped(String),
}

/// The search around one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Inquiry {
    pub kind: Kind,
    /// The run searched around.
    pub about: Setup,
    /// What a comparison compares it with.
    pub vs: Option<Against>,
    pub stage: Stage,
}

impl Inquiry {
    /// True while the searcher works.
    pub fn running(&self) -> bool {
        matches!(self.stage, Stage::Running { .. })
    }
}

/// The searcher and its search; `Copy`, owned by the session.
#[derive(Clone, Copy)]
pub struct Searcher {
    inquiry: RwSignal<Option<Inquiry>>,
    worker: StoredValue<Option<WorkerHandle>, LocalStorage>,
    /// True once the worker listens.
    ready: StoredValue<bool>,
    /// The request waiting for it to.
    queued: StoredValue<Option<String>>,
    /// The number of the current search (answers about others are ignored).
    job: StoredValue<u32>,
    /// The other run of a comparison, folded, for its view at the cursor.
    other: StoredValue<Option<Recording>, LocalStorage>,
    /// An ended worker, kept until the next search: it may be ended from
    /// inside its own listener, which must not be freed while it runs.
    retired: StoredValue<Option<WorkerHandle>, LocalStorage>,
}

impl Searcher {
    /// No search, no worker yet.
    pub fn new() -> Searcher {
        Searcher {
            inquiry: RwSignal::new(None),
            worker: StoredValue::new_local(None),
            ready: StoredValue::new(false),
            queued: StoredValue::new(None),
            job: StoredValue::new(0),
            retired: StoredValue::new_local(None),
            other: StoredValue::new_local(None),
        }
    }

    /// The search around the run on screen, if one was made.
    pub fn inquiry(&self) -> ReadOnly<Option<Inquiry>> {
        ReadOnly::of(self.inquiry)
    }

    /// Starts `search` around the run of `about` in place of any other.
    pub(super) fn start(&self, about: Setup, search: Search) {
        let vs = match &search {
            Search::Compare { vs } => vs.parse::<Against>().ok(),
            _ => None,
        };
        self.retired.set_value(None);
        self.other.set_value(None);
        if self
            .inquiry
            .with_untracked(|i| i.as_ref().is_some_and(Inquiry::running))
        {
            // The worker is busy with the old search: end it.
            self.end_worker();
        }
        let job = self.job.get_value().wrapping_add(1).max(1);
        self.job.set_value(job);
        let kind = Kind::of(&search);
        let text = Request::Search(about.search_request(job, search)).to_text();
        self.inquiry.set(Some(Inquiry {
            kind,
            about,
            vs,
            stage: Stage::Running { runs: 0, of: 0 },
        }));
        if self.ready.get_value() {
            self.worker.with_value(|w| w.as_ref().map(|w| w.post(&text)));
        } else {
            self.queued.set_value(Some(text));
            self.start_worker();
        }
    }

    /// Stops a running search; the runs it made are said.
    pub(super) fn cancel(&self) {
        let Some(Stage::Running { runs, of }) = self.inquiry.with_untracked(|i| i.as_ref().map(|i| i.stage.clone()))
        else {
            return;
        };
        self.end_worker();
        let said = if of == 0 {
            "cancelled before the first run".to_string()
        } else {
            format!("cancelled after {runs} of at most {of} runs")
        };
        self.set_stage(Stage::Stopped(said));
    }

    /// Forgets the search (the run on screen is another program or seed),
    /// stopping it if it runs.
    pub(super) fn forget(&self) {
        if self
            .inquiry
            .with_untracked(|i| i.as_ref().is_some_and(Inquiry::running))
        {
            self.end_worker();
        }
        self.other.set_value(None);
        if self.inquiry.with_untracked(Option::is_some) {
            self.inquiry.set(None);
        }
    }

    /// The comparison the run on screen is in, as the address writes it.
    pub(super) fn comparing(&self, setup: &Setup) -> Option<Against> {
        self.inquiry.with_untracked(|i| {
            let i = i.as_ref().filter(|i| i.kind == Kind::Compare && &i.about == setup)?;
            i.vs.clone()
        })
    }

    /// Step `k` of the other run of the comparison on screen (clamped to
    /// its end), if its trace came; tracks nothing itself.
    pub fn other_frame(&self, k: u64) -> Option<Frame> {
        self.other
            .with_value(|o| o.as_ref().map(|recording| Frame::at(recording, k.min(recording.len()))))
    }

    fn end_worker(&self) {
        self.job.set_value(0);
        self.queued.set_value(None);
        self.ready.set_value(false);
        if let Some(worker) = self.worker.try_update_value(Option::take).flatten() {
            worker.end();
            self.retired.set_value(Some(worker));
        }
    }

    fn start_worker(&self) {
        if self.worker.with_value(Option::is_some) {
            return;
        }
        let (heard, failed) = (*self, *self);
        let started = start_worker(
            "the searcher",
            move |response| heard.heard(response),
            move |message| failed.fail(message),
        );
        match started {
            Ok(worker) => self.worker.set_value(Some(worker)),
            Err(message) => self.fail(message),
        }
    }

    fn heard(&self, response: Response) {
        let current = self.job.get_value();
        match response {
            Response::Ready => {
                self.ready.set_value(true);
                if let Some(text) = self.queued.try_update_value(Option::take).flatten() {
                    self.worker.with_value(|w| w.as_ref().map(|w| w.post(&text)));
                }
            }
            Response::Progress { job, runs, of } if job == current => self.set_stage(Stage::Running { runs, of }),
            Response::Found { job, found } if job == current => {
                self.job.set_value(0);
                if let Found::Compared(compared) = &found {
                    self.other.set_value(compared.trace.as_deref().and_then(folded));
                }
                self.set_stage(Stage::Found(found));
            }
            Response::Failed { message } => self.fail(message),
            _ => {}
        }
    }

    /// The searcher failed: the search stops with `message`, and the next
    /// search starts a new worker.
    fn fail(&self, message: String) {
        self.end_worker();
        if self
            .inquiry
            .with_untracked(|i| i.as_ref().is_some_and(Inquiry::running))
        {
            self.set_stage(Stage::Stopped(message));
        }
    }

    fn set_stage(&self, stage: Stage) {
        self.inquiry.update(|i| {
            if let Some(i) = i {
                i.stage = stage;
            }
        });
    }
}
