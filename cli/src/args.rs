//! The command line, declared for clap and read into a [`Command`].
//!
//! Help, usage errors, "did you mean" tips and shell completions all come
//! from the declarations below. The target of `run`, `sweep`,
//! `check-determinism` and `explore` is checked against the scenario
//! registry ([`crate::selection`]) while the command line is read, so an
//! unknown scenario, mode or parameter is a usage error like any other: it
//! shows the command's usage and, when a near spelling exists, a tip
//! ([`crate::suggest`]).

use std::ffi::OsString;
use std::ops::Range;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum, ValueHint};
use clap_complete::Shell;
use wakescope::compare::Against;
use wakescope::config::STEPS_MAX_DEFAULT;
use wakescope::sweep::{
    BISECT_RUNS_DEFAULT, BISECT_RUNS_MAX, FORK_RUNS_DEFAULT, FORK_RUNS_MAX, JOBS_MAX, SHARDS_MAX, SHRINK_RUNS_DEFAULT,
    SHRINK_RUNS_MAX, SHRINK_RUNS_MIN, Shard, parse_seeds,
};
use wakescope::{Policy, Schedule};

use crate::selection::Selection;
use crate::suggest;

/// What the user asked for.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// `wakescope list`.
    List,
    /// `wakescope run <target> …`.
    Run(RunArgs),
    /// `wakescope sweep <target> --seeds A..B …`.
    Sweep(SweepArgs),
    /// `wakescope check-determinism <target> --seeds A..B …`.
    CheckDeterminism(SweepArgs),
    /// `wakescope explore <target> [--max N] …`.
    Explore(ExploreArgs),
    /// `wakescope shrink <target> --seed N [--budget R] …`.
    Shrink(ShrinkArgs),
    /// `wakescope diff <target> --seed N --vs seed:M …`.
    Diff(DiffArgs),
    /// `wakescope fork <target> --seed N --at K [--runs R] …`.
    Fork(ForkArgs),
    /// `wakescope bisect <target> --seed N [--runs R] [--budget B] …`.
    Bisect(BisectArgs),
    /// `wakescope merge <report>…`.
    Merge(Vec<PathBuf>),
    /// `wakescope completions <shell>`.
    Completions(Shell),
}

/// What `run`, `sweep`, `check-determinism` and `explore` run: the
/// positional argument of those commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A scenario of the registry, by id (`wakescope list` shows them).
    Scenario(String),
    /// A program file (`*.rs`), run through the playground's interpreter.
    Program(String),
}

/// `wakescope explore`: every schedule of one scenario, up to a bound.
#[derive(Debug, PartialEq)]
pub struct ExploreArgs {
    pub target: ScenarioArgs,
    /// Stop after this many schedules.
    pub max: u64,
    /// `--stop-at-first`: stop at the first failing schedule.
    pub stop_at_first: bool,
}

/// Default for `explore --max`.
pub const EXPLORE_MAX_DEFAULT: u64 = wakescope::EXPLORE_SCHEDULES_MAX_DEFAULT;

/// What to run, in which mode, with which parameters and policy.
#[derive(Debug, PartialEq)]
pub struct ScenarioArgs {
    pub target: Target,
    pub mode: Option<String>,
    pub policy: Policy,
    /// `--param name=value`, in the order given.
    pub params: Vec<(String, String)>,
    /// `--steps-max N`: a tighter step limit than the default.
    pub steps_max: Option<u64>,
    /// `--preemption-points`: every lock, send and recv may switch tasks.
    pub preemption_points: bool,
}

impl ScenarioArgs {
    /// The scenario these arguments name, checked against the registry, or
    /// the program file, read and parsed.
    pub fn select(&self) -> Result<Selection, String> {
        match &self.target {
            Target::Scenario(id) => {
                let given = self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
                Selection::resolve(id, self.mode.as_deref(), given, self.policy, self.steps_max)
                    .map(|s| s.with_preemption_points(self.preemption_points))
            }
            Target::Program(path) => {
                if self.mode.is_some() || !self.params.is_empty() {
                    return Err(format!(
                        "`{path}` is a program: it has no modes or parameters (edit its `const`s instead)"
                    ));
                }
                Selection::program(path, self.policy, self.steps_max)
                    .map(|s| s.with_preemption_points(self.preemption_points))
            }
        }
    }

