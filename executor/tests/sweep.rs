//! Seed sweeps and the determinism self-check.

use std::cell::Cell;
use std::process::Command;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use wakescope::sweep::{
    self, SeedResult, Shard, Sweep, check_determinism, check_no_panics, check_outcome, parse_seeds,
};
use wakescope::{Config, Policy, Sim, TaskId, spawn, yield_now};

mod support;

/// Seeds swept by most tests here.
const SEEDS: std::ops::Range<u64> = 0..400;

/// Three tasks add one each to a counter with a read, a yield and a write:
/// some interleavings lose an increment.
fn racy_counter(sim: &mut Sim) -> SeedResult {
    let counter = Rc::new(Cell::new(0));
    for name in ["a", "b", "c"] {
        let counter = counter.clone();
        let _task = sim.spawn(name, async move {
            let read = counter.get();
            yield_now().await;
            counter.set(read + 1);
        });
    }
    check_outcome(&sim.run())?;
    match counter.get() {
        3 => Ok(()),
        n => Err(format!("counter is {n}, expected 3")),
    }
}

/// The seeds for which `body` fails, found one run at a time without a sweep.
fn failing_seeds(body: impl Fn(&mut Sim) -> SeedResult) -> Vec<(u64, String)> {
    SEEDS
        .filter_map(|seed| {
            let mut sim = Sim::new(Config::seeded(seed).with_trace(false));
            body(&mut sim).err().map(|m| (seed, m))
        })
        .collect()
}

#[test]
fn counts_are_exact_and_the_first_failure_is_the_smallest_failing_seed() {
    let expected = failing_seeds(racy_counter);
    assert!(
        !expected.is_empty() && expected.len() < SEEDS.end as usize,
        "{} failing seeds",
        expected.len()
    );
    let report = Sweep::new(SEEDS).jobs(1).env(false).name("racy").run(racy_counter);
    assert_eq!(report.runs, SEEDS.end);
    assert_eq!(report.failures, expected.len() as u64);
    let failure = report.first_failure.as_ref().expect("a failure");
    assert_eq!((failure.seed, &failure.message), (expected[0].0, &expected[0].1));
    assert!(failure.reproduced);
    assert_eq!(
        failure.replay,
        format!("WAKESCOPE_SEED={} cargo test racy", failure.seed)
    );
    assert!(!failure.trace.is_empty(), "the re-run records its trace");
    assert_eq!(failure.fingerprint, failure.trace.fingerprint());
    assert_eq!(failure.trace.header().seed, failure.seed);
    assert!(!report.is_ok());
}

#[test]
fn one_job_and_many_jobs_find_the_same_first_failure() {
    let one = Sweep::new(SEEDS).jobs(1).env(false).run(racy_counter);
    let four = Sweep::new(SEEDS).jobs(4).env(false).run(racy_counter);
    let all = Sweep::new(SEEDS).env(false).run(racy_counter);
    assert_eq!((one.jobs, four.jobs), (1, 4));
    for other in [&four, &all] {
        assert_eq!(other.failures, one.failures);
        let (a, b) = (
            one.first_failure.as_ref().unwrap(),
            other.first_failure.as_ref().unwrap(),
        );
        assert_eq!((a.seed, &a.message, a.fingerprint), (b.seed, &b.message, b.fingerprint));
    }
}

#[test]
fn the_recorded_trace_is_the_trace_of_a_plain_run_of_that_seed() {
    let report = Sweep::new(SEEDS).env(false).run(racy_counter);
    let failure = report.first_failure.unwrap();
    let mut sim = Sim::new(Config::seeded(failure.seed));
    assert_eq!(racy_counter(&mut sim), Err(failure.message.clone()));
    assert_eq!(sim.trace().fingerprint(), failure.fingerprint);
}

