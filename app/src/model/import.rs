//! Imported traces, and the one interface the panels read a recording through.
//!
//! A `.jsonl` trace written by the library or the CLI (`Trace::to_jsonl`)
//! is parsed with `Trace::from_jsonl` and folded like a live run: the fold
//! needs only the trace. [`Imported`] keeps the same side lists as
//! [`Run`] (polls, clock moves, snapshots); its end comes from the trace's
//! final `Ended` event. There is no simulation behind it, so no verdict,
//! measurement or deadlock report (those read the simulation).
//!
//! [`Recorded`] is what the frame and the event log need from either;
//! [`Source`] is the page's recording: a run of a scenario, or an import.
//!
//! Limit: files over [`IMPORT_BYTES_MAX`] are refused before they are read.

use std::cell::RefCell;

use wakescope::{EndReason, Event, TaskId, Trace, TraceError};

use super::describe::end_reason;
use super::fold::ViewState;
use super::run::{EndKind, Run, RunEnd};
use super::snapshots::Snapshots;

/// The largest trace file the page opens, in bytes (64 MiB): checked before reading.
pub const IMPORT_BYTES_MAX: u64 = 64 * 1024 * 1024;

/// The refusal for a file over [`IMPORT_BYTES_MAX`].
pub fn too_large(name: &str, bytes: u64) -> String {
    format!(
        "{}: the file is {:.1} MiB; the page opens traces of at most {} MiB (IMPORT_BYTES_MAX); nothing was imported",
        super::describe::clip(name, 80),
        bytes as f64 / (1024.0 * 1024.0),
        IMPORT_BYTES_MAX / (1024 * 1024)
    )
}

/// What the panels read from a recording.
pub trait Recorded {
    /// Events recorded: the last step.
    fn len(&self) -> u64;
    /// Calls `f` with the state at step `k` (clamped).
    fn with_view<R>(&self, k: u64, f: impl FnOnce(&ViewState) -> R) -> R;
    /// Calls `f` with the trace.
    fn trace_do<R>(&self, f: impl FnOnce(&Trace) -> R) -> R;
    /// The task of the first poll at or after event `k`.
    fn poll_after(&self, k: u64) -> Option<TaskId>;
    /// The virtual time at step `k`.
    fn clock_before(&self, k: u64) -> u64;
}

impl Recorded for Run {
    fn len(&self) -> u64 {
        Run::len(self)
    }
    fn with_view<R>(&self, k: u64, f: impl FnOnce(&ViewState) -> R) -> R {
        self.with_view_at(k, f)
    }
    fn trace_do<R>(&self, f: impl FnOnce(&Trace) -> R) -> R {
        self.with_trace(f)
    }
    fn poll_after(&self, k: u64) -> Option<TaskId> {
        self.next_poll(k)
    }
    fn clock_before(&self, k: u64) -> u64 {
        self.clock_at(k)
    }
}

/// A trace opened from a file, folded.
pub struct Imported {
    trace: Trace,
    head: ViewState,
    snapshots: Snapshots,
    /// `(seq, task)` of every `PollStarted`.
    polls: Vec<(u64, TaskId)>,
    /// `(seq, to_ns)` of every clock move.
    advances: Vec<(u64, u64)>,
    end: RunEnd,
    fingerprint: String,
    cursor: RefCell<Option<ViewState>>,
}

impl Imported {
    /// Parses and folds a JSONL trace; the error names the line and the problem.
    pub fn parse(text: &str) -> Result<Imported, TraceError> {
        Ok(Imported::new(Trace::from_jsonl(text)?))
    }

    /// Folds `trace` to its end, keeping snapshots as a run does.
    pub fn new(trace: Trace) -> Imported {
        let mut head = ViewState::initial(&trace);
        let mut snapshots = Snapshots::new(head.clone());
        let mut polls = Vec::new();
        let mut advances = Vec::new();
        let mut ended = None;
        for seq in 0..trace.len() as u64 {
            let event = trace.get(seq as usize).expect("seq below the trace length");
            match event {
                Event::PollStarted { task } => polls.push((seq, task)),
                Event::ClockAdvanced { to_ns } | Event::Worked { to_ns, .. } => advances.push((seq, to_ns)),
                Event::Ended { reason } => ended = Some(reason),
                _ => {}
            }
            head.apply(event, &trace);
            snapshots.offer(&head);
        }
        let end = match ended {
            Some(reason) => RunEnd {
                kind: end_kind(reason),
                message: format!("imported: {}", end_reason(reason)),
            },
            None => RunEnd {
                kind: EndKind::Limit,
                message: "imported: the trace stops before the run's end".into(),
            },
        };
        let fingerprint = trace.fingerprint_hex();
        Imported {
            trace,
            head,
            snapshots,
            polls,
            advances,
            end,
            fingerprint,
            cursor: RefCell::new(None),
        }
    }

    /// The trace.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// How the run ended, from its `Ended` event.
    pub fn end(&self) -> &RunEnd {
        &self.end
    }

