//! The timeline's index: every task's polls, sleeps and CPU work on the
//! virtual-time axis, and the lanes the canvas draws a window of.
//!
//! Built once from the whole recorded trace (the page knows the future and
//! shows it dimmed past the cursor), a bounded number of events at a time
//! ([`TimelineBuilder`]). Each task's polls and sleeps are stored
//! contiguously, in time order, so a lane's part of any time window is two
//! binary searches away; a lane with more polls than pixels is drawn one
//! poll per pixel column by searching from column to column. Tasks that share
//! a name with many others form a group ("sleeper × 1,000,000") with one row
//! of its own, collapsed until opened; its row draws, per pixel column, how
//! many polls of its tasks fall there, counted by binary search over the
//! group's poll times (the trace's order is time order, so they come
//! sorted). Both make a frame's work proportional to the pixels drawn, not
//! to the events in view, at any zoom.

use wakescope::describe::{duration, one_line};
use wakescope::view::SharedVec;
use wakescope::{Event, EventRecord, PollResult, TaskId, Trace, WakeSource};

/// Tasks of one name, at least this many, share a group row.
pub const GROUP_MIN: usize = 9;
/// Narrowest window the timeline zooms to.
pub const VIEW_SPAN_MIN_NS: u64 = 100;
/// Most wake arrows drawn for the visible range at once.
pub const ARROWS_MAX: usize = 2_000;
/// Axis ticks aimed for.
const AXIS_TICKS: u64 = 5;
/// `u32` for "none" in the index's tables.
const NONE: u32 = u32::MAX;

/// How a poll ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PollEnd {
    /// `Poll::Pending`: the task waits for a wake.
    Pending,
    /// `Poll::Ready`: the task finished.
    Ready,
    /// The task panicked in it.
    Panicked,
    /// The run ended inside it.
    Open,
}

/// One poll of a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PollSlice {
    /// When it started (CPU work inside it is a [`WorkBar`]).
    pub at_ns: u64,
    /// When the wake (or spawn) that made it runnable happened.
    pub cause_ns: u64,
    /// Index of its `PollStarted` event.
    pub seq: u32,
    /// Index of the `Woken` (or `Spawned`) event that made it runnable;
    /// `u32::MAX` when the trace does not say.
    pub cause_seq: u32,
    pub end: PollEnd,
    /// It held the executor over [`wakescope::LONG_POLL`].
    pub long: bool,
}

impl PollSlice {
    /// The event that made this poll runnable, if the trace says.
    pub fn cause(&self) -> Option<u32> {
        (self.cause_seq != NONE).then_some(self.cause_seq)
    }
}

/// A timer armed by the task, from arming to firing or cancelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SleepBar {
    pub from_ns: u64,
    /// When it fired or was cancelled; the end of the run if it never did.
    pub to_ns: u64,
    /// Index of the `TimerArmed` event.
    pub seq: u32,
}

/// CPU work inside a poll: the clock moved while the task held the executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkBar {
    pub from_ns: u64,
    pub to_ns: u64,
    /// Index of the `Worked` event.
    pub seq: u32,
    /// The poll ran over 8 ms (a `LongPoll` followed it): it blocked the executor.
    pub long: bool,
}

/// Tasks of one name drawn as one row until opened.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Group {
    pub name: String,
    /// Its tasks, by id.
    pub tasks: Vec<u32>,
    /// Start times of all its tasks' polls, ascending.
    pub poll_times: Vec<u64>,
}

/// Who woke a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Waker {
    /// Code in this task's poll (a send, a release, a join) or its spawn.
    Task(u32),
    /// A timer, owned by this task if any.
    Timer { timer: u32, owner: Option<u32> },
    /// Nothing in the simulation.
    Outside,
}

