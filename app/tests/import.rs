//! Imported traces fold like the runs that wrote them: same frames at every
//! step, same fingerprint and end; bad files say which line.

use wakescope::TraceError;
use wakescope::scenarios;
use wakescope::view::Recording;
use wakescope_app::model::frame::log_window;
use wakescope_app::model::import::{IMPORT_BYTES_MAX, ImportInfo, open, parse, too_large};
use wakescope_app::model::{EndKind, Frame, Run};
use wakescope_app::slicer::STEPS_PER_CHECK;

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
    let error = import(&lines.join("\n")).expect_err("a cut line is refused");
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

#[test]
fn an_opened_trace_says_what_its_header_says_and_folds_in_slices_like_the_run() {
    let run = finished("timers", "concurrent", 42);
    let (mut recording, info) =
        open("t.jsonl", &run.with_trace(|t| t.to_jsonl())).expect("a trace the library wrote opens");
    let params = run.with_trace(|t| {
        t.header()
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    });
    assert!(params.contains("mode=concurrent"), "{params}");
    assert_eq!(
        info,
        ImportInfo {
            file: "t.jsonl".into(),
            scenario: Some("timers".into()),
            seed: 42,
            params,
            events: run.len(),
        }
    );
    // The page folds an import as it records a run: a bounded chunk at a time.
    assert_eq!(recording.len(), 0, "nothing is folded before the first chunk");
    let mut chunks = 0;
    while !recording.advance(STEPS_PER_CHECK) {
        chunks += 1;
        assert!(chunks <= run.len(), "the fold of {} events does not end", run.len());
    }
    assert_eq!(recording.len(), info.events);
    assert_eq!(recording.fingerprint(), run.fingerprint());
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_name_and_line() {
    let run = finished("timers", "concurrent", 1);
    let text = run.with_trace(|t| t.to_jsonl());
    let mut lines: Vec<&str> = text.lines().collect();
    lines[7] = &lines[7][..10];
    let error = open("cut.jsonl", &lines.join("\n")).expect_err("a cut line is refused");
    assert!(error.starts_with("cut.jsonl: line 8: "), "{error}");
    assert!(
        error.ends_with("; the trace was not imported and the view is unchanged"),
        "{error}"
    );
}

/// Parses a trace and folds it to the end in one go.
fn import(text: &str) -> Result<Recording, TraceError> {
    let mut recording = parse(text)?;
    recording.finish();
    Ok(recording)
}
