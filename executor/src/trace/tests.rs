//! The encodings agree: every kind of the event table, every field, edge values.
//!
//! Kinds come from [`EventKind::ALL`] and fields from the generated
//! `EventKind::fields`, so a new row is covered without touching this file.
//! Each field takes each of its type's samples in turn while the others keep
//! their first ("one at a time"), so a field an encoding forgets shows up as
//! two events that differ in it and encode the same.

use super::codec::{Coded, Field};
use super::event::Side;
use super::packed::PackedEvent;
use super::side::{NameIds, SideCursor};
use super::{Event, EventKind, PICK_INDEX_MAX, Pick, RESOURCES_MAX, ResourceId, Trace, TraceHeader};
use crate::config::{TASKS_MAX_CAP, TIMERS_MAX_CAP};
use crate::task::TaskId;
use crate::timer::TimerId;
use crate::waker::WakeSource;

/// What the tests know about one field of a kind.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FieldInfo {
    /// The JSON key.
    pub key: &'static str,
    /// Its bytes in the fingerprint ([`Field::LAYOUT`]).
    pub layout: &'static str,
    /// Hashed after the fixed-size fields.
    pub variable: bool,
    /// Kept in a side table.
    pub in_side_table: bool,
    /// Samples its type has.
    pub samples: usize,
}

impl FieldInfo {
    pub(crate) fn of<T: Field + Sample>(key: &'static str, in_side_table: bool) -> FieldInfo {
        FieldInfo {
            key,
            layout: T::LAYOUT,
            variable: T::VARIABLE,
            in_side_table,
            samples: T::COUNT,
        }
    }
}

/// Sample values of a field type: edge values first among them.
pub(crate) trait Sample: Sized {
    /// Samples the type has.
    const COUNT: usize;
    /// Sample `i` (modulo [`Sample::COUNT`]). With `within`, ids name
    /// entries that exist in that trace and times do not go back; without,
    /// ids take the extremes the executor allows.
    fn sample(i: usize, within: Option<&Trace>) -> Self;
}

/// The first or the last of `count` ids (0 when there are none yet: the
/// reader then refuses the sample, naming the id).
fn first_or_last(i: usize, count: usize) -> u32 {
    if i.is_multiple_of(2) {
        0
    } else {
        count.saturating_sub(1) as u32
    }
}

impl Sample for TaskId {
    const COUNT: usize = 2;
    fn sample(i: usize, within: Option<&Trace>) -> Self {
        TaskId(first_or_last(
            i,
            within.map_or(TASKS_MAX_CAP as usize, Trace::task_count),
        ))
    }
}

impl Sample for TimerId {
    const COUNT: usize = 2;
    fn sample(i: usize, within: Option<&Trace>) -> Self {
        TimerId(first_or_last(
            i,
            within.map_or(TIMERS_MAX_CAP as usize, Trace::timer_count),
        ))
    }
}

impl Sample for ResourceId {
    const COUNT: usize = 2;
    fn sample(i: usize, within: Option<&Trace>) -> Self {
        ResourceId(first_or_last(
            i,
            within.map_or(RESOURCES_MAX as usize, Trace::resource_count),
        ))
    }
}

impl Sample for Option<TaskId> {
    const COUNT: usize = 3;
    fn sample(i: usize, within: Option<&Trace>) -> Self {
        (!i.is_multiple_of(3)).then(|| TaskId::sample(i % 3 - 1, within))
    }
}

impl Sample for WakeSource {
    /// Each kind with each of its ids, so the id alone varies too.
    const COUNT: usize = 5;
    fn sample(i: usize, within: Option<&Trace>) -> Self {
        match i % 5 {
            0 => WakeSource::Outside,
            1 | 2 => WakeSource::Task(TaskId::sample(i, within)),
            _ => WakeSource::Timer(TimerId::sample(i, within)),
        }
    }
}

impl Sample for Pick {
    /// The front and the largest index, each way of leaving the queue.
    const COUNT: usize = 4;
    fn sample(i: usize, _within: Option<&Trace>) -> Self {
        Pick {
            index: [0, PICK_INDEX_MAX][i % 2],
            refill: i % 4 >= 2,
        }
    }
}

