//! The command line, read into a [`Command`]: std only, every mistake a sentence.
//!
//! Options take their value as the next argument or after `=`
//! (`--seed 7`, `--seed=7`). An option may be given once, except `--param`,
//! which repeats. Scenario ids, modes and parameters are checked against the
//! registry by [`crate::selection`]; here they are only text.

use std::ops::Range;
use std::path::PathBuf;

use wakescope::Policy;
use wakescope::sweep::{JOBS_MAX, parse_seeds};

/// What the user asked for.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// `wakescope help`, `--help`, `-h`.
    Help,
    /// `wakescope list`.
    List,
    /// `wakescope run <scenario> …`.
    Run(RunArgs),
    /// `wakescope sweep <scenario> --seeds A..B …`.
    Sweep(SweepArgs),
    /// `wakescope check-determinism <scenario> --seeds A..B …`.
    CheckDeterminism(SweepArgs),
    /// `wakescope explore <scenario> [--max N] …`.
    Explore(ExploreArgs),
}

/// `wakescope explore`: every schedule of one scenario, up to a bound.
#[derive(Debug, PartialEq)]
pub struct ExploreArgs {
    pub target: ScenarioArgs,
    /// Stop after this many schedules.
    pub max: u64,
}

/// Default for `explore --max`.
pub const EXPLORE_MAX_DEFAULT: u64 = 100_000;

/// Which scenario, in which mode, with which parameters and policy.
#[derive(Debug, PartialEq)]
pub struct ScenarioArgs {
    pub scenario: String,
    pub mode: Option<String>,
    pub policy: Policy,
    /// `--param name=value`, in the order given.
    pub params: Vec<(String, String)>,
    /// `--steps-max N`: a tighter step limit than the default.
    pub steps_max: Option<u64>,
}

/// How `run` writes the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A readable timeline, one line per event.
    Text,
    /// The trace file format (`Trace::to_jsonl`).
    Jsonl,
    /// Chrome Trace Event JSON for Perfetto (`Trace::to_chrome_json`).
    Chrome,
}

#[derive(Debug, PartialEq)]
pub struct RunArgs {
    pub target: ScenarioArgs,
    pub seed: u64,
    pub format: Format,
    /// Write here instead of stdout.
    pub out: Option<PathBuf>,
    /// `--schedule s:…`: replay this schedule instead of the policy.
    pub schedule: Option<wakescope::Schedule>,
}

#[derive(Debug, PartialEq)]
pub struct SweepArgs {
    pub target: ScenarioArgs,
    pub seeds: Range<u64>,
    /// `None`: every core.
    pub jobs: Option<usize>,
}

/// Options each command accepts (besides `--param`, which scenario commands repeat).
const RUN_OPTIONS: &[&str] = &[
    "--mode",
    "--seed",
    "--policy",
    "--param",
    "--steps-max",
    "--format",
    "--out",
    "--schedule",
];
const EXPLORE_OPTIONS: &[&str] = &["--max", "--mode", "--param", "--steps-max"];
const SWEEP_OPTIONS: &[&str] = &["--seeds", "--jobs", "--mode", "--policy", "--param", "--steps-max"];

/// Reads the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("no command given".to_string());
    };
    let wants_help = rest.iter().any(|a| a == "--help" || a == "-h");
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        _ if wants_help => Ok(Command::Help),
        "list" => match rest.first() {
            None => Ok(Command::List),
            Some(extra) => Err(format!("`wakescope list` takes no arguments (got `{extra}`)")),
        },
        "run" => parse_run(rest).map(Command::Run),
        "sweep" => parse_sweep("sweep", rest).map(Command::Sweep),
        "check-determinism" => parse_sweep("check-determinism", rest).map(Command::CheckDeterminism),
        "explore" => parse_explore(rest).map(Command::Explore),
        other => Err(format!(
            "unknown command `{other}`; the commands are list, run, sweep, check-determinism, explore and help"
        )),
    }
}

/// The scenario id and the options, in order, as `(name, value)`.
struct Split {
    scenario: String,
    options: Vec<(String, String)>,
}

