//! Field codecs: how one value of an event is packed, hashed and written.
//!
//! Every type that appears as a field in the event table (`event.rs`)
//! implements [`Field`] — its bytes in the fingerprint and its JSON value,
//! both ways — and, when it is stored in the packed event itself rather than
//! in a side table, [`Packed`] — its bits in the packed `u64`. The table's
//! generated code calls nothing else, so an encoding is defined once per
//! type, here, and once per event, by the order of its row.
//!
//! | type | packed bits | fingerprint | JSON |
//! |---|---|---|---|
//! | [`TaskId`] | 24 | `u32` | number |
//! | `Option<TaskId>` | 24 (all ones: none) | `u32?`: `u32::MAX` for none | number or `null` |
//! | [`TimerId`] | 32 | `u32` | number |
//! | [`ResourceId`] | 24 (see [`RESOURCES_MAX`]) | `u32` | number |
//! | [`WakeSource`] | 32 (2-bit kind, 30-bit id) | `source`: `u8` kind (0 outside, 1 task, 2 timer), `u32` id (0 when outside) | `"outside"`, `{"task": N}`, `{"timer": N}` |
//! | `u64` (a virtual time) | 32: an index into the trace's instants | `u64` | number |
//! | `u32` (side only) | — | `u32` | number |
//! | `&str` (side only) | — | `str`: `u32` byte length, then the UTF-8 bytes | string |
//! | a [`Coded`] enum | just enough for its variants | `u8` code | its snake_case name |
//!
//! Integers in the fingerprint are little-endian. Reading a value names the
//! field in every error (`field `task` must be a whole number, found a
//! string`); ids are checked against the trace read so far with
//! [`Field::check`] (`task 4 is used before it was spawned`).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::fnv::Fnv64;
use super::{PICK_INDEX_MAX, Pick, RESOURCES_MAX, ResourceId, Trace, WakeSource};
use crate::config::{TASKS_MAX_CAP, TIMERS_MAX_CAP};
use crate::task::TaskId;
use crate::timer::TimerId;

/// One JSON line's fields, by key.
pub(crate) type Fields = Map<String, Value>;

/// A field's canonical encodings: its bytes in the fingerprint and its JSON
/// value.
pub(crate) trait Field: Serialize {
    /// The fingerprint bytes, as the doc table of `fingerprint.rs` writes them
    /// (a test checks that table against these).
    #[cfg_attr(not(test), allow(dead_code))]
    const LAYOUT: &'static str;
    /// True for values of variable length (strings): the fingerprint hashes
    /// them after every fixed-size field of the event.
    const VARIABLE: bool = false;

    /// Feeds the value's canonical bytes to the fingerprint.
    fn hash(&self, h: &mut Fnv64);

    /// Appends the JSON value. serde_json writes it, so the text is exactly
    /// what a derived serializer would produce.
    fn write_json(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(out, self).expect("writing JSON to memory does not fail");
    }

    /// Checks, when a file is read, that the ids the value names already
    /// exist in `trace`.
    fn check(&self, _trace: &Trace) -> Result<(), String> {
        Ok(())
    }
}

/// Reading a field from a JSON line; `key` names it in the error.
pub(crate) trait ReadField<'a>: Sized {
    /// The value of `fields[key]`, or what is wrong with it.
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String>;
}

/// A field stored in the packed event itself (see `packed.rs`).
pub(crate) trait Packed: Copy {
    /// Bits the field takes in the packed `u64`.
    const BITS: u32;

    /// The value as at most [`Packed::BITS`] bits. A value too large for its
    /// field is a broken invariant (the executor's limits keep ids in range)
    /// and panics.
    fn pack(self, instants_ns: &mut Vec<u64>) -> u64;

    /// The value back from the bits `pack` returned.
    fn unpack(bits: u64, instants_ns: &[u64]) -> Self;
}

