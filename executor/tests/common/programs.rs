//! Fixed programs and the results they must give on every target.
//!
//! Included by `tests/cross_target.rs` (native) and `tests/wasm.rs` (wasm32),
//! which both assert that running each program here reproduces the constants
//! below exactly: the trace fingerprint, the virtual end time, the outcome and
//! the program's own result. The constants were computed once natively; if
//! either target drifts from them, its test fails.
//!
//! Changing the executor in a way that changes the trace on purpose means
//! recomputing the constants: run
//! `cargo test -p wakescope --test cross_target -- --nocapture` and copy the
//! printed table.

#![allow(dead_code)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wakescope::{Config, Outcome, Policy, Sim, rng, sleep, spawn, yield_now};

/// The seed's kitchen timers: popcorn 3 s, water boiler 5 s, cookies 10 s.
pub const TIMERS: [(&str, u64); 3] = [("popcorn", 3), ("boiler", 5), ("cookies", 10)];
/// Seed of the timer programs.
pub const TIMERS_SEED: u64 = 42;

/// Tasks in the racy counter program.
pub const RACY_TASKS: u64 = 4;
/// Read-modify-write rounds per task in the racy counter program.
pub const RACY_ROUNDS: u64 = 3;
/// Seeds of the racy counter program.
pub const RACY_SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// Seed of the jitter program.
pub const JITTER_SEED: u64 = 7;
/// Sleepers in the jitter program.
pub const JITTER_TASKS: u64 = 5;

/// Seed of the crowd program.
pub const CROWD_SEED: u64 = 11;
/// Tasks in the crowd program: enough that the ready queue is thousands long,
/// where the scheduler fetches the next picks' memory early.
pub const CROWD_TASKS: u64 = 3000;

/// What one run of a program gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// `sim.trace().fingerprint()`.
    pub fingerprint: u64,
    /// Events in the trace.
    pub events: usize,
    /// `sim.now()` at the end, in nanoseconds.
    pub end_ns: u64,
    /// How the run ended.
    pub outcome: Outcome,
    /// The program's own result (a counter value, a sum; 0 when it has none).
    pub value: u64,
}

/// What a run must give, as constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    pub fingerprint: u64,
    pub events: usize,
    pub end_ns: u64,
    pub value: u64,
}

impl Run {
    /// Panics with a readable message when the run differs from `expected`.
    /// Every run here must complete.
    pub fn check(&self, name: &str, expected: &Expected) {
        assert_eq!(self.outcome, Outcome::Completed, "{name}: outcome");
        let got = Expected {
            fingerprint: self.fingerprint,
            events: self.events,
            end_ns: self.end_ns,
            value: self.value,
        };
        assert_eq!(
            got, *expected,
            "{name}: this target's run differs from the recorded one (fingerprint {:#018x}, expected {:#018x})",
            got.fingerprint, expected.fingerprint
        );
    }
}

fn finish(sim: &mut Sim, outcome: Outcome, value: u64) -> Run {
    let now = sim.now();
    let trace = sim.trace();
    Run {
        fingerprint: trace.fingerprint(),
        events: trace.len(),
        end_ns: u64::try_from(now.as_nanos()).expect("virtual time fits u64 ns"),
        outcome,
        value,
    }
}

/// The three timers spawned as tasks, then joined: 10 s.
pub fn timers_concurrent() -> Run {
    let mut sim = Sim::new(Config::seeded(TIMERS_SEED));
    let _main = sim.spawn("main", async {
        let handles = TIMERS.map(|(name, s)| spawn(name, sleep(Duration::from_secs(s))));
        for h in handles {
            h.await.expect("a timer task cannot fail");
        }
    });
    let outcome = sim.run();
    finish(&mut sim, outcome, 0)
}

/// The three timers awaited one after another: 18 s.
pub fn timers_sequential() -> Run {
    let mut sim = Sim::new(Config::seeded(TIMERS_SEED));
    let _main = sim.spawn("main", async {
        for (_, s) in TIMERS {
            sleep(Duration::from_secs(s)).await;
        }
    });
    let outcome = sim.run();
    finish(&mut sim, outcome, 0)
}

