//! One executor step (the loop `sim.rs` describes): fire due timers, or
//! poll a ready task, or advance the clock — or end the run. And shutdown.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::{Context, Poll};
use std::time::Duration;

use super::{Core, PanicRecord, State};
use crate::clock::duration_ns;
use crate::config::DELAY_PPM_MAX;
use crate::outcome::{Limit, Outcome, Step};
use crate::scheduler::{Picked, Queued};
use crate::task::{TaskId, TaskState};
use crate::timer::Target;
use crate::trace::{CancelCause, Event, FaultKind, PollResult};
use crate::waker::WakeSource;

/// Timers one step fires at most. More due at one instant fire over the
/// following steps, in the same order, before any task is polled — so a
/// step stays short enough for the app to keep to its frame budget.
pub const FIRE_PER_STEP_MAX: usize = 4096;

/// Picks ahead at which [`State::prefetch_upcoming`] asks for a task's
/// queue slot, and then for its record and future: far enough apart that
/// each fetch has a few polls' time to arrive before it is read.
const PREFETCH_SLOT_AHEAD: usize = 8;
const PREFETCH_TASK_AHEAD: usize = 3;
/// Bytes of a future fetched ahead: two cache lines, a small task's whole
/// future (a sleeping task's is under 64 bytes).
const FUTURE_PREFETCH_BYTES: usize = 128;

/// How many timers ahead [`Core::fire_due`] asks for a task's record.
const FIRE_PREFETCH_DISTANCE: usize = 8;

/// Passes over the tasks at shutdown: a destructor may spawn, so repeat, but boundedly.
const SHUTDOWN_PASSES_MAX: u32 = 16;

/// CPU time a poll may take before it is recorded as a long poll.
const LONG_POLL_NS: u64 = crate::clock::LONG_POLL.as_nanos() as u64;

impl Core {
    /// Takes one step; the caller has entered the simulation's context.
    pub(crate) fn step(&self) -> Step {
        self.drain_wakes();
        let mut st = self.state.borrow_mut();
        if let Some(failure) = st.check_failed.clone() {
            drop(st);
            return self.finish(Outcome::CheckFailed(failure));
        }
        if let Some(limit) = st.limit_hit {
            drop(st);
            return self.finish(Outcome::LimitReached(limit));
        }
        if st.steps >= st.config.limits.steps_max {
            let max = st.config.limits.steps_max;
            drop(st);
            return self.finish(Outcome::LimitReached(Limit::Steps(max)));
        }
        let now_ns = st.clock.now_ns();
        let next_deadline = st.timers.next_deadline();
        if next_deadline.is_some_and(|d| d <= now_ns) {
            st.steps += 1;
            drop(st);
            let fired = self.fire_due();
            return Step::FiredTimers { fired };
        }
        if st.config.faults.spurious_wake_ppm > 0 {
            spurious_wake(&mut st);
        }
        if let Some(pick) = st.scheduler.pick() {
            let task = pick.task;
            st.steps += 1;
            st.prefetch_upcoming();
            let delay = st.config.faults.delay_ppm.min(DELAY_PPM_MAX);
            if st.scheduler.len() > 0 && st.fault_hits(delay) {
                // An extra yield before the poll: back of the queue, someone else first.
                let future = st.tasks[task.index()].future_address();
                st.scheduler.push(task, future);
                st.record(Event::Delayed {
                    task,
                    pick: pick.to_trace(),
                });
                return Step::Delayed { task, pick };
            }
            drop(st);
            return self.poll_task(pick);
        }
        if let Some(deadline_ns) = next_deadline {
            let time_max = st.config.limits.time_max;
            if deadline_ns > duration_ns(time_max) {
                drop(st);
                return self.finish(Outcome::LimitReached(Limit::VirtualTime(time_max)));
            }
            st.steps += 1;
            st.clock.advance_to(deadline_ns);
            st.record(Event::ClockAdvanced { to_ns: deadline_ns });
            drop(st);
            let fired = self.fire_due();
            return Step::AdvancedClock {
                to: Duration::from_nanos(deadline_ns),
                fired,
            };
        }
        let outcome = if st.live == 0 {
            match st.unhandled_panic() {
                Some(panic) => Outcome::Panicked(panic),
                None => Outcome::Completed,
            }
        } else {
            Outcome::Deadlock(st.deadlock())
        };
        drop(st);
        self.finish(outcome)
    }

