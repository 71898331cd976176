//! The interpreter: the page's handle on the worker that runs programs (see
//! the `wakescope-worker` crate for the messages).
//!
//! The worker is started the first time a program runs and kept for the
//! page's lifetime. Requests wait until it says it is ready. One run is
//! current at a time: starting another, or [`Interpreter::cancel`], makes
//! every later answer about the old one ignored (the worker drops it at the
//! next request). The run's pieces are pulled: [`Interpreter::ask_more`]
//! sends one request and no other until its answer has come.

use leptos::prelude::*;
use wakescope_playground::Diagnostic;
use wakescope_worker::{End, Request, Response, RunRequest};

use super::browser::WorkerHandle;

/// Where the worker's loader is, beside the page.
const WORKER_URL: &str = "./wakescope-worker_loader.js";

/// Starts a worker of the `wakescope-worker` module (`what` names it in
/// messages: "the interpreter"): `heard` is told each response, `failed`
/// why it stopped or sent what is not a response; `Err` if it cannot start.
pub fn start_worker(
    what: &'static str,
    heard: impl Fn(Response) + 'static,
    failed: impl Fn(String) + 'static,
) -> Result<WorkerHandle, String> {
    let failed = std::rc::Rc::new(failed);
    let unreadable = failed.clone();
    WorkerHandle::start(
        WORKER_URL,
        move |text| match Response::from_text(&text) {
            Ok(response) => heard(response),
            Err(message) => unreadable(message),
        },
        move |message| failed(format!("{what} {message}")),
    )
    .map_err(|message| format!("{what} {message}"))
}

/// What the worker said about the current run.
pub enum Answer {
    /// It runs: the trace's header line and the program's warnings.
    Started { header: String, warnings: Vec<Diagnostic> },
    /// It does not run: the problem at its line and column.
    Refused(Diagnostic),
    /// More of its lines; `end` with the last.
    Piece { lines: String, end: Option<End> },
    /// The worker failed (it could not be loaded, or not read a request).
    Failed(String),
}

type Listener = Box<dyn FnMut(Answer)>;

/// The worker and the current run; `Copy`, owned by the recorder.
#[derive(Clone, Copy)]
pub struct Interpreter {
    worker: StoredValue<Option<WorkerHandle>, LocalStorage>,
    /// True once the worker listens.
    ready: StoredValue<bool>,
    /// Requests made before it did, in order.
    queued: StoredValue<Vec<String>>,
    /// The number of the current run (0: none).
    job: StoredValue<u32>,
    /// The last number given.
    last_job: StoredValue<u32>,
    /// True while a request for a piece has not been answered.
    asked: StoredValue<bool>,
    /// Told every answer about the current run.
    listener: StoredValue<Option<Listener>, LocalStorage>,
}

impl Interpreter {
    /// No worker yet.
    pub fn new() -> Interpreter {
        Interpreter {
            worker: StoredValue::new_local(None),
            ready: StoredValue::new(false),
            queued: StoredValue::new(Vec::new()),
            job: StoredValue::new(0),
            last_job: StoredValue::new(0),
            asked: StoredValue::new(false),
            listener: StoredValue::new_local(None),
        }
    }

    /// Starts the run `request` asks for (its `job` number is set here) in
    /// place of any other; `listener` is told what the worker says about it.
    pub fn run(&self, mut request: RunRequest, listener: impl FnMut(Answer) + 'static) {
        let job = self.last_job.get_value().wrapping_add(1).max(1);
        self.last_job.set_value(job);
        self.job.set_value(job);
        self.asked.set_value(false);
        self.listener.set_value(Some(Box::new(listener)));
        request.job = job;
        self.send(Request::Run(request).to_text());
    }

    /// Asks for the current run's next piece, unless a request for one is
    /// still unanswered (or there is no run).
    pub fn ask_more(&self) {
        let job = self.job.get_value();
        if job == 0 || self.asked.get_value() {
            return;
        }
        self.asked.set_value(true);
        self.send(Request::More { job }.to_text());
    }

    /// Forgets the current run: nothing more is heard of it.
    pub fn cancel(&self) {
        self.job.set_value(0);
        self.asked.set_value(false);
        self.listener.set_value(None);
    }

    fn send(&self, text: String) {
        if !self.ready.get_value() {
            self.queued.update_value(|q| q.push(text));
            self.start_worker();
            return;
        }
        self.worker.with_value(|w| {
            if let Some(worker) = w {
                worker.post(&text);
            }
        });
    }

    /// Starts the worker once; a worker that cannot start is said once.
    fn start_worker(&self) {
        if self.worker.with_value(Option::is_some) {
            return;
        }
        let (heard, failed) = (*self, *self);
        let started = start_worker(
            "the interpreter",
            move |response| heard.heard(response),
            move |message| failed.fail(message),
        );
        let worker = match started {
            Ok(worker) => worker,
            Err(message) => {
                self.fail(message);
                return;
            }
        };
        self.worker.set_value(Some(worker));
    }

    /// One answer from the worker.
    fn heard(&self, response: Response) {
        let current = self.job.get_value();
        let answer = match response {
            Response::Ready => {
                self.ready.set_value(true);
                for text in self.queued.try_update_value(std::mem::take).unwrap_or_default() {
                    self.send(text);
                }
                return;
            }
            Response::Failed { message } => Answer::Failed(message),
            Response::Refused { job, problem } if job == current => {
                self.job.set_value(0);
                Answer::Refused(problem.into())
            }
            Response::Started { job, header, warnings } if job == current => Answer::Started {
                header,
                warnings: warnings.into_iter().map(Diagnostic::from).collect(),
            },
            Response::Piece { job, lines, end } if job == current => {
                self.asked.set_value(false);
                if end.is_some() {
                    self.job.set_value(0);
                }
                Answer::Piece { lines, end }
            }
            // About a run that is no longer current.
            _ => return,
        };
        self.tell(answer);
    }

    fn fail(&self, message: String) {
        self.job.set_value(0);
        self.tell(Answer::Failed(message));
    }

    /// Tells the listener, outside any borrow of it (it may start another run).
    fn tell(&self, answer: Answer) {
        let Some(mut listener) = self.listener.try_update_value(Option::take).flatten() else {
            return;
        };
        listener(answer);
        // Put it back unless the listener replaced it (or the run is over).
        self.listener.update_value(|slot| {
            if slot.is_none() && self.job.get_value() != 0 {
                *slot = Some(listener);
            }
        });
    }
}
