//! Searches around failing runs, natively: how long a shrink takes and how
//! far it gets for each failing program, and how many continuations per
//! second a fork and a bisection run.
//!
//! The programs are every registered scenario and mode whose verdict fails
//! on some seed (compiled, default parameters), the lost update with more
//! tasks, and playground programs interpreted from their text (judged by
//! their outcome, as the worker judges a visitor's program). Each search is
//! one of the library's own (`shrink`, `fork`, `bisect`) with its default
//! budget; wall time is the median of [`REPETITIONS`].

use std::ops::Range;
use std::time::{Duration, Instant};

use wakescope::scenarios::{self, Params, Scenario};
use wakescope::sweep::{self, BISECT_RUNS_DEFAULT, FORK_RUNS_DEFAULT, SHRINK_RUNS_DEFAULT, SeedResult};
use wakescope::{Config, Sim};
use wakescope_playground::Program;

/// The seeds searched for a program's first failing run, under the default random policy.
const SEEDS: Range<u64> = 0..1_000;
/// Repetitions of each timed search; the median wall time is reported.
const REPETITIONS: usize = 5;
/// The seed whose run is forked and bisected (the README's `wakescope fork race --seed 12`).
const FORK_SEED: u64 = 12;
/// Continuations of the fork from step 0.
const FORK_RUNS: u64 = 1_000;

/// Playground programs, interpreted: file name and text.
const PROGRAMS: [(&str, &str); 3] = [
    ("order.rs", include_str!("../../cli/tests/programs/order.rs")),
    ("lock_order.rs", include_str!("../programs/lock_order.rs")),
    ("bounded_buffer.rs", include_str!("../programs/bounded_buffer.rs")),
];

/// A sweep body: spawns the program on the `Sim`, runs it and judges it.
type Body = Box<dyn Fn(&mut Sim) -> SeedResult>;

/// A program to search around: what the table calls it, how a run of it
/// is configured and its body.
struct Target {
    label: String,
    /// The scenario's `configure` hook, for a compiled scenario.
    scenario: Option<(&'static Scenario, Params)>,
    body: Body,
}

impl Target {
    fn compiled(scenario: &'static Scenario, params: Params) -> Target {
        let values: Vec<String> = params.values.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let label = if values.is_empty() {
            format!("`{}` {}", scenario.id, params.mode)
        } else {
            format!("`{}` {} ({})", scenario.id, params.mode, values.join(", "))
        };
        let body_params = params.clone();
        Target {
            label,
            scenario: Some((scenario, params)),
            body: Box::new(move |sim| {
                sim.set_scenario(scenario.id, body_params.pairs());
                (scenario.spawn)(sim, &body_params);
                let outcome = sim.run();
                scenario.verdict(sim, &outcome)
            }),
        }
    }

    fn interpreted(file: &str, text: &str) -> Target {
        let program = Program::parse(file, text).unwrap_or_else(|d| panic!("{file} does not parse: {d}"));
        Target {
            label: format!("`{file}` interpreted"),
            scenario: None,
            body: Box::new(move |sim| {
                drop(program.spawn_main(sim));
                sweep::check_outcome(&sim.run())
            }),
        }
    }

    /// The configuration of the run with this seed under the default random policy.
    fn config(&self, seed: u64) -> Config {
        let config = Config::seeded(seed);
        match &self.scenario {
            Some((scenario, params)) => scenario.configured(config, params),
            None => config,
        }
    }

