//! Every registered scenario, every mode: a run recorded in the page's small
//! slices ends where a native run does, with the same fingerprint and final
//! state, and the event log's times agree with the fold. (That the fold
//! agrees with the executor after every step, under every policy, is the
//! library's test: `executor/tests/view.rs`.)

use wakescope::Config;
use wakescope::scenarios;
use wakescope::view::ViewState;
use wakescope_app::model::Run;
use wakescope_app::model::frame::log_window;

#[test]
fn every_scenario_recorded_in_slices_ends_like_a_native_run() {
    for scenario in scenarios::registry() {
        for mode in scenario.modes {
            for seed in [0, 1, 42] {
                let what = format!("scenario {} mode {} seed {seed}", scenario.id, mode.id);
                let (params, errors) = scenario.params(Some(mode.id), []);
                assert!(errors.is_empty(), "{what}: {errors:?}");
                let (sim, _) = scenario.run(Config::seeded(seed), &params);
                let trace = sim.trace();
                let head = ViewState::fold(&trace, u64::MAX);

                let mut run = Run::start(scenario, params.clone(), seed);
                while !run.advance(101) {}
                assert_eq!(run.len(), trace.len() as u64, "{what}: events");
                assert_eq!(run.fingerprint(), Some(trace.fingerprint()), "{what}: fingerprint");
                assert_eq!(run.view_at(run.len()), head, "{what}: final state");
                assert_eq!(run.end_clock_ns(), head.clock_ns, "{what}: end clock");
                for k in [run.len(), run.len() / 2] {
                    if let Some(last) = log_window(&run, k).last() {
                        assert_eq!(last.time_ns, run.view_at(k).clock_ns, "{what}: log time at step {k}");
                    }
                }
            }
        }
    }
}
