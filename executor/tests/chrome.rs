//! Chrome Trace Event export: structure that Perfetto and chrome://tracing accept.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use serde_json::Value;
use wakescope::{Config, Event, Sim, Trace, sleep, spawn, timeout, work, yield_now};

mod support;

/// One exported event, read back.
struct Ev<'a>(&'a Value);

impl Ev<'_> {
    fn ph(&self) -> &str {
        self.0["ph"].as_str().unwrap()
    }
    fn tid(&self) -> u64 {
        self.0["tid"].as_u64().unwrap()
    }
    fn ts(&self) -> f64 {
        self.0["ts"].as_f64().unwrap()
    }
    fn end(&self) -> f64 {
        self.ts() + self.0["dur"].as_f64().unwrap()
    }
    fn id(&self) -> u64 {
        self.0["id"].as_u64().unwrap()
    }
}

/// Checks everything a viewer relies on; returns the parsed document.
fn validate(trace: &Trace, context: &str) -> Value {
    let text = trace.to_chrome_json();
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{context}: not JSON: {e}"));
    let fail = |what: String| -> ! { panic!("{context}: {what}") };
    if !matches!(doc["displayTimeUnit"].as_str(), Some("ns" | "ms")) {
        fail(format!("displayTimeUnit is {}", doc["displayTimeUnit"]));
    }
    let other = &doc["otherData"];
    assert_eq!(other["fingerprint"], trace.fingerprint_hex(), "{context}");
    assert_eq!(other["seed"], trace.header().seed.to_string(), "{context}");
    assert_eq!(other["policy"], trace.header().policy, "{context}");
    let events = doc["traceEvents"]
        .as_array()
        .unwrap_or_else(|| fail("no traceEvents array".into()));

    // Required fields per phase.
    for e in events {
        for field in ["name", "ph", "ts", "pid", "tid"] {
            if e.get(field).is_none() {
                fail(format!("{field} missing in {e}"));
            }
        }
        assert!(
            e["name"].is_string() && e["ts"].is_number() && e["pid"] == 1 && e["tid"].is_u64(),
            "{context}: {e}"
        );
        match e["ph"].as_str().unwrap() {
            "X" => assert!(e["dur"].as_f64().is_some_and(|d| d >= 0.0), "{context}: {e}"),
            "b" | "e" | "s" => assert!(e["id"].is_u64(), "{context}: {e}"),
            "f" => assert!(e["id"].is_u64() && e["bp"] == "e", "{context}: {e}"),
            "i" => assert!(matches!(e["s"].as_str(), Some("t" | "g")), "{context}: {e}"),
            "M" => assert!(e["args"].is_object(), "{context}: {e}"),
            other => fail(format!("unexpected phase {other}")),
        }
    }
    let evs: Vec<Ev> = events.iter().map(Ev).collect();

    // Complete events: in order and never overlapping on each thread.
    let mut slices: BTreeMap<u64, Vec<(f64, f64, &str)>> = BTreeMap::new();
    for e in evs.iter().filter(|e| e.ph() == "X") {
        let list = slices.entry(e.tid()).or_default();
        if let Some(&(_, prev_end, _)) = list.last() {
            assert!(
                e.ts() >= prev_end,
                "{context}: slice at {} on tid {} starts before the previous ends ({prev_end})",
                e.ts(),
                e.tid()
            );
        }
        list.push((e.ts(), e.end(), e.0["name"].as_str().unwrap()));
    }

    // Flows: every s has exactly one f, each strictly inside a slice of its thread.
    let inside = |tid: u64, ts: f64| {
        slices
            .get(&tid)
            .and_then(|l| l.iter().find(|(a, b, _)| *a < ts && ts < *b))
            .map(|s| s.2)
    };
    let mut starts = BTreeMap::new();
    let mut finishes = BTreeMap::new();
    for e in &evs {
        let map = match e.ph() {
            "s" => &mut starts,
            "f" => &mut finishes,
            _ => continue,
        };
        assert!(
            map.insert(e.id(), e.ts()).is_none(),
            "{context}: flow id {} used twice for {}",
            e.id(),
            e.ph()
        );
        let slice = inside(e.tid(), e.ts()).unwrap_or_else(|| {
            fail(format!(
                "flow {} at {} is in no slice of tid {}",
                e.id(),
                e.ts(),
                e.tid()
            ))
        });
        if e.ph() == "f" {
            assert!(slice.starts_with("poll"), "{context}: flow {} ends in {slice}", e.id());
        }
    }
    assert_eq!(
        starts.keys().collect::<Vec<_>>(),
        finishes.keys().collect::<Vec<_>>(),
        "{context}: flows unmatched"
    );
    for (id, s) in &starts {
        assert!(*s < finishes[id], "{context}: flow {id} goes back in time");
    }

    // Timers: each b has one e, later.
    let mut open = BTreeMap::new();
    for e in evs.iter().filter(|e| matches!(e.ph(), "b" | "e")) {
        if e.ph() == "b" {
            assert!(
                open.insert(e.id(), e.ts()).is_none(),
                "{context}: timer {} begins twice",
                e.id()
            );
        } else {
            let begin = open
                .remove(&e.id())
                .unwrap_or_else(|| fail(format!("timer {} ends without a begin", e.id())));
            assert!(e.ts() >= begin, "{context}: timer {} ends before it begins", e.id());
        }
    }
    assert!(open.is_empty(), "{context}: timers never closed: {open:?}");

    // Threads: every task is named, everything is sorted.
    let named: BTreeMap<u64, &str> = evs
        .iter()
        .filter(|e| e.ph() == "M" && e.0["name"] == "thread_name")
        .map(|e| (e.tid(), e.0["args"]["name"].as_str().unwrap()))
        .collect();
    for i in 0..trace.task_count() as u32 {
        let info = trace.task(wakescope::TaskId(i)).unwrap();
        assert_eq!(
            named.get(&(u64::from(i) + 1)).copied(),
            Some(format!("{} #{i}", info.name).as_str()),
            "{context}"
        );
    }
    let sorted: BTreeSet<u64> = evs
        .iter()
        .filter(|e| e.ph() == "M" && e.0["name"] == "thread_sort_index")
        .map(|e| e.tid())
        .collect();
    assert_eq!(
        sorted,
        named.keys().copied().collect(),
        "{context}: every named thread has a sort index"
    );
    for e in &evs {
        assert!(
            e.ph() == "M" || named.contains_key(&e.tid()),
            "{context}: event on unnamed thread {}",
            e.0
        );
    }
    assert!(
        evs.iter()
            .any(|e| e.ph() == "M" && e.0["name"] == "process_name" && e.0["args"]["name"] == "wakescope")
    );

    // Counts that follow from the trace.
    let polls = trace
        .iter()
        .filter(|r| matches!(r.event, Event::PollStarted { .. }))
        .count();
    let poll_slices = evs.iter().filter(|e| e.ph() == "X" && e.0["cat"] == "poll").count();
    assert_eq!(poll_slices, polls, "{context}: one slice per poll");
    let armed = trace
        .iter()
        .filter(|r| matches!(r.event, Event::TimerArmed { .. }))
        .count();
    assert_eq!(
        evs.iter().filter(|e| e.ph() == "b").count(),
        armed,
        "{context}: one async slice per timer"
    );
    assert_eq!(
        starts.len(),
        wakes_followed_by_a_poll(trace),
        "{context}: one arrow per wake that a poll follows"
    );
    doc
}

