//! The recording on screen: a scenario or program run being recorded, or an
//! imported trace being folded, and the view of it at a step — the code
//! panel's too: the code the run shows, lit when it is interpreted.
//!
//! Recording happens in slices on a [`FrameSlicer`], at most
//! [`crate::slicer::SLICE_BUDGET_MS`] at a time; after each slice the
//! status is published (the header's step counter shows the progress), and
//! the session is told, so it can move a waiting cursor. Once the recording
//! has ended, its timeline is built in the slices that follow, and when it
//! is there the session is told the work is done, so it can judge the run. The recording
//! itself stays in a local store: a `Sim` is not `Send` and never leaves
//! this thread.

use leptos::prelude::*;
use wakescope_playground::Diagnostic;
use wakescope_worker::End;

use super::read_only::ReadOnly;

use super::frames::FrameSlicer;
use super::interpreter::{Answer, Interpreter};
use crate::model::code::{CodeView, SpawnLines, next_step_at_line};
use crate::model::frame::{LOG_ROWS_AFTER, LogRow, log_window};
use crate::model::sweep::Judgement;
use crate::model::timeline::TimelineBuilder;
use crate::model::{EVENTS_MAX, Frame, Listing, Run, Setup, Source, Status, Timeline};
use crate::slicer::{STEPS_PER_CHECK, Slice};
use crate::url;

/// Events of a recorded run read into its timeline per chunk of a slice.
const TIMELINE_EVENTS_PER_CHUNK: usize = 16_384;

/// The recording and its views; `Copy`, owned by the session.
#[derive(Clone, Copy)]
pub struct Recorder {
    source: StoredValue<Option<Source>, LocalStorage>,
    /// What was last run; an import leaves it as it was (the story still
    /// tells that scenario's question).
    setup: RwSignal<Setup>,
    status: RwSignal<Status>,
    /// The panels' rows at the step on screen.
    frame: RwSignal<Option<Frame>>,
    /// The event log's rows up to the step on screen.
    log: RwSignal<Vec<LogRow>>,
    /// The whole run's timeline, once it is recorded.
    timeline: RwSignal<Option<Timeline>>,
    /// The code the last run shows; an import leaves it as it was.
    listing: RwSignal<Option<Listing>>,
    /// The code panel at the step on screen (runs whose listing is lit only).
    code: RwSignal<Option<CodeView>>,
    /// The line that spawned each task of the program run, read as it records.
    spawns: StoredValue<SpawnLines>,
    /// The program run's `#code=` fragment, or why it cannot be shared.
    link: RwSignal<Option<Result<String, String>>>,
    slicer: FrameSlicer,
    /// Runs the interpreted runs, in its worker.
    interpreter: Interpreter,
    /// True from asking the interpreter for a run until it has answered:
    /// the run on screen is about to be replaced.
    starting: RwSignal<bool>,
    /// The step the panels were last built for, once nothing more the
    /// recording adds can change them: its state, the next poll after it
    /// and the event log around it are all recorded (or the run has ended).
    /// Rebuilding them for the same step would only redo the same work.
    settled: StoredValue<Option<u64>>,
}

/// Why an interpreted run did not start.
pub enum NotRun {
    /// The program does not parse, or the playground refuses it.
    Refused(Diagnostic),
    /// The interpreter failed: the sentence.
    Failed(String),
}

impl Recorder {
    /// Nothing recorded yet; `setup` is what the page shows until a run starts.
    pub fn new(setup: Setup) -> Recorder {
        let setup = RwSignal::new(setup);
        let status = RwSignal::new(Status::default());
        let frame = RwSignal::new(None);
        let log = RwSignal::new(Vec::new());
        let timeline = RwSignal::new(None);
        Recorder {
            source: StoredValue::new_local(None),
            setup,
            status,
            frame,
            log,
            timeline,
            listing: RwSignal::new(None),
            code: RwSignal::new(None),
            spawns: StoredValue::new(SpawnLines::default()),
            link: RwSignal::new(None),
            slicer: FrameSlicer::new(),
            interpreter: Interpreter::new(),
            starting: RwSignal::new(false),
            settled: StoredValue::new(None),
        }
    }

    /// The code the last run shows (`None` before the first).
    pub fn listing(&self) -> ReadOnly<Option<Listing>> {
        ReadOnly::of(self.listing)
    }

    /// The code panel's view at the step on screen (`None` unless the run's listing is lit).
    pub fn code(&self) -> ReadOnly<Option<CodeView>> {
        ReadOnly::of(self.code)
    }

