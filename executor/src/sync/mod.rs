//! Instrumented synchronisation: channels, a oneshot, mutexes, a condition
//! variable, a semaphore and a notification point whose every operation is
//! a trace event.
//!
//! They follow tokio's and futures' semantics, with two differences that
//! matter for watching them: each resource has a name, and each operation —
//! send, receive, lock, unlock, acquire, release, notify, and every time a
//! task has to wait — is recorded with the resource's id and the task. The
//! app's Resources panel folds those events into holders, waiters and
//! buffers; a deadlock report names the resource each blocked task waits on
//! and who holds it.
//!
//! Like the executor, they are single-threaded (`!Send`): share them between
//! tasks with `Rc`. Through an `Rc`, the mutex, the semaphore and the
//! notification point also give handles that own their `Rc` instead of
//! borrowing: [`Mutex::lock_owned`] → [`OwnedMutexGuard`],
//! [`Semaphore::acquire_owned`] → [`OwnedPermit`], [`Notify::notified_owned`]
//! → [`OwnedNotified`]. They run the same code as the borrowed forms and
//! record the same events. A resource registers with the simulation that first uses
//! it, so it may be created before the tasks that use it are spawned.
//!
//! Waiting is fair wherever tokio's is: senders wait in arrival order, and a
//! [`Mutex`] and a [`Semaphore`] hand a released lock or permit straight to
//! the first waiter. [`Mutex::unfair`] instead lets whoever asks first after
//! a release take the lock, so a task that unlocks and locks again without
//! yielding can starve the others — the difference the mutex scenario shows.

mod condvar;
mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod semaphore;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::task::Waker;

use crate::context::try_with_core;
use crate::core::Core;
use crate::task::TaskId;
use crate::trace::{ResourceId, ResourceKind, ResourceOp};

pub use condvar::{Condvar, CondvarWait, CondvarWaitOwned};
pub use mpsc::{Receiver, Recv, RecvError, Send, SendError, Sender, TryRecvError, TrySendError, channel};
pub use mutex::{Lock, LockOwned, Mutex, MutexGuard, OwnedMutexGuard};
pub use notify::{Notified, Notify, OwnedNotified};
pub use semaphore::{Acquire, AcquireError, AcquireOwned, OwnedPermit, Permit, Semaphore};

pub(crate) use crate::context::pending_at;
pub(crate) use crate::core::End;

/// A preemption point ([`crate::Config::with_preemption_points`]): the
/// first poll of an operation returns `Pending` once, waking its task, when
/// the simulation asks for preemption points; otherwise it does nothing.
#[derive(Debug, Default)]
pub(crate) struct PreemptionPoint {
    /// True once the point was passed (yielded, or found switched off).
    passed: bool,
}

impl PreemptionPoint {
    /// `Pending` once when preemption points are on, then `Ready`.
    pub(crate) fn poll(&mut self, waker: &Waker, at: &'static std::panic::Location<'static>) -> std::task::Poll<()> {
        if std::mem::replace(&mut self.passed, true) {
            return std::task::Poll::Ready(());
        }
        if try_with_core(|core| core.preemption_points()).unwrap_or(false) {
            waker.wake_by_ref();
            return pending_at(at);
        }
        std::task::Poll::Ready(())
    }
}

/// Where an operation was asked for: the call or `.await` (`#[track_caller]`),
/// or `None` for one a destructor does.
pub(crate) type At = Option<&'static std::panic::Location<'static>>;

/// A resource's name and kind, and its id in the simulation that uses it.
pub(crate) struct Registration {
    kind: ResourceKind,
    name: Box<str>,
    capacity: u32,
    /// Registered id, and the simulation it is registered with.
    id: RefCell<Option<(ResourceId, Weak<Core>)>>,
}

impl Registration {
    pub(crate) fn new(kind: ResourceKind, name: &str, capacity: u32) -> Registration {
        let reg = Registration {
            kind,
            name: name.into(),
            capacity,
            id: RefCell::new(None),
        };
        // Register at once when created inside a simulation, so the trace
        // shows the resource from its creation.
        try_with_core(|core| reg.id_in(core));
        reg
    }

    /// The resource's id in `core`, registering it on first use there.
    fn id_in(&self, core: &Rc<Core>) -> ResourceId {
        let mut slot = self.id.borrow_mut();
        if let Some((id, weak)) = &*slot
            && std::ptr::eq(weak.as_ptr(), Rc::as_ptr(core))
        {
            return *id;
        }
        let id = core.create_resource(self.kind, &self.name, self.capacity);
        *slot = Some((id, Rc::downgrade(core)));
        id
    }

    /// The resource's id in `core` if it is registered there already.
    fn registered_in(&self, core: &Rc<Core>) -> Option<ResourceId> {
        match &*self.id.borrow() {
            Some((id, weak)) if std::ptr::eq(weak.as_ptr(), Rc::as_ptr(core)) => Some(*id),
            _ => None,
        }
    }

