//! A recording: a trace with its fold, snapshots and indexes, for stepping.
//!
//! One type serves both ways a run reaches a viewer:
//! - **live** ([`Recording::live`]): a [`Sim`] recorded a slice at a time.
//!   [`Recording::advance`] takes a bounded number of executor steps and folds
//!   what they recorded, so a page can record a long run between frames
//!   without freezing; tools call [`Recording::finish`]. Slicing never changes
//!   what the executor does, only when the fold looks at it.
//! - **loaded** ([`Recording::loaded`]): a finished trace, e.g. read from a
//!   `.jsonl` file. It is folded in the same slices; its end comes from the
//!   trace's final `Ended` event.
//! - **streamed** ([`Recording::streamed`]): a run recorded elsewhere — the
//!   app interprets programs in a worker — arriving as pieces of its JSON
//!   lines ([`Recording::push_jsonl`]) and then its end
//!   ([`Recording::close`]). Each call reads at most
//!   [`FOLD_PER_ADVANCE_MAX`] lines and folds them as a live recording's.
//!
//! Either way the recording keeps the head state (the fold of every event so
//! far), snapshots for seeking, the index of every poll (what the ready queue
//! panel peeks at) and every clock move (for seeking by time), and hashes the
//! trace as it grows so the fingerprint is ready at the end without one long
//! pass. Seeking folds on from the last state shown when that is closer than
//! a snapshot, so playing through a big run costs one event a step.
//!
//! A live recording ends when the executor says so (completed, deadlock, a
//! check, one of its limits) or when the trace reaches the recording's own
//! event limit. The end is shown only once the fold has caught up with it.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::snapshots::Snapshots;
use super::state::ViewState;
use crate::describe::end_reason;
use crate::outcome::{Outcome, Step};
use crate::sim::Sim;
use crate::task::TaskId;
use crate::trace::{EndReason, Event, Fingerprinter, JsonlReader, Trace, TraceError};

/// The most events one [`Recording::advance`] folds (and hashes). A single
/// executor step can record a million events (a task that spawns a million
/// others); the fold then catches up over several calls, so no call does much
/// more than this many events of work, and the executor steps on only once
/// the fold has caught up.
pub const FOLD_PER_ADVANCE_MAX: u64 = 4_096;

/// Events [`ingest_into`] reads ahead of the one it folds.
const FOLD_PREFETCH_AHEAD: u64 = 8;

/// How a recording ended, as one word (`data-outcome` in the app).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndKind {
    /// Every task finished.
    Completed,
    /// Tasks were left that nothing could wake.
    Deadlock,
    /// A limit stopped the run (the executor's, or the recording's own).
    Limit,
    /// An invariant check failed.
    CheckFailed,
    /// A task panicked and nothing handled it.
    Panicked,
}

impl EndKind {
    /// The word: `completed`, `deadlock`, `limit`, `check-failed`, `panicked`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndKind::Completed => "completed",
            EndKind::Deadlock => "deadlock",
            EndKind::Limit => "limit",
            EndKind::CheckFailed => "check-failed",
            EndKind::Panicked => "panicked",
        }
    }

    /// The kind with this word (the inverse of [`EndKind::as_str`]).
    pub fn from_word(word: &str) -> Option<EndKind> {
        [
            EndKind::Completed,
            EndKind::Deadlock,
            EndKind::Limit,
            EndKind::CheckFailed,
            EndKind::Panicked,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == word)
    }

    /// The kind of end an `Ended` event records.
    pub fn from_reason(reason: EndReason) -> EndKind {
        match reason {
            EndReason::Completed => EndKind::Completed,
            EndReason::Deadlock => EndKind::Deadlock,
            EndReason::CheckFailed => EndKind::CheckFailed,
            EndReason::Panicked => EndKind::Panicked,
            EndReason::StepsLimit | EndReason::TimeLimit | EndReason::TasksLimit | EndReason::TimersLimit => {
                EndKind::Limit
            }
        }
    }
}

/// How a recording ended, with a sentence.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunEnd {
    /// Which kind of end.
    pub kind: EndKind,
    /// E.g. "deadlock: main #0 on channel "jobs" waits forever".
    pub message: String,
}

