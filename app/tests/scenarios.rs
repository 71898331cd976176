//! Every registered scenario, every mode: the fold agrees with the executor
//! after every step, and a run recorded in slices ends where a native run does.

use wakescope::scenarios;
use wakescope::{Config, Step, TaskId, TaskState};
use wakescope_app::model::{Run, TaskStatus, ViewState};

/// Runs with at most this many tasks are compared after every step; bigger
/// ones every [`SAMPLE_EVERY`] steps (comparing all tasks is O(tasks)).
const TASKS_COMPARED_EVERY_STEP: u32 = 200;
const SAMPLE_EVERY: u64 = 997;
const STEPS_MAX: u64 = 2_000_000;

fn task_status(state: TaskState) -> TaskStatus {
    match state {
        TaskState::Idle => TaskStatus::Idle,
        TaskState::Scheduled => TaskStatus::Scheduled,
        TaskState::Running => TaskStatus::Running,
        TaskState::Completed => TaskStatus::Done,
        TaskState::Cancelled => TaskStatus::Cancelled,
        TaskState::Panicked => TaskStatus::Panicked,
    }
}

#[test]
fn every_scenario_folds_exactly_like_the_executor_runs() {
    for scenario in scenarios::registry() {
        for mode in scenario.modes {
            for seed in [0, 1, 42] {
                let what = format!("scenario {} mode {} seed {seed}", scenario.id, mode.id);
                let (params, errors) = scenario.params(Some(mode.id), []);
                assert!(errors.is_empty(), "{what}: {errors:?}");
                let mut sim = scenario.start(Config::seeded(seed), &params);
                let mut head = ViewState::initial(&sim.trace());
                let mut steps = 0u64;
                loop {
                    {
                        let trace = sim.trace();
                        head.apply_range(&trace, trace.len() as u64);
                    }
                    if sim.task_count() <= TASKS_COMPARED_EVERY_STEP || steps.is_multiple_of(SAMPLE_EVERY) {
                        assert_eq!(
                            head.ready.to_vec(),
                            sim.ready_tasks(),
                            "{what}: ready queue after {steps} steps"
                        );
                        assert_eq!(
                            head.timers.len() as u32,
                            sim.armed_timers(),
                            "{what}: timers after {steps} steps"
                        );
                        assert_eq!(
                            head.clock_ns,
                            sim.now().as_nanos() as u64,
                            "{what}: clock after {steps} steps"
                        );
                        for (i, t) in head.tasks.iter().enumerate() {
                            let id = TaskId(i as u32);
                            let state = sim.task_state(id).expect("known task");
                            assert_eq!(t.status, task_status(state), "{what}: task #{i} after {steps} steps");
                            assert_eq!(
                                Some(t.polls),
                                sim.task_polls(id),
                                "{what}: polls of #{i} after {steps} steps"
                            );
                        }
                    }
                    if let Step::Finished(_) = sim.step() {
                        break;
                    }
                    steps += 1;
                    assert!(steps < STEPS_MAX, "{what}: did not finish");
                }
                let trace = sim.trace();
                head.apply_range(&trace, trace.len() as u64);

                let mut run = Run::start(scenario, params.clone(), seed);
                while !run.advance(101) {}
                assert_eq!(run.len(), trace.len() as u64, "{what}: events");
                assert_eq!(
                    run.fingerprint(),
                    Some(trace.fingerprint_hex().as_str()),
                    "{what}: fingerprint"
                );
                assert_eq!(run.view_at(run.len()), head, "{what}: final state");
                assert_eq!(run.end_clock_ns(), head.clock_ns, "{what}: end clock");
                // The event log's times agree with the fold's clock.
                let k = run.len();
                let log = wakescope_app::model::frame::log_window(&run, k);
                if let Some(last) = log.last() {
                    assert_eq!(last.time_ns, run.view_at(k).clock_ns, "{what}: log time at the end");
                }
                let mid = k / 2;
                if let Some(last) = wakescope_app::model::frame::log_window(&run, mid).last() {
                    assert_eq!(
                        last.time_ns,
                        run.view_at(mid).clock_ns,
                        "{what}: log time at step {mid}"
                    );
                }
            }
        }
    }
}
