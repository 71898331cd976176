//! What the command line runs — a scenario of the registry, or a program
//! file run through the playground's interpreter — checked before anything
//! runs, and the ways back to one of its runs: a `wakescope run` command and
//! an address that opens it in the app.

use std::cell::RefCell;
use std::sync::Arc;

use wakescope::scenarios::{self, Params, Scenario};
use wakescope::sweep::{SeedResult, check_outcome};
use wakescope::{Config, Limits, Outcome, Policy, Schedule, Sim};
use wakescope_playground::Program;

/// Where the app is served by `cargo xtask serve`.
pub const APP_URL: &str = "http://127.0.0.1:8080/";

/// A registered scenario with validated mode and parameters, or a program.
#[derive(Clone)]
pub struct Selection {
    pub source: Source,
    pub policy: Policy,
    /// The default limits, with any tighter step limit from the command line.
    pub limits: Limits,
    /// `--preemption-points` ([`Config::with_preemption_points`]).
    pub preemption_points: bool,
}

/// What runs.
#[derive(Clone)]
pub enum Source {
    Scenario {
        scenario: &'static Scenario,
        params: Params,
    },
    /// A playground program: its path as given and its text (parsed once per
    /// thread: the interpreter's program is not shared between threads).
    Program { path: String, text: Arc<str> },
}

thread_local! {
    /// The program parsed last on this thread, by its text.
    static PARSED: RefCell<Option<(Arc<str>, Program)>> = const { RefCell::new(None) };
}

/// The parsed program of `text` (checked when the selection was made).
fn parsed(path: &str, text: &Arc<str>) -> Program {
    PARSED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((t, p)) = &*cache
            && Arc::ptr_eq(t, text)
        {
            return p.clone();
        }
        let program = Program::parse(path, text).expect("the program parsed when it was selected");
        *cache = Some((text.clone(), program.clone()));
        program
    })
}

