//! The fold against the executor: the state at step k is what the executor
//! had, snapshots change nothing, and the timers scenario tells its story.

use std::time::Duration;

use wakescope::scenarios::{self, Params};
use wakescope::{Config, Event, Sim, TaskId, Trace, sleep, yield_now};
use wakescope_app::model::frame::log_window;
use wakescope_app::model::timeline::{Layout, PollEnd, Row, TimelineBuilder, Waker, Window, density};
use wakescope_app::model::{Frame, Phase, Run, Snapshots, TaskStatus, Timeline, ViewState};

const SECOND_NS: u64 = 1_000_000_000;

fn timers(mode: &str) -> (&'static scenarios::Scenario, Params) {
    let scenario = scenarios::find("timers").expect("the timers scenario is registered");
    let (params, errors) = scenario.params(Some(mode), []);
    assert!(errors.is_empty(), "{errors:?}");
    (scenario, params)
}

fn finished_timers(mode: &str, seed: u64) -> Run {
    let (scenario, params) = timers(mode);
    let mut run = Run::start(scenario, params, seed);
    run.finish();
    run
}

fn finished_trace(mut sim: Sim) -> Trace {
    sim.run();
    sim.take_trace()
}

#[test]
fn seeking_through_snapshots_equals_folding_from_scratch() {
    for seed in [1, 7, 42] {
        let trace = finished_trace(busy_many(seed));
        let mut head = ViewState::initial(&trace);
        let mut snapshots = Snapshots::new(head.clone());
        for seq in 0..trace.len() {
            head.apply(trace.get(seq).unwrap(), &trace);
            snapshots.offer(&head);
        }
        assert!(
            snapshots.len() > 3,
            "seed {seed}: {} snapshots for {} events",
            snapshots.len(),
            trace.len()
        );
        for k in 0..=trace.len() as u64 {
            assert_eq!(
                snapshots.view_at(&trace, k),
                ViewState::fold(&trace, k),
                "seed {seed}: step {k}"
            );
        }
    }
}

/// Many workers in one run, so the trace spans several snapshots.
fn busy_many(seed: u64) -> Sim {
    let mut sim = Sim::new(Config::seeded(seed));
    for n in 0..60u64 {
        let _worker = sim.spawn("worker", async move {
            for j in 0..(n % 7) {
                yield_now().await;
                sleep(Duration::from_millis(3 * (n + j))).await;
            }
        });
    }
    sim
}

#[test]
fn a_run_sliced_small_equals_a_run_in_one_go() {
    let (scenario, params) = timers("concurrent");
    let mut sliced = Run::start(scenario, params.clone(), 9);
    while !sliced.advance(1) {}
    let whole = finished_timers("concurrent", 9);
    assert_eq!(sliced.len(), whole.len());
    assert_eq!(sliced.fingerprint(), whole.fingerprint());
    for k in 0..=whole.len() {
        assert_eq!(sliced.view_at(k), whole.view_at(k), "step {k}");
        assert_eq!(
            whole.view_at(k),
            whole.with_trace(|t| ViewState::fold(t, k)),
            "step {k}"
        );
    }
}

#[test]
fn forward_five_back_two_is_forward_three() {
    let run = finished_timers("concurrent", 42);
    let _five = run.view_at(5);
    let back = run.view_at(3);
    let forward = run.with_trace(|t| {
        let mut s = ViewState::initial(t);
        for seq in 0..3 {
            s.apply(t.get(seq).unwrap(), t);
        }
        s
    });
    assert_eq!(back, forward);
    assert_eq!(Frame::at(&run, 3), Frame::at(&run, 3));
    let _ = Frame::at(&run, 5);
    assert_eq!(Frame::at(&run, 3), {
        let _ = Frame::at(&run, 40);
        Frame::at(&run, 3)
    });
}

#[test]
fn concurrent_timers_end_at_10_seconds_and_sequential_at_18() {
    for seed in 0..20 {
        let concurrent = finished_timers("concurrent", seed);
        assert_eq!(concurrent.end_clock_ns(), 10 * SECOND_NS, "concurrent seed {seed}");
        assert_eq!(
            concurrent.end().unwrap().kind.as_str(),
            "completed",
            "concurrent seed {seed}"
        );
        let sequential = finished_timers("sequential", seed);
        assert_eq!(sequential.end_clock_ns(), 18 * SECOND_NS, "sequential seed {seed}");
        let last = sequential.view_at(sequential.len());
        assert_eq!(last.phase, Phase::End, "sequential seed {seed}");
        assert!(
            last.tasks.iter().all(|t| t.status == TaskStatus::Done),
            "sequential seed {seed}"
        );
    }
}