/// Per task, a range of a shared table: `at[t]..at[t + 1]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct PerTask<T> {
    at: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> PerTask<T> {
    fn of(&self, task: u32) -> &[T] {
        let t = task as usize;
        match (self.at.get(t), self.at.get(t + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// `(task, item)` pairs in trace order, sorted by task into a [`PerTask`]
/// keeping that order within a task — a counting sort, one pass to count
/// and one to place, each a bounded number of items at a time.
struct Gather<T> {
    /// In chunks: growing never copies what is already there (a
    /// million-task run's two million polls would otherwise be copied, 80 MB
    /// at a time, in one step of the build).
    raw: SharedVec<(u32, T)>,
    at: Vec<u32>,
    /// Per task, the next slot to place its item in.
    next: Vec<u32>,
    items: Vec<T>,
    counted: usize,
    placed: usize,
}

impl<T: Copy> Gather<T> {
    fn new(tasks: usize) -> Gather<T> {
        Gather {
            raw: SharedVec::new(),
            at: vec![0; tasks + 1],
            next: Vec::new(),
            items: Vec::new(),
            counted: 0,
            placed: 0,
        }
    }

    /// Up to `max` items counted or placed; true once all are placed.
    fn step(&mut self, max: usize) -> bool {
        let len = self.raw.len();
        if self.counted < len {
            let end = self.counted.saturating_add(max).min(len);
            for k in self.counted..end {
                if let Some((task, _)) = self.raw.get(k) {
                    self.at[*task as usize + 1] += 1;
                }
            }
            self.counted = end;
            if end == len {
                for i in 1..self.at.len() {
                    self.at[i] += self.at[i - 1];
                }
                self.next = self.at.clone();
                self.items = Vec::with_capacity(len);
            }
            return false;
        }
        if self.items.len() < len {
            // Every slot is written once: start them all as the first item,
            // `max` at a time (a million-task run's are tens of megabytes).
            let fill = self.items.len().saturating_add(max).min(len);
            if let Some((_, first)) = self.raw.get(0) {
                self.items.resize(fill, *first);
            }
            return false;
        }
        let end = self.placed.saturating_add(max).min(len);
        for k in self.placed..end {
            let Some(&(task, item)) = self.raw.get(k) else { break };
            let slot = &mut self.next[task as usize];
            self.items[*slot as usize] = item;
            *slot += 1;
        }
        self.placed = end;
        end == len
    }

    fn finish(self) -> PerTask<T> {
        // No items: no offsets either (`PerTask::of` reads a missing one as empty).
        let at = if self.items.is_empty() { Vec::new() } else { self.at };
        PerTask { at, items: self.items }
    }
}

/// The timeline of a recorded trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timeline {
    /// The axis spans `0..=end_ns` (at least 1 ns).
    pub end_ns: u64,
    names: Vec<String>,
    /// Per task: index into `names`.
    name_of: Vec<u32>,
    /// Per name: its group, or `NONE`.
    group_of_name: Vec<u32>,
    /// When each task that was never polled was spawned, by task (a polled
    /// task's spawn is its first poll's cause).
    unpolled_spawns: Vec<(u32, u64)>,
    /// Per task: when it ended, `u64::MAX` if it did not.
    finish_ns: Vec<u64>,
    /// Per task: the event that ended it, `NONE` if none did.
    finish_seq: Vec<u32>,
    polls: PerTask<PollSlice>,
    sleeps: PerTask<SleepBar>,
    work: PerTask<WorkBar>,
    pub groups: Vec<Group>,
}

impl Timeline {
    /// The timeline of `trace`, in one go (see [`TimelineBuilder`] to build
    /// it a slice at a time).
    pub fn build(trace: &Trace) -> Timeline {
        let mut builder = TimelineBuilder::new(trace);
        while !builder.feed(trace, usize::MAX) {}
        builder.finish()
    }

    /// Where `time_ns` lies on the whole axis, from 0.0 to 1.0.
    pub fn fraction(&self, time_ns: u64) -> f64 {
        (time_ns.min(self.end_ns) as f64) / (self.end_ns as f64)
    }

    pub fn task_count(&self) -> usize {
        self.name_of.len()
    }

    /// The task's name as spawned (one line).
    pub fn name(&self, task: u32) -> &str {
        self.name_of
            .get(task as usize)
            .map_or("?", |n| &self.names[*n as usize])
    }

    /// The task's group, if it is in one.
    pub fn group_of(&self, task: u32) -> Option<u32> {
        let name = *self.name_of.get(task as usize)?;
        self.group_of_name.get(name as usize).copied().filter(|g| *g != NONE)
    }

    /// When the task was spawned.
    pub fn spawn_ns(&self, task: u32) -> u64 {
        // A task's first poll is caused by its spawn.
        match self.polls(task).first() {
            Some(first) => first.cause_ns,
            None => self
                .unpolled_spawns
                .binary_search_by_key(&task, |(t, _)| *t)
                .map_or(0, |i| self.unpolled_spawns[i].1),
        }
    }

    /// When the task ended, if it did.
    pub fn finish_ns(&self, task: u32) -> Option<u64> {
        self.finish_ns.get(task as usize).copied().filter(|t| *t != u64::MAX)
    }

    /// The task's polls, in time order.
    pub fn polls(&self, task: u32) -> &[PollSlice] {
        self.polls.of(task)
    }

    /// The timers the task armed, in arming order.
    pub fn sleeps(&self, task: u32) -> &[SleepBar] {
        self.sleeps.of(task)
    }

    /// CPU work inside the task's polls, in time order.
    pub fn work(&self, task: u32) -> &[WorkBar] {
        self.work.of(task)
    }

    /// The poll of `task` that event `seq` lies in or follows: the last one
    /// started at or before it.
    pub fn poll_at(&self, task: u32, seq: u64) -> Option<&PollSlice> {
        let polls = self.polls(task);
        let i = polls.partition_point(|p| u64::from(p.seq) <= seq);
        i.checked_sub(1).map(|i| &polls[i])
    }

    /// Who caused event `cause_seq` of `trace` (a `Woken` or a `Spawned`).
    pub fn waker(&self, trace: &Trace, cause_seq: u32) -> Option<Waker> {
        match trace.get(cause_seq as usize)? {
            Event::Woken { source, .. } => Some(match source {
                WakeSource::Task(t) => Waker::Task(t.0),
                WakeSource::Timer(timer) => Waker::Timer {
                    timer: timer.0,
                    owner: trace.timer(timer).and_then(|t| t.owner).map(|o| o.0),
                },
                WakeSource::Outside => Waker::Outside,
            }),
            Event::Spawned { task } => Some(
                trace
                    .task(task)
                    .and_then(|t| t.parent)
                    .map_or(Waker::Outside, |p| Waker::Task(p.0)),
            ),
            _ => None,
        }
    }

    /// Heap bytes held by the index.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let per_task = self.name_of.capacity() * 4
            + self.group_of_name.capacity() * 4
            + self.unpolled_spawns.capacity() * 16
            + self.finish_ns.capacity() * 8
            + self.finish_seq.capacity() * 4;
        let tables = (self.polls.at.capacity() + self.sleeps.at.capacity() + self.work.at.capacity()) * 4
            + self.polls.items.capacity() * size_of::<PollSlice>()
            + self.sleeps.items.capacity() * size_of::<SleepBar>()
            + self.work.items.capacity() * size_of::<WorkBar>();
        let groups: usize = self
            .groups
            .iter()
            .map(|g| g.tasks.capacity() * 4 + g.poll_times.capacity() * 8 + g.name.capacity())
            .sum();
        per_task + tables + groups + self.names.iter().map(String::capacity).sum::<usize>()
    }
}

/// A timeline being built from a finished trace, a bounded number of events
/// at a time: the page builds a million-task run's over several slices
/// rather than in one long task.
pub struct TimelineBuilder {
    end_ns: u64,
    phase: Phase,
    /// How many tasks the phase has done.
    cursor: usize,
    /// The next event to read, and the virtual time before it.
    next: usize,
    time_ns: u64,
    /// Distinct names as spawned, sorted, with their index in `names` and
    /// how many tasks have each.
    by_name: Vec<(String, u32, u32)>,
    /// Per name: its group, or `NONE` (once the names are counted).
    group_of_name: Vec<u32>,
    /// Per name: how many tasks have it (once the names are counted).
    count_of: Vec<u32>,
    names: Vec<String>,
    name_of: Vec<u32>,
    group_of: Vec<u32>,
    groups: Vec<Group>,
    spawn_ns: Vec<u64>,
    finish_ns: Vec<u64>,
    finish_seq: Vec<u32>,
    polls: Gather<PollSlice>,
    sleeps: Gather<SleepBar>,
    work: Gather<WorkBar>,
    /// Per task: its open poll (index into `polls`), or `NONE`.
    open_poll: Vec<u32>,
    /// Per task: the first wake since its last poll started: (seq, time).
    cause: Vec<(u32, u64)>,
    /// Per timer: its bar (index into `sleeps`) while armed, or `NONE`.
    open_sleep: Vec<u32>,
}

/// What a [`TimelineBuilder`] does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Each task's name; names counted.
    Names,
    /// Each task into its group, if its name has one.
    Groups,
    Events,
    /// The polls, sleeps and work sorted by task.
    Polls,
    Sleeps,
    Work,
    Done,
}

impl TimelineBuilder {
    /// Nothing read yet of `trace`, which has ended.
    pub fn new(trace: &Trace) -> TimelineBuilder {
        let tasks = trace.task_count();
        TimelineBuilder {
            end_ns: trace.end_time().as_nanos() as u64,
            phase: Phase::Names,
            cursor: 0,
            next: 0,
            time_ns: trace.start_time().as_nanos() as u64,
            by_name: Vec::new(),
            group_of_name: Vec::new(),
            count_of: Vec::new(),
            names: Vec::new(),
            name_of: Vec::with_capacity(tasks),
            group_of: Vec::with_capacity(tasks),
            groups: Vec::new(),
            spawn_ns: vec![0; tasks],
            finish_ns: vec![u64::MAX; tasks],
            finish_seq: vec![NONE; tasks],
            polls: Gather::new(tasks),
            sleeps: Gather::new(tasks),
            work: Gather::new(tasks),
            open_poll: vec![NONE; tasks],
            cause: vec![(NONE, 0); tasks],
            open_sleep: vec![NONE; trace.timer_count()],
        }
    }

    /// Does up to `max` more units of work on `trace` (the one
    /// [`TimelineBuilder::new`] was given) — tasks named, timers read,
    /// events read or items sorted; true once the timeline is built.
    pub fn feed(&mut self, trace: &Trace, max: usize) -> bool {
        let max = max.max(1);
        match self.phase {
            Phase::Names => {
                let end = self.cursor.saturating_add(max).min(trace.task_count());
                for i in self.cursor..end {
                    self.name(trace, i);
                }
                self.cursor = end;
                if end == trace.task_count() {
                    self.group_of_name = vec![NONE; self.names.len()];
                    self.count_of = vec![0; self.names.len()];
                    for (_, n, count) in &self.by_name {
                        self.count_of[*n as usize] = *count;
                    }
                    self.advance(Phase::Groups);
                }
            }
            Phase::Groups => {
                let end = self.cursor.saturating_add(max).min(self.name_of.len());
                for i in self.cursor..end {
                    self.group(i);
                }
                self.cursor = end;
                if end == self.name_of.len() {
                    self.advance(Phase::Events);
                }
            }
            Phase::Events => {
                let mut read = 0;
                let mut before_ns = self.time_ns;
                for record in trace.iter_from(self.next, self.time_ns).take(max) {
                    read += 1;
                    let was_ns = std::mem::replace(&mut before_ns, record.time_ns);
                    self.event(trace, record, was_ns);
                }
                self.next += read;
                self.time_ns = before_ns;
                if self.next >= trace.len() {
                    self.advance(Phase::Polls);
                }
            }
            Phase::Polls => {
                if self.polls.step(max) {
                    self.advance(Phase::Sleeps);
                }
            }
            Phase::Sleeps => {
                if self.sleeps.step(max) {
                    self.advance(Phase::Work);
                }
            }
            Phase::Work => {
                if self.work.step(max) {
                    self.advance(Phase::Done);
                }
            }
            Phase::Done => {}
        }
        self.phase == Phase::Done
    }

    fn advance(&mut self, phase: Phase) {
        self.phase = phase;
        self.cursor = 0;
    }

    /// Task `i`'s name and parent.
    fn name(&mut self, trace: &Trace, i: usize) {
        let info = trace.task(TaskId(i as u32));
        let name = info.map_or("?", |info| info.name);
        let at = match self.by_name.binary_search_by(|(n, ..)| n.as_str().cmp(name)) {
            Ok(at) => at,
            Err(at) => {
                self.names.push(one_line(name).into_owned());
                self.by_name
                    .insert(at, (name.to_string(), self.names.len() as u32 - 1, 0));
                at
            }
        };
        self.by_name[at].2 += 1;
        self.name_of.push(self.by_name[at].1);
    }

    /// Task `i` into its name's group, the group made at its first task.
    fn group(&mut self, i: usize) {
        let n = self.name_of[i] as usize;
        let g = self.group_of_name[n];
        let g = if g == NONE {
            let count = self.count_of[n] as usize;
            if count < GROUP_MIN {
                self.group_of.push(NONE);
                return;
            }
            let g = self.groups.len() as u32;
            self.groups.push(Group {
                name: self.names[n].clone(),
                tasks: Vec::with_capacity(count),
                poll_times: Vec::new(),
            });
            self.group_of_name[n] = g;
            g
        } else {
            g
        };
        self.groups[g as usize].tasks.push(i as u32);
        self.group_of.push(g);
    }

    /// One event; `was_ns` is the time before it.
    fn event(&mut self, trace: &Trace, record: EventRecord, was_ns: u64) {
        let now = record.time_ns;
        let seq = record.seq.min(u64::from(NONE - 1)) as u32;
        match record.event {
            Event::Spawned { task } => {
                let t = task.index();
                self.spawn_ns[t] = now;
                self.cause[t] = (seq, now);
            }
            Event::Woken { task, .. } => {
                let cause = &mut self.cause[task.index()];
                if cause.0 == NONE {
                    *cause = (seq, now);
                }
            }
            Event::PollStarted { task, .. } => {
                let t = task.index();
                let (cause_seq, cause_ns) = std::mem::replace(&mut self.cause[t], (NONE, 0));
                self.open_poll[t] = self.polls.raw.len() as u32;
                self.polls.raw.push((
                    task.0,
                    PollSlice {
                        at_ns: now,
                        cause_ns,
                        seq,
                        cause_seq,
                        end: PollEnd::Open,
                        long: false,
                    },
                ));
                if let Some(g) = self.group_of.get(t).filter(|g| **g != NONE) {
                    self.groups[*g as usize].poll_times.push(now);
                }
            }
            Event::PollEnded { task, result } => {
                if let Some(poll) = self.open(task)
                    && poll.end == PollEnd::Open
                {
                    poll.end = match result {
                        PollResult::Ready => PollEnd::Ready,
                        PollResult::Pending => PollEnd::Pending,
                    };
                }
            }
            Event::Panicked { task } => {
                if let Some(poll) = self.open(task) {
                    poll.end = PollEnd::Panicked;
                }
                self.finished(task, now, seq);
            }
            Event::Worked { task, to_ns } => self.work.raw.push((
                task.0,
                WorkBar {
                    from_ns: was_ns,
                    to_ns,
                    seq,
                    long: false,
                },
            )),
            Event::LongPoll { task } => {
                if let Some(poll) = self.open(task) {
                    poll.long = true;
                }
                // The task's last work, if in this poll.
                let last = (0..self.work.raw.len())
                    .rev()
                    .find(|k| self.work.raw.get(*k).is_some_and(|(t, _)| *t == task.0));
                if let Some((_, bar)) = last.and_then(|k| self.work.raw.get_mut(k)) {
                    bar.long = true;
                }
            }
            Event::TimerArmed { timer } => {
                if let Some(owner) = trace.timer(timer).and_then(|t| t.owner).map(|o| o.0) {
                    self.open_sleep[timer.index()] = self.sleeps.raw.len() as u32;
                    self.sleeps.raw.push((
                        owner,
                        SleepBar {
                            from_ns: now,
                            to_ns: self.end_ns,
                            seq,
                        },
                    ));
                }
            }
            Event::TimerFired { timer } | Event::TimerCancelled { timer } => {
                let open = std::mem::replace(&mut self.open_sleep[timer.index()], NONE);
                if open != NONE {
                    if let Some((_, bar)) = self.sleeps.raw.get_mut(open as usize) {
                        bar.to_ns = now;
                    }
                }
            }
            Event::Completed { task } | Event::Cancelled { task, .. } => self.finished(task, now, seq),
            _ => {}
        }
    }

    fn finished(&mut self, task: TaskId, now: u64, seq: u32) {
        let t = task.index();
        if self.finish_seq[t] == NONE {
            self.finish_seq[t] = seq;
            self.finish_ns[t] = now;
        }
    }

    fn open(&mut self, task: TaskId) -> Option<&mut PollSlice> {
        let i = *self.open_poll.get(task.index())?;
        self.polls.raw.get_mut(i as usize).map(|(_, p)| p)
    }

    /// The timeline, from what was done: call it once [`TimelineBuilder::feed`]
    /// has returned true (before, tasks not yet named have no lane).
    pub fn finish(mut self) -> Timeline {
        // Sorting needs no trace: finish it here if the feeds did not.
        while !self.polls.step(usize::MAX) {}
        while !self.sleeps.step(usize::MAX) {}
        while !self.work.step(usize::MAX) {}
        let polls = self.polls.finish();
        let unpolled_spawns = (0..self.spawn_ns.len() as u32)
            .filter(|t| polls.of(*t).is_empty())
            .map(|t| (t, self.spawn_ns[t as usize]))
            .collect();
        Timeline {
            end_ns: self.end_ns.max(1),
            names: self.names,
            name_of: self.name_of,
            group_of_name: self.group_of_name,
            unpolled_spawns,
            finish_ns: self.finish_ns,
            finish_seq: self.finish_seq,
            polls,
            sleeps: self.sleeps.finish(),
            work: self.work.finish(),
            groups: self.groups,
        }
    }
}

/// What one row of the timeline shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Row {
    /// A task's lane; `nested` when it is listed under its open group.
    Task { task: u32, nested: bool },
    /// A group's row.
    Group { group: u32, open: bool },
}

