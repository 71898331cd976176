//! `Schedule`'s `FromStr` (`s:0102`, `(n)` past 35) on arbitrary text, and
//! its `Display` on arbitrary choices.
//!
//! Parsing must never panic; a schedule that parses prints as a string that
//! parses back to it, and printing is canonical (print → parse → print gives
//! the same string). The same holds for a schedule built from any choices.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wakescope::Schedule;

fn round_trips(schedule: &Schedule) {
    let text = schedule.to_string();
    let back: Schedule = text
        .parse()
        .unwrap_or_else(|e| panic!("`{text}` (printed from {:?}) does not parse: {e}", schedule.choices()));
    assert_eq!(&back, schedule, "`{text}` parses to other choices");
    assert_eq!(back.to_string(), text, "printing is not canonical");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(schedule) = text.parse::<Schedule>() {
        round_trips(&schedule);
    }
    // The bytes as choices: small numbers (one digit) and large ones (`(n)`).
    let choices: Vec<u32> = data
        .chunks(4)
        .map(|c| {
            let mut word = [0u8; 4];
            word[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(word)
        })
        .collect();
    let small: Vec<u32> = data.iter().map(|&b| u32::from(b % 40)).collect();
    round_trips(&Schedule::from_choices(choices));
    round_trips(&Schedule::from_choices(small));
});
