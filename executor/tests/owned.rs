//! Owned handles — `Mutex::lock_owned`, `Semaphore::acquire_owned`,
//! `Notify::notified_owned` — behave and record exactly like the borrowed
//! forms: the same program written either way gives the same trace.

mod support;

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::{Mutex, Notify, Semaphore};
use wakescope::trace::Site;
use wakescope::{
    Config, Either, Event, Outcome, Policy, PollResult, ResourceOp, Sim, Trace, rng, select, sleep, timeout, yield_now,
};

/// Which handles a program takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `lock`, `acquire`, `notified`: the future borrows the primitive.
    Borrowed,
    /// `lock_owned`, `acquire_owned`, `notified_owned`: it holds an `Rc`.
    Owned,
}

/// What the program wrote down as it ran, in order.
type Log = Rc<RefCell<Vec<String>>>;

fn note(log: &Log, line: String) {
    log.borrow_mut().push(line);
}

/// Workers contend for a mutex, holding it across a yield and, at random, a
/// sleep; one gives up waiting after a timeout; one only tries.
fn mutex_program(sim: &mut Sim, form: Form, fair: bool, log: &Log) {
    let mutex = Rc::new(if fair {
        Mutex::new("counter", 0u32)
    } else {
        Mutex::unfair("counter", 0u32)
    });
    for w in 0..4 {
        let (m, log) = (mutex.clone(), log.clone());
        let _t = sim.spawn(&format!("worker {w}"), async move {
            for _ in 0..3 {
                let hold_ms = u64::from(rng().below(3));
                let read = match form {
                    Form::Borrowed => {
                        let mut n = m.lock().await;
                        yield_now().await; // still holding the lock
                        sleep(Duration::from_millis(hold_ms)).await;
                        *n += 1;
                        *n
                    }
                    Form::Owned => {
                        let mut n = m.lock_owned().await;
                        yield_now().await;
                        sleep(Duration::from_millis(hold_ms)).await;
                        *n += 1;
                        *n
                    }
                };
                note(&log, format!("worker {w} made it {read}"));
                yield_now().await;
            }
        });
    }
    let (m, log2) = (mutex.clone(), log.clone());
    let _impatient = sim.spawn("impatient", async move {
        let patience = Duration::from_micros(1500);
        let got = match form {
            Form::Borrowed => timeout(patience, m.lock()).await.map(|n| *n),
            Form::Owned => timeout(patience, m.lock_owned()).await.map(|n| *n),
        };
        note(&log2, format!("impatient: {got:?}"));
    });
    let (m, log) = (mutex, log.clone());
    let _prober = sim.spawn("prober", async move {
        for _ in 0..4 {
            let seen = match form {
                Form::Borrowed => m.try_lock().map(|n| *n),
                Form::Owned => m.try_lock_owned().map(|n| *n),
            };
            note(&log, format!("prober saw {seen:?}"));
            sleep(Duration::from_millis(1)).await;
        }
    });
}