#[test]
fn the_fingerprint_is_the_native_one() {
    for seed in [0, 1, 42, u64::MAX] {
        let run = finished_timers("concurrent", seed);
        let (scenario, params) = timers("concurrent");
        let (sim, _) = scenario.run(Config::seeded(seed), &params);
        assert_eq!(run.fingerprint(), Some(sim.trace().fingerprint()), "seed {seed}");
        let hex = format!("{:016x}", run.fingerprint().unwrap());
        assert!(hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}

/// Seed 42, concurrent: main spawns popcorn, boiler, cookies (steps 1-5),
/// polls them in id order, each arms its timer; the clock jumps at event 15.
#[test]
fn ready_queue_and_timers_at_chosen_steps() {
    let run = finished_timers("concurrent", 42);
    let at = |k| run.view_at(k);
    let ids = |v: &wakescope_app::model::ReadyQueue| v.iter().map(|t| t.0).collect::<Vec<_>>();

    assert_eq!(ids(&at(1).ready), [0], "main queued after its spawn");
    assert_eq!(at(1).phase, Phase::Start);
    assert_eq!(ids(&at(2).ready), Vec::<u32>::new(), "main is being polled");
    assert_eq!(at(2).polling, Some(TaskId(0)));
    assert_eq!(ids(&at(5).ready), [1, 2, 3], "three timer tasks spawned, in order");
    assert_eq!(at(6).status(TaskId(0)), Some(TaskStatus::Idle));

    let frame = Frame::at(&run, 6);
    assert_eq!(frame.next_task, Some(1), "popcorn is polled next");
    assert_eq!(frame.phase, Phase::Poll);

    let at15 = at(15);
    assert!(at15.ready.is_empty());
    let timers: Vec<(u64, u32)> = at15.timers.iter().map(|(d, t)| (*d, t.0)).collect();
    assert_eq!(timers, [(3 * SECOND_NS, 0), (5 * SECOND_NS, 1), (10 * SECOND_NS, 2)]);
    let frame = Frame::at(&run, 15);
    let owners: Vec<Option<u32>> = frame.timers.iter().map(|t| t.task).collect();
    assert_eq!(owners, [Some(1), Some(2), Some(3)]);
    assert_eq!(frame.timers[0].left_ns, 3 * SECOND_NS);

    assert_eq!(at(16).phase, Phase::Advance);
    assert_eq!(at(16).clock_ns, 3 * SECOND_NS);
    assert_eq!(at(17).phase, Phase::Fire);
    assert_eq!(at(17).timers.len(), 2, "popcorn's timer fired");
    assert_eq!(Frame::at(&run, 17).timers[0].left_ns, 2 * SECOND_NS);
    assert_eq!(ids(&at(18).ready), [1], "the timer woke popcorn");
    let wakes = Frame::at(&run, 18).wakes;
    assert_eq!(wakes[0].task, 1);
    assert_eq!(wakes[0].source_label, "timer 0 (popcorn)");
    assert_eq!(at(21).status(TaskId(1)), Some(TaskStatus::Done));
    assert_eq!(ids(&at(22).ready), [0], "popcorn's end woke main");

    let last = run.view_at(run.len());
    assert_eq!(last.phase, Phase::End);
    assert!(last.ready.is_empty() && last.timers.is_empty());
    let main = last.tasks[0];
    assert_eq!(main.polls, 4);
    assert_eq!(main.wakes, 3);
    let (busy, queued, idle) = main.times_at(last.clock_ns);
    assert_eq!(
        (busy, queued, idle),
        (0, 0, 10 * SECOND_NS),
        "main waited 10 s, ran in no virtual time"
    );
}

#[test]
fn a_random_policy_pick_refills_the_gap_with_the_last_task() {
    // Find a seed whose first pick among the three timer tasks is not the first queued.
    let seed = (0..200)
        .find(|&s| finished_timers("concurrent", s).view_at(7).polling != Some(TaskId(1)))
        .expect("some seed picks another task first");
    let run = finished_timers("concurrent", seed);
    let picked = run.view_at(7).polling.unwrap();
    let mut expected = vec![TaskId(1), TaskId(2), TaskId(3)];
    let i = expected.iter().position(|t| *t == picked).unwrap();
    expected.swap_remove(i);
    assert_eq!(run.view_at(7).ready.to_vec(), expected, "seed {seed}");
}

#[test]
fn seeking_by_time_lands_just_after_the_nearest_clock_jump() {
    let run = finished_timers("concurrent", 42);
    assert_eq!(run.step_near_time(0), 0);
    assert_eq!(run.step_near_time(SECOND_NS), 0);
    assert_eq!(run.step_near_time(2 * SECOND_NS), 16);
    assert_eq!(run.view_at(16).clock_ns, 3 * SECOND_NS);
    assert_eq!(run.step_near_time(9 * SECOND_NS), 34);
    assert_eq!(run.step_near_time(u64::MAX), 34);
}

#[test]
fn the_timeline_gives_every_task_its_polls_and_sleeps() {
    let run = finished_timers("concurrent", 42);
    let timeline = run.with_trace(Timeline::build);
    assert_eq!(timeline.end_ns, 10 * SECOND_NS);
    let layout = Layout::new(&timeline, &[]);
    let rows: Vec<Row> = (0..layout.len()).map(|i| layout.row(&timeline, i).unwrap()).collect();
    assert_eq!(rows.len(), 4, "four tasks, no group");
    let names: Vec<&str> = (0..4).map(|t| timeline.name(t)).collect();
    assert_eq!(names, ["main", "popcorn", "boiler", "cookies"]);
    let sleeps: Vec<(u64, u64)> = (1..4)
        .map(|t| (timeline.sleeps(t)[0].from_ns, timeline.sleeps(t)[0].to_ns))
        .collect();
    assert_eq!(sleeps, [(0, 3 * SECOND_NS), (0, 5 * SECOND_NS), (0, 10 * SECOND_NS)]);
    assert_eq!(
        timeline.polls(0).len(),
        4,
        "main: polled at the start and after each join"
    );
    assert_eq!(timeline.finish_ns(3), Some(10 * SECOND_NS));
    assert_eq!(timeline.polls(3).last().unwrap().end, PollEnd::Ready);
}

#[test]
fn every_poll_knows_the_wake_that_caused_it() {
    let run = finished_timers("concurrent", 42);
    run.with_trace(|trace| {
        let timeline = Timeline::build(trace);
        let mut wakes = 0;
        for task in 0..timeline.task_count() as u32 {
            for (i, poll) in timeline.polls(task).iter().enumerate() {
                let cause = poll.cause().expect("every poll follows a spawn or a wake");
                assert!(cause < poll.seq, "the cause comes first");
                let waker = timeline.waker(trace, cause).unwrap();
                match trace.get(cause as usize).unwrap() {
                    Event::Spawned { task: t } => {
                        assert_eq!((t.0, i), (task, 0), "only a first poll is caused by its spawn");
                        let parent = trace.task(TaskId(task)).and_then(|info| info.parent);
                        let expected = parent.map_or(Waker::Outside, |p| Waker::Task(p.0));
                        assert_eq!(waker, expected);
                    }
                    Event::Woken { task: t, .. } => {
                        assert_eq!(t.0, task);
                        wakes += 1;
                    }
                    other => panic!("a poll caused by {other:?}"),
                }
            }
        }
        // Every task's spawn time, from its first poll's cause.
        for r in trace.iter() {
            if let Event::Spawned { task } = r.event {
                assert_eq!(timeline.spawn_ns(task.0), r.time_ns);
            }
        }
        // Each cook's timer wakes it; each cook's end wakes main's join.
        assert_eq!(wakes, 6);
        let popcorn_second = timeline.polls(1)[1];
        assert!(matches!(
            timeline.waker(trace, popcorn_second.cause().unwrap()),
            Some(Waker::Timer { owner: Some(1), .. })
        ));
        assert_eq!(popcorn_second.cause_ns, 3 * SECOND_NS);
    });
}

#[test]
fn a_timeline_built_a_few_events_at_a_time_is_the_timeline_built_at_once() {
    let lanes = finished_timers("concurrent", 42).with_trace(|t| t.clone());
    let grouped = finished_trace(busy_many(3));
    for trace in [&lanes, &grouped] {
        let whole = Timeline::build(trace);
        for per_feed in [1, 7, 64] {
            let mut builder = TimelineBuilder::new(trace);
            let mut feeds = 1;
            while !builder.feed(trace, per_feed) {
                feeds += 1;
            }
            // Each event is read in a feed of its own at one a feed, and so
            // is each task named and each poll counted and placed.
            assert!(
                feeds >= trace.len().div_ceil(per_feed),
                "{per_feed} a feed: {feeds} feeds"
            );
            assert_eq!(builder.finish(), whole, "{per_feed} units a feed");
        }
    }
}

#[test]
fn many_tasks_of_one_name_share_a_group_row_that_opens() {
    let trace = finished_trace(busy_many(3));
    let timeline = Timeline::build(&trace);
    assert_eq!(timeline.groups.len(), 1);
    let group = &timeline.groups[0];
    assert_eq!((group.name.as_str(), group.tasks.len()), ("worker", 60));
    let polls = trace
        .iter()
        .filter(|r| matches!(r.event, Event::PollStarted { .. }))
        .count();
    assert_eq!(group.poll_times.len(), polls, "every poll is a worker's");
    assert!(group.poll_times.is_sorted());
    let closed = Layout::new(&timeline, &[]);
    assert_eq!(closed.len(), 1);
    assert_eq!(closed.row(&timeline, 0), Some(Row::Group { group: 0, open: false }));
    assert_eq!(
        closed.row_of(&timeline, 17),
        Some(0),
        "a closed group's tasks are on its row"
    );
    let open = Layout::new(&timeline, &[0]);
    assert_eq!(open.len(), 61);
    assert_eq!(open.row(&timeline, 18), Some(Row::Task { task: 17, nested: true }));
    assert_eq!(open.row_of(&timeline, 17), Some(18));
    assert_eq!(open.row(&timeline, 61), None);
    // The density over the whole run counts every poll once.
    let counts = density(&group.poll_times, Window::fit(timeline.end_ns), 300);
    assert_eq!(counts.iter().map(|c| *c as usize).sum::<usize>(), polls);
}

#[test]
fn the_event_log_window_ends_just_after_the_current_event() {
    let run = finished_timers("concurrent", 42);
    let rows = log_window(&run, 18);
    assert_eq!(rows.first().unwrap().seq, 0);
    assert_eq!(rows.last().unwrap().seq, 17, "the log ends at the current event");
    assert_eq!(rows[17].text, "popcorn #1 ← woken by timer 0 (popcorn)");
    assert_eq!(rows[17].time_ns, 3 * SECOND_NS);
    assert_eq!(rows[14].time_ns, 0);
    assert_eq!(Frame::at(&run, 18).current.unwrap().seq, 17);
    assert!(Frame::at(&run, 0).current.is_none());
}

/// A scenario built here: `n` workers that each yield, then sleep a few ms.
fn many_workers_scenario() -> &'static scenarios::Scenario {
    fn spawn_many(sim: &mut Sim, _: &Params) {
        for i in 0..1_500u64 {
            let _worker = sim.spawn("worker", async move {
                yield_now().await;
                sleep(Duration::from_millis(1 + i % 17)).await;
            });
        }
    }
    let timers = scenarios::find("timers").expect("registered");
    Box::leak(Box::new(scenarios::Scenario {
        id: "many",
        spawn: spawn_many,
        // Its compiled tasks are what runs: it has no program.
        program: None,
        source: Some("// spawn_many in app/tests/fold.rs\n"),
        ..*timers
    }))
}

#[test]
fn a_big_run_sliced_thin_keeps_snapshots_exact_and_lists_capped() {
    let scenario = many_workers_scenario();
    let params = scenario.default_params();
    let mut run = Run::start(scenario, params.clone(), 5);
    let mut slices = 0;
    while !run.advance(37) {
        slices += 1;
    }
    assert!(slices > 50, "the run took {slices} slices");
    assert!(run.snapshot_count() > 3, "{} snapshots", run.snapshot_count());
    let total = run.len();
    // Ascending reuses the last state shown; descending starts from snapshots.
    let ascending = (0..=total).step_by(97).chain([total]);
    let descending = (0..=total).rev().step_by(89);
    for k in ascending.chain(descending).chain([5, 6, 7, 3, 700, 701, 2]) {
        assert_eq!(run.view_at(k), run.with_trace(|t| ViewState::fold(t, k)), "step {k}");
        assert_eq!(run.clock_at(k), run.view_at(k).clock_ns, "step {k}");
    }
    let frame = Frame::at(&run, total / 2);
    assert_eq!(frame.tasks.len(), wakescope_app::model::frame::TASK_ROWS_MAX);
    assert_eq!(frame.tasks.len() + frame.tasks_hidden, 1_500);
    assert!(frame.ready.len() <= wakescope_app::model::frame::READY_ROWS_MAX);
    let timeline = run.with_trace(Timeline::build);
    assert_eq!(timeline.groups[0].tasks.len(), 1_500, "1,500 workers share a group");
    assert_eq!(run.end().unwrap().kind.as_str(), "completed");
}
