//! Plain `futures` combinators and primitives run correctly on the executor.

use std::time::Duration;

use futures::channel::{mpsc, oneshot};
use futures::{SinkExt, StreamExt};
use wakescope::{Config, Event, Sim, WakeSource, sleep, spawn};

#[test]
fn join_runs_branches_concurrently() {
    let mut sim = Sim::new(Config::seeded(4));
    let (a, b) = sim
        .block_on(async {
            futures::join!(
                async {
                    sleep(Duration::from_secs(3)).await;
                    "popcorn"
                },
                async {
                    sleep(Duration::from_secs(5)).await;
                    "boiler"
                }
            )
        })
        .unwrap();
    assert_eq!((a, b), ("popcorn", "boiler"));
    assert_eq!(sim.now(), Duration::from_secs(5));
}

#[test]
fn select_takes_the_first_and_drops_the_other() {
    let mut sim = Sim::new(Config::seeded(4));
    let winner = sim
        .block_on(async {
            futures::select! {
                _ = futures::FutureExt::fuse(sleep(Duration::from_secs(3))) => "short",
                _ = futures::FutureExt::fuse(sleep(Duration::from_secs(9))) => "long",
            }
        })
        .unwrap();
    assert_eq!(winner, "short");
    assert_eq!(sim.now(), Duration::from_secs(3));
    let cancelled = sim
        .trace()
        .iter()
        .filter(|r| matches!(r.event, Event::TimerCancelled { .. }))
        .count();
    assert_eq!(cancelled, 1, "the losing sleep's timer is cancelled when it is dropped");
}

#[test]
fn futures_channels_wake_the_receiver_from_the_sender() {
    let mut sim = Sim::new(Config::seeded(4));
    let got = sim
        .block_on(async {
            let (mut tx, mut rx) = mpsc::channel::<u32>(1);
            let (done_tx, done_rx) = oneshot::channel::<&str>();
            let _producer = spawn("producer", async move {
                for i in 0..5 {
                    sleep(Duration::from_millis(10)).await;
                    tx.send(i).await.unwrap();
                }
                done_tx.send("done").unwrap();
            });
            let mut got = Vec::new();
            while let Some(v) = rx.next().await {
                got.push(v);
            }
            (got, done_rx.await.unwrap())
        })
        .unwrap();
    assert_eq!(got, (vec![0, 1, 2, 3, 4], "done"));
    assert_eq!(sim.now(), Duration::from_millis(50));
    let trace = sim.trace();
    let by_producer = trace
        .iter()
        .filter(|r| matches!(r.event, Event::Woken { source: WakeSource::Task(t), .. } if trace.task(t).unwrap().name == "producer"))
        .count();
    assert!(
        by_producer >= 5,
        "each send wakes main, attributed to the producer ({by_producer})"
    );
}
