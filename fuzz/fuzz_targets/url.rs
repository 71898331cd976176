//! The app's address parser (`wakescope_app::url::parse`) on arbitrary text.
//!
//! Parsing must never panic, whatever the query; every problem is a short,
//! printable sentence. Whatever it parsed to, `format` writes an address
//! that parses back to the same view with no errors, and formatting that
//! again gives the same string. A seed that parses reads back from its digits.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wakescope_app::url::{Request, format, parse, parse_seed};

/// Longest error sentence: the unknown-scenario message lists every scenario
/// id; user text in messages is cut to a few dozen characters.
const ERROR_CHARS_MAX: usize = 400;
/// `PAIRS_MAX` (64) pairs read, one error each at most, plus the pair count.
const ERRORS_MAX: usize = 64 + 1;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let parsed = parse(&query);
    assert!(parsed.errors.len() <= ERRORS_MAX, "{} errors", parsed.errors.len());
    for error in &parsed.errors {
        assert!(
            error.chars().count() <= ERROR_CHARS_MAX,
            "an error of {} characters: {error}",
            error.chars().count()
        );
        assert!(
            !error.chars().any(char::is_control),
            "a control character in: {error:?}"
        );
    }

    let r = &parsed.request;
    let step = r.step.unwrap_or(0);
    let address = format(r.scenario, &r.params, r.seed, step);
    let again = parse(&address);
    assert!(
        again.errors.is_empty(),
        "`{address}` (written for `{query}`) has errors: {:?}",
        again.errors
    );
    let expected = Request {
        step: Some(step),
        ..r.clone()
    };
    assert_eq!(
        again.request, expected,
        "`{address}` does not reopen the view of `{query}`"
    );
    let a = &again.request;
    assert_eq!(
        format(a.scenario, &a.params, a.seed, step),
        address,
        "formatting is not stable"
    );

    if let Ok(seed) = parse_seed(&query) {
        assert_eq!(parse_seed(&seed.to_string()), Ok(seed));
    }
});
