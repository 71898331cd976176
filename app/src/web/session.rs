//! The session: the run being watched, the cursor in it, and every command.
//!
//! The root component creates one [`Session`] and provides it by context.
//! It is a bundle of handles (`Copy`): signals the panels read, plus the run
//! itself in a local store (a `Sim` is not `Send`, and never leaves this
//! thread). Every change of view goes through a method here, so the rules
//! live in one place:
//! - recording happens in slices of at most [`SLICE_BUDGET_MS`] per
//!   animation frame ([`Session::load`] starts it);
//! - the view at step k is rebuilt from the run's snapshots ([`Session::seek`]);
//! - stepping replaces the address, changing scenario or seed pushes a new one
//!   (`address.rs`); playback is in `playback.rs`.

use leptos::prelude::*;
use wakescope::scenarios::{Params, Scenario};

use super::address::UrlSync;
use super::browser::{self, HistoryMode};
use super::import::ImportInfo;
use super::judging::{SweepStatus, Verdict};
use super::playback::SPEED_DEFAULT;
use crate::model::frame::{LogRow, log_window};
use crate::model::sweep::{Judge, SeedSweep};
use crate::model::{Frame, Run, RunEnd, Source, Timeline};
use crate::url::{self, Request};

/// Executor work per animation frame, in milliseconds (the seed's rule: the page never freezes).
pub const SLICE_BUDGET_MS: f64 = 8.0;
/// Executor steps between two looks at the clock inside a slice.
const STEPS_PER_CHECK: u32 = 64;

/// What is being run: scenario, validated parameters, seed.
#[derive(Clone, Debug)]
pub struct Setup {
    pub scenario: &'static Scenario,
    pub params: Params,
    pub seed: u64,
}

impl PartialEq for Setup {
    fn eq(&self, other: &Setup) -> bool {
        self.scenario.id == other.scenario.id && self.params == other.params && self.seed == other.seed
    }
}

/// Where recording stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Events recorded so far: the last step.
    pub total: u64,
    pub finished: bool,
    pub end: Option<RunEnd>,
    pub fingerprint: Option<String>,
    /// Virtual time at the last recorded event.
    pub end_clock_ns: u64,
}

/// A step asked for before it was recorded (from an address, or kept across a seed change).
#[derive(Clone, Copy, Debug)]
pub(super) struct PendingStep {
    step: u64,
    /// Say so when it lies past the end (an address asked for it), rather than clamping quietly.
    report_past_end: bool,
}

/// The session handle: `Copy`, provided by context.
#[derive(Clone, Copy)]
pub struct Session {
    pub(super) run: StoredValue<Option<Source>, LocalStorage>,
    /// Set while an imported trace is on screen (the address is left alone then).
    pub imported: RwSignal<Option<ImportInfo>>,
    /// A file is being dragged over the page.
    pub dragging: RwSignal<bool>,
    pub setup: RwSignal<Setup>,
    pub step: RwSignal<u64>,
    pub status: RwSignal<Status>,
    pub frame: RwSignal<Option<Frame>>,
    pub log: RwSignal<Vec<LogRow>>,
    pub timeline: RwSignal<Option<Timeline>>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<usize>,
    pub errors: RwSignal<Vec<String>>,
    pub help_open: RwSignal<bool>,
    /// The scenario's verdict on the run, once it has ended and been judged.
    pub verdict: RwSignal<Option<Verdict>>,
    /// The second simulation that judges the run (see `judging.rs`).
    pub(super) judge: StoredValue<Option<Judge>, LocalStorage>,
    /// Where the seed sweep stands.
    pub sweep: RwSignal<SweepStatus>,
    pub(super) sweep_run: StoredValue<Option<SeedSweep>, LocalStorage>,
    /// Bumped when a sweep starts or is cancelled, so stale slices stop.
    pub(super) sweep_generation: StoredValue<u64>,
    /// Origin and path of the page, for the shareable link.
    pub base_url: StoredValue<String>,
    pub(super) pending: StoredValue<Option<PendingStep>>,
    pub(super) generation: StoredValue<u64>,
    pub(super) play_generation: StoredValue<u64>,
    pub(super) url_sync: StoredValue<UrlSync>,
    /// Bumped whenever the history entry changes (push, back/forward), so a
    /// throttled write scheduled for the old entry never lands on the new one.
    pub(super) url_epoch: StoredValue<u64>,
}

