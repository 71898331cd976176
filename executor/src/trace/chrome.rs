//! Chrome Trace Event JSON: open a run in Perfetto (ui.perfetto.dev) or chrome://tracing.
//!
//! # Layout
//! One process (pid 1, named `wakescope`). Each task is a thread, `tid = task
//! id + 1` (tid 0 is avoided: Perfetto reads it as "same as pid"), named
//! `#id name` and sorted by id. Three more threads carry what belongs to no
//! task: `executor` (clock jumps, resources, faults, the end of the run),
//! `timers` (a short slice for each wake a timer causes) and `outside`
//! (wakes from outside any poll).
//!
//! - A **poll** is a complete event (`ph: "X"`) on its task's thread, named
//!   `poll → pending` / `poll → ready` / `poll → panicked`. Whatever the task
//!   did during the poll (resource operations, dropped futures, CPU work) is
//!   listed in the slice's `args.during`, so clicking a poll tells its story.
//! - A **timer** is an async slice (`ph: "b"`/`"e"`, `cat: "timer"`, `id` =
//!   timer id) from arming to firing or cancellation, on its owner's thread.
//! - A **wake** is a flow arrow (`ph: "s"` → `ph: "f"`, `bp: "e"`) from the
//!   waker — the poll of the task that called `wake()`, or the slice on the
//!   `timers` / `outside` thread — to the woken task's next poll. A wake
//!   that no poll follows (the task had already finished, or the run ended)
//!   draws no arrow: every `s` has exactly one `f`.
//! - Spawns, completions, cancellations, panics and other task events
//!   outside a poll are thread-scoped instants (`ph: "i"`, `s: "t"`); the end
//!   of the run is a global instant.
//!
//! # Time
//! `ts` is virtual time in microseconds. Polls take no virtual time unless
//! a task does CPU work ([`crate::work`]), and many events share one virtual
//! instant, so exact virtual times would stack zero-length slices on top of
//! each other and hide their order (Perfetto nests equal-time zero-length
//! slices; chrome://tracing draws them as invisible slivers). So each event is
//! placed at its virtual time *or* [`EVENT_SPACING_NS`] after the event
//! before it, whichever is later: order is visible when zoomed in, a poll
//! lasts at least that long, and timestamps stay within a few nanoseconds
//! per event of the virtual clock (exact virtual times are in `args`). With
//! `displayTimeUnit: "ns"` the viewers show those nanoseconds.
//!
//! Flow points are placed strictly inside the slices they belong to (one
//! nanosecond in from an edge), so both viewers bind them to the right slice
//! whatever order they sort equal timestamps in.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{Event, PollResult, Trace};
use crate::sweep::{describe_event, format_time_ns};
use crate::task::TaskId;
use crate::timer::TimerId;
use crate::trace::EventRecord;
use crate::waker::WakeSource;

/// Nanoseconds between consecutive events on the exported time axis (see the module docs).
pub const EVENT_SPACING_NS: u64 = 2;
/// The one process of the export.
const PID: u32 = 1;
/// Longest instant name; the full text is in `args.what`.
const NAME_CHARS_MAX: usize = 80;

/// The whole file, fields in the order the format's examples use.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChromeDocument {
    trace_events: Vec<ChromeEvent>,
    display_time_unit: &'static str,
    /// Where the run came from: seed, policy, scenario, fingerprint.
    other_data: Value,
}

/// One trace event as the Chrome Trace Event format spells it.
#[derive(Serialize)]
struct ChromeEvent {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cat: Option<&'static str>,
    ph: &'static str,
    /// Microseconds.
    ts: f64,
    /// Microseconds; complete (`X`) events only.
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    pid: u32,
    tid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    /// Flow binding point: `e` binds a flow end to the enclosing slice.
    #[serde(skip_serializing_if = "Option::is_none")]
    bp: Option<&'static str>,
    /// Instant scope: `t` thread, `g` global.
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<Value>,
}

impl ChromeEvent {
    fn new(ph: &'static str, name: impl Into<String>, tid: u32, tick_ns: u64) -> ChromeEvent {
        ChromeEvent {
            name: name.into(),
            cat: None,
            ph,
            ts: micros(tick_ns),
            dur: None,
            pid: PID,
            tid,
            id: None,
            bp: None,
            s: None,
            args: None,
        }
    }
}

