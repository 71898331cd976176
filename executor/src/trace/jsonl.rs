//! JSON lines: the trace's file format.
//!
//! The first line is a header naming the format and its version; each further
//! line is one event with its sequence number and virtual time:
//!
//! ```text
//! {"format":"wakescope-trace","version":1,"seed":42,"policy":"random"}
//! {"seq":0,"t_ns":0,"kind":"spawned","task":0,"name":"popcorn","parent":null}
//! {"seq":1,"t_ns":0,"kind":"poll_started","task":0}
//! ```
//!
//! A trace that continues another (see `Sim::take_trace`) says so in its
//! header: `"continues"` holds the virtual time of the cut and the table
//! entries it carries from before it — tasks as `[name, parent]`, timers as
//! `[owner, deadline_ns]`, resources as `[kind, name, capacity]` — so that
//! its events may use those ids. A trace that starts a run has no such field.
//!
//! Reading checks everything a hand-edited or truncated file can get wrong —
//! sequence numbers, times, dangling ids, sizes — and names the line.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{
    CancelCause, DropCause, EndReason, Event, ExitReason, FaultKind, PollResult, ResourceId, ResourceKind, ResourceOp,
    Trace, TraceHeader,
};
use crate::task::TaskId;
use crate::timer::TimerId;
use crate::waker::WakeSource;

/// The `format` field of the header line.
pub const TRACE_FORMAT: &str = "wakescope-trace";
/// The version of the event encoding, in the header and in the fingerprint.
pub const TRACE_VERSION: u32 = 1;
/// Largest trace text [`Trace::from_jsonl`] accepts, in bytes.
pub const TRACE_BYTES_MAX: usize = 256 * 1024 * 1024;
/// Longest line [`Trace::from_jsonl`] accepts, in bytes.
pub const TRACE_LINE_BYTES_MAX: usize = 64 * 1024;

#[derive(Serialize)]
struct WireHeader {
    format: String,
    version: u32,
    #[serde(flatten)]
    header: TraceHeader,
    #[serde(skip_serializing_if = "Option::is_none")]
    continues: Option<WireContinues>,
}

/// What a continued trace carries from before its first event.
#[derive(Serialize, Default)]
struct WireContinues {
    start_ns: u64,
    tasks: Vec<(String, Option<TaskId>)>,
    timers: Vec<(Option<TaskId>, u64)>,
    resources: Vec<(ResourceKind, String, u32)>,
}

#[derive(Serialize)]
struct WireLine {
    seq: u64,
    t_ns: u64,
    #[serde(flatten)]
    event: WireEvent,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum WireEvent {
    Spawned {
        task: TaskId,
        name: String,
        parent: Option<TaskId>,
    },
    PollStarted {
        task: TaskId,
    },
    PollEnded {
        task: TaskId,
        result: PollResult,
    },
    Woken {
        task: TaskId,
        by: WakeSource,
    },
    TimerArmed {
        timer: TimerId,
        owner: Option<TaskId>,
        deadline_ns: u64,
    },
    TimerFired {
        timer: TimerId,
    },
    TimerCancelled {
        timer: TimerId,
    },
    ClockAdvanced {
        to_ns: u64,
    },
    Completed {
        task: TaskId,
    },
    Cancelled {
        task: TaskId,
        cause: CancelCause,
    },
    Panicked {
        task: TaskId,
        message: String,
    },
    Worked {
        task: TaskId,
        to_ns: u64,
    },
    LongPoll {
        task: TaskId,
    },
    FutureDropped {
        task: TaskId,
        cause: DropCause,
    },
    ResourceCreated {
        resource: ResourceId,
        resource_kind: ResourceKind,
        name: String,
        capacity: u32,
    },
    Resource {
        resource: ResourceId,
        task: Option<TaskId>,
        op: ResourceOp,
    },
    Linked {
        task: TaskId,
        peer: TaskId,
    },
    Exited {
        task: TaskId,
        reason: ExitReason,
    },
    ExitTrapped {
        task: TaskId,
        from: TaskId,
    },
    ExitKilled {
        task: TaskId,
        from: TaskId,
    },
    Fault {
        task: Option<TaskId>,
        fault: FaultKind,
    },
    CheckFailed {
        task: Option<TaskId>,
        message: String,
    },
    Ended {
        reason: EndReason,
    },
}

/// Why a trace file could not be read. `line` is 1-based; 0 means the whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    /// The line at fault (1-based), or 0 for the file as a whole.
    pub line: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for TraceError {}

fn err(line: usize, message: impl Into<String>) -> TraceError {
    TraceError {
        line,
        message: message.into(),
    }
}

impl Trace {
    /// The trace as JSON lines: a header line, then one line per event.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::with_capacity(64 * (self.len() + 1));
        let header = WireHeader {
            format: TRACE_FORMAT.to_string(),
            version: TRACE_VERSION,
            header: self.header.clone(),
            continues: self.wire_continues(),
        };
        out.push_str(&serde_json::to_string(&header).expect("header serializes"));
        out.push('\n');
        let mut checks = 0;
        for record in self.iter() {
            let line = WireLine {
                seq: record.seq,
                t_ns: record.time_ns,
                event: self.to_wire(record.event, &mut checks),
            };
            out.push_str(&serde_json::to_string(&line).expect("event serializes"));
            out.push('\n');
        }
        out
    }

