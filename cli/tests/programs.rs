//! `wakescope run|sweep|explore program.rs`: a program file through the
//! playground's interpreter, with the fingerprint the interpreter gives in
//! process (and so, by the playground's equivalence tests, the compiled one).

mod common;

use common::wakescope;

use wakescope::{Config, Sim};
use wakescope_playground::Program;

const PROGRAMS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../playground/tests/programs");

#[test]
fn a_program_runs_with_the_interpreters_fingerprint_and_its_lines() {
    let path = format!("{PROGRAMS}/locks.rs");
    for seed in [0u64, 7] {
        let (code, stdout, stderr) = wakescope(&["run", &path, "--seed", &seed.to_string(), "--format", "jsonl"]);
        assert_eq!(code, 0, "{stderr}");
        let program = Program::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut sim = Sim::new(Config::seeded(seed));
        let _main = program.spawn_main(&mut sim);
        sim.run();
        assert!(
            stderr.contains(&format!("fingerprint {}", sim.fingerprint_hex())),
            "{stderr}"
        );
        assert_eq!(
            stdout,
            sim.trace_jsonl(),
            "the file is the trace, with nothing printed into it"
        );
        assert!(
            stdout.contains(&format!(r#""at":"{path}:14:10""#)),
            "main is spawned at its `async fn main`"
        );
    }
    let (code, stdout, _) = wakescope(&["run", &path, "--seed", "1"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("prints \"total 6, order "), "{stdout}");
    assert!(stdout.contains(&format!("waits at {path}:")), "{stdout}");
}

#[test]
fn a_sweep_of_a_program_finds_the_failing_seed_and_its_line() {
    let path = format!("{PROGRAMS}/race.rs");
    let (code, stdout, _) = wakescope(&["sweep", &path, "--seeds", "0..50", "--jobs", "1"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("an increment was lost"), "{stdout}");
    assert!(stdout.contains(&format!("at {path}:25:5")), "{stdout}");
    assert!(
        stdout.contains(&format!("replay: wakescope run {path} --seed ")),
        "{stdout}"
    );
    let (code, stdout, _) = wakescope(&["explore", &path]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("schedule s:"), "{stdout}");
}

#[test]
fn a_bad_program_is_refused_with_its_place_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("wakescope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.rs");
    std::fs::write(&bad, "async fn main() {\n    let x = [0; 2];\n}\n").unwrap();
    let bad = bad.to_string_lossy().to_string();
    let (code, _, stderr) = wakescope(&["run", &bad]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("{bad}:2:13: the expression `[x; n]` is not supported")),
        "{stderr}"
    );
    let (code, _, stderr) = wakescope(&["run", &format!("{}/missing.rs", dir.display())]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
    let (code, _, stderr) = wakescope(&["run", &bad, "--mode", "fast"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is a program: it has no modes or parameters"),
        "{stderr}"
    );
}

#[test]
fn preemption_points_find_the_update_lost_between_two_locked_sections() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs/split_lock.rs");
    let (code, stdout, stderr) = wakescope(&["explore", path]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("every schedule") && stdout.contains("no schedule failed"),
        "{stdout}"
    );
    let (code, stdout, _) = wakescope(&["sweep", path, "--seeds", "0..200", "--jobs", "1", "--no-shrink"]);
    assert_eq!(code, 0, "{stdout}");

    let (code, stdout, _) = wakescope(&["explore", path, "--preemption-points", "--stop-at-first"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("an increment was lost"), "{stdout}");
    let schedule = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("schedule "))
        .expect("a failing schedule")
        .to_string();
    let (code, replayed, _) = wakescope(&["run", path, "--preemption-points", "--schedule", &schedule]);
    assert_eq!(code, 1, "{replayed}");
    assert!(replayed.contains("an increment was lost"), "{replayed}");

    let (code, stdout, _) = wakescope(&["sweep", path, "--seeds", "0..200", "--jobs", "1", "--preemption-points"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("an increment was lost"), "{stdout}");
    assert!(
        stdout.contains(&format!("replay: wakescope run {path} --seed ")) && stdout.contains("--preemption-points"),
        "the replay keeps the option: {stdout}"
    );
}