fn micros(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

/// A poll that started and has not ended yet.
struct OpenPoll {
    start_tick: u64,
    /// Virtual time at the start, in nanoseconds.
    start_ns: u64,
    seq: u64,
    /// What the task did during the poll, in words.
    during: Vec<String>,
}

/// A wake waiting for the woken task's next poll to draw its arrow.
struct PendingWake {
    flow: u64,
    /// Thread and time of the flow's start.
    tid: u32,
    tick: u64,
    /// Who woke, in words.
    by: String,
}

/// Walks the trace once and writes the events.
struct Exporter<'t> {
    trace: &'t Trace,
    out: Vec<ChromeEvent>,
    tid_executor: u32,
    tid_timers: u32,
    tid_outside: u32,
    open_polls: BTreeMap<TaskId, OpenPoll>,
    /// Start and end tick of each task's last finished poll.
    last_poll: BTreeMap<TaskId, (u64, u64)>,
    polls: BTreeMap<TaskId, u32>,
    pending_wakes: BTreeMap<TaskId, Vec<PendingWake>>,
    /// Armed timers: the thread their async slice began on.
    armed_timers: BTreeMap<TimerId, u32>,
    next_flow: u64,
    /// Virtual time of the last event.
    last_ns: u64,
}

impl Trace {
    /// The trace as Chrome Trace Event JSON, for Perfetto and chrome://tracing
    /// (see `trace/chrome.rs` for the layout and the time axis).
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// let _popcorn = sim.spawn("popcorn", wakescope::sleep(Duration::from_secs(3)));
    /// sim.run();
    /// let json: serde_json::Value = serde_json::from_str(&sim.trace().to_chrome_json()).unwrap();
    /// assert_eq!(json["displayTimeUnit"], "ns");
    /// assert!(json["traceEvents"].as_array().unwrap().iter().any(|e| e["ph"] == "X"));
    /// ```
    pub fn to_chrome_json(&self) -> String {
        let tasks = u32::try_from(self.task_count()).expect("task ids fit in u32");
        let mut exporter = Exporter {
            trace: self,
            out: Vec::new(),
            tid_executor: tasks + 1,
            tid_timers: tasks + 2,
            tid_outside: tasks + 3,
            open_polls: BTreeMap::new(),
            last_poll: BTreeMap::new(),
            polls: BTreeMap::new(),
            pending_wakes: BTreeMap::new(),
            armed_timers: BTreeMap::new(),
            next_flow: 1,
            last_ns: 0,
        };
        exporter.metadata();
        let mut tick = 0;
        for record in self.iter() {
            tick = record.time_ns.max(tick + EVENT_SPACING_NS);
            exporter.event(&record, tick);
        }
        exporter.finish(tick + EVENT_SPACING_NS);
        let header = self.header();
        let params: Map<String, Value> = header.params.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let document = ChromeDocument {
            trace_events: exporter.out,
            display_time_unit: "ns",
            other_data: json!({
                "producer": "wakescope",
                "seed": header.seed.to_string(),
                "policy": header.policy,
                "scenario": header.scenario,
                "params": params,
                "fingerprint": self.fingerprint_hex(),
                "events": self.len(),
                "time": format!("virtual time; events at one instant are {EVENT_SPACING_NS} ns apart"),
            }),
        };
        serde_json::to_string(&document).expect("the trace serializes")
    }
}