    /// Ends the run with `outcome`, recording `Ended` once (until something happens again).
    fn finish(&self, outcome: Outcome) -> Step {
        let mut st = self.state.borrow_mut();
        if !st.ended {
            st.ended = true;
            st.record(Event::Ended {
                reason: outcome.end_reason(),
            });
        }
        Step::Finished(outcome)
    }

    /// Fires the timers due now (at most [`FIRE_PER_STEP_MAX`]).
    fn fire_due(&self) -> u32 {
        let mut foreign = Vec::new();
        let fired = {
            let mut guard = self.state.borrow_mut();
            let st = &mut *guard;
            let mut due = st.timers.take_due(st.clock.now_ns(), FIRE_PER_STEP_MAX);
            let fired = due.len() as u32;
            let mut firing = due.drain(..);
            while let Some((id, target)) = firing.next() {
                // The timers fire in arming order, their tasks in any order:
                // ask for the record of a task a few timers on.
                if let Some((_, Target::Task(ahead))) = firing.as_slice().get(FIRE_PREFETCH_DISTANCE)
                    && let Some(slot) = st.tasks.get(ahead.index())
                {
                    crate::prefetch::fetch(slot);
                }
                st.record(Event::TimerFired { timer: id });
                match target {
                    Target::Task(task) => st.wake(task, WakeSource::Timer(id)),
                    Target::Waker(waker) => foreign.push((id, waker)),
                }
            }
            fired
        };
        if !foreign.is_empty() {
            for (id, waker) in foreign {
                self.set_source(WakeSource::Timer(id));
                waker.wake();
            }
            self.set_source(WakeSource::Outside);
            self.drain_wakes();
        }
        fired
    }