/// Tasks that read a shared counter, yield, then write back the value read
/// plus one. Updates get lost depending on the interleaving the seed picks,
/// so the final count depends on the seed; the value is that final count.
pub fn racy_counter(seed: u64, policy: Policy) -> Run {
    let mut sim = Sim::new(Config::seeded(seed).with_policy(policy));
    let counter = Rc::new(Cell::new(0u64));
    for t in 0..RACY_TASKS {
        let counter = Rc::clone(&counter);
        let _h = sim.spawn(&format!("worker-{t}"), async move {
            for _ in 0..RACY_ROUNDS {
                let read = counter.get();
                yield_now().await;
                counter.set(read + 1);
            }
        });
    }
    let outcome = sim.run();
    let value = counter.get();
    finish(&mut sim, outcome, value)
}

/// Sleepers that draw their delay from the simulation's seeded RNG, spawned
/// from a parent task that sums what they return. Checks that the user RNG
/// stream and the timer wheel agree across targets; the value is the sum of
/// the delays in milliseconds.
pub fn jitter() -> Run {
    let mut sim = Sim::new(Config::seeded(JITTER_SEED));
    let total = Rc::new(Cell::new(0u64));
    let out = Rc::clone(&total);
    let _main = sim.spawn("main", async move {
        let mut handles = Vec::new();
        for t in 0..JITTER_TASKS {
            handles.push(spawn(&format!("sleeper-{t}"), async {
                let ms = u64::from(rng().below(1000)) + rng().u64() % 7;
                sleep(Duration::from_millis(ms)).await;
                yield_now().await;
                ms
            }));
        }
        for h in handles {
            out.set(out.get() + h.await.expect("a sleeper cannot fail"));
        }
    });
    let outcome = sim.run();
    let value = total.get();
    finish(&mut sim, outcome, value)
}

/// A crowd of tasks, spawned by `main` in one poll: each sleeps 0, 1 or 2 ms,
/// yields (joining the back of a long queue while the queue is drained),
/// and takes a turn number from a shared counter. The value mixes every
/// task's number with its turn, so it changes if any two picks swap.
pub fn crowd(policy: Policy) -> Run {
    let mut sim = Sim::new(Config::seeded(CROWD_SEED).with_policy(policy));
    let total = Rc::new(Cell::new(0u64));
    let out = Rc::clone(&total);
    let _main = sim.spawn("main", async move {
        let turn = Rc::new(Cell::new(0u64));
        let mut handles = Vec::new();
        for t in 0..CROWD_TASKS {
            let turn = Rc::clone(&turn);
            handles.push(spawn("member", async move {
                sleep(Duration::from_millis(t % 3)).await;
                yield_now().await;
                let mine = turn.get();
                turn.set(mine + 1);
                (t + 1).wrapping_mul(mine + 1)
            }));
        }
        for h in handles {
            let value = h.await.expect("a member cannot fail");
            out.set(out.get().wrapping_mul(31).wrapping_add(value));
        }
    });
    let outcome = sim.run();
    let value = total.get();
    finish(&mut sim, outcome, value)
}

// ---------------------------------------------------------------------------
// The recorded results.
// ---------------------------------------------------------------------------