impl RunEnd {
    /// The end of a live run, from the executor's outcome.
    pub fn from_outcome(outcome: &Outcome) -> RunEnd {
        match outcome {
            Outcome::Completed => RunEnd {
                kind: EndKind::Completed,
                message: "completed: every task finished".into(),
            },
            Outcome::Deadlock(d) => {
                let blocked: Vec<String> = d
                    .blocked
                    .iter()
                    .map(|t| {
                        let mut text = format!("{} ({})", t.name, t.task);
                        if let Some(w) = &t.waiting_on {
                            text.push_str(&format!(" on {}", w.name));
                            if !w.holders.is_empty() {
                                let holders: Vec<String> = w.holders.iter().map(|h| h.to_string()).collect();
                                text.push_str(&format!(" held by {}", holders.join(", ")));
                            }
                        }
                        text
                    })
                    .collect();
                let verb = if blocked.len() == 1 { "waits" } else { "wait" };
                RunEnd {
                    kind: EndKind::Deadlock,
                    message: format!("deadlock: {} {verb} forever", blocked.join("; ")),
                }
            }
            Outcome::LimitReached(limit) => RunEnd {
                kind: EndKind::Limit,
                message: format!("limit: {limit}"),
            },
            Outcome::CheckFailed(failure) => RunEnd {
                kind: EndKind::CheckFailed,
                message: failure.to_string(),
            },
            Outcome::Panicked(panic) => RunEnd {
                kind: EndKind::Panicked,
                message: panic.to_string(),
            },
        }
    }

    /// The end of a run a recording stopped at its limit of `events_max` events.
    pub fn events_limit(events_max: u64) -> RunEnd {
        RunEnd {
            kind: EndKind::Limit,
            message: format!("limit: the recording takes at most {events_max} events; the run was stopped there"),
        }
    }

    /// The end of a loaded trace, from its last `Ended` event (`None`: the
    /// trace stops before the run's end).
    pub fn from_trace_end(reason: Option<EndReason>) -> RunEnd {
        match reason {
            Some(reason) => RunEnd {
                kind: EndKind::from_reason(reason),
                message: format!("imported: {}", end_reason(reason)),
            },
            None => RunEnd {
                kind: EndKind::Limit,
                message: "imported: the trace stops before the run's end".into(),
            },
        }
    }
}

/// Where the events come from.
enum Source {
    /// A simulation still being recorded (or finished), with its outcome once it ended.
    Live { sim: Box<Sim>, outcome: Option<Outcome> },
    /// A finished trace; `ended` is the reason of the last `Ended` event folded so far.
    Loaded { trace: Trace, ended: Option<EndReason> },
    /// A trace arriving in pieces of JSON lines: `pending` holds the text
    /// not read yet (each piece with how far into it reading has got), and
    /// `closed` the end its producer reported, once it has.
    Streamed {
        reader: Box<JsonlReader>,
        pending: VecDeque<(String, usize)>,
        closed: Option<RunEnd>,
    },
}

/// A trace being folded for stepping: live from a simulation, or loaded.
pub struct Recording {
    source: Source,
    /// The most events a live recording takes before it stops the run.
    events_max: u64,
    /// The fold of every event folded so far.
    head: ViewState,
    snapshots: Snapshots,
    /// `(seq, task)` of every `PollStarted`, in order.
    polls: Vec<(u64, TaskId)>,
    /// `(seq, to_ns)` of every event that moves the clock (`ClockAdvanced`, `Worked`), in order.
    advances: Vec<(u64, u64)>,
    /// How the events end, known before the fold has caught up with it.
    pending_end: Option<RunEnd>,
    /// How the recording ended, once the fold and the hash have caught up.
    end: Option<RunEnd>,
    hasher: Fingerprinter,
    fingerprint: Option<u64>,
    /// The state last shown, to fold on from when seeking forward nearby.
    cursor: RefCell<Option<ViewState>>,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("live", &self.is_live())
            .field("events", &self.head.step)
            .field("end", &self.end)
            .finish()
    }
}

