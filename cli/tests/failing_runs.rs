//! Understanding a failing run from the command line: `wakescope shrink`
//! and the shrunk failure in `wakescope sweep` (the schedule with the fewest
//! deviations from FIFO, in words, and a replay command that fails the same
//! way), and `wakescope diff` (two runs, the first step where they differ).

mod common;

use common::wakescope;

const ORDER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs/order.rs");

/// The value after `prefix` on the first line that has it.
fn after<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in\n{text}"))
}

/// Runs a replay command as printed (`wakescope run …`).
fn run_printed(command: &str) -> (i32, String, String) {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[..2], ["wakescope", "run"], "{command}");
    wakescope(&words[1..])
}

#[test]
fn a_program_shrinks_to_one_deviation_that_the_replay_command_repeats() {
    let (code, sweep, _) = wakescope(&["sweep", ORDER, "--seeds", "0..50", "--jobs", "1"]);
    assert_eq!(code, 1, "{sweep}");
    assert!(
        sweep.contains("  shrunk: 1 deviation from FIFO order (the failing run had"),
        "{sweep}"
    );
    assert!(
        sweep.contains("`b` ran before `a`, which had been ready since step"),
        "{sweep}"
    );
    let seed: u64 = sweep
        .split("the first is seed ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .unwrap()
        .parse()
        .unwrap();

    let (code, shrunk, stderr) = wakescope(&["shrink", ORDER, "--seed", &seed.to_string()]);
    assert_eq!(code, 1, "a failure was found: {shrunk}{stderr}");
    assert!(shrunk.contains("1 deviation from FIFO order"), "{shrunk}");
    let schedule = after(&shrunk, "schedule ");
    assert_eq!(schedule, after(&sweep, "schedule "), "the sweep and the command agree");
    let runs: u64 = after(&shrunk, "1 deviation from FIFO order (the failing run had ")
        .split("), found in ")
        .nth(1)
        .and_then(|r| r.strip_suffix(" runs"))
        .unwrap()
        .parse()
        .unwrap();
    assert!((3..=2000).contains(&runs), "{runs} runs");

    let (code, replayed, stderr) = run_printed(after(&shrunk, "replay: "));
    assert_eq!(code, 1, "{replayed}");
    assert!(stderr.contains("b's write was lost"), "{stderr}");
    assert!(stderr.contains("left: 1\n"), "the shrunk run's own failure: {stderr}");

    // The app link opens the shrunk run at its deviation, the program in its fragment.
    let open = after(&shrunk, "open:   ");
    let (query, code) = open.split_once("#code=").expect("a program link has its text");
    assert_eq!(
        lz_str::decompress_from_encoded_uri_component(code).map(|w| String::from_utf16_lossy(&w)),
        Some(std::fs::read_to_string(ORDER).unwrap())
    );
    let deviation_step = after(&shrunk, "at step ").split(' ').next().unwrap();
    assert_eq!(
        query,
        format!("http://127.0.0.1:8080/?seed={seed}&schedule={schedule}&step={deviation_step}")
    );
}

#[test]
fn the_race_scenario_shrinks_to_fifo_and_keeps_its_check() {
    let (code, out, _) = wakescope(&["shrink", "race", "--seed", "12"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FIFO order fails the same way: no deviation is needed (the failing run had 1)"),
        "{out}"
    );
    assert_eq!(after(&out, "schedule "), "s:");
    assert_eq!(
        after(&out, "open:   "),
        "http://127.0.0.1:8080/?s=race&mode=racy&seed=12&tasks=2&increments=1&spread_ms=10&schedule=s:&step=0"
    );
    let (code, replayed, _) = run_printed(after(&out, "replay: "));
    assert_eq!(code, 1);
    assert!(
        replayed.contains("update(s) lost  at executor/src/scenarios/race.rs:"),
        "{replayed}"
    );
}

#[test]
fn a_passing_seed_a_bad_budget_and_no_shrink_are_said_plainly() {
    let (code, out, _) = wakescope(&["shrink", "timers", "--seed", "3"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("seed 3 does not fail under the random policy: there is nothing to shrink"),
        "{out}"
    );

    for budget in ["1", "1000001", "lots"] {
        let (code, _, err) = wakescope(&["shrink", "race", "--seed", "12", "--budget", budget]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("not a number of runs from 2 to 1000000"), "{err}");
    }

    let (code, out, _) = wakescope(&["sweep", "race", "--seeds", "0..100", "--no-shrink"]);
    assert_eq!(code, 1);
    assert!(out.contains("the first is seed 12"), "{out}");
    assert!(!out.contains("shrunk"), "{out}");
}

#[test]
fn diff_names_the_first_divergence_and_exits_by_whether_runs_differ() {
    let (code, out, _) = wakescope(&["diff", "race", "--seed", "12", "--vs", "seed:12"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("the runs are the same, step for step (23 events)"),
        "{out}"
    );

    let (code, out, _) = wakescope(&["diff", "race", "--seed", "12", "--vs", "seed:13"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("B: race (mode racy, policy random, tasks=2 increments=1 spread_ms=10) seed 13"),
        "{out}"
    );
    assert!(out.contains("first divergence: step "), "{out}");
    assert!(
        out.contains("outcome: A failed a check (counter is 1, expected 2: 1 update(s) lost), B completed"),
        "{out}"
    );

    // The shrunk schedule against the failing run: the poll that differs.
    let (code, out, _) = wakescope(&["diff", "race", "--seed", "12", "--vs", "schedule:s:"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(": A polled `task 2`, B polled `task 1`"), "{out}");
    assert!(out.contains("they end the same way"), "{out}");

    let (code, out, _) = wakescope(&["diff", ORDER, "--seed", "0", "--vs", "policy:fifo"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("outcome: A panicked (assertion `left == right` failed: b's write was lost"),
        "{out}"
    );

    for (vs, says) in [
        (
            "13",
            "expected seed:N, mode:M, policy:P, schedule:s:…, param:NAME=VALUE",
        ),
        ("mode:nope", "unknown mode `nope` for race"),
        ("param:tasks=99", "tasks=99 is out of range"),
    ] {
        let (code, _, err) = wakescope(&["diff", "race", "--seed", "12", "--vs", vs]);
        assert_eq!(code, 2, "{vs}: {err}");
        assert!(err.contains(says), "{vs}: {err}");
    }
}

#[test]
fn fork_and_bisect_find_where_the_lost_update_became_inevitable() {
    // After both workers read (step 9 and its poll's end), every continuation loses the update.
    let (code, out, _) = wakescope(&["fork", "race", "--seed", "12", "--at", "11", "--runs", "300"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("300 continuations from step 11 (2 decisions kept): 300 failed"),
        "{out}"
    );
    let (code, replayed, _) = run_printed(after(&out, "replay the first that failed so: "));
    assert_eq!(code, 1);
    assert!(replayed.contains("update(s) lost"), "{replayed}");

    // From the start some pass and some fail.
    let (code, out, _) = wakescope(&["fork", "race", "--seed", "12", "--at", "0", "--runs", "300"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(" passed — the first, continuation seed "), "{out}");
    assert!(
        out.contains(" failed with the check at executor/src/scenarios/race.rs:"),
        "{out}"
    );
    let (code, replayed, _) = run_printed(after(&out, "replay the first that passed: "));
    assert_eq!(code, 0, "{replayed}");

    let (code, out, _) = wakescope(&["bisect", "race", "--seed", "12", "--runs", "200"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("inevitable from step 10: after decision 2 (step 8 `task 2` ran"),
        "{out}"
    );
    assert!(out.contains("P(fail) 1.000"), "{out}");

    let (code, out, _) = wakescope(&["bisect", "race", "--seed", "0"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("seed 0 does not fail under the random policy: there is nothing to bisect"),
        "{out}"
    );
    let (code, _, err) = wakescope(&["fork", "race", "--seed", "12", "--at", "999"]);
    assert_eq!(code, 2);
    assert!(err.contains("step 999 is past the end of the run (23 events)"), "{err}");
    let (code, _, err) = wakescope(&["fork", "race", "--seed", "12", "--at", "3", "--runs", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a number of runs from 1 to 100000"), "{err}");
}