/// Wakes after which the woken task is polled again.
fn wakes_followed_by_a_poll(trace: &Trace) -> usize {
    let mut pending: BTreeMap<wakescope::TaskId, usize> = BTreeMap::new();
    let mut drawn = 0;
    for r in trace.iter() {
        match r.event {
            Event::Woken { task, .. } => *pending.entry(task).or_default() += 1,
            Event::PollStarted { task, .. } => drawn += pending.remove(&task).unwrap_or(0),
            _ => {}
        }
    }
    drawn
}

fn kitchen(seed: u64) -> Sim {
    let mut sim = Sim::new(Config::seeded(seed));
    let _main = sim.spawn("main", async {
        let timers = [("popcorn", 3), ("boiler", 5), ("cookies", 10)]
            .map(|(name, s)| spawn(name, sleep(Duration::from_secs(s)))); // SPAWN
        for t in timers {
            t.await.unwrap(); // JOIN
        }
    });
    assert!(sim.run().is_completed());
    sim
}

#[test]
fn the_kitchen_timers_export_with_polls_timers_and_wake_arrows() {
    for seed in [0, 1, 42] {
        let sim = kitchen(seed);
        let doc = validate(&sim.trace(), &format!("kitchen seed {seed}"));
        let events = doc["traceEvents"].as_array().unwrap();
        // The last poll of main ends at 10 s of virtual time (plus a few ns of spacing).
        let last_end = events
            .iter()
            .filter(|e| e["ph"] == "X")
            .map(|e| Ev(e).end())
            .fold(0.0, f64::max);
        assert!(
            (10_000_000.0..10_000_001.0).contains(&last_end),
            "seed {seed}: last slice ends at {last_end} µs"
        );
        // Three timers, each on its owner's thread.
        let timers: Vec<&Value> = events.iter().filter(|e| e["ph"] == "b").collect();
        let names: BTreeSet<&str> = timers.iter().map(|e| e["name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 3, "seed {seed}: {names:?}");
        assert!(
            names.iter().all(|n| n.starts_with("timer: ") && n.contains(" #")),
            "seed {seed}: {names:?}"
        );
        // Timer wakes start on the timers thread.
        let timers_tid = events
            .iter()
            .find(|e| e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "timers")
            .map(|e| e["tid"].as_u64().unwrap())
            .unwrap();
        assert_eq!(
            events
                .iter()
                .filter(|e| e["ph"] == "s" && e["tid"] == timers_tid)
                .count(),
            3,
            "seed {seed}"
        );
        assert_eq!(doc["otherData"]["events"], sim.trace().len());
        // Pending polls say where the task waits, timers where they were armed.
        let source = include_str!("chrome.rs");
        let line = |marker| format!("{}:{}:", file!(), support::line_of(source, marker));
        let waits: BTreeSet<&str> = events
            .iter()
            .filter(|e| e["ph"] == "X")
            .filter_map(|e| e["args"]["waits_at"].as_str())
            .collect();
        assert!(
            waits.iter().any(|w| w.starts_with(&line("// JOIN"))),
            "seed {seed}: {waits:?}"
        );
        assert!(
            waits.iter().any(|w| w.starts_with(&line("// SPAWN"))),
            "seed {seed}: {waits:?}"
        );
        assert!(
            timers
                .iter()
                .all(|t| t["args"]["at"].as_str().unwrap().starts_with(&line("// SPAWN"))),
            "seed {seed}: a sleep that is a task's whole future is armed where the task was spawned"
        );
    }
}

#[test]
fn event_times_follow_virtual_time_and_spread_out_within_an_instant() {
    let sim = kitchen(7);
    let trace = sim.trace();
    let records = trace.events();
    let doc = validate(&trace, "kitchen seed 7");
    let events = doc["traceEvents"].as_array().unwrap();
    // Every poll starts at its virtual time or a few nanoseconds after it, never before.
    let spacing_ns = wakescope::trace::EVENT_SPACING_NS as f64;
    for e in events.iter().filter(|e| e["cat"] == "poll") {
        let virtual_ns = records[e["args"]["seq"].as_u64().unwrap() as usize].time_ns as f64;
        let ts_ns = (Ev(e).ts() * 1000.0).round();
        assert!(
            ts_ns >= virtual_ns && ts_ns <= virtual_ns + spacing_ns * records.len() as f64,
            "{e}"
        );
    }
    // Spawns share virtual time 0 but get distinct, increasing times in trace order.
    let spawns: Vec<f64> = events
        .iter()
        .filter(|e| e["ph"] == "i" && e["name"].as_str().unwrap().starts_with("spawned"))
        .map(|e| Ev(e).ts())
        .collect();
    assert_eq!(spawns.len(), 4);
    assert!(spawns.windows(2).all(|w| w[0] < w[1]), "{spawns:?}");
    assert!(spawns[3] < 1.0, "all spawns within the first microsecond: {spawns:?}");
}

#[test]
fn racy_interleavings_export_for_many_seeds() {
    for seed in 0..50 {
        let mut sim = Sim::new(Config::seeded(seed));
        let counter = Rc::new(Cell::new(0));
        for name in ["a", "b", "c"] {
            let counter = counter.clone();
            let _task = sim.spawn(name, async move {
                for _ in 0..3 {
                    let read = counter.get();
                    yield_now().await;
                    counter.set(read + 1);
                }
            });
        }
        sim.run();
        validate(&sim.trace(), &format!("racy seed {seed}"));
    }
}

#[test]
fn panics_aborts_timeouts_and_deadlocks_export() {
    let mut sim = Sim::new(Config::seeded(3));
    let _doomed = sim.spawn("doomed", async {
        yield_now().await;
        panic!("doomed\nby design");
    });
    let victim = sim.spawn("victim", sleep(Duration::from_secs(60)));
    let _killer = sim.spawn("killer", async move {
        sleep(Duration::from_secs(1)).await;
        victim.abort();
    });
    let _impatient = sim.spawn("impatient", async {
        let _ = timeout(Duration::from_secs(2), std::future::pending::<()>()).await;
    });
    let _stuck = sim.spawn("stuck", std::future::pending::<()>());
    let outcome = sim.run();
    assert!(outcome.is_deadlock(), "{outcome}");
    let doc = validate(&sim.trace(), "panics and aborts");
    let events = doc["traceEvents"].as_array().unwrap();
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["ph"] == "i")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"panicked: doomed\\nby design"), "{names:?}");
    assert!(names.contains(&"cancelled (aborted)"), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("spawned")), "{names:?}");
    assert!(events.iter().any(|e| e["ph"] == "X" && e["name"] == "poll → panicked"));
    let end = events
        .iter()
        .find(|e| e["ph"] == "i" && e["s"] == "g")
        .expect("the end of the run is a global instant");
    assert_eq!(end["name"], "run ended: deadlock");
    let ends: Vec<&str> = events
        .iter()
        .filter(|e| e["ph"] == "e")
        .map(|e| e["args"]["end"].as_str().unwrap())
        .collect();
    assert!(ends.contains(&"cancelled") && ends.contains(&"fired"), "{ends:?}");
}