    /// The carried tables, when this trace continues another.
    fn wire_continues(&self) -> Option<WireContinues> {
        let (tasks, timers, resources) = self.carried();
        if (tasks, timers, resources) == (0, 0, 0) && self.start_time().is_zero() {
            return None;
        }
        let task = |i: usize| {
            let info = self
                .task(TaskId(i as u32))
                .expect("carried tasks are in the task table");
            (info.name.to_string(), info.parent)
        };
        let timer = |i: usize| {
            let info = self
                .timer(TimerId(i as u32))
                .expect("carried timers are in the timer table");
            (info.owner, info.deadline_ns)
        };
        let resource = |i: usize| {
            let info = self
                .resource(ResourceId(i as u32))
                .expect("carried resources are in the resource table");
            (info.kind, info.name.to_string(), info.capacity)
        };
        Some(WireContinues {
            start_ns: u64::try_from(self.start_time().as_nanos()).expect("virtual time fits u64 ns"),
            tasks: (0..tasks).map(task).collect(),
            timers: (0..timers).map(timer).collect(),
            resources: (0..resources).map(resource).collect(),
        })
    }

    fn to_wire(&self, event: Event, checks: &mut usize) -> WireEvent {
        match event {
            Event::Spawned { task } => {
                let info = self.task(task).expect("spawned tasks are in the task table");
                WireEvent::Spawned {
                    task,
                    name: info.name.to_string(),
                    parent: info.parent,
                }
            }
            Event::PollStarted { task } => WireEvent::PollStarted { task },
            Event::PollEnded { task, result } => WireEvent::PollEnded { task, result },
            Event::Woken { task, source } => WireEvent::Woken { task, by: source },
            Event::TimerArmed { timer } => {
                let info = self.timer(timer).expect("armed timers are in the timer table");
                WireEvent::TimerArmed {
                    timer,
                    owner: info.owner,
                    deadline_ns: info.deadline_ns,
                }
            }
            Event::TimerFired { timer } => WireEvent::TimerFired { timer },
            Event::TimerCancelled { timer } => WireEvent::TimerCancelled { timer },
            Event::ClockAdvanced { to_ns } => WireEvent::ClockAdvanced { to_ns },
            Event::Completed { task } => WireEvent::Completed { task },
            Event::Cancelled { task, cause } => WireEvent::Cancelled { task, cause },
            Event::Panicked { task } => WireEvent::Panicked {
                task,
                message: self.panic_message(task).unwrap_or("").to_string(),
            },
            Event::Ended { reason } => WireEvent::Ended { reason },
            Event::Worked { task, to_ns } => WireEvent::Worked { task, to_ns },
            Event::LongPoll { task } => WireEvent::LongPoll { task },
            Event::FutureDropped { task, cause } => WireEvent::FutureDropped { task, cause },
            Event::ResourceCreated { resource } => {
                let info = self
                    .resource(resource)
                    .expect("created resources are in the resource table");
                WireEvent::ResourceCreated {
                    resource,
                    resource_kind: info.kind,
                    name: info.name.to_string(),
                    capacity: info.capacity,
                }
            }
            Event::Resource { resource, task, op } => WireEvent::Resource { resource, task, op },
            Event::Linked { task, peer } => WireEvent::Linked { task, peer },
            Event::Exited { task, reason } => WireEvent::Exited { task, reason },
            Event::ExitTrapped { task, from } => WireEvent::ExitTrapped { task, from },
            Event::ExitKilled { task, from } => WireEvent::ExitKilled { task, from },
            Event::Fault { task, fault } => WireEvent::Fault { task, fault },
            Event::CheckFailed { task } => {
                let message = self.check_message(*checks).unwrap_or("").to_string();
                *checks += 1;
                WireEvent::CheckFailed { task, message }
            }
        }
    }

