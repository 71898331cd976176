// Ordinary tokio programs, written once against the paths `tokio::…`, and
// included twice by `main.rs`: once with `tokio` naming real tokio, once
// naming the facade. Each returns what it computed and the virtual time it
// took (ms), both independent of the order in which a fair scheduler runs
// ready tasks, so the two runs must agree.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Barrier, Mutex, Notify, RwLock, Semaphore, broadcast, mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep, timeout};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn since(start: Instant) -> u128 {
    start.elapsed().as_millis()
}

/// The article's three kitchen timers: concurrent, so 5 s, not 10 s.
pub async fn timers() -> (u64, u128) {
    let start = Instant::now();
    let mut handles = Vec::new();
    for secs in [3u64, 5, 2] {
        handles.push(tokio::spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            secs
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    (total, since(start))
}

/// Sleeps one after another add up.
pub async fn sequential_sleeps() -> (Vec<u128>, u128) {
    let start = Instant::now();
    let mut marks = Vec::new();
    for n in [100, 250, 50] {
        sleep(ms(n)).await;
        marks.push(since(start));
    }
    (marks, since(start))
}

/// A timeout that elapses, one that does not, and `timeout_at`.
pub async fn timeouts() -> (bool, Result<u8, ()>, bool, u128) {
    let start = Instant::now();
    let late = timeout(ms(100), sleep(ms(200))).await.is_err();
    let early = timeout(ms(100), async {
        sleep(ms(50)).await;
        7
    })
    .await
    .map_err(|_| ());
    let at = tokio::time::timeout_at(Instant::now() + ms(30), sleep(ms(60))).await.is_err();
    (late, early, at, since(start))
}

/// Interval ticks under each missed-tick behaviour, with two ticks missed.
pub async fn intervals() -> (Vec<Vec<u128>>, u128) {
    let start = Instant::now();
    let mut all = Vec::new();
    for behavior in [MissedTickBehavior::Burst, MissedTickBehavior::Delay, MissedTickBehavior::Skip] {
        let origin = Instant::now();
        let mut every = interval(ms(100));
        every.set_missed_tick_behavior(behavior);
        let mut seen = Vec::new();
        for i in 0..5 {
            let due = every.tick().await;
            seen.push((due - origin).as_millis());
            seen.push(since(origin));
            if i == 1 {
                sleep(ms(250)).await;
            }
        }
        all.push(seen);
    }
    (all, since(start))
}

/// `select!` between a oneshot and a timer, then the other way round.
pub async fn select_oneshot() -> (u8, &'static str, u128) {
    let start = Instant::now();
    let (tx, rx) = oneshot::channel();
    let _sender = tokio::spawn(async move {
        sleep(ms(20)).await;
        let _ = tx.send(7u8);
    });
    let got = tokio::select! {
        v = rx => v.unwrap(),
        _ = sleep(ms(100)) => 0,
    };
    let (_tx2, rx2) = oneshot::channel::<u8>();
    let second = tokio::select! {
        _ = rx2 => "value",
        _ = sleep(ms(30)) => "timer",
    };
    (got, second, since(start))
}

/// A bounded channel of two: the producer waits for room.
pub async fn mpsc_backpressure() -> (Vec<u32>, Vec<u128>, usize, u128) {
    let start = Instant::now();
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let max = tx.max_capacity();
    let producer = tokio::spawn(async move {
        let mut sent_at = Vec::new();
        for i in 0..5 {
            tx.send(i).await.unwrap();
            sent_at.push(since(start));
        }
        sent_at
    });
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
        sleep(ms(100)).await;
    }
    (got, producer.await.unwrap(), max, since(start))
}

/// Unbounded fan-in from five senders; the receiver ends when all are gone.
pub async fn unbounded_fan_in() -> (Vec<u64>, bool, u128) {
    let start = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    for id in 0..5u64 {
        let tx = tx.clone();
        let _sender = tokio::spawn(async move {
            sleep(ms(10 * (5 - id))).await;
            tx.send(id).unwrap();
        });
    }
    drop(tx);
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
    }
    let (closed_tx, closed_rx) = mpsc::unbounded_channel::<u8>();
    drop(closed_rx);
    (got, closed_tx.send(1).is_err(), since(start))
}