    /// The scenario id or the program path as given.
    pub fn id(&self) -> &str {
        match &self.target {
            Target::Scenario(id) | Target::Program(id) => id,
        }
    }
}

/// How `run` writes the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable timeline, one line per event.
    Text,
    /// The trace file format (`Trace::to_jsonl`; `Trace::from_jsonl` reads it back).
    Jsonl,
    /// Chrome Trace Event JSON for ui.perfetto.dev or chrome://tracing.
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
    pub schedule: Option<Schedule>,
}

#[derive(Debug, PartialEq)]
pub struct SweepArgs {
    pub target: ScenarioArgs,
    pub seeds: Range<u64>,
    /// `None`: every core.
    pub jobs: Option<usize>,
    /// Shrink the first failure (`--no-shrink` turns it off).
    pub shrink: bool,
    /// `--stop-at-first`: skip the seeds after the first failure (`sweep` only).
    pub stop_at_first: bool,
    /// `--shard K/N`: run only that block of the seeds (`sweep` only).
    pub shard: Option<Shard>,
    /// `--report FILE`: write the shard report there (`sweep` only).
    pub report: Option<PathBuf>,
}

/// `wakescope diff`: run A (the target with `--seed`) against run B (`--vs`).
#[derive(Debug, PartialEq)]
pub struct DiffArgs {
    pub target: ScenarioArgs,
    pub seed: u64,
    pub vs: Against,
}

/// `wakescope fork`: continuations of a seed's run from a step.
#[derive(Debug, PartialEq)]
pub struct ForkArgs {
    pub target: ScenarioArgs,
    pub seed: u64,
    /// The step: the run's decisions before it are kept.
    pub at: u64,
    /// Continuations.
    pub runs: u64,
}

/// `wakescope bisect`: where a failing seed's run became sure to fail.
#[derive(Debug, PartialEq)]
pub struct BisectArgs {
    pub target: ScenarioArgs,
    pub seed: u64,
    /// Continuations per point.
    pub runs: u64,
    /// Runs in all.
    pub budget: u64,
}

/// `wakescope shrink`: a failing seed's run shrunk to its fewest deviations.
#[derive(Debug, PartialEq)]
pub struct ShrinkArgs {
    pub target: ScenarioArgs,
    pub seed: u64,
    /// Runs the search may take.
    pub budget: u64,
}

/// Reads the command line, program name first.
///
/// `Err` is clap's error for `--help`, `--version` and every mistake:
/// [`clap::Error::exit`] prints it and exits 0 for help and version, 2 for
/// a mistake.
pub fn parse<I, T>(argv: I) -> Result<Command, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    let cli = Cli::try_parse_from(&argv).map_err(|e| suggest::unknown_argument(e, &command(), &argv))?;
    let parsed = Command::from(cli.command);
    if let Some((name, target)) = parsed.target()
        && let Err(message) = target.select()
    {
        let mut cli = command();
        cli.build();
        let sub = cli
            .find_subcommand_mut(name)
            .expect("every command with a target is declared");
        let message = suggest::with_tips(
            sub,
            message,
            &suggest::selection_tips(sub, target.id(), target.mode.as_deref(), &target.params),
        );
        return Err(sub.error(ErrorKind::ValueValidation, message));
    }
    Ok(parsed)
}

/// The whole command line as clap sees it: for help and shell completions.
pub fn command() -> clap::Command {
    Cli::command()
}

impl Command {
    /// The command's name and its target, for commands that run one.
    fn target(&self) -> Option<(&'static str, &ScenarioArgs)> {
        match self {
            Command::Run(a) => Some(("run", &a.target)),
            Command::Sweep(a) => Some(("sweep", &a.target)),
            Command::CheckDeterminism(a) => Some(("check-determinism", &a.target)),
            Command::Explore(a) => Some(("explore", &a.target)),
            Command::Shrink(a) => Some(("shrink", &a.target)),
            Command::Diff(a) => Some(("diff", &a.target)),
            Command::Fork(a) => Some(("fork", &a.target)),
            Command::Bisect(a) => Some(("bisect", &a.target)),
            Command::List | Command::Merge(_) | Command::Completions(_) => None,
        }
    }
}

