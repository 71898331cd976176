//! `Trace::from_jsonl` on arbitrary text.
//!
//! Reading must never panic, and a trace it accepts must survive the round
//! trip: `to_jsonl` writes what was read — every field of every written
//! line has the value the input line gave it (a field the input left out
//! may only come back as `null`) — and reading that output back gives the
//! same text, the same number of events and the same fingerprint.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wakescope::Trace;

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 becomes U+FFFD, so every input reaches the reader.
    let text = String::from_utf8_lossy(data);
    let Ok(trace) = Trace::from_jsonl(&text) else {
        return;
    };
    let written = trace.to_jsonl();
    let again = Trace::from_jsonl(&written)
        .unwrap_or_else(|e| panic!("the reader rejects the writer's own output: {e}\n{written}"));
    assert_eq!(again.to_jsonl(), written, "writing the re-read trace changes it");
    assert_eq!(again.len(), trace.len());
    assert_eq!(again.fingerprint(), trace.fingerprint());
    assert_eq!(again.end_time(), trace.end_time());

    // The reader skips blank lines; every other line is the header or one event.
    let read: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let wrote: Vec<&str> = written.lines().collect();
    assert_eq!(read.len(), wrote.len(), "one written line per line read");
    assert_eq!(wrote.len(), trace.len() + 1, "a header and one line per event");
    for (n, (input, output)) in read.iter().zip(&wrote).enumerate() {
        let input: Value = serde_json::from_str(input).expect("an accepted line is JSON");
        let output: Value = serde_json::from_str(output).expect("a written line is JSON");
        let (Value::Object(input), Value::Object(output)) = (&input, &output) else {
            panic!("line {}: accepted and written lines are objects", n + 1);
        };
        for (key, value) in output {
            match input.get(key) {
                Some(given) => assert_eq!(given, value, "line {}: field `{key}` changed", n + 1),
                None => assert!(
                    value.is_null(),
                    "line {}: field `{key}` = {value} came from nowhere",
                    n + 1
                ),
            }
        }
    }
});