#[test]
fn a_program_that_always_passes_reports_no_failure_and_a_rate() {
    let report = sweep::sweep(0..1000, |sim| {
        let _nap = sim.spawn("nap", wakescope::sleep(std::time::Duration::from_millis(5)));
        check_outcome(&sim.run())
    });
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.runs, report.failures), (1000, 0));
    assert!(report.first_failure.is_none());
    let rate = report.seeds_per_second().expect("native sweeps are timed");
    assert!(rate > 0.0, "{rate} seeds/s");
    report.assert_ok();
    assert!(report.to_string().contains("1000 run, 0 failed"), "{report}");
}

#[test]
fn panics_in_the_body_are_failures_with_message_and_location() {
    let body = |sim: &mut Sim| -> SeedResult {
        let seed = sim.config().seed;
        assert!(seed % 3 != 1, "seed {seed} is one more than a multiple of three");
        Ok(())
    };
    let report = Sweep::new(0..30).env(false).run(body);
    assert_eq!(report.failures, 10);
    let failure = report.first_failure.unwrap();
    assert_eq!(failure.seed, 1);
    assert!(failure.reproduced);
    assert!(failure.message.starts_with("panicked at "), "{}", failure.message);
    assert!(failure.message.contains("tests/sweep.rs"), "{}", failure.message);
    assert!(
        failure.message.ends_with("seed 1 is one more than a multiple of three"),
        "{}",
        failure.message
    );
}

#[test]
fn a_failing_assert_in_a_task_fails_its_seed_through_check_outcome() {
    let body = |sim: &mut Sim| -> SeedResult {
        let seed = sim.config().seed;
        let _worker = sim.spawn("worker", async move {
            yield_now().await;
            assert!(seed % 4 != 2, "worker gave up on seed {seed}");
        });
        // Another task goes on after the panic and finishes.
        let _other = sim.spawn("other", yield_now());
        check_outcome(&sim.run())
    };
    let report = Sweep::new(0..20).env(false).run(body);
    assert_eq!((report.runs, report.failures), (20, 5));
    let failure = report.first_failure.unwrap();
    assert_eq!(failure.seed, 2);
    assert!(failure.reproduced, "seed 2");
    assert!(
        failure
            .message
            .starts_with("task #0 \"worker\" panicked (seed 2, step ")
            && failure.message.ends_with("): worker gave up on seed 2"),
        "seed 2: {}",
        failure.message
    );
}

#[test]
#[cfg(panic = "unwind")]
fn a_panic_a_join_or_a_supervisor_handled_passes_check_outcome_but_not_check_no_panics() {
    // The parent awaits the handle and looks at the error: handled.
    let joined = |sim: &mut Sim| {
        let _parent = sim.spawn("parent", async {
            let child = wakescope::spawn("child", async { panic!("child failed") });
            assert!(child.await.unwrap_err().is_panic());
        });
    };
    // A supervisor that traps exits gets the panic as a message: handled.
    let supervised = |sim: &mut Sim| {
        let _supervisor = sim.spawn("supervisor", async {
            wakescope::supervision::trap_exit(true);
            let _child = wakescope::supervision::spawn_link("child", async { panic!("child failed") });
            let exit = wakescope::supervision::recv_exit().await;
            assert_eq!(exit.reason, wakescope::ExitReason::Error);
        });
    };
    // Nobody looks: the detached child's panic fails the run.
    let detached = |sim: &mut Sim| {
        let _parent = sim.spawn("parent", async {
            let _child = wakescope::spawn("child", async { panic!("child failed") });
        });
    };
    for (name, program, passes) in [
        ("joined", &joined as &dyn Fn(&mut Sim), true),
        ("supervised", &supervised, true),
        ("detached", &detached, false),
    ] {
        for seed in 0..10 {
            let mut sim = Sim::new(Config::seeded(seed));
            program(&mut sim);
            let outcome = sim.run();
            assert_eq!(check_outcome(&outcome).is_ok(), passes, "{name} seed {seed}: {outcome}");
            let strict = check_no_panics(&sim).unwrap_err();
            assert_eq!(strict, "task #1 \"child\" panicked: child failed", "{name} seed {seed}");
            if !passes {
                let panic = outcome
                    .panic()
                    .unwrap_or_else(|| panic!("{name} seed {seed}: {outcome}"));
                assert_eq!(
                    (panic.task, panic.name.as_str(), panic.message.as_str(), panic.seed),
                    (TaskId(1), "child", "child failed", seed)
                );
            }
        }
    }
}

