//! The `wakescope` binary, run as a user runs it: output, files and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

use wakescope::scenarios;
use wakescope::{Config, Trace};

/// Runs the binary with `args`.
fn wakescope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wakescope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("the binary exits normally")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

/// The `fingerprint <hex>` line on stderr.
fn stderr_fingerprint(out: &Output) -> String {
    let err = stderr(out);
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint "))
        .unwrap_or_else(|| panic!("no fingerprint line in {err:?}"));
    assert_eq!(line.len(), 16, "{line}");
    assert!(line.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
    line.to_string()
}

/// The fingerprint the library (and so the app) gives the timers scenario.
fn library_fingerprint(mode: &str, seed: u64, params: &[(&str, &str)]) -> String {
    let scenario = scenarios::find("timers").unwrap();
    let (params, errors) = scenario.params(Some(mode), params.iter().copied());
    assert!(errors.is_empty(), "{errors:?}");
    let (sim, _) = scenario.run(Config::seeded(seed), &params);
    sim.trace().fingerprint_hex()
}

/// The outcome counts of a sweep report: `  completed   2000` → ("completed", 2000).
fn outcome_counts(text: &str) -> std::collections::BTreeMap<String, u64> {
    text.lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| {
            let (kind, n) = l.trim().rsplit_once(' ')?;
            Some((kind.trim().to_string(), n.parse().ok()?))
        })
        .collect()
}

/// A file name in the temp directory, unique to this test process.
fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("wakescope-cli-{}-{name}", std::process::id()))
}

