//! Wakescope benchmarks, each compared with its peer in the same run.
//!
//! - `million`: the seed's own example — 1,000,000 tasks each `sleep(10 ms)`,
//!   then join all — on wakescope (FIFO and seeded-random policy, trace off
//!   and on) and on tokio's
//!   current-thread runtime with a paused clock. Wall time (median of runs),
//!   the ratio to tokio, and peak heap bytes (counted by this binary's
//!   allocator) and peak RSS (from the kernel) of each, each case in its own
//!   process so the numbers do not mix.
//! - `timers`: whole runs of the three-timers program per second on one core.
//! - `interpreter`: whole runs per second of playground programs, compiled
//!   here and interpreted from their text, interleaved in one process; the
//!   ratio is interpreted / compiled.
//! - `search`: shrink, fork and bisect around failing runs of scenarios and
//!   playground programs: runs taken, deviations left and wall time.
//! - `facade`: each tokio conformance program on real tokio and on
//!   `wakescope-tokio`, interleaved in one process (the ratio is facade /
//!   tokio), and the million sleepers written against the facade beside the
//!   plain `wakescope` case, in fresh processes.
//!
//! Run: `cargo xtask bench` (or `cargo run --release --manifest-path bench/Cargo.toml`).

mod alloc;
mod facade;
mod interpreter;
mod search;

use std::process::Command;
use std::time::{Duration, Instant};

use wakescope::Policy;

const TASKS: usize = 1_000_000;
const RUNS: usize = 3;
/// Rounds of the million-sleepers comparison.
const MILLION_ROUNDS: usize = 5;
const TIMER_RUNS: u32 = 200_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("interpreter") => interpreter::report(),
        Some("search") => search::report(),
        Some("facade") => facade::report(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(TASKS)),
        Some("--case") => run_case(&args[1], args.get(2).and_then(|n| n.parse().ok()).unwrap_or(TASKS)),
        _ => {
            let tasks = args.first().and_then(|n| n.parse().ok()).unwrap_or(TASKS);
            report(tasks);
        }
    }
}

/// Runs one case in this process and prints `wall_ns peak_heap_bytes peak_rss_kib`.
fn run_case(case: &str, tasks: usize) {
    let baseline = alloc::reset_peak();
    let start = Instant::now();
    let mut recorded = None;
    match case {
        "fifo-off" => drop(million_wakescope(tasks, Policy::Fifo, false)),
        "fifo-on" => recorded = Some(million_wakescope(tasks, Policy::Fifo, true)),
        "random-off" => drop(million_wakescope(tasks, Policy::Random, false)),
        "random-on" => recorded = Some(million_wakescope(tasks, Policy::Random, true)),
        "tokio" => million_tokio(tasks),
        "facade-million" => facade::million(tasks, Policy::Random, false),
        "facade-million-on" => facade::million(tasks, Policy::Random, true),
        "timers-off" => timers_runs(false),
        "timers-on" => timers_runs(true),
        "record-million" => record_million(tasks),
        other => panic!("unknown case {other}"),
    }
    let mut wall = start.elapsed();
    if let Some(sim) = recorded {
        // Described outside the timed part (the fingerprint reads every
        // event); dropping the run is timed, as tokio's drop is.
        describe_trace(&sim);
        let start = Instant::now();
        drop(sim);
        wall += start.elapsed();
    }
    println!(
        "{} {} {}",
        wall.as_nanos(),
        alloc::peak().saturating_sub(baseline),
        peak_rss_kib()
    );
}

/// The million sleepers on wakescope; the finished simulation (and its trace).
fn million_wakescope(tasks: usize, policy: Policy, record: bool) -> wakescope::Sim {
    let mut sim = wakescope::Sim::new(wakescope::Config::seeded(1).with_trace(record).with_policy(policy));
    sim.block_on(async move {
        let mut handles = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            handles.push(wakescope::spawn("do_work", async {
                wakescope::sleep(Duration::from_millis(10)).await;
            }));
        }
        for h in handles {
            let _ = h.await;
        }
    })
    .expect("the million sleepers complete");
    assert_eq!(sim.now(), Duration::from_millis(10));
    sim
}

/// The page's event limit (`wakescope_app::EVENTS_MAX`): the recording stops there.
const PAGE_EVENTS_MAX: u64 = 16_000_000;

/// The `million` scenario with `tasks` sleepers, seed 1, recorded as the page
/// records it — a live recording advanced [`wakescope::view::Recording::advance`]
/// 64 executor steps at a time, folding, snapshotting and indexing as it goes —
/// natively, for the page's recording time to be compared with
/// (`cd e2e && npm run perf`).
fn record_million(tasks: usize) {
    let before = alloc::current();
    let scenario = wakescope::scenarios::find("million").expect("registered");
    let (params, errors) = scenario.params(None, [("tasks", tasks.to_string().as_str())].into_iter());
    assert!(errors.is_empty(), "{errors:?}");
    let sim = scenario.start(wakescope::Config::seeded(1), &params);
    let mut recording = wakescope::view::Recording::live(sim, PAGE_EVENTS_MAX);
    // The longest single advance: the page cannot cut one short, so it bounds
    // the page's longest frame gap (times the page's slowdown).
    let mut longest = (Duration::ZERO, 0);
    loop {
        let start = Instant::now();
        let done = recording.advance(64);
        let took = start.elapsed();
        if took > longest.0 {
            longest = (took, recording.len());
        }
        if done {
            break;
        }
    }
    // What the recorded run holds: the trace, the snapshots and the
    // simulation's remains (the page's timeline index is counted by the page).
    let held = alloc::current().saturating_sub(before);
    eprintln!(
        "  recorded {} events; longest advance {:.1} ms (ending at event {}); holds {} bytes, {:.1} bytes per event",
        recording.len(),
        longest.0.as_secs_f64() * 1e3,
        longest.1,
        held,
        held as f64 / recording.len().max(1) as f64
    );
    drop(recording);
}

