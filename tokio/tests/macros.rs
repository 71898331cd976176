//! `select!`, `join!`, `try_join!`, `pin!`, `#[tokio::main]` and
//! `#[tokio::test]` on the facade, named `tokio` as a user's crate names it.

extern crate wakescope_tokio as tokio;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test]
async fn select_runs_the_first_branch_to_complete_and_drops_the_other() {
    let start = Instant::now();
    let (tx, rx) = oneshot::channel();
    let _sender = tokio::spawn(async move {
        sleep(ms(20)).await;
        tx.send(7).unwrap();
    });
    let got = tokio::select! {
        v = rx => v.unwrap(),
        _ = sleep(ms(100)) => 0,
    };
    assert_eq!(got, 7);
    assert_eq!(start.elapsed(), ms(20));
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn select_disables_a_branch_whose_pattern_fails_and_runs_else_when_none_is_left() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    drop(tx);
    let out = tokio::select! {
        Some(v) = rx.recv() => v,
        else => 99,
    };
    assert_eq!(out, 99, "recv() gave None, which Some(v) does not match");
    let open = false;
    let picked = tokio::select! {
        _ = sleep(ms(1)), if open => 1,
        _ = sleep(ms(5)) => 2,
    };
    assert_eq!(picked, 2);
}

/// Two branches ready at once: without `biased;` the seed picks, and over
/// 64 seeds both win; with `biased;` the first always does.
#[test]
fn select_order_comes_from_the_seed_unless_biased() {
    let mut wins = [0u32; 2];
    let mut biased_wins = [0u32; 2];
    for seed in 0..64 {
        let mut sim = wakescope::Sim::new(wakescope::Config::seeded(seed));
        let (free, biased) = sim
            .block_on(async {
                let free = tokio::select! {
                    _ = std::future::ready(()) => 0,
                    _ = std::future::ready(()) => 1,
                };
                let biased = tokio::select! {
                    biased;
                    _ = std::future::ready(()) => 0,
                    _ = std::future::ready(()) => 1,
                };
                (free, biased)
            })
            .unwrap();
        wins[free] += 1;
        biased_wins[biased] += 1;
        let mut again = wakescope::Sim::new(wakescope::Config::seeded(seed));
        let replay = again
            .block_on(async {
                tokio::select! {
                    _ = std::future::ready(()) => 0,
                    _ = std::future::ready(()) => 1,
                }
            })
            .unwrap();
        assert_eq!(replay, free, "seed {seed}: the same seed picks the same branch");
    }
    assert!(wins[0] > 0 && wins[1] > 0, "both branches win over 64 seeds: {wins:?}");
    assert_eq!(biased_wins, [64, 0]);
}

#[tokio::test]
async fn join_runs_futures_concurrently() {
    let start = Instant::now();
    let (a, b, c) = tokio::join!(
        async {
            sleep(ms(30)).await;
            1
        },
        async {
            sleep(ms(50)).await;
            "two"
        },
        async { 3.0 },
    );
    assert_eq!((a, b, c), (1, "two", 3.0));
    assert_eq!(start.elapsed(), ms(50));
}

#[tokio::test]
async fn try_join_stops_at_the_first_error() {
    let start = Instant::now();
    let finished = Rc::new(Cell::new(false));
    let flag = finished.clone();
    let out: Result<(u8, u8), &str> = tokio::try_join!(
        async {
            sleep(ms(10)).await;
            Err("early")
        },
        async move {
            sleep(ms(100)).await;
            flag.set(true);
            Ok(2)
        },
    );
    assert_eq!(out, Err("early"));
    assert_eq!(start.elapsed(), ms(10));
    assert!(!finished.get(), "the slow branch was dropped");
    let ok: Result<(u8, u8), &str> = tokio::try_join!(async { Ok(1) }, async { Ok(2) });
    assert_eq!(ok, Ok((1, 2)));
}

#[tokio::test]
async fn pin_lets_a_future_be_polled_again_across_select_rounds() {
    let start = Instant::now();
    let nap = sleep(ms(50));
    tokio::pin!(nap);
    let mut ticks = 0;
    loop {
        tokio::select! {
            _ = &mut nap => break,
            _ = sleep(ms(20)) => ticks += 1,
        }
    }
    assert_eq!((ticks, start.elapsed()), (2, ms(50)));
}

#[tokio::test]
async fn a_test_may_return_a_result() -> Result<(), String> {
    sleep(ms(1)).await;
    Ok(())
}

mod app {
    #[tokio::main(flavor = "multi_thread", worker_threads = 4)]
    pub async fn main() -> u64 {
        let start = tokio::time::Instant::now();
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        start.elapsed().as_secs()
    }
}

#[test]
fn tokio_main_runs_the_body_on_the_virtual_clock() {
    assert_eq!(app::main(), 2);
}

