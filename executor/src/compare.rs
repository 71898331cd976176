//! Two runs side by side: where they first differ, and how they end differently.
//!
//! Two traces are walked in step (event index) order; the **first
//! divergence** is the first index where their events differ, said as
//! "step 17: A polled `b`, B polled `a`". Two comparisons:
//! - [`Strictness::Exact`] (the determinism self-check): every field and
//!   every side field of the event, the way the executor wrote it.
//! - [`Strictness::Behaviour`] (comparing two runs the user chose): what
//!   happened, not how a policy wrote it — a poll of the same task is the
//!   same step whether the random policy took it from its place with a
//!   refill or a replayed schedule without one.
//!
//! After the divergence the runs go their own ways; [`Comparison`] also
//! sums up how they end: the outcome, the virtual time, the number of
//! events, and every task whose end state or number of polls differs.
//! [`Against`] is the other run of a comparison as the CLI and the app's
//! address write it: `seed:13`, `mode:locked`, `policy:fifo`,
//! `schedule:s:0102`, `param:tasks=3`, several joined by commas.

use std::fmt;
use std::str::FromStr;

use crate::config::Policy;
use crate::describe::{describe, describe_record, format_time_ns};
use crate::schedule::Schedule;
use crate::task::TaskId;
use crate::trace::{EndReason, Event, EventRecord, Trace};
use crate::view::ViewState;

/// How strictly two events must agree to be the same step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// Every field, side fields included, as written: two runs of one seed.
    Exact,
    /// What happened: a pick is the task picked, however the policy wrote it.
    Behaviour,
}

/// The first step at which two runs differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstDivergence {
    /// The index of the first event that differs.
    pub step: u64,
    /// Run A's event there, if its trace had one.
    pub a: Option<EventRecord>,
    /// Run B's event there, if its trace had one.
    pub b: Option<EventRecord>,
    /// Run A's event in words (time, subject, action).
    pub a_text: String,
    /// Run B's event in words.
    pub b_text: String,
    /// The divergence in one line: "step 17: A polled `b`, B polled `a`".
    pub summary: String,
}

impl fmt::Display for FirstDivergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary)?;
        writeln!(f, "  A: {}", self.a_text)?;
        write!(f, "  B: {}", self.b_text)
    }
}

/// How one task ends in each run, when the two differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDifference {
    /// The task (the same id in both: ids are given in spawn order).
    pub task: TaskId,
    /// Its name in A, or in B when A never spawned it.
    pub name: String,
    /// In A: its end state and polls, or "never spawned".
    pub a: String,
    /// In B.
    pub b: String,
}

/// Two runs compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Where they first differ; `None` when every step is the same.
    pub divergence: Option<FirstDivergence>,
    /// Events in A and in B.
    pub events: (u64, u64),
    /// How each run ended, in words.
    pub ends: (String, String),
    /// The virtual time of each run's last event.
    pub end_ns: (u64, u64),
    /// The tasks whose end state or polls differ, by id.
    pub tasks: Vec<TaskDifference>,
}

impl Comparison {
    /// True when the runs are the same, step for step.
    pub fn is_same(&self) -> bool {
        self.divergence.is_none()
    }

