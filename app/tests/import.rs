//! Imported traces fold like the runs that wrote them: same frames at every
//! step, same fingerprint and end; bad files say which line.

use wakescope::TraceError;
use wakescope::scenarios;
use wakescope::view::Recording;
use wakescope_app::model::frame::log_window;
use wakescope_app::model::import::{IMPORT_BYTES_MAX, parse, too_large};
use wakescope_app::model::{EndKind, Frame, Run};

fn finished(id: &str, mode: &str, seed: u64) -> Run {
    let s = scenarios::find(id).expect("registered");
    let (params, errors) = s.params(Some(mode), []);
    assert!(errors.is_empty(), "{errors:?}");
    let mut run = Run::start(s, params, seed);
    run.finish();
    run
}

#[test]
fn an_imported_trace_shows_what_the_run_showed_at_every_step() {
    for (id, mode, seed) in [
        ("timers", "concurrent", 42),
        ("flow", "zero-window", 1),
        ("mutex", "fair", 3),
    ] {
        let run = finished(id, mode, seed);
        let imported = import(&run.with_trace(|t| t.to_jsonl())).expect("a trace the library wrote parses");
        assert_eq!(imported.len(), run.len(), "{id} {mode} seed {seed}: events");
        assert_eq!(
            imported.fingerprint(),
            run.fingerprint(),
            "{id} {mode} seed {seed}: fingerprint"
        );
        assert_eq!(
            imported.end_clock_ns(),
            run.end_clock_ns(),
            "{id} {mode} seed {seed}: end time"
        );
        assert_eq!(
            imported.end().unwrap().kind,
            run.end().unwrap().kind,
            "{id} {mode} seed {seed}: end kind"
        );
        for k in (0..=run.len()).rev() {
            assert_eq!(
                Frame::at(&imported, k),
                Frame::at(&run, k),
                "{id} {mode} seed {seed}: frame at step {k}"
            );
            assert_eq!(
                log_window(&imported, k),
                log_window(&run, k),
                "{id} {mode} seed {seed}: log at step {k}"
            );
        }
    }
}

#[test]
fn a_deadlocked_import_ends_in_a_deadlock() {
    let run = finished("flow", "zero-window", 1);
    let imported = import(&run.with_trace(|t| t.to_jsonl())).unwrap();
    assert_eq!(imported.end().unwrap().kind, EndKind::Deadlock);
}

#[test]
fn a_cut_line_is_named() {
    let run = finished("timers", "concurrent", 1);
    let text = run.with_trace(|t| t.to_jsonl());
    let mut lines: Vec<&str> = text.lines().collect();
    lines[7] = &lines[7][..10];
    let error = import(&lines.join("\n")).err().expect("a cut line is refused");
    assert!(error.to_string().starts_with("line 8: "), "{error}");
}

#[test]
fn the_size_limit_is_named() {
    assert_eq!(IMPORT_BYTES_MAX, 64 * 1024 * 1024);
    let text = too_large("big.jsonl", IMPORT_BYTES_MAX + 1);
    assert!(
        text.starts_with("big.jsonl: the file is 64.0 MiB; the page opens traces of at most 64 MiB"),
        "{text}"
    );
}

/// Parses a trace and folds it to the end, as the page does on import.
fn import(text: &str) -> Result<Recording, TraceError> {
    let mut recording = parse(text)?;
    recording.finish();
    Ok(recording)
}
