//! JSON lines: the trace's file format.
//!
//! The first line is a header naming the format and its version; each further
//! line is one event with its sequence number and virtual time:
//!
//! ```text
//! {"format":"wakescope-trace","version":2,"seed":42,"policy":"random"}
//! {"seq":0,"t_ns":0,"kind":"spawned","task":0,"name":"popcorn","parent":null}
//! {"seq":1,"t_ns":0,"kind":"poll_started","task":0,"pick":{"index":0,"refill":false}}
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
//!
//! An event line is `seq`, `t_ns` and `kind`, then the event's fields with
//! the keys and in the order of its row in the event table (`event.rs`): the
//! writer and the reader are generated from the rows, each value written and
//! read by its type's codec (`codec.rs`).

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::codec::{Field, FieldVisitor, Fields, ReadField, kind_of};
use super::event::Side;
use super::side::{NameIds, SideCursor};
use super::{Event, EventKind, ResourceId, ResourceKind, SITES_MAX, Site, Trace, TraceHeader};
use crate::task::TaskId;
use crate::timer::TimerId;

/// The `format` field of the header line.
pub const TRACE_FORMAT: &str = "wakescope-trace";
/// The version of the event encoding, in the header and in the fingerprint.
/// Version 2: `poll_started` carries the `pick`, and delay faults are `delayed` events.
pub const TRACE_VERSION: u32 = 2;
/// Largest trace text [`Trace::from_jsonl`] accepts, in bytes.
pub const TRACE_BYTES_MAX: usize = 256 * 1024 * 1024;
/// Longest line [`Trace::from_jsonl`] accepts, in bytes. The header line of a
/// continued trace (one with `continues`) is exempt: it carries the task,
/// timer and resource tables from before the cut, which are bounded by their
/// own caps and the file by [`TRACE_BYTES_MAX`].
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

/// Writes an event's fields as `,"key":value` pairs.
struct JsonFields<'o>(&'o mut Vec<u8>);

impl FieldVisitor for JsonFields<'_> {
    fn field<T: Field>(&mut self, key: &'static str, value: &T, _in_side_table: bool) {
        // Keys are plain snake_case names: nothing to escape.
        self.0.extend_from_slice(b",\"");
        self.0.extend_from_slice(key.as_bytes());
        self.0.extend_from_slice(b"\":");
        value.write_json(self.0);
    }
}

impl Trace {
    /// The trace as JSON lines: a header line, then one line per event.
    pub fn to_jsonl(&self) -> String {
        let mut out = Vec::with_capacity(64 * (self.len() + 1));
        let mut writer = JsonlWriter::new();
        writer.header(self, &mut out);
        writer.events(self, self.len(), &mut out);
        String::from_utf8(out).expect("serde_json writes UTF-8")
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
        let mut lines = text.lines();
        let mut reader = JsonlReader::start(&mut lines)?;
        for line in lines {
            reader.push_line(line)?;
        }
        Ok(reader.into_trace())
    }
}

/// Writes a trace as JSON lines a piece at a time, for a trace that is still
/// growing: the header once, then the events recorded since the last call.
/// The pieces put together are [`Trace::to_jsonl`]'s text.
#[derive(Debug, Default)]
pub struct JsonlWriter {
    /// Where the side tables stand at the next event.
    cursor: SideCursor,
    /// The next event to write.
    next: usize,
    /// The clock at the last event written (`None` before the first).
    time_ns: Option<u64>,
}

impl JsonlWriter {
    /// Nothing written yet.
    pub fn new() -> JsonlWriter {
        JsonlWriter::default()
    }

    /// Events written so far.
    pub fn written(&self) -> usize {
        self.next
    }

    /// Appends the header line of `trace` to `out`.
    pub fn header(&self, trace: &Trace, out: &mut Vec<u8>) {
        let header = WireHeader {
            format: TRACE_FORMAT.to_string(),
            version: TRACE_VERSION,
            header: trace.header.clone(),
            continues: trace.wire_continues(),
        };
        serde_json::to_writer(&mut *out, &header).expect("header serializes");
        out.push(b'\n');
    }

    /// Appends the lines of the events of `trace` from the last one written
    /// up to (not including) `end` to `out`; `end` past the trace's length
    /// stops at its end.
    pub fn events(&mut self, trace: &Trace, end: usize, out: &mut Vec<u8>) {
        let end = end.min(trace.len());
        let mut time_ns = self.time_ns.unwrap_or(trace.continued.start_ns);
        for seq in self.next..end {
            let event = trace.get(seq).expect("seq below the trace length");
            if let Some(to_ns) = event.clock_to_ns() {
                time_ns = to_ns;
            }
            out.extend_from_slice(b"{\"seq\":");
            (seq as u64).write_json(out);
            out.extend_from_slice(b",\"t_ns\":");
            time_ns.write_json(out);
            out.extend_from_slice(b",\"kind\":\"");
            out.extend_from_slice(event.kind().name().as_bytes());
            out.push(b'"');
            let side = event.side(trace, &mut self.cursor);
            event.visit_fields(&side, &mut JsonFields(out));
            if let Some(site) = trace.site(seq) {
                out.extend_from_slice(b",\"at\":");
                serde_json::to_writer(&mut *out, &site.to_string()).expect("a string serializes");
            }
            out.extend_from_slice(b"}\n");
        }
        self.next = self.next.max(end);
        self.time_ns = Some(time_ns);
    }
}

/// Reads JSON lines a line at a time into a trace, checking each as
/// [`Trace::from_jsonl`] does; for a trace that arrives in pieces (the app
/// receives a program's run from the interpreter this way). Line numbers in
/// errors count from the header's.
#[derive(Debug)]
pub struct JsonlReader {
    trace: Trace,
    names: NameIds,
    /// The clock as the events so far have moved it.
    time_ns: u64,
    /// The last line read (1-based), blank lines included.
    line: usize,
}

