//! The trace fingerprint: FNV-1a (64-bit) over the trace's canonical encoding.
//!
//! The canonical encoding is defined here and nowhere else, so the value is
//! the same on every target and in every build: Rust's `Hash` is not used
//! because its output may change between targets and compiler versions.
//!
//! Encoding: the 4-byte little-endian format version, then per event its code
//! byte followed by its fields — the fixed-size ones in the order of its row
//! in the event table (`event.rs`), then its strings, in that order too.
//! Integers are little-endian; `u32?` is a task id or `u32::MAX` for none;
//! `u8` is a small enum's code, its position in the declaration (appended to,
//! never reordered: `result` is 0 ready, 1 pending); `source` is a `u8` kind
//! (0 outside, 1 task, 2 timer) then a `u32` id (0 when outside); `pick` is
//! the `u32` queue index then a `u8` (1 refilled, 0 not); `str` is a
//! `u32` byte length then the UTF-8 bytes. Side fields (a task's name, a
//! timer's deadline, a panic's message, a printed text) are hashed with the
//! event that introduces them. The codes and fields below are generated from
//! the event table, and a test checks this table against it:
//!
//! | code | event              | fields, in hash order                                   |
//! |------|--------------------|---------------------------------------------------------|
//! | 0    | `spawned`          | task u32, parent u32?, name str                         |
//! | 1    | `poll_started`     | task u32, pick pick                                     |
//! | 2    | `poll_ended`       | task u32, result u8                                     |
//! | 3    | `woken`            | task u32, by source                                     |
//! | 4    | `timer_armed`      | timer u32, owner u32?, deadline_ns u64                  |
//! | 5    | `timer_fired`      | timer u32                                               |
//! | 6    | `timer_cancelled`  | timer u32                                               |
//! | 7    | `clock_advanced`   | to_ns u64                                               |
//! | 8    | `completed`        | task u32                                                |
//! | 9    | `cancelled`        | task u32, cause u8                                      |
//! | 10   | `panicked`         | task u32, message str                                   |
//! | 11   | `ended`            | reason u8                                               |
//! | 12   | `worked`           | task u32, to_ns u64                                     |
//! | 13   | `long_poll`        | task u32                                                |
//! | 14   | `future_dropped`   | task u32, cause u8                                      |
//! | 15   | `resource_created` | resource u32, resource_kind u8, capacity u32, name str  |
//! | 16   | `resource`         | resource u32, task u32?, op u8                          |
//! | 17   | `linked`           | task u32, peer u32                                      |
//! | 18   | `exited`           | task u32, reason u8                                     |
//! | 19   | `exit_trapped`     | task u32, from u32                                      |
//! | 20   | `exit_killed`      | task u32, from u32                                      |
//! | 21   | `fault`            | task u32?, fault u8                                     |
//! | 22   | `check_failed`     | task u32?, message str                                  |
//! | 23   | `delayed`          | task u32, pick pick                                     |
//! | 24   | `printed`          | task u32?, text str                                     |
//!
//! The header (seed, policy, scenario) is deliberately not part of it: two
//! configurations that schedule identically have the same fingerprint.

use super::codec::{Field, FieldVisitor};
use super::fnv::Fnv64;
use super::side::SideCursor;
use super::{Event, TRACE_VERSION, Trace};

impl Trace {
    /// A stable 64-bit fingerprint of the events (see the module docs of
    /// `trace::fingerprint` for the exact encoding).
    ///
    /// Same program, same seed, same policy ⇒ same fingerprint, on native and
    /// on wasm32 alike.
    ///
    /// ```
    /// use std::time::Duration;
    /// let run = |seed| {
    ///     let mut sim = wakescope::Sim::new(wakescope::Config::seeded(seed));
    ///     sim.spawn("a", async { wakescope::sleep(Duration::from_secs(1)).await });
    ///     sim.run();
    ///     sim.trace().fingerprint()
    /// };
    /// assert_eq!(run(7), run(7));
    /// ```
    pub fn fingerprint(&self) -> u64 {
        let mut f = Fingerprinter::new();
        f.feed(self, usize::MAX);
        f.value()
    }

    /// The fingerprint as 16 lowercase hex digits, as the CLI and app print it.
    pub fn fingerprint_hex(&self) -> String {
        format!("{:016x}", self.fingerprint())
    }

    /// Each event's own hash, over the bytes the fingerprint feeds for it
    /// (its side fields included), in order: two events with equal hashes
    /// are the same event, whatever their words show.
    pub(crate) fn event_hashes(&self) -> impl Iterator<Item = u64> + '_ {
        let mut cursor = SideCursor::default();
        self.iter().map(move |r| {
            let mut h = Fnv64::new();
            self.hash_event(&mut h, r.event, &mut cursor);
            h.finish()
        })
    }

    /// Hashes one event: its code, then its fields (fixed-size first).
    pub(crate) fn hash_event(&self, h: &mut Fnv64, event: Event, cursor: &mut SideCursor) {
        h.u8(event.kind().code());
        let side = event.side(self, cursor);
        event.visit_fields(
            &side,
            &mut Hashing {
                h: &mut *h,
                variable: false,
            },
        );
        event.visit_fields(&side, &mut Hashing { h, variable: true });
    }
}

/// One pass of hashing an event's fields: the fixed-size ones, or the strings.
struct Hashing<'h> {
    h: &'h mut Fnv64,
    /// Which fields this pass hashes.
    variable: bool,
}

impl FieldVisitor for Hashing<'_> {
    #[inline]
    fn field<T: Field>(&mut self, _key: &'static str, value: &T, _in_side_table: bool) {
        if T::VARIABLE == self.variable {
            value.hash(self.h);
        }
    }
}

/// A trace's fingerprint computed a slice at a time, for a UI that records a
/// long run while drawing frames: feed it the events as they arrive, a
/// bounded number per call; the result equals [`Trace::fingerprint`].
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(3));
/// sim.spawn("a", async { wakescope::yield_now().await });
/// sim.run();
/// let mut f = wakescope::trace::Fingerprinter::new();
/// while f.feed(&sim.trace(), 2) > 0 {}
/// assert_eq!(f.value(), sim.trace().fingerprint());
/// ```
#[derive(Debug, Clone)]
pub struct Fingerprinter {
    hash: u64,
    /// Events hashed so far.
    next: usize,
    /// Where the hashed events are in the side tables read in order.
    cursor: SideCursor,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter::new()
    }
}

impl Fingerprinter {
    /// A fingerprint of no events yet.
    pub fn new() -> Fingerprinter {
        let mut h = Fnv64::new();
        h.u32(TRACE_VERSION);
        Fingerprinter {
            hash: h.finish(),
            next: 0,
            cursor: SideCursor::default(),
        }
    }

    /// Hashes up to `events_max` more events of `trace` (which must be the
    /// same trace, grown, as before) and returns how many remain unhashed.
    pub fn feed(&mut self, trace: &Trace, events_max: usize) -> usize {
        let end = trace.len().min(self.next.saturating_add(events_max));
        let mut h = Fnv64(self.hash);
        for seq in self.next..end {
            let event = trace.get(seq).expect("seq below the trace length");
            trace.hash_event(&mut h, event, &mut self.cursor);
        }
        self.hash = h.finish();
        self.next = end;
        trace.len() - end
    }

    /// Events hashed so far.
    pub fn hashed(&self) -> usize {
        self.next
    }

    /// The fingerprint of the events hashed so far.
    pub fn value(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        let hash = |s: &str| {
            let mut h = Fnv64::new();
            h.bytes(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }
}