impl Session {
    /// A session showing nothing yet; call [`Session::open_address`].
    pub fn new() -> Session {
        let parsed = url::parse("");
        let r = parsed.request;
        Session {
            run: StoredValue::new_local(None),
            imported: RwSignal::new(None),
            dragging: RwSignal::new(false),
            setup: RwSignal::new(Setup {
                scenario: r.scenario,
                params: r.params,
                seed: r.seed,
            }),
            step: RwSignal::new(0),
            status: RwSignal::new(Status::default()),
            frame: RwSignal::new(None),
            log: RwSignal::new(Vec::new()),
            timeline: RwSignal::new(None),
            playing: RwSignal::new(false),
            speed: RwSignal::new(SPEED_DEFAULT),
            errors: RwSignal::new(Vec::new()),
            help_open: RwSignal::new(false),
            verdict: RwSignal::new(None),
            judge: StoredValue::new_local(None),
            sweep: RwSignal::new(SweepStatus::default()),
            sweep_run: StoredValue::new_local(None),
            sweep_generation: StoredValue::new(0),
            base_url: StoredValue::new(browser::base_url()),
            pending: StoredValue::new(None),
            generation: StoredValue::new(0),
            play_generation: StoredValue::new(0),
            url_sync: StoredValue::new(UrlSync::default()),
            url_epoch: StoredValue::new(0),
        }
    }

    /// Shows what the address bar asks for; problems go to the error panel.
    /// `fresh`: the page was just opened (the address is tidied in place).
    pub fn open_address(&self, fresh: bool) {
        self.url_epoch.update_value(|e| *e += 1);
        let parsed = url::parse(&browser::search());
        self.errors.set(parsed.errors);
        let request = parsed.request;
        let current = self.setup.get_untracked();
        let same = !fresh
            && self.run.with_value(|r| r.as_ref().is_some_and(|s| !s.is_imported()))
            && current
                == Setup {
                    scenario: request.scenario,
                    params: request.params.clone(),
                    seed: request.seed,
                };
        if same {
            self.halt();
            self.ask_step(request.step.unwrap_or(0), request.step.is_some());
        } else {
            self.load(
                &request,
                request.step.unwrap_or(0),
                request.step.is_some(),
                fresh.then_some(HistoryMode::Replace),
            );
        }
    }

    /// Starts recording `request`'s run and shows `step` once it is recorded.
    pub(super) fn load(&self, request: &Request, step: u64, report_past_end: bool, history: Option<HistoryMode>) {
        self.halt();
        self.cancel_sweep();
        self.judge.set_value(None);
        self.verdict.set(None);
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let run = Run::start(request.scenario, request.params.clone(), request.seed);
        self.run.set_value(Some(Source::Run(run)));
        self.imported.set(None);
        self.setup.set(Setup {
            scenario: request.scenario,
            params: request.params.clone(),
            seed: request.seed,
        });
        self.timeline.set(None);
        self.step.set(0);
        self.pending.set_value(Some(PendingStep { step, report_past_end }));
        // The new entry is written below, once; nothing may touch the old one meanwhile.
        self.url_epoch.update_value(|e| *e += 1);
        self.record_slice(false);
        if let Some(mode) = history {
            self.write_address(mode);
        }
        if !self.status.get_untracked().finished {
            self.schedule_slice(generation);
        }
    }

    /// Runs another scenario, mode, parameters or seed (a new history entry).
    /// The step is kept when only the seed changes, so two interleavings can be compared.
    pub fn change_setup(&self, setup: Setup) {
        let keep_step = {
            let current = self.setup.get_untracked();
            current.scenario.id == setup.scenario.id && current.params == setup.params
        };
        let step = if keep_step { self.step.get_untracked() } else { 0 };
        let request = Request {
            scenario: setup.scenario,
            params: setup.params,
            seed: setup.seed,
            step: Some(step),
        };
        self.errors.set(Vec::new());
        self.load(&request, step, false, Some(HistoryMode::Push));
    }

    /// Records one slice now, then one per animation frame until the run ends.
    fn schedule_slice(&self, generation: u64) {
        let session = *self;
        request_animation_frame(move || {
            if session.generation.get_value() != generation {
                return;
            }
            session.record_slice(true);
            if !session.status.get_untracked().finished {
                session.schedule_slice(generation);
            }
        });
    }