/// The rows, in order: tasks by id, a group at the place of its first task
/// with its tasks under it while open.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    /// Runs of rows and the row each starts at.
    runs: Vec<(usize, Run)>,
    rows: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Run {
    /// Tasks `from..to` on rows of their own (none of them grouped).
    Tasks { from: u32, to: u32 },
    /// A group's row, then its tasks' rows if open.
    Group { group: u32, open: bool },
}

impl Layout {
    /// The rows of `timeline` with the groups in `open` opened.
    pub fn new(timeline: &Timeline, open: &[u32]) -> Layout {
        let mut runs = Vec::new();
        let mut rows = 0usize;
        let mut seen = vec![false; timeline.groups.len()];
        let mut from: Option<u32> = None;
        let tasks = timeline.task_count() as u32;
        for task in 0..=tasks {
            let group = if task < tasks { timeline.group_of(task) } else { None };
            let ungrouped = task < tasks && group.is_none();
            match (ungrouped, from) {
                (true, None) => from = Some(task),
                (false, Some(f)) => {
                    runs.push((rows, Run::Tasks { from: f, to: task }));
                    rows += (task - f) as usize;
                    from = None;
                }
                _ => {}
            }
            if let Some(g) = group
                && !std::mem::replace(&mut seen[g as usize], true)
            {
                let is_open = open.contains(&g);
                runs.push((
                    rows,
                    Run::Group {
                        group: g,
                        open: is_open,
                    },
                ));
                rows += 1 + if is_open {
                    timeline.groups[g as usize].tasks.len()
                } else {
                    0
                };
            }
        }
        Layout { runs, rows }
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Row `i`.
    pub fn row(&self, timeline: &Timeline, i: usize) -> Option<Row> {
        if i >= self.rows {
            return None;
        }
        let at = self.runs.partition_point(|(start, _)| *start <= i) - 1;
        let (start, run) = self.runs[at];
        let offset = i - start;
        Some(match run {
            Run::Tasks { from, .. } => Row::Task {
                task: from + offset as u32,
                nested: false,
            },
            Run::Group { group, open } if offset == 0 => Row::Group { group, open },
            Run::Group { group, .. } => Row::Task {
                task: timeline.groups[group as usize].tasks[offset - 1],
                nested: true,
            },
        })
    }

    /// The row that shows `task`: its own, or its group's while closed.
    pub fn row_of(&self, timeline: &Timeline, task: u32) -> Option<usize> {
        if task as usize >= timeline.task_count() {
            return None;
        }
        let group = timeline.group_of(task);
        self.runs.iter().find_map(|(start, run)| match (*run, group) {
            (Run::Tasks { from, to }, None) if (from..to).contains(&task) => Some(start + (task - from) as usize),
            (Run::Group { group: g, open }, Some(tg)) if g == tg => {
                if !open {
                    return Some(*start);
                }
                let tasks = &timeline.groups[g as usize].tasks;
                tasks.binary_search(&task).ok().map(|k| start + 1 + k)
            }
            _ => None,
        })
    }
}

/// The window of the axis on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub from_ns: u64,
    pub to_ns: u64,
}

