//! The scenario registry: the seed's stories as runnable programs.
//!
//! A scenario is data — an id, a title, the question it answers, what to
//! notice, its modes and parameters with defaults and bounds — plus a small
//! async program that [`Scenario::start`] spawns on a [`Sim`]. The app, the
//! CLI and the tests all list scenarios from [`registry`]; adding one means
//! adding a file here and a line to [`registry`].
//!
//! Parameters arrive as text (from a URL or a command line) and are checked
//! by [`Scenario::params`]: an unknown name, a non-number or a value out of
//! bounds gives a message, and the default is used instead.
//!
//! # Verdicts
//! When a run ends, [`Scenario::verdict`] says whether it showed what the
//! scenario documents. It sees only what everyone else sees — the [`Sim`]
//! (clock, task states, trace and the trace header's mode and parameters)
//! and the [`Outcome`] — so the app, the CLI and a seed sweep all judge a run
//! the same way. The rules, in order:
//!
//! 1. A limit always fails: the run never got to its end.
//! 2. Without a [`Scenario::check`], only a completed run passes; a deadlock
//!    or a failed [`crate::check()`] fails with the outcome as the message.
//! 3. With one, the check decides. A mode that shows a failure on purpose
//!    expects it — `flow`'s `zero-window` passes when it deadlocks as
//!    documented and fails if it does not — while a program that can fail
//!    for some seeds (`race`) fails for exactly those seeds.
//!
//! Checks that need the order of events read the trace; with recording off
//! they can only judge the outcome, the clock and the task states, and say
//! so in their documentation.

mod blocking;
mod cancel;
mod cost;
mod flow;
mod laundry;
mod measure;
mod million;
mod mutex;
mod race;
mod supervision;
mod timers;

use crate::{Config, Outcome, Sim};

/// One way to run a scenario, e.g. `sequential` or `concurrent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    /// Used in URLs and on the command line.
    pub id: &'static str,
    /// Shown in the UI.
    pub label: &'static str,
    /// What this mode does, in one sentence.
    pub about: &'static str,
}

/// A numeric parameter with its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// Used in URLs and on the command line.
    pub name: &'static str,
    /// Shown in the UI.
    pub label: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    /// Unit shown after the value, e.g. `s` or `tasks`.
    pub unit: &'static str,
}

/// Validated parameter values and the chosen mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// The mode id.
    pub mode: &'static str,
    /// One value per [`ParamSpec`], in the scenario's order.
    pub values: Vec<(&'static str, i64)>,
}

impl Params {
    /// The value of a parameter (0 if the scenario has no such parameter).
    pub fn get(&self, name: &str) -> i64 {
        self.values.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v)
    }

    /// `key=value` pairs for a trace header or a URL, mode first.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![("mode".to_string(), self.mode.to_string())];
        out.extend(self.values.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        out
    }
}

/// A problem with one given parameter; the default was used instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter name as given.
    pub name: String,
    /// What is wrong and what was used instead.
    pub message: String,
}

/// A scenario's verdict on a finished run: `Err` says what went otherwise
/// than documented (see [Verdicts](self#verdicts)).
pub type Check = fn(&Sim, &Outcome) -> Result<(), String>;

/// A story from the seed, runnable.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// Short id used in URLs (`?s=timers`) and on the command line.
    pub id: &'static str,
    pub title: &'static str,
    /// The question the scenario answers, in a sentence or two.
    pub question: &'static str,
    /// The answer, revealed when the run ends.
    pub answer: &'static str,
    /// What to watch for while stepping.
    pub notice: &'static str,
    /// At least one mode; the first is the default.
    pub modes: &'static [Mode],
    pub params: &'static [ParamSpec],
    /// Spawns the scenario's tasks on `sim`.
    pub spawn: fn(&mut Sim, &Params),
    /// Adjusts the configuration from the parameters before the simulation
    /// is created (e.g. `laundry` sets [`Config::workers`]). `None`: the
    /// configuration is used as given.
    pub configure: Option<fn(&mut Config, &Params)>,
    /// Judges a finished run (see [Verdicts](self#verdicts)). `None`: a
    /// completed run passes and nothing else does.
    pub check: Option<Check>,
    /// A short measured summary of a finished run — latencies, sizes, end
    /// times — for the app and the CLI to show beside the answer.
    pub report: Option<fn(&Sim) -> String>,
    /// The scenario as a playground program — the code the article would
    /// show, its parameters as `const`s at the top — for the given mode and
    /// parameters. Interpreted, it gives the same trace as `spawn`
    /// (`playground/tests/scenarios.rs` checks every mode over seeds). `None`
    /// when the playground's subset cannot say it.
    pub program: Option<fn(&Params) -> String>,
    /// The scenario's own Rust source, for one without a program: its code
    /// is then the compiled code that runs, and this is what the app shows.
    /// `None` with a program (the program is the code shown), so the page
    /// does not carry a source it never shows.
    pub source: Option<&'static str>,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("id", &self.id).finish()
    }
}

/// Every scenario, in menu order.
pub fn registry() -> &'static [Scenario] {
    static REGISTRY: [Scenario; 10] = [
        timers::SCENARIO,
        laundry::SCENARIO,
        million::SCENARIO,
        blocking::SCENARIO,
        cancel::SCENARIO,
        flow::SCENARIO,
        mutex::SCENARIO,
        supervision::SCENARIO,
        race::SCENARIO,
        cost::SCENARIO,
    ];
    &REGISTRY
}

/// The scenario with this id.
pub fn find(id: &str) -> Option<&'static Scenario> {
    registry().iter().find(|s| s.id == id)
}