    /// Reads a trace written by [`Trace::to_jsonl`].
    ///
    /// Every problem is reported with its line: malformed JSON, an unknown
    /// event kind, a sequence number out of order, a time that goes back or
    /// disagrees with the clock events, an id used before it was created, a
    /// line or file over [`TRACE_LINE_BYTES_MAX`] / [`TRACE_BYTES_MAX`].
    pub fn from_jsonl(text: &str) -> Result<Trace, TraceError> {
        if text.len() > TRACE_BYTES_MAX {
            return Err(err(
                0,
                format!("the trace is {} bytes; the limit is {TRACE_BYTES_MAX}", text.len()),
            ));
        }
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim().is_empty());
        let (n, first) = lines
            .next()
            .ok_or_else(|| err(0, "the file is empty; expected a wakescope trace header"))?;
        let header = read_header(first).map_err(|e| err(n, format!("not a wakescope trace header: {e}")))?;
        if header.format != TRACE_FORMAT {
            return Err(err(
                n,
                format!("format is `{}`, expected `{TRACE_FORMAT}`", header.format),
            ));
        }
        if header.version != TRACE_VERSION {
            return Err(err(
                n,
                format!(
                    "version {} is not supported (this build reads version {TRACE_VERSION})",
                    header.version
                ),
            ));
        }
        let mut trace = Trace::new(header.header);
        let mut names: BTreeMap<Box<str>, u32> = BTreeMap::new();
        let mut time_ns = 0u64;
        if let Some(c) = header.continues {
            check_carried(&c).map_err(|e| err(n, format!("field `continues`: {e}")))?;
            trace.carry(c.start_ns, &c.tasks, &c.timers, &c.resources, &mut names);
            time_ns = c.start_ns;
        }
        for (n, line) in lines {
            if line.len() > TRACE_LINE_BYTES_MAX {
                return Err(err(
                    n,
                    format!("the line is {} bytes; the limit is {TRACE_LINE_BYTES_MAX}", line.len()),
                ));
            }
            let wire = read_line(line).map_err(|e| err(n, e))?;
            if wire.seq != trace.len() as u64 {
                return Err(err(
                    n,
                    format!("sequence number {} out of order; expected {}", wire.seq, trace.len()),
                ));
            }
            if let WireEvent::ClockAdvanced { to_ns } | WireEvent::Worked { to_ns, .. } = wire.event {
                if to_ns < time_ns {
                    return Err(err(n, format!("the clock goes back from {time_ns} ns to {to_ns} ns")));
                }
                time_ns = to_ns;
            }
            if wire.t_ns != time_ns {
                return Err(err(
                    n,
                    format!("time {} ns disagrees with the clock events ({time_ns} ns)", wire.t_ns),
                ));
            }
            trace.push_wire(wire.event, &mut names).map_err(|m| err(n, m))?;
        }
        Ok(trace)
    }

    fn push_wire(&mut self, event: WireEvent, names: &mut BTreeMap<Box<str>, u32>) -> Result<(), String> {
        let tasks = self.task_count();
        let timers = self.timer_count();
        let resources = self.resource_count();
        let resource_ok = |r: ResourceId| {
            if r.index() < resources {
                Ok(r)
            } else {
                Err(format!("resource {} is used before it was created", r.0))
            }
        };
        let task_ok = |t: TaskId| {
            if t.index() < tasks {
                Ok(t)
            } else {
                Err(format!("task {} is used before it was spawned", t.0))
            }
        };
        let timer_ok = |t: TimerId| {
            if t.index() < timers {
                Ok(t)
            } else {
                Err(format!("timer {} is used before it was armed", t.0))
            }
        };
        let event = match event {
            WireEvent::Spawned { task, name, parent } => {
                if task.index() != tasks {
                    return Err(format!("task {} spawned out of order; expected task {tasks}", task.0));
                }
                if task.0 >= crate::config::TASKS_MAX_CAP {
                    return Err(format!(
                        "task id {} is over the limit {}",
                        task.0,
                        crate::config::TASKS_MAX_CAP
                    ));
                }
                if let Some(p) = parent {
                    task_ok(p)?;
                }
                let next = names.len() as u32;
                let id = *names.entry(name.as_str().into()).or_insert(next);
                self.record_spawn(task, id, &name, parent);
                return Ok(());
            }
            WireEvent::TimerArmed {
                timer,
                owner,
                deadline_ns,
            } => {
                if timer.index() != timers {
                    return Err(format!("timer {} armed out of order; expected timer {timers}", timer.0));
                }
                if timer.0 >= crate::config::TIMERS_MAX_CAP {
                    return Err(format!(
                        "timer id {} is over the limit {}",
                        timer.0,
                        crate::config::TIMERS_MAX_CAP
                    ));
                }
                if let Some(o) = owner {
                    task_ok(o)?;
                }
                self.record_timer(timer, owner, deadline_ns);
                return Ok(());
            }
            WireEvent::Panicked { task, message } => {
                task_ok(task)?;
                self.record_panic(task, &message);
                return Ok(());
            }
            WireEvent::PollStarted { task } => Event::PollStarted { task: task_ok(task)? },
            WireEvent::PollEnded { task, result } => Event::PollEnded {
                task: task_ok(task)?,
                result,
            },
            WireEvent::Woken { task, by } => {
                match by {
                    WakeSource::Task(t) => {
                        task_ok(t)?;
                    }
                    WakeSource::Timer(t) => {
                        timer_ok(t)?;
                    }
                    WakeSource::Outside => {}
                }
                Event::Woken {
                    task: task_ok(task)?,
                    source: by,
                }
            }
            WireEvent::TimerFired { timer } => Event::TimerFired {
                timer: timer_ok(timer)?,
            },
            WireEvent::TimerCancelled { timer } => Event::TimerCancelled {
                timer: timer_ok(timer)?,
            },
            WireEvent::ClockAdvanced { to_ns } => Event::ClockAdvanced { to_ns },
            WireEvent::Completed { task } => Event::Completed { task: task_ok(task)? },
            WireEvent::Cancelled { task, cause } => Event::Cancelled {
                task: task_ok(task)?,
                cause,
            },
            WireEvent::Ended { reason } => Event::Ended { reason },
            WireEvent::ResourceCreated {
                resource,
                resource_kind,
                name,
                capacity,
            } => {
                if resource.index() != resources {
                    return Err(format!(
                        "resource {} created out of order; expected resource {resources}",
                        resource.0
                    ));
                }
                let next = names.len() as u32;
                let id = *names.entry(name.as_str().into()).or_insert(next);
                self.record_resource(resource, resource_kind, id, &name, capacity);
                return Ok(());
            }
            WireEvent::CheckFailed { task, message } => {
                if let Some(t) = task {
                    task_ok(t)?;
                }
                self.record_check(task, &message);
                return Ok(());
            }
            WireEvent::Worked { task, to_ns } => Event::Worked {
                task: task_ok(task)?,
                to_ns,
            },
            WireEvent::LongPoll { task } => Event::LongPoll { task: task_ok(task)? },
            WireEvent::FutureDropped { task, cause } => Event::FutureDropped {
                task: task_ok(task)?,
                cause,
            },
            WireEvent::Resource { resource, task, op } => {
                if let Some(t) = task {
                    task_ok(t)?;
                }
                Event::Resource {
                    resource: resource_ok(resource)?,
                    task,
                    op,
                }
            }
            WireEvent::Linked { task, peer } => Event::Linked {
                task: task_ok(task)?,
                peer: task_ok(peer)?,
            },
            WireEvent::Exited { task, reason } => Event::Exited {
                task: task_ok(task)?,
                reason,
            },
            WireEvent::ExitTrapped { task, from } => Event::ExitTrapped {
                task: task_ok(task)?,
                from: task_ok(from)?,
            },
            WireEvent::ExitKilled { task, from } => Event::ExitKilled {
                task: task_ok(task)?,
                from: task_ok(from)?,
            },
            WireEvent::Fault { task, fault } => {
                if let Some(t) = task {
                    task_ok(t)?;
                }
                Event::Fault { task, fault }
            }
        };
        self.push(event);
        Ok(())
    }
}