    /// The `#code=` fragment of the program run (`Err`: why it cannot be
    /// shared), `None` for a scenario.
    pub fn link(&self) -> ReadOnly<Option<Result<String, String>>> {
        ReadOnly::of(self.link)
    }

    /// True while an interpreted run is asked for and has not started (nor
    /// been refused): the header says so.
    pub fn starting(&self) -> ReadOnly<bool> {
        ReadOnly::of(self.starting)
    }

    /// What is (or was last) run.
    pub fn setup(&self) -> ReadOnly<Setup> {
        ReadOnly::of(self.setup)
    }

    /// Where recording stands.
    pub fn status(&self) -> ReadOnly<Status> {
        ReadOnly::of(self.status)
    }

    /// The panels' rows at the step on screen (`None` before the first).
    pub fn frame(&self) -> ReadOnly<Option<Frame>> {
        ReadOnly::of(self.frame)
    }

    /// The event log's rows up to the step on screen.
    pub fn log(&self) -> ReadOnly<Vec<LogRow>> {
        ReadOnly::of(self.log)
    }

    /// The timeline, once the recording has ended.
    pub fn timeline(&self) -> ReadOnly<Option<Timeline>> {
        ReadOnly::of(self.timeline)
    }

    /// True when the recording on screen is a run of `setup` (not an import).
    pub(super) fn is_run_of(&self, setup: &Setup) -> bool {
        let is_run = self.source.with_value(|s| matches!(s, Some(Source::Run(_))));
        is_run && self.setup.with_untracked(|current| current == setup)
    }

    /// True once the recording has ended and `k` is its last step (or past it).
    pub(super) fn is_end(&self, k: u64) -> bool {
        self.status.with_untracked(|s| s.finished && k >= s.total)
    }

    /// Starts recording `run` in place of whatever was on screen; `recorded`
    /// is told after every slice. The first slice is recorded before this returns.
    pub(super) fn record_run(&self, run: Run, recorded: impl FnMut(Slice) + 'static) {
        self.setup.set(run.setup().clone());
        if self.listing.with_untracked(|l| l.as_ref() != Some(run.listing())) {
            self.listing.set(Some(run.listing().clone()));
        }
        self.link.set(run.program_text().map(|text| url::code_hash(text)));
        self.record(Source::Run(run), recorded);
    }

    /// Asks the interpreter for the interpreted run of `setup`; `started`
    /// gets the run once it has started (to be recorded with
    /// [`Recorder::record_run`]) or why it did not. Until then the
    /// recording on screen stays.
    pub(super) fn interpret(&self, setup: &Setup, started: impl FnOnce(Result<Run, NotRun>) + 'static) {
        let request = setup
            .request(0, EVENTS_MAX)
            .expect("only an interpreted setup is interpreted");
        let setup = setup.clone();
        let recorder = *self;
        let mut started = Some(started).map(|started| {
            move |result| {
                recorder.starting.set(false);
                started(result);
            }
        });
        self.starting.set(true);
        self.interpreter.run(request, move |answer| match answer {
            Answer::Started { header, warnings } => {
                let run = Run::streamed(&setup, &header, warnings)
                    .map_err(|e| NotRun::Failed(format!("the interpreter's trace could not be read: {e}")));
                if let Some(started) = started.take() {
                    started(run);
                }
            }
            Answer::Refused(problem) => {
                if let Some(started) = started.take() {
                    started(Err(NotRun::Refused(problem)));
                }
            }
            Answer::Piece { lines, end } => recorder.receive(lines, end),
            Answer::Failed(message) => match started.take() {
                Some(started) => started(Err(NotRun::Failed(message))),
                None => recorder.receive(
                    String::new(),
                    Some(End {
                        kind: "limit".into(),
                        message: format!("stopped: {message}"),
                    }),
                ),
            },
        });
    }

    /// A piece of the streamed run on screen arrived.
    fn receive(&self, lines: String, end: Option<End>) {
        self.source.update_value(|source| {
            let Some(Source::Run(run)) = source else {
                return;
            };
            let recording = run.recording_mut();
            if !recording.is_streaming() {
                return;
            }
            recording.push_jsonl(lines);
            if let Some(end) = end {
                recording.close(end.to_run_end());
            }
        });
    }

    /// Starts folding an imported trace in place of whatever was on screen
    /// (the setup stays as it was); as [`Recorder::record_run`].
    pub(super) fn record_import(&self, recording: wakescope::view::Recording, recorded: impl FnMut(Slice) + 'static) {
        self.record(Source::Imported(recording), recorded);
    }

