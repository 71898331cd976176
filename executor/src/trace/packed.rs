//! The in-memory form of an event: one `u64`.
//!
//! Layout, low bits first: an 8-bit tag, a 24-bit field `a` (a task id) and a
//! 32-bit field `b` (a timer id, a wake source, a code or a table index).
//! Task ids therefore stay below 2^24 and timer ids below 2^30; the executor
//! enforces both through [`crate::config::TASKS_MAX_CAP`] and
//! [`crate::config::TIMERS_MAX_CAP`]. A clock event stores an index into the
//! trace's table of instants, because a 64-bit time does not fit.

use super::{CancelCause, EndReason, Event, PollResult};
use crate::task::TaskId;
use crate::timer::TimerId;
use crate::waker::WakeSource;

/// One event, packed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PackedEvent(u64);

const A_BITS: u32 = 24;
const A_MASK: u32 = (1 << A_BITS) - 1;
const SOURCE_ID_MASK: u32 = (1 << 30) - 1;

mod tag {
    pub const SPAWNED: u8 = 0;
    pub const POLL_STARTED: u8 = 1;
    pub const POLL_ENDED: u8 = 2;
    pub const WOKEN: u8 = 3;
    pub const TIMER_ARMED: u8 = 4;
    pub const TIMER_FIRED: u8 = 5;
    pub const TIMER_CANCELLED: u8 = 6;
    pub const CLOCK_ADVANCED: u8 = 7;
    pub const COMPLETED: u8 = 8;
    pub const CANCELLED: u8 = 9;
    pub const PANICKED: u8 = 10;
    pub const ENDED: u8 = 11;
}

pub(crate) fn encode_source(source: WakeSource) -> u32 {
    match source {
        WakeSource::Outside => 0,
        WakeSource::Task(t) => (1 << 30) | (t.0 & SOURCE_ID_MASK),
        WakeSource::Timer(t) => (2 << 30) | (t.0 & SOURCE_ID_MASK),
    }
}

pub(crate) fn decode_source(bits: u32) -> WakeSource {
    let id = bits & SOURCE_ID_MASK;
    match bits >> 30 {
        1 => WakeSource::Task(TaskId(id)),
        2 => WakeSource::Timer(TimerId(id)),
        _ => WakeSource::Outside,
    }
}

fn cancel_code(cause: CancelCause) -> u32 {
    match cause {
        CancelCause::Aborted => 0,
        CancelCause::Shutdown => 1,
    }
}

fn cancel_from(code: u32) -> CancelCause {
    match code {
        0 => CancelCause::Aborted,
        _ => CancelCause::Shutdown,
    }
}

pub(crate) const END_REASONS: [EndReason; 6] = [
    EndReason::Completed,
    EndReason::Deadlock,
    EndReason::StepsLimit,
    EndReason::TimeLimit,
    EndReason::TasksLimit,
    EndReason::TimersLimit,
];

pub(crate) fn end_code(reason: EndReason) -> u32 {
    END_REASONS.iter().position(|r| *r == reason).unwrap_or(0) as u32
}

impl PackedEvent {
    fn new(tag: u8, a: u32, b: u32) -> PackedEvent {
        assert!(a <= A_MASK, "task id {a} exceeds the packed 24-bit field");
        PackedEvent(u64::from(tag) | (u64::from(a) << 8) | (u64::from(b) << 32))
    }

    fn tag(self) -> u8 {
        self.0 as u8
    }

    fn a(self) -> u32 {
        ((self.0 >> 8) as u32) & A_MASK
    }

