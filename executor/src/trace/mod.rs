//! The trace: every state change of a run, in order.
//!
//! The trace is the only contract between the executor and everything that
//! looks at a run — the browser app folds it into the view at step k, the CLI
//! prints and exports it, tests assert on it. Nothing outside this crate needs
//! the executor's internals.
//!
//! # Design
//! - An event is a small `Copy` value ([`Event`]) naming tasks and timers by id.
//!   What an id stands for (a task's name and parent, a timer's owner and
//!   deadline, a panic's message) lives once in side tables, so the event
//!   stream itself stays compact: in memory each event is one packed `u64`
//!   (8 bytes; see `packed.rs`).
//! - Every kind of event is defined once, as a row of the event table
//!   (`event.rs`): its fields, its JSON name and its code. The enum, the
//!   packing, the JSON lines and the fingerprint are generated from the rows
//!   (`table.rs`), and each field type brings its own encodings (`codec.rs`);
//!   what side tables hold is in `side.rs`. `event.rs` says how to add one.
//! - Events carry no timestamp of their own. Virtual time only moves through
//!   [`Event::ClockAdvanced`] and [`Event::Worked`], so the time of event k is
//!   the target of the last such event before it (or the trace's start time);
//!   [`Trace::iter`] computes it on the fly.
//! - A trace may *continue* another: [`crate::Sim::take_trace`] hands over
//!   the trace so far and records on in one that keeps the run's ids and
//!   carries the tables of everything created before the cut (task names and
//!   parents, timer owners and deadlines, resources), starting at the virtual
//!   time of the cut. Each of the two is complete in itself: every id its
//!   events use resolves, and its JSON lines read back whole.
//! - The sequence number of an event is its index.
//! - Recording can be switched off ([`crate::Config::record_trace`]); the
//!   executor then skips every push and the trace stays empty.
//!
//! A trace has a stable 64-bit [fingerprint](Trace::fingerprint) defined over
//! its canonical byte encoding, identical on every target, and serializes to
//! JSON lines ([`Trace::to_jsonl`], [`Trace::from_jsonl`]).

mod chunked;
mod codec;
mod event;
mod fingerprint;
mod fnv;
mod jsonl;
mod packed;
mod side;
mod sites;
mod table;
#[cfg(test)]
mod tests;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::task::TaskId;
use crate::timer::TimerId;

use chunked::Chunked;
use codec::coded;
pub(crate) use codec::{decode_source, encode_source};
pub use event::{Event, EventKind};
pub use fingerprint::Fingerprinter;
pub use jsonl::{
    JsonlReader, JsonlWriter, TRACE_BYTES_MAX, TRACE_FORMAT, TRACE_LINE_BYTES_MAX, TRACE_VERSION, TraceError,
};
// What the event table's macro (`table.rs`) names in the code it generates.
pub(crate) use packed::{PackedEvent, Packer, TAG_BITS, Unpacker};
pub(crate) use side::{NameIds, SideCursor};
#[cfg(test)]
pub(crate) use tests::{FieldInfo, Sample};

/// Nanoseconds between consecutive events on the Chrome/Perfetto export's
/// time axis (see `chrome.rs`).
pub const EVENT_SPACING_NS: u64 = 2;
pub use side::PRINTED_BYTES_MAX;
pub(crate) use sites::Sites;
pub use sites::{SITE_FILE_BYTES_MAX, SITES_MAX, Site, SiteId};

/// Who called `wake()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WakeSource {
    /// Code running in this task's poll (a send, a lock release, `yield_now`, a join).
    Task(TaskId),
    /// A timer that reached its deadline.
    Timer(TimerId),
    /// Nothing in the simulation: the wake came from outside any poll.
    Outside,
}