impl Recording {
    /// Records `sim` (whose tasks are spawned, not yet run) a slice at a time,
    /// stopping it after `events_max` events if it has not ended by then.
    pub fn live(sim: Sim, events_max: u64) -> Recording {
        let head = ViewState::initial(&sim.trace());
        let mut recording = Recording::new(
            Source::Live {
                sim: Box::new(sim),
                outcome: None,
            },
            head,
            events_max,
        );
        recording.ingest(u64::MAX);
        recording
    }

    /// A finished trace, to be folded (by [`Recording::advance`] or [`Recording::finish`]).
    pub fn loaded(trace: Trace) -> Recording {
        let head = ViewState::initial(&trace);
        Recording::new(Source::Loaded { trace, ended: None }, head, u64::MAX)
    }

    /// A run arriving as JSON lines: `header` is its header line; the event
    /// lines follow through [`Recording::push_jsonl`], the end through
    /// [`Recording::close`].
    pub fn streamed(header: &str) -> Result<Recording, TraceError> {
        let reader = JsonlReader::start(&mut std::iter::once(header))?;
        let head = ViewState::initial(reader.trace());
        Ok(Recording::new(
            Source::Streamed {
                reader: Box::new(reader),
                pending: VecDeque::new(),
                closed: None,
            },
            head,
            u64::MAX,
        ))
    }

    /// Queues more of a streamed run's event lines (whole lines, each ending
    /// in a newline), to be read by the next [`Recording::advance`]s.
    ///
    /// # Panics
    /// On a recording that is not streamed, or after [`Recording::close`].
    pub fn push_jsonl(&mut self, text: String) {
        let Source::Streamed { pending, closed, .. } = &mut self.source else {
            panic!("push_jsonl on a recording that is not streamed");
        };
        assert!(closed.is_none(), "push_jsonl after the stream was closed");
        if !text.is_empty() {
            pending.push_back((text, 0));
        }
    }

    /// Says how a streamed run ended: the recording ends once every line
    /// pushed before is read and folded.
    ///
    /// # Panics
    /// On a recording that is not streamed, or when it is closed already.
    pub fn close(&mut self, end: RunEnd) {
        let Source::Streamed { closed, .. } = &mut self.source else {
            panic!("close on a recording that is not streamed");
        };
        assert!(closed.is_none(), "a stream is closed once");
        *closed = Some(end);
    }

    /// True for a streamed recording whose producer has not closed it yet.
    pub fn is_streaming(&self) -> bool {
        matches!(&self.source, Source::Streamed { closed: None, .. })
    }

    /// Bytes of a streamed run's lines pushed and not read yet (0 for the
    /// other kinds): a producer can wait while it is large.
    pub fn pending_bytes(&self) -> usize {
        match &self.source {
            Source::Streamed { pending, .. } => pending.iter().map(|(text, at)| text.len() - at).sum(),
            _ => 0,
        }
    }

    fn new(source: Source, head: ViewState, events_max: u64) -> Recording {
        Recording {
            source,
            events_max,
            snapshots: Snapshots::new(head.clone()),
            head,
            polls: Vec::new(),
            advances: Vec::new(),
            pending_end: None,
            end: None,
            hasher: Fingerprinter::new(),
            fingerprint: None,
            cursor: RefCell::new(None),
        }
    }

    /// Takes up to `steps_max` executor steps (live) and folds what is
    /// recorded, at most [`FOLD_PER_ADVANCE_MAX`] events a call; while the
    /// fold lags behind the trace it only folds. Returns true once the
    /// recording has ended and every event is folded.
    pub fn advance(&mut self, steps_max: u32) -> bool {
        if self.end.is_some() {
            return true;
        }
        if self.head.step >= self.recorded() {
            self.step_sim(steps_max);
            self.read_pending(FOLD_PER_ADVANCE_MAX);
        }
        let caught_up = self.ingest(FOLD_PER_ADVANCE_MAX);
        let remaining = match &self.source {
            Source::Live { sim, .. } => self.hasher.feed(&sim.trace(), FOLD_PER_ADVANCE_MAX as usize),
            Source::Loaded { trace, .. } => self.hasher.feed(trace, FOLD_PER_ADVANCE_MAX as usize),
            Source::Streamed { reader, .. } => self.hasher.feed(reader.trace(), FOLD_PER_ADVANCE_MAX as usize),
        };
        if caught_up && remaining == 0 {
            match &mut self.source {
                Source::Loaded { ended, .. } => self.pending_end = Some(RunEnd::from_trace_end(*ended)),
                Source::Streamed { pending, closed, .. } if pending.is_empty() && self.pending_end.is_none() => {
                    self.pending_end = closed.clone();
                }
                _ => {}
            }
            if self.pending_end.is_some() {
                self.fingerprint = Some(self.hasher.value());
                self.end = self.pending_end.take();
            }
        }
        self.end.is_some()
    }

