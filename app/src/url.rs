//! The view in the address bar: `?s=timers&mode=concurrent&seed=42&step=17`.
//!
//! [`parse`] reads a query string into a [`Request`]: a scenario, its
//! validated parameters, a seed and an optional step. Every problem — an
//! unknown scenario, a seed that is not a `u64`, a step that is not a number,
//! a bad parameter — becomes a sentence in [`Parsed::errors`] and a sensible
//! fallback (the default scenario, seed 0, the last step, the parameter's
//! default), never a panic. [`format`] writes the query back. Both are pure:
//! the browser side only moves strings in and out of `location`.
//!
//! Whether a step lies past the end is known only once the run is recorded;
//! [`step_past_end`] words that message for the caller.

use wakescope::scenarios::{self, Params, Scenario};

/// Characters of user text quoted back in an error message.
const QUOTE_CHARS_MAX: usize = 40;
/// Query pairs read; the rest are ignored with a message.
const PAIRS_MAX: usize = 64;

/// What the address asks to show.
#[derive(Clone, Debug)]
pub struct Request {
    pub scenario: &'static Scenario,
    pub params: Params,
    pub seed: u64,
    /// `None`: start at step 0. `Some(u64::MAX)`: the last step.
    pub step: Option<u64>,
}

impl PartialEq for Request {
    fn eq(&self, other: &Request) -> bool {
        self.scenario.id == other.scenario.id
            && self.params == other.params
            && self.seed == other.seed
            && self.step == other.step
    }
}

impl Eq for Request {}

impl Request {
    /// True when both ask for the same run (scenario, parameters, seed), whatever the step.
    pub fn same_run(&self, other: &Request) -> bool {
        self.scenario.id == other.scenario.id && self.params == other.params && self.seed == other.seed
    }
}

/// A parsed address: the request and what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub request: Request,
    /// One sentence per problem, each naming the fallback used.
    pub errors: Vec<String>,
}

/// The scenario shown when the address names none (or a wrong one).
pub fn default_scenario() -> &'static Scenario {
    &scenarios::registry()[0]
}

/// Reads a query string (with or without the leading `?`).
pub fn parse(query: &str) -> Parsed {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut errors = Vec::new();
    let mut scenario_id: Option<String> = None;
    let mut mode: Option<String> = None;
    let mut seed_text: Option<String> = None;
    let mut step_text: Option<String> = None;
    let mut given: Vec<(String, String)> = Vec::new();
    let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if pairs.len() > PAIRS_MAX {
        errors.push(format!(
            "the address has {} parameters; only the first {PAIRS_MAX} were read",
            pairs.len()
        ));
    }
    for pair in pairs.into_iter().take(PAIRS_MAX) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode(key), decode(value));
        let slot = match key.as_str() {
            "s" => &mut scenario_id,
            "mode" => &mut mode,
            "seed" => &mut seed_text,
            "step" => &mut step_text,
            _ => {
                given.push((key, value));
                continue;
            }
        };
        *slot = Some(value);
    }

    let scenario = match scenario_id.as_deref() {
        None => default_scenario(),
        Some(id) => match scenarios::find(id) {
            Some(s) => s,
            None => {
                let fallback = default_scenario();
                errors.push(format!(
                    "unknown scenario `{}`; known: {}; showing `{}` with its default mode and parameters",
                    quote(id),
                    scenarios::registry()
                        .iter()
                        .map(|s| s.id)
                        .collect::<Vec<_>>()
                        .join(", "),
                    fallback.id
                ));
                // Mode and parameters were meant for another scenario.
                mode = None;
                given.clear();
                fallback
            }
        },
    };
    let (params, param_errors) = scenario.params(mode.as_deref(), given.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    errors.extend(param_errors.into_iter().map(|e| clip_message(&e.message)));

    let seed = match seed_text.as_deref() {
        None => 0,
        Some(text) => parse_seed(text).unwrap_or_else(|e| {
            errors.push(format!("{e}; using seed 0"));
            0
        }),
    };
    let step = match step_text.as_deref() {
        None => None,
        Some(text) => match text.trim().parse::<u64>() {
            Ok(k) => Some(k),
            Err(_) => {
                errors.push(format!(
                    "step `{}` is not a whole number from 0 up; showing the last step",
                    quote(text)
                ));
                Some(u64::MAX)
            }
        },
    };
    Parsed {
        request: Request {
            scenario,
            params,
            seed,
            step,
        },
        errors,
    }
}

/// Reads a seed: a whole number from 0 to 18446744073709551615.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the seed is empty; it must be a whole number from 0 to 18446744073709551615".into());
    }
    if let Ok(seed) = t.parse::<u64>() {
        return Ok(seed);
    }
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Err(format!(
            "seed `{}` is out of range; it must be from 0 to 18446744073709551615",
            quote(t)
        ))
    } else {
        Err(format!(
            "seed `{}` is not a whole number from 0 to 18446744073709551615",
            quote(t)
        ))
    }
}

/// The message for a step past the end of the recorded run.
pub fn step_past_end(step: u64, total: u64) -> String {
    format!("step {step} is past the end of this run ({total} steps); showing the last step")
}

/// The query string for a view, starting with `?`; parameters in the scenario's order.
pub fn format(scenario: &Scenario, params: &Params, seed: u64, step: u64) -> String {
    let mut out = format!(
        "?s={}&mode={}&seed={seed}&step={step}",
        encode(scenario.id),
        encode(params.mode)
    );
    for (name, value) in &params.values {
        out.push('&');
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&value.to_string());
    }
    out
}

/// Percent-decodes a query component (`+` is a space); bad escapes stay as they are.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// User text as quoted in a message: cut, control characters dropped.
fn quote(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    crate::model::describe::clip(&clean, QUOTE_CHARS_MAX)
}

/// A message from the scenario's parameter check, cut to a readable length.
fn clip_message(message: &str) -> String {
    let clean: String = message.chars().filter(|c| !c.is_control()).collect();
    crate::model::describe::clip(&clean, 200)
}
