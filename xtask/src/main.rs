//! Wakescope's project commands, run as `cargo xtask <command>`.
//!
//! Plain Rust plus `syn` (for the module layout check), so it builds
//! anywhere the project does.
//! Each command first installs the tools it needs (see `setup.rs`), then runs
//! its stages in order and stops at the first failure, naming the stage.

mod files;
mod layout;
mod run;
mod setup;

#[cfg(feature = "demo")]
mod demo;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use run::{Counts, Env};

const HELP: &str = "\
Wakescope project commands

Usage: cargo xtask <command> [options]

Commands:
  test     Install what the tests need, then run every stage, stopping at the first failure:
             1. format            cargo fmt --all --check (rustfmt.toml: 120 columns)
             2. determinism lint  clippy on the executor: no wall clock, threads or hash containers
             3. module layout     no module of executor, app, cli, playground, worker, xtask or tokio imports itself
                                  through others; README.md's module map lists every executor module
                                  (xtask/src/layout.rs)
             4. native tests      cargo test --workspace --all-features
             5. memcheck          the waker's tests (waker.rs, tests/wakers.rs) under valgrind memcheck
                                  (Linux hosts; installs valgrind with apt-get when missing)
             6. wasm32 tests      the executor's and the playground's tests/wasm.rs under
                                  wasm-bindgen-test-runner (Node)
             7. app build         trunk build --release            (when app/ and index.html exist)
             8. browser tests     npm test in e2e/ against dist/   (when e2e/package.json exists)
  serve    Build the app and serve it on http://127.0.0.1:8080, rebuilding on change
           (reload the page to see a rebuild: the page's CSP blocks trunk's autoreload).
           Options: --port <n>, --address <ip>
  setup    Only install the tools: the wasm32 target, wasm-bindgen-cli (the version in
           Cargo.lock), trunk, binaryen's wasm-opt (npm, into target/tools/binaryen),
           valgrind, Chromium and the browser tests' npm packages.
  layout   Only the module layout check (stage 3 of `test`).
  help     Show this.

Tools that are already installed at the right version are left alone.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env = Env::detect();
    let result = match args.first().map(String::as_str) {
        Some("test") => no_options("test", &args[1..]).and_then(|()| test(&env)),
        Some("serve") => serve(&env, &args[1..]),
        Some("layout") => no_options("layout", &args[1..]).and_then(|()| check_layout(&env)),
        Some("setup") => no_options("setup", &args[1..]).and_then(|()| setup_only(&env)),
        #[cfg(feature = "demo")]
        Some("timers-demo") => demo::timers(),
        Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            Ok(())
        }
        None => {
            eprint!("{HELP}");
            Err("no command given".to_string())
        }
        Some(other) => Err(format!(
            "unknown command `{other}`; `cargo xtask help` lists the commands"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn no_options(command: &str, rest: &[String]) -> Result<(), String> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(format!("`cargo xtask {command}` takes no options (got `{extra}`)")),
    }
}

/// What exists in the work tree, deciding which stages run.
struct Layout {
    /// `app/` and `index.html`: the app can be built.
    app: bool,
    /// `e2e/package.json`: there are browser tests.
    e2e: bool,
    /// Where trunk writes the build (`dist` under `[build]` in Trunk.toml, default `dist/`).
    dist: PathBuf,
}

impl Layout {
    fn detect(env: &Env) -> Layout {
        let root = &env.root;
        let dist = std::fs::read_to_string(root.join("Trunk.toml"))
            .ok()
            .and_then(|t| files::toml_string(&t, "build", "dist"))
            .unwrap_or_else(|| "dist".to_string());
        Layout {
            app: root.join("app").is_dir() && root.join("index.html").is_file(),
            e2e: root.join("e2e/package.json").is_file(),
            dist: root.join(dist),
        }
    }

    /// Why the app cannot be built yet.
    fn app_missing(env: &Env) -> String {
        let missing: Vec<&str> = [
            ("app/", env.root.join("app").is_dir()),
            ("index.html", env.root.join("index.html").is_file()),
        ]
        .into_iter()
        .filter_map(|(name, there)| (!there).then_some(name))
        .collect();
        format!("no {} yet", missing.join(" and no "))
    }
}

enum Status {
    Passed(Duration),
    Skipped(String),
    Failed(Duration),
}

/// Stage headers, results and the closing summary.
struct Report {
    command: &'static str,
    total: usize,
    rows: Vec<(&'static str, Status)>,
    counts: Counts,
    started: Instant,
}

impl Report {
    fn new(command: &'static str, total: usize) -> Report {
        Report {
            command,
            total,
            rows: Vec::new(),
            counts: Counts::default(),
            started: Instant::now(),
        }
    }