const SCENARIO_OPTIONS: &str = "Scenario options";

const AFTER_HELP: &str = "\
Exit status: 0 all well; 1 a failure was found (a run that did not complete, a failing
seed, two runs of one seed that differ); 2 bad usage (the message says what).

Examples:
  wakescope list
  wakescope run timers --mode sequential
  wakescope run timers --seed 42 --format chrome --out run.json   # open it in ui.perfetto.dev
  wakescope sweep timers --seeds 0..100000
  wakescope sweep race --seeds 0..100000 --shard 2/4 --report shard-2.json
  wakescope merge shard-*.json
  wakescope explore race --param tasks=2
  wakescope shrink race --seed 12
  wakescope diff race --seed 12 --vs seed:13
  wakescope fork race --seed 12 --at 9 --runs 1000
  wakescope bisect race --seed 12
  wakescope help run";

/// Run, export and sweep Wakescope's scenarios.
#[derive(Parser, Debug)]
#[command(name = "wakescope", version, subcommand_required = true, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Subcommand, Debug)]
enum CliCommand {
    /// The scenarios, with their questions, modes and parameters
    ///
    /// Each scenario's id, title and question; its modes, the first being the
    /// default; its parameters with their default, bounds and unit.
    #[command(verbatim_doc_comment)]
    List,
    /// One run: a timeline, the trace file or a Perfetto file
    ///
    /// One run of the target with one seed. The trace goes to stdout (or
    /// --out); `fingerprint <16 hex digits>` goes to stderr: the value the app
    /// shows for the same scenario, mode, parameters and seed. Exits 1 when the
    /// scenario's verdict fails the run.
    #[command(verbatim_doc_comment)]
    Run(RunOptions),
    /// One run per seed: counts the outcomes, names the smallest failing seed
    ///
    /// A seed fails when the scenario's verdict fails its run (by default: a
    /// run that did not complete). The report names the smallest failing seed
    /// with the command and the app address that replay it, and the seeds per
    /// second. Exits 1 when a seed failed.
    #[command(verbatim_doc_comment)]
    Sweep(SweepOptions),
    /// Runs every seed twice and reports the first event where two runs differ
    ///
    /// Exits 1 when two runs of one seed differ.
    #[command(verbatim_doc_comment)]
    CheckDeterminism(SweepOptions),
    /// Runs every distinct schedule of the target, up to --max
    ///
    /// Judges each schedule by the scenario's verdict and prints the first
    /// failing one as `s:…`, which `wakescope run --schedule` replays exactly.
    /// Exits 1 when a schedule failed.
    #[command(verbatim_doc_comment)]
    Explore(ExploreOptions),
    /// Shrinks a failing seed's run to the schedule that matters
    ///
    /// Looks for a schedule that fails the same way as the seed's run (the
    /// same check, a deadlock again, …) with as few deviations from FIFO order
    /// as possible, and prints it as `s:…` (which `wakescope run --schedule`
    /// replays) with each deviation in words and the number of runs taken.
    /// Stops at --budget runs with the best schedule so far. Exits 1 when the
    /// seed fails (and so was shrunk), 0 when it passes.
    #[command(verbatim_doc_comment)]
    Shrink(ShrinkOptions),
    /// Compares two runs: the first step where they differ, and how they end
    ///
    /// Run A is the target with --seed; run B is A changed as --vs says:
    /// seed:N, mode:M, policy:P, schedule:s:…, param:NAME=VALUE, several
    /// joined by commas (e.g. --vs seed:13,policy:fifo). Prints the first
    /// divergence ("step 17: A polled `b`, B polled `a`") with both events,
    /// then what differs at the end: the outcome, the clock, the tasks.
    /// Exits 0 when the runs are the same step for step, 1 when they differ.
    #[command(verbatim_doc_comment)]
    Diff(DiffOptions),
    /// Runs continuations of a seed's run from a step: how many fail, and how
    ///
    /// Keeps the run's scheduling decisions before step --at (and the tasks'
    /// own random draws of --seed) and lets the random policy decide the rest,
    /// --runs times with continuation seeds 0, 1, 2, …. Prints how many fail,
    /// grouped by how, the estimated probability of failing as the run did
    /// (with its error at 99.9% confidence), and a replay command for the first
    /// of each group. Exits 1 when a continuation failed.
    #[command(verbatim_doc_comment)]
    Fork(ForkOptions),
    /// Finds the step after which a failing seed's run is sure to fail
    ///
    /// Estimates P(fail | the run's first j decisions) at the decision points
    /// of the run, --runs continuations each, within --budget runs (a grid and
    /// a binary search when every point does not fit), prints the chart, and
    /// names the first step from which every continuation fails the same way:
    /// where the bug became inevitable. Exits 1 (the seed fails); a passing
    /// seed is refused.
    #[command(verbatim_doc_comment)]
    Bisect(BisectOptions),
    /// Adds up the reports of a sweep's shards: the whole sweep's counts
    ///
    /// Reads the reports `wakescope sweep … --shard K/N --report FILE` wrote,
    /// checks that they are the shards of one sweep (one target, one seed
    /// range, every shard exactly once), and prints the counts and the
    /// smallest failing seed the unsharded sweep prints. Exits 1 when a seed
    /// failed, 2 when the reports are not one sweep's.
    #[command(verbatim_doc_comment)]
    Merge {
        /// The shard reports, e.g. shard-*.json.
        #[arg(value_name = "REPORT", required = true, value_hint = ValueHint::FilePath)]
        reports: Vec<PathBuf>,
    },
    /// Prints a shell completion script to stdout
    ///
    /// Prints a completion script for SHELL to stdout. To install it:
    ///   bash: wakescope completions bash > ~/.local/share/bash-completion/completions/wakescope
    ///   zsh:  wakescope completions zsh > ~/.zfunc/_wakescope   (with ~/.zfunc on $fpath)
    ///   fish: wakescope completions fish > ~/.config/fish/completions/wakescope.fish
    #[command(verbatim_doc_comment)]
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
}

