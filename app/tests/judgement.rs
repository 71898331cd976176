//! The verdict read from the recorded run equals the one a second,
//! independent run of the same scenario and seed gives.

use wakescope::scenarios;
use wakescope_app::model::Run;
use wakescope_app::model::sweep::Judge;

#[test]
fn the_recorded_run_judges_itself_as_a_fresh_run_would() {
    for scenario in scenarios::registry() {
        for mode in scenario.modes {
            let (params, _) = scenario.params(Some(mode.id), []);
            for seed in [0, 12] {
                let ctx = format!("{} {} seed {seed}", scenario.id, mode.id);
                let mut run = Run::start(scenario, params.clone(), seed);
                assert!(run.judgement().is_none(), "{ctx}: judged before the end");
                run.finish();
                let own = run
                    .judgement()
                    .unwrap_or_else(|| panic!("{ctx}: no judgement at the end"));
                let fresh = Judge::start(scenario, &params, seed, true).finish();
                assert_eq!(own.verdict, fresh.verdict, "{ctx}");
                assert_eq!(own.measured, fresh.measured, "{ctx}");
                assert_eq!(own.outcome, fresh.outcome, "{ctx}");
            }
        }
    }
}
