//! The code panel's model: the program's lines, the line of the current
//! event, and where each task waits — at a step.
//!
//! Everything comes from the trace's source locations: an event asked for by
//! a line of the program carries that line ([`wakescope::Trace::site`]), and
//! the fold keeps, for each task, where its last pending poll ended
//! ([`wakescope::view::TaskView::waits_at`]). Only locations in the
//! program's own file ([`PROGRAM_FILE`]) count. Searches over the trace are
//! bounded ([`CURRENT_LOOKBACK_MAX`], [`LINE_SEARCH_EVENTS_MAX`]), so a
//! run of millions of events costs a bounded time per step or click.

use wakescope::describe::task_name;
use wakescope::view::{Recording, TaskStatus};
use wakescope::{Event, TaskId, Trace};

use super::run::PROGRAM_FILE;

/// Events looked back through, from the current one, for the last that names
/// a line of the program; past it the panel lights no line.
pub const CURRENT_LOOKBACK_MAX: u64 = 4096;
/// Events a click on a line searches for the next step at that line.
pub const LINE_SEARCH_EVENTS_MAX: u64 = 2_000_000;
/// Task markers drawn at one line; the rest are counted ("+3").
pub const MARKERS_PER_LINE_MAX: usize = 6;

/// A task waiting at a line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Marker {
    pub task: u32,
    pub name: String,
}

/// The tasks waiting at one line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LineMarkers {
    pub line: u32,
    /// At most [`MARKERS_PER_LINE_MAX`], by task id.
    pub tasks: Vec<Marker>,
    /// Tasks waiting here beyond those.
    pub hidden: usize,
}

/// What the code panel lights at one step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeView {
    /// The line of the current event, or of the last event before it that
    /// names a line (within [`CURRENT_LOOKBACK_MAX`] events).
    pub current_line: Option<u32>,
    /// Unfinished tasks at the line where each waits, by line.
    pub markers: Vec<LineMarkers>,
}

/// The program line that spawned each task, read from the trace's `Spawned`
/// events as the recording grows (each event is read once).
#[derive(Clone, Debug, Default)]
pub struct SpawnLines {
    /// Events read so far.
    read: u64,
    /// By task id; `None` for a task spawned at no line of the program.
    lines: Vec<Option<u32>>,
}

impl SpawnLines {
    /// Reads the events recorded since the last call.
    pub fn update(&mut self, run: &Recording) {
        let total = run.len();
        run.with_trace(|trace| {
            for seq in self.read..total {
                if let Some(Event::Spawned { task }) = trace.get(seq as usize) {
                    let i = task.index();
                    if self.lines.len() <= i {
                        self.lines.resize(i + 1, None);
                    }
                    self.lines[i] = line_of(trace, seq);
                }
            }
        });
        self.read = self.read.max(total);
    }

    /// The line that spawned `task`, if known.
    pub fn line(&self, task: TaskId) -> Option<u32> {
        self.lines.get(task.index()).copied().flatten()
    }
}

impl CodeView {
    /// The view at step `k` of `run` (clamped to what is recorded);
    /// `spawns` must have read the run up to `k`.
    pub fn at(run: &Recording, k: u64, spawns: &SpawnLines) -> CodeView {
        run.with_view_at(k, |state| {
            run.with_trace(|trace| {
                let mut markers: Vec<LineMarkers> = Vec::new();
                for (i, task) in state.tasks.iter().enumerate() {
                    let finished = matches!(
                        task.status,
                        TaskStatus::Done | TaskStatus::Cancelled | TaskStatus::Panicked
                    );
                    let Some(site) = task.waits_at.filter(|_| !finished).and_then(|id| trace.site_by_id(id)) else {
                        continue;
                    };
                    let line = if &*site.file == PROGRAM_FILE {
                        Some(site.line)
                    } else {
                        spawns.line(TaskId(i as u32))
                    };
                    let Some(line) = line else {
                        continue;
                    };
                    let at = match markers.binary_search_by_key(&line, |m| m.line) {
                        Ok(at) => at,
                        Err(at) => {
                            markers.insert(
                                at,
                                LineMarkers {
                                    line,
                                    tasks: Vec::new(),
                                    hidden: 0,
                                },
                            );
                            at
                        }
                    };
                    let here = &mut markers[at];
                    if here.tasks.len() < MARKERS_PER_LINE_MAX {
                        let task = TaskId(i as u32);
                        here.tasks.push(Marker {
                            task: task.0,
                            name: task_name(trace, task),
                        });
                    } else {
                        here.hidden += 1;
                    }
                }
                CodeView {
                    current_line: current_line(trace, state.step),
                    markers,
                }
            })
        })
    }
}

/// The program line event `seq` names, if any.
fn line_of(trace: &Trace, seq: u64) -> Option<u32> {
    trace
        .site(seq as usize)
        .filter(|s| &*s.file == PROGRAM_FILE)
        .map(|s| s.line)
}

/// The line of the current event at step `k` (event `k − 1`), or of the last
/// event before it that names one.
fn current_line(trace: &Trace, k: u64) -> Option<u32> {
    (k.saturating_sub(CURRENT_LOOKBACK_MAX)..k)
        .rev()
        .find_map(|seq| line_of(trace, seq))
}

/// The next step after `k` whose event is at `line` — wrapping to the start
/// after the last step — or `None` when no event of the run (within
/// [`LINE_SEARCH_EVENTS_MAX`] events) is at that line. Step s shows event
/// s − 1 as current, so the answer is one more than the event's index.
pub fn next_step_at_line(run: &Recording, k: u64, line: u32) -> Option<u64> {
    let total = run.len();
    let k = k.min(total);
    run.with_trace(|trace| {
        // Events k.. (steps k+1..=total), then 0..k (steps 1..=k).
        (k..total)
            .chain(0..k)
            .take(LINE_SEARCH_EVENTS_MAX as usize)
            .find(|&seq| line_of(trace, seq) == Some(line))
            .map(|seq| seq + 1)
    })
}
