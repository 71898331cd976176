//! Sharded sweeps: `wakescope sweep … --shard K/N --report shard-K.json` runs
//! one block of the seeds and writes what it found; `wakescope merge
//! shard-*.json` adds the shards up to the unsharded sweep's counts and
//! smallest failing seed.
//!
//! A report is one JSON object (format [`REPORT_FORMAT`], version
//! [`REPORT_VERSION`]): the target as the sweep described it, the whole
//! seed range, the shard and its block, how each run ended (in the sweep's
//! order of outcome kinds), and the shard's smallest failing seed with its
//! message, replay command and fingerprint. Merging checks that the reports
//! belong together — one target, one range, one shard count, each shard
//! exactly once — and refuses with the reason otherwise.
//!
//! The counts and the failure's first lines are written by this module for
//! the sweep and the merge alike ([`count_lines`], [`failure_lines`]), so the
//! two print the same.

use std::path::Path;

use serde_json::{Value, json};
use wakescope::sweep::{SHARDS_MAX, Shard};

use crate::{Exit, Output};

/// The `format` of a shard report.
pub const REPORT_FORMAT: &str = "wakescope-sweep-shard";
/// The `version` of a shard report this build writes and reads.
pub const REPORT_VERSION: u64 = 1;
/// Largest shard report `merge` reads.
pub const REPORT_BYTES_MAX: u64 = 1 << 20;

/// The smallest failing seed of a shard, as its report holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShardFailure {
    pub seed: u64,
    pub message: String,
    pub replay: String,
    /// The app address that opens it, when there is one.
    pub open: Option<String>,
    /// The recorded re-run's fingerprint, 16 hex digits.
    pub fingerprint: String,
    pub events: u64,
    /// Virtual time at the end of the recorded re-run.
    pub end_ns: u64,
}

/// What one shard of a sweep found.
#[derive(Clone, Debug, PartialEq)]
pub struct ShardReport {
    /// The target as the sweep describes it: `race (mode racy, …)`.
    pub target: String,
    /// The whole sweep's seeds.
    pub seeds: (u64, u64),
    pub shard: Shard,
    /// Whether the shard stopped at its first failure.
    pub stop_at_first: bool,
    pub runs: u64,
    pub failures: u64,
    /// How runs ended, by kind, in the sweep's order.
    pub outcomes: Vec<(String, u64)>,
    pub first_failure: Option<ShardFailure>,
}

/// `  completed                    9503`: one line per outcome kind.
pub fn count_lines(outcomes: &[(String, u64)]) -> Vec<String> {
    outcomes
        .iter()
        .map(|(kind, count)| format!("  {kind:<20} {count:>12}"))
        .collect()
}

/// `497 of 10000 seeds failed; the first is seed 12:` and the message.
pub fn failure_lines(failures: u64, runs: u64, seed: u64, message: &str) -> Vec<String> {
    vec![
        format!("{failures} of {runs} seeds failed; the first is seed {seed}:"),
        format!("  {message}"),
    ]
}

impl ShardReport {
    /// The report as JSON text.
    pub fn to_json(&self) -> String {
        let failure = self.first_failure.as_ref().map(|f| {
            json!({
                "seed": f.seed,
                "message": f.message,
                "replay": f.replay,
                "open": f.open,
                "fingerprint": f.fingerprint,
                "events": f.events,
                "end_ns": f.end_ns,
            })
        });
        let outcomes: Vec<Value> = self.outcomes.iter().map(|(k, n)| json!([k, n])).collect();
        let value = json!({
            "format": REPORT_FORMAT,
            "version": REPORT_VERSION,
            "target": self.target,
            "seeds": [self.seeds.0, self.seeds.1],
            "shard": [self.shard.index(), self.shard.count()],
            "stop_at_first": self.stop_at_first,
            "runs": self.runs,
            "failures": self.failures,
            "outcomes": outcomes,
            "first_failure": failure,
        });
        let mut text = serde_json::to_string_pretty(&value).expect("a report is plain JSON");
        text.push('\n');
        text
    }