#[test]
#[cfg(panic = "unwind")]
fn a_deadlock_after_a_panic_is_reported_as_the_deadlock() {
    let mut sim = Sim::new(Config::seeded(1));
    let _doomed = sim.spawn("doomed", async { panic!("doomed") });
    let _stuck = sim.spawn("stuck", std::future::pending::<()>());
    let outcome = sim.run();
    assert!(outcome.is_deadlock(), "{outcome}");
}

#[test]
fn a_deadlock_is_a_failure_through_check_outcome() {
    let report = Sweep::new(0..5).env(false).run(|sim| {
        let _stuck = sim.spawn("stuck", std::future::pending::<()>());
        check_outcome(&sim.run())
    });
    assert_eq!(report.failures, 5);
    let message = &report.first_failure.as_ref().unwrap().message;
    assert!(message.starts_with("deadlock"), "{message}");
    assert!(message.contains("stuck"), "{message}");
}

#[test]
fn determinism_holds_for_a_program_that_reads_nothing_outside_the_run() {
    for seed in [0, 1, 17, u64::MAX] {
        let fingerprint = check_determinism(seed, racy_counter).unwrap_or_else(|d| panic!("{d}"));
        let mut sim = Sim::new(Config::seeded(seed));
        let _ = racy_counter(&mut sim);
        assert_eq!(fingerprint, sim.trace().fingerprint(), "seed {seed}");
    }
    let report = Sweep::new(0..200).env(false).check_determinism(racy_counter);
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.runs, report.divergences), (200, 0));
}

/// Yields once on odd calls and twice on even ones: the program reads a
/// process-global counter, so two runs of one seed differ.
fn spinner_reading_a_global(calls: &'static AtomicU64) -> impl Fn(&mut Sim) -> SeedResult + Sync {
    move |sim| {
        let yields = calls.fetch_add(1, Ordering::SeqCst) % 2 + 1;
        let _spinner = sim.spawn("spinner", async move {
            for _ in 0..yields {
                yield_now().await; // line YIELD
            }
        });
        check_outcome(&sim.run())
    }
}

#[test]
fn injected_nondeterminism_is_caught_at_its_first_event() {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let body = spinner_reading_a_global(&CALLS);
    let config = Config::seeded(5).with_policy(Policy::Fifo);
    let divergence = wakescope::sweep::check_determinism_with(config, &body).unwrap_err();
    // Both runs: spawn, poll, pending, self-wake, poll; then the first run's
    // second poll is ready where the second run's is pending again.
    assert_eq!(divergence.seed, 5);
    assert_eq!(divergence.index, 5);
    assert_eq!(divergence.first, "t=0.000s  spinner #0  poll → ready");
    // A pending poll says where the task waits: the `yield_now().await` above.
    let waits_at = format!(
        "waits at {}:{}:29",
        file!(),
        support::line_of(include_str!("sweep.rs"), "// line YIELD")
    );
    assert_eq!(
        divergence.second,
        format!("t=0.000s  spinner #0  poll → pending  {waits_at}")
    );
    assert!(divergence.first_event.is_some() && divergence.second_event.is_some());
    let text = divergence.to_string();
    assert!(text.starts_with("seed 5: two runs diverge at event 5"), "{text}");
}

#[test]
fn a_sweep_of_determinism_checks_counts_every_diverging_seed() {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    // One job: each seed's two runs take consecutive calls, so every seed diverges.
    let report = Sweep::new(10..30)
        .jobs(1)
        .env(false)
        .check_determinism(spinner_reading_a_global(&CALLS));
    assert_eq!((report.runs, report.divergences), (20, 20));
    assert_eq!(report.first.as_ref().map(|d| d.seed), Some(10));
}

