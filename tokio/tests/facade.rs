//! The facade's paths behave like tokio's, on the virtual clock: values,
//! virtual elapsed times and error kinds, each run under a few seeds.

// tokio code shares primitives through `Arc`; on the simulation's one
// thread an `Arc` of a `!Sync` value is fine.
#![allow(clippy::arc_with_non_send_sync)]

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use wakescope::{Config, Sim};
use wakescope_tokio as tokio;

use tokio::sync::{Barrier, Mutex, Notify, RwLock, Semaphore, broadcast, mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep, timeout};

/// Seeds every test runs under.
const SEEDS: std::ops::Range<u64> = 0..8;

/// Runs `program` as the main task of a run seeded with `seed`; returns its
/// output and the virtual time the run took.
fn run<T: 'static, F: Future<Output = T> + 'static>(seed: u64, program: impl FnOnce() -> F) -> (T, Duration) {
    let mut sim = Sim::new(Config::seeded(seed));
    let out = sim
        .block_on(program())
        .unwrap_or_else(|e| panic!("seed {seed}: the run failed: {e}"));
    (out, sim.now())
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn spawned_sleeps_overlap_and_join_gives_their_outputs() {
    for seed in SEEDS {
        let (sum, took) = run(seed, || async {
            let a = tokio::spawn(async {
                sleep(ms(300)).await;
                3
            });
            let b = tokio::task::spawn_local(async {
                sleep(ms(500)).await;
                5
            });
            a.await.unwrap() + b.await.unwrap()
        });
        assert_eq!(sum, 8, "seed {seed}");
        assert_eq!(took, ms(500), "seed {seed}");
    }
}

#[test]
fn abort_gives_a_cancelled_join_error_and_panics_a_panic_one() {
    for seed in SEEDS {
        let ((cancelled, panicked, finished), took) = run(seed, || async {
            let slow = tokio::spawn(async { sleep(Duration::from_secs(60)).await });
            let abort = slow.abort_handle();
            sleep(ms(10)).await;
            abort.abort();
            let cancelled = slow.await.unwrap_err();
            let bad = tokio::spawn(async { panic!("boom") });
            let panicked = bad.await.unwrap_err();
            (cancelled.is_cancelled(), panicked.is_panic(), abort.is_finished())
        });
        assert_eq!((cancelled, panicked, finished), (true, true, true), "seed {seed}");
        assert_eq!(took, ms(10), "seed {seed}");
    }
}

#[test]
fn join_set_yields_in_finishing_order_and_aborts_on_drop() {
    for seed in SEEDS {
        let ((order, len_before, empty_after, stopped), took) = run(seed, || async {
            let mut set = JoinSet::new();
            for n in [3u64, 1, 2] {
                set.spawn(async move {
                    sleep(ms(n * 100)).await;
                    n
                });
            }
            let len_before = set.len();
            let mut order = Vec::new();
            while let Some(r) = set.join_next().await {
                order.push(r.unwrap());
            }
            let mut doomed = JoinSet::new();
            let handle = doomed.spawn(async { sleep(Duration::from_secs(60)).await });
            drop(doomed);
            tokio::task::yield_now().await;
            (order, len_before, set.is_empty(), handle.is_finished())
        });
        assert_eq!(order, vec![1, 2, 3], "seed {seed}");
        assert_eq!((len_before, empty_after, stopped), (3, true, true), "seed {seed}");
        assert_eq!(took, ms(300), "seed {seed}");
    }
}

#[test]
fn spawn_blocking_returns_the_closures_value_charging_its_cost() {
    let ((free, costly), took) = run(1, || async {
        let free = tokio::task::spawn_blocking(|| 6 * 7).await.unwrap();
        let costly = tokio::task::spawn_blocking_for(ms(40), || "done").await.unwrap();
        (free, costly)
    });
    assert_eq!((free, costly), (42, "done"));
    assert_eq!(took, ms(40));
}

#[test]
fn timeout_elapses_or_passes_the_value_through() {
    for seed in SEEDS {
        let ((late, early), took) = run(seed, || async {
            let late = timeout(ms(100), sleep(ms(200))).await;
            let early = timeout(ms(100), async {
                sleep(ms(50)).await;
                7
            })
            .await;
            (late.is_err(), early)
        });
        assert!(late, "seed {seed}");
        assert_eq!(early, Ok(7), "seed {seed}");
        assert_eq!(took, ms(150), "seed {seed}");
    }
}

#[test]
fn interval_ticks_at_once_then_every_period_and_makes_up_missed_ticks() {
    let ((burst, delay, skip), _) = run(3, || async {
        let mut ticks = Vec::new();
        for behavior in [
            MissedTickBehavior::Burst,
            MissedTickBehavior::Delay,
            MissedTickBehavior::Skip,
        ] {
            let start = Instant::now();
            let mut every = interval(ms(100));
            every.set_missed_tick_behavior(behavior);
            let mut seen = Vec::new();
            for i in 0..4 {
                let due = every.tick().await;
                seen.push((due - start).as_millis() as u64);
                if i == 1 {
                    sleep(ms(250)).await; // misses the ticks due at 200 and 300
                }
            }
            ticks.push(seen);
        }
        (ticks[0].clone(), ticks[1].clone(), ticks[2].clone())
    });
    assert_eq!(burst, vec![0, 100, 200, 300]);
    assert_eq!(delay, vec![0, 100, 200, 450], "the late tick is the one due at 200");
    assert_eq!(
        skip,
        vec![0, 100, 200, 400],
        "after the late tick, the one due at 300 is skipped"
    );
}

#[test]
fn sleep_reports_its_deadline_and_reset_moves_it() {
    let ((elapsed_before, at), took) = run(0, || async {
        let start = Instant::now();
        let mut nap = Box::pin(sleep(ms(500)));
        let elapsed_before = nap.is_elapsed();
        nap.as_mut().reset(start + ms(200));
        nap.as_mut().await;
        (elapsed_before, nap.deadline() - start)
    });
    assert_eq!((elapsed_before, at), (false, ms(200)));
    assert_eq!(took, ms(200));
}

#[test]
fn bounded_mpsc_makes_the_sender_wait_for_room() {
    for seed in SEEDS {
        let ((got, sent_at), took) = run(seed, || async {
            let (tx, mut rx) = mpsc::channel::<u32>(2);
            assert_eq!(tx.max_capacity(), 2);
            let producer = tokio::spawn(async move {
                let mut sent_at = Vec::new();
                for i in 0..4 {
                    tx.send(i).await.unwrap();
                    sent_at.push(Instant::now().since_start().as_millis() as u64);
                }
                sent_at
            });
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
                sleep(ms(100)).await;
            }
            (got, producer.await.unwrap())
        });
        assert_eq!(got, vec![0, 1, 2, 3], "seed {seed}");
        assert_eq!(
            sent_at,
            vec![0, 0, 0, 100],
            "seed {seed}: 0 is taken at once, making room for 2"
        );
        assert_eq!(took, ms(400), "seed {seed}");
    }
}

