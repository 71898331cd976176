//! The native half of the cross-target check of the interpreter (the wasm32
//! half is `tests/wasm.rs`): the recorded fingerprints are reproduced here,
//! and a program nesting polls too deep stops its task the same way.

mod common;

#[test]
fn interpreted_fingerprints_match_the_recorded_ones() {
    common::cross::check_all();
}

/// The program that nests polls too deep stops its task, natively too. The
/// test thread's stack is made large: a debug build's frames are several
/// times a release build's, and the limit is a count, the same everywhere.
#[test]
fn a_program_nesting_polls_too_deep_stops_its_task_not_the_host() {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(common::deep::check)
        .expect("a thread")
        .join()
        .expect("the check passed");
}