    /// Polls the picked task, outside the borrow, and records what it did.
    fn poll_task(&self, pick: Picked) -> Step {
        let task = pick.task;
        let (mut cell, waker) = {
            let mut guard = self.state.borrow_mut();
            let st = &mut *guard;
            let cell = st.tasks[task.index()].transition_to_running();
            st.current = Some(task);
            st.waiting = None;
            st.wait_marks = 0;
            st.wait_for.polled(task);
            st.poll_started_ns = st.clock.now_ns();
            st.record(Event::PollStarted {
                task,
                pick: pick.to_trace(),
            });
            st.wakers.set_source(WakeSource::Task(task));
            (cell, st.wakers.lend(task))
        };
        let mut cx = Context::from_waker(&waker);
        let result = catch_unwind(AssertUnwindSafe(|| cell.poll(&mut cx)));

        let mut guard = self.state.borrow_mut();
        let st = &mut *guard;
        st.current = None;
        // A panic asked for without unwinding ends the poll like a real one
        // (and says where it was asked for; an unwinding panic cannot).
        let (result, panic_site) = match st.panic_request.take() {
            Some((message, site)) => (Err(Box::new(message) as Box<dyn std::any::Any + Send>), site),
            None => (result, None),
        };
        let long_poll = st.clock.now_ns() - st.poll_started_ns > LONG_POLL_NS;
        let poll_ended = |st: &mut State, result| {
            // A pending poll says where the task now waits.
            let site = if result == PollResult::Pending {
                st.waiting.take()
            } else {
                None
            };
            if let Some(at) = st.waits_at.get_mut(task.index()) {
                *at = site.map_or(super::NO_SITE, |s| s.0);
            }
            st.record_at(Event::PollEnded { task, result }, site);
            if long_poll {
                st.record(Event::LongPoll { task });
            }
        };
        let aborted = st.tasks[task.index()].abort_requested();
        let (finished, ready) = match result {
            Ok(Poll::Pending) if !aborted => {
                st.tasks[task.index()].transition_to_idle(cell);
                poll_ended(st, PollResult::Pending);
                drop(guard);
                self.after_poll();
                return Step::Polled {
                    task,
                    ready: false,
                    pick,
                };
            }
            Ok(Poll::Pending) => {
                poll_ended(st, PollResult::Pending);
                let cause = *st.cancel_causes.entry(task).or_insert(CancelCause::Aborted);
                st.record(Event::Cancelled { task, cause });
                (TaskState::Cancelled, false)
            }
            Ok(Poll::Ready(())) => {
                poll_ended(st, PollResult::Ready);
                st.record(Event::Completed { task });
                (TaskState::Completed, true)
            }
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                if st.config.record_trace {
                    st.trace.record_panic(task, &message, panic_site);
                }
                let step = st.steps;
                st.panics.insert(
                    task,
                    PanicRecord {
                        message,
                        step,
                        handled: false,
                    },
                );
                (TaskState::Panicked, true)
            }
        };
        let join_waker = st.retire(task, finished);
        drop(guard);
        if finished == TaskState::Completed {
            self.keep_output(task, cell);
        } else {
            self.drop_future(task, Some(cell));
        }
        if let Some(w) = join_waker {
            w.wake();
        }
        self.after_poll();
        Step::Polled { task, ready, pick }
    }

    fn after_poll(&self) {
        self.settle_exits();
        self.set_source(WakeSource::Outside);
        self.drain_wakes();
    }

    /// Drops every unfinished task's future (recorded as `Cancelled { cause:
    /// Shutdown }`), every finished task's output, every armed timer and
    /// waiting `JoinHandle` waker — outside the borrow, a few passes, since
    /// a destructor may spawn.
    pub(crate) fn shut_down(&self) {
        for _ in 0..SHUTDOWN_PASSES_MAX {
            let (cells, wakers) = {
                let mut guard = self.state.borrow_mut();
                let st = &mut *guard;
                let mut cells = Vec::new();
                for i in 0..st.tasks.len() {
                    let task = TaskId(i as u32);
                    if !st.tasks[i].is_finished() {
                        st.record(Event::Cancelled {
                            task,
                            cause: CancelCause::Shutdown,
                        });
                        st.cancel_causes.insert(task, CancelCause::Shutdown);
                        st.retire(task, TaskState::Cancelled);
                    }
                    cells.extend(st.tasks[i].take_cell());
                }
                let mut wakers = st.timers.clear();
                wakers.extend(std::mem::take(&mut st.join_wakers).into_values());
                (cells, wakers)
            };
            if cells.is_empty() && wakers.is_empty() {
                break;
            }
            drop(cells);
            drop(wakers);
        }
    }
}

/// Under the spurious-wake fault: wakes an idle task, drawn from the fault stream.
fn spurious_wake(st: &mut State) {
    let ppm = st.config.faults.spurious_wake_ppm;
    if !st.fault_hits(ppm) {
        return;
    }
    let idle: Vec<TaskId> = st
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, slot)| slot.state() == TaskState::Idle)
        .map(|(i, _)| TaskId(i as u32))
        .collect();
    if idle.is_empty() {
        return;
    }
    let task = idle[st.fault_rng.below(idle.len() as u32) as usize];
    st.record(Event::Fault {
        task: Some(task),
        fault: FaultKind::SpuriousWake,
    });
    st.wake(task, WakeSource::Outside);
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_string()
    }
}

impl State {
    /// Asks the cache for what the next picks will read, while the picked
    /// task's poll runs, in two stages: [`PREFETCH_SLOT_AHEAD`] picks ahead
    /// the queue slot naming the task, and [`PREFETCH_TASK_AHEAD`] ahead —
    /// reading that slot, by then fetched — the task's record, waker cell and
    /// future.
    fn prefetch_upcoming(&mut self) {
        if let Some(queued) = self.scheduler.upcoming(PREFETCH_SLOT_AHEAD) {
            crate::prefetch::fetch(queued);
        }
        if let Some(&Queued { task, future }) = self.scheduler.upcoming(PREFETCH_TASK_AHEAD) {
            if let Some(slot) = self.tasks.get(task.index()) {
                crate::prefetch::fetch(slot);
            }
            if let Some(at) = self.waits_at.get(task.index()) {
                crate::prefetch::fetch(at);
            }
            self.wakers.prefetch(task);
            crate::prefetch::fetch_bytes(future, FUTURE_PREFETCH_BYTES);
        }
    }
}
