//! The recording on screen: a scenario or program run being recorded, or an
//! imported trace being folded, and the view of it at a step — the code
//! panel's too: the code the run shows, lit when it is interpreted.
//!
//! Recording happens in slices on a [`FrameSlicer`], at most
//! [`crate::slicer::SLICE_BUDGET_MS`] per animation frame; after each slice
//! the status is published (the header's step counter shows the progress),
//! the timeline is built once the recording has ended, and the session is
//! told, so it can move a waiting cursor and judge the run. The recording
//! itself stays in a local store: a `Sim` is not `Send` and never leaves
//! this thread.

use leptos::prelude::*;

use super::read_only::ReadOnly;

use super::frames::FrameSlicer;
use crate::model::code::{CodeView, SpawnLines, next_step_at_line};
use crate::model::frame::{LogRow, log_window};
use crate::model::sweep::Judgement;
use crate::model::{Frame, Listing, Run, Setup, Source, Status, Timeline};
use crate::slicer::{STEPS_PER_CHECK, Slice};
use crate::url;

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

    /// Starts folding an imported trace in place of whatever was on screen
    /// (the setup stays as it was); as [`Recorder::record_run`].
    pub(super) fn record_import(&self, recording: wakescope::view::Recording, recorded: impl FnMut(Slice) + 'static) {
        self.record(Source::Imported(recording), recorded);
    }

    fn record(&self, source: Source, mut recorded: impl FnMut(Slice) + 'static) {
        self.source.set_value(Some(source));
        self.timeline.set(None);
        self.code.set(None);
        self.spawns.set_value(SpawnLines::default());
        let recorder = *self;
        self.slicer.start(
            (),
            move |_| {
                // A recording that is gone has nothing more to do.
                recorder
                    .source
                    .try_update_value(|s| s.as_mut().is_none_or(|s| s.advance(STEPS_PER_CHECK)))
                    .unwrap_or(true)
            },
            move |_, slice| {
                recorder.publish(slice.done);
                recorded(slice);
            },
        );
    }

    /// Shows where recording stands; the timeline once it has ended.
    fn publish(&self, done: bool) {
        let Some(status) = self.source.with_value(|s| s.as_ref().map(|s| Status::of(s))) else {
            return;
        };
        self.status.set(status);
        if done {
            let timeline = self
                .source
                .with_value(|s| s.as_ref().map(|s| s.with_trace(Timeline::build)));
            self.timeline.set(timeline);
        }
    }

    /// The scenario's verdict from the recorded run itself, once it has ended
    /// (`None` for an import, or a run the page's event limit cut short).
    pub(super) fn judgement(&self) -> Option<Judgement> {
        self.source.with_value(|s| match s {
            Some(Source::Run(run)) => run.judgement(),
            _ => None,
        })
    }

    /// The step nearest a virtual time, if anything is recorded.
    pub(super) fn step_near_time(&self, time_ns: u64) -> Option<u64> {
        self.source
            .with_value(|s| s.as_ref().map(|s| s.step_near_time(time_ns)))
    }

    /// Rebuilds the panels' rows and the event log's window at step `k`
    /// (and the code panel's, when the run's listing is lit).
    pub(super) fn refresh(&self, k: u64) {
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