fn split(command: &str, allowed: &[&str], args: &[String]) -> Result<Split, String> {
    let mut scenario = None;
    let mut options: Vec<(String, String)> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg.starts_with("--") {
            let flag = arg.as_str();
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            if !allowed.contains(&name) {
                return Err(format!(
                    "unknown option `{name}` for `wakescope {command}`; it takes {}",
                    allowed.join(", ")
                ));
            }
            let value = match inline {
                Some(v) => v,
                None => args.next().cloned().ok_or_else(|| format!("`{name}` needs a value"))?,
            };
            if name != "--param" && options.iter().any(|(n, _)| n == name) {
                return Err(format!("`{name}` is given twice"));
            }
            options.push((name.to_string(), value));
        } else if arg.starts_with('-') && arg.len() > 1 {
            return Err(format!(
                "unknown option `{arg}` for `wakescope {command}`; options start with `--`"
            ));
        } else if scenario.is_none() {
            scenario = Some(arg.clone());
        } else {
            return Err(format!(
                "`wakescope {command}` takes one scenario; `{arg}` is one too many"
            ));
        }
    }
    let scenario =
        scenario.ok_or_else(|| format!("`wakescope {command}` needs a scenario id; `wakescope list` shows them"))?;
    Ok(Split { scenario, options })
}

impl Split {
    fn get(&self, name: &str) -> Option<&str> {
        self.options.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn target(&self) -> Result<ScenarioArgs, String> {
        let policy = match self.get("--policy") {
            Some(p) => p.parse::<Policy>()?,
            None => Policy::Random,
        };
        let mut params = Vec::new();
        for (_, pair) in self.options.iter().filter(|(n, _)| n == "--param") {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`--param` takes name=value, e.g. `--param popcorn_s=4`; got `{pair}`"))?;
            params.push((name.trim().to_string(), value.trim().to_string()));
        }
        let steps_max = match self.get("--steps-max") {
            None => None,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => return Err(format!("--steps-max: `{text}` is not a number of steps from 1 up")),
            },
        };
        Ok(ScenarioArgs {
            scenario: self.scenario.clone(),
            mode: self.get("--mode").map(str::to_string),
            policy,
            params,
            steps_max,
        })
    }
}

fn parse_run(args: &[String]) -> Result<RunArgs, String> {
    let split = split("run", RUN_OPTIONS, args)?;
    let seed = match split.get("--seed") {
        Some(text) => parse_seed(text)?,
        None => 0,
    };
    let format = match split.get("--format") {
        None | Some("text") => Format::Text,
        Some("jsonl") => Format::Jsonl,
        Some("chrome") => Format::Chrome,
        Some(other) => return Err(format!("unknown format `{other}`; expected text, jsonl or chrome")),
    };
    let out = match split.get("--out") {
        Some("") => return Err("`--out` needs a file name".to_string()),
        other => other.map(PathBuf::from),
    };
    let schedule = match split.get("--schedule") {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<wakescope::Schedule>()
                .map_err(|e| format!("--schedule: {e}"))?,
        ),
    };
    Ok(RunArgs {
        target: split.target()?,
        seed,
        format,
        out,
        schedule,
    })
}

fn parse_explore(args: &[String]) -> Result<ExploreArgs, String> {
    let split = split("explore", EXPLORE_OPTIONS, args)?;
    let max = match split.get("--max") {
        None => EXPLORE_MAX_DEFAULT,
        Some(text) => match text.trim().parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(format!("--max: `{text}` is not a number of schedules from 1 up")),
        },
    };
    Ok(ExploreArgs {
        target: split.target()?,
        max,
    })
}