/// The positional target and the options every scenario command takes.
#[derive(Args, Debug)]
struct TargetOptions {
    /// What to run: a scenario id (`wakescope list` shows them).
    #[arg(value_name = "TARGET", value_parser = parse_target)]
    target: Target,
    /// A mode of the scenario (default: its first; see `wakescope list`).
    #[arg(long, value_name = "M", help_heading = SCENARIO_OPTIONS)]
    mode: Option<String>,
    /// A scenario parameter, e.g. `--param popcorn_s=4`; repeat for several.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param, help_heading = SCENARIO_OPTIONS)]
    params: Vec<(String, String)>,
    #[arg(
        long,
        value_name = "N",
        value_parser = parse_steps_max,
        help_heading = SCENARIO_OPTIONS,
        help = format!("End each run after N executor steps (default {STEPS_MAX_DEFAULT})"),
        long_help = format!("End each run after N executor steps (default {STEPS_MAX_DEFAULT});\na run that hits the limit fails")
    )]
    steps_max: Option<u64>,
    /// Make every lock, send and recv a point where another task may run
    ///
    /// Preemption points, for code that will run on a multi-threaded runtime:
    /// each lock (contended or not), send and recv yields once first, so the
    /// scheduler may run another task there. Off by default; off, the run is
    /// exactly as without the option.
    #[arg(long, help_heading = SCENARIO_OPTIONS, verbatim_doc_comment)]
    preemption_points: bool,
}

/// `--policy`, for the commands that schedule by a policy (not `explore`,
/// which tries every schedule).
#[derive(Args, Debug)]
struct PolicyOption {
    /// How to schedule: random, fifo or pct:DEPTH[:HORIZON]
    ///
    /// How the scheduler picks the next ready task: random (from the seed),
    /// fifo (first in, first out), pct:DEPTH or pct:DEPTH:HORIZON
    /// (probabilistic concurrency testing of that bug depth). Without a
    /// horizon, PCT spreads its change points over the scenario's own length:
    /// the polls of one run in FIFO order with seed 0, made first.
    #[arg(
        long,
        value_name = "P",
        default_value = "random",
        value_parser = parse_policy,
        help_heading = SCENARIO_OPTIONS,
        verbatim_doc_comment
    )]
    policy: Policy,
}