/// Jobs share two permits; one gives up waiting; one only tries; a late
/// waiter sees the semaphore close.
fn semaphore_program(sim: &mut Sim, form: Form, log: &Log) {
    let seats = Rc::new(Semaphore::new("seats", 2));
    for j in 0..5 {
        let (s, log) = (seats.clone(), log.clone());
        let _t = sim.spawn(&format!("job {j}"), async move {
            let busy = Duration::from_millis(1 + u64::from(rng().below(3)));
            match form {
                Form::Borrowed => {
                    let _permit = s.acquire().await.unwrap();
                    sleep(busy).await;
                }
                Form::Owned => {
                    let _permit = s.acquire_owned().await.unwrap();
                    sleep(busy).await;
                }
            }
            note(&log, format!("job {j} done"));
        });
    }
    let (s, log2) = (seats.clone(), log.clone());
    let _impatient = sim.spawn("impatient", async move {
        let patience = Duration::from_micros(1500);
        let got = match form {
            Form::Borrowed => timeout(patience, s.acquire()).await.is_ok(),
            Form::Owned => timeout(patience, s.acquire_owned()).await.is_ok(),
        };
        note(&log2, format!("impatient got one: {got}"));
    });
    let (s, log2) = (seats.clone(), log.clone());
    let _prober = sim.spawn("prober", async move {
        for _ in 0..4 {
            let free = match form {
                Form::Borrowed => s.try_acquire().is_some(),
                Form::Owned => s.try_acquire_owned().is_some(),
            };
            note(&log2, format!("prober: {free}"));
            sleep(Duration::from_millis(1)).await;
        }
    });
    let (s, log2) = (seats.clone(), log.clone());
    let _hoarder = sim.spawn("hoarder", async move {
        sleep(Duration::from_millis(20)).await;
        match form {
            Form::Borrowed => {
                let _a = s.acquire().await.unwrap();
                let _b = s.acquire().await.unwrap();
                sleep(Duration::from_millis(10)).await;
            }
            Form::Owned => {
                let _a = s.acquire_owned().await.unwrap();
                let _b = s.acquire_owned().await.unwrap();
                sleep(Duration::from_millis(10)).await;
            }
        }
        note(&log2, "hoarder done".to_string());
    });
    let (s, log2) = (seats.clone(), log.clone());
    let _late = sim.spawn("late", async move {
        sleep(Duration::from_millis(21)).await;
        let result = match form {
            Form::Borrowed => s.acquire().await.map(drop),
            Form::Owned => s.acquire_owned().await.map(drop),
        };
        note(&log2, format!("late: {result:?}"));
    });
    let _closer = sim.spawn("closer", async move {
        sleep(Duration::from_millis(25)).await;
        seats.close();
    });
}

/// A stored permit, an enabled waiter, `notify_one` and `notify_waiters`, a
/// waiter that gives up, and one chosen by `notify_one` that is dropped and
/// passes the notification on.
fn notify_program(sim: &mut Sim, form: Form, log: &Log) {
    let bell = Rc::new(Notify::new("bell"));
    let log = log.clone();
    let _main = sim.spawn("main", async move {
        bell.notify_one(); // stored: the next wait ends at once
        match form {
            Form::Borrowed => bell.notified().await,
            Form::Owned => bell.notified_owned().await,
        }
        let mut listeners = Vec::new();
        for l in 0..3 {
            let (b, log) = (bell.clone(), log.clone());
            listeners.push(wakescope::spawn(&format!("listener {l}"), async move {
                match form {
                    Form::Borrowed => b.notified().await,
                    Form::Owned => b.notified_owned().await,
                }
                note(&log, format!("listener {l} rang"));
            }));
        }
        let (b, log2) = (bell.clone(), log.clone());
        let quitter = wakescope::spawn("quitter", async move {
            let gave_up = match form {
                Form::Borrowed => select(b.notified(), sleep(Duration::from_millis(2))).await,
                Form::Owned => select(b.notified_owned(), sleep(Duration::from_millis(2))).await,
            };
            let gave_up = matches!(gave_up, Either::Right(()));
            note(&log2, format!("quitter gave up: {gave_up}"));
        });
        sleep(Duration::from_millis(5)).await;
        bell.notify_one();
        yield_now().await;
        bell.notify_waiters();
        for h in listeners {
            h.await.unwrap();
        }
        quitter.await.unwrap();

        // Enabled first in line, chosen by `notify_one`, dropped unpolled: the
        // notification goes on to the relay, second in line.
        let (b, log2) = (bell.clone(), log.clone());
        let spawn_relay = move || {
            wakescope::spawn("relay", async move {
                match form {
                    Form::Borrowed => b.notified().await,
                    Form::Owned => b.notified_owned().await,
                }
                note(&log2, "relay rang".to_string());
            })
        };
        let (enabled, relay) = match form {
            Form::Borrowed => {
                let mut first = pin!(bell.notified());
                let enabled = first.as_mut().enable();
                let relay = spawn_relay();
                sleep(Duration::from_millis(1)).await;
                bell.notify_one();
                (enabled, relay) // `first` is dropped here
            }
            Form::Owned => {
                let mut first = pin!(bell.notified_owned());
                let enabled = first.as_mut().enable();
                let relay = spawn_relay();
                sleep(Duration::from_millis(1)).await;
                bell.notify_one();
                (enabled, relay)
            }
        };
        note(&log, format!("enabled at once: {enabled}"));
        relay.await.unwrap();
    });
}