    /// The differences at the end, one line each (none when the runs are the same).
    pub fn differences(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.ends.0 != self.ends.1 {
            lines.push(format!("outcome: A {}, B {}", self.ends.0, self.ends.1));
        }
        if self.end_ns.0 != self.end_ns.1 {
            lines.push(format!(
                "clock: A ends at t={}, B at t={}",
                format_time_ns(self.end_ns.0),
                format_time_ns(self.end_ns.1)
            ));
        }
        if self.events.0 != self.events.1 {
            lines.push(format!("events: A {}, B {}", self.events.0, self.events.1));
        }
        for t in &self.tasks {
            lines.push(format!("{} {}: A {}; B {}", t.name, t.task, t.a, t.b));
        }
        lines
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.divergence {
            None => write!(f, "the runs are the same, step for step ({} events)", self.events.0),
            Some(d) => {
                write!(f, "first divergence: {d}")?;
                let differences = self.differences();
                if differences.is_empty() {
                    write!(f, "\nthey end the same way")?;
                } else {
                    write!(f, "\nat the end:")?;
                    for line in differences {
                        write!(f, "\n  {line}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// Whether two events are the same step under `strictness`; the hashes
/// are the events' own ([`Trace::event_hashes`]), side fields included.
fn same_step(
    (a, ta, ha): (&EventRecord, &Trace, u64),
    (b, tb, hb): (&EventRecord, &Trace, u64),
    strictness: Strictness,
) -> bool {
    if ha == hb && a.time_ns == b.time_ns && a.event == b.event {
        return true;
    }
    if strictness == Strictness::Exact || a.time_ns != b.time_ns {
        return false;
    }
    match (a.event, b.event) {
        (Event::PollStarted { task: x, .. }, Event::PollStarted { task: y, .. })
        | (Event::Delayed { task: x, .. }, Event::Delayed { task: y, .. }) => x == y,
        // The same event with other side fields (a message, a name), or
        // the same words for what two traces number differently.
        (x, y) => x == y && describe_record(ta, a) == describe_record(tb, b),
    }
}

/// The index of the first step at which `a` and `b` differ, if any.
pub fn first_difference(a: &Trace, b: &Trace, strictness: Strictness) -> Option<u64> {
    if strictness == Strictness::Exact && a.len() == b.len() && a.fingerprint() == b.fingerprint() {
        return None;
    }
    let mut left = a.iter().zip(a.event_hashes());
    let mut right = b.iter().zip(b.event_hashes());
    for step in 0u64.. {
        match (left.next(), right.next()) {
            (None, None) => return None,
            (Some((x, hx)), Some((y, hy))) => {
                if !same_step((&x, a, hx), (&y, b, hy), strictness) {
                    return Some(step);
                }
            }
            _ => return Some(step),
        }
    }
    None
}

/// The event at `step` of `trace` and its words ("(the run has ended)" past its end).
fn at(trace: &Trace, step: u64) -> (Option<EventRecord>, String) {
    let record = trace.iter().nth(step as usize);
    let text = match &record {
        Some(r) => describe_record(trace, r),
        None => "(the run has ended)".to_string(),
    };
    (record, text)
}

/// What a run did at a step, as a short phrase: "polled `b`", "ended".
fn phrase(trace: &Trace, record: Option<&EventRecord>) -> String {
    let Some(record) = record else {
        return "had ended".to_string();
    };
    let name = |t: TaskId| trace.task(t).map_or_else(|| t.to_string(), |i| i.name.to_string());
    match record.event {
        Event::PollStarted { task, .. } => format!("polled `{}`", name(task)),
        Event::Delayed { task, .. } => format!("delayed `{}`", name(task)),
        _ => {
            let words = describe(trace, record);
            format!("{}: {}", words.subject, words.action)
        }
    }
}

/// Where `a` and `b` first differ under `strictness`, in words.
pub fn first_divergence(a: &Trace, b: &Trace, strictness: Strictness) -> Option<FirstDivergence> {
    let step = first_difference(a, b, strictness)?;
    let (ra, a_text) = at(a, step);
    let (rb, b_text) = at(b, step);
    let summary = format!(
        "step {step}: A {}, B {}",
        phrase(a, ra.as_ref()),
        phrase(b, rb.as_ref())
    );
    Some(FirstDivergence {
        step,
        a: ra,
        b: rb,
        a_text,
        b_text,
        summary,
    })
}

/// How a run ended, in words: the `Ended` event's reason, with the check's
/// or the panic's message.
fn end_words(trace: &Trace) -> String {
    let reason = trace.iter().find_map(|r| match r.event {
        Event::Ended { reason } => Some(reason),
        _ => None,
    });
    match reason {
        None => "did not end".to_string(),
        Some(EndReason::CheckFailed) => format!("failed a check ({})", trace.check_message(0).unwrap_or("no message")),
        Some(EndReason::Panicked) => {
            let message = trace.iter().find_map(|r| match r.event {
                Event::Panicked { task } => trace.panic_message(task).map(str::to_string),
                _ => None,
            });
            format!("panicked ({})", message.unwrap_or_default())
        }
        Some(EndReason::Completed) => "completed".to_string(),
        Some(EndReason::Deadlock) => "deadlocked".to_string(),
        Some(EndReason::StepsLimit) => "hit the step limit".to_string(),
        Some(EndReason::TimeLimit) => "hit the virtual-time limit".to_string(),
        Some(EndReason::TasksLimit) => "hit the task limit".to_string(),
        Some(EndReason::TimersLimit) => "hit the timer limit".to_string(),
    }
}

/// Compares two runs (see the [module docs](self)).
///
/// ```
/// use wakescope::{compare::{compare, Strictness}, yield_now, Config, Schedule, Sim};
/// let run = |schedule: &str| {
///     let mut sim = Sim::with_schedule(Config::seeded(0), &schedule.parse::<Schedule>().unwrap());
///     for name in ["a", "b"] {
///         let _t = sim.spawn(name, async { yield_now().await });
///     }
///     sim.run();
///     sim.trace_clone()
/// };
/// let c = compare(&run("s:0"), &run("s:1"), Strictness::Behaviour);
/// assert_eq!(c.divergence.unwrap().summary, "step 2: A polled `a`, B polled `b`");
/// assert!(compare(&run("s:1"), &run("s:1"), Strictness::Behaviour).is_same());
/// ```
pub fn compare(a: &Trace, b: &Trace, strictness: Strictness) -> Comparison {
    let divergence = first_divergence(a, b, strictness);
    let (va, vb) = (ViewState::fold(a, u64::MAX), ViewState::fold(b, u64::MAX));
    let mut tasks = Vec::new();
    if divergence.is_some() {
        let n = va.tasks.len().max(vb.tasks.len());
        for i in 0..n {
            let task = TaskId(i as u32);
            let end = |v: &ViewState| {
                v.tasks.get(i).map_or_else(
                    || "never spawned".to_string(),
                    |t| format!("{} after {} poll(s)", t.status.as_str(), t.polls),
                )
            };
            let (ea, eb) = (end(&va), end(&vb));
            if ea != eb {
                let name = a
                    .task(task)
                    .or_else(|| b.task(task))
                    .map_or_else(String::new, |t| t.name.to_string());
                tasks.push(TaskDifference {
                    task,
                    name,
                    a: ea,
                    b: eb,
                });
            }
        }
    }
    let end_ns = |t: &Trace| t.iter().last().map_or(0, |r| r.time_ns);
    Comparison {
        divergence,
        events: (a.len() as u64, b.len() as u64),
        ends: (end_words(a), end_words(b)),
        end_ns: (end_ns(a), end_ns(b)),
        tasks,
    }
}

/// One way the other run of a comparison differs from the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// `seed:N`: another seed.
    Seed(u64),
    /// `mode:M`: another mode of the scenario.
    Mode(String),
    /// `policy:P`: another policy (`random`, `fifo`, `pct:D[:H]`).
    Policy(Policy),
    /// `schedule:s:…`: a schedule instead of the policy.
    Schedule(Schedule),
    /// `param:NAME=VALUE`: another value of a scenario parameter.
    Param(String, String),
}

/// The other run of a comparison: the first run with these changes, as
/// written after `--vs` or `&vs=` (`seed:13,policy:fifo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Against {
    /// The changes, in the order given.
    pub changes: Vec<Change>,
}

impl Against {
    /// The seed it names, if any (the last one given wins).
    pub fn seed(&self) -> Option<u64> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::Seed(s) => Some(*s),
            _ => None,
        })
    }

    /// The mode it names, if any.
    pub fn mode(&self) -> Option<&str> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::Mode(m) => Some(m.as_str()),
            _ => None,
        })
    }

    /// The policy it names, if any.
    pub fn policy(&self) -> Option<Policy> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::Policy(p) => Some(*p),
            _ => None,
        })
    }

    /// The schedule it names, if any.
    pub fn schedule(&self) -> Option<&Schedule> {
        self.changes.iter().rev().find_map(|c| match c {
            Change::Schedule(s) => Some(s),
            _ => None,
        })
    }

    /// The parameters it sets, in order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.changes.iter().filter_map(|c| match c {
            Change::Param(k, v) => Some((k.as_str(), v.as_str())),
            _ => None,
        })
    }
}

