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
//!
//! `&schedule=s:…` replays a schedule instead of the seed's random choices
//! (a shrunk run, a fork's continuation): the seed still gives the tasks'
//! own random draws. A schedule that cannot be read, or one longer than
//! [`SCHEDULE_CHARS_MAX`], is a sentence, and the seed's own run is shown.
//!
//! A playground program travels in the fragment: `?seed=42&step=17#code=…`,
//! where `…` is lz-string's `compressToEncodedURIComponent` of the text —
//! what the JavaScript `lz-string` package writes and reads, so links can be
//! made and read outside the page. [`code_hash`] writes it (refusing a
//! program over [`PROGRAM_BYTES_MAX`] or a link over [`CODE_HASH_CHARS_MAX`]);
//! [`parse_hash`] reads it, and a damaged or cut-short link is a sentence,
//! never a garbled program.

use wakescope::Schedule;
use wakescope::compare::Against;
use wakescope::scenarios::{self, Params, Scenario};
use wakescope_playground::PROGRAM_BYTES_MAX;

/// Longest `#code=` value written or read, in characters. A 16 KiB program
/// of ordinary Rust compresses to well under half of it; the bound also caps
/// what the decompressor may be asked to expand.
pub const CODE_HASH_CHARS_MAX: usize = 24 * 1024;
/// What a `#code=` value is made of: lz-string's URI-safe alphabet.
const CODE_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";

/// Longest `schedule=` value read, in characters: one per decision, so a
/// few thousand decisions. A shrunk schedule is a handful.
pub const SCHEDULE_CHARS_MAX: usize = 8 * 1024;

/// Longest `vs=` value read, in characters: a schedule and a few changes.
pub const VS_CHARS_MAX: usize = SCHEDULE_CHARS_MAX + 256;

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
    /// The schedule to replay instead of the seed's own choices.
    pub schedule: Option<Schedule>,
    /// `None`: start at step 0. `Some(u64::MAX)`: the last step.
    pub step: Option<u64>,
    /// The run to compare this one with (`&vs=seed:13`), if any.
    pub vs: Option<Against>,
}

impl PartialEq for Request {
    fn eq(&self, other: &Request) -> bool {
        self.scenario.id == other.scenario.id
            && self.params == other.params
            && self.seed == other.seed
            && self.schedule == other.schedule
            && self.step == other.step
            && self.vs == other.vs
    }
}

impl Eq for Request {}

impl Request {
    /// True when both ask for the same run (scenario, parameters, seed, schedule), whatever the step.
    pub fn same_run(&self, other: &Request) -> bool {
        self.scenario.id == other.scenario.id
            && self.params == other.params
            && self.seed == other.seed
            && self.schedule == other.schedule
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
    let mut schedule_text: Option<String> = None;
    let mut vs_text: Option<String> = None;
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
            "schedule" => &mut schedule_text,
            "vs" => &mut vs_text,
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
    let schedule = schedule_text.as_deref().and_then(|text| match parse_schedule(text) {
        Ok(schedule) => Some(schedule),
        Err(e) => {
            errors.push(format!("{e}; showing the seed's own run"));
            None
        }
    });
    let vs = vs_text.as_deref().and_then(|text| match parse_vs(text) {
        Ok(vs) => Some(vs),
        Err(e) => {
            errors.push(format!("{e}; showing the run without a comparison"));
            None
        }
    });
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
            schedule,
            step,
            vs,
        },
        errors,
    }
}

/// Reads what to compare with: `seed:N`, `mode:M`, `policy:P`,
/// `schedule:s:…` or `param:NAME=VALUE`, comma-joined (as `wakescope diff --vs`).
pub fn parse_vs(text: &str) -> Result<Against, String> {
    if text.chars().count() > VS_CHARS_MAX {
        return Err(format!(
            "vs= is {} characters long, over the {VS_CHARS_MAX}-character limit",
            text.chars().count()
        ));
    }
    text.parse::<Against>()
        .map_err(|e| format!("vs=`{}` is not a run to compare with: {e}", quote(text)))
}