// Reading goes through `serde_json::Value` and the helpers below rather
// than derived deserializers: the derive for an internally tagged,
// flattened enum generates several times more code, and the browser app
// ships this reader in its wasm bundle.

type Fields = Map<String, Value>;

fn object(line: &str) -> Result<Fields, String> {
    match serde_json::from_str::<Value>(line).map_err(|e| e.to_string())? {
        Value::Object(fields) => Ok(fields),
        other => Err(format!("expected a JSON object, found {}", kind_of(&other))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn field<'a>(fields: &'a Fields, name: &str) -> Result<&'a Value, String> {
    fields.get(name).ok_or_else(|| format!("missing field `{name}`"))
}

fn u64_field(fields: &Fields, name: &str) -> Result<u64, String> {
    let v = field(fields, name)?;
    v.as_u64()
        .ok_or_else(|| format!("field `{name}` must be a whole number, found {}", kind_of(v)))
}

fn u32_field(fields: &Fields, name: &str) -> Result<u32, String> {
    let n = u64_field(fields, name)?;
    u32::try_from(n).map_err(|_| format!("field `{name}` is {n}, over the limit {}", u32::MAX))
}

fn str_field<'a>(fields: &'a Fields, name: &str) -> Result<&'a str, String> {
    let v = field(fields, name)?;
    v.as_str()
        .ok_or_else(|| format!("field `{name}` must be a string, found {}", kind_of(v)))
}

