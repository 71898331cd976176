//! Near misses: the spelling the user probably meant, as tips under a usage
//! error.
//!
//! Clap suggests near subcommands, options and values itself. These tips
//! cover what it cannot know: scenario ids, modes and parameters, which come
//! from the registry, and the two ways of mixing up a parameter with an
//! option (`--param mode=sequential` for `--mode sequential`, `--popcorn_s 4`
//! or `popcorn_s=4` for `--param popcorn_s=4`).

use std::ffi::OsString;

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use wakescope::scenarios::{self, Scenario};

/// Tips for a target that the registry refused ([`crate::selection::Selection::resolve`]):
/// the nearest scenario id, mode, parameter or option of `command`.
pub fn selection_tips(
    command: &clap::Command,
    id: &str,
    mode: Option<&str>,
    params: &[(String, String)],
) -> Vec<String> {
    let Some(scenario) = scenarios::find(id) else {
        let ids = scenarios::registry().iter().map(|s| s.id);
        return closest(id, ids)
            .map(|s| format!("did you mean `{s}`?"))
            .into_iter()
            .collect();
    };
    let mut tips = Vec::new();
    if let Some(mode) = mode
        && scenario.mode(mode).is_none()
        && let Some(near) = closest(mode, scenario.modes.iter().map(|m| m.id))
    {
        tips.push(format!("did you mean `--mode {near}`?"));
    }
    let options = options(command);
    for (name, value) in params {
        if scenario.params.iter().any(|p| p.name == name) {
            continue;
        }
        let as_option = |option: &str| format!("--{option} {value}").trim_end().to_string();
        let tip = if let Some(option) = options.iter().find(|o| normalize(o) == normalize(name)) {
            format!(
                "`{name}` is an option, not a parameter of {}: did you mean `{}`?",
                scenario.id,
                as_option(option)
            )
        } else if let Some(near) = closest(name, param_names(scenario)) {
            format!("did you mean `--param {near}={value}`?")
        } else if let Some(near) = closest(name, options.iter().copied()) {
            format!("did you mean `{}`?", as_option(near))
        } else if scenario.params.is_empty() {
            format!("{} takes no parameters", scenario.id)
        } else {
            let names: Vec<&str> = param_names(scenario).collect();
            format!("the parameters of {} are {}", scenario.id, names.join(", "))
        };
        tips.push(tip);
    }
    tips
}

/// `message` followed by `tips`, laid out as clap lays out its own.
pub fn with_tips(command: &clap::Command, message: String, tips: &[String]) -> String {
    if tips.is_empty() {
        return message;
    }
    let valid = command.get_styles().get_valid();
    let mut text = message;
    text.push('\n');
    for tip in tips {
        text.push_str(&format!("\n  {valid}tip:{valid:#} {tip}"));
    }
    text
}

/// Adds a tip to clap's "unexpected argument" error when the argument is a
/// scenario parameter written as an option (`--popcorn_s 4`) or without
/// `--param` (`popcorn_s=4`, `mode=sequential`). `cli` is the whole command
/// line's declaration; `argv` what the user typed, program name first.
pub fn unknown_argument(mut err: clap::Error, cli: &clap::Command, argv: &[OsString]) -> clap::Error {
    if err.kind() != ErrorKind::UnknownArgument {
        return err;
    }
    let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg).cloned() else {
        return err;
    };
    let words: Vec<String> = argv.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let Some((at, command)) = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| cli.find_subcommand(w).map(|c| (i, c)))
    else {
        return err;
    };
    let Some(scenario) = words[at + 1..].iter().find_map(|w| scenarios::find(w)) else {
        return err;
    };
    let tip = if let Some(flag) = arg.strip_prefix("--") {
        // An option: clap has suggested options already; a parameter is the other reading.
        let value = value_of(&words, &arg).unwrap_or_else(|| "VALUE".into());
        parameter_tip(scenario, flag, &value)
    } else if let Some((name, value)) = arg.split_once('=') {
        let options = options(command);
        match options.iter().find(|o| normalize(o) == normalize(name)) {
            Some(option) => Some(format!("did you mean `--{option} {value}`?")),
            None => parameter_tip(scenario, name, value),
        }
    } else {
        None
    };
    if let Some(tip) = tip {
        // In place of clap's own tip here ("to pass '--popcorn_s' as a value, use '-- --popcorn_s'").
        err.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![StyledStr::from(tip)]),
        );
    }
    err
}

/// `did you mean --param …` when `name` is, or is near, a parameter of `scenario`.
fn parameter_tip(scenario: &Scenario, name: &str, value: &str) -> Option<String> {
    let near = closest(name, param_names(scenario))?;
    Some(if normalize(near) == normalize(name) {
        format!(
            "`{near}` is a parameter of {}: did you mean `--param {near}={value}`?",
            scenario.id
        )
    } else {
        format!("did you mean `--param {near}={value}`?")
    })
}

/// The value given to the option `arg`: after `=` or as the next word
/// (unless that is an option itself).
fn value_of(words: &[String], arg: &str) -> Option<String> {
    words.iter().enumerate().find_map(|(at, w)| match w.strip_prefix(arg) {
        Some("") => words.get(at + 1).filter(|next| !next.starts_with("--")).cloned(),
        Some(rest) => rest.strip_prefix('=').map(str::to_string),
        None => None,
    })
}

fn param_names(scenario: &Scenario) -> impl Iterator<Item = &'static str> + '_ {
    scenario.params.iter().map(|p| p.name)
}

/// The long options of `command` that take a value (all but `--help`), without `--param`.
fn options(command: &clap::Command) -> Vec<&str> {
    command
        .get_arguments()
        .filter_map(|a| a.get_long())
        .filter(|l| !matches!(*l, "help" | "param"))
        .collect()
}

/// `text` lower-cased, with `_` read as `-`: `Steps_Max` is `steps-max`.
fn normalize(text: &str) -> String {
    text.to_lowercase().replace('_', "-")
}

/// The candidate nearest to `given`, if it is near enough to be a slip (at
/// most one edit in four characters, at least one allowed), or else the one
/// candidate that `given` abbreviates (`seq` for `sequential`).
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = normalize(given);
    let candidates: Vec<(String, &str)> = candidates.into_iter().map(|c| (normalize(c), c)).collect();
    let allowed = 1 + given.chars().count() / 4;
    let near = candidates
        .iter()
        .map(|(n, c)| (distance(&given, n), *c))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    let abbreviated = || match candidates
        .iter()
        .filter(|(n, _)| n.starts_with(&given))
        .collect::<Vec<_>>()[..]
    {
        [(_, c)] if given.chars().count() >= 2 => Some(*c),
        _ => None,
    };
    near.or_else(abbreviated)
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    rows[0] = (0..=b.len()).collect();
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_spellings_are_found_and_far_ones_are_not() {
        assert_eq!(distance("mdoe", "mode"), 1);
        assert_eq!(distance("popcorn", "popcorn_s"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(closest("timerz", ["timers", "race"]), Some("timers"));
        assert_eq!(closest("Steps_Max", ["seed", "steps-max"]), Some("steps-max"));
        assert_eq!(closest("popcorn", ["boiler_s", "popcorn_s"]), Some("popcorn_s"));
        assert_eq!(closest("eggs_s", ["popcorn_s", "boiler_s", "cookies_s"]), None);
        assert_eq!(closest("x", ["yy"]), None);
        assert_eq!(closest("seq", ["concurrent", "sequential"]), Some("sequential"));
        assert_eq!(closest("s", ["sequential"]), None);
        assert_eq!(closest("co", ["cookies_s", "concurrent"]), None);
    }
}