fn parse_sweep(command: &str, args: &[String]) -> Result<SweepArgs, String> {
    let split = split(command, SWEEP_OPTIONS, args)?;
    let seeds = split
        .get("--seeds")
        .ok_or_else(|| format!("`wakescope {command}` needs `--seeds A..B`, e.g. `--seeds 0..1000`"))?;
    let seeds = parse_seeds(seeds).map_err(|e| format!("--seeds: {e}"))?;
    let jobs = match split.get("--jobs") {
        None => None,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if (1..=JOBS_MAX).contains(&n) => Some(n),
            _ => {
                return Err(format!(
                    "--jobs: `{text}` is not a number of threads from 1 to {JOBS_MAX}"
                ));
            }
        },
    };
    Ok(SweepArgs {
        target: split.target()?,
        seeds,
        jobs,
    })
}

/// A seed: a whole number from 0 to `u64::MAX`.
fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("--seed: `{text}` is not a whole number from 0 to {}", u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Command, String> {
        parse(&line.split_whitespace().map(str::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn run_takes_every_option_in_both_spellings() {
        let Command::Run(run) =
            parse_str("run timers --mode=sequential --seed 42 --policy fifo --param popcorn_s=4 --param boiler_s=6 --format chrome --out x.json")
                .unwrap()
        else {
            panic!("not a run")
        };
        assert_eq!(run.target.scenario, "timers");
        assert_eq!(run.target.mode.as_deref(), Some("sequential"));
        assert_eq!(run.target.policy, Policy::Fifo);
        assert_eq!(
            run.target.params,
            [("popcorn_s".into(), "4".into()), ("boiler_s".into(), "6".into())]
        );
        assert_eq!(
            (run.seed, run.format, run.out),
            (42, Format::Chrome, Some(PathBuf::from("x.json")))
        );
        let Command::Run(run) = parse_str("run race --schedule s:01(40)").unwrap() else {
            panic!("not a run")
        };
        assert_eq!(run.schedule.unwrap().choices(), &[0, 1, 40]);
        let Command::Explore(e) = parse_str("explore race --max 50 --param tasks=2").unwrap() else {
            panic!()
        };
        assert_eq!(e.max, 50);
    }

    #[test]
    fn sweeps_need_a_seed_range() {
        let Command::Sweep(sweep) = parse_str("sweep timers --seeds 0..100 --jobs 3").unwrap() else {
            panic!()
        };
        assert_eq!((sweep.seeds, sweep.jobs), (0..100, Some(3)));
        assert!(parse_str("sweep timers").unwrap_err().contains("needs `--seeds A..B`"));
        assert!(
            parse_str("check-determinism timers --seeds 5..2")
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn mistakes_are_sentences() {
        for (line, says) in [
            ("", "no command"),
            ("frobnicate", "unknown command `frobnicate`"),
            ("list extra", "takes no arguments"),
            ("run", "needs a scenario id"),
            ("run timers extra", "one too many"),
            ("run timers --sed 4", "unknown option `--sed`"),
            ("run timers -s 4", "unknown option `-s`"),
            ("run timers --seed", "`--seed` needs a value"),
            ("run timers --seed x", "`x` is not a whole number"),
            ("run timers --seed -1", "`-1` is not a whole number"),
            ("run timers --seed 1 --seed 2", "given twice"),
            ("run timers --format svg", "unknown format `svg`"),
            ("run timers --policy lifo", "unknown policy `lifo`"),
            ("run timers --param popcorn_s", "takes name=value"),
            ("sweep timers --seeds x..y", "`x` is not a seed"),
            ("sweep timers --seeds 0..9 --jobs 0", "--jobs"),
            ("sweep timers --seeds 0..9 --seed 3", "unknown option `--seed`"),
            ("run timers --steps-max 0", "--steps-max: `0`"),
            (
                "run timers --schedule 012",
                "--schedule: schedule `012` must start with `s:`",
            ),
            ("explore race --max 0", "--max: `0`"),
            ("explore race --seed 3", "unknown option `--seed`"),
        ] {
            let err = parse_str(line).unwrap_err();
            assert!(err.contains(says), "{line:?}: {err}");
        }
    }

    #[test]
    fn help_wins_anywhere() {
        for line in ["help", "--help", "-h", "run timers --help", "sweep -h"] {
            assert_eq!(parse_str(line), Ok(Command::Help), "{line}");
        }
    }
}
