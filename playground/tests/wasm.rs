//! The wasm32 half of the interpreter's cross-target check: the programs
//! interpreted in wasm32 (as in the page) give the fingerprints recorded
//! natively. Run by `cargo xtask test`, or alone:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test -p wakescope-playground --target wasm32-unknown-unknown --test wasm`

#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn interpreted_fingerprints_match_the_recorded_ones() {
    common::cross::check_all();
}

#[wasm_bindgen_test]
fn a_program_nesting_polls_too_deep_stops_its_task_not_the_host() {
    common::deep::check();
}
