//! Links, trapped exits and kill: the seed's P0 → P1(T) → P2(T) → C1 chain.

mod support;

use std::cell::RefCell;
use std::future::pending;
use std::rc::Rc;
use std::time::Duration;

use wakescope::supervision::{ExitMessage, exit, kill, recv_exit, spawn_link, trap_exit};
use wakescope::{CancelCause, Config, Event, ExitReason, Sim, TaskId, TaskState, sleep};

fn state_of(sim: &Sim, name: &str) -> TaskState {
    let trace = sim.trace();
    let id = (0..trace.task_count() as u32)
        .map(TaskId)
        .find(|t| trace.task(*t).unwrap().name == name)
        .unwrap();
    sim.task_state(id).unwrap()
}

#[test]
fn the_kill_chain_kills_p2_and_c1_and_p1_hears_about_it() {
    for seed in 0..20 {
        let mut sim = Sim::new(Config::seeded(seed));
        let heard: Rc<RefCell<Vec<(String, ExitReason)>>> = Rc::default();
        let h = heard.clone();
        let _p0 = sim.spawn("P0", async move {
            let p1 = spawn_link("P1", async move {
                trap_exit(true);
                let p2 = spawn_link("P2", async {
                    trap_exit(true);
                    let _c1 = spawn_link("C1", async {
                        // C1 would work for a minute.
                        sleep(Duration::from_secs(60)).await;
                    });
                    // P2 hangs: trapping every signal, it never answers.
                    pending::<()>().await;
                });
                sleep(Duration::from_secs(5)).await;
                // P2 is not responding; a trappable signal would only become a
                // message in its mailbox. Kill cannot be trapped.
                kill(p2.id().unwrap());
                let message = recv_exit().await;
                h.borrow_mut().push((format!("{}", message.from), message.reason));
            });
            p1.await.unwrap();
        });
        assert!(sim.run().is_completed(), "seed {seed}");
        assert_eq!(
            sim.now(),
            Duration::from_secs(5),
            "seed {seed}: C1's minute never ran out"
        );
        assert_eq!(state_of(&sim, "P2"), TaskState::Cancelled, "seed {seed}");
        assert_eq!(state_of(&sim, "C1"), TaskState::Cancelled, "seed {seed}");
        assert_eq!(state_of(&sim, "P1"), TaskState::Completed, "seed {seed}");
        assert_eq!(state_of(&sim, "P0"), TaskState::Completed, "seed {seed}");
        assert_eq!(
            *heard.borrow(),
            vec![("#2".to_string(), ExitReason::Killed)],
            "seed {seed}: P1 got P2's exit"
        );

        let trace = sim.trace();
        let name = |t: TaskId| trace.task(t).unwrap().name.to_string();
        let story: Vec<String> = trace
            .iter()
            .filter_map(|r| match r.event {
                Event::ExitKilled { task, from } => Some(format!("{} kills {}", name(from), name(task))),
                Event::ExitTrapped { task, from } => Some(format!("{} traps {}", name(task), name(from))),
                Event::Cancelled {
                    task,
                    cause: CancelCause::Killed,
                } => Some(format!("{} killed", name(task))),
                _ => None,
            })
            .collect();
        assert_eq!(
            story,
            vec!["P1 kills P2", "P2 killed", "P1 traps P2", "P2 kills C1", "C1 killed"],
            "seed {seed}"
        );
        support::check_invariants(&trace, &format!("kill chain seed {seed}")).unwrap();
    }
}

#[test]
fn an_error_spreads_along_links_a_normal_exit_does_not() {
    let outcome = |fail: bool| {
        let mut sim = Sim::new(Config::seeded(2));
        let _parent = sim.spawn("parent", async move {
            let _worker = spawn_link("worker", async move {
                sleep(Duration::from_secs(1)).await;
                if fail {
                    exit(ExitReason::Error).await;
                }
            });
            sleep(Duration::from_secs(10)).await;
        });
        sim.run();
        (state_of(&sim, "parent"), sim.now())
    };
    assert_eq!(outcome(false), (TaskState::Completed, Duration::from_secs(10)));
    assert_eq!(
        outcome(true),
        (TaskState::Cancelled, Duration::from_secs(1)),
        "the error killed the parent"
    );
}

#[test]
fn a_trapping_supervisor_gets_a_message_for_a_panic() {
    let mut sim = Sim::new(Config::seeded(5));
    let got = sim
        .block_on(async {
            trap_exit(true);
            let child = spawn_link("child", async {
                sleep(Duration::from_secs(1)).await;
                if wakescope::now() > Duration::ZERO {
                    panic!("child failed");
                }
            });
            let message = recv_exit().await;
            (message, child.id().unwrap())
        })
        .unwrap();
    assert_eq!(
        got.0,
        ExitMessage {
            from: got.1,
            reason: ExitReason::Error
        }
    );
}