/// Appends `&vs=…` for the comparison on screen, if there is one.
pub fn push_vs(out: &mut String, vs: Option<&Against>) {
    if let Some(vs) = vs {
        out.push_str("&vs=");
        out.push_str(&vs.to_string());
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

/// Reads a schedule, `s:` and one base-36 digit per decision (`(n)` past 35).
pub fn parse_schedule(text: &str) -> Result<Schedule, String> {
    let t = text.trim();
    if t.chars().count() > SCHEDULE_CHARS_MAX {
        return Err(format!(
            "the schedule is {} characters long, over the {SCHEDULE_CHARS_MAX}-character limit",
            t.chars().count()
        ));
    }
    t.parse::<Schedule>().map_err(|_| {
        format!(
            "schedule `{}` is not a schedule: it is `s:` and one base-36 digit (0–9, a–z) per decision, as `wakescope shrink` prints",
            quote(t)
        )
    })
}

/// The message for a step past the end of the recorded run.
pub fn step_past_end(step: u64, total: u64) -> String {
    format!("step {step} is past the end of this run ({total} steps); showing the last step")
}

/// The query string for a view, starting with `?`; parameters in the
/// scenario's order, then the schedule when one is replayed.
pub fn format(scenario: &Scenario, params: &Params, seed: u64, schedule: Option<&Schedule>, step: u64) -> String {
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
    push_schedule(&mut out, schedule);
    out
}

/// The query string of a program run, starting with `?`: the seed, the
/// step and the schedule, if one is replayed (the program itself goes in
/// the fragment, [`code_hash`]).
pub fn format_program(seed: u64, schedule: Option<&Schedule>, step: u64) -> String {
    let mut out = format!("?seed={seed}&step={step}");
    push_schedule(&mut out, schedule);
    out
}

fn push_schedule(out: &mut String, schedule: Option<&Schedule>) {
    if let Some(schedule) = schedule {
        // `s:`, digits and parentheses: `:`, `(` and `)` are kept as they are.
        out.push_str("&schedule=");
        out.push_str(&schedule.to_string());
    }
}

/// The fragment that carries `text`, starting with `#code=`; a program too
/// long to share gets a sentence instead.
pub fn code_hash(text: &str) -> Result<String, String> {
    if text.len() > PROGRAM_BYTES_MAX {
        return Err(format!(
            "this program is {} bytes, over the {PROGRAM_BYTES_MAX}-byte limit: it cannot run or be shared by link (the text is kept)",
            text.len()
        ));
    }
    let code = lz_str::compress_to_encoded_uri_component(text);
    if code.len() > CODE_HASH_CHARS_MAX {
        return Err(format!(
            "this program compresses to a link of {} characters, over the {CODE_HASH_CHARS_MAX}-character limit: it cannot be shared by link (the text is kept)",
            code.len()
        ));
    }
    Ok(format!("#code={code}"))
}

/// Reads the fragment (with or without its `#`): `Ok(None)` when it carries
/// no program, the program's text, or a sentence saying why the link cannot
/// be read.
pub fn parse_hash(hash: &str) -> Result<Option<String>, String> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let Some(code) = hash.strip_prefix("code=") else {
        return Ok(None);
    };
    // Some mailers and chat tools percent-encode what they pass on.
    let code = decode(code).replace(' ', "+");
    let damaged = "the program in this link (`#code=…`) is damaged or cut short and could not be read; \
                   ask for the link again";
    if code.is_empty() {
        return Err("the link's `#code=` is empty: it holds no program".into());
    }
    if code.chars().count() > CODE_HASH_CHARS_MAX {
        return Err(format!(
            "the program in this link is {} characters long, over the {CODE_HASH_CHARS_MAX}-character limit; it was not read",
            code.chars().count()
        ));
    }
    if !code.chars().all(|c| CODE_ALPHABET.contains(c)) {
        return Err(damaged.into());
    }
    let wide = lz_str::decompress_from_encoded_uri_component(&code).ok_or_else(|| damaged.to_string())?;
    let text = String::from_utf16(&wide).map_err(|_| damaged.to_string())?;
    // A damaged stream can still decode; what it gives is not a program's text.
    let garbled = text.is_empty() || text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    if garbled {
        return Err(damaged.into());
    }
    if text.len() > PROGRAM_BYTES_MAX {
        return Err(format!(
            "the program in this link is {} bytes, over the playground's {PROGRAM_BYTES_MAX}-byte limit; it was not opened",
            text.len()
        ));
    }
    Ok(Some(text))
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
