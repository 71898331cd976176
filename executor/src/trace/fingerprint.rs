//! The trace fingerprint: FNV-1a (64-bit) over the trace's canonical encoding.
//!
//! The canonical encoding is defined here and nowhere else, so the value is
//! the same on every target and in every build: Rust's `Hash` is not used
//! because its output may change between targets and compiler versions.
//!
//! Encoding: the 4-byte little-endian format version, then per event a tag
//! byte followed by its fields, integers little-endian:
//!
//! | event            | tag | fields                                                       |
//! |------------------|-----|--------------------------------------------------------------|
//! | spawned          | 0   | task u32, parent u32 (`u32::MAX` = none), name len u32, name |
//! | poll started     | 1   | task u32                                                     |
//! | poll ended       | 2   | task u32, result u8 (0 ready, 1 pending)                     |
//! | woken            | 3   | task u32, source kind u8 (0 outside, 1 task, 2 timer), id u32 |
//! | timer armed      | 4   | timer u32, owner u32 (`u32::MAX` = none), deadline u64 ns    |
//! | timer fired      | 5   | timer u32                                                    |
//! | timer cancelled  | 6   | timer u32                                                    |
//! | clock advanced   | 7   | to u64 ns                                                    |
//! | completed        | 8   | task u32                                                     |
//! | cancelled        | 9   | task u32, cause u8 (0 aborted, 1 shutdown, 2 killed, 3 exited) |
//! | panicked         | 10  | task u32, message len u32, message                           |
//! | ended            | 11  | reason u8                                                    |
//! | worked           | 12  | task u32, to u64 ns                                          |
//! | long poll        | 13  | task u32                                                     |
//! | future dropped   | 14  | task u32, cause u8                                           |
//! | resource created | 15  | resource u32, kind u8, capacity u32, name len u32, name      |
//! | resource op      | 16  | resource u32, task u32 (`u32::MAX` = none), op u8            |
//! | linked           | 17  | task u32, peer u32                                           |
//! | exited           | 18  | task u32, reason u8                                          |
//! | exit trapped     | 19  | task u32, from u32                                           |
//! | exit killed      | 20  | task u32, from u32                                           |
//! | fault            | 21  | task u32 (`u32::MAX` = none), fault u8                       |
//! | check failed     | 22  | task u32 (`u32::MAX` = none), message len u32, message       |
//!
//! Small enums (cause, reason, kind, op, fault) are encoded as their code:
//! their position in the declaration, which only ever grows at the end.
//!
//! The header (seed, policy, scenario) is deliberately not part of it: two
//! configurations that schedule identically have the same fingerprint.

use super::packed::Coded;
use super::{Event, PollResult, TRACE_VERSION, Trace};
use crate::task::TaskId;
use crate::waker::WakeSource;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// An incremental FNV-1a 64-bit hasher.
pub(crate) struct Fnv64(u64);

impl Fnv64 {
    pub(crate) fn new() -> Fnv64 {
        Fnv64(FNV_OFFSET)
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }

    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes(s.as_bytes());
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

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

    fn hash_event(&self, h: &mut Fnv64, event: Event, checks: &mut usize) {
        const NONE: u32 = u32::MAX;
        let opt = |t: Option<TaskId>| t.map_or(NONE, |t| t.0);
        match event {
            Event::Spawned { task } => {
                h.u8(0);
                h.u32(task.0);
                let info = self.task(task);
                h.u32(info.and_then(|i| i.parent).map_or(NONE, |p| p.0));
                h.str(info.map_or("", |i| i.name));
            }
            Event::PollStarted { task } => {
                h.u8(1);
                h.u32(task.0);
            }
            Event::PollEnded { task, result } => {
                h.u8(2);
                h.u32(task.0);
                h.u8((result == PollResult::Pending) as u8);
            }
            Event::Woken { task, source } => {
                h.u8(3);
                h.u32(task.0);
                let (kind, id) = match source {
                    WakeSource::Outside => (0, 0),
                    WakeSource::Task(t) => (1, t.0),
                    WakeSource::Timer(t) => (2, t.0),
                };
                h.u8(kind);
                h.u32(id);
            }
            Event::TimerArmed { timer } => {
                h.u8(4);
                h.u32(timer.0);
                let info = self.timer(timer);
                h.u32(info.and_then(|i| i.owner).map_or(NONE, |o| o.0));
                h.u64(info.map_or(0, |i| i.deadline_ns));
            }
            Event::TimerFired { timer } => {
                h.u8(5);
                h.u32(timer.0);
            }
            Event::TimerCancelled { timer } => {
                h.u8(6);
                h.u32(timer.0);
            }
            Event::ClockAdvanced { to_ns } => {
                h.u8(7);
                h.u64(to_ns);
            }
            Event::Completed { task } => {
                h.u8(8);
                h.u32(task.0);
            }
            Event::Cancelled { task, cause } => {
                h.u8(9);
                h.u32(task.0);
                h.u8(cause.code() as u8);
            }
            Event::Panicked { task } => {
                h.u8(10);
                h.u32(task.0);
                h.str(self.panic_message(task).unwrap_or(""));
            }
            Event::Ended { reason } => {
                h.u8(11);
                h.u8(reason.code() as u8);
            }
            Event::Worked { task, to_ns } => {
                h.u8(12);
                h.u32(task.0);
                h.u64(to_ns);
            }
            Event::LongPoll { task } => {
                h.u8(13);
                h.u32(task.0);
            }
            Event::FutureDropped { task, cause } => {
                h.u8(14);
                h.u32(task.0);
                h.u8(cause.code() as u8);
            }
            Event::ResourceCreated { resource } => {
                h.u8(15);
                h.u32(resource.0);
                let info = self.resource(resource);
                h.u8(info.map_or(0, |i| i.kind.code() as u8));
                h.u32(info.map_or(0, |i| i.capacity));
                h.str(info.map_or("", |i| i.name));
            }
            Event::Resource { resource, task, op } => {
                h.u8(16);
                h.u32(resource.0);
                h.u32(opt(task));
                h.u8(op.code() as u8);
            }
            Event::Linked { task, peer } => {
                h.u8(17);
                h.u32(task.0);
                h.u32(peer.0);
            }
            Event::Exited { task, reason } => {
                h.u8(18);
                h.u32(task.0);
                h.u8(reason.code() as u8);
            }
            Event::ExitTrapped { task, from } => {
                h.u8(19);
                h.u32(task.0);
                h.u32(from.0);
            }
            Event::ExitKilled { task, from } => {
                h.u8(20);
                h.u32(task.0);
                h.u32(from.0);
            }
            Event::Fault { task, fault } => {
                h.u8(21);
                h.u32(opt(task));
                h.u8(fault.code() as u8);
            }
            Event::CheckFailed { task } => {
                h.u8(22);
                h.u32(opt(task));
                h.str(self.check_message(*checks).unwrap_or(""));
                *checks += 1;
            }
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
    /// Failed checks seen so far (their messages are looked up in order).
    checks: usize,
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
            checks: 0,
        }
    }

    /// Hashes up to `events_max` more events of `trace` (which must be the
    /// same trace, grown, as before) and returns how many remain unhashed.
    pub fn feed(&mut self, trace: &Trace, events_max: usize) -> usize {
        let end = trace.len().min(self.next.saturating_add(events_max));
        let mut h = Fnv64(self.hash);
        for seq in self.next..end {
            let event = trace.get(seq).expect("seq below the trace length");
            trace.hash_event(&mut h, event, &mut self.checks);
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
