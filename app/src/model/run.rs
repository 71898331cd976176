//! A run: one scenario with one seed, recorded a slice at a time.
//!
//! The page cannot run a long simulation in one go without freezing, so
//! [`Run::advance`] takes a bounded number of executor steps and folds the
//! events they recorded into the head state, keeping snapshots as it goes.
//! The browser calls it until its frame budget is spent; tests call
//! [`Run::finish`]. Either way the trace is the same — slicing never changes
//! what the executor does, only when the page looks at it.
//!
//! A run ends when the executor says so (completed, deadlock, or one of its
//! limits) or when the trace reaches [`EVENTS_MAX`], the page's own limit.

use std::cell::RefCell;

use wakescope::scenarios::{Params, Scenario};
use wakescope::trace::Fingerprinter;
use wakescope::{Config, Event, Outcome, Step, TaskId, Trace};

use super::fold::ViewState;
use super::snapshots::Snapshots;
use super::sweep::Judgement;

/// The most events the page records for one run; past it the run is stopped
/// (the executor's own limits usually end it first). The trace keeps 8 bytes
/// an event, so this is 128 MB of trace at most; a million sleepers need
/// about 9 million events. Snapshots add about as much again (see
/// [`super::snapshots`]), and the executor's own tasks come on top.
pub const EVENTS_MAX: u64 = 16_000_000;

/// The most events one [`Run::advance`] folds. A single executor step can
/// record a million events (a task that spawns a million others); the fold
/// then catches up over several calls, so no call does much more than this
/// many events of fold work, and the executor steps on only once the fold
/// has caught up.
pub const FOLD_PER_ADVANCE_MAX: u64 = 4_096;

/// How a run ended, in the words the header uses (`data-outcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndKind {
    /// Every task finished.
    Completed,
    /// Tasks were left that nothing could wake.
    Deadlock,
    /// A limit stopped the run.
    Limit,
    /// An invariant check failed.
    CheckFailed,
    /// A task panicked and nothing handled it.
    Panicked,
}

impl EndKind {
    /// The word used in `data-outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndKind::Completed => "completed",
            EndKind::Deadlock => "deadlock",
            EndKind::Limit => "limit",
            EndKind::CheckFailed => "check-failed",
            EndKind::Panicked => "panicked",
        }
    }
}

/// How a run ended, with a sentence for the header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunEnd {
    /// Which kind of end.
    pub kind: EndKind,
    /// E.g. "deadlock: main (#0) and worker (#2) wait forever".
    pub message: String,
}

impl RunEnd {
    fn from_outcome(outcome: &Outcome) -> RunEnd {
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
}

/// One scenario run, recorded so far, with its fold and snapshots.
pub struct Run {
    scenario: &'static Scenario,
    params: Params,
    seed: u64,
    sim: wakescope::Sim,
    /// The fold of every event recorded so far.
    head: ViewState,
    snapshots: Snapshots,
    /// `(seq, task)` of every `PollStarted`, in order: the future the ready queue panel peeks at.
    polls: Vec<(u64, TaskId)>,
    /// `(seq, to_ns)` of every event that moves the clock (`ClockAdvanced`,
    /// `Worked`), in order: for seeking by time.
    advances: Vec<(u64, u64)>,
    /// How the executor's run ended; shown as the run's end once the fold has caught up.
    sim_end: Option<RunEnd>,
    /// How the executor's run ended, for the scenario's verdict.
    outcome: Option<Outcome>,
    end: Option<RunEnd>,
    fingerprint: Option<String>,
    /// Hashes the trace as it grows, a slice per advance, so the fingerprint
    /// is ready at the end without one long pass over millions of events.
    hasher: Fingerprinter,
    /// The state last shown: stepping forward continues from it instead of
    /// from a snapshot, so playing through a big run costs one event a step.
    cursor: RefCell<Option<ViewState>>,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("scenario", &self.scenario.id)
            .field("params", &self.params)
            .field("seed", &self.seed)
            .field("events", &self.head.step)
            .field("end", &self.end)
            .finish()
    }
}