coded! {
    /// How a poll ended: the two variants of `std::task::Poll`, without the value.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PollResult {
        /// The future finished: `Poll::Ready(value)`.
        Ready,
        /// The future must be polled again after a wake: `Poll::Pending`.
        Pending,
    }

    /// Why a task stopped before its future finished.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum CancelCause {
        /// `JoinHandle::abort` was called.
        Aborted,
        /// The task's future was dropped because the simulation shut down.
        Shutdown,
        /// An exit signal from a linked task, or `supervision::kill`, killed it.
        Killed,
        /// It ended itself with `supervision::exit`.
        Exited,
    }

    /// Why a future inside a task was dropped before it finished.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DropCause {
        /// `timeout` ran out: the inner future is dropped.
        Timeout,
        /// `select` finished with another branch: this one is dropped.
        Select,
    }

    /// What kind of synchronisation resource an id names.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ResourceKind {
        /// A bounded multi-producer channel.
        Channel,
        /// A one-shot channel.
        Oneshot,
        /// A mutex that hands the lock to waiters in arrival order.
        FairMutex,
        /// A mutex that lets whoever asks first after a release take the lock.
        UnfairMutex,
        /// A counting semaphore.
        Semaphore,
        /// A notification point.
        Notify,
        /// A supervision mailbox for trapped exit signals.
        Mailbox,
        /// A condition variable, used with a mutex.
        Condvar,
    }

    /// An operation on a resource, as the trace records it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ResourceOp {
        /// A message went into the buffer.
        Send,
        /// A message came out of the buffer.
        Recv,
        /// A sender waits: the buffer is full (backpressure).
        BlockedOnFull,
        /// A receiver waits: the buffer is empty.
        BlockedOnEmpty,
        /// The lock was taken.
        Lock,
        /// The lock was released.
        Unlock,
        /// A task waits for the lock.
        BlockedOnLock,
        /// A permit was taken.
        Acquire,
        /// A permit was returned.
        Release,
        /// A task waits for a permit.
        BlockedOnPermit,
        /// A notification was sent.
        Notify,
        /// A task waits for a notification.
        BlockedOnNotify,
        /// A waiter gave up (its future was dropped) and left the queue.
        GaveUp,
        /// The last sender or the receiver is gone.
        Closed,
        /// A task waits on a condition variable (it released the mutex).
        BlockedOnCondvar,
        /// `notify_all`: every task waiting on the condition variable wakes.
        NotifyAll,
    }

    /// How a supervised task ended (after Erlang's exit reasons).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ExitReason {
        /// It finished its work.
        Normal,
        /// It failed: returned an error or panicked.
        Error,
        /// It was killed.
        Killed,
    }

    /// A fault the simulation injected (all seeded, all off by default).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum FaultKind {
        /// The task was put back in the queue instead of being polled. Since
        /// trace version 2 the executor records it as [`Event::Delayed`], which
        /// says where the task left the queue; the code is kept so codes stay put.
        Delay,
        /// The task was woken though nothing happened.
        SpuriousWake,
        /// A timer's deadline was moved later by a bounded random amount.
        TimerJitter,
        /// A `buggify!` point took its rare branch.
        Buggify,
    }

    /// Why a run stopped, as recorded at the end of the trace.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum EndReason {
        /// Every task finished.
        Completed,
        /// Tasks are left, none is runnable and no timer is armed.
        Deadlock,
        /// The step limit was reached.
        StepsLimit,
        /// The next timer lies past the virtual-time limit.
        TimeLimit,
        /// A spawn would have exceeded the task limit.
        TasksLimit,
        /// Arming one more timer would have exceeded the timer limit.
        TimersLimit,
        /// An invariant check failed (its message: [`Trace::check_message`]).
        CheckFailed,
        /// Every task finished, but one panicked and nothing handled the
        /// panic (its message: [`Trace::panic_message`]).
        Panicked,
    }
}

