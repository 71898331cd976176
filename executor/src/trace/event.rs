//! The event table: every kind of event, defined once.
//!
//! Each row below is one variant of [`Event`] — its docs, fields and types
//! exactly as the enum has them — with what the encodings need to know:
//!
//! ```text
//! /// docs
//! Name = code "json_name" { field: Type, field: Type as "json_key" }
//!     creates field   about field   clock field
//!     side NameSide<'s> { side_field: Type };
//! ```
//!
//! - **code** — the event's number: its tag in the packed `u64` and its tag
//!   byte in the fingerprint. Codes are part of the fingerprint: never change
//!   or reuse one; a new event takes the next free code.
//! - **json_name** — the `kind` of its JSON lines; `as "json_key"` renames a
//!   field in JSON (`source` is written `by`).
//! - **`creates`** — the field is a new id (a spawned task, an armed timer, a
//!   created resource); the reader checks it is the next one and under its
//!   limit. Every other id must already exist.
//! - **`about`** — the field [`Event::task`] returns (`TaskId` or
//!   `Option<TaskId>`).
//! - **`clock`** — the field is the virtual time the event moves the clock to.
//! - **`side`** — fields kept in the trace's side tables rather than in the
//!   event (a task's name, a panic's message): they are written to JSON and
//!   hashed with the event. `side.rs` says where each lives (`get`/`store`).
//!
//! Each field's type brings its own encodings (`codec.rs`): packed bits,
//! fingerprint bytes, JSON value and the reader's checks. From the rows,
//! [`event_table!`](super::table) generates the enum, [`EventKind`] (names,
//! codes, `ALL`), packing, the JSON writer and reader, and the fingerprint.
//! JSON keys follow the row order: the event's fields, then its side fields.
//! The fingerprint hashes the fixed-size fields in that order, then the
//! strings (see `fingerprint.rs`, whose doc table a test checks against
//! these rows).
//!
//! # Adding an event
//! 1. A row here, with the next free code (plus, for side fields, their
//!    struct's `get`/`store` in `side.rs` next to the table they live in),
//!    and a line for it in the doc table of `fingerprint.rs` — the test
//!    `the_fingerprint_doc_table_matches_the_event_table` prints it.
//! 2. The describer, `crate::describe::describe`, which matches every
//!    event: the compiler points at it.
//! 3. The view fold, `crate::view::ViewState::apply`, which matches every
//!    event too (and so does the trace checker of the tests, `tests/support`).
//!
//! Nothing else: packing, JSON, the fingerprint and their tests follow the
//! table (the tests enumerate [`EventKind::ALL`] and sample every field), and
//! the Chrome export shows an event it does not draw specially as an instant
//! on the thread of its [`Event::task`]. A row's position is the variant's
//! place in the enum and in [`EventKind::ALL`]; the tests record the kinds in
//! that order, so a kind that makes ids comes before the kinds that use them.
//! A field of a type no row has used yet also needs that type's codec in
//! `codec.rs` and its samples in `tests.rs`.

#[cfg(doc)]
use super::Trace;
use super::table::event_table;
use super::{
    CancelCause, DropCause, EndReason, ExitReason, FaultKind, Pick, PollResult, ResourceId, ResourceKind, ResourceOp,
};
use crate::task::TaskId;
use crate::timer::TimerId;
use crate::waker::WakeSource;