    /// Steps a live simulation up to `steps_max` times, noting how it ended;
    /// it stops early once the steps have recorded [`FOLD_PER_ADVANCE_MAX`]
    /// events, more than one advance folds (64 steps that each fire 4,096
    /// timers would otherwise be a quarter of a million timers in one call).
    fn step_sim(&mut self, steps_max: u32) {
        let Source::Live { sim, outcome } = &mut self.source else {
            return;
        };
        let start_len = sim.trace().len() as u64;
        for _ in 0..steps_max {
            if self.pending_end.is_some() {
                return;
            }
            if sim.trace().len() as u64 >= start_len + FOLD_PER_ADVANCE_MAX {
                return;
            }
            if sim.trace().len() as u64 >= self.events_max {
                self.pending_end = Some(RunEnd::events_limit(self.events_max));
                return;
            }
            if let Step::Finished(finished) = sim.step() {
                self.pending_end = Some(RunEnd::from_outcome(&finished));
                *outcome = Some(finished);
            }
        }
    }

    /// Reads up to `max` lines of a streamed run's pending text into its
    /// trace. A line that does not read ends the recording there, saying
    /// why (the producer wrote what this build cannot read).
    fn read_pending(&mut self, max: u64) {
        let Source::Streamed { reader, pending, .. } = &mut self.source else {
            return;
        };
        let mut lines = 0;
        while lines < max {
            let Some((text, at)) = pending.front_mut() else {
                return;
            };
            let rest = &text[*at..];
            let (line, used) = match rest.find('\n') {
                Some(i) => (&rest[..i], i + 1),
                None => (rest, rest.len()),
            };
            let read = reader.push_line(line);
            *at += used;
            if *at >= text.len() {
                pending.pop_front();
            }
            if let Err(e) = read {
                pending.clear();
                self.pending_end = Some(RunEnd {
                    kind: EndKind::Limit,
                    message: format!("stopped: the run's trace could not be read ({e})"),
                });
                return;
            }
            lines += 1;
        }
    }

    /// Records and folds to the end in one go (tests and tools).
    pub fn finish(&mut self) {
        while !self.advance(4096) {}
    }

    /// Folds up to `max` of the events recorded since the last call into the
    /// head state. Returns true when every recorded event is folded.
    fn ingest(&mut self, max: u64) -> bool {
        let Recording {
            source,
            head,
            snapshots,
            polls,
            advances,
            ..
        } = self;
        match source {
            Source::Live { sim, .. } => ingest_into(&sim.trace(), max, head, snapshots, polls, advances, None),
            Source::Loaded { trace, ended } => ingest_into(trace, max, head, snapshots, polls, advances, Some(ended)),
            Source::Streamed { reader, .. } => ingest_into(reader.trace(), max, head, snapshots, polls, advances, None),
        }
    }

    /// True for a recording of a simulation (not a loaded trace).
    pub fn is_live(&self) -> bool {
        matches!(self.source, Source::Live { .. })
    }

    /// The simulation being recorded (`None` for a loaded trace).
    pub fn sim(&self) -> Option<&Sim> {
        match &self.source {
            Source::Live { sim, .. } => Some(sim),
            Source::Loaded { .. } | Source::Streamed { .. } => None,
        }
    }

