//! Same seed ⇒ same trace; different seeds ⇒ different interleavings.

mod support;

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Duration;

use wakescope::{Config, Policy, Sim, sleep, spawn, yield_now};

/// Three workers append their id to a shared log twice, yielding in between.
fn interleaving(seed: u64) -> (Vec<u32>, u64) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut sim = Sim::new(Config::seeded(seed));
    for w in 0..3u32 {
        let log = log.clone();
        let _worker = sim.spawn("worker", async move {
            for _ in 0..2 {
                log.borrow_mut().push(w);
                yield_now().await;
            }
        });
    }
    assert!(sim.run().is_completed(), "seed {seed}");
    support::check_invariants(&sim.trace(), &format!("interleaving seed {seed}")).unwrap();
    let fp = sim.trace().fingerprint();
    (log.take(), fp)
}

#[test]
fn the_same_seed_gives_the_same_trace_bit_for_bit() {
    for seed in [0, 1, 42, u64::MAX] {
        let (a_log, a_fp) = interleaving(seed);
        let (b_log, b_fp) = interleaving(seed);
        assert_eq!(a_log, b_log, "seed {seed}");
        assert_eq!(a_fp, b_fp, "seed {seed}");
    }
}

#[test]
fn over_a_thousand_seeds_a_racy_program_shows_many_interleavings() {
    let mut logs = BTreeSet::new();
    let mut fingerprints = BTreeSet::new();
    for seed in 0..1000 {
        let (log, fp) = interleaving(seed);
        logs.insert(log);
        fingerprints.insert(fp);
    }
    // 6!/(2!·2!·2!) = 90 orders of the six appends are possible; a thousand
    // seeds reach every one of them.
    assert_eq!(logs.len(), 90, "distinct orders of appends");
    // Schedules differ in more than the append order (when each worker's last
    // poll happens), so there are more distinct traces than orders.
    assert!(
        fingerprints.len() >= logs.len(),
        "{} traces for {} orders",
        fingerprints.len(),
        logs.len()
    );
}

#[test]
fn fifo_ignores_the_seed() {
    let run = |seed| {
        let mut sim = Sim::new(Config::seeded(seed).with_policy(Policy::Fifo));
        for name in ["a", "b", "c"] {
            let _t = sim.spawn(name, async { yield_now().await });
        }
        sim.run();
        sim.trace().fingerprint()
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn a_lost_update_appears_for_some_seeds_only() {
    let lost = |seed| {
        let counter = Rc::new(Cell::new(0u32));
        let mut sim = Sim::new(Config::seeded(seed));
        for _ in 0..2 {
            let counter = counter.clone();
            let _t = sim.spawn("incr", async move {
                let read = counter.get();
                yield_now().await;
                counter.set(read + 1);
            });
        }
        sim.run();
        counter.get() != 2
    };
    let losing: Vec<u64> = (0..64).filter(|s| lost(*s)).collect();
    assert!(!losing.is_empty() && losing.len() < 64, "losing seeds: {losing:?}");
}

#[test]
fn two_simulations_on_one_thread_do_not_disturb_each_other() {
    let solo = {
        let mut sim = Sim::new(Config::seeded(5));
        let _t = sim.spawn("t", async { sleep(Duration::from_secs(1)).await });
        sim.run();
        sim.trace().fingerprint()
    };
    let mut a = Sim::new(Config::seeded(5));
    let mut b = Sim::new(Config::seeded(9));
    let _ta = a.spawn("t", async { sleep(Duration::from_secs(1)).await });
    let _tb = b.spawn("other", async {
        sleep(Duration::from_millis(300)).await;
        let _nested = spawn("nested", sleep(Duration::from_secs(7)));
    });
    // Step them alternately.
    loop {
        let da = matches!(a.step(), wakescope::Step::Finished(_));
        let db = matches!(b.step(), wakescope::Step::Finished(_));
        if da && db {
            break;
        }
    }
    assert_eq!(a.trace().fingerprint(), solo);
    assert_eq!(a.now(), Duration::from_secs(1));
    assert_eq!(b.now(), Duration::from_millis(7300));
}

#[test]
fn user_randomness_is_seeded_and_does_not_shift_the_schedule() {
    let run = |seed, draws: u32| {
        let mut sim = Sim::new(Config::seeded(seed));
        let values = Rc::new(RefCell::new(Vec::new()));
        for name in ["a", "b", "c"] {
            let values = values.clone();
            let _t = sim.spawn(name, async move {
                for _ in 0..draws {
                    values.borrow_mut().push(wakescope::rng().below(1000));
                }
                yield_now().await;
            });
        }
        sim.run();
        let order: Vec<_> = sim
            .trace()
            .iter()
            .filter_map(|r| match r.event {
                wakescope::Event::PollStarted { task, .. } => Some(task),
                _ => None,
            })
            .collect();
        (order, values.take())
    };
    assert_eq!(run(3, 2), run(3, 2));
    assert_eq!(run(3, 0).0, run(3, 5).0, "user draws come from their own stream");
}

/// Seeds of the select-order test.
const SELECT_SEEDS: u64 = 200;

/// Which branch of `select` wins when both are ready at the first poll, with
/// or without one extra `rng()` draw in an unrelated task that runs first.
fn select_winners(seed: u64, extra_draw: bool) -> Vec<bool> {
    let winners = Rc::new(RefCell::new(Vec::new()));
    let w = winners.clone();
    let mut sim = Sim::new(Config::seeded(seed).with_policy(Policy::Fifo));
    let _unrelated = sim.spawn("unrelated", async move {
        if extra_draw {
            let _ = wakescope::rng().u64();
        }
    });
    let _selector = sim.spawn("selector", async move {
        for _ in 0..8 {
            let left = matches!(wakescope::select(async {}, async {}).await, wakescope::Either::Left(()));
            w.borrow_mut().push(left);
        }
    });
    assert!(sim.run().is_completed(), "seed {seed}");
    winners.take()
}

#[test]
fn an_extra_draw_from_the_user_rng_does_not_change_which_branch_select_polls_first() {
    let mut lefts = 0;
    for seed in 0..SELECT_SEEDS {
        let plain = select_winners(seed, false);
        assert_eq!(select_winners(seed, true), plain, "seed {seed}");
        lefts += plain.iter().filter(|l| **l).count();
    }
    // The order is still drawn: both branches win about as often.
    let total = 8 * SELECT_SEEDS as usize;
    assert!(
        (total * 2 / 5..=total * 3 / 5).contains(&lefts),
        "left won {lefts} of {total}"
    );
}
