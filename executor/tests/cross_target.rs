//! The native half of the cross-target check: the programs in
//! `common/programs.rs` must reproduce their recorded results here, and
//! `tests/wasm.rs` checks the same constants on wasm32.

#[path = "common/programs.rs"]
mod programs;

use programs::*;

#[test]
fn recorded_table_is_printed_for_updates() {
    // Shown with `--nocapture`; see the module docs of `common/programs.rs`.
    println!("{}", recorded_table());
}

#[test]
fn timers_concurrent_match_the_recorded_run() {
    check_timers_concurrent();
}

#[test]
fn timers_sequential_match_the_recorded_run() {
    check_timers_sequential();
}

#[test]
fn racy_counter_matches_the_recorded_runs_for_every_seed() {
    check_racy_random();
}

#[test]
fn racy_counter_under_fifo_matches_the_recorded_run() {
    check_racy_fifo();
}

#[test]
fn jitter_matches_the_recorded_run() {
    check_jitter();
}

#[test]
fn a_crowd_of_thousands_matches_the_recorded_runs_under_both_policies() {
    check_crowd();
}

#[test]
fn the_seed_decides_the_interleaving() {
    // The racy program is only a useful check if seeds really differ.
    let fingerprints: std::collections::BTreeSet<u64> = RACY_RANDOM.iter().map(|e| e.fingerprint).collect();
    assert!(fingerprints.len() > 1, "every seed gave the same interleaving");
    let counts: std::collections::BTreeSet<u64> = RACY_RANDOM.iter().map(|e| e.value).collect();
    assert!(counts.iter().all(|&c| c <= RACY_TASKS * RACY_ROUNDS));
}

#[test]
fn runs_repeat_exactly_in_one_process() {
    assert_eq!(timers_concurrent(), timers_concurrent());
    for seed in RACY_SEEDS {
        assert_eq!(
            racy_counter(seed, wakescope::Policy::Random),
            racy_counter(seed, wakescope::Policy::Random)
        );
    }
    assert_eq!(jitter(), jitter());
}
