//! Source locations: every task-side call names its line, a pending poll
//! names the `.await` the task waits at, and none of it changes a fingerprint.

use std::rc::Rc;
use std::time::Duration;

use wakescope::sync::{Mutex, channel};
use wakescope::trace::Site;
use wakescope::{Config, Event, Outcome, PollResult, Sim, Trace, select, sleep, spawn, timeout, with_site, yield_now};

mod support;

const SOURCE: &str = include_str!("sites.rs");

/// `file:line:column` of the line ending with `marker`, at `column`.
fn at(marker: &str, column: u32) -> String {
    format!("{}:{}:{column}", file!(), support::line_of(SOURCE, marker))
}

/// The location of the last `.await` on the line ending with `marker`: the
/// compiler names the `await` keyword.
fn at_await(marker: &str) -> String {
    let line = support::line_of(SOURCE, marker);
    let text = SOURCE.lines().nth(line as usize - 1).unwrap();
    let column = text.rfind(".await").expect("the line has an .await") + 2;
    format!("{}:{line}:{column}", file!())
}

/// The location of every event of `kind` for task `name`, in order.
fn sites_of(trace: &Trace, name: &str, pending_only: bool) -> Vec<String> {
    trace
        .iter()
        .filter(|r| match r.event {
            Event::PollEnded { task, result } => {
                trace.task(task).unwrap().name == name && (!pending_only || result == PollResult::Pending)
            }
            _ => false,
        })
        .map(|r| trace.site(r.seq as usize).map_or("-".to_string(), Site::to_string))
        .collect()
}

async fn nap() {
    sleep(Duration::from_secs(1)).await; // NAP
}

#[test]
fn a_pending_poll_names_the_innermost_await() {
    let mut sim = Sim::new(Config::seeded(1));
    let _worker = sim.spawn("worker", async {
        nap().await;
        yield_now().await; // YIELD
    });
    assert!(sim.run().is_completed());
    let trace = sim.trace_clone();
    // The first poll waits inside `nap`, not at `nap().await`; the second at the yield.
    assert_eq!(
        sites_of(&trace, "worker", true),
        [at_await("// NAP"), at_await("// YIELD")]
    );
    // The final poll ended ready: it waits nowhere.
    assert_eq!(sites_of(&trace, "worker", false).last().unwrap(), "-");
}

