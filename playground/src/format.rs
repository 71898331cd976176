//! Format strings of `format!`, `println!`, `panic!` and the asserts: `{}`,
//! `{:?}`, `{name}`, `{name:?}`, `{0}`, and `{{`/`}}`. Width, precision and
//! the other flags are refused.

/// One piece of a format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// An argument: the next positional one, one by index, or a variable.
    Arg {
        which: Which,
        debug: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Which {
    Next,
    Index(usize),
    Name(String),
}

/// Splits `format` into pieces; a problem is a sentence.
pub fn parse(format: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '}' => return Err("a `}` without its `{` in the format string (write `}}` for one)".into()),
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => inner.push(c),
                        None => return Err("a `{` without its `}` in the format string".into()),
                    }
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                let (arg, spec) = match inner.split_once(':') {
                    Some((a, s)) => (a.trim(), s),
                    None => (inner.trim(), ""),
                };
                let debug = match spec {
                    "" => false,
                    "?" => true,
                    other => {
                        return Err(format!(
                            "the format spec `{{:{other}}}` is not supported; use `{{}}` or `{{:?}}`"
                        ));
                    }
                };
                let which = if arg.is_empty() {
                    Which::Next
                } else if let Ok(i) = arg.parse::<usize>() {
                    Which::Index(i)
                } else if arg.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    Which::Name(arg.to_string())
                } else {
                    return Err(format!("`{{{arg}}}` is not an argument of the format string"));
                };
                pieces.push(Piece::Arg { which, debug });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// The variables a format string names inline (`{total}`), for captures.
pub fn inline_names(format: &str) -> Vec<String> {
    parse(format)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| match p {
            Piece::Arg {
                which: Which::Name(n), ..
            } => Some(n),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_found() {
        let p = parse("a {} b {:?} {x} {0} {{}}").unwrap();
        assert_eq!(p[0], Piece::Text("a ".into()));
        assert_eq!(
            p[1],
            Piece::Arg {
                which: Which::Next,
                debug: false
            }
        );
        assert_eq!(
            p[3],
            Piece::Arg {
                which: Which::Next,
                debug: true
            }
        );
        assert_eq!(
            p[5],
            Piece::Arg {
                which: Which::Name("x".into()),
                debug: false
            }
        );
        assert_eq!(p.last(), Some(&Piece::Text(" {}".into())));
        assert_eq!(inline_names("{x} and {y:?}"), ["x", "y"]);
    }

    #[test]
    fn unsupported_specs_are_named() {
        assert!(parse("{:>5}").unwrap_err().contains("`{:>5}` is not supported"));
        assert!(parse("{").unwrap_err().contains("without its `}`"));
        assert!(parse("}").unwrap_err().contains("without its `{`"));
    }
}
