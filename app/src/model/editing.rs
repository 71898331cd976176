//! What the playground editor's Tab and Enter insert.
//!
//! The editor is a plain `<textarea>`: Tab inserts [`INDENT`] rather than
//! leaving the field, and Enter starts the new line at the indentation of
//! the one it ends (one level deeper after an opening `{`, `(` or `[`). The
//! browser inserts the text (so undo still works); this module only says
//! what to insert, from the text before the caret. A textarea counts the
//! caret in UTF-16 units; [`prefix_utf16`] turns that into a prefix of a
//! Rust string.

/// One level of indentation: four spaces, as rustfmt writes Rust.
pub const INDENT: &str = "    ";

/// What Enter inserts after `before` (the text before the caret): a newline
/// and the indentation of the line it ends, one level more after an opener.
pub fn newline_after(before: &str) -> String {
    let line = before.rsplit('\n').next().unwrap_or("");
    let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let opens = line.trim_end().ends_with(['{', '(', '[']);
    format!("\n{indent}{}", if opens { INDENT } else { "" })
}

/// The prefix of `text` holding its first `units` UTF-16 code units (cut
/// down to a character boundary; the whole text when `units` is past it).
pub fn prefix_utf16(text: &str, units: u32) -> &str {
    let mut counted = 0u32;
    for (at, c) in text.char_indices() {
        let next = counted + c.len_utf16() as u32;
        if next > units {
            return &text[..at];
        }
        counted = next;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_keeps_the_indentation_and_adds_a_level_after_an_opener() {
        assert_eq!(newline_after("fn main() {\n    let x = 1;"), "\n    ");
        assert_eq!(newline_after("async fn main() {"), "\n    ");
        assert_eq!(newline_after("    for i in 0..3 {  "), "\n        ");
        assert_eq!(newline_after("        spawn(\"a\","), "\n        ");
        assert_eq!(newline_after(""), "\n");
        assert_eq!(newline_after("a\n\tb"), "\n\t");
    }

    #[test]
    fn a_caret_in_utf16_units_is_a_prefix_at_a_character_boundary() {
        let text = "a🍿b\nc";
        assert_eq!(prefix_utf16(text, 0), "");
        assert_eq!(prefix_utf16(text, 1), "a");
        // The popcorn is two UTF-16 units; half of it is not a character.
        assert_eq!(prefix_utf16(text, 2), "a");
        assert_eq!(prefix_utf16(text, 3), "a🍿");
        assert_eq!(prefix_utf16(text, 4), "a🍿b");
        assert_eq!(prefix_utf16(text, 99), text);
    }
}