    /// Reads a report written by [`ShardReport::to_json`]; every problem names the field.
    pub fn from_json(text: &str) -> Result<ShardReport, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if v["format"] != REPORT_FORMAT {
            return Err(format!("not a shard report (its `format` is not `{REPORT_FORMAT}`)"));
        }
        if v["version"] != REPORT_VERSION {
            return Err(format!(
                "a shard report of version {}, this build reads version {REPORT_VERSION}",
                v["version"]
            ));
        }
        let u = |v: &Value, what: &str| v.as_u64().ok_or_else(|| format!("`{what}` is not a whole number"));
        let s = |v: &Value, what: &str| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("`{what}` is not a string"))
        };
        let shard = Shard::new(u(&v["shard"][0], "shard")?, u(&v["shard"][1], "shard")?)?;
        let outcomes = v["outcomes"]
            .as_array()
            .ok_or("`outcomes` is not a list")?
            .iter()
            .map(|pair| Ok((s(&pair[0], "outcomes")?, u(&pair[1], "outcomes")?)))
            .collect::<Result<Vec<_>, String>>()?;
        let first_failure = match &v["first_failure"] {
            Value::Null => None,
            f => Some(ShardFailure {
                seed: u(&f["seed"], "first_failure.seed")?,
                message: s(&f["message"], "first_failure.message")?,
                replay: s(&f["replay"], "first_failure.replay")?,
                open: f["open"].as_str().map(str::to_string),
                fingerprint: s(&f["fingerprint"], "first_failure.fingerprint")?,
                events: u(&f["events"], "first_failure.events")?,
                end_ns: u(&f["end_ns"], "first_failure.end_ns")?,
            }),
        };
        Ok(ShardReport {
            target: s(&v["target"], "target")?,
            seeds: (u(&v["seeds"][0], "seeds")?, u(&v["seeds"][1], "seeds")?),
            shard,
            stop_at_first: v["stop_at_first"]
                .as_bool()
                .ok_or("`stop_at_first` is not true or false")?,
            runs: u(&v["runs"], "runs")?,
            failures: u(&v["failures"], "failures")?,
            outcomes,
            first_failure,
        })
    }
}

/// Reads one report file, refusing one past [`REPORT_BYTES_MAX`].
fn read_report(path: &Path) -> Result<ShardReport, String> {
    let name = path.display();
    let bytes = std::fs::metadata(path)
        .map_err(|e| format!("cannot read `{name}`: {e}"))?
        .len();
    if bytes > REPORT_BYTES_MAX {
        return Err(format!(
            "`{name}` is {bytes} bytes, more than a shard report may be ({REPORT_BYTES_MAX}, REPORT_BYTES_MAX)"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    ShardReport::from_json(&text).map_err(|e| format!("`{name}`: {e}"))
}

/// Adds shard reports up: the counts summed kind by kind, the smallest
/// failing seed; refuses reports that do not make one sweep.
pub fn merge_reports(reports: &[(String, ShardReport)]) -> Result<ShardReport, String> {
    let Some((first_name, first)) = reports.first() else {
        return Err("no shard reports to merge: give the files `--report` wrote".into());
    };
    let count = first.shard.count();
    let mut seen: Vec<Option<&str>> = vec![None; count as usize];
    for (name, r) in reports {
        let differs = |what: &str| format!("`{name}` is {what} than `{first_name}`: they are not shards of one sweep");
        if r.target != first.target {
            return Err(differs(&format!("a sweep of {} rather", r.target)));
        }
        if r.seeds != first.seeds {
            return Err(differs(&format!("over seeds {}..{} rather", r.seeds.0, r.seeds.1)));
        }
        if r.shard.count() != count {
            return Err(differs(&format!("shard {} of another number of shards", r.shard)));
        }
        if r.stop_at_first != first.stop_at_first {
            return Err(differs("a sweep with another --stop-at-first"));
        }
        let kinds = |r: &ShardReport| r.outcomes.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        if kinds(r) != kinds(first) {
            return Err(differs("written by another version of wakescope (other outcome kinds)"));
        }
        let slot = &mut seen[(r.shard.index() - 1) as usize];
        if let Some(other) = slot {
            return Err(format!("shard {} is given twice: `{other}` and `{name}`", r.shard));
        }
        *slot = Some(name);
    }
    let missing: Vec<String> = (1..=count)
        .filter(|k| seen[(*k - 1) as usize].is_none())
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} of {count} shards missing: {} (every shard's report is needed for the whole sweep's counts)",
            missing.len(),
            missing.join(", ")
        ));
    }
    let mut outcomes = first.outcomes.clone();
    for (_, r) in &reports[1..] {
        for (total, (_, n)) in outcomes.iter_mut().zip(&r.outcomes) {
            total.1 += n;
        }
    }
    let first_failure = reports
        .iter()
        .filter_map(|(_, r)| r.first_failure.as_ref())
        .min_by_key(|f| f.seed)
        .cloned();
    Ok(ShardReport {
        target: first.target.clone(),
        seeds: first.seeds,
        shard: Shard::WHOLE,
        stop_at_first: first.stop_at_first,
        runs: reports.iter().map(|(_, r)| r.runs).sum(),
        failures: reports.iter().map(|(_, r)| r.failures).sum(),
        outcomes,
        first_failure,
    })
}