/// Runs `program` in `form` under `config`: fingerprint, outcome, log.
fn run(config: Config, form: Form, program: fn(&mut Sim, Form, &Log)) -> (u64, Outcome, Vec<String>) {
    let mut sim = Sim::new(config);
    let log = Log::default();
    program(&mut sim, form, &log);
    let outcome = sim.run();
    let what = format!("seed {} {:?} {form:?}", config.seed, config.policy);
    support::check_invariants(&sim.trace(), &what).unwrap();
    (sim.fingerprint(), outcome, log.take())
}

/// The configurations every program is compared under.
fn configs() -> Vec<Config> {
    let policies = [Policy::Random, Policy::Fifo, Policy::pct(2), Policy::pct(3)];
    policies
        .into_iter()
        .flat_map(|p| (0..6).map(move |seed| Config::seeded(seed).with_policy(p)))
        .collect()
}

/// The same program in both forms: the same trace, outcome and log, under
/// every config; and the program is not trivial (its trace varies).
fn assert_forms_agree(name: &str, program: fn(&mut Sim, Form, &Log)) {
    let mut fingerprints = std::collections::BTreeSet::new();
    for config in configs() {
        let borrowed = run(config, Form::Borrowed, program);
        let owned = run(config, Form::Owned, program);
        let what = format!("{name}, seed {}, {:?}", config.seed, config.policy);
        assert!(borrowed.1.is_completed(), "{what}: {}", borrowed.1);
        assert_eq!(owned, borrowed, "{what}: the owned form differs");
        fingerprints.insert(borrowed.0);
    }
    assert!(fingerprints.len() > 4, "{name}: {} distinct traces", fingerprints.len());
}

#[test]
fn owned_and_borrowed_locks_give_the_same_trace_fair_or_unfair() {
    assert_forms_agree("fair mutex", |sim, form, log| mutex_program(sim, form, true, log));
    assert_forms_agree("unfair mutex", |sim, form, log| mutex_program(sim, form, false, log));
}

#[test]
fn owned_and_borrowed_permits_give_the_same_trace() {
    assert_forms_agree("semaphore", semaphore_program);
}

#[test]
fn owned_and_borrowed_notifications_give_the_same_trace() {
    assert_forms_agree("notify", notify_program);
}

#[test]
fn the_programs_reach_the_paths_they_are_meant_to() {
    let config = Config::seeded(1).with_policy(Policy::Fifo);
    let ops = |program: fn(&mut Sim, Form, &Log)| {
        let mut sim = Sim::new(config);
        program(&mut sim, Form::Owned, &Log::default());
        sim.run();
        let trace = sim.trace_clone();
        let ops: Vec<ResourceOp> = trace
            .iter()
            .filter_map(|r| match r.event {
                Event::Resource { op, .. } => Some(op),
                _ => None,
            })
            .collect();
        ops
    };
    let has = |ops: &[ResourceOp], op| ops.contains(&op);
    let mutex = ops(|sim, form, log| mutex_program(sim, form, true, log));
    assert!(
        has(&mutex, ResourceOp::BlockedOnLock) && has(&mutex, ResourceOp::GaveUp),
        "{mutex:?}"
    );
    let semaphore = ops(semaphore_program);
    for op in [ResourceOp::BlockedOnPermit, ResourceOp::GaveUp, ResourceOp::Closed] {
        assert!(has(&semaphore, op), "{op:?} in {semaphore:?}");
    }
    let (_, _, log) = run(config, Form::Owned, semaphore_program);
    assert!(log.contains(&"late: Err(AcquireError)".to_string()), "{log:?}");
    let notify = ops(notify_program);
    assert!(
        has(&notify, ResourceOp::BlockedOnNotify) && has(&notify, ResourceOp::GaveUp),
        "{notify:?}"
    );
    let (_, _, log) = run(config, Form::Owned, notify_program);
    assert!(log.contains(&"relay rang".to_string()), "{log:?}");
    assert!(log.contains(&"quitter gave up: true".to_string()), "{log:?}");
}