#[derive(Args, Debug)]
struct RunOptions {
    #[command(flatten)]
    target: TargetOptions,
    #[arg(
        long,
        value_name = "N",
        default_value = "0",
        value_parser = parse_seed,
        allow_negative_numbers = true,
        help = format!("The seed, 0 to {}", u64::MAX)
    )]
    seed: u64,
    /// How to write the run.
    #[arg(long, value_name = "F", value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the trace to FILE instead of stdout.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    out: Option<PathBuf>,
    /// Replay this schedule (from `explore`) instead of the policy.
    #[arg(long, value_name = "s:…", value_parser = parse_schedule)]
    schedule: Option<Schedule>,
    #[command(flatten)]
    policy: PolicyOption,
}

#[derive(Args, Debug)]
struct SweepOptions {
    #[command(flatten)]
    target: TargetOptions,
    /// Seeds A up to B, B excluded; also A..=B, or a single seed N.
    #[arg(long, value_name = "A..B", value_parser = parse_seed_range, allow_negative_numbers = true)]
    seeds: Range<u64>,
    #[arg(
        long,
        value_name = "N",
        value_parser = parse_jobs,
        allow_negative_numbers = true,
        help = format!("Worker threads, 1 to {JOBS_MAX} (default: every core)"),
        long_help = format!(
            "Worker threads, 1 to {JOBS_MAX} (default: every core; 1 runs the seeds in order).\n\
             The first failing seed is the same for any number"
        )
    )]
    jobs: Option<usize>,
    /// Do not shrink the first failing seed's run (see `wakescope shrink`).
    #[arg(long)]
    no_shrink: bool,
    /// Stop at the first failing seed (sweep only; still the smallest one)
    ///
    /// Skip the seeds after the first failure instead of running them all.
    /// The failing seed reported is the smallest, as in a full sweep; the
    /// counts are of the seeds that ran. `sweep` only.
    #[arg(long, verbatim_doc_comment)]
    stop_at_first: bool,
    #[arg(
        long,
        value_name = "K/N",
        value_parser = parse_shard,
        help = "Run only the K-th of N blocks of the seeds (sweep only)",
        long_help = format!(
            "Run only the K-th of N equal blocks of the seeds, K from 1 to N, N up to {SHARDS_MAX};\n\
             for a sweep split across machines (see --report and `wakescope merge`). sweep only"
        )
    )]
    shard: Option<Shard>,
    /// Write what the sweep found as a shard report to FILE (for `wakescope merge`)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    report: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyOption,
}

#[derive(Args, Debug)]
struct ShrinkOptions {
    #[command(flatten)]
    target: TargetOptions,
    #[arg(
        long,
        value_name = "N",
        default_value = "0",
        value_parser = parse_seed,
        allow_negative_numbers = true,
        help = format!("The failing seed, 0 to {}", u64::MAX)
    )]
    seed: u64,
    #[arg(
        long,
        value_name = "R",
        default_value_t = SHRINK_RUNS_DEFAULT,
        value_parser = parse_budget,
        allow_negative_numbers = true,
        help = format!("Runs the search may take, {SHRINK_RUNS_MIN} to {SHRINK_RUNS_MAX}")
    )]
    budget: u64,
    #[command(flatten)]
    policy: PolicyOption,
}

#[derive(Args, Debug)]
struct ForkOptions {
    #[command(flatten)]
    target: TargetOptions,
    #[arg(long, value_name = "N", default_value = "0", value_parser = parse_seed, allow_negative_numbers = true, help = format!("The run's seed, 0 to {}", u64::MAX))]
    seed: u64,
    /// The step to fork at: the run's decisions before it are kept
    #[arg(long, value_name = "K", value_parser = parse_seed, allow_negative_numbers = true)]
    at: u64,
    #[arg(
        long,
        value_name = "R",
        default_value_t = FORK_RUNS_DEFAULT,
        value_parser = parse_fork_runs,
        allow_negative_numbers = true,
        help = format!("Continuations, 1 to {FORK_RUNS_MAX}")
    )]
    runs: u64,
    #[command(flatten)]
    policy: PolicyOption,
}