impl Window {
    /// The whole run.
    pub fn fit(end_ns: u64) -> Window {
        Window {
            from_ns: 0,
            to_ns: end_ns.max(1),
        }
    }

    pub fn span(&self) -> u64 {
        self.to_ns - self.from_ns
    }

    /// Zoomed by `factor` (below 1 zooms in) about the point `anchor` of the
    /// way across, kept inside `0..=end_ns` and at least [`VIEW_SPAN_MIN_NS`] wide.
    pub fn zoom(self, factor: f64, anchor: f64, end_ns: u64) -> Window {
        let end_ns = end_ns.max(1);
        let anchor = anchor.clamp(0.0, 1.0);
        let min = VIEW_SPAN_MIN_NS.min(end_ns);
        let span = ((self.span() as f64 * factor).round() as u64).clamp(min, end_ns);
        let at = self.from_ns as f64 + anchor * self.span() as f64;
        let from = (at - anchor * span as f64).round().max(0.0) as u64;
        Window {
            from_ns: from.min(end_ns - span),
            to_ns: from.min(end_ns - span) + span,
        }
    }

    /// Moved by `fraction` of its width (negative: earlier), inside `0..=end_ns`.
    pub fn pan(self, fraction: f64, end_ns: u64) -> Window {
        let span = self.span();
        let shift = (fraction * span as f64).round() as i128;
        let from = (self.from_ns as i128 + shift).clamp(0, (end_ns.max(1) - span.min(end_ns.max(1))) as i128) as u64;
        Window {
            from_ns: from,
            to_ns: from + span,
        }
    }