#[test]
fn spawns_timers_and_resources_name_their_calls() {
    let mut sim = Sim::new(Config::seeded(2));
    let _main = sim.spawn("main", async {
        let lock = Rc::new(Mutex::new("lock", 0)); // LOCK NEW
        let holder = {
            let lock = lock.clone();
            spawn("holder", async move {
                let _guard = lock.lock().await; // HOLDER LOCK
                sleep(Duration::from_millis(5)).await; // HOLDER SLEEP
            }) // HOLDER SPAWN
        };
        yield_now().await;
        let _guard = lock.lock().await; // MAIN LOCK
        holder.await.unwrap();
    });
    assert!(sim.run().is_completed());
    let trace = sim.trace_clone();
    let spawned_at: Vec<String> = trace
        .iter()
        .filter(|r| matches!(r.event, Event::Spawned { .. }))
        .map(|r| trace.site(r.seq as usize).unwrap().to_string())
        .collect();
    // `Sim::spawn` in this test (a method call's location is its name), and
    // `spawn` inside the task (a function call's is where it starts).
    assert_eq!(spawned_at[0], at("let _main = sim.spawn(\"main\", async {", 21));
    assert_eq!(
        spawned_at[1],
        format!("{}:{}:13", file!(), support::line_of(SOURCE, "// HOLDER SPAWN") - 3)
    );
    let armed = trace
        .iter()
        .find(|r| matches!(r.event, Event::TimerArmed { .. }))
        .unwrap();
    assert_eq!(
        trace.site(armed.seq as usize).unwrap().to_string(),
        at_await("// HOLDER SLEEP")
    );
    let ops: Vec<(String, String)> = trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Resource { op, .. } => Some((
                format!("{op:?}"),
                trace.site(r.seq as usize).map_or("-".into(), Site::to_string),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(ops[0], ("Lock".to_string(), at_await("// HOLDER LOCK")));
    // Main blocks at its own lock; the holder's guard unlocks in a destructor,
    // which has no location, and hands the lock over.
    assert_eq!(ops[1], ("BlockedOnLock".to_string(), at_await("// MAIN LOCK")));
    assert_eq!(ops[2], ("Unlock".to_string(), "-".to_string()));
    // And main's poll that blocked waits at its lock.
    assert!(sites_of(&trace, "main", true).contains(&at_await("// MAIN LOCK")));
}

#[test]
fn a_task_whose_future_is_a_library_future_waits_where_it_was_spawned() {
    let mut sim = Sim::new(Config::seeded(3));
    let _t = sim.spawn("bare", sleep(Duration::from_secs(1))); // BARE
    sim.run();
    assert_eq!(sites_of(&sim.trace_clone(), "bare", true), [at("// BARE", 18)]);
}

#[test]
fn a_timeout_and_a_select_name_their_await_only_when_nothing_inside_did() {
    let mut sim = Sim::new(Config::seeded(4));
    let _t = sim.spawn("waiter", async {
        let (tx, mut rx) = channel::<u32>("pipe", 1);
        let _ = timeout(Duration::from_millis(1), rx.recv()).await; // TIMEOUT RECV
        let _ = timeout(Duration::from_millis(1), std::future::pending::<()>()).await; // TIMEOUT PENDING
        let _ = select(sleep(Duration::from_millis(1)), std::future::pending::<()>()).await; // SELECT
        drop(tx);
    });
    sim.run();
    let waits = sites_of(&sim.trace_clone(), "waiter", true);
    // The receive inside the timeout is polled by the timeout's own poll, so
    // its location is the timeout's `.await` too; a future that names nothing
    // leaves it to the timeout and the select.
    assert_eq!(
        waits,
        [
            at_await("// TIMEOUT RECV"),
            at_await("// TIMEOUT PENDING"),
            at_await("// SELECT")
        ]
    );
}

#[test]
fn a_deadlock_report_gives_each_blocked_task_its_line() {
    let mut sim = Sim::new(Config::seeded(5));
    let (tx, rx) = channel::<u32>("never", 1);
    let _r = sim.spawn("reader", async move {
        let mut rx = rx;
        rx.recv().await; // READER
        drop(tx);
    });
    let Outcome::Deadlock(deadlock) = sim.run() else {
        panic!("the reader holds the only sender: a deadlock");
    };
    assert_eq!(
        deadlock.blocked[0].waits_at.as_ref().unwrap().to_string(),
        at_await("// READER")
    );
    assert!(
        deadlock.to_string().contains(&format!("at {}", at_await("// READER"))),
        "{deadlock}"
    );
}

/// A small program with spawns, timers, a channel and a lock.
fn program(sim: &mut Sim, site: Option<Site>) {
    let body = async {
        let lock = Rc::new(Mutex::new("m", 0));
        let (tx, mut rx) = channel::<u32>("c", 1);
        let child = {
            let lock = lock.clone();
            spawn("child", async move {
                for i in 0..3 {
                    *lock.lock().await += i;
                    tx.send(i).await.unwrap();
                    sleep(Duration::from_millis(2)).await;
                }
            })
        };
        while rx.recv().await.is_some() {
            yield_now().await;
        }
        child.await.unwrap();
    };
    match site {
        None => {
            let _main = sim.spawn("main", body);
        }
        Some(site) => {
            let _main = sim.spawn("main", async move {
                // Every call inside names the interpreter's location instead.
                let mut body = std::pin::pin!(body);
                std::future::poll_fn(|cx| with_site(site.clone(), || body.as_mut().poll(cx))).await
            });
        }
    }
}

#[test]
fn locations_change_no_fingerprint_and_survive_a_file() {
    let mut plain = Sim::new(Config::seeded(6));
    program(&mut plain, None);
    plain.run();
    let mut elsewhere = Sim::new(Config::seeded(6));
    let site = Site::parse("playground.rs:7:3").unwrap();
    program(&mut elsewhere, Some(site.clone()));
    elsewhere.run();
    let (a, b) = (plain.trace_clone(), elsewhere.trace_clone());
    assert_eq!(a.fingerprint(), b.fingerprint(), "locations are not in the fingerprint");
    // The override named every location inside `main`'s polls.
    let main_waits = sites_of(&b, "main", true);
    assert!(
        !main_waits.is_empty() && main_waits.iter().all(|s| *s == site.to_string()),
        "{main_waits:?}"
    );
    let (sites, located) = a.site_counts();
    assert!(sites > 3 && located > 10, "{sites} sites, {located} located events");

    // Written as `"at"` and read back, event for event.
    let text = a.to_jsonl();
    assert!(text.contains(&format!(r#""at":"{}:"#, file!())), "{text}");
    let back = Trace::from_jsonl(&text).unwrap();
    assert_eq!(back.fingerprint(), a.fingerprint());
    assert_eq!(back.to_jsonl(), text);
    for r in a.iter() {
        assert_eq!(back.site(r.seq as usize), a.site(r.seq as usize), "event {}", r.seq);
    }
}

#[test]
fn a_bad_location_in_a_file_is_refused_with_its_line() {
    let mut sim = Sim::new(Config::seeded(7));
    let _t = sim.spawn("t", async {});
    sim.run();
    let text = sim.trace_jsonl();
    let broken = text.replacen(&format!(r#""at":"{}:"#, file!()), r#""at":"nowhere:x"#, 1);
    let err = Trace::from_jsonl(&broken).unwrap_err().to_string();
    assert!(
        err.starts_with("line 2: field `at`: the line of location `nowhere:x"),
        "{err}"
    );
    let number = text.replacen(&format!(r#""at":"{}"#, file!()), r#""at":7,"x":""#, 1);
    let err = Trace::from_jsonl(&number).unwrap_err().to_string();
    assert!(err.contains("field `at`: expected a string"), "{err}");
}

#[test]
fn a_trace_taken_mid_run_keeps_naming_the_places() {
    let mut sim = Sim::new(Config::seeded(8));
    let _t = sim.spawn("napper", async {
        nap().await;
        nap().await;
    });
    sim.step();
    sim.step();
    let first = sim.take_trace();
    sim.run();
    let rest = sim.trace_clone();
    assert_eq!(sites_of(&first, "napper", true), [at_await("// NAP")]);
    assert_eq!(sites_of(&rest, "napper", true), [at_await("// NAP")]);
    let back = Trace::from_jsonl(&rest.to_jsonl()).unwrap();
    assert_eq!(sites_of(&back, "napper", true), [at_await("// NAP")]);
}

#[test]
fn a_failed_check_names_the_line_of_its_call() {
    let run = |body: fn()| {
        let mut sim = Sim::new(Config::seeded(9));
        let _t = sim.spawn("checker", async move { body() });
        let Outcome::CheckFailed(failure) = sim.run() else {
            panic!("seed 9: the check fails");
        };
        let trace = sim.trace_clone();
        let failed = trace
            .iter()
            .find(|r| matches!(r.event, Event::CheckFailed { .. }))
            .expect("a check_failed event");
        let recorded = trace.site(failed.seq as usize).map(Site::to_string);
        (failure.at.map(|s| s.to_string()), recorded)
    };
    let call = at("// CHECK", 9);
    let (outcome, event) = run(|| {
        wakescope::check(1 + 1 == 3, "arithmetic"); // CHECK
    });
    assert_eq!((outcome.as_deref(), event.as_deref()), (Some(&*call), Some(&*call)));
    let (outcome, _) = run(|| {
        wakescope::check!(false, "formatted {}", 3); // CHECK MACRO
    });
    assert_eq!(outcome, Some(at("// CHECK MACRO", 9)));
}
