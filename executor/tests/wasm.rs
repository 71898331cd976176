//! The wasm32 half of the cross-target check: the programs in
//! `common/programs.rs` must reproduce, compiled to wasm32 and run under
//! `wasm-bindgen-test-runner`, the same results `tests/cross_target.rs`
//! checks natively — same fingerprints, same virtual time, same outcomes.
//!
//! Run with `cargo xtask test`, or alone:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test -p wakescope --target wasm32-unknown-unknown --test wasm`

#![cfg(target_arch = "wasm32")]

#[path = "common/programs.rs"]
mod programs;

use programs::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn timers_concurrent_match_the_recorded_run() {
    check_timers_concurrent();
}

#[wasm_bindgen_test]
fn timers_sequential_match_the_recorded_run() {
    check_timers_sequential();
}

#[wasm_bindgen_test]
fn racy_counter_matches_the_recorded_runs_for_every_seed() {
    check_racy_random();
}

#[wasm_bindgen_test]
fn racy_counter_under_fifo_matches_the_recorded_run() {
    check_racy_fifo();
}

#[wasm_bindgen_test]
fn jitter_matches_the_recorded_run() {
    check_jitter();
}

#[wasm_bindgen_test]
fn a_crowd_of_thousands_matches_the_recorded_runs_under_both_policies() {
    check_crowd();
}

#[wasm_bindgen_test]
fn the_seeds_kitchen_timers_take_10_and_18_seconds() {
    // Spelled out here too, so a wrong constant cannot hide a wrong clock.
    assert_eq!(timers_concurrent().end_ns, 10_000_000_000);
    assert_eq!(timers_sequential().end_ns, 18_000_000_000);
}

#[wasm_bindgen_test]
fn usize_is_32_bits_here() {
    // The point of this file: the executor runs on a 32-bit target.
    assert_eq!(std::mem::size_of::<usize>(), 4);
}