    /// Centred on `at_ns` if it lies outside, keeping the width.
    pub fn follow(self, at_ns: u64, end_ns: u64) -> Window {
        if (self.from_ns..=self.to_ns).contains(&at_ns) {
            return self;
        }
        let half = self.span() / 2;
        let from = at_ns
            .saturating_sub(half)
            .min(end_ns.max(1).saturating_sub(self.span()));
        Window {
            from_ns: from,
            to_ns: from + self.span(),
        }
    }

    /// The x of `ns` across `width` pixels (may lie outside `0..width`).
    pub fn x(&self, ns: u64, width: f64) -> f64 {
        (ns as f64 - self.from_ns as f64) * width / self.span() as f64
    }

    /// Where `ns` lies across the window, from 0.0 (its start) to 1.0 (its end).
    pub fn fraction(&self, ns: u64) -> f64 {
        (ns as f64 - self.from_ns as f64) / self.span().max(1) as f64
    }

    /// The time at pixel `x` of `width`.
    pub fn time_at(&self, x: f64, width: f64) -> u64 {
        let t = self.from_ns as f64 + (x / width.max(1.0)) * self.span() as f64;
        t.max(0.0).round() as u64
    }
}

/// The polls of `polls` (in time order) that draw inside `window` across
/// `width` pixels, at most one per pixel column: a lane with a million polls
/// costs at most `width` binary searches.
pub fn visible_polls<'a>(
    polls: &'a [PollSlice],
    window: Window,
    width: f64,
) -> impl Iterator<Item = &'a PollSlice> + 'a {
    let mut i = polls.partition_point(|p| p.at_ns < window.from_ns);
    std::iter::from_fn(move || {
        let p = polls.get(i).filter(|p| p.at_ns <= window.to_ns)?;
        // Next: the first poll in a later pixel column (or the next one, if
        // columns are finer than nanoseconds).
        let column = window.x(p.at_ns, width).floor() + 1.0;
        let next_ns = window.time_at(column, width).max(p.at_ns + 1);
        i += polls[i..].partition_point(|q| q.at_ns < next_ns).max(1);
        Some(p)
    })
}