/// How a task left the ready queue: the executor keeps one queue for every
/// policy, and this says exactly what it did, so a viewer rebuilds the queue
/// without knowing the policy (see `view::ReadyQueue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pick {
    /// The task's index in the ready queue when it was taken (0 is the front).
    pub index: u32,
    /// True: the last queued task moved into its slot (`swap_remove_back`);
    /// false: the tasks behind it moved up one (`remove`), keeping their order.
    pub refill: bool,
}

/// The largest [`Pick::index`]: the packed event keeps it in 31 bits.
pub const PICK_INDEX_MAX: u32 = (1 << 31) - 1;

/// A synchronisation resource's id: dense, in creation order, from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceId(pub u32);

impl ResourceId {
    /// The id as an index into per-resource tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What the trace knows about a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceInfo<'a> {
    pub kind: ResourceKind,
    /// The name given at creation.
    pub name: &'a str,
    /// Buffer size of a channel, permits of a semaphore, else 0.
    pub capacity: u32,
}

/// An event with its position and virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// Sequence number: the event's index in the trace.
    pub seq: u64,
    /// Virtual time at which the event happened, in nanoseconds.
    pub time_ns: u64,
    /// The event.
    pub event: Event,
}

/// What the trace knows about a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskInfo<'a> {
    /// The name given at spawn.
    pub name: &'a str,
    /// The task that spawned it; `None` when spawned from outside the run.
    pub parent: Option<TaskId>,
}

/// What the trace knows about a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerInfo {
    /// The task that was running when the timer was armed.
    pub owner: Option<TaskId>,
    /// The virtual time at which it fires, in nanoseconds.
    pub deadline_ns: u64,
}

/// Where a trace came from: enough to replay it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceHeader {
    /// The seed of the run.
    pub seed: u64,
    /// The scheduling policy, as written by [`crate::Policy`]'s `Display`, or
    /// `schedule` when the run replayed a [`crate::Schedule`] (whatever
    /// policy its config named: a schedule decides every pick).
    pub policy: String,
    /// The scenario id, when the run was a registered scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Scenario parameters as `key=value` pairs, in the scenario's own order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(String, String)>,
}

/// `task_parents` and `timer_owners` entry for "no task".
const NO_PARENT: u32 = u32::MAX;

/// Resources a trace can hold: resource ids are 24 bits in the packed event.
/// Recording one more panics; [`Trace::from_jsonl`] refuses a file with more.
pub const RESOURCES_MAX: u32 = 1 << 24;

/// What a continued trace inherits from before its first event (see
/// [`crate::Sim::take_trace`]); all zero for a trace that starts a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Continued {
    /// Virtual time at the cut, in nanoseconds.
    start_ns: u64,
    /// Task table entries carried from before the cut.
    tasks: u32,
    /// Timer table entries carried from before the cut.
    timers: u32,
    /// Resource table entries carried from before the cut.
    resources: u32,
}

impl ResourceOp {
    /// A task waits: the buffer is full or empty, or the lock, a permit or
    /// a notification (of a notify point or a condition variable) is not there yet.
    pub fn is_blocked(self) -> bool {
        matches!(
            self,
            ResourceOp::BlockedOnFull
                | ResourceOp::BlockedOnEmpty
                | ResourceOp::BlockedOnLock
                | ResourceOp::BlockedOnPermit
                | ResourceOp::BlockedOnNotify
                | ResourceOp::BlockedOnCondvar
        )
    }
}

/// The recorded events of one run, with the tables their ids refer to.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    header: TraceHeader,
    events: Chunked<PackedEvent>,
    /// Clock targets of `ClockAdvanced` and `Worked` events, in order (the packed event stores an index).
    instants_ns: Vec<u64>,
    /// Interned task names; `task_names[i]` indexes into it.
    names: Vec<Box<str>>,
    task_names: Vec<u32>,
    task_parents: Vec<u32>,
    timer_owners: Vec<u32>,
    timer_deadlines_ns: Vec<u64>,
    /// Panicked tasks and their messages, in event order.
    panics: Vec<(TaskId, Box<str>)>,
    resources: Vec<(ResourceKind, u32, u32)>,
    /// Messages of failed checks, in order.
    checks: Vec<Box<str>>,
    /// Printed texts with the index of their `Printed` event, in event order.
    prints: Vec<(u64, Box<str>)>,
    /// What the trace carries from before its first event, when it continues another.
    continued: Continued,
    /// Source locations of events (see `sites.rs`).
    sites: Sites,
}