    fn header(&self, name: &str, detail: &str) {
        let n = self.rows.len();
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        };
        println!("\n==> [{n}/{}] {name}{detail}", self.total);
    }

    /// Runs one stage; on failure prints the summary and returns an error naming the stage.
    fn stage(
        &mut self,
        name: &'static str,
        detail: &str,
        body: impl FnOnce(&mut Counts) -> Result<(), String>,
    ) -> Result<(), String> {
        self.header(name, detail);
        let started = Instant::now();
        let result = body(&mut self.counts);
        match result {
            Ok(()) => {
                self.rows.push((name, Status::Passed(started.elapsed())));
                Ok(())
            }
            Err(message) => {
                self.rows.push((name, Status::Failed(started.elapsed())));
                self.summary();
                Err(format!("stage `{name}` failed: {message}"))
            }
        }
    }

    fn skip(&mut self, name: &'static str, why: &str) {
        self.header(name, &format!("SKIPPED ({why})"));
        self.rows.push((name, Status::Skipped(why.to_string())));
    }

    fn summary(&self) {
        println!("\n==> {} summary ({})", self.command, secs(self.started.elapsed()));
        for (name, status) in &self.rows {
            let (word, detail) = match status {
                Status::Passed(d) => ("ok", secs(*d)),
                Status::Failed(d) => ("FAILED", secs(*d)),
                Status::Skipped(why) => ("skipped", why.clone()),
            };
            println!("    {name:<15} {word:<8} {detail}");
        }
        if !self.counts.is_empty() {
            let c = self.counts;
            println!("tests: {} passed, {} failed, {} skipped", c.passed, c.failed, c.skipped);
        }
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// The crates whose `src/` the module layout stage checks.
const LAYOUT_CRATES: &[&str] = &[
    "executor",
    "app",
    "cli",
    "playground",
    "worker",
    "xtask",
    "tokio",
    "tokio/macros",
];

/// No import cycles in any crate; the README's module map lists every module of the executor.
fn check_layout(env: &Env) -> Result<(), String> {
    let summary = layout::check(&env.root, LAYOUT_CRATES)?;
    layout::check_module_map(&env.root, "executor", "README.md")?;
    println!("{summary}: no cycles; README.md lists every module of executor/src");
    Ok(())
}

/// `cargo xtask test`.
fn test(env: &Env) -> Result<(), String> {
    let layout = Layout::detect(env);
    let mut report = Report::new("xtask test", 8);
    let host = setup::host_triple(env)?;
    let memcheck_host = host.contains("-linux-");

    report.stage("setup", "tools for the stages below", |_| {
        setup::clippy(env)?;
        setup::rustfmt(env)?;
        if memcheck_host {
            setup::valgrind(env)?;
        }
        setup::wasm_target(env)?;
        setup::wasm_bindgen(env)?;
        if layout.app {
            setup::trunk(env)?;
            setup::binaryen(env)?;
            if layout.e2e {
                setup::chromium(env)?;
                setup::npm_packages(env, &env.root.join("e2e"))?;
            }
        }
        Ok(())
    })?;

    let mut fmt = env.cargo();
    fmt.args(["fmt", "--all", "--check"]);
    report.stage("format", &run::show(&fmt), |_| run::run(&mut fmt))?;

    // The executor must never read the wall clock, start threads or iterate
    // hash containers (executor/clippy.toml): those lints are errors here.
    let mut lint = env.cargo();
    lint.args([
        "clippy",
        "-p",
        "wakescope",
        "--all-features",
        "--",
        "-D",
        "clippy::disallowed_methods",
        "-D",
        "clippy::disallowed_types",
    ]);
    report.stage("determinism lint", &run::show(&lint), |_| run::run(&mut lint))?;

    report.stage(
        "module layout",
        "executor, app, cli, playground, worker, xtask, tokio, tokio/macros",
        |_| check_layout(env),
    )?;

    let mut native = env.cargo();
    native.args(["test", "--workspace", "--all-features"]);
    report.stage("native tests", &run::show(&native), |counts| {
        run::run_counting(&mut native, counts)
    })?;

    // The waker is a hand-built RawWaker over a hand-counted arena (unsafe
    // code): its unit tests and tests/wakers.rs — every test with `waker::`
    // in its path — run again under valgrind, as cargo's runner for the host.
    // Same features as the native stage, so the test binaries are reused.
    if memcheck_host {
        let mut memcheck = env.cargo();
        memcheck
            .env(setup::runner_variable(&host), setup::MEMCHECK.join(" "))
            .args([
                "test",
                "-p",
                "wakescope",
                "--all-features",
                "--lib",
                "--test",
                "wakers",
                "--",
                "waker::",
            ]);
        report.stage("memcheck", &run::show(&memcheck), |counts| {
            run::run_counting(&mut memcheck, counts)
        })?;
    } else {
        report.skip("memcheck", &format!("valgrind runs on Linux; the host is {host}"));
    }

    let mut wasm = env.cargo();
    wasm.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .args([
            "test",
            "-p",
            "wakescope",
            "-p",
            "wakescope-playground",
            "--target",
            setup::WASM_TARGET,
            "--test",
            "wasm",
        ]);
    report.stage("wasm32 tests", &run::show(&wasm), |counts| {
        run::run_counting(&mut wasm, counts)
    })?;

    if layout.app {
        let mut build = env.cmd("trunk");
        build.args(["build", "--release"]);
        let index = layout.dist.join("index.html");
        report.stage("app build", &run::show(&build), |_| {
            run::run(&mut build)?;
            if index.is_file() {
                Ok(())
            } else {
                Err(format!("trunk finished but {} does not exist", index.display()))
            }
        })?;
    } else {
        report.skip("app build", &Layout::app_missing(env));
    }

    if layout.app && layout.e2e {
        let mut e2e = env.cmd("npm");
        e2e.current_dir(env.root.join("e2e"))
            .env("WAKESCOPE_DIST", &layout.dist)
            .arg("test");
        let detail = format!("(cd e2e && {})", run::show(&e2e));
        report.stage("browser tests", &detail, |counts| {
            run::run_counting(&mut e2e, counts).map_err(|e| format!("{e} (in e2e/)"))
        })?;
    } else if !layout.e2e {
        report.skip("browser tests", "no e2e/package.json yet");
    } else {
        report.skip("browser tests", "the app build was skipped");
    }

    report.summary();
    Ok(())
}

/// `cargo xtask setup`: everything `test` would install.
fn setup_only(env: &Env) -> Result<(), String> {
    let layout = Layout::detect(env);
    println!("==> setup");
    setup::wasm_target(env)?;
    setup::wasm_bindgen(env)?;
    setup::trunk(env)?;
    setup::binaryen(env)?;
    if setup::host_triple(env)?.contains("-linux-") {
        setup::valgrind(env)?;
    }
    setup::chromium(env)?;
    if layout.e2e {
        setup::npm_packages(env, &env.root.join("e2e"))?;
    }
    Ok(())
}

/// `cargo xtask serve [--port N] [--address IP]`.
fn serve(env: &Env, args: &[String]) -> Result<(), String> {
    let mut port = "8080".to_string();
    let mut address = "127.0.0.1".to_string();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let slot = match flag.as_str() {
            "--port" => &mut port,
            "--address" => &mut address,
            other => {
                return Err(format!(
                    "`cargo xtask serve` does not know `{other}`; it takes --port <n> and --address <ip>"
                ));
            }
        };
        *slot = rest.next().ok_or_else(|| format!("{flag} needs a value"))?.clone();
    }
    if port.parse::<u16>().map_or(true, |p| p == 0) {
        return Err(format!("--port `{port}` is not a port number in 1..=65535"));
    }
    if address.parse::<std::net::IpAddr>().is_err() {
        return Err(format!("--address `{address}` is not an IP address"));
    }

    let layout = Layout::detect(env);
    if !layout.app {
        // Until the app exists there is nothing to serve: show the executor
        // at work instead, with the timers scenario's trace.
        println!(
            "==> {}: running the timers scenario natively instead",
            Layout::app_missing(env)
        );
        return run::run(env.cargo().args([
            "run",
            "--quiet",
            "-p",
            "xtask",
            "--features",
            "demo",
            "--",
            "timers-demo",
        ]));
    }

    println!("==> setup");
    setup::wasm_target(env)?;
    setup::wasm_bindgen(env)?;
    setup::trunk(env)?;
    setup::binaryen(env)?;
    let mut cmd = env.cmd("trunk");
    // No autoreload: trunk's reload client is an inline script with the
    // server's address in it, which the page's Content-Security-Policy
    // (index.html) refuses to run. Reload the page after a rebuild.
    cmd.args([
        "serve",
        "--release",
        "--no-autoreload",
        "--address",
        &address,
        "--port",
        &port,
    ]);
    println!(
        "\n==> serving the app on http://{address}:{port}/ (Ctrl-C stops): {}",
        run::show(&cmd)
    );
    run::run(&mut cmd)
}
