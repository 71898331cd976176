//! The conformance suite: each program of `programs.rs` runs on real tokio
//! (current_thread, paused clock) and on the facade under several seeds;
//! the results — values and virtual times — must be equal, and under the
//! facade two runs of one seed must leave the same trace fingerprint.

use std::future::Future;

/// The programs with `tokio` naming real tokio.
mod real {
    use real_tokio as tokio;
    include!("programs.rs");
}

/// The same programs with `tokio` naming the facade (whose primitives are
/// `!Sync`: an `Arc` of one is fine on the simulation's one thread).
#[allow(clippy::arc_with_non_send_sync)]
mod sim {
    use wakescope_tokio as tokio;
    include!("programs.rs");
}

/// Seeds each program runs under on the facade.
const SEEDS: std::ops::Range<u64> = 0..16;

/// Virtual time after which a program on real tokio counts as stuck: tokio
/// has no deadlock report, but its paused clock jumps to this deadline when
/// every task waits, so a stuck program fails instead of hanging.
const TOKIO_STUCK_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Runs `program` on real tokio, as `#[tokio::test(start_paused = true)]` would.
fn on_tokio<F: Future>(program: F) -> F::Output {
    real_tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current_thread runtime")
        .block_on(async move { real_tokio::time::timeout(TOKIO_STUCK_AFTER, program).await })
        .expect("the program is stuck on real tokio: every task waits and no timer is due")
}

/// Runs `program` on the facade with `seed`; returns its output and the
/// run's trace fingerprint.
fn on_facade<F: Future + 'static>(seed: u64, program: impl FnOnce() -> F) -> (F::Output, u64) {
    let mut sim = wakescope::Sim::new(wakescope::Config::seeded(seed));
    let out = sim
        .block_on(program())
        .unwrap_or_else(|e| panic!("seed {seed}: the facade's run failed: {e}"));
    (out, sim.fingerprint())
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let expected = on_tokio(real::$name());
            for seed in SEEDS {
                let (first, fingerprint) = on_facade(seed, sim::$name);
                assert_eq!(first, expected, "seed {seed}: {} differs from tokio", stringify!($name));
                let (_, again) = on_facade(seed, sim::$name);
                assert_eq!(
                    fingerprint, again,
                    "seed {seed}: {} left two fingerprints for one seed",
                    stringify!($name)
                );
            }
        }
    )*};
}

conformance!(
    timers,
    sequential_sleeps,
    timeouts,
    intervals,
    select_oneshot,
    mpsc_backpressure,
    unbounded_fan_in,
    mutex_across_await,
    semaphore_limit,
    graceful_shutdown,
    broadcast_lag,
    broadcast_capacity_three,
    join_set_and_abort,
    rwlock,
    barrier,
    joins_and_blocking,
    once_cell,
    intervals_slightly_late,
    channel_edges,
    timer_and_task_edges,
    semaphore_forget,
    fairness,
);

/// The programs really run: a few of tokio's results, spelt out.
#[test]
fn tokio_gives_the_expected_values() {
    assert_eq!(on_tokio(real::timers()), (10, 5000));
    assert_eq!(on_tokio(real::sequential_sleeps()), (vec![100, 350, 400], 400));
    assert_eq!(on_tokio(real::mutex_across_await()), (14, 40));
    assert_eq!(on_tokio(real::semaphore_limit()), (2, true, 300));
    // Each behaviour: (due, fired) per tick, two ticks missed after the second.
    let (ticks, _) = on_tokio(real::intervals());
    assert_eq!(ticks[0], [0, 0, 100, 100, 200, 350, 300, 350, 400, 400], "Burst");
    assert_eq!(ticks[1], [0, 0, 100, 100, 200, 350, 450, 450, 550, 550], "Delay");
    assert_eq!(ticks[2], [0, 0, 100, 100, 200, 350, 400, 400, 500, 500], "Skip");
    // A capacity of 3 keeps 4 values: 5 sent, 1 lost.
    assert_eq!(
        on_tokio(real::broadcast_capacity_three()),
        ["Err(Lagged(1))", "Ok(1)", "Ok(2)", "Ok(3)"]
    );
    assert_eq!(
        on_tokio(real::mpsc_backpressure()),
        (vec![0, 1, 2, 3, 4], vec![0, 0, 0, 100, 200], 2, 500)
    );
    assert_eq!(on_tokio(real::graceful_shutdown()), (vec![2, 2, 2], true, 100));
    assert_eq!(
        on_tokio(real::fairness()),
        (
            vec![(0, 10), (1, 15), (2, 20)],
            vec![(0, 10), (1, 15), (2, 20)],
            vec![("writer", 10), ("late reader", 15)]
        ),
        "arrival order; the late reader waits behind the writer"
    );
}