/// How many of `times` (ascending) fall in each of `columns` columns of `window`.
pub fn density(times: &[u64], window: Window, columns: usize) -> Vec<u32> {
    let width = columns as f64;
    let mut lo = times.partition_point(|t| *t < window.from_ns);
    (0..columns)
        .map(|c| {
            let end = if c + 1 == columns {
                window.to_ns + 1
            } else {
                window.time_at(c as f64 + 1.0, width)
            };
            let hi = lo + times[lo..].partition_point(|t| *t < end);
            let n = (hi - lo) as u32;
            lo = hi;
            n
        })
        .collect()
}

/// The sleeps of a lane that overlap `window`.
pub fn visible_sleeps(sleeps: &[SleepBar], window: Window) -> impl Iterator<Item = &SleepBar> {
    sleeps
        .iter()
        .filter(move |s| s.to_ns >= window.from_ns && s.from_ns <= window.to_ns)
}

/// The poll nearest `at_ns` in `polls`, if one lies within `slack_ns` of it.
pub fn poll_near(polls: &[PollSlice], at_ns: u64, slack_ns: u64) -> Option<&PollSlice> {
    let i = polls.partition_point(|p| p.at_ns < at_ns);
    [i.checked_sub(1), Some(i)]
        .into_iter()
        .flatten()
        .filter_map(|i| polls.get(i))
        .filter(|p| p.at_ns.abs_diff(at_ns) <= slack_ns)
        .min_by_key(|p| p.at_ns.abs_diff(at_ns))
}