impl Run {
    /// Spawns the scenario's tasks on a fresh simulation and folds what that recorded.
    pub fn start(scenario: &'static Scenario, params: Params, seed: u64) -> Run {
        let sim = scenario.start(Config::seeded(seed), &params);
        let head = ViewState::initial(&sim.trace());
        let snapshots = Snapshots::new(head.clone());
        let mut run = Run {
            scenario,
            params,
            seed,
            sim,
            head,
            snapshots,
            polls: Vec::new(),
            advances: Vec::new(),
            sim_end: None,
            outcome: None,
            end: None,
            fingerprint: None,
            hasher: Fingerprinter::new(),
            cursor: RefCell::new(None),
        };
        run.ingest(u64::MAX);
        run
    }

    /// Takes up to `steps_max` executor steps and folds what they recorded,
    /// at most [`FOLD_PER_ADVANCE_MAX`] events a call (while the fold lags
    /// behind the trace it only folds). Returns true once the run has ended
    /// and every event is folded.
    pub fn advance(&mut self, steps_max: u32) -> bool {
        if self.end.is_some() {
            return true;
        }
        if self.head.step >= self.sim.trace().len() as u64 {
            for _ in 0..steps_max {
                if self.sim_end.is_some() {
                    break;
                }
                if self.sim.trace().len() as u64 >= EVENTS_MAX {
                    self.sim_end = Some(RunEnd {
                        kind: EndKind::Limit,
                        message: format!(
                            "limit: the page records at most {EVENTS_MAX} events; the run was stopped there"
                        ),
                    });
                    break;
                }
                if let Step::Finished(outcome) = self.sim.step() {
                    self.sim_end = Some(RunEnd::from_outcome(&outcome));
                    self.outcome = Some(outcome);
                }
            }
        }
        let caught_up = self.ingest(FOLD_PER_ADVANCE_MAX);
        let unhashed = self.hasher.feed(&self.sim.trace(), FOLD_PER_ADVANCE_MAX as usize);
        if caught_up && unhashed == 0 && self.sim_end.is_some() {
            self.fingerprint = Some(format!("{:016x}", self.hasher.value()));
            self.end = self.sim_end.take();
        }
        self.end.is_some()
    }

    /// The scenario's verdict and measurement on this very run, once it has
    /// ended by itself (`None` before, or when the page's event limit cut it short).
    pub fn judgement(&self) -> Option<Judgement> {
        self.end.as_ref()?;
        let outcome = self.outcome.clone()?;
        Some(Judgement {
            verdict: self.scenario.verdict(&self.sim, &outcome),
            measured: self.scenario.measure(&self.sim),
            outcome,
        })
    }

    /// Events recorded by the executor so far (folded or not): with
    /// [`Run::len`], how far the recording has got.
    pub fn recorded(&self) -> u64 {
        self.sim.trace().len() as u64
    }

    /// Runs to the end in one go (tests and tools; the page uses [`Run::advance`]).
    pub fn finish(&mut self) {
        while !self.advance(4096) {}
    }

    /// Folds up to `max` of the events recorded since the last call into the
    /// head state. Returns true when every recorded event is folded.
    fn ingest(&mut self, max: u64) -> bool {
        let trace = self.sim.trace();
        let len = trace.len() as u64;
        let stop = len.min(self.head.step.saturating_add(max));
        while self.head.step < stop {
            let seq = self.head.step;
            let event = trace.get(seq as usize).expect("seq below the trace length");
            match event {
                Event::PollStarted { task } => self.polls.push((seq, task)),
                Event::ClockAdvanced { to_ns } | Event::Worked { to_ns, .. } => self.advances.push((seq, to_ns)),
                _ => {}
            }
            self.head.apply(event, &trace);
            self.snapshots.offer(&self.head);
        }
        self.head.step >= len
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &'static Scenario {
        self.scenario
    }