#[test]
fn work_and_channel_operations_are_listed_inside_their_polls() {
    let mut sim = Sim::new(Config::seeded(11));
    let (tx, mut rx) = wakescope::sync::channel::<u32>("jobs", 1);
    let _producer = sim.spawn("producer", async move {
        for i in 0..3 {
            tx.send(i).await.unwrap();
        }
    });
    let _consumer = sim.spawn("consumer", async move {
        while let Some(job) = rx.recv().await {
            work(Duration::from_millis(10 * u64::from(job + 1))).await;
        }
    });
    assert!(sim.run().is_completed());
    let doc = validate(&sim.trace(), "channel and work");
    let during: Vec<String> = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X")
        .flat_map(|e| e["args"]["during"].as_array().cloned().unwrap_or_default())
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        during.iter().any(|d| d.starts_with("works on the CPU until")),
        "{during:?}"
    );
    assert!(during.iter().any(|d| d.starts_with("sends to channel")), "{during:?}");
    // CPU work moves virtual time inside a poll: that poll lasts as long as the work.
    let longest = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| e["dur"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(longest >= 10_000.0, "longest poll {longest} µs");
}

#[test]
fn wakes_from_outside_start_on_the_outside_thread() {
    let mut sim = Sim::new(Config::seeded(0));
    let slot: Rc<RefCell<Option<Waker>>> = Rc::default();
    let polled = Rc::new(Cell::new(false));
    let (slot_in, polled_in) = (slot.clone(), polled.clone());
    let _waiter = sim.spawn(
        "waiter",
        poll_fn(move |cx| {
            if polled_in.replace(true) {
                Poll::Ready(())
            } else {
                *slot_in.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }),
    );
    while sim.armed_timers() == 0 && !polled.get() {
        sim.step();
    }
    slot.borrow_mut().take().unwrap().wake();
    assert!(sim.run().is_completed());
    let doc = validate(&sim.trace(), "outside wake");
    let events = doc["traceEvents"].as_array().unwrap();
    let outside = events
        .iter()
        .find(|e| e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "outside")
        .map(|e| e["tid"].clone())
        .unwrap();
    let s = events.iter().find(|e| e["ph"] == "s").unwrap();
    assert_eq!(s["tid"], outside);
    assert_eq!(s["args"]["by"], "outside");
}

#[test]
fn a_cut_off_trace_closes_its_open_poll_and_timers() {
    let sim = kitchen(5);
    let full = sim.trace().to_jsonl();
    // Keep the header and the events up to main's first poll start.
    let lines: Vec<&str> = full.lines().collect();
    let cut = lines
        .iter()
        .position(|l| l.contains("\"kind\":\"timer_armed\""))
        .unwrap()
        + 1;
    let partial = Trace::from_jsonl(&lines[..cut].join("\n")).unwrap();
    let doc = validate(&partial, "cut-off trace");
    let names: Vec<&str> = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"poll → unfinished"), "{names:?}");
}