/// Sees every field of an event, in row order (`Event::visit_fields`): the
/// JSON writer and the fingerprint are visitors.
pub(crate) trait FieldVisitor {
    /// One field: its JSON key, its value, and whether it lives in a side
    /// table rather than in the packed event.
    fn field<T: Field>(&mut self, key: &'static str, value: &T, in_side_table: bool);
}

/// The task an event is about (`about` in the event table).
pub(crate) trait Subject {
    /// The task, if there is one.
    fn subject(self) -> Option<TaskId>;
}

impl Subject for TaskId {
    fn subject(self) -> Option<TaskId> {
        Some(self)
    }
}

impl Subject for Option<TaskId> {
    fn subject(self) -> Option<TaskId> {
        self
    }
}

// ----- ids -----

/// An id that names an entry of one of the trace's side tables, dense from 0.
pub(crate) trait Id: Copy {
    /// What it names, in messages: "task".
    const NOUN: &'static str;
    /// What makes one, in messages: "spawned".
    const VERB: &'static str;
    /// Ids are below this.
    const CAP: u32;
    /// The id as a number.
    fn raw(self) -> u32;
    /// The id with this number.
    #[cfg_attr(not(test), allow(dead_code))]
    fn from_raw(raw: u32) -> Self;
    /// Ids `trace` has made so far.
    fn count(trace: &Trace) -> usize;
}

/// Checks that `id` was made before it is used.
pub(crate) fn check_used<I: Id>(id: I, trace: &Trace) -> Result<(), String> {
    if (id.raw() as usize) < I::count(trace) {
        Ok(())
    } else {
        Err(format!("{} {} is used before it was {}", I::NOUN, id.raw(), I::VERB))
    }
}

/// Checks that `id` is the next one to be made, and below its cap (the
/// `creates` column of the event table).
pub(crate) fn check_new<I: Id>(id: I, trace: &Trace) -> Result<(), String> {
    let next = I::count(trace);
    let (noun, raw) = (I::NOUN, id.raw());
    if raw as usize != next {
        return Err(format!("{noun} {raw} {} out of order; expected {noun} {next}", I::VERB));
    }
    if raw >= I::CAP {
        return Err(format!("{noun} id {raw} is over the limit {}", I::CAP));
    }
    Ok(())
}

/// The id an event that makes one would make next in `trace`.
#[cfg(test)]
pub(crate) fn next_id<I: Id>(trace: &Trace) -> I {
    I::from_raw(I::count(trace) as u32)
}

/// Bits of a task id in the packed event; all ones mean "no task".
const TASK_BITS: u32 = 24;
const NO_TASK: u64 = (1 << TASK_BITS) - 1;
const _: () = assert!(
    TASKS_MAX_CAP as u64 <= NO_TASK,
    "task ids must leave the all-ones value free"
);
const _: () = assert!(RESOURCES_MAX as u64 <= 1 << TASK_BITS);

/// Implements [`Id`] and [`Field`] for an id type: a `u32` in the
/// fingerprint, a number in JSON.
macro_rules! id_codec {
    ($ty:ident, $noun:literal, $verb:literal, $cap:expr, $count:ident) => {
        impl Id for $ty {
            const NOUN: &'static str = $noun;
            const VERB: &'static str = $verb;
            const CAP: u32 = $cap;
            fn raw(self) -> u32 {
                self.0
            }
            fn from_raw(raw: u32) -> Self {
                $ty(raw)
            }
            fn count(trace: &Trace) -> usize {
                trace.$count()
            }
        }

        impl Field for $ty {
            const LAYOUT: &'static str = "u32";
            fn hash(&self, h: &mut Fnv64) {
                h.u32(self.0);
            }
            fn check(&self, trace: &Trace) -> Result<(), String> {
                check_used(*self, trace)
            }
        }

        impl<'a> ReadField<'a> for $ty {
            fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
                u32::read(fields, key).map($ty)
            }
        }
    };
}

id_codec!(TaskId, "task", "spawned", TASKS_MAX_CAP, task_count);
id_codec!(TimerId, "timer", "armed", TIMERS_MAX_CAP, timer_count);
id_codec!(ResourceId, "resource", "created", RESOURCES_MAX, resource_count);