#[test]
fn identical_traces_with_different_verdicts_are_a_divergence_too() {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let body = |sim: &mut Sim| -> SeedResult {
        let _idle = sim.spawn("idle", async {});
        check_outcome(&sim.run())?;
        match CALLS.fetch_add(1, Ordering::SeqCst) {
            0 => Ok(()),
            n => Err(format!("call {n}")),
        }
    };
    let divergence = check_determinism(3, body).unwrap_err();
    let mut sim = Sim::new(Config::seeded(3));
    let _idle = sim.spawn("idle", async {});
    sim.run();
    assert_eq!(divergence.index, sim.trace().len() as u64);
    assert_eq!(divergence.first, "(identical trace) the body returned Ok");
    assert_eq!(divergence.second, "(identical trace) the body failed: call 1");
}

#[test]
fn tasks_spawned_from_tasks_and_names_appear_in_divergences() {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let body = |sim: &mut Sim| -> SeedResult {
        let name = if CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
            "left"
        } else {
            "right"
        };
        let _parent = sim.spawn("parent", async move {
            spawn(name, async {}).await.map_err(|e| e.to_string()) // line SPAWN
        });
        check_outcome(&sim.run())
    };
    let divergence = check_determinism(0, body).unwrap_err();
    // Same ids, same kinds of events: only the child's name differs.
    assert_eq!(divergence.index, 2);
    let at = format!(
        "at {}:{}:13",
        file!(),
        support::line_of(include_str!("sweep.rs"), "// line SPAWN")
    );
    assert_eq!(
        divergence.first,
        format!("t=0.000s  left #1  spawned by parent #0  {at}")
    );
    assert_eq!(
        divergence.second,
        format!("t=0.000s  right #1  spawned by parent #0  {at}")
    );
}

#[test]
fn seed_ranges_parse_with_clear_messages() {
    assert_eq!(parse_seeds("0..100"), Ok(0..100));
    assert_eq!(parse_seeds(" 5..=5 "), Ok(5..6));
    assert_eq!(parse_seeds("42"), Ok(42..43));
    assert_eq!(parse_seeds("0..=18446744073709551614"), Ok(0..u64::MAX));
    for (bad, says) in [
        ("5..2", "empty"),
        ("3..3", "empty"),
        ("x..y", "`x` is not a seed"),
        ("1..", "`` is not a seed"),
        ("-1..4", "`-1` is not a seed"),
        ("0..=18446744073709551615", "ends past the last seed"),
        ("18446744073709551615", "last seed"),
        ("", "is not a seed"),
    ] {
        let message = parse_seeds(bad).unwrap_err();
        assert!(message.contains(says), "{bad:?}: {message}");
    }
}

/// Run by `the_environment_picks_the_seeds` in a child process, with the
/// environment set; ignored in a normal run.
#[test]
#[ignore = "run by the_environment_picks_the_seeds with WAKESCOPE_SEED set"]
fn child_sweep_reading_the_environment() {
    let report = Sweep::new(0..1000).run(racy_counter);
    println!(
        "ran seeds {}..{} ({} runs), shard {}",
        report.seeds.start, report.seeds.end, report.runs, report.shard
    );
}