    /// The first seed of [`SEEDS`] whose run fails.
    fn first_failing_seed(&self) -> Option<u64> {
        SEEDS
            .clone()
            .find(|&seed| (self.body)(&mut Sim::new(self.config(seed))).is_err())
    }
}

/// The compiled programs: every scenario and mode with default parameters,
/// then the lost update with four tasks.
fn compiled_targets() -> Vec<Target> {
    let mut targets = Vec::new();
    for scenario in scenarios::registry() {
        for mode in scenario.modes {
            let (params, errors) = scenario.params(Some(mode.id), std::iter::empty());
            assert!(errors.is_empty(), "{} {}: {errors:?}", scenario.id, mode.id);
            targets.push(Target::compiled(scenario, params));
        }
    }
    // The registry's `race` racy is the lost update with 2 tasks (its default).
    let race = scenarios::find("race").expect("the race scenario is registered");
    let (params, errors) = race.params(Some("racy"), [("tasks", "4")]);
    assert!(errors.is_empty(), "race racy tasks=4: {errors:?}");
    targets.push(Target::compiled(race, params));
    targets
}

/// The median of `REPETITIONS` timed calls of `search`, and its last result.
fn timed<T>(mut search: impl FnMut() -> T) -> (Duration, T) {
    let mut walls = Vec::with_capacity(REPETITIONS);
    let mut last = None;
    for _ in 0..REPETITIONS {
        let start = Instant::now();
        last = Some(search());
        walls.push(start.elapsed());
    }
    walls.sort();
    (walls[REPETITIONS / 2], last.expect("at least one repetition"))
}

/// A wall time in µs below a millisecond, in ms above.
fn wall_text(wall: Duration) -> String {
    if wall < Duration::from_millis(1) {
        format!("{} µs", wall.as_micros())
    } else {
        format!("{:.1} ms", wall.as_secs_f64() * 1e3)
    }
}

/// A whole number with commas between thousands, as the README writes them.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Runs per second, as a whole number with commas.
fn rate(runs: u64, wall: Duration) -> String {
    thousands((runs as f64 / wall.as_secs_f64()).round() as u64)
}

/// One row of the shrink table, or `None` when the program passes every seed.
fn shrink_row(target: &Target) -> Option<String> {
    let Some(seed) = target.first_failing_seed() else {
        // The playground programs are here for their bugs: each must show it.
        assert!(
            target.scenario.is_some(),
            "{} passes every seed of {SEEDS:?}",
            target.label
        );
        eprintln!(
            "  {} passes seeds {}..{}: not in the table",
            target.label, SEEDS.start, SEEDS.end
        );
        return None;
    };
    let config = target.config(seed);
    let first = wakescope::shrink(config, SHRINK_RUNS_DEFAULT, &target.body)
        .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", target.label));
    let (wall, shrunk) = timed(|| wakescope::shrink(config, SHRINK_RUNS_DEFAULT, &target.body).unwrap());
    assert_eq!(
        shrunk.schedule, first.schedule,
        "{} seed {seed}: a shrink is deterministic",
        target.label
    );
    eprintln!("  {} seed {seed}: {shrunk}", target.label);
    Some(format!(
        "| {} | {seed} | {} | {} | {} | {} | {} |",
        target.label,
        shrunk.original.deviations(),
        shrunk.deviations.len(),
        if shrunk.minimal { "yes" } else { "no" },
        shrunk.runs,
        wall_text(wall)
    ))
}

/// The rows of the throughput table for one program: a fork from step 0 of
/// seed [`FORK_SEED`] and a bisection of that seed (or, when it passes, of
/// the first failing seed).
fn throughput_rows(target: &Target) -> Vec<String> {
    let config = target.config(FORK_SEED);
    let (wall, forks) = timed(|| sweep::fork(config, 0, FORK_RUNS, &target.body).unwrap());
    assert_eq!(forks.runs, FORK_RUNS);
    eprintln!("  {} seed {FORK_SEED}: {forks}", target.label);
    let fork_row = format!(
        "| {} | fork of seed {FORK_SEED} from step 0 | {} | {} | {} /s |",
        target.label,
        thousands(forks.runs),
        wall_text(wall),
        rate(forks.runs, wall)
    );
    let seed = if (target.body)(&mut Sim::new(config)).is_err() {
        FORK_SEED
    } else {
        target.first_failing_seed().expect("the program fails on some seed")
    };
    let config = target.config(seed);
    let (wall, bisection) =
        timed(|| sweep::bisect(config, FORK_RUNS_DEFAULT, BISECT_RUNS_DEFAULT, &target.body).unwrap());
    eprintln!("  {} seed {seed}: {bisection}", target.label);
    // The bisection's runs count the failing run itself; the rest are continuations.
    let continuations = bisection.runs - 1;
    let bisect_row = format!(
        "| {} | bisection of seed {seed} ({FORK_RUNS_DEFAULT} a point, budget {}) | {} | {} | {} /s |",
        target.label,
        thousands(BISECT_RUNS_DEFAULT),
        thousands(continuations),
        wall_text(wall),
        rate(continuations, wall)
    );
    vec![fork_row, bisect_row]
}

pub fn report() {
    let compiled = compiled_targets();
    let interpreted: Vec<Target> = PROGRAMS
        .iter()
        .map(|(file, text)| Target::interpreted(file, text))
        .collect();
    let mut rows = Vec::new();
    for target in compiled.iter().chain(&interpreted) {
        rows.extend(shrink_row(target));
    }
    let race = compiled
        .iter()
        .find(|t| t.label.starts_with("`race` racy (tasks=2"))
        .expect("the lost update with 2 tasks");
    let order = &interpreted[0];
    let throughput: Vec<String> = [race, order].into_iter().flat_map(throughput_rows).collect();

    println!(
        "\nfailing programs shrunk (first failing seed of {}..{}, random policy; budget {SHRINK_RUNS_DEFAULT} runs; median of {REPETITIONS}):\n",
        SEEDS.start, SEEDS.end
    );
    println!(
        "| program | first failing seed | deviations, failing run | deviations, shrunk | proven minimal | shrink runs | wall |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!("\nfork and bisect, continuations per second (median of {REPETITIONS}):\n");
    println!("| program | search | continuations | wall | continuations/s |");
    println!("|---|---|---|---|---|");
    for row in throughput {
        println!("{row}");
    }
}
