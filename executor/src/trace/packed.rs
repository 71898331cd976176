//! The in-memory form of an event: one `u64`.
//!
//! Layout, low bits first: an 8-bit tag, a 24-bit field `a` (a task id) and a
//! 32-bit field `b` (a timer id, a wake source, a code or a table index).
//! Task ids therefore stay below 2^24 and timer ids below 2^30; the executor
//! enforces both through [`crate::config::TASKS_MAX_CAP`] and
//! [`crate::config::TIMERS_MAX_CAP`]. A clock event stores an index into the
//! trace's table of instants, because a 64-bit time does not fit.

use super::{
    CancelCause, DropCause, EndReason, Event, ExitReason, FaultKind, PollResult, ResourceId, ResourceKind, ResourceOp,
};
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
    pub const WORKED: u8 = 12;
    pub const LONG_POLL: u8 = 13;
    pub const FUTURE_DROPPED: u8 = 14;
    pub const RESOURCE_CREATED: u8 = 15;
    pub const LINKED: u8 = 16;
    pub const EXITED: u8 = 17;
    pub const EXIT_TRAPPED: u8 = 18;
    pub const EXIT_KILLED: u8 = 19;
    pub const CHECK_FAILED: u8 = 20;
    /// `FAULT + kind code`.
    pub const FAULT: u8 = 32;
    /// `RESOURCE + op code`.
    pub const RESOURCE: u8 = 64;
}

/// The 24-bit `a` field of an event about no task.
const NO_TASK: u32 = A_MASK;

/// Small enums stored as their position in `ALL`, in the packed form and in
/// the fingerprint. Appending a variant keeps every existing code.
pub(crate) trait Coded: Copy + PartialEq + 'static {
    const ALL: &'static [Self];

    fn code(self) -> u32 {
        Self::ALL
            .iter()
            .position(|v| *v == self)
            .expect("ALL lists every variant") as u32
    }

    fn from_code(code: u32) -> Self {
        Self::ALL[(code as usize).min(Self::ALL.len() - 1)]
    }
}

impl Coded for CancelCause {
    const ALL: &'static [Self] = &[
        CancelCause::Aborted,
        CancelCause::Shutdown,
        CancelCause::Killed,
        CancelCause::Exited,
    ];
}

impl Coded for DropCause {
    const ALL: &'static [Self] = &[DropCause::Timeout, DropCause::Select];
}

impl Coded for ResourceKind {
    const ALL: &'static [Self] = &[
        ResourceKind::Channel,
        ResourceKind::Oneshot,
        ResourceKind::FairMutex,
        ResourceKind::UnfairMutex,
        ResourceKind::Semaphore,
        ResourceKind::Notify,
        ResourceKind::Mailbox,
    ];
}

impl Coded for ResourceOp {
    const ALL: &'static [Self] = &[
        ResourceOp::Send,
        ResourceOp::Recv,
        ResourceOp::BlockedOnFull,
        ResourceOp::BlockedOnEmpty,
        ResourceOp::Lock,
        ResourceOp::Unlock,
        ResourceOp::BlockedOnLock,
        ResourceOp::Acquire,
        ResourceOp::Release,
        ResourceOp::BlockedOnPermit,
        ResourceOp::Notify,
        ResourceOp::BlockedOnNotify,
        ResourceOp::GaveUp,
        ResourceOp::Closed,
    ];
}

impl Coded for ExitReason {
    const ALL: &'static [Self] = &[ExitReason::Normal, ExitReason::Error, ExitReason::Killed];
}

impl Coded for FaultKind {
    const ALL: &'static [Self] = &[
        FaultKind::Delay,
        FaultKind::SpuriousWake,
        FaultKind::TimerJitter,
        FaultKind::Buggify,
    ];
}

impl Coded for EndReason {
    const ALL: &'static [Self] = &[
        EndReason::Completed,
        EndReason::Deadlock,
        EndReason::StepsLimit,
        EndReason::TimeLimit,
        EndReason::TasksLimit,
        EndReason::TimersLimit,
        EndReason::CheckFailed,
    ];
}

fn opt_task(task: Option<TaskId>) -> u32 {
    task.map_or(NO_TASK, |t| t.0)
}