/// Prints the size of a run's trace, and its fingerprint (which a change in
/// how fast the executor runs must leave as it is).
fn describe_trace(sim: &wakescope::Sim) {
    let trace = sim.trace();
    let (sites, located) = trace.site_counts();
    eprintln!(
        "  events recorded: {} ({} bytes of trace, {:.2} bytes per event; {} of them located at {} distinct sites); fingerprint {:016x}",
        trace.len(),
        trace.heap_bytes(),
        trace.heap_bytes() as f64 / trace.len() as f64,
        located,
        sites,
        trace.fingerprint()
    );
}

fn million_tokio(tasks: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async move {
        let start = tokio::time::Instant::now();
        let mut handles = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            handles.push(tokio::spawn(async {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }));
        }
        for h in handles {
            let _ = h.await;
        }
        assert!(start.elapsed() >= Duration::from_millis(10));
    });
}

fn timers_runs(record: bool) {
    let scenario = wakescope::scenarios::find("timers").unwrap();
    let params = scenario.default_params();
    let mut check = 0u64;
    for seed in 0..u64::from(TIMER_RUNS) {
        let (sim, outcome) = scenario.run(wakescope::Config::seeded(seed).with_trace(record), &params);
        assert!(outcome.is_completed());
        check = check.wrapping_add(sim.now().as_nanos() as u64);
    }
    assert_eq!(check, u64::from(TIMER_RUNS) * 10_000_000_000);
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

struct Sample {
    wall: Duration,
    heap_bytes: u64,
    rss_kib: u64,
}

/// Runs `case` once in a fresh process of this binary.
fn measure_once(case: &str, tasks: usize) -> Sample {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(&exe)
        .args(["--case", case, &tasks.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{case} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Vec<u64> = text.split_whitespace().map(|x| x.parse().unwrap()).collect();
    Sample {
        wall: Duration::from_nanos(v[0]),
        heap_bytes: v[1],
        rss_kib: v[2],
    }
}

fn measure(case: &str, tasks: usize) -> Sample {
    let mut samples: Vec<Sample> = (0..RUNS).map(|_| measure_once(case, tasks)).collect();
    samples.sort_by_key(|s| s.wall);
    samples.swap_remove(RUNS / 2)
}

/// The median of `values` (not empty).
fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The million sleepers on each executor: [`MILLION_ROUNDS`] rounds, each
/// running every case once in a fresh process, tokio first and again last,
/// so each case's ratio is to the tokio runs around it in the same round
/// (the median of the rounds' ratios); wall time and memory are medians.
fn report(tasks: usize) {
    const CASES: [(&str, &str); 4] = [
        ("wakescope fifo, trace off", "fifo-off"),
        ("wakescope fifo, trace on", "fifo-on"),
        ("wakescope random, trace off", "random-off"),
        ("wakescope random, trace on", "random-on"),
    ];
    println!(
        "wakescope benchmarks ({MILLION_ROUNDS} rounds; each round runs tokio, every case, tokio again, each in a fresh process)\n"
    );
    println!("{tasks} tasks × sleep(10 ms), then join all:");
    println!(
        "{:<28} {:>10} {:>9} {:>12} {:>12}",
        "executor", "wall", "vs tokio", "peak heap", "peak RSS"
    );
    let mut samples: Vec<Vec<Sample>> = CASES.iter().map(|_| Vec::new()).collect();
    let mut ratios: Vec<Vec<f64>> = CASES.iter().map(|_| Vec::new()).collect();
    let mut tokio = Vec::new();
    for _ in 0..MILLION_ROUNDS {
        let before = measure_once("tokio", tasks);
        let round: Vec<Sample> = CASES.iter().map(|(_, case)| measure_once(case, tasks)).collect();
        let after = measure_once("tokio", tasks);
        let peer = (before.wall.as_secs_f64() + after.wall.as_secs_f64()) / 2.0;
        for (i, s) in round.into_iter().enumerate() {
            ratios[i].push(s.wall.as_secs_f64() / peer);
            samples[i].push(s);
        }
        tokio.push(before);
        tokio.push(after);
    }
    let row = |label: &str, mut runs: Vec<Sample>, ratio: f64| {
        runs.sort_by_key(|s| s.wall);
        let s = &runs[runs.len() / 2];
        println!(
            "{label:<28} {:>8.1}ms {:>8.2}× {:>8.1} MiB {:>8.1} MiB",
            s.wall.as_secs_f64() * 1e3,
            ratio,
            mib(s.heap_bytes),
            s.rss_kib as f64 / 1024.0
        );
    };
    for (((label, _), runs), ratios) in CASES.iter().zip(samples).zip(ratios) {
        row(label, runs, median_f64(ratios));
    }
    row("tokio current_thread paused", tokio, 1.0);
    interpreter::report();
    println!("\nthree-timers program, whole runs on one core ({TIMER_RUNS} runs):");
    for (label, case) in [("trace off", "timers-off"), ("trace on", "timers-on")] {
        let s = measure(case, 0);
        println!(
            "{label:<28} {:>10.0} runs/s",
            f64::from(TIMER_RUNS) / s.wall.as_secs_f64()
        );
    }
}