/// A mutex held across `.await` serialises the read-modify-write.
pub async fn mutex_across_await() -> (u32, u128) {
    let start = Instant::now();
    let counter = Arc::new(Mutex::new(0));
    let mut set = JoinSet::new();
    for _ in 0..4 {
        let counter = counter.clone();
        set.spawn(async move {
            let mut guard = counter.lock().await;
            let read = *guard;
            sleep(ms(10)).await;
            *guard = read + 1;
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
    let mut owned = counter.clone().lock_owned().await;
    *owned += 10;
    drop(owned);
    let total = *counter.lock().await;
    (total, since(start))
}

/// Two permits for six jobs: at most two run at once.
pub async fn semaphore_limit() -> (usize, bool, u128) {
    let start = Instant::now();
    let permits = Arc::new(Semaphore::new(2));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut set = JoinSet::new();
    for _ in 0..6 {
        let (permits, running, peak) = (permits.clone(), running.clone(), peak.clone());
        set.spawn(async move {
            let _permit = permits.acquire_owned().await.unwrap();
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            sleep(ms(100)).await;
            running.fetch_sub(1, Ordering::SeqCst);
        });
    }
    while set.join_next().await.is_some() {}
    permits.close();
    let closed = permits.acquire().await.is_err();
    (peak.load(Ordering::SeqCst), closed, since(start))
}

/// Workers tick until a `watch` says stop; the last one out tells main
/// through a `Notify`.
pub async fn graceful_shutdown() -> (Vec<u32>, bool, u128) {
    let start = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(false);
    let done = Arc::new(Notify::new());
    let running = Arc::new(AtomicUsize::new(3));
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
            if running.fetch_sub(1, Ordering::SeqCst) == 1 {
                done.notify_one();
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
    let seen = *stop_rx.borrow();
    (ticks, seen, since(start))
}

/// Every receiver gets every value; a slow one lags; then the channel closes.
#[allow(clippy::type_complexity)]
pub async fn broadcast_lag() -> (Vec<String>, Vec<String>, usize) {
    let (tx, mut a) = broadcast::channel(2);
    let mut b = tx.subscribe();
    let mut receivers = 0;
    for i in 0..3u32 {
        receivers = tx.send(i).unwrap();
    }
    let mut seen_a = Vec::new();
    for _ in 0..3 {
        seen_a.push(format!("{:?}", a.recv().await));
    }
    drop(tx);
    let mut seen_b = vec![format!("{:?}", b.try_recv())];
    for _ in 0..3 {
        seen_b.push(format!("{:?}", b.recv().await));
    }
    (seen_a, seen_b, receivers)
}

/// A capacity that is not a power of two.
pub async fn broadcast_capacity_three() -> Vec<String> {
    let (tx, mut rx) = broadcast::channel(3);
    for i in 0..5u32 {
        tx.send(i).unwrap();
    }
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(format!("{:?}", rx.try_recv()));
    }
    seen
}

/// A `JoinSet` yields in finishing order; abort gives a cancelled error.
pub async fn join_set_and_abort() -> (Vec<u64>, bool, bool, bool, u128) {
    let start = Instant::now();
    let mut set = JoinSet::new();
    for n in [3u64, 1, 2] {
        set.spawn(async move {
            sleep(ms(n * 100)).await;
            n
        });
    }
    let mut order = Vec::new();
    while let Some(r) = set.join_next().await {
        order.push(r.unwrap());
    }
    let slow = tokio::spawn(async { sleep(Duration::from_secs(60)).await });
    sleep(ms(10)).await;
    slow.abort();
    let err = slow.await.unwrap_err();
    let bad = tokio::spawn(async { panic!("boom") });
    let panicked = bad.await.unwrap_err().is_panic();
    (order, err.is_cancelled(), panicked, set.is_empty(), since(start))
}

/// Readers share, a writer waits for them and then excludes.
pub async fn rwlock() -> (Vec<u32>, u32, u128) {
    let start = Instant::now();
    let lock = Arc::new(RwLock::new(1));
    let mut readers = JoinSet::new();
    for _ in 0..3 {
        let lock = lock.clone();
        readers.spawn(async move {
            let r = lock.read().await;
            sleep(ms(100)).await;
            *r
        });
    }
    sleep(ms(1)).await;
    let writer = {
        let lock = lock.clone();
        tokio::spawn(async move {
            let mut w = lock.write().await;
            sleep(ms(50)).await;
            *w += 1;
        })
    };
    let mut read = Vec::new();
    while let Some(r) = readers.join_next().await {
        read.push(r.unwrap());
    }
    writer.await.unwrap();
    let value = *lock.read().await;
    (read, value, since(start))
}

/// Three tasks meet at a barrier: one leader, all released at the last arrival.
pub async fn barrier() -> (usize, Vec<u128>, u128) {
    let start = Instant::now();
    let barrier = Arc::new(Barrier::new(3));
    let mut set = JoinSet::new();
    for i in 0..3u64 {
        let barrier = barrier.clone();
        set.spawn(async move {
            sleep(ms(10 * (i + 1))).await;
            let leader = barrier.wait().await.is_leader();
            (leader, since(start))
        });
    }
    let mut leaders = 0;
    let mut released = Vec::new();
    while let Some(r) = set.join_next().await {
        let (leader, at) = r.unwrap();
        leaders += usize::from(leader);
        released.push(at);
    }
    (leaders, released, since(start))
}

/// `join!`, `try_join!` and `spawn_blocking`.
pub async fn joins_and_blocking() -> ((u8, u8), Result<(u8, u8), String>, u32, u128) {
    let start = Instant::now();
    let both = tokio::join!(
        async {
            sleep(ms(30)).await;
            1u8
        },
        async {
            sleep(ms(50)).await;
            2u8
        },
    );
    let failed: Result<(u8, u8), String> = tokio::try_join!(
        async {
            sleep(ms(10)).await;
            Err::<u8, String>("early".to_string())
        },
        async {
            sleep(ms(100)).await;
            Ok::<u8, String>(2)
        },
    );
    let blocking = tokio::task::spawn_blocking(|| 6 * 7).await.unwrap();
    (both, failed, blocking, since(start))
}

/// A `OnceCell` initialised by the first of three tasks; the others wait.
pub async fn once_cell() -> (Vec<u32>, usize, u128) {
    let start = Instant::now();
    let cell = Arc::new(tokio::sync::OnceCell::new());
    let inits = Arc::new(AtomicUsize::new(0));
    let mut set = JoinSet::new();
    for _ in 0..3 {
        let (cell, inits) = (cell.clone(), inits.clone());
        set.spawn(async move {
            *cell
                .get_or_init(|| async {
                    inits.fetch_add(1, Ordering::SeqCst);
                    sleep(ms(20)).await;
                    42u32
                })
                .await
        });
    }
    let mut values = Vec::new();
    while let Some(r) = set.join_next().await {
        values.push(r.unwrap());
    }
    (values, inits.load(Ordering::SeqCst), since(start))
}

/// Interval ticks a few milliseconds late: within tokio's tolerance the
/// schedule is kept whatever the missed-tick behaviour.
pub async fn intervals_slightly_late() -> Vec<Vec<u128>> {
    let mut all = Vec::new();
    for late in [3u64, 5, 6] {
        for behavior in [MissedTickBehavior::Delay, MissedTickBehavior::Skip] {
            let origin = Instant::now();
            let mut every = interval(ms(100));
            every.set_missed_tick_behavior(behavior);
            let mut seen = Vec::new();
            for i in 0..4 {
                let due = every.tick().await;
                seen.push((due - origin).as_millis());
                if i == 1 {
                    sleep(ms(100 + late)).await;
                }
            }
            all.push(seen);
        }
    }
    all
}

/// Channel edge cases: errors, lengths, capacities, closing.
pub async fn channel_edges() -> Vec<String> {
    let mut out = Vec::new();
    let (tx, mut rx) = mpsc::channel::<u8>(3);
    tx.send(1).await.unwrap();
    out.push(format!("capacity {} of {}", tx.capacity(), tx.max_capacity()));
    tx.try_send(2).unwrap();
    tx.try_send(3).unwrap();
    out.push(format!("full {:?}", tx.try_send(4).map_err(|e| matches!(e, mpsc::error::TrySendError::Full(4)))));
    out.push(format!("len {}", rx.len()));
    drop(tx);
    out.push(format!("{:?} {:?} {:?} {:?}", rx.recv().await, rx.recv().await, rx.recv().await, rx.recv().await));
    let (tx, rx) = mpsc::channel::<u8>(1);
    drop(rx);
    out.push(format!("closed {} {:?}", tx.is_closed(), tx.send(9).await.map_err(|e| e.0)));
    out.push(format!("try closed {:?}", tx.try_send(8).map_err(|e| matches!(e, mpsc::error::TrySendError::Closed(8)))));
    let (otx, orx) = oneshot::channel::<u8>();
    drop(orx);
    out.push(format!("oneshot {} {:?}", otx.is_closed(), otx.send(5)));
    let (wtx, wrx) = watch::channel(0);
    out.push(format!("watch {:?} {}", wrx.has_changed(), wrx.borrow().has_changed()));
    wtx.send(1).unwrap();
    let changed = (wrx.has_changed(), wrx.borrow().has_changed());
    out.push(format!("watch {changed:?} old {}", wtx.send_replace(2)));
    let mut wrx2 = wrx.clone();
    drop(wtx);
    out.push(format!("watch closed {:?} then {:?} {:?}", wrx.has_changed(), wrx2.changed().await, wrx2.changed().await));
    let (wtx, wrx) = watch::channel(0);
    drop(wrx);
    out.push(format!("watch no receiver {:?}", wtx.send(3).map_err(|e| e.0)));
    let (btx, mut brx) = broadcast::channel::<u8>(4);
    btx.send(1).unwrap();
    let mut late = btx.subscribe();
    btx.send(2).unwrap();
    out.push(format!("broadcast {:?} {:?} {:?} len {} {}", brx.try_recv(), late.try_recv(), late.try_recv(), brx.len(), btx.len()));
    drop((brx, late));
    out.push(format!("broadcast no receiver {:?}", btx.send(3).map_err(|e| e.0)));
    out
}

/// Timer and task edge cases: zero timeouts, zero sleeps, empty sets.
pub async fn timer_and_task_edges() -> (Vec<String>, u128) {
    let start = Instant::now();
    let mut out = Vec::new();
    out.push(format!("{:?}", timeout(Duration::ZERO, async { 5 }).await.map_err(|_| "elapsed")));
    out.push(format!("{:?}", timeout(Duration::ZERO, sleep(ms(1))).await.map_err(|_| "elapsed")));
    sleep(Duration::ZERO).await;
    out.push(format!("after zero sleep {}", since(start)));
    let deadline = Instant::now() + ms(40);
    tokio::time::sleep_until(deadline).await;
    out.push(format!("sleep_until {}", since(start)));
    tokio::time::sleep_until(deadline - ms(20)).await;
    out.push(format!("past deadline {}", since(start)));
    let mut set: JoinSet<u8> = JoinSet::new();
    out.push(format!("empty {:?} {}", set.join_next().await.map(|r| r.is_ok()), set.len()));
    for _ in 0..3 {
        set.spawn(async {
            sleep(ms(500)).await;
            1
        });
    }
    set.abort_all();
    let mut cancelled = 0;
    while let Some(r) = set.join_next().await {
        cancelled += usize::from(r.unwrap_err().is_cancelled());
    }
    out.push(format!("cancelled {cancelled}"));
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one();
    notify.notified().await;
    let second = timeout(ms(10), notify.notified()).await.is_err();
    notify.notify_waiters();
    let after_waiters = timeout(ms(10), notify.notified()).await.is_err();
    out.push(format!("one permit only {second}, notify_waiters stores none {after_waiters}"));
    let barrier = Barrier::new(1);
    out.push(format!("barrier of one {} {}", barrier.wait().await.is_leader(), barrier.wait().await.is_leader()));
    let picked = tokio::select! {
        _ = sleep(ms(1)), if false => "disabled",
        else => "else",
    };
    out.push(picked.to_string());
    (out, since(start))
}

/// A forgotten permit is gone for good.
pub async fn semaphore_forget() -> (usize, usize, bool) {
    let permits = Arc::new(Semaphore::new(3));
    permits.acquire().await.unwrap().forget();
    permits.clone().acquire_owned().await.unwrap().forget();
    let after = permits.available_permits();
    let held = permits.try_acquire().unwrap();
    let none_left = permits.try_acquire().is_err();
    drop(held);
    (after, permits.available_permits(), none_left)
}

/// Waiters get a mutex, a semaphore's permit and a lock in arrival order;
/// a reader arriving behind a waiting writer waits for it.
pub async fn fairness() -> (Vec<(u64, u128)>, Vec<(u64, u128)>, Vec<(&'static str, u128)>) {
    let start = Instant::now();
    let mutex = Arc::new(Mutex::new(Vec::new()));
    let held = mutex.clone().lock_owned().await;
    let mut set = JoinSet::new();
    for id in 0..3u64 {
        let mutex = mutex.clone();
        set.spawn(async move {
            sleep(ms(id + 1)).await;
            let mut order = mutex.lock().await;
            order.push((id, since(start)));
            sleep(ms(5)).await;
        });
    }
    sleep(ms(10)).await;
    drop(held);
    while set.join_next().await.is_some() {}
    let mutex_order = mutex.lock().await.clone();

    let start = Instant::now();
    let permits = Arc::new(Semaphore::new(1));
    let order = Arc::new(Mutex::new(Vec::new()));
    let first = permits.clone().acquire_owned().await.unwrap();
    for id in 0..3u64 {
        let (permits, order) = (permits.clone(), order.clone());
        set.spawn(async move {
            sleep(ms(id + 1)).await;
            let _permit = permits.acquire().await.unwrap();
            order.lock().await.push((id, since(start)));
            sleep(ms(5)).await;
        });
    }
    sleep(ms(10)).await;
    drop(first);
    while set.join_next().await.is_some() {}
    let permit_order = order.lock().await.clone();

    let start = Instant::now();
    let lock = Arc::new(RwLock::new(()));
    let log = Arc::new(Mutex::new(Vec::new()));
    let first_reader = lock.clone();
    let reader = first_reader.read().await;
    let mut tasks = JoinSet::new();
    {
        let (lock, log) = (lock.clone(), log.clone());
        tasks.spawn(async move {
            sleep(ms(1)).await;
            let _w = lock.write().await;
            log.lock().await.push(("writer", since(start)));
            sleep(ms(5)).await;
        });
    }
    {
        let (lock, log) = (lock.clone(), log.clone());
        tasks.spawn(async move {
            sleep(ms(2)).await;
            let _r = lock.read().await;
            log.lock().await.push(("late reader", since(start)));
        });
    }
    sleep(ms(10)).await;
    drop(reader);
    while tasks.join_next().await.is_some() {}
    let lock_order = log.lock().await.clone();
    (mutex_order, permit_order, lock_order)
}