    fn b(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// Packs an event; clock targets are appended to `instants_ns`.
    pub(crate) fn pack(event: Event, instants_ns: &mut Vec<u64>) -> PackedEvent {
        match event {
            Event::Spawned { task } => Self::new(tag::SPAWNED, task.0, 0),
            Event::PollStarted { task } => Self::new(tag::POLL_STARTED, task.0, 0),
            Event::PollEnded { task, result } => {
                Self::new(tag::POLL_ENDED, task.0, (result == PollResult::Pending) as u32)
            }
            Event::Woken { task, source } => Self::new(tag::WOKEN, task.0, encode_source(source)),
            Event::TimerArmed { timer } => Self::new(tag::TIMER_ARMED, 0, timer.0),
            Event::TimerFired { timer } => Self::new(tag::TIMER_FIRED, 0, timer.0),
            Event::TimerCancelled { timer } => Self::new(tag::TIMER_CANCELLED, 0, timer.0),
            Event::ClockAdvanced { to_ns } => {
                let index = instants_ns.len() as u32;
                instants_ns.push(to_ns);
                Self::new(tag::CLOCK_ADVANCED, 0, index)
            }
            Event::Completed { task } => Self::new(tag::COMPLETED, task.0, 0),
            Event::Cancelled { task, cause } => Self::new(tag::CANCELLED, task.0, cancel_code(cause)),
            Event::Panicked { task } => Self::new(tag::PANICKED, task.0, 0),
            Event::Ended { reason } => Self::new(tag::ENDED, 0, end_code(reason)),
        }
    }

    /// Unpacks an event; clock targets are read from `instants_ns`.
    pub(crate) fn unpack(self, instants_ns: &[u64]) -> Event {
        let task = TaskId(self.a());
        let timer = TimerId(self.b());
        match self.tag() {
            tag::SPAWNED => Event::Spawned { task },
            tag::POLL_STARTED => Event::PollStarted { task },
            tag::POLL_ENDED => Event::PollEnded {
                task,
                result: if self.b() == 0 { PollResult::Ready } else { PollResult::Pending },
            },
            tag::WOKEN => Event::Woken { task, source: decode_source(self.b()) },
            tag::TIMER_ARMED => Event::TimerArmed { timer },
            tag::TIMER_FIRED => Event::TimerFired { timer },
            tag::TIMER_CANCELLED => Event::TimerCancelled { timer },
            tag::CLOCK_ADVANCED => Event::ClockAdvanced { to_ns: instants_ns[self.b() as usize] },
            tag::COMPLETED => Event::Completed { task },
            tag::CANCELLED => Event::Cancelled { task, cause: cancel_from(self.b()) },
            tag::PANICKED => Event::Panicked { task },
            tag::ENDED => Event::Ended { reason: END_REASONS[(self.b() as usize).min(END_REASONS.len() - 1)] },
            other => unreachable!("packed events are only written by `pack`; tag {other} is unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_kind_round_trips() {
        let mut instants = Vec::new();
        let events = [
            Event::Spawned { task: TaskId(7) },
            Event::PollStarted { task: TaskId(A_MASK) },
            Event::PollEnded { task: TaskId(1), result: PollResult::Ready },
            Event::PollEnded { task: TaskId(1), result: PollResult::Pending },
            Event::Woken { task: TaskId(2), source: WakeSource::Task(TaskId(3)) },
            Event::Woken { task: TaskId(2), source: WakeSource::Timer(TimerId(SOURCE_ID_MASK)) },
            Event::Woken { task: TaskId(2), source: WakeSource::Outside },
            Event::TimerArmed { timer: TimerId(u32::MAX) },
            Event::TimerFired { timer: TimerId(4) },
            Event::TimerCancelled { timer: TimerId(5) },
            Event::ClockAdvanced { to_ns: u64::MAX },
            Event::Completed { task: TaskId(0) },
            Event::Cancelled { task: TaskId(9), cause: CancelCause::Aborted },
            Event::Cancelled { task: TaskId(9), cause: CancelCause::Shutdown },
            Event::Panicked { task: TaskId(10) },
            Event::Ended { reason: EndReason::TimersLimit },
            Event::Ended { reason: EndReason::Completed },
        ];
        for event in events {
            let packed = PackedEvent::pack(event, &mut instants);
            assert_eq!(packed.unpack(&instants), event);
        }
        assert_eq!(std::mem::size_of::<PackedEvent>(), 8);
    }
}