    /// At most [`SLICE_BUDGET_MS`] of executor work, then publish what it
    /// recorded; `write_url`: a step reached meanwhile may update the address.
    fn record_slice(&self, write_url: bool) {
        let started = browser::now_ms();
        let status = self.run.try_update_value(|run| {
            let run = run.as_mut()?;
            while !run.advance(STEPS_PER_CHECK) {
                if browser::now_ms() - started >= SLICE_BUDGET_MS {
                    break;
                }
            }
            Some(Status {
                total: run.len(),
                finished: run.end().is_some(),
                end: run.end().cloned(),
                fingerprint: run.fingerprint().map(|f| format!("{f:016x}")),
                end_clock_ns: run.end_clock_ns(),
            })
        });
        let Some(Some(status)) = status else { return };
        let finished = status.finished;
        self.status.set(status);
        let imported = self.run.with_value(|r| r.as_ref().is_some_and(Source::is_imported));
        if finished
            && !imported
            && self.verdict.with_untracked(Option::is_none)
            && self.judge.with_value(Option::is_none)
        {
            self.start_judging();
        }
        if finished {
            let timeline = self
                .run
                .with_value(|r| r.as_ref().map(|run| run.with_trace(Timeline::build)));
            self.timeline.set(timeline);
        }
        self.settle_pending(write_url);
        self.refresh();
    }

    /// Moves to a step asked for earlier, once it is recorded (or the run ended short of it).
    pub(super) fn settle_pending(&self, write_url: bool) {
        let Some(pending) = self.pending.get_value() else {
            return;
        };
        let status = self.status.get_untracked();
        let target = if pending.step <= status.total {
            pending.step
        } else if status.finished {
            if pending.report_past_end && pending.step != u64::MAX {
                self.errors
                    .update(|e| e.push(url::step_past_end(pending.step, status.total)));
            }
            status.total
        } else {
            return;
        };
        self.pending.set_value(None);
        if write_url {
            self.seek(target);
        } else {
            self.show(target);
        }
    }

    /// Shows step `k` now if recorded, or as soon as it is.
    fn ask_step(&self, k: u64, report_past_end: bool) {
        self.pending.set_value(Some(PendingStep {
            step: k,
            report_past_end,
        }));
        self.settle_pending(true);
    }

    /// Shows step `k` (clamped to what is recorded) and puts it in the address.
    pub fn seek(&self, k: u64) {
        self.show(k);
        self.replace_address_soon();
    }

    /// Shows step `k` (clamped to what is recorded); the address is left alone.
    pub(super) fn show(&self, k: u64) {
        let k = k.min(self.status.get_untracked().total);
        if k != self.step.get_untracked() {
            self.step.set(k);
        }
        self.refresh();
    }

    /// Rebuilds the panels' frame and the event log window for the current step.
    pub(super) fn refresh(&self) {
        let k = self.step.get_untracked();
        let built = self
            .run
            .with_value(|run| run.as_ref().map(|run| (Frame::at(run, k), log_window(run, k))));
        if let Some((frame, log)) = built {
            self.frame.set(Some(frame));
            self.log.set(log);
        }
    }

    /// Steps forward (positive) or back (negative), clamped.
    pub fn step_by(&self, delta: i64) {
        let k = self.step.get_untracked();
        let target = if delta < 0 {
            k.saturating_sub(delta.unsigned_abs())
        } else {
            k.saturating_add(delta as u64)
        };
        self.seek(target);
    }

    /// The first step.
    pub fn first(&self) {
        self.pause();
        self.seek(0);
    }

    /// The last step recorded.
    pub fn last(&self) {
        self.pause();
        self.seek(u64::MAX);
    }

    /// Seeks to the step nearest a virtual time (timeline clicks).
    pub fn seek_time(&self, time_ns: u64) {
        if let Some(k) = self
            .run
            .with_value(|r| r.as_ref().map(|run| run.step_near_time(time_ns)))
        {
            self.seek(k);
        }
    }

    /// Adds a message to the error panel.
    pub fn report(&self, message: String) {
        self.errors.update(|e| e.push(message));
    }
}