#[test]
fn mpsc_errors_name_full_closed_empty_and_disconnected() {
    let (kinds, _) = run(0, || async {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        let empty = rx.try_recv();
        tx.try_send(1).unwrap();
        let full = matches!(tx.try_send(2), Err(mpsc::error::TrySendError::Full(2)));
        assert_eq!(rx.try_recv(), Ok(1));
        drop(tx);
        let disconnected = rx.try_recv();
        let (utx, urx) = mpsc::unbounded_channel::<u8>();
        drop(urx);
        let closed = utx.send(9).map_err(|e| e.0);
        (empty, full, disconnected, closed)
    });
    assert_eq!(
        kinds,
        (
            Err(mpsc::error::TryRecvError::Empty),
            true,
            Err(mpsc::error::TryRecvError::Disconnected),
            Err(9)
        )
    );
}

#[test]
fn unbounded_mpsc_fans_in_from_many_senders() {
    for seed in SEEDS {
        let (mut got, took) = run(seed, || async {
            let (tx, mut rx) = mpsc::unbounded_channel();
            for id in 0..5u64 {
                let tx = tx.clone();
                let _sender = tokio::spawn(async move {
                    sleep(ms(10 * id)).await;
                    tx.send(id).unwrap();
                });
            }
            drop(tx);
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        got.sort();
        assert_eq!(got, vec![0, 1, 2, 3, 4], "seed {seed}");
        assert_eq!(took, ms(40), "seed {seed}");
    }
}

#[test]
fn oneshot_delivers_once_or_reports_the_dropped_sender() {
    let ((value, dropped), took) = run(0, || async {
        let (tx, rx) = oneshot::channel();
        let _sender = tokio::spawn(async move {
            sleep(ms(30)).await;
            tx.send("hi").unwrap();
        });
        let value = rx.await;
        let (tx2, rx2) = oneshot::channel::<u8>();
        drop(tx2);
        (value, rx2.await)
    });
    assert_eq!(value, Ok("hi"));
    assert!(dropped.is_err());
    assert_eq!(took, ms(30));
}

#[test]
fn mutex_held_across_await_serialises_the_holders() {
    for seed in SEEDS {
        let ((total, owned), took) = run(seed, || async {
            let counter = Arc::new(Mutex::new(0));
            let mut set = JoinSet::new();
            for _ in 0..3 {
                let counter = counter.clone();
                set.spawn(async move {
                    let mut guard = counter.lock().await;
                    let read = *guard;
                    sleep(ms(10)).await;
                    *guard = read + 1;
                });
            }
            while set.join_next().await.is_some() {}
            let mut owned = counter.clone().lock_owned().await;
            *owned += 10;
            let busy = counter.try_lock().is_err();
            drop(owned);
            (*counter.lock().await, busy)
        });
        assert_eq!((total, owned), (13, true), "seed {seed}");
        assert_eq!(took, ms(30), "seed {seed}");
    }
}

#[test]
fn rwlock_lets_readers_share_and_writers_exclude() {
    for seed in SEEDS {
        let (value, took) = run(seed, || async {
            let lock = Rc::new(RwLock::new(1));
            let mut set = JoinSet::new();
            for _ in 0..3 {
                let lock = lock.clone();
                set.spawn(async move {
                    let r = lock.read().await;
                    sleep(ms(100)).await;
                    *r
                });
            }
            sleep(ms(1)).await; // the readers are in
            let writer = {
                let lock = lock.clone();
                tokio::spawn(async move {
                    let mut w = lock.write().await;
                    sleep(ms(50)).await;
                    *w += 1;
                })
            };
            while let Some(r) = set.join_next().await {
                assert_eq!(r.unwrap(), 1);
            }
            writer.await.unwrap();
            let read = lock.try_read().map(|r| *r);
            read.unwrap()
        });
        assert_eq!(value, 2, "seed {seed}");
        assert_eq!(
            took,
            ms(150),
            "seed {seed}: three readers share 100 ms, then the writer 50 ms"
        );
    }
}

#[test]
fn semaphore_limits_concurrency_and_closing_fails_waiters() {
    for seed in SEEDS {
        let ((peak, closed, no_permits), took) = run(seed, || async {
            let permits = Arc::new(Semaphore::new(2));
            let running = Rc::new(std::cell::Cell::new(0));
            let peak = Rc::new(std::cell::Cell::new(0));
            let mut set = JoinSet::new();
            for _ in 0..6 {
                let (permits, running, peak) = (permits.clone(), running.clone(), peak.clone());
                set.spawn(async move {
                    let _permit = permits.acquire_owned().await.unwrap();
                    running.set(running.get() + 1);
                    peak.set(peak.get().max(running.get()));
                    sleep(ms(100)).await;
                    running.set(running.get() - 1);
                });
            }
            while set.join_next().await.is_some() {}
            let held = permits.try_acquire().unwrap();
            let second = permits.try_acquire().unwrap();
            let none = permits.try_acquire().unwrap_err();
            drop((held, second));
            permits.close();
            (peak.get(), permits.acquire().await.is_err(), none)
        });
        assert_eq!((peak, closed), (2, true), "seed {seed}");
        assert_eq!(no_permits, tokio::sync::TryAcquireError::NoPermits, "seed {seed}");
        assert_eq!(took, ms(300), "seed {seed}");
    }
}

#[test]
fn watch_and_notify_shut_workers_down_gracefully() {
    for seed in SEEDS {
        let ((ticks, seen), took) = run(seed, || async {
            let (stop_tx, stop_rx) = watch::channel(false);
            let done = Rc::new(Notify::new());
            let running = Rc::new(std::cell::Cell::new(3));
            let mut workers = Vec::new();
            for _ in 0..3 {
                let mut stop = stop_rx.clone();
                let (done, running) = (done.clone(), running.clone());
                workers.push(tokio::spawn(async move {
                    let mut ticks = 0;
                    loop {
                        tokio::select! {
                            _ = stop.changed() => break,
                            _ = sleep(ms(40)) => ticks += 1,
                        }
                    }
                    running.set(running.get() - 1);
                    if running.get() == 0 {
                        done.notify_one(); // the last one out; stored if main is not waiting yet
                    }
                    ticks
                }));
            }
            sleep(ms(100)).await;
            stop_tx.send(true).unwrap();
            done.notified().await;
            let mut ticks = Vec::new();
            for w in workers {
                ticks.push(w.await.unwrap());
            }
            (ticks, *stop_rx.borrow())
        });
        assert_eq!((ticks, seen), (vec![2, 2, 2], true), "seed {seed}");
        assert_eq!(took, ms(100), "seed {seed}");
    }
}

#[test]
fn watch_changed_fails_once_the_sender_is_gone() {
    let (result, _) = run(0, || async {
        let (tx, mut rx) = watch::channel(1);
        tx.send_modify(|v| *v += 1);
        let first = rx.changed().await.is_ok();
        let value = *rx.borrow_and_update();
        drop(tx);
        (first, value, rx.changed().await.is_err())
    });
    assert_eq!(result, (true, 2, true));
}

#[test]
fn broadcast_reaches_every_receiver_and_reports_lag_then_close() {
    let (result, _) = run(5, || async {
        let (tx, mut a) = broadcast::channel(2);
        let mut b = tx.subscribe();
        for i in 0..3 {
            assert_eq!(tx.send(i).unwrap(), 2);
        }
        let lagged = a.recv().await;
        let after_lag = (a.recv().await, a.recv().await);
        let b_first = b.try_recv();
        drop(tx);
        let b_rest = (b.recv().await, b.recv().await, b.recv().await);
        (lagged, after_lag, b_first, b_rest)
    });
    use broadcast::error::{RecvError, TryRecvError};
    assert_eq!(
        result,
        (
            Err(RecvError::Lagged(1)),
            (Ok(1), Ok(2)),
            Err(TryRecvError::Lagged(1)),
            (Ok(1), Ok(2), Err(RecvError::Closed))
        )
    );
}

#[test]
fn barrier_releases_all_at_the_last_arrival_with_one_leader() {
    for seed in SEEDS {
        let ((leaders, released_at), took) = run(seed, || async {
            let barrier = Rc::new(Barrier::new(3));
            let mut set = JoinSet::new();
            for i in 0..3u64 {
                let barrier = barrier.clone();
                set.spawn(async move {
                    sleep(ms(10 * (i + 1))).await;
                    let leader = barrier.wait().await.is_leader();
                    (leader, Instant::now().since_start())
                });
            }
            let mut leaders = 0;
            let mut released_at = Vec::new();
            while let Some(r) = set.join_next().await {
                let (leader, at) = r.unwrap();
                leaders += usize::from(leader);
                released_at.push(at);
            }
            (leaders, released_at)
        });
        assert_eq!(leaders, 1, "seed {seed}");
        assert_eq!(released_at, vec![ms(30); 3], "seed {seed}");
        assert_eq!(took, ms(30), "seed {seed}");
    }
}

#[test]
fn once_cell_initialises_once_while_others_wait() {
    for seed in SEEDS {
        let ((values, inits, set_again), took) = run(seed, || async {
            let cell = Rc::new(tokio::sync::OnceCell::new());
            let inits = Rc::new(std::cell::Cell::new(0));
            let mut set = JoinSet::new();
            for i in 0..3u32 {
                let (cell, inits) = (cell.clone(), inits.clone());
                set.spawn(async move {
                    *cell
                        .get_or_init(|| async {
                            inits.set(inits.get() + 1);
                            sleep(ms(20)).await;
                            10 + i
                        })
                        .await
                });
            }
            let mut values = Vec::new();
            while let Some(r) = set.join_next().await {
                values.push(r.unwrap());
            }
            let again = matches!(cell.set(1), Err(tokio::sync::SetError::AlreadyInitializedError(1)));
            (values, inits.get(), again)
        });
        assert_eq!(inits, 1, "seed {seed}: one initialiser ran");
        assert!(
            values.iter().all(|v| *v == values[0]),
            "seed {seed}: all saw one value: {values:?}"
        );
        assert!(set_again, "seed {seed}");
        assert_eq!(took, ms(20), "seed {seed}");
    }
}

#[test]
fn mutex_into_inner_and_get_mut_need_no_lock() {
    let (value, _) = run(0, || async {
        let mut m = Mutex::new(vec![1]);
        m.get_mut().push(2);
        m.lock().await.push(3);
        m.into_inner()
    });
    assert_eq!(value, vec![1, 2, 3]);
}

#[test]
fn every_primitive_is_a_named_resource_of_the_trace() {
    let mut sim = Sim::new(Config::seeded(4));
    sim.block_on(async {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        tx.send(1).await.unwrap();
        rx.recv().await.unwrap();
        let (utx, mut urx) = mpsc::unbounded_channel::<u8>();
        utx.send(1).unwrap();
        urx.recv().await.unwrap();
        let (otx, orx) = oneshot::channel::<u8>();
        otx.send(1).unwrap();
        orx.await.unwrap();
        drop(Mutex::new(0).lock().await);
        drop(RwLock::new(0).write().await);
        drop(Semaphore::new(1).acquire().await.unwrap());
        let notify = Notify::new();
        notify.notify_one();
        notify.notified().await;
        let (wtx, _wrx) = watch::channel(0);
        wtx.send(1).unwrap();
        let (btx, _brx) = broadcast::channel::<u8>(1);
        btx.send(1).unwrap();
        Barrier::new(1).wait().await;
        tokio::sync::OnceCell::new().get_or_init(|| async { 1 }).await;
    })
    .unwrap();
    let trace = sim.trace();
    let mut names: Vec<String> = (0..trace.resource_count() as u32)
        .map(|i| trace.resource(wakescope::ResourceId(i)).unwrap().name.to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "barrier",
            "broadcast",
            "mpsc",
            "mpsc unbounded",
            "mutex",
            "notify",
            "once cell",
            "oneshot",
            "rwlock",
            "rwlock readers",
            "semaphore",
            "watch"
        ]
    );
}

#[test]
fn task_ids_name_the_tasks() {
    let ((inside, handle_id, distinct), _) = run(2, || async {
        let child = tokio::spawn(async { tokio::task::id() });
        let handle_id = child.id();
        let inside = child.await.unwrap();
        (inside, handle_id, tokio::task::id() != handle_id)
    });
    assert_eq!(inside, handle_id);
    assert!(distinct, "main and the child have different ids");
    assert_eq!(tokio::task::try_id(), None, "outside a task");
}