    fn record(&self, source: Source, mut recorded: impl FnMut(Slice) + 'static) {
        if !source.recording().is_streaming() {
            // Whatever the interpreter was running is no longer wanted.
            self.interpreter.cancel();
            self.starting.set(false);
        }
        self.source.set_value(Some(source));
        self.settled.set_value(None);
        self.timeline.set(None);
        self.code.set(None);
        self.spawns.set_value(SpawnLines::default());
        let recorder = *self;
        // Recording first; once it has ended, its timeline is built in the
        // same slices, [`TIMELINE_EVENTS_PER_CHUNK`] events a chunk (a
        // million-task run's would otherwise be one long task at the end).
        self.slicer.start(
            None::<TimelineBuilder>,
            move |builder| {
                if let Some(builder) = builder {
                    return recorder
                        .source
                        .with_value(|s| {
                            s.as_ref()
                                .map(|s| s.with_trace(|t| builder.feed(t, TIMELINE_EVENTS_PER_CHUNK)))
                        })
                        .unwrap_or(true);
                }
                // A recording that is gone has nothing more to do.
                let (done, wants_lines) = recorder
                    .source
                    .try_update_value(|s| match s.as_mut() {
                        None => (true, false),
                        Some(s) => (s.advance(STEPS_PER_CHECK), s.wants_lines()),
                    })
                    .unwrap_or((true, false));
                if wants_lines {
                    recorder.interpreter.ask_more();
                }
                if done {
                    *builder = recorder
                        .source
                        .with_value(|s| s.as_ref().map(|s| s.with_trace(TimelineBuilder::new)));
                    return builder.is_none();
                }
                false
            },
            move |builder, slice| {
                if slice.done {
                    recorder.timeline.set(builder.take().map(TimelineBuilder::finish));
                }
                recorder.publish();
                recorded(slice);
            },
        );
    }

    /// Shows where recording stands.
    fn publish(&self) {
        let Some(status) = self.source.with_value(|s| s.as_ref().map(|s| Status::of(s))) else {
            return;
        };
        self.status.set(status);
    }

    /// The scenario's verdict from the recorded run itself, once it has ended
    /// (`None` for an import, or a run the page's event limit cut short).
    pub(super) fn judgement(&self) -> Option<Judgement> {
        self.source.with_value(|s| match s {
            Some(Source::Run(run)) => run.judgement(),
            _ => None,
        })
    }

    /// Reads the recorded trace, if anything is recorded (not tracked).
    pub fn with_trace<R>(&self, f: impl FnOnce(&wakescope::Trace) -> R) -> Option<R> {
        self.source.with_value(|s| s.as_ref().map(|s| s.with_trace(f)))
    }

    /// The virtual time of step `k` (clamped to what is recorded), if
    /// anything is; not tracked (the timeline's marks read it once).
    pub fn clock_at(&self, k: u64) -> Option<u64> {
        self.source
            .with_value(|s| s.as_ref().map(|s| s.recording().clock_at(k)))
    }

    /// The step nearest a virtual time, if anything is recorded.
    pub(super) fn step_near_time(&self, time_ns: u64) -> Option<u64> {
        self.source
            .with_value(|s| s.as_ref().map(|s| s.step_near_time(time_ns)))
    }

    /// Rebuilds the panels' rows and the event log's window at step `k`
    /// (and the code panel's, when the run's listing is lit).
    pub(super) fn refresh(&self, k: u64) {
        if self.settled.get_value() == Some(k) {
            return;
        }
        let settled = self.source.with_value(|s| {
            s.as_ref().is_some_and(|s| {
                s.is_finished() || (k.saturating_add(LOG_ROWS_AFTER) < s.len() && s.next_poll(k).is_some())
            })
        });
        self.settled.set_value(settled.then_some(k));
        let built = self
            .source
            .with_value(|s| s.as_ref().map(|s| (Frame::at(s, k), log_window(s, k))));
        if let Some((frame, log)) = built {
            self.frame.set(Some(frame));
            self.log.set(log);
        }
        let code = self.source.with_value(|s| {
            let s = s.as_ref().filter(|s| s.listing().is_some_and(Listing::is_traced))?;
            self.spawns.update_value(|spawns| spawns.update(s));
            Some(self.spawns.with_value(|spawns| CodeView::at(s, k, spawns)))
        });
        if code.is_some() || self.code.with_untracked(Option::is_some) {
            self.code.set(code);
        }
    }

    /// The next step after `k` at `line` of the program, wrapping to the start.
    pub(super) fn next_step_at_line(&self, k: u64, line: u32) -> Option<u64> {
        self.source
            .with_value(|s| s.as_ref().and_then(|s| next_step_at_line(s, k, line)))
    }
}
