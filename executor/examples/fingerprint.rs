//! Prints the trace fingerprint of a registered scenario, as the app shows it.
//!
//! ```text
//! cargo run -q -p wakescope --features scenarios --example fingerprint -- timers concurrent 42
//! fingerprint 8c0f…
//! ```

use std::process::ExitCode;

use wakescope::{Config, scenarios};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [id, mode, seed, rest @ ..] = args.as_slice() else {
        eprintln!("usage: fingerprint <scenario> <mode> <seed> [name=value]...");
        return ExitCode::from(2);
    };
    let Some(scenario) = scenarios::find(id) else {
        eprintln!("unknown scenario `{id}`");
        return ExitCode::from(2);
    };
    let Ok(seed) = seed.parse::<u64>() else {
        eprintln!("seed `{seed}` is not a whole number in 0..=18446744073709551615");
        return ExitCode::from(2);
    };
    let pairs = rest.iter().filter_map(|kv| kv.split_once('='));
    let (params, errors) = scenario.params(Some(mode), pairs);
    if let Some(e) = errors.first() {
        eprintln!("{}", e.message);
        return ExitCode::from(2);
    }
    let (sim, outcome) = scenario.run(Config::seeded(seed), &params);
    println!("fingerprint {}", sim.trace().fingerprint_hex());
    eprintln!(
        "outcome: {outcome}; virtual time {:?}; {} events",
        sim.now(),
        sim.trace().len()
    );
    ExitCode::SUCCESS
}
