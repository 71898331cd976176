//! `wakescope`: Wakescope's scenarios from the command line.
//!
//! `list` shows the scenarios; `run` runs one seed and prints its timeline,
//! its trace file or a Perfetto file; `sweep` runs a range of seeds and names
//! the first that fails; `check-determinism` runs each seed twice and
//! compares; `explore` tries every schedule of a small scenario. Exit
//! status: 0 all well, 1 a failure was found, 2 bad usage.

mod args;
mod explore;
mod list;
mod run;
mod selection;
mod sweep;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use args::Command;

/// The text of `wakescope help`.
fn help() -> String {
    format!(
        "\
wakescope — run, export and sweep Wakescope's scenarios

Usage:
  wakescope list
  wakescope run <scenario> [--seed N] [--format text|jsonl|chrome] [--out FILE] [scenario options]
  wakescope sweep <scenario> --seeds A..B [--jobs N] [scenario options]
  wakescope check-determinism <scenario> --seeds A..B [--jobs N] [scenario options]
  wakescope explore <scenario> [--max N] [--mode M] [--param name=value]…
  wakescope help

Commands:
  list               The scenarios, their questions, modes and parameters (name, default,
                     bounds, unit).
  run                One run. text: a timeline, one line per event. jsonl: the trace file
                     (Trace::from_jsonl reads it). chrome: Chrome Trace Event JSON for
                     ui.perfetto.dev or chrome://tracing. The trace goes to stdout (or --out);
                     `fingerprint <16 hex digits>` goes to stderr: the value the app shows.
  sweep              One run per seed: counts the outcomes, names the smallest failing seed
                     (a run that did not complete) with the command and the app address
                     that replay it, and reports seeds per second.
  check-determinism  Runs every seed twice and reports the first event where two runs differ.
  explore            Runs every distinct schedule of the scenario (up to --max, default
                     100000), judges each by the scenario's verdict, and prints the first
                     failing schedule as `s:…`, which `run --schedule` replays exactly.

Scenario options:
  --mode M           A mode of the scenario (default: its first; see `wakescope list`).
  --policy P         random (default), fifo, pct:DEPTH or pct:DEPTH:HORIZON. Without a
                     horizon, PCT spreads its change points over the scenario's own length:
                     the polls of one run in FIFO order with seed 0, made first.
  --param name=value A scenario parameter; repeat for several.
  --steps-max N      End a run after N executor steps (default {steps_max}); a run that
                     hits the limit fails.
run options:
  --seed N           The seed, 0 to {seed_max} (default 0).
  --format F         text (default), jsonl or chrome.
  --out FILE         Write the trace to FILE instead of stdout.
  --schedule s:…     Follow this schedule (from `explore`) instead of the policy.
sweep and check-determinism options:
  --seeds A..B       Seeds A up to B, B excluded; also A..=B, or a single seed N.
  --jobs N           Worker threads, 1 to {jobs_max} (default: every core; 1 runs the seeds
                     in order). The first failing seed is the same for any number.
Options also take their value after `=`: --seed=42.

Exit status: 0 all well; 1 a failure was found (a run that did not complete, a failing
seed, two runs of one seed that differ); 2 bad usage (the message says what).

Examples:
  wakescope run timers --mode sequential
  wakescope run timers --seed 42 --format chrome --out run.json   # open it in ui.perfetto.dev
  wakescope sweep timers --seeds 0..100000
",
        steps_max = wakescope::config::STEPS_MAX_DEFAULT,
        seed_max = u64::MAX,
        jobs_max = wakescope::sweep::JOBS_MAX,
    )
}

/// The exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// All well.
    Ok = 0,
    /// A failure was found: a failing seed, a divergence, a run that did not complete.
    Failure = 1,
    /// The command line was wrong.
    Usage = 2,
}

/// Where output goes: stdout or a file, buffered, counting the bytes.
pub struct Output {
    sink: std::io::BufWriter<Box<dyn Write>>,
    /// The file name, or `stdout`, for messages.
    name: String,
    bytes: u64,
}

impl Output {
    /// Opens (creates or truncates) `path`, or stdout when there is none.
    pub fn open(path: Option<&Path>) -> Result<Output, String> {
        let (sink, name): (Box<dyn Write>, String) = match path {
            None => (Box::new(std::io::stdout()), "stdout".to_string()),
            Some(p) => {
                let f = std::fs::File::create(p).map_err(|e| format!("cannot write `{}`: {e}", p.display()))?;
                (Box::new(f), p.display().to_string())
            }
        };
        Ok(Output {
            sink: std::io::BufWriter::new(sink),
            name,
            bytes: 0,
        })
    }

    /// Writes all of `text`.
    pub fn write(&mut self, text: &str) -> Result<(), String> {
        let result = self.write_all(text.as_bytes()).and_then(|()| self.flush());
        self.check(result)
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Turns a write error into a message. A closed pipe (`| head`) is not
    /// an error: the reader has seen what it wanted.
    pub fn check(&self, result: std::io::Result<()>) -> Result<(), String> {
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(format!("cannot write `{}`: {e}", self.name)),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.sink.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let exit = match args::parse(&argv) {
        Ok(command) => execute(command),
        Err(message) => {
            eprintln!("wakescope: {message}");
            eprintln!("`wakescope help` shows the commands and options");
            Exit::Usage
        }
    };
    ExitCode::from(exit as u8)
}

fn execute(command: Command) -> Exit {
    let result = match command {
        Command::Help => Output::open(None).and_then(|mut o| o.write(&help())).map(|()| Exit::Ok),
        Command::List => Output::open(None)
            .and_then(|mut o| o.write(&list::list()))
            .map(|()| Exit::Ok),
        Command::Run(args) => run::run(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::CheckDeterminism(args) => sweep::check_determinism(&args),
        Command::Explore(args) => explore::explore_command(&args),
    };
    result.unwrap_or_else(|message| {
        eprintln!("wakescope: {message}");
        Exit::Usage
    })
}
