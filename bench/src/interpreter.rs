//! Playground programs, compiled and interpreted, in the same process: batches
//! alternate (compiled, interpreted, compiled, …) so both see the same
//! machine; each run is a whole run with the trace on, as the page records it.

use std::future::Future;
use std::time::{Duration, Instant};

use wakescope::{Config, Sim};
use wakescope_playground::Program;

macro_rules! programs {
    ($($name:ident = $path:literal),* $(,)?) => {
        $(
            #[allow(dead_code, clippy::all)]
            mod $name {
                include!($path);

                pub(super) fn compiled_main() -> impl std::future::Future<Output = ()> {
                    main()
                }
            }
        )*

        fn programs() -> Vec<(&'static str, &'static str, fn(u64))> {
            vec![$(
                (stringify!($name), include_str!($path), |seed| compiled(seed, $name::compiled_main())),
            )*]
        }
    };
}

programs!(
    timers = "../../playground/tests/programs/timers.rs",
    race = "../../playground/tests/programs/race.rs",
    pipeline = "../../playground/tests/programs/pipeline.rs",
);

fn compiled(seed: u64, main: impl Future<Output = ()> + 'static) {
    let mut sim = Sim::new(Config::seeded(seed));
    let _main = sim.spawn("main", main);
    sim.run();
}

/// Batches per program, alternating the two, and runs per batch.
const BATCHES: u64 = 10;
const RUNS_PER_BATCH: u64 = 2_000;

pub fn report() {
    println!(
        "\nplayground programs, whole runs per second, trace on ({BATCHES} alternating batches of {RUNS_PER_BATCH}):"
    );
    println!(
        "{:<12} {:>14} {:>14} {:>12}",
        "program", "compiled", "interpreted", "ratio"
    );
    for (name, text, compiled) in programs() {
        let program = Program::parse(&format!("{name}.rs"), text).expect("the program parses");
        let (mut compiled_time, mut interpreted_time) = (Duration::ZERO, Duration::ZERO);
        let mut seed = 0;
        for _ in 0..BATCHES {
            let start = Instant::now();
            for i in 0..RUNS_PER_BATCH {
                compiled(seed + i);
            }
            compiled_time += start.elapsed();
            let start = Instant::now();
            for i in 0..RUNS_PER_BATCH {
                let mut sim = Sim::new(Config::seeded(seed + i));
                let _main = program.spawn_main(&mut sim);
                sim.run();
            }
            interpreted_time += start.elapsed();
            seed += RUNS_PER_BATCH;
        }
        let runs = (BATCHES * RUNS_PER_BATCH) as f64;
        let (c, i) = (
            runs / compiled_time.as_secs_f64(),
            runs / interpreted_time.as_secs_f64(),
        );
        println!("{name:<12} {c:>10.0} /s {i:>10.0} /s {:>11.2}×", i / c);
    }
}