impl Selection {
    /// Reads and parses a program file; a problem names the file, line and column.
    pub fn program(path: &str, policy: Policy, steps_max: Option<u64>) -> Result<Selection, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
        let program = Program::parse(path, &text).map_err(|d| format!("{path}:{d}"))?;
        for warning in program.warnings() {
            eprintln!("warning: {path}:{warning}");
        }
        let mut limits = Limits::default();
        if let Some(steps_max) = steps_max {
            limits.steps_max = steps_max;
        }
        Ok(Selection {
            source: Source::Program {
                path: path.to_string(),
                text: text.into(),
            },
            policy,
            limits,
            preemption_points: false,
        })
    }

    /// Starts the run on `sim`: the scenario as `Scenario::start` does, the
    /// program as `sim.spawn("main", main())`.
    pub fn start(&self, sim: &mut Sim) {
        match &self.source {
            Source::Scenario { scenario, params } => {
                sim.set_scenario(scenario.id, params.pairs());
                (scenario.spawn)(sim, params);
            }
            Source::Program { path, text } => {
                let _main = parsed(path, text).spawn_main(sim);
            }
        }
    }

    /// Whether a run passed: the scenario's verdict, or for a program a
    /// completed run with no unhandled panic.
    pub fn verdict(&self, sim: &Sim, outcome: &Outcome) -> SeedResult {
        match &self.source {
            Source::Scenario { scenario, .. } => scenario.verdict(sim, outcome),
            Source::Program { .. } => check_outcome(outcome),
        }
    }

    /// A measure the scenario reports after a run (programs have none).
    pub fn measure(&self, sim: &Sim) -> Option<String> {
        match &self.source {
            Source::Scenario { scenario, .. } => scenario.measure(sim),
            Source::Program { .. } => None,
        }
    }

    /// The title and the question the run answers.
    pub fn title_and_question(&self) -> (String, String) {
        match &self.source {
            Source::Scenario { scenario, .. } => (scenario.title.to_string(), scenario.question.to_string()),
            Source::Program { path, .. } => (path.clone(), "a program run by the playground's interpreter".into()),
        }
    }

    /// Checks the scenario id, mode and parameters; every problem is a sentence.
    pub fn resolve<'a>(
        id: &str,
        mode: Option<&str>,
        given: impl Iterator<Item = (&'a str, &'a str)>,
        policy: Policy,
        steps_max: Option<u64>,
    ) -> Result<Selection, String> {
        let Some(scenario) = scenarios::find(id) else {
            let known: Vec<&str> = scenarios::registry().iter().map(|s| s.id).collect();
            return Err(format!("unknown scenario `{id}`; known: {}", known.join(", ")));
        };
        let (params, errors) = scenario.params(mode, given);
        if !errors.is_empty() {
            // The registry's messages name the fallback it would use; the
            // command line refuses instead, so the fallback is left out.
            let lines: Vec<String> = errors.iter().map(|e| strip_fallback(&e.message).to_string()).collect();
            return Err(lines.join("\n"));
        }
        let mut limits = Limits::default();
        if let Some(steps_max) = steps_max {
            limits.steps_max = steps_max;
        }
        Ok(Selection {
            source: Source::Scenario { scenario, params },
            policy,
            limits,
            preemption_points: false,
        })
    }

    /// The same selection with preemption points on or off.
    pub fn with_preemption_points(mut self, on: bool) -> Selection {
        self.preemption_points = on;
        self
    }

    /// The configuration of a run of this selection with `seed`: as the app
    /// makes it, unless the policy, the step limit or preemption points were changed.
    pub fn config(&self, seed: u64) -> Config {
        let mut config = Config::seeded(seed)
            .with_policy(self.policy)
            .with_limits(self.limits)
            .with_preemption_points(self.preemption_points);
        if let Source::Scenario { scenario, params } = &self.source
            && let Some(configure) = scenario.configure
        {
            configure(&mut config, params);
        }
        config
    }

    /// What the app cannot reproduce from an address: it always runs with the
    /// random policy and the default limits.
    pub fn app_differences(&self) -> Option<String> {
        let mut differences = Vec::new();
        if self.policy != Policy::Random {
            differences.push(format!("policy {}", self.policy));
        }
        if self.limits != Limits::default() {
            differences.push(format!("--steps-max {}", self.limits.steps_max));
        }
        if self.preemption_points {
            differences.push("--preemption-points".to_string());
        }
        (!differences.is_empty()).then(|| differences.join(" and "))
    }

    /// `timers (mode concurrent, policy random, popcorn_s=3 boiler_s=5 cookies_s=10)`.
    pub fn describe(&self) -> String {
        let (scenario, params) = match &self.source {
            Source::Scenario { scenario, params } => (scenario, params),
            Source::Program { path, .. } => {
                return format!("{path} (policy {}{})", self.policy, self.preemption_note());
            }
        };
        let values: Vec<String> = params.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut text = format!(
            "{} (mode {}, policy {}{}",
            scenario.id,
            params.mode,
            self.policy,
            self.preemption_note()
        );
        if !values.is_empty() {
            text.push_str(", ");
            text.push_str(&values.join(" "));
        }
        text.push(')');
        text
    }

    /// `, preemption points` when they are on, for [`Selection::describe`].
    fn preemption_note(&self) -> &'static str {
        if self.preemption_points {
            ", preemption points"
        } else {
            ""
        }
    }

    /// The command that replays `seed` and writes it for Perfetto.
    pub fn replay_command(&self, seed: u64) -> String {
        let mut cmd = match &self.source {
            Source::Scenario { scenario, params } => {
                format!("wakescope run {} --mode {} --seed {seed}", scenario.id, params.mode)
            }
            Source::Program { path, .. } => format!("wakescope run {path} --seed {seed}"),
        };
        if self.policy != Policy::Random {
            cmd.push_str(&format!(" --policy {}", self.policy));
        }
        if self.limits != Limits::default() {
            cmd.push_str(&format!(" --steps-max {}", self.limits.steps_max));
        }
        if self.preemption_points {
            cmd.push_str(" --preemption-points");
        }
        if let Source::Scenario { params, .. } = &self.source {
            for (name, value) in &params.values {
                cmd.push_str(&format!(" --param {name}={value}"));
            }
        }
        cmd.push_str(" --format chrome --out run.json");
        cmd
    }

    /// The address that opens `seed` in the app (which always uses the
    /// random policy) at `step`, following `schedule` if given (a shrunk
    /// run: a schedule replays under any policy). A program goes in the
    /// fragment as the app's share links carry it (`#code=`, lz-string's
    /// `compressToEncodedURIComponent`).
    pub fn app_url(&self, seed: u64, schedule: Option<&Schedule>, step: Option<u64>) -> String {
        let mut url = match &self.source {
            Source::Scenario { scenario, params } => {
                let mut url = format!("{APP_URL}?s={}&mode={}&seed={seed}", scenario.id, params.mode);
                for (name, value) in &params.values {
                    url.push_str(&format!("&{name}={value}"));
                }
                url
            }
            Source::Program { .. } => format!("{APP_URL}?seed={seed}"),
        };
        if let Some(schedule) = schedule {
            url.push_str(&format!("&schedule={schedule}"));
        }
        if let Some(step) = step {
            url.push_str(&format!("&step={step}"));
        }
        if let Source::Program { text, .. } = &self.source {
            url.push_str("#code=");
            url.push_str(&lz_str::compress_to_encoded_uri_component(&**text));
        }
        url
    }
}