fn task_field(fields: &Fields, name: &str) -> Result<TaskId, String> {
    u32_field(fields, name).map(TaskId)
}

fn opt_task_field(fields: &Fields, name: &str) -> Result<Option<TaskId>, String> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => task_field(fields, name).map(Some),
    }
}

/// A small unit enum (`"ready"`, `"aborted"`, …) through its own derive.
fn enum_field<T: DeserializeOwned>(fields: &Fields, name: &str) -> Result<T, String> {
    serde_json::from_value(field(fields, name)?.clone()).map_err(|e| format!("field `{name}`: {e}"))
}

fn source_field(fields: &Fields, name: &str) -> Result<WakeSource, String> {
    match field(fields, name)? {
        Value::String(s) if s == "outside" => Ok(WakeSource::Outside),
        Value::Object(o) if o.len() == 1 => {
            let (k, _) = o.iter().next().expect("one entry");
            match k.as_str() {
                "task" => Ok(WakeSource::Task(task_field(o, "task")?)),
                "timer" => Ok(WakeSource::Timer(TimerId(u32_field(o, "timer")?))),
                other => Err(format!(
                    "field `{name}`: unknown wake source `{other}`, expected `task`, `timer` or `outside`"
                )),
            }
        }
        other => Err(format!(
            "field `{name}` must be \"outside\", {{\"task\": N}} or {{\"timer\": N}}, found {}",
            kind_of(other)
        )),
    }
}

