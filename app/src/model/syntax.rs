//! Syntax colours for Rust text: a small hand tokenizer.
//!
//! The code panel and the editor colour four kinds of token — keywords,
//! string and character literals, comments, numbers — and leave the rest
//! plain. This is not a parser (the playground's interpreter parses with
//! syn): it only has to agree with Rust on where a comment or a string
//! starts and ends, including block comments that nest and strings that span
//! lines, so colours never bleed. [`highlight`] splits the text into lines of
//! [`Span`]s; joined back, the spans of every line are the line exactly.

/// The kinds of token coloured; everything else is [`TokenKind::Plain`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Plain,
    Keyword,
    /// String, byte-string, raw-string and character literals.
    Str,
    Comment,
    Number,
}

impl TokenKind {
    /// The CSS class of the kind (empty for plain text).
    pub fn class(self) -> &'static str {
        match self {
            TokenKind::Plain => "",
            TokenKind::Keyword => "tok-kw",
            TokenKind::Str => "tok-str",
            TokenKind::Comment => "tok-com",
            TokenKind::Number => "tok-num",
        }
    }
}

/// A run of text of one kind, within one line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub kind: TokenKind,
    pub text: String,
}

/// Rust's keywords (strict and the reserved ones in use), plus the literals
/// `true`/`false` and `Self`/`self`, coloured as keywords.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
];

/// The lines of `text` (split at `\n`; a `\r` before it is dropped), each as
/// its coloured spans. An empty text is one empty line.
pub fn highlight(text: &str) -> Vec<Vec<Span>> {
    let mut lines = Lines::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let (kind, end) = token_at(&chars, i);
        debug_assert!(end > i, "every token takes at least one character");
        lines.push(kind, &chars[i..end]);
        i = end;
    }
    lines.finish()
}

/// The kind and end of the token starting at `i`.
fn token_at(chars: &[char], i: usize) -> (TokenKind, usize) {
    let at = |j: usize| chars.get(j).copied();
    let c = chars[i];
    match c {
        '/' if at(i + 1) == Some('/') => (TokenKind::Comment, line_end(chars, i)),
        '/' if at(i + 1) == Some('*') => (TokenKind::Comment, block_comment_end(chars, i)),
        '"' => (TokenKind::Str, string_end(chars, i + 1)),
        '\'' => match char_literal_end(chars, i) {
            Some(end) => (TokenKind::Str, end),
            // A lifetime or a label: `'a`, `'outer`.
            None => (TokenKind::Plain, ident_end(chars, i + 1).max(i + 1)),
        },
        c if c.is_ascii_digit() => (TokenKind::Number, number_end(chars, i)),
        c if c == '_' || c.is_alphabetic() => {
            if let Some(end) = prefixed_string_end(chars, i) {
                return (TokenKind::Str, end);
            }
            let end = ident_end(chars, i);
            let word: String = chars[i..end].iter().collect();
            let kind = if KEYWORDS.contains(&word.as_str()) {
                TokenKind::Keyword
            } else {
                TokenKind::Plain
            };
            (kind, end)
        }
        _ => (TokenKind::Plain, i + 1),
    }
}

fn line_end(chars: &[char], i: usize) -> usize {
    chars[i..]
        .iter()
        .position(|&c| c == '\n')
        .map_or(chars.len(), |n| i + n)
}

/// The end of a block comment starting at `i` (`/*`), nested ones included;
/// an unclosed comment runs to the end of the text, as rustc reads it.
fn block_comment_end(chars: &[char], i: usize) -> usize {
    let mut depth = 0usize;
    let mut j = i;
    while j < chars.len() {
        match (chars[j], chars.get(j + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                j += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return j;
                }
            }
            _ => j += 1,
        }
    }
    chars.len()
}

/// The end of a string whose body starts at `i` (after the `"`), escapes
/// skipped; an unclosed string runs to the end of the text.
fn string_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// The end of a character literal at `i` (`'x'`, `'\n'`, `'\u{1F37F}'`), or
/// `None` when the quote starts a lifetime or label.
fn char_literal_end(chars: &[char], i: usize) -> Option<usize> {
    let at = |j: usize| chars.get(j).copied();
    match at(i + 1)? {
        '\\' => {
            // An escape: up to the closing quote, a few characters on.
            let close = (i + 3..(i + 14).min(chars.len())).find(|&j| chars[j] == '\'')?;
            Some(close + 1)
        }
        '\n' | '\'' => None,
        _ if at(i + 2) == Some('\'') => Some(i + 3),
        _ => None,
    }
}