#[derive(Args, Debug)]
struct BisectOptions {
    #[command(flatten)]
    target: TargetOptions,
    #[arg(long, value_name = "N", default_value = "0", value_parser = parse_seed, allow_negative_numbers = true, help = format!("The failing seed, 0 to {}", u64::MAX))]
    seed: u64,
    #[arg(
        long,
        value_name = "R",
        default_value_t = FORK_RUNS_DEFAULT,
        value_parser = parse_fork_runs,
        allow_negative_numbers = true,
        help = format!("Continuations per point, 1 to {FORK_RUNS_MAX}")
    )]
    runs: u64,
    #[arg(
        long,
        value_name = "B",
        default_value_t = BISECT_RUNS_DEFAULT,
        value_parser = parse_bisect_budget,
        allow_negative_numbers = true,
        help = format!("Runs in all, up to {BISECT_RUNS_MAX}")
    )]
    budget: u64,
    #[command(flatten)]
    policy: PolicyOption,
}

#[derive(Args, Debug)]
struct DiffOptions {
    #[command(flatten)]
    target: TargetOptions,
    #[arg(
        long,
        value_name = "N",
        default_value = "0",
        value_parser = parse_seed,
        allow_negative_numbers = true,
        help = format!("Run A's seed, 0 to {}", u64::MAX)
    )]
    seed: u64,
    /// Run B: run A changed, e.g. seed:13, mode:locked, policy:fifo, schedule:s:01, param:tasks=3
    #[arg(long, value_name = "CHANGES", value_parser = parse_against)]
    vs: Against,
    #[command(flatten)]
    policy: PolicyOption,
}

#[derive(Args, Debug)]
struct ExploreOptions {
    #[command(flatten)]
    target: TargetOptions,
    /// Stop after this many schedules.
    #[arg(long, value_name = "N", default_value_t = EXPLORE_MAX_DEFAULT, value_parser = parse_max, allow_negative_numbers = true)]
    max: u64,
    /// Stop at the first failing schedule instead of counting every failure.
    #[arg(long)]
    stop_at_first: bool,
}

impl TargetOptions {
    fn with_policy(self, policy: Policy) -> ScenarioArgs {
        ScenarioArgs {
            target: self.target,
            mode: self.mode,
            policy,
            params: self.params,
            steps_max: self.steps_max,
            preemption_points: self.preemption_points,
        }
    }
}

impl From<SweepOptions> for SweepArgs {
    fn from(o: SweepOptions) -> SweepArgs {
        SweepArgs {
            target: o.target.with_policy(o.policy.policy),
            seeds: o.seeds,
            jobs: o.jobs,
            shrink: !o.no_shrink,
            stop_at_first: o.stop_at_first,
            shard: o.shard,
            report: o.report,
        }
    }
}

impl From<CliCommand> for Command {
    fn from(command: CliCommand) -> Command {
        match command {
            CliCommand::List => Command::List,
            CliCommand::Run(o) => Command::Run(RunArgs {
                target: o.target.with_policy(o.policy.policy),
                seed: o.seed,
                format: o.format,
                out: o.out,
                schedule: o.schedule,
            }),
            CliCommand::Sweep(o) => Command::Sweep(o.into()),
            CliCommand::CheckDeterminism(o) => Command::CheckDeterminism(o.into()),
            // Explore tries every schedule; the policy plays no part.
            CliCommand::Explore(o) => Command::Explore(ExploreArgs {
                target: o.target.with_policy(Policy::Random),
                max: o.max,
                stop_at_first: o.stop_at_first,
            }),
            CliCommand::Shrink(o) => Command::Shrink(ShrinkArgs {
                target: o.target.with_policy(o.policy.policy),
                seed: o.seed,
                budget: o.budget,
            }),
            CliCommand::Diff(o) => Command::Diff(DiffArgs {
                target: o.target.with_policy(o.policy.policy),
                seed: o.seed,
                vs: o.vs,
            }),
            CliCommand::Fork(o) => Command::Fork(ForkArgs {
                target: o.target.with_policy(o.policy.policy),
                seed: o.seed,
                at: o.at,
                runs: o.runs,
            }),
            CliCommand::Bisect(o) => Command::Bisect(BisectArgs {
                target: o.target.with_policy(o.policy.policy),
                seed: o.seed,
                runs: o.runs,
                budget: o.budget,
            }),
            CliCommand::Merge { reports } => Command::Merge(reports),
            CliCommand::Completions { shell } => Command::Completions(shell),
        }
    }
}