impl JsonlReader {
    /// Reads up to and including the header, the first line that is not
    /// blank; `lines` goes on after it.
    pub fn start<'l>(lines: &mut impl Iterator<Item = &'l str>) -> Result<JsonlReader, TraceError> {
        let mut n = 0;
        let first = loop {
            n += 1;
            match lines.next() {
                None => return Err(err(0, "the file is empty; expected a wakescope trace header")),
                Some(line) if line.trim().is_empty() => {}
                Some(line) => break line,
            }
        };
        let header = read_header(first).map_err(|e| err(n, format!("not a wakescope trace header: {e}")))?;
        if first.len() > TRACE_LINE_BYTES_MAX && header.continues.is_none() {
            return Err(err(
                n,
                format!(
                    "the header line is {} bytes; the limit is {TRACE_LINE_BYTES_MAX}",
                    first.len()
                ),
            ));
        }
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
        let mut reader = JsonlReader {
            trace: Trace::new(header.header),
            names: NameIds::default(),
            time_ns: 0,
            line: n,
        };
        if let Some(c) = header.continues {
            check_carried(&c).map_err(|e| err(n, format!("field `continues`: {e}")))?;
            reader
                .trace
                .carry(c.start_ns, &c.tasks, &c.timers, &c.resources, &mut reader.names);
            reader.time_ns = c.start_ns;
        }
        Ok(reader)
    }

    /// Reads the next line: one event, or nothing when it is blank.
    pub fn push_line(&mut self, line: &str) -> Result<(), TraceError> {
        self.line += 1;
        let n = self.line;
        if line.trim().is_empty() {
            return Ok(());
        }
        if line.len() > TRACE_LINE_BYTES_MAX {
            return Err(err(
                n,
                format!("the line is {} bytes; the limit is {TRACE_LINE_BYTES_MAX}", line.len()),
            ));
        }
        let trace = &mut self.trace;
        let fields = object(line).map_err(|e| err(n, e))?;
        let line = read_line(&fields).map_err(|e| err(n, e))?;
        if line.seq != trace.len() as u64 {
            return Err(err(
                n,
                format!("sequence number {} out of order; expected {}", line.seq, trace.len()),
            ));
        }
        if let Some(to_ns) = line.event.clock_to_ns() {
            if to_ns < self.time_ns {
                return Err(err(
                    n,
                    format!("the clock goes back from {} ns to {to_ns} ns", self.time_ns),
                ));
            }
            self.time_ns = to_ns;
        }
        if line.t_ns != self.time_ns {
            return Err(err(
                n,
                format!(
                    "time {} ns disagrees with the clock events ({} ns)",
                    line.t_ns, self.time_ns
                ),
            ));
        }
        trace
            .apply(line.event, line.side, &mut self.names)
            .map_err(|m| err(n, m))?;
        if let Some(site) = line.at {
            let id = trace
                .intern_site(site)
                .ok_or_else(|| err(n, format!("more than {SITES_MAX} distinct locations")))?;
            trace.sites.attach(trace.len() - 1, id);
        }
        Ok(())
    }

    /// Lines read so far, the header's and blank ones included.
    pub fn lines_read(&self) -> usize {
        self.line
    }

    /// The trace read so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The trace read.
    pub fn into_trace(self) -> Trace {
        self.trace
    }
}

// Reading goes through `serde_json::Value` and the codecs rather than
// derived deserializers: the derive for an internally tagged, flattened
// enum generates several times more code, and the browser app ships this
// reader in its wasm bundle.

/// One event line, decoded but not yet checked against the trace.
struct Line<'s> {
    seq: u64,
    t_ns: u64,
    event: Event,
    side: Side<'s>,
    /// Where the program asked for it (`"at"`), when known.
    at: Option<Site>,
}

fn object(line: &str) -> Result<Fields, String> {
    match serde_json::from_str::<Value>(line).map_err(|e| e.to_string())? {
        Value::Object(fields) => Ok(fields),
        other => Err(format!(
            "expected a JSON object, found {}",
            super::codec::kind_of(&other)
        )),
    }
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
        Some(_) => Some(<&str>::read(&fields, "scenario")?.to_string()),
    };
    Ok(WireHeader {
        format: <&str>::read(&fields, "format")?.to_string(),
        version: u32::read(&fields, "version")?,
        header: TraceHeader {
            seed: u64::read(&fields, "seed")?,
            policy: <&str>::read(&fields, "policy")?.to_string(),
            scenario,
            params,
        },
        continues: match fields.get("continues") {
            None | Some(Value::Null) => None,
            Some(v) => Some(read_continues(v).map_err(|e| format!("field `continues`: {e}"))?),
        },
    })
}

fn read_line(fields: &Fields) -> Result<Line<'_>, String> {
    let seq = u64::read(fields, "seq")?;
    let t_ns = u64::read(fields, "t_ns")?;
    let name = <&str>::read(fields, "kind")?;
    let kind = EventKind::from_name(name).ok_or_else(|| {
        let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown variant `{name}`: the event kinds are {}", kinds.join(", "))
    })?;
    let (event, side) = Event::read_json(kind, fields)?;
    let at = match fields.get("at") {
        None => None,
        Some(Value::String(text)) => Some(Site::parse(text).map_err(|e| format!("field `at`: {e}"))?),
        Some(other) => {
            return Err(format!(
                "field `at`: expected a string `file:line:column`, found {other}"
            ));
        }
    };
    Ok(Line {
        seq,
        t_ns,
        event,
        side,
        at,
    })
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
        start_ns: u64::read(f, "start_ns")?,
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