/// The end of a string with a prefix at `i` — `b"…"`, `r"…"`, `r#"…"#`,
/// `br"…"`, `c"…"` — or `None` when the word is not one.
fn prefixed_string_end(chars: &[char], i: usize) -> Option<usize> {
    let at = |j: usize| chars.get(j).copied();
    let mut j = i;
    if matches!(at(j), Some('b' | 'c')) {
        j += 1;
    }
    let raw = at(j) == Some('r');
    if raw {
        j += 1;
    }
    if j == i {
        return None;
    }
    if !raw {
        return (at(j) == Some('"')).then(|| string_end(chars, j + 1));
    }
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    if at(j + hashes) != Some('"') {
        return None;
    }
    // A raw string ends at `"` followed by as many `#` as it opened with.
    let mut k = j + hashes + 1;
    while k < chars.len() {
        if chars[k] == '"' && chars[k + 1..].iter().take(hashes).filter(|&&c| c == '#').count() == hashes {
            return Some(k + 1 + hashes);
        }
        k += 1;
    }
    Some(chars.len())
}

fn ident_end(chars: &[char], i: usize) -> usize {
    chars[i..]
        .iter()
        .position(|&c| !(c == '_' || c.is_alphanumeric()))
        .map_or(chars.len(), |n| i + n)
}

/// The end of a number at `i`: digits, letters (suffixes, hex, exponents),
/// `_`, and a `.` only when a digit follows (so `0..10` stays a range).
fn number_end(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() {
        let c = chars[j];
        let fraction = c == '.' && chars.get(j + 1).is_some_and(|d| d.is_ascii_digit());
        if c == '_' || c.is_ascii_alphanumeric() || fraction {
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// Lines being built: tokens are cut at newlines and plain runs merged.
#[derive(Default)]
struct Lines {
    done: Vec<Vec<Span>>,
    line: Vec<Span>,
}

impl Lines {
    fn push(&mut self, kind: TokenKind, chars: &[char]) {
        for (n, piece) in chars.split(|&c| c == '\n').enumerate() {
            if n > 0 {
                self.done.push(std::mem::take(&mut self.line));
            }
            let text: String = piece.iter().filter(|&&c| c != '\r').collect();
            if text.is_empty() {
                continue;
            }
            match self.line.last_mut() {
                Some(last) if last.kind == kind => last.text.push_str(&text),
                _ => self.line.push(Span { kind, text }),
            }
        }
    }

    fn finish(mut self) -> Vec<Vec<Span>> {
        self.done.push(self.line);
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn kinds(line: &[Span]) -> Vec<(TokenKind, &str)> {
        line.iter().map(|s| (s.kind, s.text.as_str())).collect()
    }

    #[test]
    fn keywords_numbers_strings_and_comments_are_told_apart() {
        let lines = highlight("let n = 42; // the answer\nprintln!(\"{n} s\");");
        assert_eq!(
            kinds(&lines[0]),
            vec![
                (Keyword, "let"),
                (Plain, " n = "),
                (Number, "42"),
                (Plain, "; "),
                (Comment, "// the answer")
            ]
        );
        assert_eq!(
            kinds(&lines[1]),
            vec![(Plain, "println!("), (Str, "\"{n} s\""), (Plain, ");")]
        );
    }

    #[test]
    fn a_range_is_two_numbers_and_a_word_containing_a_keyword_is_plain() {
        let lines = highlight("for i in 0..10 { lets(1.5e3) }");
        assert_eq!(
            kinds(&lines[0]),
            vec![
                (Keyword, "for"),
                (Plain, " i "),
                (Keyword, "in"),
                (Plain, " "),
                (Number, "0"),
                (Plain, ".."),
                (Number, "10"),
                (Plain, " { lets("),
                (Number, "1.5e3"),
                (Plain, ") }"),
            ]
        );
    }

    #[test]
    fn block_comments_nest_and_strings_span_lines_without_bleeding() {
        let lines = highlight("/* a /* b */ c */ x\n\"one\ntwo \\\" three\" y");
        assert_eq!(kinds(&lines[0]), vec![(Comment, "/* a /* b */ c */"), (Plain, " x")]);
        assert_eq!(kinds(&lines[1]), vec![(Str, "\"one")]);
        assert_eq!(kinds(&lines[2]), vec![(Str, "two \\\" three\""), (Plain, " y")]);
    }

    #[test]
    fn char_literals_are_strings_and_lifetimes_are_not() {
        let lines = highlight("'a' '\\n' 'outer: loop {} &'static str r#\"raw \"quote\"\"# b\"x\"");
        assert_eq!(
            kinds(&lines[0]),
            vec![
                (Str, "'a'"),
                (Plain, " "),
                (Str, "'\\n'"),
                (Plain, " 'outer: "),
                (Keyword, "loop"),
                (Plain, " {} &'static str "),
                (Str, "r#\"raw \"quote\"\"#"),
                (Plain, " "),
                (Str, "b\"x\""),
            ]
        );
    }

    #[test]
    fn the_spans_of_each_line_are_the_line_exactly() {
        for text in [
            include_str!("../../../playground/tests/programs/timers.rs"),
            include_str!("../../../playground/tests/programs/failures.rs"),
            "unclosed \"string\n/* and comment",
            "",
            "\n\n",
            "crlf\r\nline",
        ] {
            let lines = highlight(text);
            let want: Vec<String> = text.split('\n').map(|l| l.trim_end_matches('\r').to_string()).collect();
            let got: Vec<String> = lines
                .iter()
                .map(|l| l.iter().map(|s| s.text.as_str()).collect())
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
