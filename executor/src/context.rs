//! The ambient simulation: how code inside a task finds the `Sim` it runs on.
//!
//! While a `Sim` steps, it publishes its core in a thread-local. The free
//! functions — [`spawn`], [`yield_now`], [`crate::sleep`], [`crate::now`], [`crate::rng`] —
//! reach the simulation through it. Entering saves the previous value and
//! leaving restores it, so a simulation run inside another one's task works,
//! and two simulations on one thread never see each other's state.

use std::cell::RefCell;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::core::Core;
use crate::join::JoinHandle;
use crate::task::TaskId;
use crate::trace::Site;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

/// Restores the previously current simulation when dropped.
pub(crate) struct EnterGuard {
    previous: Option<Rc<Core>>,
}

/// Makes `core` the current simulation until the guard drops.
pub(crate) fn enter(core: &Rc<Core>) -> EnterGuard {
    let previous = CURRENT.with(|c| c.replace(Some(core.clone())));
    EnterGuard { previous }
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Runs `f` with the current simulation.
///
/// # Panics
/// With a message naming `what` when called outside a simulation.
pub(crate) fn with_core<R>(what: &str, f: impl FnOnce(&Rc<Core>) -> R) -> R {
    match try_with_core(f) {
        Some(r) => r,
        None => panic!(
            "wakescope::{what}() was called outside a simulation; call it from a task \
             running on a wakescope::Sim (spawned with Sim::spawn or run by Sim::block_on)"
        ),
    }
}

/// Runs `f` with the current simulation, or returns `None` outside one.
pub(crate) fn try_with_core<R>(f: impl FnOnce(&Rc<Core>) -> R) -> Option<R> {
    let core = CURRENT.with(|c| c.borrow().clone())?;
    Some(f(&core))
}

/// Spawns a task on the current simulation and returns its handle.
///
/// The future need not be `Send`: a simulation is single-threaded. Dropping
/// the handle detaches the task; it keeps running.
///
/// # Panics
/// Outside a simulation.
///
/// ```
/// use std::time::Duration;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let out = sim.block_on(async {
///     let child = wakescope::spawn("child", async { 21 * 2 });
///     child.await.unwrap()
/// });
/// assert_eq!(out.unwrap(), 42);
/// ```
#[track_caller]
pub fn spawn<F>(name: &str, future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
{
    let at = Location::caller();
    with_core("spawn", |core| JoinHandle::spawn(core, name, future, at))
}

/// `Poll::Pending` from a library future polled at `at`, after telling the
/// simulation (if any) that the task waits there.
pub(crate) fn pending_at<T>(at: &'static Location<'static>) -> Poll<T> {
    try_with_core(|core| core.waits_at(at));
    Poll::Pending
}

/// The task being polled right now, or `None` outside a poll.
pub fn current_task() -> Option<TaskId> {
    try_with_core(|core| core.current()).flatten()
}

/// Gives the other runnable tasks a turn: returns `Pending` once, after waking
/// its own task, so the task goes to the back of the ready queue — and, under
/// [`crate::Policy::Pct`], below every other task's priority.
///
/// A CPU loop that never awaits holds the executor until it is done; awaiting
/// `yield_now()` in each iteration lets timers and other tasks in between.
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(3));
/// sim.spawn("loop", async {
///     for _ in 0..3 {
///         wakescope::yield_now().await;
///     }
/// });
/// assert!(sim.run().is_completed());
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        try_with_core(|core| core.yielded());
        cx.waker().wake_by_ref();
        pending_at(Location::caller())
    }
}

/// Ends the current task as panicked with `message` when its poll returns,
/// without unwinding: for an interpreter, on targets where a panic aborts
/// the whole program (wasm32). The task's future should return at once (its
/// output is never read); the trace, the outcome and the `JoinError` are
/// those of a panic with that message, and the `panicked` event carries the
/// call's location (or [`with_site`]'s). Returns false outside a task's poll.
///
/// ```
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// let task = sim.spawn("doomed", async {
///     wakescope::panic_task("attempt to divide by zero");
/// });
/// assert!(matches!(sim.run(), wakescope::Outcome::Panicked(p) if p.message == "attempt to divide by zero"));
/// assert!(task.is_finished());
/// ```
#[track_caller]
pub fn panic_task(message: &str) -> bool {
    let at = Location::caller();
    try_with_core(|core| core.request_panic(message.to_string(), at)).unwrap_or(false)
}

/// Runs `f` with `site` as the location of every library call it makes, in
/// place of the compiler's: for an interpreter, whose calls would otherwise
/// all point into the interpreter. The previous location is restored after.
/// Outside a simulation it just runs `f`.
///
/// ```
/// use wakescope::trace::Site;
/// let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1));
/// sim.block_on(async {
///     let here = Site::parse("playground.rs:3:5").unwrap();
///     let _child = wakescope::with_site(here, || wakescope::spawn("child", async {}));
/// })
/// .unwrap();
/// let trace = sim.trace_clone();
/// let spawned = trace.iter().filter(|r| matches!(r.event, wakescope::Event::Spawned { .. }));
/// let sites: Vec<String> = spawned.map(|r| trace.site(r.seq as usize).unwrap().to_string()).collect();
/// assert_eq!(sites[1], "playground.rs:3:5");
/// ```
pub fn with_site<R>(site: Site, f: impl FnOnce() -> R) -> R {
    let Some(core) = try_with_core(Rc::clone) else {
        return f();
    };
    let previous = core.replace_site_override(Some(site));
    let result = f();
    core.replace_site_override(previous);
    result
}