    /// The validated parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Events recorded and folded so far: the last step one can seek to.
    pub fn len(&self) -> u64 {
        self.head.step
    }

    /// True when nothing was recorded (a scenario that spawns nothing, before its first step).
    pub fn is_empty(&self) -> bool {
        self.head.step == 0
    }

    /// How the run ended, once it has.
    pub fn end(&self) -> Option<&RunEnd> {
        self.end.as_ref()
    }

    /// True once the run has ended.
    pub fn is_finished(&self) -> bool {
        self.end.is_some()
    }

    /// The trace fingerprint (16 lowercase hex digits), once the run has ended.
    pub fn fingerprint(&self) -> Option<&str> {
        self.fingerprint.as_deref()
    }

    /// Virtual time at the last recorded event.
    pub fn end_clock_ns(&self) -> u64 {
        self.head.clock_ns
    }

    /// Snapshots kept so far.
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// Calls `f` with the trace recorded so far.
    pub fn with_trace<R>(&self, f: impl FnOnce(&Trace) -> R) -> R {
        f(&self.sim.trace())
    }

    /// The state at step `k`, clamped to the events recorded so far.
    pub fn view_at(&self, k: u64) -> ViewState {
        self.with_view_at(k, ViewState::clone)
    }

    /// Calls `f` with the state at step `k` (clamped to what is recorded),
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

    /// The task of the first poll at or after event `k`, if one is recorded.
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

#[cfg(test)]
mod tests {
    use super::*;
    use wakescope::scenarios;

    /// `million` spawns every sleeper in one executor step: far more events
    /// than one call may fold.
    fn million(tasks: &str) -> (&'static Scenario, Params) {
        let scenario = scenarios::find("million").expect("registered");
        let (params, errors) = scenario.params(None, [("tasks", tasks)]);
        assert!(errors.is_empty(), "{errors:?}");
        (scenario, params)
    }

    #[test]
    fn one_call_folds_a_bounded_number_of_events_and_the_end_waits_for_the_fold() {
        let (scenario, params) = million("20000");
        let mut run = Run::start(scenario, params.clone(), 3);
        let mut calls = 0;
        loop {
            let before = run.len();
            let done = run.advance(64);
            calls += 1;
            assert!(
                run.len() - before <= FOLD_PER_ADVANCE_MAX,
                "call {calls} folded {}",
                run.len() - before
            );
            assert!(run.len() <= run.recorded());
            if done {
                break;
            }
            assert!(
                run.end().is_none() && run.fingerprint().is_none(),
                "ended before the fold caught up"
            );
        }
        assert_eq!(run.len(), run.recorded());
        assert_eq!(run.end().map(|e| e.kind), Some(EndKind::Completed));
        assert!(run.len() as u64 > 20_000 * 8, "{} events", run.len());
        assert!(calls as u64 > run.len() / FOLD_PER_ADVANCE_MAX, "{calls} calls");

        let mut whole = scenario.start(Config::seeded(3), &params);
        whole.run();
        assert_eq!(run.fingerprint(), Some(whole.trace().fingerprint_hex().as_str()));
        // Back and forward agree with a fold from scratch, across snapshots.
        let total = run.len();
        for k in [
            total,
            total - 1,
            total / 2 + 1,
            total / 2,
            20_001,
            3,
            0,
            total - 2,
            total,
        ] {
            assert_eq!(run.view_at(k), run.with_trace(|t| ViewState::fold(t, k)), "step {k}");
        }
    }

    #[test]
    fn snapshots_stay_few_when_the_state_is_big() {
        let (scenario, params) = million("20000");
        let mut run = Run::start(scenario, params, 1);
        run.finish();
        // About 180,000 events over a state weighing up to ~60,000.
        assert!(run.snapshot_count() <= 4, "{} snapshots", run.snapshot_count());
    }
}
