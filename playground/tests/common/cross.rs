//! The interpreted programs' fingerprints, recorded once: the native test
//! (`tests/cross_target.rs`) and the wasm32 test (`tests/wasm.rs`) must both
//! reproduce them, so the page's interpreter runs what the CLI's runs.

#![allow(dead_code)]

use wakescope::{Config, Sim};
use wakescope_playground::Program;

/// (program, text).
pub const PROGRAMS: &[(&str, &str)] = &[
    ("timers", include_str!("../programs/timers.rs")),
    ("pipeline", include_str!("../programs/pipeline.rs")),
    ("race", include_str!("../programs/race.rs")),
    ("deadline", include_str!("../programs/deadline.rs")),
    ("failures", include_str!("../programs/failures.rs")),
    ("locks", include_str!("../programs/locks.rs")),
    ("supervisor", include_str!("../programs/supervisor.rs")),
    ("iterators", include_str!("../programs/iterators.rs")),
];

/// Seeds each program is run with.
pub const SEEDS: [u64; 3] = [0, 1, 42];

/// The fingerprint of `text` interpreted with `seed`.
pub fn fingerprint(name: &str, text: &str, seed: u64) -> u64 {
    let program = Program::parse(&format!("{name}.rs"), text).expect("the program parses");
    let mut sim = Sim::new(Config::seeded(seed));
    let _main = program.spawn_main(&mut sim);
    sim.run();
    sim.fingerprint()
}

/// Checks every program and seed against [`EXPECTED`].
pub fn check_all() {
    let mut at = 0;
    for (name, text) in PROGRAMS {
        for seed in SEEDS {
            let got = fingerprint(name, text, seed);
            assert_eq!(
                (*name, seed, got),
                EXPECTED[at],
                "{name} seed {seed}: the interpreted fingerprint changed (or differs on this target)"
            );
            at += 1;
        }
    }
    assert_eq!(at, EXPECTED.len());
}

/// Recorded natively (x86-64).
pub const EXPECTED: &[(&str, u64, u64)] = &[
    ("timers", 0, 0x6bd62f8e9737365e),
    ("timers", 1, 0xa5d42ff0ff8111bb),
    ("timers", 42, 0xa4a442d925c7dfcf),
    ("pipeline", 0, 0xbee3896da4995550),
    ("pipeline", 1, 0xbee3896da4995550),
    ("pipeline", 42, 0xa1050a49535af3f3),
    ("race", 0, 0x95a6b54d2aaa94e2),
    ("race", 1, 0x99b5fb35db0d0d14),
    ("race", 42, 0x3a2d4cebf23bedf8),
    ("deadline", 0, 0xdb72e6639eecb872),
    ("deadline", 1, 0xdb72e6639eecb872),
    ("deadline", 42, 0x68ac8e27b6124457),
    ("failures", 0, 0x3f890300ced8747e),
    ("failures", 1, 0xb5c5f86da9514666),
    ("failures", 42, 0x37cb885bebb4146e),
    ("locks", 0, 0x1e1c869f924acdb5),
    ("locks", 1, 0x68ca262079ff5185),
    ("locks", 42, 0xc3a6d9bc91760d6a),
    ("supervisor", 0, 0xb980fd5f5f2cfa34),
    ("supervisor", 1, 0xb980fd5f5f2cfa34),
    ("supervisor", 42, 0xb980fd5f5f2cfa34),
    ("iterators", 0, 0xb88005acebccfac9),
    ("iterators", 1, 0x1bed006e1c7c3418),
    ("iterators", 42, 0xb1e81b761958e4e8),
];
