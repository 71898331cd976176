//! `cargo xtask serve` without an app: the timers scenario, run natively,
//! printed as the JSON-lines trace the app would animate.

use wakescope::{Config, scenarios};

pub fn timers() -> Result<(), String> {
    let scenario = scenarios::find("timers").ok_or("the timers scenario is not registered")?;
    let (sim, outcome) = scenario.run(Config::seeded(42), &scenario.default_params());
    let trace = sim.trace();
    print!("{}", trace.to_jsonl());
    println!(
        "\n{}: seed 42, {} events, virtual time {:?}",
        scenario.title,
        trace.len(),
        sim.now()
    );
    println!("outcome: {outcome}");
    println!("fingerprint {}", trace.fingerprint_hex());
    Ok(())
}