impl Sample for u64 {
    const COUNT: usize = 3;
    /// Within a trace, never before its clock: the value may be a clock target.
    fn sample(i: usize, within: Option<&Trace>) -> Self {
        let now_ns = within.map_or(0, |t| t.end_time().as_nanos() as u64);
        [now_ns, now_ns.saturating_add(1), u64::MAX][i % 3]
    }
}

impl Sample for u32 {
    const COUNT: usize = 3;
    fn sample(i: usize, _: Option<&Trace>) -> Self {
        [0, 1, u32::MAX][i % 3]
    }
}

impl Sample for &str {
    const COUNT: usize = 3;
    fn sample(i: usize, _: Option<&Trace>) -> Self {
        ["", "popcorn", "\"quoted\" \\ back\\slash\n\ttab \u{1} é 🍿"][i % 3]
    }
}

impl<T: Coded> Sample for T {
    const COUNT: usize = T::ALL.len();
    fn sample(i: usize, _: Option<&Trace>) -> Self {
        T::ALL[i % T::ALL.len()]
    }
}

/// Every one-at-a-time sample of `kind`: field `j` takes each of its samples
/// while the others take their first. `within` is asked afresh for each, so
/// a `creates` id is always the next one.
fn one_at_a_time(kind: EventKind, mut each: impl FnMut(&dyn Fn(usize) -> usize)) {
    let fields = kind.fields();
    each(&|_| 0);
    for (j, field) in fields.iter().enumerate() {
        for s in 1..field.samples {
            each(&|i| if i == j { s } else { 0 });
        }
    }
}

#[test]
fn kinds_have_unique_names_codes_and_keys() {
    let mut names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
    let mut codes: Vec<u8> = EventKind::ALL.iter().map(|k| k.code()).collect();
    names.sort_unstable();
    names.dedup();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(names.len(), EventKind::ALL.len(), "JSON names are unique");
    assert_eq!(codes.len(), EventKind::ALL.len(), "codes are unique");
    assert!(
        codes.iter().copied().eq(0..EventKind::ALL.len() as u8),
        "codes are 0..{}: {codes:?}",
        EventKind::ALL.len()
    );
    for &kind in EventKind::ALL {
        let name = kind.name();
        assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        assert_eq!(EventKind::from_name(name), Some(kind));
        let fields = kind.fields();
        assert!(
            fields.windows(2).all(|w| w[0].in_side_table <= w[1].in_side_table),
            "the side fields of `{name}` come after its own"
        );
        let mut keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
        for key in &keys {
            assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}.{key}");
            assert!(!["seq", "t_ns", "kind"].contains(key), "{name}.{key} is a line key");
        }
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before, "the keys of `{name}` are unique");
        let (event, _) = kind.sample(&|_| 0, None);
        assert_eq!(event.kind(), kind);
    }
}

#[test]
fn every_field_packs_and_unpacks_at_its_edge_values() {
    assert_eq!(std::mem::size_of::<PackedEvent>(), 8);
    let mut instants_ns = Vec::new();
    for &kind in EventKind::ALL {
        one_at_a_time(kind, |pick| {
            let (event, _) = kind.sample(pick, None);
            let packed = PackedEvent::pack(event, &mut instants_ns);
            assert_eq!(packed.unpack(&instants_ns), event, "{}", kind.name());
        });
    }
}