event_table! {
    /// One state change of a run.
    ///
    /// Ids refer to the trace's side tables: [`Trace::task`], [`Trace::timer`],
    /// [`Trace::panic_message`], [`Trace::printed_text`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Event {
        /// A task was created and scheduled (its name and parent: [`Trace::task`]).
        Spawned = 0 "spawned" { task: TaskId }
            creates task about task side SpawnSide<'s> { name: &'s str, parent: Option<TaskId> };
        /// The executor picked `task` from the ready queue and called `poll`.
        PollStarted = 1 "poll_started" { task: TaskId, pick: Pick } about task;
        /// `poll` returned.
        PollEnded = 2 "poll_ended" { task: TaskId, result: PollResult } about task;
        /// `task`'s waker was called by `source`.
        Woken = 3 "woken" { task: TaskId, source: WakeSource as "by" } about task;
        /// A timer was armed (its owner and deadline: [`Trace::timer`]).
        TimerArmed = 4 "timer_armed" { timer: TimerId }
            creates timer side TimerSide { owner: Option<TaskId>, deadline_ns: u64 };
        /// A timer reached its deadline and woke its waker.
        TimerFired = 5 "timer_fired" { timer: TimerId };
        /// A timer was dropped before its deadline.
        TimerCancelled = 6 "timer_cancelled" { timer: TimerId };
        /// Nothing was runnable, so virtual time jumped to the next deadline.
        ClockAdvanced = 7 "clock_advanced" { to_ns: u64 } clock to_ns;
        /// The task's future returned `Poll::Ready`.
        Completed = 8 "completed" { task: TaskId } about task;
        /// The task's future was dropped before it finished.
        Cancelled = 9 "cancelled" { task: TaskId, cause: CancelCause } about task;
        /// The task's future panicked (message: [`Trace::panic_message`]).
        Panicked = 10 "panicked" { task: TaskId } about task side PanicSide<'s> { message: &'s str };
        /// CPU-bound work inside a poll moved the clock to `to_ns`: nothing else
        /// ran meanwhile (see [`crate::work`]).
        Worked = 12 "worked" { task: TaskId, to_ns: u64 } about task clock to_ns;
        /// The poll that just ended held the executor longer than
        /// [`crate::LONG_POLL`]: it blocked the executor.
        LongPoll = 13 "long_poll" { task: TaskId } about task;
        /// A future inside `task` was dropped before it finished.
        FutureDropped = 14 "future_dropped" { task: TaskId, cause: DropCause } about task;
        /// A resource was created (its kind, name, capacity: [`Trace::resource`]).
        ResourceCreated = 15 "resource_created" { resource: ResourceId }
            creates resource side ResourceSide<'s> { resource_kind: ResourceKind, name: &'s str, capacity: u32 };
        /// An operation on a resource, by `task` (`None`: from outside any task).
        Resource = 16 "resource" { resource: ResourceId, task: Option<TaskId>, op: ResourceOp } about task;
        /// `task` linked itself to `peer`: each one's exit signals the other.
        Linked = 17 "linked" { task: TaskId, peer: TaskId } about task;
        /// `task` ended; linked tasks are signalled with `reason`.
        Exited = 18 "exited" { task: TaskId, reason: ExitReason } about task;
        /// An exit signal from `from` reached `task`, which traps exits: it
        /// arrives as a message instead of killing.
        ExitTrapped = 19 "exit_trapped" { task: TaskId, from: TaskId } about task;
        /// An exit signal from `from` killed `task` (a `Cancelled` follows).
        ExitKilled = 20 "exit_killed" { task: TaskId, from: TaskId } about task;
        /// The simulation injected a fault.
        Fault = 21 "fault" { task: Option<TaskId>, fault: FaultKind } about task;
        /// An invariant check failed (message: [`Trace::check_message`]).
        CheckFailed = 22 "check_failed" { task: Option<TaskId> } about task side CheckSide<'s> { message: &'s str };
        /// A delay fault: the executor took `task` from the ready queue as for
        /// a poll, then put it back at the end instead of polling it.
        Delayed = 23 "delayed" { task: TaskId, pick: Pick } about task;
        /// A line printed through the simulation by `task` (`None`: from
        /// outside any task) with [`crate::println!`]; its text:
        /// [`Trace::printed_text`], at most [`super::PRINTED_BYTES_MAX`] bytes.
        Printed = 24 "printed" { task: Option<TaskId> } about task side PrintSide<'s> { text: &'s str };
        /// The run stopped.
        Ended = 11 "ended" { reason: EndReason };
    }
}