#[test]
fn an_empty_trace_exports_an_empty_timeline() {
    let sim = Sim::new(Config::seeded(0));
    let doc = validate(&sim.trace(), "empty");
    assert!(doc["traceEvents"].as_array().unwrap().iter().all(|e| e["ph"] == "M"));
}

#[test]
fn writing_streams_the_same_text_and_reports_write_errors() {
    let sim = kitchen(9);
    let trace = sim.trace();
    let mut bytes = Vec::new();
    trace.write_chrome_json(&mut bytes).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), trace.to_chrome_json());

    /// A disk that fills up after 100 bytes.
    struct Full(usize);
    impl std::io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 + buf.len() > 100 {
                return Err(std::io::Error::other("disk full"));
            }
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = trace.write_chrome_json(Full(0)).unwrap_err();
    assert_eq!(err.to_string(), "disk full");
}

/// Every scenario's export, in every mode, keeps the rules `validate`
/// checks: polls as complete events that never overlap on their task's
/// track, each wake a flow that ends inside a poll of the woken task.
/// Scenarios with a task count run with 200 tasks, so the test stays quick.
#[cfg(feature = "scenarios")]
#[test]
fn every_scenarios_export_keeps_the_perfetto_rules() {
    use wakescope::scenarios;

    let mut checked = 0;
    for scenario in scenarios::registry() {
        let small: Vec<(&str, &str)> = scenario
            .params
            .iter()
            .filter(|p| p.name == "tasks" && p.max > 200)
            .map(|p| (p.name, "200"))
            .collect();
        for mode in scenario.modes {
            let (params, errors) = scenario.params(Some(mode.id), small.iter().copied());
            assert!(errors.is_empty(), "{}: {errors:?}", scenario.id);
            for seed in [1, 12] {
                let mut sim = Sim::new(scenario.configured(Config::seeded(seed), &params));
                sim.set_scenario(scenario.id, params.pairs());
                (scenario.spawn)(&mut sim, &params);
                sim.run();
                let context = format!("{} mode {} seed {seed}", scenario.id, mode.id);
                validate(&sim.trace(), &context);
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "{checked} exports checked");
}