    /// How the simulation ended by itself (`None` before, for a loaded trace,
    /// or when the recording's event limit stopped it).
    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.source {
            Source::Live { outcome, .. } => outcome.as_ref(),
            Source::Loaded { .. } | Source::Streamed { .. } => None,
        }
    }

    /// Events recorded so far (folded or not): with [`Recording::len`], how
    /// far the fold has got.
    pub fn recorded(&self) -> u64 {
        self.with_trace(|t| t.len() as u64)
    }

    /// Events folded so far: the last step one can seek to.
    pub fn len(&self) -> u64 {
        self.head.step
    }

    /// True when nothing is folded yet.
    pub fn is_empty(&self) -> bool {
        self.head.step == 0
    }

    /// How the recording ended, once it has and the fold has caught up.
    pub fn end(&self) -> Option<&RunEnd> {
        self.end.as_ref()
    }

    /// True once the recording has ended.
    pub fn is_finished(&self) -> bool {
        self.end.is_some()
    }

    /// The trace fingerprint, once the recording has ended.
    pub fn fingerprint(&self) -> Option<u64> {
        self.fingerprint
    }

    /// Virtual time at the last folded event.
    pub fn end_clock_ns(&self) -> u64 {
        self.head.clock_ns
    }

    /// Snapshots kept so far.
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// Calls `f` with the trace recorded so far.
    pub fn with_trace<R>(&self, f: impl FnOnce(&Trace) -> R) -> R {
        match &self.source {
            Source::Live { sim, .. } => f(&sim.trace()),
            Source::Loaded { trace, .. } => f(trace),
            Source::Streamed { reader, .. } => f(reader.trace()),
        }
    }

    /// The state at step `k`, clamped to the events folded so far.
    pub fn view_at(&self, k: u64) -> ViewState {
        self.with_view_at(k, ViewState::clone)
    }

    /// Calls `f` with the state at step `k` (clamped to what is folded),
    /// folded on from the last state shown when that is closer than a snapshot.
    pub fn with_view_at<R>(&self, k: u64, f: impl FnOnce(&ViewState) -> R) -> R {
        let k = k.min(self.len());
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
        self.with_trace(|trace| state.apply_range(trace, k));
        f(state)
    }

    /// The task of the first poll at or after event `k`, if one is folded.
    pub fn next_poll(&self, k: u64) -> Option<TaskId> {
        let i = self.polls.partition_point(|(seq, _)| *seq < k);
        self.polls.get(i).map(|(_, task)| *task)
    }

    /// The virtual time at step `k`: the target of the last clock move before it.
    pub fn clock_at(&self, k: u64) -> u64 {
        let i = self.advances.partition_point(|(seq, _)| *seq < k);
        i.checked_sub(1).map_or(0, |j| self.advances[j].1)
    }

    /// The step whose clock is nearest to `time_ns`: just after the clock
    /// jump closest to it, or step 0 when time 0 is closest.
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

/// Folds up to `max` events of `trace` past `head.step` into `head`,
/// offering snapshots and indexing polls and clock moves; `ended` (for a
/// loaded trace) keeps the reason of the last `Ended` event seen.
fn ingest_into(
    trace: &Trace,
    max: u64,
    head: &mut ViewState,
    snapshots: &mut Snapshots,
    polls: &mut Vec<(u64, TaskId)>,
    advances: &mut Vec<(u64, u64)>,
    mut ended: Option<&mut Option<EndReason>>,
) -> bool {
    let len = trace.len() as u64;
    let stop = len.min(head.step.saturating_add(max));
    // Events are read a few ahead of their fold, and the memory the fold of
    // each will touch is asked for then: with a million tasks picked in
    // random order, every event names a task whose view is not in the cache.
    let read = |seq: u64| trace.get(seq as usize).expect("seq below the trace length");
    let mut ahead: VecDeque<Event> = (head.step..stop.min(head.step + FOLD_PREFETCH_AHEAD))
        .map(read)
        .collect();
    while head.step < stop {
        let seq = head.step;
        let event = ahead.pop_front().expect("the next event was read ahead");
        let next = seq + 1 + ahead.len() as u64;
        if next < stop {
            let later = read(next);
            head.prefetch_for(&later);
            ahead.push_back(later);
        }
        match event {
            Event::PollStarted { task, .. } => polls.push((seq, task)),
            Event::ClockAdvanced { to_ns } | Event::Worked { to_ns, .. } => advances.push((seq, to_ns)),
            Event::Ended { reason } => {
                if let Some(ended) = ended.as_deref_mut() {
                    *ended = Some(reason);
                }
            }
            _ => {}
        }
        head.apply(event, trace);
        snapshots.offer(head);
    }
    head.step >= len
}
