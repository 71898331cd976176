//! Program runs and the code panel's model: a playground program recorded
//! like a scenario, the line of the current event, where each task waits,
//! and clicking a line.

mod common;

use common::line_with;
use std::sync::Arc;

use wakescope::describe::task_name;
use wakescope::scenarios;
use wakescope::view::TaskStatus;
use wakescope::{Config, Event, Sim, TaskId};
use wakescope_app::model::code::{CodeView, SpawnLines, next_step_at_line};
use wakescope_app::model::examples::{self, EXAMPLES};
use wakescope_app::model::{PROGRAM_FILE, Run, Setup};
use wakescope_playground::{Program, STEPS_PER_POLL_MAX};

fn back() -> Setup {
    let timers = scenarios::find("timers").expect("registered");
    Setup::scenario(timers, timers.default_params(), 0)
}

/// The code view at step `k`, with the spawn lines of the whole run.
fn code_at(run: &Run, k: u64) -> CodeView {
    let mut spawns = SpawnLines::default();
    spawns.update(run);
    CodeView::at(run, k, &spawns)
}

fn program_run(text: &str, seed: u64) -> Run {
    let mut run = Run::program(Arc::from(text), seed, &back()).unwrap_or_else(|d| panic!("seed {seed}: {d}"));
    run.finish();
    run
}

#[test]
fn a_program_run_is_the_run_of_the_program_spawned_as_main() {
    for example in EXAMPLES {
        for seed in [0, 1, 7] {
            let run = program_run(example.text, seed);
            let mut sim = Sim::new(Config::seeded(seed));
            let program = Program::parse(PROGRAM_FILE, example.text).expect("parses");
            let _main = program.spawn_main(&mut sim);
            sim.run();
            assert_eq!(
                run.fingerprint(),
                Some(sim.fingerprint()),
                "{} seed {seed}: the page's recording differs from a plain run",
                example.id
            );
            assert!(run.scenario().is_none() && run.judgement().is_none(), "{}", example.id);
            assert_eq!(run.program_text().map(|t| &**t), Some(example.text));
            assert_eq!(run.seed(), seed);
        }
    }
}

#[test]
fn a_program_that_does_not_parse_is_an_error_at_its_place_and_nothing_runs() {
    let err = Run::program(Arc::from("async fn main() {\n    let x = ;\n}\n"), 1, &back()).unwrap_err();
    assert_eq!((err.line, err.column), (2, 13), "{err}");
    let setup = Setup {
        program: Some(Arc::from("fn helper() {}")),
        ..back()
    };
    assert!(Run::of(&setup).is_err(), "a program without main is refused");
    // A scenario setup still runs the scenario.
    let run = Run::of(&back()).expect("scenarios always start");
    assert_eq!(run.scenario().map(|s| s.id), Some("timers"));
}

#[test]
fn warnings_of_the_program_travel_with_its_run() {
    let text =
        "use std::time::Duration;\nuse wakescope::sleep;\n\nasync fn main() {\n    sleep(Duration::from_secs(1));\n}\n";
    let run = program_run(text, 0);
    assert_eq!(run.warnings().len(), 1, "{:?}", run.warnings());
    assert_eq!(run.warnings()[0].line, 5);
    assert!(
        run.warnings()[0].message.contains("never awaited"),
        "{:?}",
        run.warnings()
    );
}

#[test]
fn each_unfinished_task_is_marked_at_the_line_it_waits_at() {
    let text = examples::find("timers").expect("example").text;
    let run = program_run(text, 42);
    let spawn_line = line_with(text, "sleep(Duration::from_secs(secs))");
    let await_line = line_with(text, "timer.await");
    // At every step, the markers are exactly the unfinished tasks with a wait site.
    for k in 0..=run.len() {
        let view = code_at(&run, k);
        let state = run.view_at(k);
        let mut want: Vec<(u32, u32)> = Vec::new();
        run.with_trace(|trace| {
            for (i, task) in state.tasks.iter().enumerate() {
                let unfinished = matches!(
                    task.status,
                    TaskStatus::Idle | TaskStatus::Scheduled | TaskStatus::Running
                );
                if let (true, Some(site)) = (unfinished, task.waits_at.and_then(|id| trace.site_by_id(id))) {
                    // A sleep handed straight to `spawn` waits inside the
                    // interpreter: it is marked where it was spawned.
                    let line = if &*site.file == PROGRAM_FILE {
                        site.line
                    } else {
                        spawn_line
                    };
                    want.push((line, i as u32));
                }
            }
        });
        want.sort();
        let mut got: Vec<(u32, u32)> = view
            .markers
            .iter()
            .flat_map(|m| m.tasks.iter().map(move |t| (m.line, t.task)))
            .collect();
        got.sort();
        assert_eq!(got, want, "seed 42 step {k}");
    }
    // Midway — after the first timer fired, before the last — the
    // sleepers wait at their `sleep` and main at its `.await`.
    let mid = (0..run.len())
        .find(|&k| {
            let state = run.view_at(k);
            state.tasks.iter().filter(|t| t.status == TaskStatus::Done).count() == 1
        })
        .expect("a step with one timer done");
    let view = code_at(&run, mid);
    let names = |line: u32| -> Vec<String> {
        view.markers
            .iter()
            .filter(|m| m.line == line)
            .flat_map(|m| m.tasks.iter().map(|t| t.name.clone()))
            .collect()
    };
    assert_eq!(
        names(await_line),
        vec!["main".to_string()],
        "seed 42 step {mid}: {view:?}"
    );
    assert_eq!(
        names(spawn_line),
        vec!["boiler".to_string(), "cookies".to_string()],
        "seed 42 step {mid}"
    );
    // At the end every task is done: no markers.
    assert!(code_at(&run, run.len()).markers.is_empty());
}