    /// Records `op` by the current task (nothing outside a simulation),
    /// asked for at `at` (`None` from a destructor).
    pub(crate) fn record(&self, op: ResourceOp, at: At) {
        try_with_core(|core| {
            let id = self.id_in(core);
            core.resource_op(id, op, None, at);
        });
    }

    /// Records `op` by the current task through one end of a channel, which
    /// makes that task the end's holder (see `core::Ends`).
    pub(crate) fn record_by(&self, op: ResourceOp, end: End, at: At) {
        try_with_core(|core| {
            let id = self.id_in(core);
            core.resource_op(id, op, Some(end), at);
        });
    }

    /// Records that the current task holds `end` (it created or cloned it),
    /// if the resource is registered in the current simulation; registering
    /// is left to the first operation, as before.
    pub(crate) fn hold(&self, end: End) {
        try_with_core(|core| {
            if let Some(id) = self.registered_in(core) {
                core.hold_end(id, end);
            }
        });
    }

    /// Forgets a dropped end (if the resource is registered).
    pub(crate) fn release(&self, end: End) {
        try_with_core(|core| {
            if let Some(id) = self.registered_in(core) {
                core.release_end(id, end);
            }
        });
    }

    /// Records that a lock or permit was handed to `to` on release.
    pub(crate) fn hand_over(&self, op: ResourceOp, to: Option<TaskId>) {
        try_with_core(|core| {
            let id = self.id_in(core);
            match to {
                Some(to) => core.hand_over(id, op, to),
                None => core.resource_op(id, op, None, None),
            }
        });
    }
}

/// Tasks waiting on a resource, in arrival order.
#[derive(Default)]
pub(crate) struct Waiters {
    next_id: u64,
    queue: VecDeque<Waiter>,
}

pub(crate) struct Waiter {
    pub id: u64,
    pub waker: Waker,
    /// The waiting task, when known.
    pub task: Option<TaskId>,
    /// The resource was handed to this waiter (fair release).
    pub granted: bool,
}

impl Waiters {
    /// Queues a waiter at the back and returns its ticket.
    pub(crate) fn push(&mut self, waker: &Waker) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let task = crate::context::current_task();
        self.queue.push_back(Waiter {
            id,
            waker: waker.clone(),
            task,
            granted: false,
        });
        id
    }

    /// Refreshes a queued waiter's waker. Returns false if it is not queued.
    pub(crate) fn update(&mut self, id: u64, waker: &Waker) -> bool {
        match self.queue.iter_mut().find(|w| w.id == id) {
            Some(w) => {
                if !w.waker.will_wake(waker) {
                    w.waker = waker.clone();
                }
                true
            }
            None => false,
        }
    }

    /// Removes a waiter; returns it if it was queued.
    pub(crate) fn remove(&mut self, id: u64) -> Option<Waiter> {
        let i = self.queue.iter().position(|w| w.id == id)?;
        self.queue.remove(i)
    }

    /// True if the waiter was handed the resource.
    pub(crate) fn is_granted(&self, id: u64) -> bool {
        self.queue.iter().any(|w| w.id == id && w.granted)
    }

    /// The first waiter not yet granted.
    pub(crate) fn first_waiting(&mut self) -> Option<&mut Waiter> {
        self.queue.iter_mut().find(|w| !w.granted)
    }

    /// True if no one waits (granted waiters not yet polled count as waiting).
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// True if `id` is the first in line.
    pub(crate) fn is_first(&self, id: u64) -> bool {
        self.queue.front().is_some_and(|w| w.id == id)
    }

    /// Removes every waiter not yet granted and returns their wakers.
    pub(crate) fn take_waiting(&mut self) -> Vec<Waker> {
        let mut wakers = Vec::new();
        self.queue.retain(|w| {
            if !w.granted {
                wakers.push(w.waker.clone());
            }
            w.granted
        });
        wakers
    }

    /// Grants every waiter not yet granted and returns their wakers (a
    /// condition variable's `notify_all`: they leave the line when polled).
    pub(crate) fn grant_all(&mut self) -> Vec<Waker> {
        self.queue
            .iter_mut()
            .filter(|w| !w.granted)
            .map(|w| {
                w.granted = true;
                w.waker.clone()
            })
            .collect()
    }

    /// Waiters not yet granted.
    pub(crate) fn waiting(&self) -> usize {
        self.queue.iter().filter(|w| !w.granted).count()
    }

    /// Takes every waker (to wake them all, e.g. when a channel closes).
    pub(crate) fn take_all(&mut self) -> Vec<Waker> {
        self.queue.drain(..).map(|w| w.waker).collect()
    }

    /// Number of waiters.
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }
}
