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
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("id", &self.id).finish()
    }
}

/// Every scenario, in menu order.
pub fn registry() -> &'static [Scenario] {
    static REGISTRY: [Scenario; 1] = [timers::SCENARIO];
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
        Params { mode: self.modes[0].id, values: self.params.iter().map(|p| (p.name, p.default)).collect() }
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
                errors.push(ParamError { name: name.into(), message: format!("{} has no parameter `{name}`; ignored", self.id) });
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
                    message: format!("{name}={v} is out of range {}..={}; using {}", spec.min, spec.max, spec.default),
                }),
                Err(_) => errors.push(ParamError {
                    name: name.into(),
                    message: format!("{name}=`{text}` is not a whole number; using {}", spec.default),
                }),
            }
        }
        (params, errors)
    }

    /// A simulation with this scenario's tasks spawned, its header naming the
    /// scenario and parameters, ready to [`Sim::step`] or [`Sim::run`].
    pub fn start(&self, config: Config, params: &Params) -> Sim {
        let mut sim = Sim::new(config);
        sim.set_scenario(self.id, params.pairs());
        (self.spawn)(&mut sim, params);
        sim
    }

    /// Starts and runs the scenario to its end.
    pub fn run(&self, config: Config, params: &Params) -> (Sim, Outcome) {
        let mut sim = self.start(config, params);
        let outcome = sim.run();
        (sim, outcome)
    }
}
