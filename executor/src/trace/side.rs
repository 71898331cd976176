//! Side tables: what the ids in events stand for.
//!
//! An event names tasks, timers and resources by id; what an id stands for —
//! a task's name and parent, a timer's owner and deadline, a resource's kind,
//! name and capacity — is recorded once, in a table beside the event stream,
//! and so are the messages of panics and failed checks, and printed texts.
//! The event table (`event.rs`) declares these as the *side fields* of the
//! event that introduces them, so the JSON writer and the fingerprint treat
//! them like any other field; this file says where each one lives:
//!
//! - `get` looks the side fields of one event up, for writing and hashing.
//!   Tables indexed by id are looked up by the event's id; messages and
//!   printed texts are read in event order, with a [`SideCursor`] (the nth
//!   `panicked` event has the nth panic message).
//! - `store` keeps them when a file is read, after the reader has checked
//!   them (`Trace::apply`); the executor records through `Trace::record_*`.
//!
//! Names are interned: tasks and resources that share a name share one entry.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::event::{CheckSide, PanicSide, PrintSide, ResourceSide, SpawnSide, TimerSide};
use super::{NO_PARENT, RESOURCES_MAX, ResourceId, ResourceKind, Trace};
use crate::task::TaskId;
use crate::timer::TimerId;

/// Longest text one [`Event::Printed`](super::Event::Printed) keeps, in
/// bytes. Recording cuts a longer one at a character boundary and ends it
/// with `…`, so it still fits; [`Trace::from_jsonl`] refuses a file with a
/// longer one. (Escaped in JSON, six bytes a byte at worst, the longest text
/// stays well under [`super::TRACE_LINE_BYTES_MAX`].)
pub const PRINTED_BYTES_MAX: usize = 4096;

/// What is kept of a printed `text`: all of it up to [`PRINTED_BYTES_MAX`]
/// bytes, else its longest start that fits with a closing `…`.
fn printed_kept(text: &str) -> Cow<'_, str> {
    if text.len() <= PRINTED_BYTES_MAX {
        return Cow::Borrowed(text);
    }
    const ELLIPSIS: &str = "…";
    let mut end = PRINTED_BYTES_MAX - ELLIPSIS.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{ELLIPSIS}", &text[..end]))
}

/// Where a walk over the events is in the side tables read in event order.
#[derive(Clone, Debug, Default)]
pub(crate) struct SideCursor {
    /// `panicked` events seen so far.
    panics: usize,
    /// `check_failed` events seen so far.
    checks: usize,
    /// `printed` events seen so far.
    prints: usize,
}

/// What reading a file has seen so far: name ids given, in the trace's own
/// numbering, and the tasks that panicked (a task panics at most once).
#[derive(Debug, Default)]
pub(crate) struct NameIds {
    ids: BTreeMap<Box<str>, u32>,
    panicked: BTreeSet<TaskId>,
}

impl NameIds {
    /// The id of `name`, a new one the first time it is seen.
    pub(super) fn id(&mut self, name: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(name.into()).or_insert(next)
    }
}

impl Trace {
    /// Keeps `text` as name `name` if it is the next new one (ids are given
    /// in order of first use, by the executor or by [`NameIds`]).
    ///
    /// The run's table (`core::Names`) and the trace's grow together — a
    /// continued trace starts with a copy of the names before it — so `name`
    /// is either known or the next one.
    pub(super) fn intern(&mut self, name: u32, text: &str) -> u32 {
        assert!(
            name as usize <= self.names.len(),
            "name {name} is past the trace's {} names: the tables drifted apart",
            self.names.len()
        );
        if name as usize == self.names.len() {
            self.names.push(text.into());
        }
        debug_assert_eq!(&*self.names[name as usize], text, "name {name} is interned once");
        name
    }

    pub(super) fn push_task(&mut self, task: TaskId, name: u32, text: &str, parent: Option<TaskId>) {
        assert_eq!(task.index(), self.task_names.len(), "task ids are dense");
        let name = self.intern(name, text);
        self.task_names.push(name);
        self.task_parents.push(parent.map_or(NO_PARENT, |p| p.0));
    }

    pub(super) fn push_timer(&mut self, timer: TimerId, owner: Option<TaskId>, deadline_ns: u64) {
        assert_eq!(timer.index(), self.timer_owners.len(), "timer ids are dense");
        self.timer_owners.push(owner.map_or(NO_PARENT, |p| p.0));
        self.timer_deadlines_ns.push(deadline_ns);
    }

    pub(super) fn push_resource(
        &mut self,
        resource: ResourceId,
        kind: ResourceKind,
        name: u32,
        text: &str,
        capacity: u32,
    ) {
        assert_eq!(resource.index(), self.resources.len(), "resource ids are dense");
        assert!(
            resource.0 < RESOURCES_MAX,
            "a trace holds at most RESOURCES_MAX = {RESOURCES_MAX} resources; resource {} is one too many",
            resource.0
        );
        let name = self.intern(name, text);
        self.resources.push((kind, name, capacity));
    }