// Value parsers: each error is the reason, after clap's
// "invalid value 'x' for '--seed <N>': ".

fn parse_target(text: &str) -> Result<Target, String> {
    Ok(if text.ends_with(".rs") {
        Target::Program(text.to_string())
    } else {
        Target::Scenario(text.to_string())
    })
}

/// A seed: a whole number from 0 to `u64::MAX`.
fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| format!("not a whole number from 0 to {}", u64::MAX))
}

fn parse_seed_range(text: &str) -> Result<Range<u64>, String> {
    parse_seeds(text)
}

fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=JOBS_MAX).contains(&n) => Ok(n),
        _ => Err(format!("not a number of threads from 1 to {JOBS_MAX}")),
    }
}

/// A whole number from 1 up, or `what` in the message.
fn at_least_one(text: &str, what: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("not a number of {what} from 1 up")),
    }
}

fn parse_steps_max(text: &str) -> Result<u64, String> {
    at_least_one(text, "steps")
}

fn parse_max(text: &str) -> Result<u64, String> {
    at_least_one(text, "schedules")
}

fn parse_budget(text: &str) -> Result<u64, String> {
    runs_in(text, SHRINK_RUNS_MIN, SHRINK_RUNS_MAX)
}

fn parse_fork_runs(text: &str) -> Result<u64, String> {
    runs_in(text, 1, FORK_RUNS_MAX)
}

fn parse_bisect_budget(text: &str) -> Result<u64, String> {
    runs_in(text, 1, BISECT_RUNS_MAX)
}

/// A number of runs from `min` to `max`.
fn runs_in(text: &str, min: u64, max: u64) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("not a number of runs from {min} to {max}")),
    }
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse::<Shard>()
}

fn parse_against(text: &str) -> Result<Against, String> {
    text.parse::<Against>()
}

fn parse_policy(text: &str) -> Result<Policy, String> {
    text.parse::<Policy>()
}

fn parse_schedule(text: &str) -> Result<Schedule, String> {
    text.trim().parse::<Schedule>()
}