/// A trace holding every one-at-a-time sample of every kind, recorded as a
/// file's reader records them, and the side fields each was given.
fn sample_trace() -> (Trace, Vec<(Event, Side<'static>)>) {
    let mut trace = Trace::new(TraceHeader {
        seed: 7,
        policy: "fifo".into(),
        scenario: None,
        params: Vec::new(),
    });
    let mut names = NameIds::default();
    let mut recorded = Vec::new();
    let mut record = |trace: &mut Trace, pick: &dyn Fn(usize) -> usize, kind: EventKind| {
        let (mut event, side) = kind.sample(pick, Some(&*trace));
        if let Event::Panicked { task } = &mut event {
            // A task panics at most once (the reader refuses a second): each
            // panic sample is of a task of its own, spawned for it.
            let (spawn, spawn_side) = EventKind::Spawned.sample(&|_| 0, Some(&*trace));
            trace.apply(spawn, spawn_side, &mut names).expect("a fresh task");
            recorded.push((spawn, spawn_side));
            let Event::Spawned { task: fresh, .. } = spawn else {
                unreachable!("a spawned sample")
            };
            *task = fresh;
        }
        trace
            .apply(event, side, &mut names)
            .unwrap_or_else(|e| panic!("sample {event:?} {side:?}: {e}"));
        recorded.push((event, side));
    };
    // First samples name id 0 and wake from outside: in table order, each id
    // exists by the time a kind uses it.
    for &kind in EventKind::ALL {
        record(&mut trace, &|_| 0, kind);
    }
    for &kind in EventKind::ALL {
        one_at_a_time(kind, |pick| record(&mut trace, pick, kind));
    }
    (trace, recorded)
}

/// The side fields of every event of `trace`, as the writers see them.
fn sides(trace: &Trace) -> Vec<Side<'_>> {
    let mut cursor = SideCursor::default();
    trace.iter().map(|r| r.event.side(trace, &mut cursor)).collect()
}

#[test]
fn every_field_round_trips_through_json_lines() {
    let (trace, recorded) = sample_trace();
    let events: Vec<Event> = trace.iter().map(|r| r.event).collect();
    assert_eq!(events, recorded.iter().map(|(e, _)| *e).collect::<Vec<_>>(), "packed");
    assert_eq!(
        sides(&trace),
        recorded.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        "side tables"
    );

    let text = trace.to_jsonl();
    let back = Trace::from_jsonl(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back.events(), trace.events());
    assert_eq!(sides(&back), sides(&trace));
    assert_eq!(back.fingerprint(), trace.fingerprint());
    assert_eq!(back.to_jsonl(), text);

    for (line, record) in text.lines().skip(1).zip(trace.iter()) {
        let kind = record.event.kind();
        let prefix = format!(
            "{{\"seq\":{},\"t_ns\":{},\"kind\":\"{}\"",
            record.seq,
            record.time_ns,
            kind.name()
        );
        assert!(line.starts_with(&prefix), "{line}");
        let mut at = prefix.len();
        for field in kind.fields() {
            let key = format!(",\"{}\":", field.key);
            let found = line[at..]
                .find(&key)
                .unwrap_or_else(|| panic!("`{}` in order in {line}", field.key));
            at += found + key.len();
        }
    }
}

#[test]
fn the_fingerprint_tells_apart_events_that_differ_in_any_field() {
    let (trace, _) = sample_trace();
    let sides = sides(&trace);
    let hashes: Vec<u64> = trace.event_hashes().collect();
    let events: Vec<Event> = trace.iter().map(|r| r.event).collect();
    for a in 0..events.len() {
        for b in a + 1..events.len() {
            if events[a].kind() == events[b].kind() && (events[a], sides[a]) != (events[b], sides[b]) {
                assert_ne!(
                    hashes[a], hashes[b],
                    "same bytes for {:?} {:?} and {:?} {:?}",
                    events[a], sides[a], events[b], sides[b]
                );
            }
        }
    }
}

