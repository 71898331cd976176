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
//!
//! # Size
//! Events are written as they are produced ([`Trace::write_chrome_json`]),
//! so exporting needs little memory beyond the output. The output is about
//! 200 bytes per event; Perfetto's web UI opens files of a few hundred
//! megabytes (a run of a million tasks is over a gigabyte: export a smaller
//! run, or open it with Perfetto's `trace_processor`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use crate::describe::{describe, describe_event};
use crate::task::TaskId;
use crate::timer::TimerId;
use crate::trace::{EVENT_SPACING_NS, Event, EventRecord, PollResult, Trace};
use crate::waker::WakeSource;

/// The one process of the export.
const PID: u32 = 1;
/// Longest instant name; the full text is in `args.what`.
const NAME_CHARS_MAX: usize = 80;
/// Marks a timer with no open async slice.
const NOT_ARMED: u32 = u32::MAX;

/// One trace event as the Chrome Trace Event format spells it.
#[derive(Serialize)]
struct ChromeEvent<'a> {
    name: &'a str,
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
    args: Option<Args<'a>>,
}

impl<'a> ChromeEvent<'a> {
    fn new(ph: &'static str, name: &'a str, tid: u32, tick_ns: u64) -> ChromeEvent<'a> {
        ChromeEvent {
            name,
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

/// The `args` of each kind of exported event; virtual times in nanoseconds.
#[derive(Serialize)]
#[serde(untagged)]
enum Args<'a> {
    /// `process_name`, `thread_name`.
    Name { name: &'a str },
    /// `thread_sort_index`.
    Sort { sort_index: u32 },
    /// A poll: its number for the task, the sequence number of its start,
    /// and what the task did during it.
    Poll {
        poll: u32,
        seq: u64,
        virtual_start_ns: u64,
        virtual_end_ns: u64,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        during: &'a [String],
        /// Where the task waits after a pending poll (`file:line:column`).
        #[serde(skip_serializing_if = "Option::is_none")]
        waits_at: Option<String>,
    },
    /// An instant: the event in words, and where the program asked for it.
    Instant {
        what: &'a str,
        seq: u64,
        virtual_ns: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<String>,
    },
    /// A timer armed, and the `.await` that armed it.
    TimerArmed {
        timer: u32,
        armed_at_ns: u64,
        deadline_ns: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<String>,
    },
    /// A timer fired, cancelled or left armed.
    TimerEnded { end: &'a str },
    /// A wake's arrow: who woke.
    Wake { by: &'a str },
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

/// Walks the trace once and writes the events as it goes.
struct Exporter<'t, W: Write> {
    trace: &'t Trace,
    out: W,
    /// Events written so far (a comma goes before every one but the first).
    written: u64,
    /// One event's JSON, reused: serde writes many small pieces, the output one.
    scratch: Vec<u8>,
    tid_executor: u32,
    tid_timers: u32,
    tid_outside: u32,
    /// Polls in progress (at most one, unless the trace is malformed).
    open_polls: BTreeMap<TaskId, OpenPoll>,
    // Per-task and per-timer state is indexed by id: ids are dense, and a
    // run of a million tasks would spend its time in map lookups otherwise.
    /// End tick of each task's last finished poll (0: none yet).
    last_poll_end: Vec<u64>,
    /// Polls started, per task.
    polls: Vec<u32>,
    /// Wakes waiting for each task's next poll.
    pending_wakes: Vec<Vec<PendingWake>>,
    /// The thread each armed timer's async slice began on ([`NOT_ARMED`] otherwise).
    armed_timers: Vec<u32>,
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
        let mut bytes = Vec::with_capacity(200 * self.len() + 1024);
        self.write_chrome_json(&mut bytes)
            .expect("writing to memory does not fail");
        String::from_utf8(bytes).expect("serde_json writes UTF-8")
    }

    /// Writes [`Trace::to_chrome_json`] to `out` as it is produced, without
    /// holding the whole text in memory. `out` is written in small pieces:
    /// give it a buffered writer.
    pub fn write_chrome_json<W: Write>(&self, out: W) -> io::Result<()> {
        let tasks = u32::try_from(self.task_count()).expect("task ids fit in u32");
        let mut exporter = Exporter {
            trace: self,
            out,
            written: 0,
            scratch: Vec::with_capacity(512),
            tid_executor: tasks + 1,
            tid_timers: tasks + 2,
            tid_outside: tasks + 3,
            open_polls: BTreeMap::new(),
            last_poll_end: vec![0; tasks as usize],
            polls: vec![0; tasks as usize],
            pending_wakes: std::iter::repeat_with(Vec::new).take(tasks as usize).collect(),
            armed_timers: vec![NOT_ARMED; self.timer_count()],
            next_flow: 1,
            last_ns: 0,
        };
        exporter.out.write_all(b"{\"traceEvents\":[")?;
        exporter.metadata()?;
        let mut tick = 0;
        for record in self.iter() {
            tick = record.time_ns.max(tick + EVENT_SPACING_NS);
            exporter.event(&record, tick)?;
        }
        exporter.finish(tick + EVENT_SPACING_NS)?;
        let header = self.header();
        let params: serde_json::Map<String, serde_json::Value> =
            header.params.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let other = json!({
            "producer": "wakescope",
            "seed": header.seed.to_string(),
            "policy": header.policy,
            "scenario": header.scenario,
            "params": params,
            "fingerprint": self.fingerprint_hex(),
            "events": self.len(),
            "time": format!("virtual time; events at one instant are {EVENT_SPACING_NS} ns apart"),
        });
        let mut out = exporter.out;
        out.write_all(b"],\"displayTimeUnit\":\"ns\",\"otherData\":")?;
        serde_json::to_writer(&mut out, &other)?;
        out.write_all(b"}")?;
        out.flush()
    }
}

impl<W: Write> Exporter<'_, W> {
    fn emit(&mut self, event: &ChromeEvent<'_>) -> io::Result<()> {
        self.scratch.clear();
        if self.written > 0 {
            self.scratch.push(b',');
        }
        self.written += 1;
        serde_json::to_writer(&mut self.scratch, event)?;
        self.out.write_all(&self.scratch)
    }

    fn task_tid(&self, task: TaskId) -> u32 {
        task.0 + 1
    }

    fn task_label(&self, task: TaskId) -> String {
        crate::describe::task_label(self.trace, task)
    }

    /// Names the process and its threads, and sorts the threads.
    fn metadata(&mut self) -> io::Result<()> {
        // Process metadata belongs to no thread; tid 0 is the convention.
        let mut process = ChromeEvent::new("M", "process_name", 0, 0);
        process.args = Some(Args::Name { name: "wakescope" });
        self.emit(&process)?;
        let tasks = self.trace.task_count() as u32;
        let named = [
            (self.tid_executor, "executor".to_string(), 0),
            (self.tid_timers, "timers".to_string(), 1),
        ];
        let outside = (self.tid_outside, "outside".to_string(), self.tid_outside + 1);
        let tasks = (0..tasks).map(|i| (i + 1, self.task_label(TaskId(i)), i + 2));
        let threads: Vec<(u32, String, u32)> = named.into_iter().chain(tasks).chain(std::iter::once(outside)).collect();
        for (tid, name, sort) in &threads {
            let mut e = ChromeEvent::new("M", "thread_name", *tid, 0);
            e.args = Some(Args::Name { name });
            self.emit(&e)?;
            let mut e = ChromeEvent::new("M", "thread_sort_index", *tid, 0);
            e.args = Some(Args::Sort { sort_index: *sort });
            self.emit(&e)?;
        }
        Ok(())
    }

    /// Exports one event. Polls, wakes and timers are drawn as slices and
    /// arrows; any other event is a line in its task's open poll or an
    /// instant on its task's thread ([`Event::task`]), or, about no task, an
    /// instant on the executor's thread.
    fn event(&mut self, record: &EventRecord, tick: u64) -> io::Result<()> {
        self.last_ns = record.time_ns;
        match record.event {
            Event::PollStarted { task, .. } => self.poll_started(task, record, tick),
            Event::PollEnded { task, result } => {
                let result = match result {
                    PollResult::Ready => "ready",
                    PollResult::Pending => "pending",
                };
                let waits_at = self.site(record);
                self.poll_ended(task, result, record.time_ns, tick, waits_at)
            }
            Event::Panicked { task } => {
                self.poll_ended(task, "panicked", record.time_ns, tick, None)?;
                self.task_event(task, record, tick)
            }
            Event::Woken { task, source } => self.woken(task, source, tick),
            Event::TimerArmed { timer } => self.timer_armed(timer, record, tick),
            Event::TimerFired { timer } => self.timer_ended(timer, "fired", tick),
            Event::TimerCancelled { timer } => self.timer_ended(timer, "cancelled", tick),
            Event::Ended { .. } => self.executor_event(record, tick, "g"),
            other => match other.task() {
                Some(task) => self.task_event(task, record, tick),
                None => self.executor_event(record, tick, "t"),
            },
        }
    }

    fn poll_started(&mut self, task: TaskId, record: &EventRecord, tick: u64) -> io::Result<()> {
        if let Some(polls) = self.polls.get_mut(task.index()) {
            *polls += 1;
        }
        self.open_polls.insert(
            task,
            OpenPoll {
                start_tick: tick,
                start_ns: record.time_ns,
                seq: record.seq,
                during: Vec::new(),
            },
        );
        // Draw the arrows of the wakes that led here, ending just inside this poll.
        let tid = self.task_tid(task);
        let wakes = self
            .pending_wakes
            .get_mut(task.index())
            .map(std::mem::take)
            .unwrap_or_default();
        for wake in wakes {
            let mut s = ChromeEvent::new("s", "wake", wake.tid, wake.tick);
            s.cat = Some("wake");
            s.id = Some(wake.flow);
            s.args = Some(Args::Wake { by: &wake.by });
            self.emit(&s)?;
            let mut f = ChromeEvent::new("f", "wake", tid, tick + 1);
            f.cat = Some("wake");
            f.id = Some(wake.flow);
            f.bp = Some("e");
            self.emit(&f)?;
        }
        Ok(())
    }

    /// Where event `record` was asked for, as `file:line:column`.
    fn site(&self, record: &EventRecord) -> Option<String> {
        self.trace.site(record.seq as usize).map(ToString::to_string)
    }

    fn poll_ended(
        &mut self,
        task: TaskId,
        result: &str,
        end_ns: u64,
        tick: u64,
        waits_at: Option<String>,
    ) -> io::Result<()> {
        let Some(poll) = self.open_polls.remove(&task) else {
            return Ok(());
        };
        let name = format!("poll → {result}");
        let mut x = ChromeEvent::new("X", &name, self.task_tid(task), poll.start_tick);
        x.cat = Some("poll");
        x.dur = Some(micros(tick - poll.start_tick));
        x.args = Some(Args::Poll {
            poll: self.polls.get(task.index()).copied().unwrap_or(0),
            seq: poll.seq,
            virtual_start_ns: poll.start_ns,
            virtual_end_ns: end_ns,
            during: &poll.during,
            waits_at,
        });
        self.emit(&x)?;
        if let Some(end) = self.last_poll_end.get_mut(task.index()) {
            *end = tick;
        }
        Ok(())
    }

    /// Remembers a wake; its arrow is drawn when the woken task is next polled.
    fn woken(&mut self, task: TaskId, source: WakeSource, tick: u64) -> io::Result<()> {
        let (tid, flow_tick, by) = match source {
            WakeSource::Task(waker) => {
                let tid = self.task_tid(waker);
                let at = if self.open_polls.contains_key(&waker) {
                    tick // inside the open poll: it started before and ends after
                } else if let Some(&end) = self.last_poll_end.get(waker.index()).filter(|e| **e > 0) {
                    end - 1 // just inside the waker's last poll
                } else {
                    return Ok(()); // a task that never ran woke nobody we can draw
                };
                (tid, at, self.task_label(waker))
            }
            WakeSource::Timer(timer) => {
                let by = timer.to_string();
                self.wake_slice(self.tid_timers, &format!("{by} wakes {}", self.task_label(task)), tick)?;
                (self.tid_timers, tick - 1, by)
            }
            WakeSource::Outside => {
                self.wake_slice(self.tid_outside, &format!("wake {}", self.task_label(task)), tick)?;
                (self.tid_outside, tick - 1, "outside".to_string())
            }
        };
        let Some(pending) = self.pending_wakes.get_mut(task.index()) else {
            return Ok(());
        };
        pending.push(PendingWake {
            flow: self.next_flow,
            tid,
            tick: flow_tick,
            by,
        });
        self.next_flow += 1;
        Ok(())
    }

    /// A short slice ending at `tick`, for a flow to start from.
    fn wake_slice(&mut self, tid: u32, name: &str, tick: u64) -> io::Result<()> {
        let mut x = ChromeEvent::new("X", name, tid, tick - EVENT_SPACING_NS);
        x.cat = Some("wake");
        x.dur = Some(micros(EVENT_SPACING_NS));
        self.emit(&x)
    }

    fn timer_armed(&mut self, timer: TimerId, record: &EventRecord, tick: u64) -> io::Result<()> {
        let info = self.trace.timer(timer);
        let owner = info.and_then(|i| i.owner);
        let tid = owner.map_or(self.tid_timers, |o| self.task_tid(o));
        let name = self.timer_name(owner);
        let mut b = ChromeEvent::new("b", &name, tid, tick);
        b.cat = Some("timer");
        b.id = Some(u64::from(timer.0));
        b.args = Some(Args::TimerArmed {
            timer: timer.0,
            armed_at_ns: record.time_ns,
            deadline_ns: info.map(|i| i.deadline_ns),
            at: self.site(record),
        });
        self.emit(&b)?;
        if let Some(slot) = self.armed_timers.get_mut(timer.index()) {
            *slot = tid;
        }
        Ok(())
    }

    fn timer_ended(&mut self, timer: TimerId, how: &str, tick: u64) -> io::Result<()> {
        let Some(slot) = self.armed_timers.get_mut(timer.index()) else {
            return Ok(());
        };
        let tid = std::mem::replace(slot, NOT_ARMED);
        if tid == NOT_ARMED {
            return Ok(());
        }
        let name = self.timer_name(self.trace.timer(timer).and_then(|i| i.owner));
        let mut e = ChromeEvent::new("e", &name, tid, tick);
        e.cat = Some("timer");
        e.id = Some(u64::from(timer.0));
        e.args = Some(Args::TimerEnded { end: how });
        self.emit(&e)
    }

    /// Timers are grouped by owner: one async track per task in Perfetto.
    fn timer_name(&self, owner: Option<TaskId>) -> String {
        match owner {
            Some(o) => format!("timer: {}", self.task_label(o)),
            None => "timer".to_string(),
        }
    }

    /// An event about one task: a line in its open poll, or an instant on its thread.
    fn task_event(&mut self, task: TaskId, record: &EventRecord, tick: u64) -> io::Result<()> {
        let words = describe(self.trace, record);
        if let Some(poll) = self.open_polls.get_mut(&task) {
            poll.during.push(words.action_and_place());
            return Ok(());
        }
        let action = words.action;
        let tid = self.task_tid(task);
        self.instant(tid, &action, record, tick, "t")
    }

    fn executor_event(&mut self, record: &EventRecord, tick: u64, scope: &'static str) -> io::Result<()> {
        let (subject, action) = describe_event(self.trace, record);
        self.instant(self.tid_executor, &format!("{subject} {action}"), record, tick, scope)
    }

    fn instant(
        &mut self,
        tid: u32,
        what: &str,
        record: &EventRecord,
        tick: u64,
        scope: &'static str,
    ) -> io::Result<()> {
        let clipped: String;
        let name = if what.chars().count() > NAME_CHARS_MAX {
            clipped = what.chars().take(NAME_CHARS_MAX).chain(std::iter::once('…')).collect();
            &clipped
        } else {
            what
        };
        let mut i = ChromeEvent::new("i", name, tid, tick);
        i.s = Some(scope);
        i.args = Some(Args::Instant {
            what,
            seq: record.seq,
            virtual_ns: record.time_ns,
            at: self.site(record),
        });
        self.emit(&i)
    }

    /// Closes what the trace left open, at `tick`: a poll cut off by the end
    /// of the trace, timers still armed. Pending wakes draw no arrow.
    fn finish(&mut self, tick: u64) -> io::Result<()> {
        let open: Vec<(TaskId, u64)> = self.open_polls.iter().map(|(t, p)| (*t, p.start_tick)).collect();
        for (task, start_tick) in open {
            self.poll_ended(
                task,
                "unfinished",
                self.last_ns,
                tick.max(start_tick + EVENT_SPACING_NS),
                None,
            )?;
        }
        let armed: Vec<TimerId> = (0..self.armed_timers.len() as u32)
            .map(TimerId)
            .filter(|t| self.armed_timers[t.index()] != NOT_ARMED)
            .collect();
        for timer in armed {
            self.timer_ended(timer, "still armed when the trace ends", tick)?;
        }
        Ok(())
    }
}