/// `name=value`, both trimmed.
fn parse_param(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| "expected NAME=VALUE, e.g. `--param popcorn_s=4`".to_string())?;
    Ok((name.trim().to_string(), value.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<Command, clap::Error> {
        parse(std::iter::once("wakescope").chain(line.split_whitespace()))
    }

    /// The error as the user reads it, without colour.
    fn error(line: &str) -> String {
        match parse_str(line) {
            Ok(command) => panic!("{line:?} parsed: {command:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_declarations_are_consistent() {
        command().debug_assert();
    }

    #[test]
    fn run_takes_every_option_in_both_spellings() {
        let Command::Run(run) = parse_str(
            "run timers --mode=sequential --seed 42 --policy fifo --param popcorn_s=4 --param boiler_s=6 --format chrome --out x.json",
        )
        .unwrap() else {
            panic!("not a run")
        };
        assert_eq!(run.target.target, Target::Scenario("timers".into()));
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
        assert_eq!(
            (run.seed, run.format, run.target.policy),
            (0, Format::Text, Policy::Random)
        );
        let Command::Explore(e) = parse_str("explore race --max 50 --param tasks=2").unwrap() else {
            panic!()
        };
        assert_eq!(e.max, 50);
        let Command::Explore(e) = parse_str("explore race").unwrap() else {
            panic!()
        };
        assert_eq!(e.max, EXPLORE_MAX_DEFAULT);
        assert_eq!(parse_str("completions zsh").unwrap(), Command::Completions(Shell::Zsh));
    }

    #[test]
    fn sweeps_need_a_seed_range() {
        let Command::Sweep(sweep) = parse_str("sweep timers --seeds 0..100 --jobs 3").unwrap() else {
            panic!()
        };
        assert_eq!((sweep.seeds, sweep.jobs), (0..100, Some(3)));
        let Command::CheckDeterminism(check) = parse_str("check-determinism timers --seeds=7").unwrap() else {
            panic!()
        };
        assert_eq!((check.seeds, check.jobs), (7..8, None));
        let e = error("sweep timers");
        assert!(e.contains("required") && e.contains("--seeds <A..B>"), "{e}");
        assert!(error("check-determinism timers --seeds 5..2").contains("empty"));
    }

    #[test]
    fn mistakes_name_the_argument_and_the_reason() {
        for (line, says) in [
            ("frobnicate", "unrecognized subcommand 'frobnicate'"),
            ("swep timers", "a similar subcommand exists: 'sweep'"),
            ("list extra", "unexpected argument 'extra'"),
            ("run", "<TARGET>"),
            ("run timers extra", "unexpected argument 'extra'"),
            ("run timers --sed 4", "a similar argument exists: '--seed'"),
            ("run timers -s 4", "unexpected argument '-s'"),
            ("run timers --seed", "a value is required for '--seed <N>'"),
            (
                "run timers --seed x",
                "invalid value 'x' for '--seed <N>': not a whole number",
            ),
            ("run timers --seed -1", "invalid value '-1' for '--seed <N>'"),
            ("run timers --seed 1 --seed 2", "cannot be used multiple times"),
            ("run timers --format svg", "[possible values: text, jsonl, chrome]"),
            ("run timers --format chrom", "a similar value exists: 'chrome'"),
            ("run timers --policy lifo", "unknown policy `lifo`"),
            ("run timers --param popcorn_s", "expected NAME=VALUE"),
            ("sweep timers --seeds x..y", "`x` is not a seed"),
            (
                "sweep timers --seeds 0..9 --jobs 0",
                "'--jobs <N>': not a number of threads",
            ),
            (
                "sweep timers --seeds 0..9 --seed 3",
                "a similar argument exists: '--seeds'",
            ),
            ("run timers --steps-max 0", "'--steps-max <N>': not a number of steps"),
            ("run timers --schedule 012", "schedule `012` must start with `s:`"),
            ("explore race --max 0", "'--max <N>': not a number of schedules"),
            ("explore race --seed 3", "unexpected argument '--seed'"),
            ("explore race --policy fifo", "unexpected argument '--policy'"),
            ("run nope", "unknown scenario `nope`; known: timers"),
            ("run timerz", "did you mean `timers`?"),
            ("run timers --mode sequental", "did you mean `--mode sequential`?"),
            ("run timers --param eggs_s=1", "timers has no parameter `eggs_s`"),
            (
                "run timers --param eggs_s=1",
                "the parameters of timers are popcorn_s, boiler_s, cookies_s",
            ),
            ("run timers --param popcorn=4", "did you mean `--param popcorn_s=4`?"),
            (
                "run timers --param mode=sequential",
                "did you mean `--mode sequential`?",
            ),
            ("run timers --param steps_max=9", "did you mean `--steps-max 9`?"),
            ("sweep timers --seeds 0..9 --param seed=3", "did you mean `--seeds 3`?"),
            ("run timers --popcorn_s 4", "did you mean `--param popcorn_s=4`?"),
            ("run timers --popcorn_s=4", "did you mean `--param popcorn_s=4`?"),
            ("run timers popcorn_s=4", "did you mean `--param popcorn_s=4`?"),
            ("run timers mode=sequential", "did you mean `--mode sequential`?"),
        ] {
            let err = parse_str(line).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{line:?}");
            let text = err.to_string();
            assert!(text.contains(says), "{line:?}: {text}");
            assert!(text.starts_with("error: "), "{line:?}: {text}");
        }
    }

    #[test]
    fn no_command_is_a_usage_error_that_shows_the_help() {
        let err = parse_str("").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand);
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("Usage: wakescope <COMMAND>"));
    }

    #[test]
    fn a_selection_error_shows_the_commands_usage() {
        let e = error("sweep timers --seeds 0..9 --param mode=sequential");
        assert!(e.starts_with("error: timers has no parameter `mode`"), "{e}");
        assert!(e.contains("Usage: wakescope sweep"), "{e}");
        assert!(e.contains("--help"), "{e}");
    }

    #[test]
    fn help_and_version_exit_0() {
        for line in [
            "help",
            "--help",
            "-h",
            "run --help",
            "run timers --help",
            "help sweep",
            "sweep -h",
            "--version",
        ] {
            let err = parse_str(line).unwrap_err();
            assert_eq!(err.exit_code(), 0, "{line}");
            assert!(!err.use_stderr(), "{line}");
        }
    }
}