    /// The trace fingerprint.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Virtual time at the last event.
    pub fn end_clock_ns(&self) -> u64 {
        self.head.clock_ns
    }

    /// The step whose clock is nearest to `time_ns` (as [`Run::step_near_time`]).
    pub fn step_near_time(&self, time_ns: u64) -> u64 {
        let i = self.advances.partition_point(|(_, to)| *to < time_ns);
        let after = self.advances.get(i);
        let before = i.checked_sub(1).map(|j| self.advances[j]);
        let before_dist = time_ns - before.map_or(0, |(_, to)| to);
        match after {
            Some(&(seq, to)) if to - time_ns <= before_dist => seq + 1,
            _ => before.map_or(0, |(seq, _)| seq + 1),
        }
    }
}

impl Recorded for Imported {
    fn len(&self) -> u64 {
        self.head.step
    }
    fn with_view<R>(&self, k: u64, f: impl FnOnce(&ViewState) -> R) -> R {
        let k = k.min(self.head.step);
        if k == self.head.step {
            return f(&self.head);
        }
        let snapshot = self.snapshots.nearest(k);
        let mut cursor = self.cursor.borrow_mut();
        let state = match cursor.take() {
            Some(c) if c.step <= k && c.step >= snapshot.step => c,
            _ => snapshot.clone(),
        };
        let state = cursor.insert(state);
        state.apply_range(&self.trace, k);
        f(state)
    }
    fn trace_do<R>(&self, f: impl FnOnce(&Trace) -> R) -> R {
        f(&self.trace)
    }
    fn poll_after(&self, k: u64) -> Option<TaskId> {
        let i = self.polls.partition_point(|(seq, _)| *seq < k);
        self.polls.get(i).map(|(_, task)| *task)
    }
    fn clock_before(&self, k: u64) -> u64 {
        let i = self.advances.partition_point(|(seq, _)| *seq < k);
        i.checked_sub(1).map_or(0, |j| self.advances[j].1)
    }
}

fn end_kind(reason: EndReason) -> EndKind {
    match reason {
        EndReason::Completed => EndKind::Completed,
        EndReason::Deadlock => EndKind::Deadlock,
        EndReason::CheckFailed => EndKind::CheckFailed,
        EndReason::StepsLimit | EndReason::TimeLimit | EndReason::TasksLimit | EndReason::TimersLimit => EndKind::Limit,
    }
}

/// The page's recording: a scenario run, or an imported trace.
pub enum Source {
    Run(Run),
    Imported(Imported),
}

impl Source {
    /// Records more of a run (an import is complete); true once it has ended.
    pub fn advance(&mut self, steps_max: u32) -> bool {
        match self {
            Source::Run(run) => run.advance(steps_max),
            Source::Imported(_) => true,
        }
    }

    /// How the recording ended, once it has.
    pub fn end(&self) -> Option<&RunEnd> {
        match self {
            Source::Run(run) => run.end(),
            Source::Imported(i) => Some(i.end()),
        }
    }

    /// The fingerprint, once the recording has ended.
    pub fn fingerprint(&self) -> Option<&str> {
        match self {
            Source::Run(run) => run.fingerprint(),
            Source::Imported(i) => Some(i.fingerprint()),
        }
    }

    /// Virtual time at the last event.
    pub fn end_clock_ns(&self) -> u64 {
        match self {
            Source::Run(run) => run.end_clock_ns(),
            Source::Imported(i) => i.end_clock_ns(),
        }
    }

    /// The step nearest a virtual time.
    pub fn step_near_time(&self, time_ns: u64) -> u64 {
        match self {
            Source::Run(run) => run.step_near_time(time_ns),
            Source::Imported(i) => i.step_near_time(time_ns),
        }
    }

    /// True for an imported trace.
    pub fn is_imported(&self) -> bool {
        matches!(self, Source::Imported(_))
    }
}

impl Recorded for Source {
    fn len(&self) -> u64 {
        match self {
            Source::Run(r) => Recorded::len(r),
            Source::Imported(i) => i.len(),
        }
    }
    fn with_view<R>(&self, k: u64, f: impl FnOnce(&ViewState) -> R) -> R {
        match self {
            Source::Run(r) => r.with_view(k, f),
            Source::Imported(i) => i.with_view(k, f),
        }
    }
    fn trace_do<R>(&self, f: impl FnOnce(&Trace) -> R) -> R {
        match self {
            Source::Run(r) => r.trace_do(f),
            Source::Imported(i) => i.trace_do(f),
        }
    }
    fn poll_after(&self, k: u64) -> Option<TaskId> {
        match self {
            Source::Run(r) => r.poll_after(k),
            Source::Imported(i) => i.poll_after(k),
        }
    }
    fn clock_before(&self, k: u64) -> u64 {
        match self {
            Source::Run(r) => r.clock_before(k),
            Source::Imported(i) => i.clock_before(k),
        }
    }
}