/// Where a task stands at step `step` (virtual time `at_ns`), in words,
/// for the text alternative.
pub fn lane_state(timeline: &Timeline, task: u32, step: u64, at_ns: u64) -> String {
    let name = format!("{} #{task}", timeline.name(task));
    let before = |seq: u32| u64::from(seq) < step;
    let polls = timeline.polls(task);
    let started = polls.partition_point(|p| before(p.seq));
    // A task's first poll is caused by its spawn.
    let spawned = polls.first().and_then(PollSlice::cause).is_none_or(before);
    if at_ns < timeline.spawn_ns(task) || !spawned {
        return format!("{name}: not yet spawned");
    }
    let ended = timeline
        .finish_seq
        .get(task as usize)
        .is_some_and(|s| *s != NONE && before(*s));
    if ended {
        return format!(
            "{name}: ended at {}",
            duration(timeline.finish_ns(task).unwrap_or(at_ns))
        );
    }
    let sleeping = timeline
        .sleeps(task)
        .iter()
        .rev()
        .find(|s| before(s.seq) && at_ns < s.to_ns);
    let polled = started.checked_sub(1).map(|i| &polls[i]);
    match (sleeping, polled) {
        (Some(s), _) => format!("{name}: asleep until {}", duration(s.to_ns)),
        (None, Some(p)) if p.at_ns == at_ns => format!("{name}: polled at {}", duration(at_ns)),
        (None, Some(p)) => format!("{name}: waiting since its poll at {}", duration(p.at_ns)),
        (None, None) => format!("{name}: spawned, not yet polled"),
    }
}