/// `wakescope merge FILE…`: the shards' counts and smallest failing seed.
pub fn merge_command(paths: &[std::path::PathBuf]) -> Result<Exit, String> {
    if paths.len() as u64 > SHARDS_MAX {
        return Err(format!(
            "{} reports is more than the {SHARDS_MAX} shards a sweep may have",
            paths.len()
        ));
    }
    let reports = paths
        .iter()
        .map(|p| Ok((p.display().to_string(), read_report(p)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let merged = merge_reports(&reports)?;
    let mut out = vec![format!(
        "sweep {} over seeds {}..{}, merged from {} shard report(s)",
        merged.target,
        merged.seeds.0,
        merged.seeds.1,
        reports.len()
    )];
    out.extend(count_lines(&merged.outcomes));
    out.push(format!("{} seeds", merged.runs));
    if merged.stop_at_first {
        out.push(
            "the shards stopped at their first failures (--stop-at-first): the counts are of the seeds that ran".into(),
        );
    }
    let exit = match &merged.first_failure {
        None => {
            out.push("no failing seed".to_string());
            Exit::Ok
        }
        Some(f) => {
            out.extend(failure_lines(merged.failures, merged.runs, f.seed, &f.message));
            out.push(format!(
                "  fingerprint {}, {} events, ends at t={}",
                f.fingerprint,
                f.events,
                wakescope::sweep::format_time_ns(f.end_ns)
            ));
            out.push(format!("  replay: {}", f.replay));
            if let Some(url) = &f.open {
                out.push(format!("  open:   {url}"));
            }
            Exit::Failure
        }
    };
    let mut text = out.join("\n");
    text.push('\n');
    Output::open(None)?.write(&text)?;
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(k: u64, n: u64, failure: Option<u64>) -> ShardReport {
        ShardReport {
            target: "race (mode racy)".into(),
            seeds: (0, 100),
            shard: Shard::new(k, n).unwrap(),
            stop_at_first: false,
            runs: 50,
            failures: u64::from(failure.is_some()),
            outcomes: vec![
                ("completed".into(), 50 - u64::from(failure.is_some())),
                ("check failed".into(), u64::from(failure.is_some())),
            ],
            first_failure: failure.map(|seed| ShardFailure {
                seed,
                message: format!("seed {seed} failed"),
                replay: format!("wakescope run race --seed {seed}"),
                open: None,
                fingerprint: "00000000000000ff".into(),
                events: 23,
                end_ns: 0,
            }),
        }
    }

    #[test]
    fn a_report_reads_back_as_written() {
        for r in [report(1, 2, None), report(2, 2, Some(77))] {
            assert_eq!(ShardReport::from_json(&r.to_json()).unwrap(), r);
        }
        assert!(ShardReport::from_json("{}").unwrap_err().contains("not a shard report"));
    }

    #[test]
    fn merging_sums_the_counts_and_keeps_the_smallest_failing_seed() {
        let merged = merge_reports(&[
            ("b".into(), report(2, 2, Some(60))),
            ("a".into(), report(1, 2, Some(7))),
        ])
        .unwrap();
        assert_eq!((merged.runs, merged.failures), (100, 2));
        assert_eq!(
            merged.outcomes,
            [("completed".to_string(), 98), ("check failed".to_string(), 2)]
        );
        assert_eq!(merged.first_failure.unwrap().seed, 7);
    }

    #[test]
    fn reports_that_are_not_one_sweep_are_refused_with_the_reason() {
        let missing = merge_reports(&[("a".into(), report(1, 3, None))]).unwrap_err();
        assert!(missing.contains("2 of 3 shards missing: 2/3, 3/3"), "{missing}");
        let twice = merge_reports(&[("a".into(), report(1, 2, None)), ("b".into(), report(1, 2, None))]).unwrap_err();
        assert!(twice.contains("shard 1/2 is given twice: `a` and `b`"), "{twice}");
        let mut other = report(2, 2, None);
        other.seeds = (0, 99);
        let err = merge_reports(&[("a".into(), report(1, 2, None)), ("b".into(), other)]).unwrap_err();
        assert!(err.contains("over seeds 0..99"), "{err}");
        assert!(merge_reports(&[]).unwrap_err().contains("no shard reports"));
    }
}