/// Checks the carried tables: sizes within the limits, parents and owners
/// among the tasks before them.
fn check_carried(c: &WireContinues) -> Result<(), String> {
    if c.tasks.len() > crate::config::TASKS_MAX_CAP as usize {
        return Err(format!(
            "{} tasks, over the limit {}",
            c.tasks.len(),
            crate::config::TASKS_MAX_CAP
        ));
    }
    if c.timers.len() > crate::config::TIMERS_MAX_CAP as usize {
        return Err(format!(
            "{} timers, over the limit {}",
            c.timers.len(),
            crate::config::TIMERS_MAX_CAP
        ));
    }
    for (i, (_, parent)) in c.tasks.iter().enumerate() {
        if parent.is_some_and(|p| p.index() >= i) {
            return Err(format!("task {i}'s parent is not a task before it"));
        }
    }
    for (i, (owner, _)) in c.timers.iter().enumerate() {
        if owner.is_some_and(|o| o.index() >= c.tasks.len()) {
            return Err(format!("timer {i}'s owner is not a carried task"));
        }
    }
    Ok(())
}

/// The `continues` field of a header line.
fn read_continues(v: &Value) -> Result<WireContinues, String> {
    let Value::Object(f) = v else {
        return Err(format!("must be an object, found {}", kind_of(v)));
    };
    for key in f.keys() {
        if !["start_ns", "tasks", "timers", "resources"].contains(&key.as_str()) {
            return Err(format!("unknown field `{key}`"));
        }
    }
    let list = |name: &str| match f.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(other) => Err(format!("field `{name}` must be an array, found {}", kind_of(other))),
    };
    let entry = |name: &str, i: usize, item: &Value, n: usize| match item {
        Value::Array(parts) if parts.len() == n => Ok(parts.clone()),
        _ => Err(format!("`{name}[{i}]` must be an array of {n}")),
    };
    let opt_task = |v: &Value, what: String| match v {
        Value::Null => Ok(None),
        v => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(|n| Some(TaskId(n)))
            .ok_or_else(|| format!("{what} must be a task id or null")),
    };
    let text = |v: &Value, what: String| v.as_str().map(str::to_string).ok_or(format!("{what} must be a string"));
    let number = |v: &Value, what: String| v.as_u64().ok_or(format!("{what} must be a whole number"));
    let mut c = WireContinues {
        start_ns: u64_field(f, "start_ns")?,
        ..WireContinues::default()
    };
    for (i, item) in list("tasks")?.iter().enumerate() {
        let p = entry("tasks", i, item, 2)?;
        c.tasks.push((
            text(&p[0], format!("`tasks[{i}][0]`"))?,
            opt_task(&p[1], format!("`tasks[{i}][1]`"))?,
        ));
    }
    for (i, item) in list("timers")?.iter().enumerate() {
        let p = entry("timers", i, item, 2)?;
        c.timers.push((
            opt_task(&p[0], format!("`timers[{i}][0]`"))?,
            number(&p[1], format!("`timers[{i}][1]`"))?,
        ));
    }
    for (i, item) in list("resources")?.iter().enumerate() {
        let p = entry("resources", i, item, 3)?;
        let kind = serde_json::from_value(p[0].clone()).map_err(|e| format!("`resources[{i}][0]`: {e}"))?;
        let capacity = number(&p[2], format!("`resources[{i}][2]`"))?;
        let capacity = u32::try_from(capacity).map_err(|_| format!("`resources[{i}][2]` is over {}", u32::MAX))?;
        c.resources
            .push((kind, text(&p[1], format!("`resources[{i}][1]`"))?, capacity));
    }
    Ok(c)
}

fn read_header(line: &str) -> Result<WireHeader, String> {
    let fields = object(line)?;
    for key in fields.keys() {
        if !["format", "version", "seed", "policy", "scenario", "params", "continues"].contains(&key.as_str()) {
            return Err(format!("unknown field `{key}`"));
        }
    }
    let params = match fields.get("params") {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("field `params`: {e}"))?,
    };
    let scenario = match fields.get("scenario") {
        None | Some(Value::Null) => None,
        Some(_) => Some(str_field(&fields, "scenario")?.to_string()),
    };
    Ok(WireHeader {
        format: str_field(&fields, "format")?.to_string(),
        version: u32_field(&fields, "version")?,
        header: TraceHeader {
            seed: u64_field(&fields, "seed")?,
            policy: str_field(&fields, "policy")?.to_string(),
            scenario,
            params,
        },
        continues: match fields.get("continues") {
            None => None,
            Some(v) => Some(read_continues(v).map_err(|e| format!("field `continues`: {e}"))?),
        },
    })
}