impl Trace {
    pub(crate) fn new(header: TraceHeader) -> Trace {
        Trace {
            header,
            ..Trace::default()
        }
    }

    /// Where the trace came from.
    pub fn header(&self) -> &TraceHeader {
        &self.header
    }

    /// Mutable header, so a scenario runner can name itself.
    pub fn header_mut(&mut self) -> &mut TraceHeader {
        &mut self.header
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when no event was recorded.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Event number `seq`, without its time.
    pub fn get(&self, seq: usize) -> Option<Event> {
        self.events.get(seq).map(|p| p.unpack(&self.instants_ns))
    }

    /// Every event with its sequence number and virtual time, in order.
    pub fn iter(&self) -> impl Iterator<Item = EventRecord> + '_ {
        self.iter_from(0, self.continued.start_ns)
    }

    /// The events from number `from` on, as [`Trace::iter`] gives them;
    /// `time_ns` is the virtual time before event `from` (the `time_ns` of
    /// the record before it, or [`Trace::start_time`] for the first), which
    /// a reader that stops and goes on knows from the last record it read.
    pub fn iter_from(&self, from: usize, time_ns: u64) -> impl Iterator<Item = EventRecord> + '_ {
        let mut time_ns = time_ns;
        self.events.iter_from(from).enumerate().map(move |(i, p)| {
            let event = p.unpack(&self.instants_ns);
            if let Some(to_ns) = event.clock_to_ns() {
                time_ns = to_ns;
            }
            EventRecord {
                seq: (from + i) as u64,
                time_ns,
                event,
            }
        })
    }

    /// Every event, collected (see [`Trace::iter`] to avoid the copy).
    pub fn events(&self) -> Vec<EventRecord> {
        self.iter().collect()
    }

    /// Name and parent of a task, if it was spawned in this trace.
    pub fn task(&self, task: TaskId) -> Option<TaskInfo<'_>> {
        let i = task.index();
        let name = &self.names[*self.task_names.get(i)? as usize];
        let parent = self.task_parents[i];
        Some(TaskInfo {
            name,
            parent: (parent != NO_PARENT).then_some(TaskId(parent)),
        })
    }

    /// Number of tasks spawned in this trace.
    pub fn task_count(&self) -> usize {
        self.task_names.len()
    }

    /// Owner and deadline of a timer, if it was armed in this trace.
    pub fn timer(&self, timer: TimerId) -> Option<TimerInfo> {
        let i = timer.index();
        let owner = *self.timer_owners.get(i)?;
        Some(TimerInfo {
            owner: (owner != NO_PARENT).then_some(TaskId(owner)),
            deadline_ns: self.timer_deadlines_ns[i],
        })
    }

    /// Number of timers armed in this trace.
    pub fn timer_count(&self) -> usize {
        self.timer_owners.len()
    }

    /// The message of a task's panic, if it panicked.
    pub fn panic_message(&self, task: TaskId) -> Option<&str> {
        self.panics.iter().find(|(t, _)| *t == task).map(|(_, m)| &**m)
    }

    /// Kind, name and capacity of a resource.
    pub fn resource(&self, resource: ResourceId) -> Option<ResourceInfo<'_>> {
        let (kind, name, capacity) = *self.resources.get(resource.index())?;
        Some(ResourceInfo {
            kind,
            name: &self.names[name as usize],
            capacity,
        })
    }

    /// Number of resources created in this trace.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    /// The text of event `seq`, if it is an [`Event::Printed`].
    ///
    /// ```
    /// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
    /// sim.block_on(async { wakescope::println!("{} kernels popped", 3) }).unwrap();
    /// let trace = sim.trace();
    /// let printed = trace.iter().find(|r| matches!(r.event, wakescope::Event::Printed { .. }));
    /// assert_eq!(trace.printed_text(printed.unwrap().seq as usize), Some("3 kernels popped"));
    /// ```
    pub fn printed_text(&self, seq: usize) -> Option<&str> {
        let seq = seq as u64;
        let i = self.prints.binary_search_by_key(&seq, |(at, _)| *at).ok()?;
        Some(&self.prints[i].1)
    }

    /// The message of the `n`th failed check (usually there is at most one).
    pub fn check_message(&self, n: usize) -> Option<&str> {
        self.checks.get(n).map(|m| &**m)
    }

    /// Virtual time at the end of the trace.
    pub fn end_time(&self) -> Duration {
        Duration::from_nanos(self.instants_ns.last().copied().unwrap_or(self.continued.start_ns))
    }

    /// Virtual time at the start of the trace: zero, or the time of the cut
    /// when it continues another trace (see [`crate::Sim::take_trace`]).
    pub fn start_time(&self) -> Duration {
        Duration::from_nanos(self.continued.start_ns)
    }

    /// Tasks, timers and resources this trace carries from before its first
    /// event (all 0 unless it continues another trace).
    pub fn carried(&self) -> (usize, usize, usize) {
        let c = self.continued;
        (c.tasks as usize, c.timers as usize, c.resources as usize)
    }

    /// Where in the program event `seq` was asked for, if the trace knows
    /// (which events carry a location: see [`Site`]).
    pub fn site(&self, seq: usize) -> Option<&Site> {
        self.sites.get(self.sites.of_event(seq)?)
    }

    /// The location with id `id`.
    pub fn site_by_id(&self, id: SiteId) -> Option<&Site> {
        self.sites.get(id)
    }

    /// The id of event `seq`'s location, if it has one.
    pub fn site_id(&self, seq: usize) -> Option<SiteId> {
        self.sites.of_event(seq)
    }

    /// Distinct locations, and events that carry one.
    pub fn site_counts(&self) -> (usize, usize) {
        (self.sites.len(), self.sites.located())
    }

    /// Approximate heap bytes held by the trace (for the memory benchmarks).
    pub fn heap_bytes(&self) -> usize {
        self.sites.heap_bytes()
            + self.events.capacity() * 8
            + self.instants_ns.capacity() * 8
            + self.task_names.capacity() * 4
            + self.task_parents.capacity() * 4
            + self.timer_owners.capacity() * 4
            + self.timer_deadlines_ns.capacity() * 8
            + self.prints.capacity() * size_of::<(u64, Box<str>)>()
            + self.prints.iter().map(|(_, text)| text.len()).sum::<usize>()
    }

    // ----- recording (crate-internal) -----

    pub(crate) fn push(&mut self, event: Event) {
        let packed = PackedEvent::pack(event, &mut self.instants_ns);
        self.events.push(packed);
    }

    /// Records `event`, asked for at `site` when known.
    pub(crate) fn push_at(&mut self, event: Event, site: Option<SiteId>) {
        self.push(event);
        if let Some(site) = site {
            self.sites.attach(self.events.len() - 1, site);
        }
    }

    /// Interns a compiler-given location (`None` past [`SITES_MAX`]).
    pub(crate) fn intern_location(&mut self, location: &'static std::panic::Location<'static>) -> Option<SiteId> {
        self.sites.intern_location(location)
    }

    /// Interns a location given as text (`None` past [`SITES_MAX`]).
    pub(crate) fn intern_site(&mut self, site: Site) -> Option<SiteId> {
        self.sites.intern(site)
    }

    pub(crate) fn record_spawn(
        &mut self,
        task: TaskId,
        name: u32,
        name_text: &str,
        parent: Option<TaskId>,
        site: Option<SiteId>,
    ) {
        self.push_task(task, name, name_text, parent);
        self.push_at(Event::Spawned { task }, site);
    }

    pub(crate) fn record_timer(
        &mut self,
        timer: TimerId,
        owner: Option<TaskId>,
        deadline_ns: u64,
        site: Option<SiteId>,
    ) {
        self.push_timer(timer, owner, deadline_ns);
        self.push_at(Event::TimerArmed { timer }, site);
    }

    /// The trace that continues this one from virtual time `now_ns`: same
    /// header and tables (so the run's ids keep resolving and names stay
    /// interned as the run interns them), no events.
    pub(crate) fn continuation(&self, now_ns: u64) -> Trace {
        let count = |n: usize| u32::try_from(n).expect("table sizes are bounded by the limits");
        Trace {
            header: self.header.clone(),
            names: self.names.clone(),
            task_names: self.task_names.clone(),
            task_parents: self.task_parents.clone(),
            timer_owners: self.timer_owners.clone(),
            timer_deadlines_ns: self.timer_deadlines_ns.clone(),
            resources: self.resources.clone(),
            sites: self.sites.continuation(),
            continued: Continued {
                start_ns: now_ns,
                tasks: count(self.task_names.len()),
                timers: count(self.timer_owners.len()),
                resources: count(self.resources.len()),
            },
            ..Trace::default()
        }
    }

    /// Adds table entries inherited from before the cut (reading a
    /// continued trace's file): `tasks` as (name, parent), `timers` as
    /// (owner, deadline), `resources` as (kind, name, capacity).
    pub(crate) fn carry(
        &mut self,
        start_ns: u64,
        tasks: &[(String, Option<TaskId>)],
        timers: &[(Option<TaskId>, u64)],
        resources: &[(ResourceKind, String, u32)],
        names: &mut side::NameIds,
    ) {
        assert!(
            self.is_empty() && self.task_count() == 0,
            "tables are carried before any event"
        );
        for (name, parent) in tasks {
            let id = names.id(name);
            let id = self.intern(id, name);
            self.task_names.push(id);
            self.task_parents.push(parent.map_or(NO_PARENT, |p| p.0));
        }
        for (owner, deadline_ns) in timers {
            self.timer_owners.push(owner.map_or(NO_PARENT, |p| p.0));
            self.timer_deadlines_ns.push(*deadline_ns);
        }
        for (kind, name, capacity) in resources {
            let id = names.id(name);
            let id = self.intern(id, name);
            self.resources.push((*kind, id, *capacity));
        }
        self.continued = Continued {
            start_ns,
            tasks: tasks.len() as u32,
            timers: timers.len() as u32,
            resources: resources.len() as u32,
        };
    }

    /// Records a new resource; at most [`RESOURCES_MAX`] per trace.
    pub(crate) fn record_resource(
        &mut self,
        resource: ResourceId,
        kind: ResourceKind,
        name: u32,
        text: &str,
        capacity: u32,
    ) {
        self.push_resource(resource, kind, name, text, capacity);
        self.push(Event::ResourceCreated { resource });
    }

    pub(crate) fn record_check(&mut self, task: Option<TaskId>, message: &str, site: Option<SiteId>) {
        self.checks.push(message.into());
        self.push_at(Event::CheckFailed { task }, site);
    }

    /// Records a printed line, cut to [`PRINTED_BYTES_MAX`] bytes.
    pub(crate) fn record_print(&mut self, task: Option<TaskId>, text: &str, site: Option<SiteId>) {
        self.push_printed(text);
        self.push_at(Event::Printed { task }, site);
    }

    pub(crate) fn record_panic(&mut self, task: TaskId, message: &str, site: Option<SiteId>) {
        self.panics.push((task, message.into()));
        self.push_at(Event::Panicked { task }, site);
    }
}