/// Round axis ticks inside `window`: steps of 1, 2 or 5 × 10ⁿ ns.
pub fn ticks(window: Window) -> Vec<(u64, String)> {
    let span = window.span();
    if span == 0 {
        return vec![(window.from_ns, duration(window.from_ns))];
    }
    let raw = span.div_ceil(AXIS_TICKS).max(1);
    let mut unit = 1u64;
    let step = loop {
        if let Some(s) = [1u64, 2, 5].iter().map(|m| m.saturating_mul(unit)).find(|s| *s >= raw) {
            break s;
        }
        unit = unit.saturating_mul(10);
    };
    let first = window.from_ns.div_ceil(step) * step;
    (0..)
        .map(|i: u64| first + i * step)
        .take_while(|t| *t <= window.to_ns)
        .map(|t| (t, duration(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(at_ns: u64, seq: u32) -> PollSlice {
        PollSlice {
            at_ns,
            cause_ns: 0,
            seq,
            cause_seq: NONE,
            end: PollEnd::Pending,
            long: false,
        }
    }

    #[test]
    fn ticks_are_round() {
        let labels: Vec<String> = ticks(Window::fit(10_000_000_000)).into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["0 s", "2 s", "4 s", "6 s", "8 s", "10 s"]);
        let labels: Vec<String> = ticks(Window::fit(18_000_000_000)).into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["0 s", "5 s", "10 s", "15 s"]);
        let zoomed = Window {
            from_ns: 3_300_000,
            to_ns: 4_100_000,
        };
        let ns: Vec<u64> = ticks(zoomed).into_iter().map(|(t, _)| t).collect();
        assert_eq!(ns, [3_400_000, 3_600_000, 3_800_000, 4_000_000]);
    }

    #[test]
    fn zoom_keeps_the_anchor_and_stays_inside_the_run() {
        let end = 1_000_000;
        let w = Window::fit(end).zoom(0.5, 0.5, end);
        assert_eq!(
            w,
            Window {
                from_ns: 250_000,
                to_ns: 750_000
            }
        );
        let w = w.zoom(0.5, 0.0, end);
        assert_eq!(
            w,
            Window {
                from_ns: 250_000,
                to_ns: 500_000
            }
        );
        assert_eq!(
            w.zoom(100.0, 0.3, end),
            Window::fit(end),
            "zooming out stops at the whole run"
        );
        let mut narrow = Window::fit(end);
        for _ in 0..100 {
            narrow = narrow.zoom(0.5, 1.0, end);
        }
        assert_eq!(
            narrow,
            Window {
                from_ns: end - VIEW_SPAN_MIN_NS,
                to_ns: end
            }
        );
    }

    #[test]
    fn pan_and_follow_keep_the_width() {
        let end = 1_000;
        let w = Window {
            from_ns: 100,
            to_ns: 300,
        };
        assert_eq!(
            w.pan(0.5, end),
            Window {
                from_ns: 200,
                to_ns: 400
            }
        );
        assert_eq!(w.pan(-5.0, end), Window { from_ns: 0, to_ns: 200 });
        assert_eq!(
            w.pan(50.0, end),
            Window {
                from_ns: 800,
                to_ns: 1_000
            }
        );
        assert_eq!(w.follow(250, end), w, "inside: no move");
        assert_eq!(
            w.follow(900, end),
            Window {
                from_ns: 800,
                to_ns: 1_000
            }
        );
        assert_eq!(
            w.follow(500, end),
            Window {
                from_ns: 400,
                to_ns: 600
            }
        );
    }

    #[test]
    fn a_dense_lane_draws_one_poll_per_pixel_column() {
        let polls: Vec<PollSlice> = (0..1_000_000u32).map(|i| poll(u64::from(i) * 10, i)).collect();
        let window = Window::fit(10_000_000);
        let drawn: Vec<u64> = visible_polls(&polls, window, 1_000.0).map(|p| p.at_ns).collect();
        assert_eq!(drawn.len(), 1_000);
        assert_eq!(drawn[..3], [0, 10_000, 20_000]);
        // Zoomed in to 20 polls: every one is drawn.
        let zoomed = Window {
            from_ns: 5_000,
            to_ns: 5_190,
        };
        let drawn: Vec<u64> = visible_polls(&polls, zoomed, 1_000.0).map(|p| p.at_ns).collect();
        assert_eq!(drawn, (500..=519).map(|i| i * 10).collect::<Vec<_>>());
        // Polls at one instant draw once.
        let same = vec![poll(7, 0), poll(7, 1), poll(7, 2), poll(9, 3)];
        let drawn: Vec<u32> = visible_polls(&same, Window::fit(10), 100.0).map(|p| p.seq).collect();
        assert_eq!(drawn, [0, 3]);
    }

    #[test]
    fn density_counts_every_time_once() {
        let times: Vec<u64> = (0..10_000).map(|i| i * 7 % 1_000).collect::<Vec<_>>();
        let mut times = times;
        times.sort_unstable();
        let window = Window::fit(999);
        let counts = density(&times, window, 37);
        assert_eq!(counts.iter().map(|c| *c as usize).sum::<usize>(), times.len());
        let half = Window {
            from_ns: 500,
            to_ns: 999,
        };
        let counts = density(&times, half, 10);
        assert_eq!(
            counts.iter().sum::<u32>() as usize,
            times.iter().filter(|t| **t >= 500).count()
        );
    }

    #[test]
    fn a_poll_near_the_pointer_is_found_within_the_slack() {
        let polls = vec![poll(100, 0), poll(200, 1), poll(300, 2)];
        assert_eq!(poll_near(&polls, 190, 20).map(|p| p.seq), Some(1));
        assert_eq!(poll_near(&polls, 260, 50).map(|p| p.seq), Some(2));
        assert_eq!(poll_near(&polls, 150, 20), None);
        assert_eq!(poll_near(&polls, 5_000, 20), None);
    }
}