/// The lost update: two tasks read, yield, write back. Some seeds lose one.
async fn lose_an_update() {
    let counter = Rc::new(Cell::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let counter = counter.clone();
        set.spawn(async move {
            let read = counter.get();
            tokio::task::yield_now().await;
            counter.set(read + 1);
        });
    }
    while set.join_next().await.is_some() {}
    assert_eq!(counter.get(), 2, "an update was lost");
}

/// The lost update under `#[wakescope::test]`. Ignored on its own:
/// `wakescope_test_names_the_smallest_failing_seed` calls it and reads the report.
#[wakescope::test(seeds = 0..200)]
#[ignore = "fails by design; called by wakescope_test_names_the_smallest_failing_seed"]
async fn lost_update() {
    lose_an_update().await;
}

#[wakescope::test(seeds = 0..100)]
async fn wakescope_test_passes_when_every_seed_does() {
    let start = Instant::now();
    let (a, b) = tokio::join!(sleep(ms(5)), sleep(ms(7)));
    assert_eq!((a, b), ((), ()));
    assert_eq!(start.elapsed(), ms(7));
}

#[test]
fn wakescope_test_names_the_smallest_failing_seed() {
    let report = std::panic::catch_unwind(lost_update).expect_err("some seed loses an update");
    let text = report
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| report.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    let smallest = (0..200)
        .find(|&seed| {
            let mut sim = wakescope::Sim::new(wakescope::Config::seeded(seed));
            sim.block_on(async {
                let counter = Rc::new(Cell::new(0));
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..2 {
                    let counter = counter.clone();
                    set.spawn(async move {
                        let read = counter.get();
                        tokio::task::yield_now().await;
                        counter.set(read + 1);
                    });
                }
                while set.join_next().await.is_some() {}
                counter.get()
            })
            .unwrap()
                != 2
        })
        .expect("a seed in 0..200 loses an update");
    assert!(
        text.contains(&format!("seed {smallest}")),
        "the report names seed {smallest}: {text}"
    );
    assert!(
        text.contains("an update was lost"),
        "the report has the message: {text}"
    );
    assert!(
        text.contains(&format!("WAKESCOPE_SEED={smallest}")),
        "the report has the replay command: {text}"
    );
}

/// The lost update as a `#[tokio::test]`: with the seed 0 alone it may pass;
/// `WAKESCOPE_SEEDS` widens it. Ignored on its own:
/// `tokio_test_honours_wakescope_seeds` runs it in a child process.
#[tokio::test]
#[ignore = "fails under some seeds by design; run by tokio_test_honours_wakescope_seeds"]
async fn lost_update_under_tokio_test() {
    lose_an_update().await;
}

/// Runs this test binary's `lost_update_under_tokio_test` with `vars` set;
/// returns whether it passed and what it printed.
fn run_child(vars: &[(&str, &str)]) -> (bool, String) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = std::process::Command::new(exe);
    child.args([
        "--ignored",
        "--exact",
        "lost_update_under_tokio_test",
        "--nocapture",
        "--test-threads=1",
    ]);
    child.env_remove("WAKESCOPE_SEED").env_remove("WAKESCOPE_SEEDS");
    for (name, value) in vars {
        child.env(name, value);
    }
    let out = child.output().expect("the test binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn tokio_test_honours_wakescope_seeds() {
    let mut losing = Vec::new();
    for seed in 0..100u64 {
        let mut sim = wakescope::Sim::new(wakescope::Config::seeded(seed));
        let counter = sim
            .block_on(async {
                let counter = Rc::new(Cell::new(0));
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..2 {
                    let counter = counter.clone();
                    set.spawn(async move {
                        let read = counter.get();
                        tokio::task::yield_now().await;
                        counter.set(read + 1);
                    });
                }
                while set.join_next().await.is_some() {}
                counter.get()
            })
            .unwrap();
        if counter != 2 {
            losing.push(seed);
        }
    }
    let first = *losing.first().expect("some seed in 0..100 loses an update");
    let (passed, text) = run_child(&[("WAKESCOPE_SEEDS", "0..100")]);
    assert!(!passed, "a sweep over 0..100 fails: {text}");
    assert!(
        text.contains(&format!("seed {first}")),
        "names the smallest failing seed {first}: {text}"
    );
    assert!(text.contains("an update was lost"), "has the message: {text}");
    assert!(
        text.contains(&format!("WAKESCOPE_SEED={first}")),
        "has the replay command: {text}"
    );
    let passing = (0..100)
        .find(|s| !losing.contains(s))
        .expect("some seed keeps both updates");
    let (passed, text) = run_child(&[("WAKESCOPE_SEED", &passing.to_string())]);
    assert!(passed, "seed {passing} alone passes: {text}");
}
