//! A schedule: the scheduling decisions of one run, as a compact string
//! (`s:0102`: one base-36 digit per decision, `(n)` past 35) that
//! [`crate::Sim::with_schedule`] replays exactly — the way to hand a failing
//! interleaving to someone else. [`crate::explore`] enumerates them.

use std::fmt;
use std::str::FromStr;

/// One schedule: the index picked from the ready queue at each decision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Schedule {
    choices: Vec<u32>,
}

impl Schedule {
    /// A schedule from its choices.
    pub fn from_choices(choices: Vec<u32>) -> Schedule {
        Schedule { choices }
    }

    /// The choices, in decision order.
    pub fn choices(&self) -> &[u32] {
        &self.choices
    }
}

const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("s:")?;
        for &c in &self.choices {
            match DIGITS.get(c as usize) {
                Some(d) => write!(f, "{}", *d as char)?,
                None => write!(f, "({c})")?,
            }
        }
        Ok(())
    }
}

impl FromStr for Schedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Schedule, String> {
        let body = s
            .strip_prefix("s:")
            .ok_or_else(|| format!("schedule `{s}` must start with `s:`"))?;
        let mut choices = Vec::new();
        let mut chars = body.char_indices();
        while let Some((at, c)) = chars.next() {
            if c == '(' {
                let rest = &body[at + 1..];
                let end = rest
                    .find(')')
                    .ok_or_else(|| format!("unclosed `(` at position {} of `{s}`", at + 2))?;
                let n: u32 = rest[..end]
                    .parse()
                    .map_err(|_| format!("`({})` in `{s}` is not a number", &rest[..end]))?;
                choices.push(n);
                for _ in 0..=end {
                    chars.next();
                }
            } else {
                let d = DIGITS
                    .iter()
                    .position(|d| *d as char == c)
                    .ok_or_else(|| format!("`{c}` in schedule `{s}` is not a base-36 digit"))?;
                choices.push(d as u32);
            }
        }
        Ok(Schedule { choices })
    }
}
