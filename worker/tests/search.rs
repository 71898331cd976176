//! The page's searches, as the worker answers them: each goes through its
//! JSON text, finds what the library finds for the same run, and what it
//! hands back — a shrunk schedule, a continuation's schedule — replays in
//! the worker's own runs to the same failure.

use std::path::Path;

use wakescope::scenarios;
use wakescope::sweep::{bisect, fork};
use wakescope::view::{EndKind, Recording};
use wakescope::{Config, Sim, shrink};
use wakescope_worker::search::{Found, Search, SearchRequest, Target, search};
use wakescope_worker::{Job, Request, Response, RunRequest, ScenarioRun};

fn order_program() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/programs/order.rs");
    std::fs::read_to_string(path).expect("the order-violation program")
}

fn race() -> ScenarioRun {
    let race = scenarios::find("race").expect("registered");
    let params = race.default_params();
    ScenarioRun {
        id: "race".into(),
        mode: params.mode.into(),
        params: params.values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
    }
}

fn race_body(sim: &mut Sim) -> Result<(), String> {
    let race = scenarios::find("race").expect("registered");
    let params = race.default_params();
    sim.set_scenario("race", params.pairs());
    (race.spawn)(sim, &params);
    let outcome = sim.run();
    race.verdict(sim, &outcome)
}

/// The search as the page sends it, with every progress report it made.
fn ask(target: Target, seed: u64, schedule: Option<&str>, what: Search) -> (Found, Vec<(u64, u64)>) {
    let request = SearchRequest {
        job: 7,
        target,
        seed,
        schedule: schedule.map(str::to_string),
        search: what,
    };
    let Request::Search(request) = Request::from_text(&Request::Search(request).to_text()).expect("reads") else {
        panic!("a search request reads as one");
    };
    let mut progress = Vec::new();
    let found = search(&request, &mut |runs, of| progress.push((runs, of)));
    let answer = Response::Found { job: 7, found };
    let Ok(Response::Found { job: 7, found }) = Response::from_text(&answer.to_text()) else {
        panic!("an answer reads as it was written");
    };
    (found, progress)
}

/// The worker's run of `text` with `seed` following `schedule`, to its end.
fn replay(text: &str, seed: u64, scenario: Option<ScenarioRun>, schedule: &str) -> Recording {
    let request = RunRequest {
        job: 1,
        file: "main.rs".into(),
        text: text.into(),
        seed,
        scenario,
        events_max: u64::MAX,
        schedule: Some(schedule.into()),
    };
    let (mut job, started) = Job::start(&request).expect("the program runs");
    let Response::Started { header, .. } = started else {
        panic!("a run starts");
    };
    let mut recording = Recording::streamed(&header).expect("the header reads");
    loop {
        let Response::Piece { lines, end, .. } = job.piece() else {
            panic!("a piece");
        };
        recording.push_jsonl(lines);
        if let Some(end) = end {
            recording.close(end.to_run_end());
            break;
        }
    }
    recording.finish();
    recording
}

fn order_target() -> Target {
    Target::Program {
        file: "main.rs".into(),
        text: order_program(),
    }
}

/// A seed whose random run of the order program fails (the bug needs `b`
/// before `a`'s write), its shrink, and the progress reports.
fn failing_order() -> (u64, wakescope_worker::search::Shrunk, Vec<(u64, u64)>) {
    (0..200)
        .find_map(
            |seed| match ask(order_target(), seed, None, Search::Shrink { budget: 500 }) {
                (Found::Shrunk(shrunk), progress) => Some((seed, shrunk, progress)),
                _ => None,
            },
        )
        .expect("some seed in 200 loses b's write")
}

