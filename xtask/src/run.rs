//! Running commands: the environment they get, echoing them, streaming their
//! output, and counting the tests they report.

use std::ffi::{OsStr, OsString};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where binaryen is installed, under the workspace root (ignored by git, like
/// all of `target/`); its `node_modules/.bin` is on the `PATH` of everything
/// xtask runs.
pub const BINARYEN_DIR: &str = "target/tools/binaryen";

/// Where things are, and the `PATH` every child process gets.
pub struct Env {
    /// The workspace root.
    pub root: PathBuf,
    /// Where `cargo install` puts binaries (`$CARGO_HOME/bin`).
    pub cargo_bin: PathBuf,
    /// Project-local tools installed from npm (binaryen's `wasm-opt`).
    pub tools_bin: PathBuf,
    /// `PATH` with `tools_bin` and `cargo_bin` first, so freshly installed tools win.
    path: OsString,
    /// The cargo that runs xtask.
    cargo: OsString,
}

impl Env {
    pub fn detect() -> Env {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask/ lives in the workspace root")
            .to_path_buf();
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
            .unwrap_or_else(|| PathBuf::from(".cargo"));
        let cargo_bin = cargo_home.join("bin");
        let tools_bin = root.join(BINARYEN_DIR).join("node_modules/.bin");
        let mut dirs = vec![tools_bin.clone(), cargo_bin.clone()];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path).filter(|d| *d != cargo_bin && *d != tools_bin));
        }
        let path = std::env::join_paths(dirs).unwrap_or_else(|_| std::env::var_os("PATH").unwrap_or_default());
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Env {
            root,
            cargo_bin,
            tools_bin,
            path,
            cargo,
        }
    }

    /// `program`, run from the workspace root with xtask's `PATH`.
    pub fn cmd(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.current_dir(&self.root).env("PATH", &self.path);
        c
    }

    /// The cargo that runs xtask.
    pub fn cargo(&self) -> Command {
        self.cmd(&self.cargo)
    }

    /// The full path of `program` on xtask's `PATH`.
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.path)
            .map(|d| d.join(program))
            .find(|p| is_executable(p))
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A command as a shell line: variables it sets (but `PATH`), program, arguments.
pub fn show(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter(|(k, _)| *k != "PATH")
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), quote(&v?.to_string_lossy()))))
        .collect();
    let program = cmd.get_program().to_string_lossy();
    // The cargo running xtask is shown as plain `cargo`.
    let program = if program.ends_with("/cargo") {
        "cargo".into()
    } else {
        program
    };
    parts.push(program.into_owned());
    parts.extend(cmd.get_args().map(|a| quote(&a.to_string_lossy())));
    parts.join(" ")
}

fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Runs `cmd` with inherited output; an error names the command and its exit.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` {}", show(cmd), describe(status)))
    }
}

/// Runs `cmd` and returns its standard output and error, or `None` if it
/// could not start or failed. For version checks.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stdin(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(text)
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(sig)) => format!("was killed by signal {sig}"),
        _ => "failed".to_string(),
    }
}

/// Tests counted from test runners' closing lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }

    /// Reads one output line: libtest's and wasm-bindgen-test-runner's
    /// `test result: ok. 3 passed; 0 failed; 1 ignored; ...`, and the summary
    /// of `node --test` (`# pass 3` in TAP, `ℹ pass 3` in its spec reporter).
    pub fn scan(&mut self, line: &str) {
        if let Some(rest) = line.trim().strip_prefix("test result: ") {
            for part in rest.split(';') {
                let words: Vec<&str> = part.split_whitespace().collect();
                let (Some(n), Some(what)) = (words.iter().rev().nth(1), words.last()) else {
                    continue;
                };
                let Ok(n) = n.parse::<u64>() else { continue };
                match *what {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    "ignored" => self.skipped += n,
                    _ => {}
                }
            }
            return;
        }
        let summary = line.strip_prefix("# ").or_else(|| line.strip_prefix("ℹ "));
        if let Some(rest) = summary {
            let mut words = rest.split_whitespace();
            if let (Some(what), Some(n), None) = (words.next(), words.next(), words.next())
                && let Ok(n) = n.parse::<u64>()
            {
                match what {
                    "pass" => self.passed += n,
                    "fail" => self.failed += n,
                    "skipped" | "todo" => self.skipped += n,
                    _ => {}
                }
            }
        }
    }
}

/// Runs `cmd`, passing its output through line by line, and adds the
/// tests its closing lines report to `counts` (also when it fails).
pub fn run_counting(cmd: &mut Command, counts: &mut Counts) -> Result<(), String> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", show(cmd)))?;
    if let Some(stdout) = child.stdout.take() {
        let out = io::stdout();
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(line) = line else { break };
            let mut lock = out.lock();
            // A closed stdout (`| head`) must not stop the tests.
            let _ = lock
                .write_all(&line)
                .and_then(|_| lock.write_all(b"\n"))
                .and_then(|_| lock.flush());
            counts.scan(&String::from_utf8_lossy(&line));
        }
    }
    let status = child.wait().map_err(|e| format!("`{}`: {e}", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` {}", show(cmd), describe(status)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_libtest_and_wasm_bindgen_test_lines() {
        let mut c = Counts::default();
        c.scan("test result: ok. 8 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        c.scan("test result: FAILED. 1 passed; 3 failed; 0 ignored; 0 filtered out");
        c.scan("test result: ok. 7 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.04s");
        assert_eq!(
            c,
            Counts {
                passed: 16,
                failed: 3,
                skipped: 2
            }
        );
    }

    #[test]
    fn counts_node_test_summaries() {
        let mut c = Counts::default();
        for line in [
            "# tests 5",
            "# suites 0",
            "# pass 4",
            "# fail 1",
            "# cancelled 0",
            "# skipped 2",
            "# todo 0",
        ] {
            c.scan(line);
        }
        c.scan("ℹ pass 3");
        assert_eq!(
            c,
            Counts {
                passed: 7,
                failed: 1,
                skipped: 2
            }
        );
    }

    #[test]
    fn ignores_lines_that_only_look_alike() {
        let mut c = Counts::default();
        c.scan("    # pass 4"); // an indented subtest's own summary
        c.scan("# Subtest: pass 4 things");
        c.scan("test passed_things ... ok");
        assert!(c.is_empty());
    }

    #[test]
    fn commands_are_shown_as_shell_lines() {
        let mut cmd = Command::new("/home/x/.rustup/toolchains/stable/bin/cargo");
        cmd.args(["test", "--test", "wasm"])
            .env("RUNNER", "wasm-bindgen-test-runner")
            .env("PATH", "/bin");
        assert_eq!(show(&cmd), "RUNNER=wasm-bindgen-test-runner cargo test --test wasm");
        let mut cmd = Command::new("npm");
        cmd.arg("it's here");
        assert_eq!(show(&cmd), r"npm 'it'\''s here'");
    }
}