#[test]
fn the_environment_picks_the_seeds() {
    let child = |vars: &[(&str, &str)]| {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--ignored",
                "--exact",
                "child_sweep_reading_the_environment",
                "--nocapture",
                "--test-threads=1",
            ])
            .env_remove(wakescope::sweep::SEED_ENV)
            .env_remove(wakescope::sweep::SEEDS_ENV)
            .env_remove(wakescope::sweep::SHARD_ENV);
        for (var, value) in vars {
            command.env(var, value);
        }
        let out = command.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, text) = child(&[("WAKESCOPE_SEED", "17")]);
    assert!(ok && text.contains("ran seeds 17..18 (1 runs)"), "{text}");
    let (ok, text) = child(&[("WAKESCOPE_SEEDS", "3..9")]);
    assert!(ok && text.contains("ran seeds 3..9 (6 runs)"), "{text}");
    let (ok, text) = child(&[("WAKESCOPE_SEED", "seventeen")]);
    assert!(
        !ok && text.contains("WAKESCOPE_SEED=seventeen: `seventeen` is not a seed"),
        "{text}"
    );
    // Shards: the second of four blocks of 0..1000; of a replaced range too.
    let (ok, text) = child(&[("WAKESCOPE_SHARD", "2/4")]);
    assert!(
        ok && text.contains("ran seeds 250..500 (250 runs), shard 2/4"),
        "{text}"
    );
    let (ok, text) = child(&[("WAKESCOPE_SHARD", "3/3"), ("WAKESCOPE_SEEDS", "0..10")]);
    assert!(ok && text.contains("ran seeds 6..10 (4 runs), shard 3/3"), "{text}");
    // A replay of one seed ignores the shard it was found in.
    let (ok, text) = child(&[("WAKESCOPE_SHARD", "2/4"), ("WAKESCOPE_SEED", "17")]);
    assert!(ok && text.contains("ran seeds 17..18 (1 runs), shard 1/1"), "{text}");
    let (ok, text) = child(&[("WAKESCOPE_SHARD", "3/2")]);
    assert!(
        !ok && text.contains("WAKESCOPE_SHARD=3/2: shard 3/2 does not exist: K in K/N counts from 1 to 2"),
        "{text}"
    );
}

#[test]
fn the_shards_of_a_sweep_add_up_to_the_whole_sweep() {
    let whole = Sweep::new(SEEDS).jobs(1).env(false).shrink(false).run(racy_counter);
    let shards: Vec<_> = (1..=3)
        .map(|k| {
            Sweep::new(SEEDS)
                .jobs(1)
                .env(false)
                .shrink(false)
                .shard(Shard::new(k, 3).unwrap())
                .run(racy_counter)
        })
        .collect();
    assert_eq!(shards.iter().map(|r| r.runs).sum::<u64>(), whole.runs);
    assert_eq!(shards.iter().map(|r| r.failures).sum::<u64>(), whole.failures);
    let smallest = shards
        .iter()
        .filter_map(|r| r.first_failure.as_ref())
        .map(|f| (f.seed, f.fingerprint))
        .min();
    let w = whole.first_failure.as_ref().unwrap();
    assert_eq!(smallest, Some((w.seed, w.fingerprint)));
    assert_eq!(shards[1].shard, Shard::new(2, 3).unwrap());
    assert!(shards[1].to_string().contains(", shard 2/3"), "{}", shards[1]);
}

#[test]
fn a_sweep_that_stops_at_the_first_failure_reports_the_smallest_failing_seed() {
    let expected = failing_seeds(racy_counter);
    let first = expected[0].0;
    let full = Sweep::new(SEEDS).jobs(1).env(false).shrink(false).run(racy_counter);
    assert!(!full.stopped_at_first);
    for jobs in [1, 2, 4] {
        let report = Sweep::new(SEEDS)
            .jobs(jobs)
            .env(false)
            .shrink(false)
            .stop_at_first(true)
            .run(racy_counter);
        let failure = report.first_failure.as_ref().expect("a failure");
        let full_failure = full.first_failure.as_ref().unwrap();
        assert_eq!(
            (failure.seed, &failure.message, failure.fingerprint),
            (full_failure.seed, &full_failure.message, full_failure.fingerprint),
            "jobs {jobs}"
        );
        assert!(report.stopped_at_first, "jobs {jobs}");
        assert!(
            report.runs > first && report.runs < SEEDS.end,
            "jobs {jobs}: {} runs",
            report.runs
        );
        if jobs == 1 {
            assert_eq!((report.runs, report.failures), (first + 1, 1));
            assert!(report.to_string().contains("stopped at the first failure"), "{report}");
        }
    }
}