#[test]
fn usage_mistakes_exit_2_with_a_message() {
    for (args, says) in [
        (&["frobnicate"][..], "unrecognized subcommand 'frobnicate'"),
        (&["run", "nope"][..], "unknown scenario `nope`; known: "),
        (&["run"][..], "required arguments were not provided"),
        (&["run"][..], "<TARGET>"),
        (
            &["run", "timers", "--seed", "x"][..],
            "invalid value 'x' for '--seed <N>'",
        ),
        (&["run", "timers", "--bogus", "1"][..], "unexpected argument '--bogus'"),
        (
            &["run", "timers", "--mode", "parallel"][..],
            "unknown mode `parallel` for timers",
        ),
        (
            &["run", "timers", "--param", "popcorn_s=99999"][..],
            "popcorn_s=99999 is out of range 0..=3600",
        ),
        (
            &["run", "timers", "--param", "eggs_s=3"][..],
            "timers has no parameter `eggs_s`",
        ),
        (
            &["run", "timers", "--format", "svg"][..],
            "invalid value 'svg' for '--format <F>'",
        ),
        (
            &["run", "timers", "--format", "svg"][..],
            "[possible values: text, jsonl, chrome]",
        ),
        (&["run", "timers", "--policy", "lifo"][..], "unknown policy `lifo`"),
        (&["sweep", "timers"][..], "--seeds <A..B>"),
        (
            &["sweep", "timers", "--seeds", "5..2"][..],
            "the seed range `5..2` is empty",
        ),
        (&["sweep", "timers", "--seeds", "x..y"][..], "`x` is not a seed"),
        (&["sweep", "timers", "--seeds", "0..10", "--jobs", "0"][..], "--jobs"),
        (
            &["check-determinism", "nope", "--seeds", "0..10"][..],
            "unknown scenario `nope`",
        ),
        (
            &["explore", "race", "--policy", "fifo"][..],
            "unexpected argument '--policy'",
        ),
    ] {
        let out = wakescope(args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stdout(&out).is_empty(), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains("try '--help'"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // No command at all: the help, on stderr, as a usage error.
    let out = wakescope(&[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("Usage: wakescope <COMMAND>"), "{}", stderr(&out));
}

/// Every subcommand, as the top-level help lists it.
const SUBCOMMANDS: [&str; 7] = [
    "list",
    "run",
    "sweep",
    "check-determinism",
    "explore",
    "completions",
    "help",
];

#[test]
fn help_and_list_exit_0() {
    for args in [&["help"][..], &["--help"][..], &["-h"][..]] {
        let out = wakescope(args);
        assert_eq!(code(&out), 0, "{args:?}");
        let text = stdout(&out);
        assert!(text.contains("Usage: wakescope <COMMAND>"), "{args:?}: {text}");
        for name in SUBCOMMANDS {
            assert!(
                text.lines().any(|l| l.trim_start().starts_with(&format!("{name} "))),
                "{args:?} does not list {name}: {text}"
            );
        }
        assert!(text.contains("Exit status: 0 all well"), "{args:?}: {text}");
    }
    for args in [
        &["run", "timers", "--help"][..],
        &["run", "-h"][..],
        &["help", "run"][..],
    ] {
        let out = wakescope(args);
        assert_eq!(code(&out), 0, "{args:?}");
        let text = stdout(&out);
        assert!(
            text.contains("Usage: wakescope run [OPTIONS] <TARGET>"),
            "{args:?}: {text}"
        );
        for option in [
            "--seed <N>",
            "--format <F>",
            "--out <FILE>",
            "--schedule",
            "--mode <M>",
            "--param <NAME=VALUE>",
            "--policy <P>",
            "--steps-max <N>",
        ] {
            assert!(text.contains(option), "{args:?} lacks {option}: {text}");
        }
    }
    let out = wakescope(&["sweep", "--help"]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("Usage: wakescope sweep [OPTIONS] --seeds <A..B> <TARGET>"),
        "{}",
        stdout(&out)
    );
    let out = wakescope(&["--version"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out).trim(), format!("wakescope {}", env!("CARGO_PKG_VERSION")));

    let out = wakescope(&["list"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for scenario in scenarios::registry() {
        assert!(text.contains(scenario.id) && text.contains(scenario.question), "{text}");
        for p in scenario.params {
            assert!(
                text.contains(&format!(
                    "default {} {}, from {} to {} {}",
                    p.default, p.unit, p.min, p.max, p.unit
                )),
                "{text}"
            );
        }
    }
    assert!(
        text.contains("concurrent (default)") && text.contains("popcorn_s"),
        "{text}"
    );
}

/// Runs `args`, expects a usage error and returns its message.
fn usage_error(args: &[&str]) -> String {
    let out = wakescope(args);
    assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    err
}

#[test]
fn near_misses_get_a_did_you_mean_tip() {
    for (args, tip) in [
        (
            &["run", "timers", "--mdoe", "sequential"][..],
            "a similar argument exists: '--mode'",
        ),
        (
            &["sweep", "timers", "--seed", "0..10"][..],
            "a similar argument exists: '--seeds'",
        ),
        (&["swep", "timers"][..], "a similar subcommand exists: 'sweep'"),
        (
            &["run", "timers", "--format", "chrom"][..],
            "a similar value exists: 'chrome'",
        ),
        (&["run", "timerz"][..], "did you mean `timers`?"),
        (
            &["run", "timers", "--mode", "sequental"][..],
            "did you mean `--mode sequential`?",
        ),
    ] {
        let err = usage_error(args);
        assert!(err.contains("tip: "), "{args:?}: {err}");
        assert!(err.contains(tip), "{args:?}: {err}");
    }
}

#[test]
fn a_parameter_and_an_option_mixed_up_get_the_right_spelling() {
    for (args, says, tip) in [
        (
            &["run", "timers", "--param", "mode=sequential"][..],
            "timers has no parameter `mode`",
            "did you mean `--mode sequential`?",
        ),
        (
            &["sweep", "race", "--seeds", "0..9", "--param", "policy=fifo"][..],
            "race has no parameter `policy`",
            "did you mean `--policy fifo`?",
        ),
        (
            &["run", "timers", "--param", "steps_max=9"][..],
            "timers has no parameter `steps_max`",
            "did you mean `--steps-max 9`?",
        ),
        (
            &["run", "timers", "--param", "popcorn=4"][..],
            "timers has no parameter `popcorn`",
            "did you mean `--param popcorn_s=4`?",
        ),
        (
            &["run", "timers", "--popcorn_s", "4"][..],
            "unexpected argument '--popcorn_s'",
            "did you mean `--param popcorn_s=4`?",
        ),
        (
            &["run", "timers", "popcorn_s=4"][..],
            "unexpected argument 'popcorn_s=4'",
            "did you mean `--param popcorn_s=4`?",
        ),
        (
            &["run", "timers", "mode=sequential"][..],
            "unexpected argument 'mode=sequential'",
            "did you mean `--mode sequential`?",
        ),
    ] {
        let err = usage_error(args);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(err.contains(tip), "{args:?}: {err}");
    }
    // A parameter far from every name gets the list of the scenario's parameters.
    let err = usage_error(&["run", "timers", "--param", "eggs_s=3"]);
    assert!(
        err.contains("tip: the parameters of timers are popcorn_s, boiler_s, cookies_s"),
        "{err}"
    );
}

#[test]
fn a_bad_seed_names_the_argument() {
    for args in [
        &["run", "timers", "--seed", "x"][..],
        &["run", "timers", "--seed=-1"][..],
        &["run", "timers", "--seed", "18446744073709551616"][..],
    ] {
        let err = usage_error(args);
        assert!(err.contains("for '--seed <N>'"), "{args:?}: {err}");
        assert!(
            err.contains("not a whole number from 0 to 18446744073709551615"),
            "{args:?}: {err}"
        );
    }
    let err = usage_error(&["sweep", "timers", "--seeds", "1..x"]);
    assert!(
        err.contains("for '--seeds <A..B>'") && err.contains("`x` is not a seed"),
        "{err}"
    );
}

#[test]
fn completions_print_a_script_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _wakescope"),
        ("zsh", "#compdef wakescope"),
        ("fish", "complete -c wakescope"),
    ] {
        let out = wakescope(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        for name in ["check-determinism", "explore", "seeds", "steps-max"] {
            assert!(script.contains(name), "{shell} lacks {name}");
        }
    }
    let err = usage_error(&["completions", "tcsh"]);
    assert!(
        err.contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{err}"
    );
}

#[test]
fn the_text_timeline_tells_the_kitchen_story() {
    for (mode, end) in [("concurrent", "10.000s"), ("sequential", "18.000s")] {
        let out = wakescope(&["run", "timers", "--mode", mode, "--seed", "42"]);
        assert_eq!(code(&out), 0, "{mode}");
        let text = stdout(&out);
        for name in ["popcorn", "boiler", "cookies"] {
            assert!(text.contains(name), "{mode}: {text}");
        }
        assert!(
            text.contains("poll → pending") && text.contains("← woken by timer"),
            "{mode}: {text}"
        );
        let tail: Vec<&str> = text.lines().rev().take(7).collect();
        assert!(
            tail.iter().any(|l| l.starts_with(&format!("t={end}"))),
            "{mode}: {tail:?}"
        );
        assert!(text.contains(&format!("virtual time {end}")), "{mode}: {text}");
        assert!(text.contains("outcome: completed"), "{mode}: {text}");
        assert!(text.contains("verdict: pass"), "{mode}: {text}");
        assert_eq!(stderr_fingerprint(&out), library_fingerprint(mode, 42, &[]), "{mode}");
    }
}

#[test]
fn jsonl_reads_back_with_the_same_fingerprint_as_the_library_and_the_app() {
    for (seed, params) in [(0, &[][..]), (7, &[("popcorn_s", "4"), ("cookies_s", "1")][..])] {
        let mut args = vec!["run", "timers", "--format", "jsonl", "--seed"];
        let seed_text = seed.to_string();
        args.push(&seed_text);
        let pairs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for p in &pairs {
            args.extend(["--param", p.as_str()]);
        }
        let out = wakescope(&args);
        assert_eq!(code(&out), 0);
        let trace = Trace::from_jsonl(&stdout(&out)).expect("the output is a trace file");
        let printed = stderr_fingerprint(&out);
        assert_eq!(trace.fingerprint_hex(), printed, "seed {seed}");
        assert_eq!(printed, library_fingerprint("concurrent", seed, params), "seed {seed}");
        assert_eq!(trace.header().seed, seed);
        assert_eq!(trace.header().scenario.as_deref(), Some("timers"));
    }
}

#[test]
fn chrome_output_is_trace_event_json() {
    let out = wakescope(&["run", "timers", "--format", "chrome", "--seed", "3"]);
    assert_eq!(code(&out), 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    let events = doc["traceEvents"].as_array().expect("traceEvents");
    assert!(events.iter().any(|e| e["ph"] == "X"), "polls are slices");
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "M" && e["args"]["name"] == "popcorn #1")
    );
    assert_eq!(
        doc["otherData"]["fingerprint"].as_str().unwrap(),
        stderr_fingerprint(&out)
    );
    assert_eq!(doc["otherData"]["scenario"], "timers");
}

#[test]
fn out_writes_the_file_and_keeps_stdout_empty() {
    let path = temp_file("run.json");
    let _ = std::fs::remove_file(&path);
    let out = wakescope(&["run", "timers", "--format", "chrome", "--out", path.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let written = std::fs::read_to_string(&path).expect("the file was written");
    let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert!(doc["traceEvents"].is_array());
    assert!(stderr(&out).contains(&format!("wrote {} bytes to", written.len())));
    std::fs::remove_file(&path).unwrap();

    let unwritable = temp_file("no-such-dir").join("run.json");
    let out = wakescope(&["run", "timers", "--out", unwritable.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
}

#[test]
fn a_run_that_hits_a_limit_exits_1() {
    let out = wakescope(&["run", "timers", "--steps-max", "5"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("outcome: step limit of 5 steps reached"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("seed 0: the run failed: the run stopped before its end: step limit"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("verdict: FAIL"), "{}", stdout(&out));
    stderr_fingerprint(&out);
}

#[test]
fn a_sweep_over_the_timers_passes_and_reports_its_rate() {
    let out = wakescope(&["sweep", "timers", "--seeds", "0..2000"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let counts = outcome_counts(&text);
    assert_eq!(counts["completed"], 2000, "{text}");
    assert_eq!(counts.values().sum::<u64>(), 2000, "{text}");
    assert!(
        counts.contains_key("deadlock") && counts.contains_key("step limit"),
        "{text}"
    );
    assert!(text.contains("no failing seed"), "{text}");
    let rate: f64 = text
        .lines()
        .find_map(|l| l.strip_suffix(" seeds/s"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seeds/s in {text}"));
    assert!(rate > 0.0, "{text}");
}

#[test]
fn a_failing_sweep_names_the_first_seed_the_replay_and_the_address() {
    let one = wakescope(&[
        "sweep",
        "timers",
        "--seeds",
        "10..60",
        "--steps-max",
        "5",
        "--jobs",
        "1",
    ]);
    let many = wakescope(&[
        "sweep",
        "timers",
        "--seeds",
        "10..60",
        "--steps-max",
        "5",
        "--jobs",
        "3",
    ]);
    assert_eq!((code(&one), code(&many)), (1, 1));
    let text = stdout(&one);
    assert_eq!(outcome_counts(&text)["step limit"], 50, "{text}");
    assert!(text.contains("50 of 50 seeds failed; the first is seed 10:"), "{text}");
    assert!(
        text.contains("replay: wakescope run timers --mode concurrent --seed 10 --steps-max 5"),
        "{text}"
    );
    assert!(
        text.contains(
            "open:   http://127.0.0.1:8080/?s=timers&mode=concurrent&seed=10&popcorn_s=3&boiler_s=5&cookies_s=10"
        ),
        "{text}"
    );
    // The same report whatever the number of jobs, but for the job count and the rate.
    let strip = |t: &str| {
        t.lines()
            .filter(|l| !l.contains("seeds/s") && !l.starts_with("sweep "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&text), strip(&stdout(&many)));
    // The replay command reproduces the failure and its fingerprint.
    let fingerprint = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("fingerprint "))
        .unwrap()[..16]
        .to_string();
    let replay = wakescope(&[
        "run",
        "timers",
        "--mode",
        "concurrent",
        "--seed",
        "10",
        "--steps-max",
        "5",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code(&replay), 1);
    assert_eq!(stderr_fingerprint(&replay), fingerprint);
}

#[test]
fn a_pct_sweep_and_its_replay_measure_the_same_horizon() {
    let sweep = wakescope(&["sweep", "race", "--policy", "pct:2", "--seeds", "0..300", "--jobs", "1"]);
    assert_eq!(code(&sweep), 1, "{}", stdout(&sweep));
    let text = stdout(&sweep);
    let seed = text
        .lines()
        .find_map(|l| l.split("the first is seed ").nth(1))
        .and_then(|rest| rest.trim_end_matches(':').parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no first failing seed in {text}"));
    let fingerprint = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("fingerprint "))
        .unwrap()[..16]
        .to_string();
    let seed_text = seed.to_string();
    let replay = wakescope(&[
        "run", "race", "--policy", "pct:2", "--seed", &seed_text, "--format", "jsonl",
    ]);
    assert_eq!(code(&replay), 1, "seed {seed}: {}", stderr(&replay));
    assert_eq!(
        stderr_fingerprint(&replay),
        fingerprint,
        "seed {seed}: the replay is the sweep's run"
    );
    let header = Trace::from_jsonl(&stdout(&replay)).unwrap().header().clone();
    assert!(
        header.policy.starts_with("pct:2:") && header.policy.len() > "pct:2:".len(),
        "seed {seed}: the measured horizon is in the header: {}",
        header.policy
    );
}

#[test]
fn check_determinism_passes_for_the_timers() {
    let out = wakescope(&[
        "check-determinism",
        "timers",
        "--seeds",
        "0..300",
        "--mode",
        "sequential",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("every seed gave the same trace twice"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("300 seeds run twice in"), "{}", stdout(&out));
}

#[test]
fn the_scenario_verdict_decides_the_exit_status() {
    // The zero-window deadlock is the flow scenario's lesson, not a failure.
    let out = wakescope(&["run", "flow", "--mode", "zero-window"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("outcome: deadlock"), "{}", stdout(&out));
    assert!(stdout(&out).contains("verdict: pass"), "{}", stdout(&out));
    // A lost update is the race scenario's failure; the sweep finds the same seed every time.
    let first = wakescope(&["sweep", "race", "--seeds", "0..200", "--jobs", "1"]);
    let again = wakescope(&["sweep", "race", "--seeds", "0..200"]);
    assert_eq!((code(&first), code(&again)), (1, 1));
    let seed_line = |o: &std::process::Output| {
        stdout(o)
            .lines()
            .find(|l| l.contains("the first is seed"))
            .map(|l| l.split("seed ").last().unwrap().to_string())
    };
    assert_eq!(seed_line(&first), seed_line(&again));
    assert!(stdout(&first).contains("update(s) lost"), "{}", stdout(&first));
}

#[test]
fn explore_tries_every_schedule_and_its_failure_replays() {
    let out = wakescope(&["explore", "timers"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("6 schedule(s) run: every schedule"),
        "{}",
        stdout(&out)
    );

    let out = wakescope(&["explore", "race", "--param", "tasks=2"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("schedule(s) run: every schedule"), "{text}");
    let schedule = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("schedule "))
        .expect("a failing schedule")
        .to_string();
    let replay = wakescope(&["run", "race", "--param", "tasks=2", "--schedule", &schedule]);
    assert_eq!(code(&replay), 1, "{}", stderr(&replay));
    assert!(stdout(&replay).contains("update(s) lost"), "{}", stdout(&replay));

    // A schedule overrides the policy completely: the same run under any of them.
    let fifo = wakescope(&[
        "run",
        "race",
        "--param",
        "tasks=2",
        "--policy",
        "fifo",
        "--schedule",
        &schedule,
    ]);
    for policy in ["pct:2", "pct:3:5", "random"] {
        let other = wakescope(&[
            "run",
            "race",
            "--param",
            "tasks=2",
            "--policy",
            policy,
            "--schedule",
            &schedule,
        ]);
        assert_eq!(
            code(&other),
            code(&fifo),
            "--policy {policy} --schedule {schedule}: {}",
            stderr(&other)
        );
        assert_eq!(
            stderr_fingerprint(&other),
            stderr_fingerprint(&fifo),
            "--policy {policy} --schedule {schedule} replays the --policy fifo run"
        );
        assert!(
            stdout(&other).contains("update(s) lost") && !stdout(&other).contains("deadlock"),
            "--policy {policy} --schedule {schedule}: {}",
            stdout(&other)
        );
    }

    let bounded = wakescope(&["explore", "race", "--param", "tasks=3", "--max", "3"]);
    assert!(
        stdout(&bounded).contains("3 schedule(s) run: stopped at the bound"),
        "{}",
        stdout(&bounded)
    );
}

#[test]
fn explore_and_sweep_stop_at_the_first_failure() {
    let all = wakescope(&["explore", "race", "--param", "tasks=2"]);
    let first = wakescope(&["explore", "race", "--param", "tasks=2", "--stop-at-first"]);
    assert_eq!((code(&all), code(&first)), (1, 1));
    let (all, first) = (stdout(&all), stdout(&first));
    let line = |text: &str, prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::to_string))
            .unwrap_or_else(|| panic!("no line `{prefix}…` in {text}"))
    };
    // The same first failing schedule and index, found without the rest of the walk.
    assert_eq!(line(&all, "schedule "), line(&first, "schedule "));
    assert_eq!(
        line(&all, "the walk's schedule #"),
        line(&first, "the walk's schedule #")
    );
    assert!(
        first.contains("stopped at the first failure (--stop-at-first)") && first.contains("1 of 1 schedules failed"),
        "{first}"
    );

    let all = wakescope(&["sweep", "race", "--seeds", "0..200", "--no-shrink", "--jobs", "1"]);
    let first = wakescope(&[
        "sweep",
        "race",
        "--seeds",
        "0..200",
        "--no-shrink",
        "--jobs",
        "1",
        "--stop-at-first",
    ]);
    assert_eq!((code(&all), code(&first)), (1, 1));
    let (all, first) = (stdout(&all), stdout(&first));
    let seed = line(&all, "replay: ");
    assert_eq!(seed, line(&first, "replay: "), "the same smallest failing seed");
    let failing: u64 = line(&first, "1 of ")
        .split("the first is seed ")
        .nth(1)
        .and_then(|s| s.trim_end_matches(':').parse().ok())
        .expect("the failing seed");
    assert!(
        first.contains(&format!(
            "stopped at the first failure (--stop-at-first): {} of 200 seeds ran",
            failing + 1
        )),
        "{first}"
    );

    let refused = wakescope(&["check-determinism", "race", "--seeds", "0..5", "--stop-at-first"]);
    assert_eq!(code(&refused), 2, "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("an option of `sweep`"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn the_shards_of_a_sweep_merge_to_the_unsharded_sweeps_counts_and_first_failure() {
    let dir = std::env::temp_dir().join(format!("wakescope-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = |k: u32| dir.join(format!("shard-{k}.json")).display().to_string();
    let sweep = ["sweep", "race", "--seeds", "0..2000", "--no-shrink"];
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let path = report(k);
        let out = wakescope(&[&sweep[..], &["--shard", &shard, "--report", &path]].concat());
        assert!(code(&out) <= 1, "{}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("(shard {k}/3 of 0..2000)")),
            "{}",
            stdout(&out)
        );
    }
    let whole = wakescope(&sweep);
    let merged = wakescope(&["merge", &report(1), &report(2), &report(3)]);
    assert_eq!((code(&whole), code(&merged)), (1, 1), "{}", stderr(&merged));
    let (whole, merged) = (stdout(&whole), stdout(&merged));
    // Every count line, the failure's lines and the replay are the same.
    let summary = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| {
                l.starts_with("  ") && !l.starts_with("  shrunk") || l.contains("seeds failed; the first is seed")
            })
            .map(str::to_string)
            .collect()
    };
    assert_eq!(summary(&merged), summary(&whole), "merged:\n{merged}\nwhole:\n{whole}");
    assert!(merged.contains("the first is seed 12:"), "{merged}");
    assert!(merged.contains("merged from 3 shard report(s)"), "{merged}");

    // Shards that are not one sweep's are refused, with the reason.
    let missing = wakescope(&["merge", &report(1), &report(3)]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("1 of 3 shards missing: 2/3"),
        "{}",
        stderr(&missing)
    );
    let bad = wakescope(&["sweep", "race", "--seeds", "0..10", "--shard", "3/2"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("shard 3/2 does not exist: K in K/N counts from 1 to 2"),
        "{}",
        stderr(&bad)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
