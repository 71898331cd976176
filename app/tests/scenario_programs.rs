//! Every run shows its program: a scenario with a program is run by
//! interpreting that program's text for its parameters, and its recording
//! is the compiled scenario's — same fingerprint, same verdict — so a
//! shared link and `wakescope run <scenario> --seed N` agree. Too many
//! tasks for the interpreter, or no program, and the compiled scenario runs.

use wakescope::Config;
use wakescope::scenarios::{self, Params, Scenario};
use wakescope_app::model::run::scenario_config;
use wakescope_app::model::{INTERPRETED_TASKS_MAX, Listing, Run};

const SEEDS: [u64; 4] = [0, 3, 12, 42];

fn params(scenario: &Scenario, mode: &str, given: &[(&str, &str)]) -> Params {
    let (params, errors) = scenario.params(Some(mode), given.iter().copied());
    assert!(errors.is_empty(), "{}: {errors:?}", scenario.id);
    params
}

#[test]
fn a_scenario_with_a_program_is_run_by_interpreting_it_and_records_the_compiled_trace() {
    let mut compared = 0;
    for scenario in scenarios::registry() {
        let Some(program) = scenario.program else { continue };
        for mode in scenario.modes {
            let params = params(scenario, mode.id, &[]);
            for seed in SEEDS {
                let what = format!("scenario {} mode {} seed {seed}", scenario.id, mode.id);
                let mut run = Run::start(scenario, params.clone(), seed);
                assert_eq!(
                    run.listing(),
                    &Listing::Interpreted(program(&params).into()),
                    "{what}: the run interprets program(params)"
                );
                run.finish();
                let (sim, outcome) = scenario.run(Config::seeded(seed), &params);
                assert_eq!(
                    run.fingerprint(),
                    Some(sim.trace().fingerprint()),
                    "{what}: fingerprint"
                );
                let judged = run.judgement().unwrap_or_else(|| panic!("{what}: not judged"));
                let compiled = scenario.verdict(&sim, &outcome);
                assert_eq!(
                    judged.verdict.is_ok(),
                    compiled.is_ok(),
                    "{what}: verdict {:?}",
                    judged.verdict
                );
                if let Err(message) = &judged.verdict {
                    assert!(
                        !message.contains(".rs:") || message.contains("main.rs:"),
                        "{what}: a failed check names its line in the program shown: {message}"
                    );
                }
                assert_eq!(judged.measured, scenario.measure(&sim), "{what}: measured");
                assert_eq!(
                    scenario.params_of(run.sim().expect("live")),
                    params,
                    "{what}: the header names the parameters"
                );
                compared += 1;
            }
        }
    }
    // timers (2 modes), race (2), laundry, cancel, million at least.
    assert!(compared >= 7 * SEEDS.len(), "{compared} runs compared");
}

#[test]
fn new_parameters_regenerate_the_program_text_with_their_consts() {
    let timers = scenarios::find("timers").expect("registered");
    let run = Run::start(timers, params(timers, "concurrent", &[("boiler_s", "7")]), 3);
    assert!(
        run.listing().text().contains("const BOILER_S: u64 = 7;"),
        "{}",
        run.listing().text()
    );
    assert!(run.listing().is_traced());
}

#[test]
fn a_laundry_run_uses_the_scenarios_workers() {
    let laundry = scenarios::find("laundry").expect("registered");
    for workers in ["1", "3"] {
        let params = params(laundry, laundry.modes[0].id, &[("workers", workers)]);
        let mut run = Run::start(laundry, params.clone(), 5);
        run.finish();
        let (sim, _) = laundry.run(scenario_config(laundry, &params, 5), &params);
        assert_eq!(run.fingerprint(), Some(sim.trace().fingerprint()), "workers={workers}");
    }
}

#[test]
fn past_the_interpreters_task_limit_the_compiled_scenario_runs_and_shows_its_program() {
    let million = scenarios::find("million").expect("registered");
    let over = (INTERPRETED_TASKS_MAX + 1).to_string();
    let params = params(million, million.modes[0].id, &[("tasks", &over)]);
    let run = Run::start(million, params.clone(), 1);
    let program = million.program.expect("million has a program");
    assert_eq!(run.listing(), &Listing::CompiledEquivalent(program(&params).into()));
    assert!(!run.listing().is_traced());
    assert!(run.listing().program().is_some(), "its program can still be edited");
}

#[test]
fn a_scenario_without_a_program_shows_its_rust_source_unlit_and_not_editable() {
    let mutex = scenarios::find("mutex").expect("registered");
    assert!(
        mutex.program.is_none(),
        "mutex is the example of a scenario without a program"
    );
    let run = Run::start(mutex, mutex.default_params(), 1);
    assert_eq!(run.listing(), &Listing::Source(mutex.source));
    assert!(!run.listing().is_traced());
    assert_eq!(run.listing().program(), None);
}
