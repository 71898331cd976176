//! Property tests: random seeds × random small programs. Every trace obeys
//! the invariants, the clock ends where the program's arithmetic says, and
//! the same seed replays the same trace.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use proptest::prelude::*;
use wakescope::{Config, Policy, Sim, sleep, spawn, timeout, yield_now};

/// One step of a task's script.
#[derive(Clone, Debug)]
enum Op {
    Sleep(u64),
    Yield,
    /// `timeout(limit, sleep(inner))`.
    Timeout {
        inner: u64,
        limit: u64,
    },
    /// Spawn a child running these ops and join it.
    SpawnJoin(Vec<Op>),
    /// Spawn a sleeping child and abort it right away.
    SpawnAbort(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let leaf = prop_oneof![
        (0u64..50).prop_map(Op::Sleep),
        Just(Op::Yield),
        (0u64..50, 0u64..50).prop_map(|(inner, limit)| Op::Timeout { inner, limit }),
        (1u64..50).prop_map(Op::SpawnAbort),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(Op::SpawnJoin)
    })
}

/// Virtual milliseconds a script takes.
fn duration_ms(ops: &[Op]) -> u64 {
    ops.iter()
        .map(|op| match op {
            Op::Sleep(ms) => *ms,
            Op::Yield | Op::SpawnAbort(_) => 0,
            Op::Timeout { inner, limit } => (*inner).min(*limit),
            Op::SpawnJoin(child) => duration_ms(child),
        })
        .sum()
}

fn run_ops(ops: Vec<Op>) -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {
        for op in ops {
            match op {
                Op::Sleep(ms) => sleep(Duration::from_millis(ms)).await,
                Op::Yield => yield_now().await,
                Op::Timeout { inner, limit } => {
                    let r = timeout(Duration::from_millis(limit), sleep(Duration::from_millis(inner))).await;
                    assert_eq!(r.is_ok(), inner <= limit, "timeout({limit} ms, sleep({inner} ms))");
                }
                Op::SpawnJoin(child) => spawn("child", run_ops(child)).await.expect("children do not fail"),
                Op::SpawnAbort(ms) => {
                    let h = spawn("doomed", sleep(Duration::from_millis(ms)));
                    h.abort();
                    assert!(h.await.unwrap_err().is_cancelled());
                }
            }
        }
    })
}

fn simulate(seed: u64, policy: Policy, tasks: &[Vec<Op>]) -> Sim {
    let mut sim = Sim::new(Config::seeded(seed).with_policy(policy));
    for ops in tasks {
        let _t = sim.spawn("task", run_ops(ops.clone()));
    }
    sim
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn traces_obey_the_invariants_and_replay(
        seed in any::<u64>(),
        fifo in any::<bool>(),
        tasks in prop::collection::vec(prop::collection::vec(op(), 0..6), 1..5),
    ) {
        let policy = if fifo { Policy::Fifo } else { Policy::Random };
        let context = format!("seed {seed}, {policy}");
        let mut sim = simulate(seed, policy, &tasks);
        let outcome = sim.run();
        prop_assert!(outcome.is_completed(), "{context}: {outcome}");
        support::check_invariants(&sim.trace(), &context).map_err(TestCaseError::fail)?;
        let expected_ms = tasks.iter().map(|t| duration_ms(t)).max().unwrap_or(0);
        prop_assert_eq!(sim.now(), Duration::from_millis(expected_ms), "{}", context);

        let mut again = simulate(seed, policy, &tasks);
        again.run();
        prop_assert_eq!(sim.trace().fingerprint(), again.trace().fingerprint(), "{}: replay differs", context);
    }
}
