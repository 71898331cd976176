//! The native half of the cross-target check of the interpreter (the wasm32
//! half is `tests/wasm.rs`): the recorded fingerprints are reproduced here.

mod common;

#[test]
fn interpreted_fingerprints_match_the_recorded_ones() {
    common::cross::check_all();
}