impl Packed for TaskId {
    const BITS: u32 = TASK_BITS;
    fn pack(self, _: &mut Vec<u64>) -> u64 {
        let bits = u64::from(self.0);
        assert!(
            bits <= NO_TASK,
            "task id {bits} exceeds the packed {TASK_BITS}-bit field"
        );
        bits
    }
    fn unpack(bits: u64, _: &[u64]) -> Self {
        TaskId(bits as u32)
    }
}

impl Packed for TimerId {
    const BITS: u32 = 32;
    fn pack(self, _: &mut Vec<u64>) -> u64 {
        self.0.into()
    }
    fn unpack(bits: u64, _: &[u64]) -> Self {
        TimerId(bits as u32)
    }
}

impl Packed for ResourceId {
    const BITS: u32 = RESOURCES_MAX.trailing_zeros();
    fn pack(self, _: &mut Vec<u64>) -> u64 {
        assert!(
            self.0 < RESOURCES_MAX,
            "resource id {} exceeds the packed field (RESOURCES_MAX is {RESOURCES_MAX})",
            self.0
        );
        self.0.into()
    }
    fn unpack(bits: u64, _: &[u64]) -> Self {
        ResourceId(bits as u32)
    }
}

impl Field for Option<TaskId> {
    const LAYOUT: &'static str = "u32?";
    fn hash(&self, h: &mut Fnv64) {
        h.u32(self.map_or(u32::MAX, |t| t.0));
    }
    fn check(&self, trace: &Trace) -> Result<(), String> {
        self.map_or(Ok(()), |t| t.check(trace))
    }
}

impl<'a> ReadField<'a> for Option<TaskId> {
    /// A missing key reads as `None`, like `null`.
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
        match fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => TaskId::read(fields, key).map(Some),
        }
    }
}

impl Packed for Option<TaskId> {
    const BITS: u32 = TASK_BITS;
    fn pack(self, instants_ns: &mut Vec<u64>) -> u64 {
        match self {
            None => NO_TASK,
            Some(task) => {
                let bits = task.pack(instants_ns);
                assert!(bits < NO_TASK, "task id {bits} is the packed form of \"no task\"");
                bits
            }
        }
    }
    fn unpack(bits: u64, instants_ns: &[u64]) -> Self {
        (bits != NO_TASK).then(|| TaskId::unpack(bits, instants_ns))
    }
}

// ----- wake sources -----

/// Bits of the id in an encoded wake source; the two bits above say its kind.
const SOURCE_ID_BITS: u32 = 30;
const SOURCE_ID_MASK: u32 = (1 << SOURCE_ID_BITS) - 1;

/// A wake source as 32 bits: the kind (0 outside, 1 task, 2 timer) above a
/// 30-bit id. The packed event and the waker's shared cell both use it.
pub(crate) fn encode_source(source: WakeSource) -> u32 {
    match source {
        WakeSource::Outside => 0,
        WakeSource::Task(t) => (1 << SOURCE_ID_BITS) | (t.0 & SOURCE_ID_MASK),
        WakeSource::Timer(t) => (2 << SOURCE_ID_BITS) | (t.0 & SOURCE_ID_MASK),
    }
}

/// The wake source [`encode_source`] encoded.
pub(crate) fn decode_source(bits: u32) -> WakeSource {
    let id = bits & SOURCE_ID_MASK;
    match bits >> SOURCE_ID_BITS {
        1 => WakeSource::Task(TaskId(id)),
        2 => WakeSource::Timer(TimerId(id)),
        _ => WakeSource::Outside,
    }
}