fn task_opt(a: u32) -> Option<TaskId> {
    (a != NO_TASK).then_some(TaskId(a))
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
            Event::Cancelled { task, cause } => Self::new(tag::CANCELLED, task.0, cause.code()),
            Event::Panicked { task } => Self::new(tag::PANICKED, task.0, 0),
            Event::Ended { reason } => Self::new(tag::ENDED, 0, reason.code()),
            Event::Worked { task, to_ns } => {
                let index = instants_ns.len() as u32;
                instants_ns.push(to_ns);
                Self::new(tag::WORKED, task.0, index)
            }
            Event::LongPoll { task } => Self::new(tag::LONG_POLL, task.0, 0),
            Event::FutureDropped { task, cause } => Self::new(tag::FUTURE_DROPPED, task.0, cause.code()),
            Event::ResourceCreated { resource } => Self::new(tag::RESOURCE_CREATED, 0, resource.0),
            Event::Resource { resource, task, op } => {
                Self::new(tag::RESOURCE + op.code() as u8, opt_task(task), resource.0)
            }
            Event::Linked { task, peer } => Self::new(tag::LINKED, task.0, peer.0),
            Event::Exited { task, reason } => Self::new(tag::EXITED, task.0, reason.code()),
            Event::ExitTrapped { task, from } => Self::new(tag::EXIT_TRAPPED, task.0, from.0),
            Event::ExitKilled { task, from } => Self::new(tag::EXIT_KILLED, task.0, from.0),
            Event::Fault { task, fault } => Self::new(tag::FAULT + fault.code() as u8, opt_task(task), 0),
            Event::CheckFailed { task } => Self::new(tag::CHECK_FAILED, opt_task(task), 0),
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
                result: if self.b() == 0 {
                    PollResult::Ready
                } else {
                    PollResult::Pending
                },
            },
            tag::WOKEN => Event::Woken {
                task,
                source: decode_source(self.b()),
            },
            tag::TIMER_ARMED => Event::TimerArmed { timer },
            tag::TIMER_FIRED => Event::TimerFired { timer },
            tag::TIMER_CANCELLED => Event::TimerCancelled { timer },
            tag::CLOCK_ADVANCED => Event::ClockAdvanced {
                to_ns: instants_ns[self.b() as usize],
            },
            tag::COMPLETED => Event::Completed { task },
            tag::CANCELLED => Event::Cancelled {
                task,
                cause: CancelCause::from_code(self.b()),
            },
            tag::PANICKED => Event::Panicked { task },
            tag::ENDED => Event::Ended {
                reason: EndReason::from_code(self.b()),
            },
            tag::WORKED => Event::Worked {
                task,
                to_ns: instants_ns[self.b() as usize],
            },
            tag::LONG_POLL => Event::LongPoll { task },
            tag::FUTURE_DROPPED => Event::FutureDropped {
                task,
                cause: DropCause::from_code(self.b()),
            },
            tag::RESOURCE_CREATED => Event::ResourceCreated {
                resource: ResourceId(self.b()),
            },
            tag::LINKED => Event::Linked {
                task,
                peer: TaskId(self.b()),
            },
            tag::EXITED => Event::Exited {
                task,
                reason: ExitReason::from_code(self.b()),
            },
            tag::EXIT_TRAPPED => Event::ExitTrapped {
                task,
                from: TaskId(self.b()),
            },
            tag::EXIT_KILLED => Event::ExitKilled {
                task,
                from: TaskId(self.b()),
            },
            tag::CHECK_FAILED => Event::CheckFailed {
                task: task_opt(self.a()),
            },
            t if (tag::FAULT..tag::FAULT + FaultKind::ALL.len() as u8).contains(&t) => Event::Fault {
                task: task_opt(self.a()),
                fault: FaultKind::from_code(u32::from(t - tag::FAULT)),
            },
            t if (tag::RESOURCE..tag::RESOURCE + ResourceOp::ALL.len() as u8).contains(&t) => Event::Resource {
                resource: ResourceId(self.b()),
                task: task_opt(self.a()),
                op: ResourceOp::from_code(u32::from(t - tag::RESOURCE)),
            },
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
            Event::PollEnded {
                task: TaskId(1),
                result: PollResult::Ready,
            },
            Event::PollEnded {
                task: TaskId(1),
                result: PollResult::Pending,
            },
            Event::Woken {
                task: TaskId(2),
                source: WakeSource::Task(TaskId(3)),
            },
            Event::Woken {
                task: TaskId(2),
                source: WakeSource::Timer(TimerId(SOURCE_ID_MASK)),
            },
            Event::Woken {
                task: TaskId(2),
                source: WakeSource::Outside,
            },
            Event::TimerArmed {
                timer: TimerId(u32::MAX),
            },
            Event::TimerFired { timer: TimerId(4) },
            Event::TimerCancelled { timer: TimerId(5) },
            Event::ClockAdvanced { to_ns: u64::MAX },
            Event::Completed { task: TaskId(0) },
            Event::Cancelled {
                task: TaskId(9),
                cause: CancelCause::Aborted,
            },
            Event::Cancelled {
                task: TaskId(9),
                cause: CancelCause::Shutdown,
            },
            Event::Panicked { task: TaskId(10) },
            Event::Ended {
                reason: EndReason::TimersLimit,
            },
            Event::Ended {
                reason: EndReason::Completed,
            },
            Event::Worked {
                task: TaskId(3),
                to_ns: 8_000_001,
            },
            Event::LongPoll { task: TaskId(3) },
            Event::FutureDropped {
                task: TaskId(3),
                cause: DropCause::Select,
            },
            Event::ResourceCreated {
                resource: ResourceId(u32::MAX),
            },
            Event::Linked {
                task: TaskId(1),
                peer: TaskId(2),
            },
            Event::Exited {
                task: TaskId(1),
                reason: ExitReason::Killed,
            },
            Event::ExitTrapped {
                task: TaskId(1),
                from: TaskId(2),
            },
            Event::ExitKilled {
                task: TaskId(2),
                from: TaskId(1),
            },
            Event::CheckFailed { task: None },
            Event::CheckFailed { task: Some(TaskId(0)) },
        ];
        let mut events = events.to_vec();
        for &fault in FaultKind::ALL {
            events.push(Event::Fault {
                task: Some(TaskId(4)),
                fault,
            });
            events.push(Event::Fault { task: None, fault });
        }
        for &op in ResourceOp::ALL {
            events.push(Event::Resource {
                resource: ResourceId(6),
                task: Some(TaskId(5)),
                op,
            });
            events.push(Event::Resource {
                resource: ResourceId(6),
                task: None,
                op,
            });
        }
        for &reason in EndReason::ALL {
            events.push(Event::Ended { reason });
        }
        for event in events {
            let packed = PackedEvent::pack(event, &mut instants);
            assert_eq!(packed.unpack(&instants), event);
        }
        assert_eq!(std::mem::size_of::<PackedEvent>(), 8);
    }
}
