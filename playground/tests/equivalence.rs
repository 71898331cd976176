//! The interpreted run is the run of the compiled program: for every program
//! in `tests/programs/`, compiled here natively against `wakescope` and
//! interpreted from its text, the traces have the same fingerprint, seed for
//! seed.

use wakescope::{Config, Sim};
use wakescope_playground::Program;

macro_rules! programs {
    ($($name:ident = $path:literal),* $(,)?) => {
        $(
            #[allow(dead_code)]
            mod $name {
                include!($path);

                /// `main` of the program, compiled.
                pub(super) fn compiled_main() -> impl std::future::Future<Output = ()> {
                    main()
                }
            }
        )*

        /// (name, text, a run of the compiled program with a seed: outcome text and fingerprint).
        fn programs() -> Vec<(&'static str, &'static str, fn(u64) -> (String, u64))> {
            vec![$(
                (
                    stringify!($name),
                    include_str!($path),
                    |seed| {
                        let mut sim = Sim::new(Config::seeded(seed));
                        let _main = sim.spawn("main", $name::compiled_main());
                        let outcome = sim.run();
                        (format!("{:?}", outcome.end_reason()), sim.fingerprint())
                    },
                ),
            )*]
        }
    };
}

programs!(
    timers = "programs/timers.rs",
    pipeline = "programs/pipeline.rs",
    race = "programs/race.rs",
    deadline = "programs/deadline.rs",
    failures = "programs/failures.rs",
    locks = "programs/locks.rs",
    condvar = "programs/condvar.rs",
    supervisor = "programs/supervisor.rs",
    iterators = "programs/iterators.rs",
    odds = "programs/odds.rs",
    drops = "programs/drops.rs",
    hang = "programs/hang.rs",
);

const SEEDS: std::ops::Range<u64> = 0..8;

#[test]
fn every_program_interpreted_gives_the_compiled_trace() {
    for (name, text, compiled) in programs() {
        let program = Program::parse(&format!("{name}.rs"), text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        for seed in SEEDS {
            let (outcome, fingerprint) = compiled(seed);
            let mut sim = Sim::new(Config::seeded(seed));
            let _main = program.spawn_main(&mut sim);
            let interpreted = sim.run();
            assert_eq!(
                format!("{:?}", interpreted.end_reason()),
                outcome,
                "{name} seed {seed}: outcome"
            );
            assert_eq!(
                sim.fingerprint(),
                fingerprint,
                "{name} seed {seed}: the interpreted trace differs from the compiled one\n{}",
                sim.trace_jsonl()
            );
        }
    }
}
