//! The trace file format: round trip, and clear messages for bad files.

mod support;

use std::time::Duration;

use wakescope::{Config, Sim, Trace, sleep, spawn, yield_now};

fn sample() -> Sim {
    let mut sim = Sim::new(Config::seeded(11));
    sim.set_scenario("sample", vec![("mode".into(), "demo".into())]);
    let _main = sim.spawn("main", async {
        let a = spawn("popcorn", sleep(Duration::from_secs(3)));
        let b = spawn("boiler", async {
            yield_now().await;
            sleep(Duration::from_secs(5)).await;
        });
        a.abort();
        let _ = a.await;
        b.await.unwrap();
    });
    sim.run();
    sim
}

#[test]
fn jsonl_round_trips_with_the_same_fingerprint() {
    let sim = sample();
    let trace = sim.trace();
    let text = trace.to_jsonl();
    assert!(
        text.starts_with(r#"{"format":"wakescope-trace","version":2,"seed":11,"policy":"random","scenario":"sample""#),
        "{text}"
    );
    let back = Trace::from_jsonl(&text).unwrap();
    assert_eq!(back.fingerprint(), trace.fingerprint());
    assert_eq!(back.events(), trace.events());
    assert_eq!(back.header(), trace.header());
    assert_eq!(back.task(wakescope::TaskId(2)).unwrap().name, "boiler");
    assert_eq!(back.to_jsonl(), text);
}

fn error_of(text: &str) -> String {
    Trace::from_jsonl(text).unwrap_err().to_string()
}

#[test]
fn bad_files_are_rejected_with_the_line_and_the_problem() {
    let good = sample().trace().to_jsonl();
    let lines: Vec<&str> = good.lines().collect();
    assert_eq!(error_of(""), "the file is empty; expected a wakescope trace header");
    assert!(error_of("hello").starts_with("line 1: not a wakescope trace header"));
    let other = good.replacen("wakescope-trace", "other-trace", 1);
    assert_eq!(
        error_of(&other),
        "line 1: format is `other-trace`, expected `wakescope-trace`"
    );
    let future = good.replacen(r#""version":2"#, r#""version":9"#, 1);
    assert!(error_of(&future).contains("version 9 is not supported"));

    let mut swapped = lines.clone();
    swapped.swap(2, 3);
    assert!(error_of(&swapped.join("\n")).starts_with("line 3: sequence number 2 out of order; expected 1"));

    let truncated_json = format!("{}\n{}", lines[0], &lines[1][..lines[1].len() - 3]);
    assert!(error_of(&truncated_json).starts_with("line 2: "));

    let unknown = format!("{}\n{}", lines[0], r#"{"seq":0,"t_ns":0,"kind":"teleported","task":0}"#);
    assert!(
        error_of(&unknown).contains("unknown variant `teleported`"),
        "{}",
        error_of(&unknown)
    );

    let dangling = format!(
        "{}\n{}",
        lines[0], r#"{"seq":0,"t_ns":0,"kind":"poll_started","task":4,"pick":{"index":0,"refill":false}}"#
    );
    assert_eq!(error_of(&dangling), "line 2: task 4 is used before it was spawned");

    let wrong_time = format!(
        "{}\n{}",
        lines[0], r#"{"seq":0,"t_ns":5,"kind":"clock_advanced","to_ns":3}"#
    );
    assert_eq!(
        error_of(&wrong_time),
        "line 2: time 5 ns disagrees with the clock events (3 ns)"
    );

    // A continued trace's carried tables are checked too.
    let header = lines[0].trim_end_matches('}');
    let continued = |continues: &str, event: &str| format!("{header},\"continues\":{continues}}}\n{event}");
    let poll = r#"{"seq":0,"t_ns":9,"kind":"poll_started","task":1,"pick":{"index":0,"refill":false}}"#;
    let ok = continued(r#"{"start_ns":9,"tasks":[["a",null],["b",0]]}"#, poll);
    assert_eq!(
        Trace::from_jsonl(&ok).unwrap().task(wakescope::TaskId(1)).unwrap().name,
        "b"
    );
    for (continues, says) in [
        (
            r#"{"start_ns":9,"tasks":[["a",1],["b",0]]}"#,
            "task 0's parent is not a task before it",
        ),
        (
            r#"{"start_ns":9,"tasks":[["a",null]],"timers":[[3,5]]}"#,
            "timer 0's owner is not a carried task",
        ),
        (r#"{"start_ns":9,"tasks":[["a"]]}"#, "`tasks[0]` must be an array of 2"),
        (r#"{"start_ns":9,"fibers":[]}"#, "unknown field `fibers`"),
        (r#"{"tasks":[]}"#, "missing field `start_ns`"),
    ] {
        let e = error_of(&continued(continues, poll));
        assert!(
            e.starts_with("line 1: ") && e.contains("field `continues`: ") && e.ends_with(says),
            "{continues}: {e}"
        );
    }
    let early = continued(
        r#"{"start_ns":9,"tasks":[["a",null],["b",0]]}"#,
        &poll.replace("t_ns\":9", "t_ns\":0"),
    );
    assert_eq!(
        error_of(&early),
        "line 2: time 0 ns disagrees with the clock events (9 ns)"
    );
}

#[test]
fn the_invariant_checker_catches_a_tampered_trace() {
    let good = sample().trace().to_jsonl();
    support::check_invariants(&Trace::from_jsonl(&good).unwrap(), "good").unwrap();
    // Drop the first `woken` line: a pending task is then polled without a wake.
    let mut removed = false;
    let mut seq = 0;
    let mut out = Vec::new();
    for (i, line) in good.lines().enumerate() {
        if i > 0 && !removed && line.contains(r#""kind":"woken""#) {
            removed = true;
            continue;
        }
        if i == 0 {
            out.push(line.to_string());
            continue;
        }
        let rest = &line[line.find(",\"t_ns\"").unwrap()..];
        out.push(format!("{{\"seq\":{seq}{rest}"));
        seq += 1;
    }
    assert!(removed);
    let tampered = Trace::from_jsonl(&out.join("\n")).unwrap();
    let err = support::check_invariants(&tampered, "tampered").unwrap_err();
    assert!(err.contains("polled while Some(Idle)"), "{err}");
}

/// Every task the trace's events name, with its name in the trace.
fn named_tasks(trace: &Trace) -> Vec<(u32, String)> {
    let mut tasks: Vec<(u32, String)> = trace
        .iter()
        .filter_map(|r| r.event.task())
        .map(|t| {
            (
                t.0,
                trace
                    .task(t)
                    .expect("every task an event names is known")
                    .name
                    .to_string(),
            )
        })
        .collect();
    tasks.sort();
    tasks.dedup();
    tasks
}

/// The program cut by `take_trace`: tasks, timers and a channel before the
/// cut, a task and a timer living across it, more spawned after it.
fn cut_program(cut: bool) -> (Trace, Trace) {
    let mut sim = Sim::new(Config::seeded(4));
    let (tx, mut rx) = sim.enter(|| wakescope::sync::channel::<u32>("pipe", 1));
    let _popcorn = sim.spawn("popcorn", sleep(Duration::from_secs(3)));
    let _boiler = sim.spawn("boiler", async {
        yield_now().await;
    });
    // Live across the cut: popcorn is woken by the step that reaches 3 s and
    // finishes after it; cookies' timer fires after it.
    let _cookies = sim.spawn("cookies", sleep(Duration::from_secs(10)));
    while sim.now() < Duration::from_secs(3) {
        sim.step();
    }
    let first = if cut { sim.take_trace() } else { Trace::default() };
    // A name seen before the cut, a new one, a child spawned by a task, and
    // the channel made before the cut.
    let _again = sim.spawn("popcorn", async move {
        tx.send(7).await.unwrap();
        sleep(Duration::from_secs(1)).await;
    });
    let _tea = sim.spawn("tea", async move {
        let _milk = spawn("milk", yield_now());
        assert_eq!(rx.recv().await, Some(7));
        sleep(Duration::from_secs(2)).await;
    });
    assert!(sim.run().is_completed());
    (first, sim.take_trace())
}

#[test]
fn a_trace_taken_mid_run_and_the_one_after_it_are_each_complete() {
    let (first, second) = cut_program(true);
    for (label, trace) in [("first", &first), ("second", &second)] {
        let back = Trace::from_jsonl(&trace.to_jsonl()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(back.fingerprint(), trace.fingerprint(), "{label}");
        assert_eq!(back.events(), trace.events(), "{label}");
        assert_eq!(named_tasks(&back), named_tasks(trace), "{label}");
        assert_eq!(back.to_jsonl(), trace.to_jsonl(), "{label}");
        assert_eq!(back.start_time(), trace.start_time(), "{label}");
        assert_eq!(back.carried(), trace.carried(), "{label}");
        let chrome: serde_json::Value = serde_json::from_str(&trace.to_chrome_json()).unwrap();
        assert!(
            chrome["traceEvents"].as_array().is_some_and(|e| !e.is_empty()),
            "{label}"
        );
    }
    assert_eq!((first.start_time(), first.carried()), (Duration::ZERO, (0, 0, 0)));
    assert!(!first.to_jsonl().contains("continues"));
    assert_eq!(second.start_time(), Duration::from_secs(3));
    assert_eq!(
        second.carried(),
        (3, 2, 1),
        "three tasks, two timers and the channel before the cut"
    );
    assert_eq!(
        named_tasks(&second),
        [(0, "popcorn"), (2, "cookies"), (3, "popcorn"), (4, "tea"), (5, "milk")].map(|(t, n)| (t, n.to_string())),
    );
    assert_eq!(
        second.task(wakescope::TaskId(5)).unwrap().parent,
        Some(wakescope::TaskId(4))
    );
    assert_eq!(second.resource(wakescope::ResourceId(0)).unwrap().name, "pipe");
    // Times continue from the cut: cookies' timer fires at 10 s.
    assert_eq!(second.end_time(), Duration::from_secs(10));
    assert!(second.iter().all(|r| r.time_ns >= 3_000_000_000));
    // The two together are the uncut run, event for event.
    let (_, whole) = cut_program(false);
    let (whole, first_events, second_events) = (whole.events(), first.events(), second.events());
    assert_eq!(first_events.len() + second_events.len(), whole.len());
    let strip = |records: &[wakescope::EventRecord]| records.iter().map(|r| (r.time_ns, r.event)).collect::<Vec<_>>();
    assert_eq!(strip(&whole[..first_events.len()]), strip(&first_events));
    assert_eq!(strip(&whole[first_events.len()..]), strip(&second_events));
}

/// Runs the sample and returns its fingerprint: `sim.fingerprint()` can end
/// a function that owns the simulation.
fn sample_fingerprint() -> u64 {
    let sim = sample();
    sim.fingerprint()
}

#[test]
fn the_owned_accessors_agree_with_the_borrowed_trace() {
    let sim = sample();
    let trace = sim.trace_clone();
    assert_eq!(sim.fingerprint(), trace.fingerprint());
    assert_eq!(sim.fingerprint_hex(), format!("{:016x}", trace.fingerprint()));
    assert_eq!(sim.trace_jsonl(), trace.to_jsonl());
    assert_eq!(trace.events(), sim.trace().events());
    assert_eq!(sample_fingerprint(), trace.fingerprint());
    drop(sim);
    assert_eq!(
        trace.task(wakescope::TaskId(2)).unwrap().name,
        "boiler",
        "the clone outlives the simulation"
    );
}

#[test]
fn a_task_that_panics_twice_is_refused_with_its_line() {
    let mut sim = Sim::new(Config::seeded(1));
    let _a = sim.spawn("a", async { panic!("first") });
    sim.run();
    let text = sim.trace_jsonl();
    let lines: Vec<&str> = text.lines().collect();
    let panicked = lines.iter().position(|l| l.contains(r#""kind":"panicked""#)).unwrap();
    // The same task panics again with the next sequence number; the end moves one on.
    let mut doubled: Vec<String> = lines[..=panicked].iter().map(|l| l.to_string()).collect();
    let seq = panicked as u64 - 1;
    doubled.push(
        lines[panicked]
            .replace(&format!(r#""seq":{seq}"#), &format!(r#""seq":{}"#, seq + 1))
            .replace("first", "second"),
    );
    for l in &lines[panicked + 1..] {
        doubled.push(l.replace(&format!(r#""seq":{}"#, seq + 1), &format!(r#""seq":{}"#, seq + 2)));
    }
    let err = error_of(&doubled.join("\n"));
    assert_eq!(
        err,
        format!(
            "line {}: task 0 panicked twice; a task panics at most once",
            panicked + 2
        )
    );
}

#[test]
fn a_header_line_over_the_line_limit_is_refused_unless_it_carries_a_continuation() {
    let long = "x".repeat(wakescope::trace::TRACE_LINE_BYTES_MAX);
    let text = format!(r#"{{"format":"wakescope-trace","version":2,"seed":1,"policy":"random","scenario":"{long}"}}"#);
    let err = error_of(&text);
    assert!(err.starts_with("line 1: the header line is "), "{err}");
    assert!(
        err.ends_with(&format!("the limit is {}", wakescope::trace::TRACE_LINE_BYTES_MAX)),
        "{err}"
    );

    // A continued trace's header carries the tables before the cut: many tasks
    // make it long, and it is read.
    let mut sim = Sim::new(Config::seeded(1));
    for i in 0..5000 {
        let _t = sim.spawn(&format!("a task with a long name {i:05}"), async {});
    }
    sim.run();
    let _first = sim.take_trace();
    let _late = sim.spawn("late", async {});
    sim.run();
    let rest = sim.trace_jsonl();
    assert!(rest.lines().next().unwrap().len() > wakescope::trace::TRACE_LINE_BYTES_MAX);
    let read = Trace::from_jsonl(&rest).expect("a long continuation header is read");
    assert_eq!(read.fingerprint(), sim.fingerprint());
}