const KINDS: &str = "spawned, poll_started, poll_ended, woken, timer_armed, timer_fired, timer_cancelled, \
clock_advanced, completed, cancelled, panicked, worked, long_poll, future_dropped, resource_created, resource, \
linked, exited, exit_trapped, exit_killed, fault, check_failed, ended";

fn read_line(line: &str) -> Result<WireLine, String> {
    let f = object(line)?;
    let seq = u64_field(&f, "seq")?;
    let t_ns = u64_field(&f, "t_ns")?;
    let kind = str_field(&f, "kind")?;
    let task = || task_field(&f, "task");
    let timer = || u32_field(&f, "timer").map(TimerId);
    let event = match kind {
        "spawned" => WireEvent::Spawned {
            task: task()?,
            name: str_field(&f, "name")?.to_string(),
            parent: opt_task_field(&f, "parent")?,
        },
        "poll_started" => WireEvent::PollStarted { task: task()? },
        "poll_ended" => WireEvent::PollEnded {
            task: task()?,
            result: enum_field(&f, "result")?,
        },
        "woken" => WireEvent::Woken {
            task: task()?,
            by: source_field(&f, "by")?,
        },
        "timer_armed" => WireEvent::TimerArmed {
            timer: timer()?,
            owner: opt_task_field(&f, "owner")?,
            deadline_ns: u64_field(&f, "deadline_ns")?,
        },
        "timer_fired" => WireEvent::TimerFired { timer: timer()? },
        "timer_cancelled" => WireEvent::TimerCancelled { timer: timer()? },
        "clock_advanced" => WireEvent::ClockAdvanced {
            to_ns: u64_field(&f, "to_ns")?,
        },
        "completed" => WireEvent::Completed { task: task()? },
        "cancelled" => WireEvent::Cancelled {
            task: task()?,
            cause: enum_field(&f, "cause")?,
        },
        "panicked" => WireEvent::Panicked {
            task: task()?,
            message: str_field(&f, "message")?.to_string(),
        },
        "worked" => WireEvent::Worked {
            task: task()?,
            to_ns: u64_field(&f, "to_ns")?,
        },
        "long_poll" => WireEvent::LongPoll { task: task()? },
        "future_dropped" => WireEvent::FutureDropped {
            task: task()?,
            cause: enum_field(&f, "cause")?,
        },
        "resource_created" => WireEvent::ResourceCreated {
            resource: ResourceId(u32_field(&f, "resource")?),
            resource_kind: enum_field(&f, "resource_kind")?,
            name: str_field(&f, "name")?.to_string(),
            capacity: u32_field(&f, "capacity")?,
        },
        "resource" => WireEvent::Resource {
            resource: ResourceId(u32_field(&f, "resource")?),
            task: opt_task_field(&f, "task")?,
            op: enum_field(&f, "op")?,
        },
        "linked" => WireEvent::Linked {
            task: task()?,
            peer: task_field(&f, "peer")?,
        },
        "exited" => WireEvent::Exited {
            task: task()?,
            reason: enum_field(&f, "reason")?,
        },
        "exit_trapped" => WireEvent::ExitTrapped {
            task: task()?,
            from: task_field(&f, "from")?,
        },
        "exit_killed" => WireEvent::ExitKilled {
            task: task()?,
            from: task_field(&f, "from")?,
        },
        "fault" => WireEvent::Fault {
            task: opt_task_field(&f, "task")?,
            fault: enum_field(&f, "fault")?,
        },
        "check_failed" => WireEvent::CheckFailed {
            task: opt_task_field(&f, "task")?,
            message: str_field(&f, "message")?.to_string(),
        },
        "ended" => WireEvent::Ended {
            reason: enum_field(&f, "reason")?,
        },
        other => return Err(format!("unknown variant `{other}`: the event kinds are {KINDS}")),
    };
    Ok(WireLine { seq, t_ns, event })
}
