//! Helpers the app's test files share.

/// The line (1-based) of the first line of `text` containing `needle`.
pub fn line_with(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}")) as u32
        + 1
}