/// The fingerprint's doc table as the event table generates it.
fn expected_doc_table() -> Vec<(u8, String, String)> {
    let mut rows: Vec<(u8, String, String)> = EventKind::ALL
        .iter()
        .map(|&kind| {
            let fields = kind.fields();
            let in_hash_order = fields
                .iter()
                .filter(|f| !f.variable)
                .chain(fields.iter().filter(|f| f.variable));
            let described: Vec<String> = in_hash_order.map(|f| format!("{} {}", f.key, f.layout)).collect();
            (kind.code(), format!("`{}`", kind.name()), described.join(", "))
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn the_fingerprint_doc_table_matches_the_event_table() {
    let source = include_str!("fingerprint.rs");
    let documented: Vec<(u8, String, String)> = source
        .lines()
        .filter_map(|l| l.strip_prefix("//! |"))
        .filter_map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let code = cells.first()?.parse().ok()?;
            Some((code, cells.get(1)?.to_string(), cells.get(2)?.to_string()))
        })
        .collect();
    let expected = expected_doc_table();
    let table: String = expected
        .iter()
        .map(|(code, kind, fields)| format!("//! | {code:<4} | {kind:<18} | {fields:<55} |\n"))
        .collect();
    assert_eq!(
        documented, expected,
        "the doc table of fingerprint.rs disagrees with the event table; its rows should read:\n{table}"
    );
}

#[test]
fn an_unknown_kind_is_refused_with_every_kind_listed() {
    let text = "{\"format\":\"wakescope-trace\",\"version\":2,\"seed\":0,\"policy\":\"fifo\"}\n\
                {\"seq\":0,\"t_ns\":0,\"kind\":\"teleported\"}";
    let message = Trace::from_jsonl(text).unwrap_err().to_string();
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(
        message,
        format!(
            "line 2: unknown variant `teleported`: the event kinds are {}",
            kinds.join(", ")
        )
    );
}

#[test]
fn a_file_is_refused_where_a_row_says_so() {
    let header = "{\"format\":\"wakescope-trace\",\"version\":2,\"seed\":0,\"policy\":\"fifo\"}";
    let error = |lines: &[&str]| {
        let text = std::iter::once(header)
            .chain(lines.iter().copied())
            .collect::<Vec<_>>()
            .join("\n");
        Trace::from_jsonl(&text).unwrap_err().to_string()
    };
    let spawn0 = r#"{"seq":0,"t_ns":0,"kind":"spawned","task":0,"name":"a","parent":null}"#;
    assert_eq!(
        error(&[r#"{"seq":0,"t_ns":0,"kind":"spawned","task":1,"name":"a","parent":null}"#]),
        "line 2: task 1 spawned out of order; expected task 0"
    );
    assert_eq!(
        error(&[r#"{"seq":0,"t_ns":0,"kind":"spawned","task":0,"name":"a","parent":0}"#]),
        "line 2: task 0 is used before it was spawned"
    );
    assert_eq!(
        error(&[spawn0, r#"{"seq":1,"t_ns":0,"kind":"woken","task":0,"by":{"timer":0}}"#]),
        "line 3: timer 0 is used before it was armed"
    );
    assert_eq!(
        error(&[r#"{"seq":0,"t_ns":0,"kind":"resource","resource":0,"task":null,"op":"send"}"#]),
        "line 2: resource 0 is used before it was created"
    );
    assert_eq!(
        error(&[r#"{"seq":0,"t_ns":0,"kind":"timer_armed","timer":3,"owner":null,"deadline_ns":5}"#]),
        "line 2: timer 3 armed out of order; expected timer 0"
    );
    assert_eq!(
        error(&[spawn0, r#"{"seq":1,"t_ns":0,"kind":"woken","task":0,"by":"nobody"}"#]),
        "line 3: field `by` must be \"outside\", {\"task\": N} or {\"timer\": N}, found a string"
    );
    assert_eq!(
        error(&[r#"{"seq":0,"t_ns":0,"kind":"ended"}"#]),
        "line 2: missing field `reason`"
    );
    assert_eq!(
        error(&[r#"{"seq":0,"t_ns":0,"kind":"poll_started","task":4294967296}"#]),
        "line 2: field `task` is 4294967296, over the limit 4294967295"
    );
    assert_eq!(
        error(&[
            r#"{"seq":0,"t_ns":5,"kind":"clock_advanced","to_ns":5}"#,
            r#"{"seq":1,"t_ns":3,"kind":"clock_advanced","to_ns":3}"#
        ]),
        "line 3: the clock goes back from 5 ns to 3 ns"
    );
    assert!(
        error(&[
            spawn0,
            r#"{"seq":1,"t_ns":0,"kind":"poll_ended","task":0,"result":"maybe"}"#
        ])
        .starts_with("line 3: field `result`: unknown variant `maybe`, expected `ready` or `pending`")
    );
}
