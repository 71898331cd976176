//! How a user tests their own async code with Wakescope: sweep seeds, get
//! the failing one, replay it.
//!
//! The code under test is a counter that two tasks increment with a
//! read-modify-write split by an `.await`. Nothing is wrong with it under a
//! scheduler that runs each task to completion; under Wakescope's seeded
//! random scheduler some seeds interleave the two increments and lose one.

use std::cell::Cell;
use std::rc::Rc;

use wakescope::sweep::{SeedResult, check_outcome};
use wakescope::{Config, Sim, yield_now};

/// The code under test: an increment that gives way between its read and its write.
async fn increment(counter: Rc<Cell<u32>>) {
    let read = counter.get();
    yield_now().await; // e.g. a log write or a lock handover
    counter.set(read + 1);
}

/// One run of the test: two tasks increment, then the counter must be 2.
fn two_increments(sim: &mut Sim) -> SeedResult {
    let counter = Rc::new(Cell::new(0));
    let _first = sim.spawn("first", increment(counter.clone()));
    let _second = sim.spawn("second", increment(counter.clone()));
    check_outcome(&sim.run())?;
    match counter.get() {
        2 => Ok(()),
        n => Err(format!("counter is {n} after two increments")),
    }
}

#[test]
fn a_sweep_finds_the_lost_update_and_its_seed_replays_it() {
    // The sweep: every seed in the range on a fresh simulation, all cores.
    let report = wakescope::sweep(0..1_000, two_increments);
    println!("{report}");

    let failure = report
        .first_failure
        .as_ref()
        .expect("some seed interleaves the increments");
    assert_eq!(failure.message, "counter is 1 after two increments");
    assert!(report.failures > 0, "{report}");
    // The hint to replay just this seed: `WAKESCOPE_SEED=<seed> cargo test <this test>`.
    assert!(
        failure
            .replay
            .starts_with(&format!("WAKESCOPE_SEED={} cargo test", failure.seed))
    );
    println!("replay with: {}", failure.replay);

    // Replaying the seed by hand gives the same failure and the same trace.
    let mut sim = Sim::new(Config::seeded(failure.seed));
    assert_eq!(two_increments(&mut sim), Err(failure.message.clone()));
    assert_eq!(sim.trace().fingerprint(), failure.fingerprint);
    // The trace can go to Perfetto: `std::fs::write("run.json", trace.to_chrome_json())`.
    let chrome: serde_json::Value = serde_json::from_str(&failure.trace.to_chrome_json()).unwrap();
    assert!(chrome["traceEvents"].is_array());
}

#[test]
fn a_fixed_increment_passes_every_seed() {
    let report = wakescope::sweep(0..1_000, |sim| {
        let counter = Rc::new(Cell::new(0u32));
        for name in ["first", "second"] {
            let counter = counter.clone();
            let _task = sim.spawn(name, async move {
                yield_now().await; // give way *before* the read-modify-write, not inside it
                counter.set(counter.get() + 1);
            });
        }
        check_outcome(&sim.run())?;
        if counter.get() == 2 {
            Ok(())
        } else {
            Err(format!("counter is {}", counter.get()))
        }
    });
    report.assert_ok();
}