/// Task "hog" takes the lock three times in a row, sleeping while it holds
/// it; "other" asks for it once, right after hog's first lock. Each takes
/// its own form.
fn lock_order(fair: bool, hog_form: Form, other_form: Form) -> Vec<&'static str> {
    let mut sim = Sim::new(Config::seeded(0).with_policy(Policy::Fifo));
    let mutex = Rc::new(if fair {
        Mutex::new("lock", ())
    } else {
        Mutex::unfair("lock", ())
    });
    let order = Rc::new(RefCell::new(Vec::new()));
    let (m, o) = (mutex.clone(), order.clone());
    let _hog = sim.spawn("hog", async move {
        for _ in 0..3 {
            match hog_form {
                Form::Borrowed => {
                    let _g = m.lock().await;
                    o.borrow_mut().push("hog");
                    sleep(Duration::from_millis(1)).await;
                }
                Form::Owned => {
                    let _g = m.lock_owned().await;
                    o.borrow_mut().push("hog");
                    sleep(Duration::from_millis(1)).await;
                }
            }
        }
    });
    let (m, o) = (mutex, order.clone());
    let _other = sim.spawn("other", async move {
        match other_form {
            Form::Borrowed => drop(m.lock().await),
            Form::Owned => drop(m.lock_owned().await),
        }
        o.borrow_mut().push("other");
    });
    assert!(sim.run().is_completed());
    order.take()
}

#[test]
fn an_owned_lock_of_a_fair_mutex_is_handed_over_and_of_an_unfair_one_barged() {
    for hog in [Form::Borrowed, Form::Owned] {
        for other in [Form::Borrowed, Form::Owned] {
            let forms = format!("hog {hog:?}, other {other:?}");
            assert_eq!(lock_order(true, hog, other), ["hog", "other", "hog", "hog"], "{forms}");
            assert_eq!(lock_order(false, hog, other), ["hog", "hog", "hog", "other"], "{forms}");
        }
    }
}

#[test]
fn an_owned_guard_and_permit_release_when_dropped_wherever_they_went() {
    let mut sim = Sim::new(Config::seeded(4));
    let (count, seats) = (Rc::new(Mutex::new("count", 0)), Rc::new(Semaphore::new("seats", 1)));
    let (c, s) = (count.clone(), seats.clone());
    let _main = sim.spawn("main", async move {
        let mut guard = c.lock_owned().await;
        let permit = s.acquire_owned().await.unwrap();
        // Both move into another task, which drops them when it is done.
        let helper = wakescope::spawn("helper", async move {
            *guard += 1;
            sleep(Duration::from_millis(3)).await;
            drop((guard, permit));
        });
        assert!(c.try_lock_owned().is_none() && s.try_acquire_owned().is_none());
        *c.lock().await += 1; // waits for the helper's drop
        let _again = s.acquire().await.unwrap();
        helper.await.unwrap();
    });
    assert!(sim.run().is_completed());
    assert_eq!(*count.try_lock().unwrap(), 2);
    assert_eq!(seats.available_permits(), 1);
    assert_eq!(sim.now(), Duration::from_millis(3));
}

#[test]
fn a_failed_try_takes_nothing_and_releases_nothing() {
    let mut sim = Sim::new(Config::seeded(6));
    let (count, seats) = (Rc::new(Mutex::new("count", 0)), Rc::new(Semaphore::new("seats", 1)));
    let (c, s) = (count.clone(), seats.clone());
    let _main = sim.spawn("main", async move {
        let _guard = c.lock().await;
        let _permit = s.acquire().await.unwrap();
        for _ in 0..2 {
            assert!(c.try_lock().is_none() && c.try_lock_owned().is_none());
            assert!(s.try_acquire().is_none() && s.try_acquire_owned().is_none());
        }
        assert_eq!(s.available_permits(), 0, "the permit is still held");
    });
    assert!(sim.run().is_completed());
    let ops: Vec<ResourceOp> = sim
        .trace()
        .iter()
        .filter_map(|r| match r.event {
            Event::Resource { op, .. } => Some(op),
            _ => None,
        })
        .collect();
    // One lock and one permit, each given back once, when main ends.
    assert_eq!(
        ops,
        [
            ResourceOp::Lock,
            ResourceOp::Acquire,
            ResourceOp::Release,
            ResourceOp::Unlock
        ]
    );
}

const SOURCE: &str = include_str!("owned.rs");

/// The location of the `.await` on the line ending with `marker`.
fn at_await(marker: &str) -> String {
    at_text(marker, ".await", 2)
}

/// The location of `what` (plus `offset` bytes) on the line ending with `marker`.
fn at_text(marker: &str, what: &str, offset: usize) -> String {
    let line = support::line_of(SOURCE, marker);
    let text = SOURCE.lines().nth(line as usize - 1).unwrap();
    let column = text.rfind(what).expect("the line has it") + offset;
    format!("{}:{line}:{column}", file!())
}