impl Field for WakeSource {
    const LAYOUT: &'static str = "source";
    fn hash(&self, h: &mut Fnv64) {
        let (kind, id) = match *self {
            WakeSource::Outside => (0, 0),
            WakeSource::Task(t) => (1, t.0),
            WakeSource::Timer(t) => (2, t.0),
        };
        h.u8(kind);
        h.u32(id);
    }
    fn check(&self, trace: &Trace) -> Result<(), String> {
        match *self {
            WakeSource::Outside => Ok(()),
            WakeSource::Task(t) => t.check(trace),
            WakeSource::Timer(t) => t.check(trace),
        }
    }
}

impl<'a> ReadField<'a> for WakeSource {
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
        match field(fields, key)? {
            Value::String(s) if s == "outside" => Ok(WakeSource::Outside),
            Value::Object(o) if o.len() == 1 => {
                let (k, _) = o.iter().next().expect("one entry");
                match k.as_str() {
                    "task" => Ok(WakeSource::Task(TaskId::read(o, "task")?)),
                    "timer" => Ok(WakeSource::Timer(TimerId::read(o, "timer")?)),
                    other => Err(format!(
                        "field `{key}`: unknown wake source `{other}`, expected `task`, `timer` or `outside`"
                    )),
                }
            }
            other => Err(format!(
                "field `{key}` must be \"outside\", {{\"task\": N}} or {{\"timer\": N}}, found {}",
                kind_of(other)
            )),
        }
    }
}

impl Packed for WakeSource {
    const BITS: u32 = 32;
    fn pack(self, _: &mut Vec<u64>) -> u64 {
        encode_source(self).into()
    }
    fn unpack(bits: u64, _: &[u64]) -> Self {
        decode_source(bits as u32)
    }
}

// ----- picks -----

/// A pick is hashed as its index, then 1 if the slot was refilled, else 0.
impl Field for Pick {
    const LAYOUT: &'static str = "pick";
    fn hash(&self, h: &mut Fnv64) {
        h.u32(self.index);
        h.u8(u8::from(self.refill));
    }
}

impl<'a> ReadField<'a> for Pick {
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
        match field(fields, key)? {
            Value::Object(o) if o.len() == 2 => {
                let index = u32::read(o, "index").map_err(|e| format!("field `{key}`: {e}"))?;
                if index > PICK_INDEX_MAX {
                    return Err(format!(
                        "field `{key}`: index {index} is over the limit {PICK_INDEX_MAX}"
                    ));
                }
                let refill = match o.get("refill") {
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(format!(
                            "field `{key}`: `refill` must be true or false, found {}",
                            kind_of(other)
                        ));
                    }
                    None => return Err(format!("field `{key}`: missing field `refill`")),
                };
                Ok(Pick { index, refill })
            }
            other => Err(format!(
                "field `{key}` must be {{\"index\": N, \"refill\": true|false}}, found {}",
                kind_of(other)
            )),
        }
    }
}

/// 31 bits of index, then the refill bit.
impl Packed for Pick {
    const BITS: u32 = 32;
    fn pack(self, _: &mut Vec<u64>) -> u64 {
        assert!(
            self.index <= PICK_INDEX_MAX,
            "pick index {} over {PICK_INDEX_MAX}",
            self.index
        );
        u64::from(self.index) | (u64::from(self.refill) << 31)
    }
    fn unpack(bits: u64, _: &[u64]) -> Self {
        Pick {
            index: (bits as u32) & PICK_INDEX_MAX,
            refill: (bits >> 31) & 1 == 1,
        }
    }
}

// ----- numbers and text -----

impl Field for u64 {
    const LAYOUT: &'static str = "u64";
    fn hash(&self, h: &mut Fnv64) {
        h.u64(*self);
    }
}

impl<'a> ReadField<'a> for u64 {
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
        let v = field(fields, key)?;
        v.as_u64()
            .ok_or_else(|| format!("field `{key}` must be a whole number, found {}", kind_of(v)))
    }
}