    /// Keeps the text of the `Printed` event recorded next, cut to
    /// [`PRINTED_BYTES_MAX`] bytes.
    pub(super) fn push_printed(&mut self, text: &str) {
        let seq = self.len() as u64;
        self.prints.push((seq, printed_kept(text).into()));
    }
}

impl<'t> SpawnSide<'t> {
    pub(crate) fn get(trace: &'t Trace, _: &mut SideCursor, task: TaskId) -> Self {
        let info = trace.task(task);
        SpawnSide {
            name: info.map_or("", |i| i.name),
            parent: info.and_then(|i| i.parent),
        }
    }

    pub(crate) fn store(self, trace: &mut Trace, names: &mut NameIds, task: TaskId) -> Result<(), String> {
        trace.push_task(task, names.id(self.name), self.name, self.parent);
        Ok(())
    }
}

impl TimerSide {
    pub(crate) fn get(trace: &Trace, _: &mut SideCursor, timer: TimerId) -> Self {
        let info = trace.timer(timer);
        TimerSide {
            owner: info.and_then(|i| i.owner),
            deadline_ns: info.map_or(0, |i| i.deadline_ns),
        }
    }

    pub(crate) fn store(self, trace: &mut Trace, _: &mut NameIds, timer: TimerId) -> Result<(), String> {
        trace.push_timer(timer, self.owner, self.deadline_ns);
        Ok(())
    }
}

impl<'t> ResourceSide<'t> {
    pub(crate) fn get(trace: &'t Trace, _: &mut SideCursor, resource: ResourceId) -> Self {
        let info = trace.resource(resource);
        ResourceSide {
            resource_kind: info.map_or(ResourceKind::Channel, |i| i.kind),
            name: info.map_or("", |i| i.name),
            capacity: info.map_or(0, |i| i.capacity),
        }
    }

    pub(crate) fn store(self, trace: &mut Trace, names: &mut NameIds, resource: ResourceId) -> Result<(), String> {
        let name = names.id(self.name);
        trace.push_resource(resource, self.resource_kind, name, self.name, self.capacity);
        Ok(())
    }
}

impl<'t> PanicSide<'t> {
    pub(crate) fn get(trace: &'t Trace, cursor: &mut SideCursor, _: TaskId) -> Self {
        let message = trace.panics.get(cursor.panics).map_or("", |(_, m)| &**m);
        cursor.panics += 1;
        PanicSide { message }
    }

    pub(crate) fn store(self, trace: &mut Trace, read: &mut NameIds, task: TaskId) -> Result<(), String> {
        if !read.panicked.insert(task) {
            return Err(format!("task {} panicked twice; a task panics at most once", task.0));
        }
        trace.panics.push((task, self.message.into()));
        Ok(())
    }
}

impl<'t> CheckSide<'t> {
    pub(crate) fn get(trace: &'t Trace, cursor: &mut SideCursor, _: Option<TaskId>) -> Self {
        let message = trace.check_message(cursor.checks).unwrap_or("");
        cursor.checks += 1;
        CheckSide { message }
    }

    pub(crate) fn store(self, trace: &mut Trace, _: &mut NameIds, _: Option<TaskId>) -> Result<(), String> {
        trace.checks.push(self.message.into());
        Ok(())
    }
}

impl<'t> PrintSide<'t> {
    pub(crate) fn get(trace: &'t Trace, cursor: &mut SideCursor, _: Option<TaskId>) -> Self {
        let text = trace.prints.get(cursor.prints).map_or("", |(_, t)| &**t);
        cursor.prints += 1;
        PrintSide { text }
    }

    pub(crate) fn store(self, trace: &mut Trace, _: &mut NameIds, _: Option<TaskId>) -> Result<(), String> {
        if self.text.len() > PRINTED_BYTES_MAX {
            return Err(format!(
                "the printed text is {} bytes; the limit is {PRINTED_BYTES_MAX}",
                self.text.len()
            ));
        }
        trace.push_printed(self.text);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{PRINTED_BYTES_MAX, printed_kept};

    #[test]
    fn a_text_over_the_limit_is_cut_at_a_character_with_an_ellipsis() {
        let fits = "a".repeat(PRINTED_BYTES_MAX);
        assert_eq!(printed_kept(&fits), fits.as_str());
        // 'é' is two bytes: the cut must not split one.
        let long = "é".repeat(PRINTED_BYTES_MAX);
        let kept = printed_kept(&long);
        assert!(kept.len() <= PRINTED_BYTES_MAX, "{} bytes", kept.len());
        assert!(kept.ends_with("é…"), "{}", &kept[kept.len() - 8..]);
        assert_eq!(kept.chars().filter(|&c| c == 'é').count(), (PRINTED_BYTES_MAX - 3) / 2);
    }
}
