//! What the page receives from the worker is the run itself: every request
//! and answer goes through its JSON text, the pieces are read by a streamed
//! recording, and the result is the recording of the same program run in
//! one process — the same events, fold, end and fingerprint — and, for a
//! scenario's program, the compiled scenario's fingerprint.
//!
//! Every failure message names the program (or scenario) and seed.

use std::fs;
use std::path::Path;

use wakescope::scenarios;
use wakescope::view::{EndKind, Recording};
use wakescope_worker::job::prepare;
use wakescope_worker::{Job, PIECE_EVENTS_MAX, Request, Response, RunRequest, ScenarioRun};

const FILE: &str = "main.rs";

fn request(job: u32, text: &str, seed: u64, scenario: Option<ScenarioRun>) -> RunRequest {
    RunRequest {
        job,
        file: FILE.into(),
        text: text.into(),
        seed,
        scenario,
        events_max: u64::MAX,
        schedule: None,
    }
}

/// Sends `request` as the page does and reads every answer until the end;
/// returns the streamed recording, folded to its end, and the pieces' count.
fn run_through_worker(request: RunRequest) -> Result<(Recording, usize), Response> {
    let request = match Request::from_text(&Request::Run(request).to_text()).expect("a request reads") {
        Request::Run(r) => r,
        other => panic!("{other:?}"),
    };
    let (mut job, started) = Job::start(&request)?;
    let Response::Started { job: id, header, .. } = reread(started) else {
        panic!("a start answers Started");
    };
    assert_eq!(id, request.job);
    let mut recording = Recording::streamed(&header).expect("the header reads");
    let mut pieces = 0;
    loop {
        let Response::Piece { job: id, lines, end } = reread(job.piece()) else {
            panic!("More answers a Piece");
        };
        assert_eq!(id, request.job);
        pieces += 1;
        assert!(
            lines.lines().count() <= PIECE_EVENTS_MAX,
            "a piece of {} lines",
            lines.lines().count()
        );
        recording.push_jsonl(lines);
        recording.advance(1);
        if let Some(end) = end {
            recording.close(end.to_run_end());
            break;
        }
    }
    assert!(job.is_done());
    recording.finish();
    Ok((recording, pieces))
}

fn reread(response: Response) -> Response {
    Response::from_text(&response.to_text()).expect("an answer reads")
}

fn programs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../playground/tests/programs");
    let mut programs: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("the example programs")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let name = p.file_name().expect("a name").to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    programs.sort();
    assert!(programs.len() >= 10, "{} programs", programs.len());
    programs
}

#[test]
fn every_example_program_arrives_as_the_run_in_one_process() {
    for (name, text) in programs() {
        for seed in [0, 7, 12] {
            let what = format!("{name} seed {seed}");
            let (streamed, _) = run_through_worker(request(1, &text, seed, None)).expect("the program runs");
            let (sim, _) = prepare(&request(1, &text, seed, None)).expect("the program runs");
            let mut live = Recording::live(sim, u64::MAX);
            live.finish();
            assert_eq!(streamed.len(), live.len(), "{what}: events");
            assert_eq!(streamed.fingerprint(), live.fingerprint(), "{what}: fingerprint");
            assert_eq!(streamed.end(), live.end(), "{what}: end");
            let total = live.len();
            for k in [0, 1, total / 2, total.saturating_sub(1), total] {
                assert_eq!(streamed.view_at(k), live.view_at(k), "{what}: step {k}");
            }
            assert_eq!(
                streamed.with_trace(|t| t.to_jsonl()),
                live.with_trace(|t| t.to_jsonl()),
                "{what}: the trace, line for line (locations too)"
            );
        }
    }
}

#[test]
fn a_scenarios_program_arrives_as_the_compiled_scenario() {
    let mut checked = 0;
    for scenario in scenarios::registry() {
        let Some(program) = scenario.program else {
            continue;
        };
        for mode in scenario.modes {
            let given: Vec<(&str, &str)> = if scenario.id == "million" {
                vec![("tasks", "500")]
            } else {
                vec![]
            };
            let (params, errors) = scenario.params(Some(mode.id), given);
            assert!(errors.is_empty(), "{errors:?}");
            for seed in [1, 12] {
                let what = format!("{} mode {} seed {seed}", scenario.id, mode.id);
                let run = ScenarioRun {
                    id: scenario.id.into(),
                    mode: mode.id.into(),
                    params: params.values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                };
                let (streamed, _) =
                    run_through_worker(request(3, &program(&params), seed, Some(run))).expect("the program runs");
                let (compiled, _) = scenario.run(wakescope::Config::seeded(seed), &params);
                assert_eq!(
                    streamed.fingerprint(),
                    Some(compiled.trace().fingerprint()),
                    "{what}: the compiled scenario's trace"
                );
                assert_eq!(
                    streamed.with_trace(|t| t.header().clone()),
                    compiled.trace().header().clone(),
                    "{what}: the header names the scenario and its parameters"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "{checked} runs checked");
}

#[test]
fn a_long_run_comes_in_bounded_pieces() {
    let text = "use wakescope::{sleep, spawn};\nuse std::time::Duration;\n\nasync fn main() {\n    for i in 0..3000 {\n        spawn(\"sleeper\", async move {\n            sleep(Duration::from_millis(10)).await;\n        });\n    }\n}\n";
    let (recording, pieces) = run_through_worker(request(5, text, 2, None)).expect("runs");
    assert_eq!(recording.end().map(|e| e.kind), Some(EndKind::Completed));
    let events = recording.len() as usize;
    assert!(events > 3000 * 8, "{events} events");
    assert!(
        pieces >= events / PIECE_EVENTS_MAX,
        "{pieces} pieces for {events} events"
    );
}

#[test]
fn a_program_that_does_not_parse_is_refused_with_its_place() {
    let text = "use wakescope::sleep;\n\nasync fn main() {\n    let x = ;\n}\n";
    let Err(Response::Refused { job, problem }) = run_through_worker(request(9, text, 0, None)) else {
        panic!("refused");
    };
    assert_eq!(job, 9);
    assert_eq!((problem.line, problem.column), (4, 13), "{problem:?}");
}

#[test]
fn the_event_limit_stops_the_run_with_the_pages_message() {
    let text = &programs()
        .into_iter()
        .find(|(n, _)| n == "timers.rs")
        .expect("timers")
        .1;
    let mut limited = request(2, text, 0, None);
    limited.events_max = 10;
    let (recording, _) = run_through_worker(limited).expect("runs");
    let end = recording.end().expect("ended");
    assert_eq!(end.kind, EndKind::Limit);
    assert_eq!(
        end.message,
        "limit: the recording takes at most 10 events; the run was stopped there"
    );
    // The limit is checked between steps, as a live recording checks it.
    let (sim, _) = prepare(&request(2, text, 0, None)).expect("runs");
    let mut live = Recording::live(sim, 10);
    live.finish();
    assert_eq!(recording.len(), live.len());
    assert!((10..20).contains(&recording.len()), "{} events", recording.len());
    assert_eq!(recording.end(), live.end());
}

#[test]
fn a_request_that_does_not_read_says_so() {
    let e = Request::from_text("{\"Run\":{\"job\":1}}").expect_err("fields missing");
    assert!(e.starts_with("the worker cannot read this request"), "{e}");
}