#[test]
fn a_program_shrinks_to_its_one_deviation_and_the_schedule_replays_the_failure() {
    let text = order_program();
    let (seed, shrunk, progress) = failing_order();
    assert_eq!(shrunk.deviations.len(), 1, "seed {seed}: {shrunk:?}");
    assert!(shrunk.minimal, "FIFO itself passes, so one deviation is the minimum");
    assert!(shrunk.deviations[0].text.contains("`b` ran before `a`"), "{shrunk:?}");
    assert!(shrunk.failure.contains("panic in `main`"), "{}", shrunk.failure);
    assert!(shrunk.message.contains("b's write was lost"), "{}", shrunk.message);
    assert!(!progress.is_empty() && progress.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(progress.iter().all(|&(runs, of)| runs <= of && of == 500));

    let again = replay(&text, seed, None, &shrunk.schedule);
    assert_eq!(
        again.end().map(|e| e.kind),
        Some(EndKind::Panicked),
        "{:?}",
        again.end()
    );
    assert!(again.end().unwrap().message.contains("b's write was lost"));
}

#[test]
fn a_scenario_shrinks_forks_and_bisects_as_the_library_does() {
    let (found, _) = ask(Target::Scenario(race()), 12, None, Search::Shrink { budget: 2_000 });
    let Found::Shrunk(shrunk) = found else {
        panic!("{found:?}");
    };
    let direct = shrink(Config::seeded(12), 2_000, &race_body).expect("seed 12 fails");
    assert_eq!(shrunk.schedule, direct.schedule.to_string());
    assert_eq!(shrunk.runs, direct.runs);
    assert_eq!(shrunk.failure, direct.kind.to_string());

    let (found, progress) = ask(Target::Scenario(race()), 12, None, Search::Fork { at: 0, runs: 60 });
    let Found::Forked(forked) = found else {
        panic!("{found:?}");
    };
    let direct = fork(Config::seeded(12), 0, 60, &race_body).unwrap();
    assert_eq!(
        (forked.runs, forked.failures, forked.same),
        (60, direct.failures(), direct.same)
    );
    let endings: Vec<(u64, String)> = direct
        .endings
        .iter()
        .map(|e| (e.runs, e.schedule.to_string()))
        .collect();
    assert_eq!(
        forked
            .endings
            .iter()
            .map(|e| (e.runs, e.schedule.clone()))
            .collect::<Vec<_>>(),
        endings
    );
    assert_eq!(progress.last(), Some(&(61, 61)), "the run itself and 60 continuations");

    let (found, _) = ask(
        Target::Scenario(race()),
        12,
        None,
        Search::Bisect {
            per_point: 100,
            budget: 50_000,
        },
    );
    let Found::Bisected(bisected) = found else {
        panic!("{found:?}");
    };
    let direct = bisect(Config::seeded(12), 100, 50_000, &race_body).unwrap();
    assert_eq!(bisected.inevitable_step, direct.inevitable.step);
    assert_eq!(bisected.points.len(), direct.points.len());
    assert!(bisected.points.windows(2).all(|w| w[0].step <= w[1].step), "by step");
    let last = bisected.points.last().unwrap();
    assert_eq!(
        last.fails, last.runs,
        "with every decision kept, every continuation fails"
    );
}

#[test]
fn a_fork_of_a_replayed_schedule_keeps_its_decisions() {
    let text = order_program();
    let program = order_target();
    let (seed, shrunk, _) = failing_order();
    let schedule = shrunk.schedule.as_str();
    let end = replay(&text, seed, None, schedule);
    assert_eq!(end.end().map(|e| e.kind), Some(EndKind::Panicked));
    let total = end.len() as u64;
    let (found, _) = ask(
        program.clone(),
        seed,
        Some(schedule),
        Search::Fork { at: total, runs: 20 },
    );
    let Found::Forked(all_kept) = found else {
        panic!("{found:?}");
    };
    assert_eq!((all_kept.same, all_kept.runs), (20, 20), "{all_kept:?}");
    assert!(all_kept.original.as_deref().is_some_and(|o| o.contains("panic")));
    let (found, _) = ask(program, seed, Some(schedule), Search::Fork { at: 0, runs: 100 });
    let Found::Forked(none_kept) = found else {
        panic!("{found:?}");
    };
    assert!(
        none_kept.same > 0 && none_kept.same < 100,
        "from the start both orders happen: {none_kept:?}"
    );
    assert!(none_kept.endings.iter().any(|e| e.failure.is_none()));
}

#[test]
fn searches_that_cannot_be_made_say_why() {
    let refused = |found: Found| match found {
        Found::Refused(message) => message,
        other => panic!("refused, not {other:?}"),
    };
    let program = order_target();
    let message = refused(ask(program.clone(), 0, None, Search::Shrink { budget: 1 }).0);
    assert!(message.contains("from 2 to"), "{message}");
    let message = refused(ask(program.clone(), 0, Some("s:01"), Search::Shrink { budget: 100 }).0);
    assert!(message.contains("follows a schedule"), "{message}");
    let message = refused(ask(program.clone(), 0, None, Search::Fork { at: 10_000, runs: 5 }).0);
    assert!(message.contains("past the end"), "{message}");
    let message = refused(ask(program.clone(), 0, Some("s:x!"), Search::Fork { at: 0, runs: 5 }).0);
    assert!(message.contains("base-36"), "{message}");
    let broken = Target::Program {
        file: "main.rs".into(),
        text: "async fn main() { let }".into(),
    };
    let message = refused(ask(broken, 0, None, Search::Fork { at: 0, runs: 5 }).0);
    assert!(message.contains("line 1"), "{message}");

    // A run that passes has nothing to shrink, and is said so.
    let passing = (0..50)
        .map(|seed| ask(program.clone(), seed, None, Search::Shrink { budget: 100 }).0)
        .find(|f| matches!(f, Found::Passes(_)))
        .expect("some seed's run passes");
    let Found::Passes(message) = passing else {
        unreachable!()
    };
    assert!(message.contains("does not fail"), "{message}");
}

/// The race's run with `seed`, recorded, as the library runs it.
fn race_trace(seed: u64, mode: Option<&str>) -> wakescope::Trace {
    let race = scenarios::find("race").expect("registered");
    let (params, errors) = race.params(mode, std::iter::empty());
    assert!(errors.is_empty());
    let mut sim = Sim::new(race.configured(Config::seeded(seed).with_trace(true), &params));
    sim.set_scenario("race", params.pairs());
    (race.spawn)(&mut sim, &params);
    sim.run();
    sim.take_trace()
}

#[test]
fn compare_finds_the_librarys_first_divergence_and_sends_the_other_run() {
    use wakescope::compare::{Strictness, compare};
    let (found, _) = ask(
        Target::Scenario(race()),
        12,
        None,
        Search::Compare { vs: "seed:13".into() },
    );
    let Found::Compared(compared) = found else {
        panic!("two runs compare: {found:?}")
    };
    let library = compare(&race_trace(12, None), &race_trace(13, None), Strictness::Behaviour);
    let divergence = compared.divergence.expect("seeds 12 and 13 differ");
    assert_eq!(divergence.step, library.divergence.as_ref().expect("they differ").step);
    assert_eq!(divergence.summary, library.divergence.as_ref().unwrap().summary);
    assert_eq!(compared.differences, library.differences());
    let other = wakescope::Trace::from_jsonl(compared.trace.as_deref().expect("small enough to send")).expect("reads");
    assert_eq!(
        other.fingerprint(),
        race_trace(13, None).fingerprint(),
        "B is seed 13's run"
    );

    // Another mode of the same seed.
    let (found, _) = ask(
        Target::Scenario(race()),
        12,
        None,
        Search::Compare {
            vs: "mode:locked".into(),
        },
    );
    let Found::Compared(locked) = found else {
        panic!("{found:?}")
    };
    let other = wakescope::Trace::from_jsonl(locked.trace.as_deref().unwrap()).unwrap();
    assert_eq!(other.fingerprint(), race_trace(12, Some("locked")).fingerprint());
    assert!(
        locked.ends.0 != locked.ends.1,
        "the racy run fails, the locked one passes: {:?}",
        locked.ends
    );

    // The same run is the same.
    let (found, _) = ask(
        Target::Scenario(race()),
        12,
        None,
        Search::Compare { vs: "seed:12".into() },
    );
    let Found::Compared(same) = found else {
        panic!("{found:?}")
    };
    assert_eq!((same.divergence, same.differences.len()), (None, 0));
}

#[test]
fn compare_says_what_it_cannot_compare() {
    let program = Target::Program {
        file: "main.rs".into(),
        text: order_program(),
    };
    for (target, vs, said) in [
        (program.clone(), "mode:locked", "a program has no modes or parameters"),
        (Target::Scenario(race()), "mode:nonesuch", "nonesuch"),
        (Target::Scenario(race()), "colour:red", "vs=colour:red"),
        (Target::Scenario(race()), "param:tasks=two", "not a whole number"),
    ] {
        let (found, _) = ask(target, 0, None, Search::Compare { vs: vs.into() });
        assert!(
            matches!(&found, Found::Refused(m) if m.contains(said)),
            "{vs}: {found:?}"
        );
    }
    let (found, _) = ask(
        program,
        0,
        None,
        Search::Compare {
            vs: "schedule:s:1".into(),
        },
    );
    let Found::Compared(compared) = found else {
        panic!("{found:?}")
    };
    assert!(
        compared.divergence.is_some(),
        "the shrunk order violation runs otherwise than seed 0's own run"
    );
}