/// A `u64` in an event is a virtual time (`_ns`): it does not fit beside the
/// tag, so it goes to the trace's table of instants and the packed event
/// stores its index there.
impl Packed for u64 {
    const BITS: u32 = 32;
    fn pack(self, instants_ns: &mut Vec<u64>) -> u64 {
        let index = u32::try_from(instants_ns.len()).expect("a trace holds fewer than 2^32 instants");
        instants_ns.push(self);
        index.into()
    }
    fn unpack(bits: u64, instants_ns: &[u64]) -> Self {
        instants_ns[bits as usize]
    }
}

impl Field for u32 {
    const LAYOUT: &'static str = "u32";
    fn hash(&self, h: &mut Fnv64) {
        h.u32(*self);
    }
}

impl<'a> ReadField<'a> for u32 {
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
        let n = u64::read(fields, key)?;
        u32::try_from(n).map_err(|_| format!("field `{key}` is {n}, over the limit {}", u32::MAX))
    }
}

impl Field for &str {
    const LAYOUT: &'static str = "str";
    const VARIABLE: bool = true;
    fn hash(&self, h: &mut Fnv64) {
        h.u32(self.len() as u32);
        h.bytes(self.as_bytes());
    }
}

impl<'a> ReadField<'a> for &'a str {
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
        let v = field(fields, key)?;
        v.as_str()
            .ok_or_else(|| format!("field `{key}` must be a string, found {}", kind_of(v)))
    }
}

// ----- small enums -----

/// A fieldless enum stored as its code: its position in the declaration.
/// Codes are part of the fingerprint, so variants are only ever appended.
pub(crate) trait Coded: Copy + Serialize + DeserializeOwned + 'static {
    /// Every variant, in declaration order: `ALL[v.code()] == v`.
    const ALL: &'static [Self];

    /// The variant's position in the declaration.
    fn code(self) -> u8;

    /// The variant with this code; a code no variant has is a broken invariant.
    fn from_code(code: u8) -> Self {
        Self::ALL[usize::from(code)]
    }
}

/// Declares fieldless enums (attributes, docs and all) and implements
/// [`Coded`] for each, with `ALL` listed from the declaration itself.
macro_rules! coded {
    ($(
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident ),+ $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::trace::codec::Coded for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn code(self) -> u8 {
                self as u8
            }
        }
    )*};
}
pub(crate) use coded;

/// Bits that hold the codes `0..n`.
const fn bits_for(n: usize) -> u32 {
    usize::BITS - (n - 1).leading_zeros()
}

impl<T: Coded> Field for T {
    const LAYOUT: &'static str = "u8";
    fn hash(&self, h: &mut Fnv64) {
        h.u8(self.code());
    }
}

impl<'a, T: Coded> ReadField<'a> for T {
    /// Through the enum's own derive: its error lists the names it accepts.
    fn read(fields: &'a Fields, key: &str) -> Result<Self, String> {
        serde_json::from_value(field(fields, key)?.clone()).map_err(|e| format!("field `{key}`: {e}"))
    }
}

impl<T: Coded> Packed for T {
    const BITS: u32 = bits_for(T::ALL.len());
    fn pack(self, _: &mut Vec<u64>) -> u64 {
        self.code().into()
    }
    fn unpack(bits: u64, _: &[u64]) -> Self {
        T::from_code(bits as u8)
    }
}

// ----- JSON helpers -----

/// The value at `key`, or an error naming it.
pub(crate) fn field<'a>(fields: &'a Fields, key: &str) -> Result<&'a Value, String> {
    fields.get(key).ok_or_else(|| format!("missing field `{key}`"))
}

/// What a JSON value is, for messages: "a string".
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_bits_hold_every_code_and_no_more() {
        assert_eq!([1, 2, 3, 4, 7, 8, 9, 14].map(bits_for), [0, 1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn wake_sources_encode_kind_and_id() {
        for source in [
            WakeSource::Outside,
            WakeSource::Task(TaskId(0)),
            WakeSource::Task(TaskId(TASKS_MAX_CAP - 1)),
            WakeSource::Timer(TimerId(TIMERS_MAX_CAP - 1)),
        ] {
            assert_eq!(decode_source(encode_source(source)), source);
        }
    }
}
