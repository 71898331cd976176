//! Built-in scenarios as programs: the text a scenario shows is the text
//! that runs. Interpreted, each scenario's program gives the trace of the
//! compiled scenario, for every mode, a few parameter choices and seeds.

use wakescope::scenarios::{self, Params};
use wakescope::{Config, Sim};
use wakescope_playground::Program;

const SEEDS: std::ops::Range<u64> = 0..6;

/// Parameter choices to try: the defaults, and each parameter at its bounds.
fn choices(scenario: &scenarios::Scenario, mode: &str) -> Vec<Params> {
    let mut out = vec![scenario.params(Some(mode), std::iter::empty()).0];
    for p in scenario.params {
        for value in [p.min, p.max.min(p.min + 3)] {
            let text = value.to_string();
            let (params, errors) = scenario.params(Some(mode), [(p.name, text.as_str())].into_iter());
            assert!(errors.is_empty(), "{}: {errors:?}", scenario.id);
            out.push(params);
        }
    }
    out
}

#[test]
fn every_scenario_program_interpreted_gives_the_scenarios_trace() {
    let mut checked = 0;
    for scenario in scenarios::registry() {
        let Some(program) = scenario.program else { continue };
        for mode in scenario.modes {
            for params in choices(scenario, mode.id) {
                let text = program(&params);
                let parsed = Program::parse(&format!("{}.rs", scenario.id), &text)
                    .unwrap_or_else(|d| panic!("{} {}: {d}\n{text}", scenario.id, mode.id));
                assert!(parsed.warnings().is_empty(), "{}: {:?}", scenario.id, parsed.warnings());
                for seed in SEEDS {
                    let config = scenario_config(scenario, &params, seed);
                    let (compiled, _) = scenario.run(config, &params);
                    let mut sim = Sim::new(config);
                    let _main = parsed.spawn_main(&mut sim);
                    sim.run();
                    assert_eq!(
                        sim.fingerprint(),
                        compiled.fingerprint(),
                        "{} mode {} {:?} seed {seed}: the program's trace is not the scenario's\n{text}",
                        scenario.id,
                        mode.id,
                        params.values
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(
        checked >= 2 * 2 * 6,
        "timers and race at least: {checked} runs compared"
    );
}

/// The configuration a scenario's run uses with `seed`.
fn scenario_config(scenario: &scenarios::Scenario, params: &Params, seed: u64) -> Config {
    let mut config = Config::seeded(seed);
    if let Some(configure) = scenario.configure {
        configure(&mut config, params);
    }
    config
}

#[test]
fn a_scenario_program_puts_its_parameters_in_consts_at_the_top() {
    let timers = scenarios::find("timers").unwrap();
    let (params, _) = timers.params(Some("concurrent"), [("boiler_s", "7")].into_iter());
    let text = (timers.program.unwrap())(&params);
    assert!(text.contains("const BOILER_S: u64 = 7;"), "{text}");
    assert!(text.find("const POPCORN_S").unwrap() < text.find("async fn main").unwrap());
}

#[test]
fn past_one_spawn_batch_the_program_yields_where_the_scenario_does() {
    // `million` and `cost` spawn 4,096 tasks a poll and yield between
    // batches; the bounds above stay inside one batch.
    for (id, tasks) in [("million", "5000"), ("cost", "9000")] {
        let scenario = scenarios::find(id).unwrap();
        let mode = scenario.modes[0].id;
        let (params, errors) = scenario.params(Some(mode), [("tasks", tasks)].into_iter());
        assert!(errors.is_empty(), "{id}: {errors:?}");
        let text = (scenario.program.unwrap())(&params);
        let parsed = Program::parse(&format!("{id}.rs"), &text).unwrap_or_else(|d| panic!("{id}: {d}"));
        let config = scenario_config(scenario, &params, 1);
        let (compiled, _) = scenario.run(config, &params);
        let mut sim = Sim::new(config);
        let _main = parsed.spawn_main(&mut sim);
        sim.run();
        assert_eq!(sim.fingerprint(), compiled.fingerprint(), "{id} with {tasks} tasks");
        assert_eq!(sim.task_count(), compiled.task_count(), "{id}");
    }
}