#[test]
fn the_current_line_is_the_line_of_the_current_event_or_the_last_before_it() {
    let text = examples::find("timers").expect("example").text;
    let run = program_run(text, 3);
    assert_eq!(code_at(&run, 0).current_line, None, "step 0 has no current event");
    run.with_trace(|trace| {
        let mut last = None;
        for k in 1..=run.len() {
            let seq = (k - 1) as usize;
            // Only the program's own lines count (see `SpawnLines`).
            if let Some(site) = trace.site(seq).filter(|s| &*s.file == PROGRAM_FILE) {
                last = Some(site.line);
            }
            assert_eq!(code_at(&run, k).current_line, last, "seed 3 step {k}");
        }
    });
    // The spawns happen at the spawn line.
    let spawn_line = line_with(text, "timers.push(spawn(");
    let first_spawn = run
        .with_trace(|t| (0..t.len()).find(|&s| matches!(t.get(s), Some(Event::Spawned { task }) if task != TaskId(0))));
    let k = first_spawn.expect("a spawn") as u64 + 1;
    assert_eq!(code_at(&run, k).current_line, Some(spawn_line));
}

#[test]
fn a_click_on_a_line_goes_to_the_next_step_there_and_wraps_to_the_start() {
    let text = examples::find("timers").expect("example").text;
    let run = program_run(text, 5);
    let spawn_line = line_with(text, "timers.push(spawn(");
    let at_line: Vec<u64> = run.with_trace(|t| {
        (0..t.len() as u64)
            .filter(|&s| t.site(s as usize).is_some_and(|site| site.line == spawn_line))
            .map(|s| s + 1)
            .collect()
    });
    assert!(at_line.len() >= 3, "three spawns at line {spawn_line}: {at_line:?}");
    let mut k = 0;
    for &want in &at_line {
        k = next_step_at_line(&run, k, spawn_line).expect("a step at the line");
        assert_eq!(k, want, "seed 5");
        assert_eq!(code_at(&run, k).current_line, Some(spawn_line));
    }
    // After the last one it wraps to the first.
    assert_eq!(next_step_at_line(&run, k, spawn_line), Some(at_line[0]));
    // A comment line has no step.
    assert_eq!(next_step_at_line(&run, 0, 1), None);
}

#[test]
fn an_endless_loop_stops_at_the_per_poll_limit_as_a_panicked_task_at_the_loop() {
    let text = "use wakescope::{spawn, yield_now};\n\nasync fn main() {\n    let spinner = spawn(\"spinner\", async {\n        let mut n: u64 = 0;\n        loop {\n            n += 1;\n        }\n    });\n    yield_now().await;\n    let _ = spinner.await;\n}\n";
    let run = program_run(text, 0);
    let end = run.view_at(run.len());
    let spinner = (0..end.tasks.len())
        .map(|i| TaskId(i as u32))
        .find(|&t| run.with_trace(|tr| task_name(tr, t)) == "spinner")
        .expect("a spinner task");
    assert_eq!(end.status(spinner), Some(TaskStatus::Panicked));
    let (message, line) = run.with_trace(|t| {
        let seq = (0..t.len())
            .find(|&s| matches!(t.get(s), Some(Event::Panicked { task }) if task == spinner))
            .expect("a panicked event");
        (
            t.panic_message(spinner).unwrap_or_default().to_string(),
            t.site(seq).map(|s| s.line),
        )
    });
    assert!(message.contains(&STEPS_PER_POLL_MAX.to_string()), "{message}");
    assert_eq!(line, Some(6), "the panic names the loop's line");
    assert_eq!(run.end().map(|e| e.kind.as_str()), Some("completed"));
}