/// `(op, location)` of every resource event by `task`, and where its
/// pending polls waited.
fn sites(trace: &Trace, task: &str) -> (Vec<(ResourceOp, String)>, Vec<String>) {
    let site = |seq: u64| trace.site(seq as usize).map_or("-".to_string(), Site::to_string);
    let is = |t: wakescope::TaskId| trace.task(t).unwrap().name == task;
    let ops = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Resource { op, task: Some(t), .. } if is(t) => Some((op, site(r.seq))),
            _ => None,
        })
        .collect();
    let waits = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::PollEnded {
                task: t,
                result: PollResult::Pending,
            } if is(t) => Some(site(r.seq)),
            _ => None,
        })
        .collect();
    (ops, waits)
}

#[test]
fn an_owned_handle_names_its_await_or_its_call_like_a_borrowed_one() {
    let mut sim = Sim::new(Config::seeded(5).with_policy(Policy::Fifo));
    let (m, s, n) = (
        Rc::new(Mutex::new("m", ())),
        Rc::new(Semaphore::new("s", 0)),
        Rc::new(Notify::new("n")),
    );
    let (m2, s2, n2) = (m.clone(), s.clone(), n.clone());
    let _holder = sim.spawn("holder", async move {
        let guard = m2.try_lock_owned().unwrap(); // TRY LOCK
        sleep(Duration::from_millis(1)).await;
        drop(guard); // handed over to the waiter
        sleep(Duration::from_millis(1)).await;
        assert!(s2.try_acquire_owned().is_none(), "no permits");
        s2.close();
        sleep(Duration::from_millis(1)).await;
        n2.notify_one();
    });
    let _waiter = sim.spawn("waiter", async move {
        let _guard = m.lock_owned().await; // OWNED LOCK
        let _ = s.acquire_owned().await; // OWNED ACQUIRE
        n.notified_owned().await; // OWNED NOTIFIED
    });
    assert!(sim.run().is_completed());
    let trace = sim.trace_clone();
    let (holder, _) = sites(&trace, "holder");
    assert_eq!(
        holder[0],
        (ResourceOp::Lock, at_text("// TRY LOCK", "try_lock_owned", 1))
    );
    let (ops, waits) = sites(&trace, "waiter");
    let (lock, acquire, notified) = (
        at_await("// OWNED LOCK"),
        at_await("// OWNED ACQUIRE"),
        at_await("// OWNED NOTIFIED"),
    );
    assert_eq!(
        ops,
        [
            (ResourceOp::BlockedOnLock, lock.clone()),
            // The hand-over happens in the holder's destructor: no location.
            (ResourceOp::Lock, "-".to_string()),
            (ResourceOp::BlockedOnPermit, acquire.clone()),
            (ResourceOp::BlockedOnNotify, notified.clone()),
            // Its guard unlocks when the task ends, in a destructor.
            (ResourceOp::Unlock, "-".to_string()),
        ]
    );
    // Each pending poll waits at the `.await` of the owned future.
    assert_eq!(waits, [lock, acquire, notified]);
}

/// A forgotten permit stays taken — the semaphore has one permit fewer —
/// and an owned one lets go of its handle on the semaphore (nothing leaks).
#[test]
fn a_forgotten_permit_stays_taken_and_lets_go_of_its_semaphore() {
    let mut sim = Sim::new(Config::seeded(1));
    let left = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&left);
    sim.block_on(async move {
        let semaphore = Rc::new(Semaphore::new("slots", 3));
        let borrowed = semaphore.acquire().await.expect("open");
        borrowed.forget();
        seen.borrow_mut().push(semaphore.available_permits());
        let owned = Rc::clone(&semaphore).acquire_owned().await.expect("open");
        seen.borrow_mut().push(Rc::strong_count(&semaphore));
        owned.forget();
        seen.borrow_mut().push(semaphore.available_permits());
        seen.borrow_mut().push(Rc::strong_count(&semaphore));
        drop(semaphore.try_acquire().expect("one is left"));
        seen.borrow_mut().push(semaphore.available_permits());
    })
    .expect("completes");
    assert_eq!(*left.borrow(), [2, 2, 1, 1, 1]);
}