impl Exporter<'_> {
    fn task_tid(&self, task: TaskId) -> u32 {
        task.0 + 1
    }

    fn task_label(&self, task: TaskId) -> String {
        match self.trace.task(task) {
            Some(info) => format!("{task} {}", info.name),
            None => task.to_string(),
        }
    }

    /// Names the process and its threads, and sorts the threads.
    fn metadata(&mut self) {
        let meta = |name: &str, tid: u32, args: Value| {
            let mut e = ChromeEvent::new("M", name, tid, 0);
            e.args = Some(args);
            e
        };
        // Process metadata belongs to no thread; tid 0 is the convention.
        let mut out = vec![meta("process_name", 0, json!({ "name": "wakescope" }))];
        let threads = [(self.tid_executor, "executor".to_string(), 0), (self.tid_timers, "timers".to_string(), 1)];
        let tasks = (0..self.trace.task_count() as u32).map(|i| (self.task_tid(TaskId(i)), self.task_label(TaskId(i)), i + 2));
        let outside = (self.tid_outside, "outside".to_string(), self.tid_outside + 1);
        for (tid, name, sort) in threads.into_iter().chain(tasks).chain(std::iter::once(outside)) {
            out.push(meta("thread_name", tid, json!({ "name": name })));
            out.push(meta("thread_sort_index", tid, json!({ "sort_index": sort })));
        }
        self.out.extend(out);
    }

    /// Exports one event. Every event kind is listed here, once.
    fn event(&mut self, record: &EventRecord, tick: u64) {
        self.last_ns = record.time_ns;
        match record.event {
            Event::PollStarted { task } => self.poll_started(task, record, tick),
            Event::PollEnded { task, result } => {
                let result = match result {
                    PollResult::Ready => "ready",
                    PollResult::Pending => "pending",
                };
                self.poll_ended(task, result, record.time_ns, tick);
            }
            Event::Panicked { task } => {
                self.poll_ended(task, "panicked", record.time_ns, tick);
                self.task_event(task, record, tick);
            }
            Event::Woken { task, source } => self.woken(task, source, tick),
            Event::TimerArmed { timer } => self.timer_armed(timer, record, tick),
            Event::TimerFired { timer } => self.timer_ended(timer, "fired", tick),
            Event::TimerCancelled { timer } => self.timer_ended(timer, "cancelled", tick),
            Event::Spawned { task }
            | Event::Completed { task }
            | Event::Cancelled { task, .. }
            | Event::Worked { task, .. }
            | Event::LongPoll { task }
            | Event::FutureDropped { task, .. }
            | Event::Linked { task, .. }
            | Event::Exited { task, .. }
            | Event::ExitTrapped { task, .. }
            | Event::ExitKilled { task, .. }
            | Event::Resource { task: Some(task), .. }
            | Event::Fault { task: Some(task), .. }
            | Event::CheckFailed { task: Some(task) } => self.task_event(task, record, tick),
            Event::ClockAdvanced { .. }
            | Event::ResourceCreated { .. }
            | Event::Resource { task: None, .. }
            | Event::Fault { task: None, .. }
            | Event::CheckFailed { task: None } => self.executor_event(record, tick, "t"),
            Event::Ended { .. } => self.executor_event(record, tick, "g"),
        }
    }

    fn poll_started(&mut self, task: TaskId, record: &EventRecord, tick: u64) {
        *self.polls.entry(task).or_insert(0) += 1;
        self.open_polls.insert(task, OpenPoll { start_tick: tick, start_ns: record.time_ns, seq: record.seq, during: Vec::new() });
        // Draw the arrows of the wakes that led here, ending just inside this poll.
        let tid = self.task_tid(task);
        for wake in self.pending_wakes.remove(&task).unwrap_or_default() {
            let mut s = ChromeEvent::new("s", "wake", wake.tid, wake.tick);
            s.cat = Some("wake");
            s.id = Some(wake.flow);
            s.args = Some(json!({ "by": wake.by }));
            let mut f = ChromeEvent::new("f", "wake", tid, tick + 1);
            f.cat = Some("wake");
            f.id = Some(wake.flow);
            f.bp = Some("e");
            self.out.push(s);
            self.out.push(f);
        }
    }

    fn poll_ended(&mut self, task: TaskId, result: &str, end_ns: u64, tick: u64) {
        let Some(poll) = self.open_polls.remove(&task) else { return };
        let mut x = ChromeEvent::new("X", format!("poll → {result}"), self.task_tid(task), poll.start_tick);
        x.cat = Some("poll");
        x.dur = Some(micros(tick - poll.start_tick));
        let mut args = json!({
            "task": self.task_label(task),
            "poll": self.polls.get(&task).copied().unwrap_or(0),
            "seq": poll.seq,
            "virtual_start": format_time_ns(poll.start_ns),
            "virtual_end": format_time_ns(end_ns),
        });
        if !poll.during.is_empty() {
            args["during"] = json!(poll.during);
        }
        x.args = Some(args);
        self.out.push(x);
        self.last_poll.insert(task, (poll.start_tick, tick));
    }

    /// Remembers a wake; its arrow is drawn when the woken task is next polled.
    fn woken(&mut self, task: TaskId, source: WakeSource, tick: u64) {
        let (tid, flow_tick, by) = match source {
            WakeSource::Task(waker) => {
                let tid = self.task_tid(waker);
                let at = if self.open_polls.contains_key(&waker) {
                    tick // inside the open poll: it started before and ends after
                } else if let Some(&(_, end)) = self.last_poll.get(&waker) {
                    end - 1 // just inside the waker's last poll
                } else {
                    return; // a task that never ran woke nobody we can draw
                };
                (tid, at, self.task_label(waker))
            }
            WakeSource::Timer(timer) => {
                let by = timer.to_string();
                self.wake_slice(self.tid_timers, format!("{by} wakes {}", self.task_label(task)), tick);
                (self.tid_timers, tick - 1, by)
            }
            WakeSource::Outside => {
                self.wake_slice(self.tid_outside, format!("wake {}", self.task_label(task)), tick);
                (self.tid_outside, tick - 1, "outside".to_string())
            }
        };
        let flow = self.next_flow;
        self.next_flow += 1;
        self.pending_wakes.entry(task).or_default().push(PendingWake { flow, tid, tick: flow_tick, by });
    }

    /// A short slice ending at `tick`, for a flow to start from.
    fn wake_slice(&mut self, tid: u32, name: String, tick: u64) {
        let mut x = ChromeEvent::new("X", name, tid, tick - EVENT_SPACING_NS);
        x.cat = Some("wake");
        x.dur = Some(micros(EVENT_SPACING_NS));
        self.out.push(x);
    }

    fn timer_armed(&mut self, timer: TimerId, record: &EventRecord, tick: u64) {
        let info = self.trace.timer(timer);
        let owner = info.and_then(|i| i.owner);
        let tid = owner.map_or(self.tid_timers, |o| self.task_tid(o));
        let mut b = ChromeEvent::new("b", self.timer_name(owner), tid, tick);
        b.cat = Some("timer");
        b.id = Some(u64::from(timer.0));
        b.args = Some(json!({
            "timer": timer.0,
            "armed_at": format_time_ns(record.time_ns),
            "deadline": info.map(|i| format_time_ns(i.deadline_ns)),
        }));
        self.out.push(b);
        self.armed_timers.insert(timer, tid);
    }

    fn timer_ended(&mut self, timer: TimerId, how: &str, tick: u64) {
        let Some(tid) = self.armed_timers.remove(&timer) else { return };
        let owner = self.trace.timer(timer).and_then(|i| i.owner);
        let mut e = ChromeEvent::new("e", self.timer_name(owner), tid, tick);
        e.cat = Some("timer");
        e.id = Some(u64::from(timer.0));
        e.args = Some(json!({ "end": how }));
        self.out.push(e);
    }

    /// Timers are grouped by owner: one async track per task in Perfetto.
    fn timer_name(&self, owner: Option<TaskId>) -> String {
        match owner {
            Some(o) => format!("timer: {}", self.task_label(o)),
            None => "timer".to_string(),
        }
    }

    /// An event about one task: a line in its open poll, or an instant on its thread.
    fn task_event(&mut self, task: TaskId, record: &EventRecord, tick: u64) {
        let (_, action) = describe_event(self.trace, record);
        if let Some(poll) = self.open_polls.get_mut(&task) {
            poll.during.push(action);
            return;
        }
        let tid = self.task_tid(task);
        self.instant(tid, action, record, tick, "t");
    }

    fn executor_event(&mut self, record: &EventRecord, tick: u64, scope: &'static str) {
        let (subject, action) = describe_event(self.trace, record);
        self.instant(self.tid_executor, format!("{subject} {action}"), record, tick, scope);
    }

    fn instant(&mut self, tid: u32, what: String, record: &EventRecord, tick: u64, scope: &'static str) {
        let name: String = if what.chars().count() > NAME_CHARS_MAX {
            what.chars().take(NAME_CHARS_MAX).chain(std::iter::once('…')).collect()
        } else {
            what.clone()
        };
        let mut i = ChromeEvent::new("i", name, tid, tick);
        i.s = Some(scope);
        i.args = Some(json!({ "what": what, "seq": record.seq, "virtual_time": format_time_ns(record.time_ns) }));
        self.out.push(i);
    }

    /// Closes what the trace left open, at `tick`: a poll cut off by the end
    /// of the trace, timers still armed. Pending wakes draw no arrow.
    fn finish(&mut self, tick: u64) {
        let open: Vec<TaskId> = self.open_polls.keys().copied().collect();
        for task in open {
            let start_tick = self.open_polls[&task].start_tick;
            self.poll_ended(task, "unfinished", self.last_ns, tick.max(start_tick + EVENT_SPACING_NS));
        }
        let armed: Vec<TimerId> = self.armed_timers.keys().copied().collect();
        for timer in armed {
            self.timer_ended(timer, "still armed when the trace ends", tick);
        }
    }
}
