//! `runtime::{Runtime, Builder}` and `task::LocalSet`, used from plain code
//! as tokio programs use them.

use std::time::Duration;

use wakescope_tokio as tokio;

use tokio::runtime::{Builder, Runtime};
use tokio::task::LocalSet;
use tokio::time::{Instant, sleep};

#[test]
fn block_on_runs_on_the_virtual_clock() {
    let rt = Runtime::new().unwrap();
    let took = rt.block_on(async {
        let start = Instant::now();
        sleep(Duration::from_secs(2)).await;
        start.elapsed()
    });
    assert_eq!(took, Duration::from_secs(2));
}

#[test]
fn tasks_spawned_on_the_runtime_run_in_the_next_block_on() {
    let rt = Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .seed(3)
        .build()
        .unwrap();
    let early = rt.spawn(async {
        sleep(Duration::from_secs(1)).await;
        5
    });
    let (value, at) = rt.block_on(async move {
        let value = early.await.unwrap();
        (value, Instant::now().since_start())
    });
    assert_eq!((value, at), (5, Duration::from_secs(1)));
    let later = rt.block_on(async { Instant::now().since_start() });
    assert_eq!(
        later,
        Duration::from_secs(1),
        "the clock carries over between block_on calls"
    );
}

#[test]
fn local_set_runs_its_tasks_beside_run_until() {
    let rt = Runtime::new().unwrap();
    let local = LocalSet::new();
    let out = local.block_on(&rt, async {
        let local = LocalSet::new();
        local
            .run_until(async {
                let rc = std::rc::Rc::new(21);
                let task = tokio::task::spawn_local(async move { *rc * 2 });
                task.await.unwrap()
            })
            .await
    });
    assert_eq!(out, 42);
}

#[test]
fn a_deadlocked_block_on_panics_naming_the_seed() {
    let rt = Builder::new_multi_thread().worker_threads(4).seed(9).build().unwrap();
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let (_tx, rx) = tokio::sync::oneshot::channel::<u8>();
            let (tx2, rx2) = tokio::sync::oneshot::channel::<u8>();
            let _keep = (tx2, rx2);
            rx.await
        })
    }))
    .expect_err("main waits forever on a oneshot whose sender it holds");
    let text = failure.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.starts_with("seed 9: "), "{text}");
    assert!(text.contains("deadlock"), "{text}");
    assert!(text.contains("WAKESCOPE_SEED=9"), "{text}");
}
