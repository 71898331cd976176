//! Every run shows its program: a scenario with a program is run by
//! interpreting that program's text for its parameters, and its recording
//! is the compiled scenario's — same fingerprint, same verdict — so a
//! shared link and `wakescope run <scenario> --seed N` agree. Too many
//! tasks for the interpreter, or no program, and the compiled scenario runs.

mod common;

use common::line_with;
use std::task::Poll;

use wakescope::scenarios::{self, Mode, Params, Scenario};
use wakescope::{Config, Sim};
use wakescope_app::model::code::{CodeView, SpawnLines};
use wakescope_app::model::{EVENTS_MAX, INTERPRETED_TASKS_MAX, Listing, Run, Setup};
use wakescope_worker::{Job, Response};

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

/// The run of `setup` as the page gets it: its request answered by the
/// interpreter's job, piece by piece, into a streamed run.
fn streamed(setup: &Setup) -> Run {
    let request = setup.request(1, EVENTS_MAX).expect("an interpreted setup");
    let (mut job, started) = Job::start(&request).expect("the program runs");
    let Response::Started { header, warnings, .. } = started else {
        panic!("started");
    };
    let warnings = warnings.into_iter().map(Into::into).collect();
    let mut run = Run::streamed(setup, &header, warnings).expect("the header reads");
    loop {
        let Response::Piece { lines, end, .. } = job.piece() else {
            panic!("a piece");
        };
        run.recording_mut().push_jsonl(lines);
        if let Some(end) = end {
            run.recording_mut().close(end.to_run_end());
            break;
        }
    }
    run.finish();
    run
}

#[test]
fn the_pages_streamed_run_of_a_scenario_is_the_run_made_in_one_process() {
    for id in ["timers", "race", "laundry", "cancel"] {
        let scenario = scenarios::find(id).expect("registered");
        for mode in scenario.modes {
            let params = params(scenario, mode.id, &[]);
            for seed in [3, 12] {
                let what = format!("scenario {id} mode {} seed {seed}", mode.id);
                let setup = Setup::scenario(scenario, params.clone(), seed);
                assert!(setup.is_interpreted(), "{what}");
                let page = streamed(&setup);
                let mut here = Run::start(scenario, params.clone(), seed);
                here.finish();
                assert_eq!(page.listing(), here.listing(), "{what}: listing");
                assert_eq!(page.fingerprint(), here.fingerprint(), "{what}: fingerprint");
                assert_eq!(page.end(), here.end(), "{what}: end");
                assert_eq!(page.view_at(page.len() / 2), here.view_at(here.len() / 2), "{what}");
                // A streamed run has no simulation to judge: the page judges
                // it on the compiled scenario (`Judging::judge`).
                assert!(page.judgement().is_none(), "{what}");
            }
        }
    }
}

#[test]
fn a_visitors_program_is_requested_as_the_compiled_program_would_run() {
    let timers = scenarios::find("timers").expect("registered");
    let text = include_str!("../../playground/tests/programs/race.rs");
    let setup = Setup {
        program: Some(text.into()),
        ..Setup::scenario(timers, timers.default_params(), 9)
    };
    let request = setup.request(4, 100).expect("a program is interpreted");
    assert_eq!((request.job, request.seed, request.events_max), (4, 9, 100));
    assert_eq!(request.text, text);
    assert_eq!(request.scenario, None, "a program runs on Config::seeded(seed) alone");
    let page = streamed(&setup);
    let mut here = Run::program(text.into(), 9, &setup).expect("runs");
    here.finish();
    assert_eq!(page.fingerprint(), here.fingerprint());
    assert_eq!(page.listing(), &Listing::Interpreted(text.into()));
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
        let (sim, _) = laundry.run(Config::seeded(5), &params);
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

/// A scenario the playground's subset cannot say: its one task is a
/// hand-written `poll_fn` future, so it has no program. (Every registered
/// scenario has one.)
static UNSAYABLE: Scenario = Scenario {
    id: "unsayable",
    title: "A hand-written future",
    question: "What does the page show for a scenario without a program?",
    answer: "Its Rust source.",
    notice: "No line is lit.",
    modes: &[Mode {
        id: "poll-fn",
        label: "poll_fn",
        about: "One task that wakes itself once.",
    }],
    params: &[],
    spawn: spawn_unsayable,
    configure: None,
    check: None,
    report: None,
    program: None,
    source: Some(include_str!("scenario_programs.rs")),
};

fn spawn_unsayable(sim: &mut Sim, _: &Params) {
    let mut polled = false;
    let _main = sim.spawn(
        "main",
        std::future::poll_fn(move |cx| {
            if polled {
                Poll::Ready(())
            } else {
                polled = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }),
    );
}

#[test]
fn a_scenario_without_a_program_shows_its_rust_source_unlit_and_not_editable() {
    assert!(
        scenarios::registry()
            .iter()
            .all(|s| s.program.is_some() && s.source.is_none()),
        "every registered scenario has a program, which is the code shown"
    );
    let mut run = Run::start(&UNSAYABLE, UNSAYABLE.default_params(), 1);
    assert_eq!(run.listing(), &Listing::Source(UNSAYABLE.source.unwrap()));
    assert!(!run.listing().is_traced());
    assert_eq!(run.listing().program(), None);
    run.finish();
    let (sim, _) = UNSAYABLE.run(Config::seeded(1), &UNSAYABLE.default_params());
    assert_eq!(
        run.fingerprint(),
        Some(sim.trace().fingerprint()),
        "the compiled scenario ran"
    );
}

#[test]
fn the_cost_program_is_lit_and_marks_each_small_task_where_it_waits() {
    // The steps `e2e/tests/scenario-code.test.mjs` checks in the page.
    let cost = scenarios::find("cost").expect("registered");
    let params = params(cost, cost.modes[0].id, &[("tasks", "3")]);
    let mut run = Run::start(cost, params.clone(), 1);
    run.finish();
    let text = (cost.program.expect("cost has a program"))(&params);
    assert_eq!(run.listing(), &Listing::Interpreted(text.clone().into()));
    let mut spawns = SpawnLines::default();
    spawns.update(&run);
    let at = |k| {
        let view = CodeView::at(&run, k, &spawns);
        let markers: Vec<(u32, u32)> = view
            .markers
            .iter()
            .flat_map(|m| m.tasks.iter().map(move |t| (t.task, m.line)))
            .collect();
        (view.current_line, markers)
    };
    let (spawn, sleep, work) = (
        line_with(&text, "spawn(\"small\""),
        line_with(&text, "sleep(Duration"),
        line_with(&text, "work(Duration"),
    );
    // Step 7: main has spawned the three and finished; none is polled yet.
    assert_eq!(at(7), (Some(spawn), vec![]));
    // Step 16: all three wait at their sleep.
    assert_eq!(at(16), (Some(sleep), vec![(1, sleep), (2, sleep), (3, sleep)]));
    // Step 30: tasks 3 and 2 have worked and finished; task 1 waits for its poll.
    assert_eq!(at(30), (Some(work), vec![(1, sleep)]));
}