/// `"x=9 is out of range 0..=5; using 3"` → `"x=9 is out of range 0..=5"`.
fn strip_fallback(message: &str) -> &str {
    match message.rsplit_once("; ") {
        Some((head, tail)) if tail.starts_with("using") || tail.starts_with("ignored") => head,
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(scenario: &str, mode: Option<&str>, params: &[(&str, &str)]) -> Result<Selection, String> {
        Selection::resolve(scenario, mode, params.iter().copied(), Policy::Random, None)
    }

    #[test]
    fn a_valid_selection_gives_a_replay_command_and_an_address() {
        let sel = select("timers", Some("sequential"), &[("popcorn_s", "4")]).unwrap();
        assert_eq!(
            sel.describe(),
            "timers (mode sequential, policy random, popcorn_s=4 boiler_s=5 cookies_s=10)"
        );
        assert_eq!(
            sel.replay_command(9),
            "wakescope run timers --mode sequential --seed 9 --param popcorn_s=4 --param boiler_s=5 --param cookies_s=10 --format chrome --out run.json"
        );
        assert_eq!(
            sel.app_url(9, None, None),
            "http://127.0.0.1:8080/?s=timers&mode=sequential&seed=9&popcorn_s=4&boiler_s=5&cookies_s=10"
        );
    }

    #[test]
    fn bad_selections_are_refused_with_the_registrys_words() {
        let err = |a: Result<Selection, String>| a.err().unwrap();
        assert!(err(select("nope", None, &[])).starts_with("unknown scenario `nope`; known: timers"));
        let e = err(select("timers", Some("parallel"), &[]));
        assert!(
            e.starts_with("unknown mode `parallel` for timers; expected one of concurrent, sequential"),
            "{e}"
        );
        assert!(!e.contains("using"), "{e}");
        assert_eq!(
            err(select("timers", None, &[("popcorn_s", "9999")])),
            "popcorn_s=9999 is out of range 0..=3600"
        );
        assert_eq!(
            err(select("timers", None, &[("popcorn_s", "soon")])),
            "popcorn_s=`soon` is not a whole number"
        );
        assert_eq!(
            err(select("timers", None, &[("eggs_s", "1")])),
            "timers has no parameter `eggs_s`"
        );
    }
}