/// The forms `--vs` and `&vs=` accept, for messages.
pub const AGAINST_FORMS: &str = "seed:N, mode:M, policy:P, schedule:s:…, param:NAME=VALUE (several joined by commas)";

impl FromStr for Against {
    type Err = String;

    fn from_str(text: &str) -> Result<Against, String> {
        let mut changes = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (kind, value) = part
                .split_once(':')
                .ok_or_else(|| format!("`{part}` is not a run to compare with; expected {AGAINST_FORMS}"))?;
            let change = match kind {
                "seed" => Change::Seed(
                    value
                        .parse()
                        .map_err(|_| format!("seed:`{value}` is not a seed: a whole number from 0 to {}", u64::MAX))?,
                ),
                "mode" if !value.is_empty() => Change::Mode(value.to_string()),
                "policy" => Change::Policy(value.parse().map_err(|e| format!("policy:`{value}`: {e}"))?),
                "schedule" => Change::Schedule(value.parse().map_err(|e| format!("schedule:`{value}`: {e}"))?),
                "param" => {
                    let (k, v) = value
                        .split_once('=')
                        .filter(|(k, _)| !k.is_empty())
                        .ok_or_else(|| format!("param:`{value}` must be NAME=VALUE"))?;
                    Change::Param(k.to_string(), v.to_string())
                }
                _ => {
                    return Err(format!(
                        "`{part}` is not a run to compare with; expected {AGAINST_FORMS}"
                    ));
                }
            };
            changes.push(change);
        }
        Ok(Against { changes })
    }
}

impl fmt::Display for Against {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.changes.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match c {
                Change::Seed(s) => write!(f, "seed:{s}")?,
                Change::Mode(m) => write!(f, "mode:{m}")?,
                Change::Policy(p) => write!(f, "policy:{p}")?,
                Change::Schedule(s) => write!(f, "schedule:{s}")?,
                Change::Param(k, v) => write!(f, "param:{k}={v}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_other_run_reads_back_from_its_words() {
        for text in [
            "seed:13",
            "mode:locked",
            "policy:pct:3",
            "schedule:s:01(40)",
            "param:tasks=3",
            "seed:1,policy:fifo",
        ] {
            let against: Against = text.parse().unwrap();
            assert_eq!(against.to_string(), text);
        }
        let a: Against = "seed:4,schedule:s:10,param:x=1".parse().unwrap();
        assert_eq!(
            (a.seed(), a.schedule().map(ToString::to_string)),
            (Some(4), Some("s:10".into()))
        );
        for (bad, says) in [
            ("13", "expected seed:N"),
            ("seed:x", "not a seed"),
            ("policy:lifo", "policy:`lifo`"),
            ("schedule:012", "must start with `s:`"),
            ("param:x", "NAME=VALUE"),
            ("colour:red", "not a run to compare with"),
        ] {
            let err = bad.parse::<Against>().unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