pub const TIMERS_CONCURRENT: Expected = Expected {
    fingerprint: 0xa4a442d925c7dfcf,
    events: 44,
    end_ns: 10000000000,
    value: 0,
};
pub const TIMERS_SEQUENTIAL: Expected = Expected {
    fingerprint: 0xc87e80176d15f790,
    events: 23,
    end_ns: 18000000000,
    value: 0,
};
/// One per seed in [`RACY_SEEDS`], random policy. The values (final counts)
/// are below the 12 increments because updates are lost across the yield.
pub const RACY_RANDOM: [Expected; 5] = [
    Expected {
        fingerprint: 0xf01bed2dc39442a1,
        events: 53,
        end_ns: 0,
        value: 5,
    },
    Expected {
        fingerprint: 0x2ff83dd7ba666302,
        events: 53,
        end_ns: 0,
        value: 7,
    },
    Expected {
        fingerprint: 0xa4f59558e51ae9e2,
        events: 53,
        end_ns: 0,
        value: 3,
    },
    Expected {
        fingerprint: 0x0578b84e54df4ee4,
        events: 53,
        end_ns: 0,
        value: 3,
    },
    Expected {
        fingerprint: 0x4853305c8abd8dc8,
        events: 53,
        end_ns: 0,
        value: 3,
    },
];
/// Seed 1, FIFO policy: strict round robin, so every round but the last write is lost.
pub const RACY_FIFO: Expected = Expected {
    fingerprint: 0xfab589863d22d134,
    events: 53,
    end_ns: 0,
    value: 3,
};
/// The value is the sum of the five drawn delays in ms; the run ends at the longest.
pub const JITTER: Expected = Expected {
    fingerprint: 0xd27c3ae4b9ebf6ef,
    events: 73,
    end_ns: 659000000,
    value: 1813,
};

/// Under the default random policy, and under FIFO.
pub const CROWD_RANDOM: Expected = Expected {
    fingerprint: 0xc1c65a29e66c34f6,
    events: 31025,
    end_ns: 2000000,
    value: 16580675598660615487,
};
pub const CROWD_FIFO: Expected = Expected {
    fingerprint: 0x218642780c2f3ba1,
    events: 31016,
    end_ns: 2000000,
    value: 9126328430535971112,
};

// ---------------------------------------------------------------------------
// The checks both targets run.
// ---------------------------------------------------------------------------

pub fn check_timers_concurrent() {
    timers_concurrent().check("timers concurrent", &TIMERS_CONCURRENT);
}

pub fn check_timers_sequential() {
    timers_sequential().check("timers sequential", &TIMERS_SEQUENTIAL);
}

pub fn check_racy_random() {
    for (seed, expected) in RACY_SEEDS.iter().zip(&RACY_RANDOM) {
        racy_counter(*seed, Policy::Random).check(&format!("racy counter, random policy, seed {seed}"), expected);
    }
}

pub fn check_racy_fifo() {
    racy_counter(1, Policy::Fifo).check("racy counter, fifo policy, seed 1", &RACY_FIFO);
}

pub fn check_jitter() {
    jitter().check("jitter", &JITTER);
}

pub fn check_crowd() {
    crowd(Policy::Random).check("crowd, random policy", &CROWD_RANDOM);
    crowd(Policy::Fifo).check("crowd, fifo policy", &CROWD_FIFO);
}

/// The constants above as Rust source, from this target's runs.
pub fn recorded_table() -> String {
    fn line(run: &Run) -> String {
        format!(
            "Expected {{ fingerprint: {:#018x}, events: {}, end_ns: {}, value: {} }}",
            run.fingerprint, run.events, run.end_ns, run.value
        )
    }
    let mut out = String::new();
    out += &format!(
        "pub const TIMERS_CONCURRENT: Expected = {};\n",
        line(&timers_concurrent())
    );
    out += &format!(
        "pub const TIMERS_SEQUENTIAL: Expected = {};\n",
        line(&timers_sequential())
    );
    out += "pub const RACY_RANDOM: [Expected; 5] = [\n";
    for seed in RACY_SEEDS {
        out += &format!("    {},\n", line(&racy_counter(seed, Policy::Random)));
    }
    out += "];\n";
    out += &format!(
        "pub const RACY_FIFO: Expected = {};\n",
        line(&racy_counter(1, Policy::Fifo))
    );
    out += &format!("pub const JITTER: Expected = {};\n", line(&jitter()));
    out += &format!("pub const CROWD_RANDOM: Expected = {};\n", line(&crowd(Policy::Random)));
    out += &format!("pub const CROWD_FIFO: Expected = {};\n", line(&crowd(Policy::Fifo)));
    out
}