impl Scenario {
    /// The mode with this id.
    pub fn mode(&self, id: &str) -> Option<&'static Mode> {
        self.modes.iter().find(|m| m.id == id)
    }

    /// The default mode and parameters.
    pub fn default_params(&self) -> Params {
        Params {
            mode: self.modes[0].id,
            values: self.params.iter().map(|p| (p.name, p.default)).collect(),
        }
    }

    /// Checks `mode` and `key=value` pairs given as text. Every problem is
    /// reported and replaced by the default; valid values are kept.
    pub fn params<'a>(
        &self,
        mode: Option<&str>,
        given: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Params, Vec<ParamError>) {
        let mut params = self.default_params();
        let mut errors = Vec::new();
        if let Some(m) = mode {
            match self.mode(m) {
                Some(found) => params.mode = found.id,
                None => errors.push(ParamError {
                    name: "mode".into(),
                    message: format!(
                        "unknown mode `{m}` for {}; expected one of {}; using `{}`",
                        self.id,
                        self.modes.iter().map(|m| m.id).collect::<Vec<_>>().join(", "),
                        params.mode
                    ),
                }),
            }
        }
        for (name, text) in given {
            let Some(spec) = self.params.iter().find(|p| p.name == name) else {
                errors.push(ParamError {
                    name: name.into(),
                    message: format!("{} has no parameter `{name}`; ignored", self.id),
                });
                continue;
            };
            match text.trim().parse::<i64>() {
                Ok(v) if (spec.min..=spec.max).contains(&v) => {
                    if let Some(slot) = params.values.iter_mut().find(|(n, _)| *n == spec.name) {
                        slot.1 = v;
                    }
                }
                Ok(v) => errors.push(ParamError {
                    name: name.into(),
                    message: format!(
                        "{name}={v} is out of range {}..={}; using {}",
                        spec.min, spec.max, spec.default
                    ),
                }),
                Err(_) => errors.push(ParamError {
                    name: name.into(),
                    message: format!("{name}=`{text}` is not a whole number; using {}", spec.default),
                }),
            }
        }
        (params, errors)
    }

    /// The mode and parameters a run of this scenario was started with, read
    /// back from its trace header (which is written even with recording off).
    /// Anything the header lacks or gets wrong falls back to the default.
    pub fn params_of(&self, sim: &Sim) -> Params {
        let trace = sim.trace();
        let header = trace.header();
        let mode = header.params.iter().find(|(k, _)| k == "mode").map(|(_, v)| v.as_str());
        let given = header
            .params
            .iter()
            .filter(|(k, _)| k != "mode")
            .map(|(k, v)| (k.as_str(), v.as_str()));
        self.params(mode, given).0
    }

    /// Whether a finished run showed what the scenario documents (see
    /// [Verdicts](self#verdicts)); `Err` says what went otherwise.
    pub fn verdict(&self, sim: &Sim, outcome: &Outcome) -> Result<(), String> {
        if let Some(limit) = outcome.limit() {
            return Err(format!("the run stopped before its end: {limit}"));
        }
        match self.check {
            Some(check) => check(sim, outcome),
            None if outcome.is_completed() => Ok(()),
            None => Err(outcome.to_string()),
        }
    }

    /// The measured summary of a finished run ([`Scenario::report`]), if the scenario has one.
    pub fn measure(&self, sim: &Sim) -> Option<String> {
        self.report.map(|report| report(sim))
    }

    /// A simulation with this scenario's tasks spawned, its header naming the
    /// scenario and parameters, ready to [`Sim::step`] or [`Sim::run`].
    /// The scenario's [`Scenario::configure`] hook adjusts `config` first.
    pub fn start(&self, config: Config, params: &Params) -> Sim {
        self.start_with(config, params, None)
    }

    /// The simulation a run of the scenario uses, before any task is
    /// spawned: `config` adjusted by the `configure` hook, the trace header
    /// naming the scenario and its parameters. [`Scenario::start`] spawns
    /// the compiled tasks on it; the playground spawns the program's `main`.
    pub fn prepare(&self, config: Config, params: &Params) -> Sim {
        self.prepare_with(config, params, None)
    }

    /// [`Scenario::prepare`], following `schedule` instead of the policy
    /// when one is given ([`Sim::with_schedule`]): the way to replay a
    /// shrunk or forked run of the scenario.
    pub fn prepare_with(&self, config: Config, params: &Params, schedule: Option<&crate::Schedule>) -> Sim {
        let config = self.configured(config, params);
        let mut sim = match schedule {
            Some(schedule) => Sim::with_schedule(config, schedule),
            None => Sim::new(config),
        };
        sim.set_scenario(self.id, params.pairs());
        sim
    }

    /// [`Scenario::start`] on [`Scenario::prepare_with`]'s simulation.
    pub fn start_with(&self, config: Config, params: &Params, schedule: Option<&crate::Schedule>) -> Sim {
        let mut sim = self.prepare_with(config, params, schedule);
        (self.spawn)(&mut sim, params);
        sim
    }

    /// `config` as a run of the scenario with `params` uses it: adjusted by
    /// the scenario's `configure` hook.
    pub fn configured(&self, mut config: Config, params: &Params) -> Config {
        if let Some(configure) = self.configure {
            configure(&mut config, params);
        }
        config
    }

    /// Starts and runs the scenario to its end.
    pub fn run(&self, config: Config, params: &Params) -> (Sim, Outcome) {
        let mut sim = self.start(config, params);
        let outcome = sim.run();
        (sim, outcome)
    }
}
