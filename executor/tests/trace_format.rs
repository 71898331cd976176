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
        text.starts_with(r#"{"format":"wakescope-trace","version":1,"seed":11,"policy":"random","scenario":"sample""#),
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
    let future = good.replacen(r#""version":1"#, r#""version":9"#, 1);
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
        lines[0], r#"{"seq":0,"t_ns":0,"kind":"poll_started","task":4}"#
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
