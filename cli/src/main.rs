//! `wakescope`: Wakescope's scenarios from the command line.
//!
//! `list` shows the scenarios; `run` runs one seed and prints its timeline,
//! its trace file or a Perfetto file; `sweep` runs a range of seeds and names
//! the first that fails; `check-determinism` runs each seed twice and
//! compares; `explore` tries every schedule of a small scenario; `shrink`
//! shrinks a failing seed's run to its fewest deviations from FIFO order;
//! `diff` compares two runs and names the first step where they differ;
//! `fork` runs continuations of a run from a step; `bisect` finds the step
//! after which a failing run is sure to fail; `merge` adds up the reports
//! of a sweep's shards (`sweep --shard K/N --report FILE`);
//! `completions` prints a shell completion script. Exit status: 0 all well,
//! 1 a failure was found, 2 bad usage.

mod args;
mod diff;
mod explore;
mod fork;
mod list;
mod run;
mod selection;
mod shard;
mod shrink;
mod suggest;
mod sweep;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use args::Command;

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
    // Help and version exit 0; a usage mistake prints clap's message and exits 2.
    let command = args::parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    ExitCode::from(execute(command) as u8)
}

fn execute(command: Command) -> Exit {
    let result = match command {
        Command::List => Output::open(None)
            .and_then(|mut o| o.write(&list::list()))
            .map(|()| Exit::Ok),
        Command::Run(args) => run::run(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::CheckDeterminism(args) => sweep::check_determinism(&args),
        Command::Explore(args) => explore::explore_command(&args),
        Command::Shrink(args) => shrink::shrink_command(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Fork(args) => fork::fork_command(&args),
        Command::Bisect(args) => fork::bisect_command(&args),
        Command::Merge(paths) => shard::merge_command(&paths),
        Command::Completions(shell) => completions(shell).map(|()| Exit::Ok),
    };
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        Exit::Usage
    })
}

/// Writes the completion script for `shell` to stdout.
fn completions(shell: clap_complete::Shell) -> Result<(), String> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut args::command(), "wakescope", &mut script);
    let mut out = Output::open(None)?;
    let result = out.write_all(&script).and_then(|()| out.flush());
    out.check(result)
}
