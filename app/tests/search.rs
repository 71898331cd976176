//! The page's searches: what the app asks the searcher's worker for, from the
//! run on screen, is the search the CLI makes — the same program, seed and
//! schedule — so the page's Shrink, fork and bisect find what the CLI finds.

use wakescope::Schedule;
use wakescope::scenarios;
use wakescope_app::model::{PROGRAM_FILE, Setup};
use wakescope_worker::search::{Found, Search, Target, search};

fn race(seed: u64) -> Setup {
    let race = scenarios::find("race").expect("registered");
    Setup::scenario(race, race.default_params(), seed)
}

#[test]
fn a_scenario_is_searched_compiled_with_its_parameters_and_schedule() {
    let setup = race(12).with_schedule(Some("s:101".parse::<Schedule>().expect("parses")));
    let request = setup.search_request(7, Search::Fork { at: 3, runs: 10 });
    assert_eq!((request.job, request.seed), (7, 12));
    assert_eq!(request.schedule.as_deref(), Some("s:101"));
    let Target::Scenario(run) = &request.target else {
        panic!("a scenario is searched compiled: {:?}", request.target)
    };
    assert_eq!((run.id.as_str(), run.mode.as_str()), ("race", "racy"));
    assert!(
        run.params.iter().any(|(name, value)| name == "tasks" && *value == 2),
        "{:?}",
        run.params
    );
    let Found::Forked(forked) = search(&request, &mut |_, _| {}) else {
        panic!("a fork of a replayed schedule runs")
    };
    assert_eq!((forked.at, forked.runs), (3, 10));
}

#[test]
fn the_race_shrinks_to_first_come_first_served_and_bisects_to_step_10() {
    let setup = race(12);
    let shrink = setup.search_request(1, Search::Shrink { budget: 2_000 });
    let Found::Shrunk(shrunk) = search(&shrink, &mut |_, _| {}) else {
        panic!("seed 12 fails")
    };
    assert_eq!((shrunk.schedule.as_str(), shrunk.deviations.len()), ("s:", 0));
    let bisect = setup.search_request(
        2,
        Search::Bisect {
            per_point: 100,
            budget: 10_000,
        },
    );
    let Found::Bisected(bisected) = search(&bisect, &mut |_, _| {}) else {
        panic!("seed 12 fails")
    };
    assert_eq!(bisected.inevitable_step, 10);
}

#[test]
fn a_playground_program_is_searched_interpreted_and_its_shrunk_schedule_names_its_deviation() {
    let text = include_str!("../../cli/tests/programs/order.rs");
    let setup = Setup {
        program: Some(text.into()),
        ..race(0)
    };
    let request = setup.search_request(3, Search::Shrink { budget: 2_000 });
    assert_eq!(
        request.target,
        Target::Program {
            file: PROGRAM_FILE.into(),
            text: text.into()
        }
    );
    let mut told = Vec::new();
    let Found::Shrunk(shrunk) = search(&request, &mut |runs, of| told.push((runs, of))) else {
        panic!("seed 0 fails")
    };
    assert_eq!(shrunk.schedule, "s:1");
    assert_eq!(shrunk.deviations.len(), 1);
    assert!(
        shrunk.deviations[0].text.contains("`b` ran before `a`"),
        "{}",
        shrunk.deviations[0].text
    );
    assert!(told.iter().all(|&(runs, of)| runs <= of && of == 2_000), "{told:?}");
}

#[test]
fn a_replayed_schedule_is_not_shrunk_again_and_a_passing_run_has_nothing_to_shrink() {
    let replayed = race(12).with_schedule(Some("s:".parse::<Schedule>().expect("parses")));
    let request = replayed.search_request(1, Search::Shrink { budget: 100 });
    assert!(matches!(search(&request, &mut |_, _| {}), Found::Refused(m) if m.contains("follows a schedule")));
    let timers = scenarios::find("timers").expect("registered");
    let passing = Setup::scenario(timers, timers.default_params(), 0);
    let request = passing.search_request(1, Search::Shrink { budget: 100 });
    assert!(matches!(search(&request, &mut |_, _| {}), Found::Passes(_)));
}

#[test]
fn two_runs_side_by_side_mark_where_they_differ_and_agree_before_their_divergence() {
    use wakescope::compare::{Strictness, compare};
    use wakescope_app::model::Frame;
    use wakescope_app::model::compare::side_by_side;

    let open = |seed: u64| {
        let mut run = wakescope_app::model::Run::compiled(&race(seed));
        run.finish();
        wakescope_app::model::Source::Run(run)
    };
    let (a, b) = (open(12), open(13));
    let ta = a.recording().sim().expect("a live run").trace();
    let tb = b.recording().sim().expect("a live run").trace();
    let step = compare(&ta, &tb, Strictness::Behaviour)
        .divergence
        .expect("they differ")
        .step;
    let rows = |k: u64| side_by_side(&Frame::at(a.recording(), k), &Frame::at(b.recording(), k));
    let differs = |k: u64, what: &str| rows(k).iter().find(|r| r.what == what).expect(what).differs();
    assert!(!differs(step, "event"), "up to the divergence the runs agree");
    assert!(
        differs(step + 1, "event"),
        "step {} shows the first event that differs",
        step + 1
    );
    assert!(!differs(step + 1, "step"));
    let same = side_by_side(&Frame::at(a.recording(), 5), &Frame::at(a.recording(), 5));
    assert!(same.iter().all(|r| !r.differs()), "a run beside itself differs nowhere");
    assert!(
        same.iter().any(|r| r.what == "main #0"),
        "each task has its row: {same:?}"
    );
}
