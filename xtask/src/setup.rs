//! Installing the tools the build and the tests need — each only when it is
//! missing or at the wrong version, so that a second run costs a few
//! version checks.
//!
//! | tool                          | version                                   | how                              |
//! |-------------------------------|-------------------------------------------|----------------------------------|
//! | rustc target wasm32-unknown-unknown | the active toolchain's              | `rustup target add`              |
//! | wasm-bindgen-cli              | exactly the `wasm-bindgen` in Cargo.lock  | `cargo install` (not `--locked`) |
//! | trunk                         | [`TRUNK_VERSION`]                         | `cargo install --locked`         |
//! | binaryen's `wasm-opt`         | [`BINARYEN_VERSION`] (npm `binaryen`)     | `npm install` into [`BINARYEN_DIR`] |
//! | Chromium and its driver       | Debian's                                  | `apt-get install`                |
//! | valgrind                      | Debian's                                  | `apt-get install`                |
//! | the browser tests' npm packages | `e2e/package-lock.json`                 | `npm ci`                         |

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::files;
use crate::run::{self, BINARYEN_DIR, Env};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Trunk 0.22 needs a newer rustc than the project's 1.95; 0.21.14 builds on it.
pub const TRUNK_VERSION: &str = "0.21.14";
/// binaryen, for `wasm-opt` in the release build: the npm package's version,
/// whose `wasm-opt --version` says `version_<major>` (Trunk.toml's `wasm_opt`).
pub const BINARYEN_VERSION: &str = "132.0.0";
/// Where the browser tests expect Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The memcheck stage's runner: any invalid read or write, use of an
/// uninitialised value or bad free is an error, and so is memory definitely
/// lost at exit. The test harness's own "possibly lost" thread handle is
/// counted in the summary but not listed.
pub const MEMCHECK: &[&str] = &[
    "valgrind",
    "--error-exitcode=1",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite",
    "--show-possibly-lost=no",
];

/// How long to wait for a `cargo install` of the same crate started elsewhere.
const CONCURRENT_INSTALL_WAIT_MAX: Duration = Duration::from_secs(45 * 60);

fn note(what: &str, state: &str) {
    println!("    {what}: {state}");
}

/// The wasm32 target of the active toolchain.
pub fn wasm_target(env: &Env) -> Result<(), String> {
    let what = format!("rustc target {WASM_TARGET}");
    let listed = run::output(env.cmd("rustup").args(["target", "list", "--installed"]));
    let installed = match &listed {
        Some(list) => list.lines().any(|l| l.trim() == WASM_TARGET),
        // No rustup: look in the sysroot of the rustc cargo uses.
        None => run::output(env.cmd("rustc").args(["--print", "sysroot"]))
            .is_some_and(|s| Path::new(s.trim()).join("lib/rustlib").join(WASM_TARGET).is_dir()),
    };
    if installed {
        note(&what, "installed");
        return Ok(());
    }
    if listed.is_none() {
        return Err(format!("{what} is missing and rustup is not available to add it"));
    }
    note(&what, "installing");
    run::run(env.cmd("rustup").args(["target", "add", WASM_TARGET]))
}

/// The host's target triple (`host:` in `rustc -vV`), e.g. `x86_64-unknown-linux-gnu`.
pub fn host_triple(env: &Env) -> Result<String, String> {
    let out = run::output(env.cmd("rustc").arg("-vV")).ok_or("`rustc -vV` did not run")?;
    out.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
        .ok_or_else(|| format!("`rustc -vV` names no host:\n{out}"))
}

/// Cargo's variable for the runner of `triple`'s binaries
/// (`CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER`).
pub fn runner_variable(triple: &str) -> String {
    format!(
        "CARGO_TARGET_{}_RUNNER",
        triple.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

/// Clippy, for the executor's determinism lints.
pub fn clippy(env: &Env) -> Result<(), String> {
    if run::output(env.cargo().args(["clippy", "--version"])).is_some() {
        note("clippy", "installed");
        return Ok(());
    }
    note("clippy", "installing");
    run::run(env.cmd("rustup").args(["component", "add", "clippy"]))
}

/// rustfmt, for the formatting check.
pub fn rustfmt(env: &Env) -> Result<(), String> {
    if run::output(env.cargo().args(["fmt", "--version"])).is_some() {
        note("rustfmt", "installed");
        return Ok(());
    }
    note("rustfmt", "installing");
    run::run(env.cmd("rustup").args(["component", "add", "rustfmt"]))
}

/// The version of `wasm-bindgen` in Cargo.lock, which wasm-bindgen-cli must match.
pub fn locked_wasm_bindgen(env: &Env) -> Result<String, String> {
    let lock_path = env.root.join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    files::lock_version(&lock, "wasm-bindgen")?.ok_or_else(|| {
        "Cargo.lock has no wasm-bindgen; the wasm32 tests need it through wasm-bindgen-test \
         (executor/Cargo.toml, wasm32 dev-dependencies)"
            .to_string()
    })
}

/// `tool --version`'s x.y.z, if the tool runs.
fn tool_version(env: &Env, tool: &str) -> Option<String> {
    run::output(env.cmd(tool).arg("--version")).and_then(|out| files::version_in(&out))
}

/// `wasm-bindgen` and `wasm-bindgen-test-runner` at exactly the version in Cargo.lock.
pub fn wasm_bindgen(env: &Env) -> Result<String, String> {
    let version = locked_wasm_bindgen(env)?;
    // Trunk may pin the version too; a mismatch would only show as a failed app build.
    if let Ok(trunk_toml) = std::fs::read_to_string(env.root.join("Trunk.toml"))
        && let Some(pinned) = files::toml_string(&trunk_toml, "tools", "wasm_bindgen")
        && pinned != version
    {
        return Err(format!(
            "Trunk.toml pins wasm_bindgen = \"{pinned}\" under [tools], but Cargo.lock has wasm-bindgen \
                     {version}; make them equal"
        ));
    }
    let what = format!("wasm-bindgen-cli {version} (the wasm-bindgen in Cargo.lock)");
    let ok = || {
        ["wasm-bindgen", "wasm-bindgen-test-runner"]
            .iter()
            .all(|tool| tool_version(env, tool).as_deref() == Some(version.as_str()))
    };
    if ok() {
        note(&what, "installed");
        return Ok(version);
    }
    wait_for_concurrent_install("wasm-bindgen-cli");
    if ok() {
        note(&what, "installed");
        return Ok(version);
    }
    let found = tool_version(env, "wasm-bindgen").map_or("none".into(), |v| format!("wasm-bindgen {v}"));
    note(&what, &format!("installing (found {found}; takes about 2 minutes)"));
    // Not `--locked`: wasm-bindgen-cli's own lock file names a crate version
    // the registry does not serve.
    run::run(
        env.cargo()
            .args(["install", "wasm-bindgen-cli", "--version", &version, "--force"]),
    )?;
    if ok() {
        Ok(version)
    } else {
        Err(format!(
            "installed wasm-bindgen-cli {version}, but `wasm-bindgen --version` on PATH still says {}; \
             is another wasm-bindgen earlier on PATH than {}?",
            tool_version(env, "wasm-bindgen").unwrap_or_else(|| "nothing".into()),
            env.cargo_bin.display()
        ))
    }
}

/// Trunk at [`TRUNK_VERSION`].
pub fn trunk(env: &Env) -> Result<(), String> {
    let what = format!("trunk {TRUNK_VERSION}");
    let ok = || tool_version(env, "trunk").as_deref() == Some(TRUNK_VERSION);
    if ok() {
        note(&what, "installed");
        return Ok(());
    }
    wait_for_concurrent_install("trunk");
    if ok() {
        note(&what, "installed");
        return Ok(());
    }
    let found = tool_version(env, "trunk").map_or("none".into(), |v| format!("trunk {v}"));
    note(&what, &format!("installing (found {found}; takes about 7 minutes)"));
    // `--locked`: without it a newer lightningcss breaks the build.
    run::run(
        env.cargo()
            .args(["install", "trunk", "--version", TRUNK_VERSION, "--locked", "--force"]),
    )?;
    if ok() {
        Ok(())
    } else {
        Err(format!(
            "installed trunk {TRUNK_VERSION}, but `trunk --version` on PATH does not say so"
        ))
    }
}

/// The `version_<major>` that `wasm-opt --version` prints for [`BINARYEN_VERSION`].
pub fn binaryen_tag() -> String {
    format!(
        "version_{}",
        BINARYEN_VERSION.split('.').next().unwrap_or(BINARYEN_VERSION)
    )
}

/// `wasm-opt` at [`BINARYEN_VERSION`], from npm's `binaryen` package, in
/// [`BINARYEN_DIR`]: trunk runs it on the release wasm (`data-wasm-opt` in
/// index.html). Trunk is offline, so it must find exactly the version that
/// Trunk.toml names under `[tools]` on `PATH`.
pub fn binaryen(env: &Env) -> Result<(), String> {
    let tag = binaryen_tag();
    if let Ok(trunk_toml) = std::fs::read_to_string(env.root.join("Trunk.toml"))
        && let Some(pinned) = files::toml_string(&trunk_toml, "tools", "wasm_opt")
        && pinned != tag
    {
        return Err(format!(
            "Trunk.toml pins wasm_opt = \"{pinned}\" under [tools], but xtask installs binaryen \
             {BINARYEN_VERSION} ({tag}); make them equal (BINARYEN_VERSION in xtask/src/setup.rs)"
        ));
    }
    let what = format!("wasm-opt {tag} (npm binaryen {BINARYEN_VERSION}, in {BINARYEN_DIR})");
    let wasm_opt = env.tools_bin.join("wasm-opt");
    let ok = || {
        run::output(env.cmd(&wasm_opt).arg("--version"))
            .is_some_and(|out| files::binaryen_tag_in(&out).as_deref() == Some(tag.as_str()))
    };
    if ok() {
        note(&what, "installed");
        return Ok(());
    }
    if env.which("npm").is_none() {
        return Err(
            "`npm` is not on PATH; the app build needs Node.js 20 or newer and npm for binaryen's wasm-opt".into(),
        );
    }
    note(&what, "installing (takes a few seconds)");
    let dir = env.root.join(BINARYEN_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    run::run(env.cmd("npm").args(["install", "--prefix"]).arg(&dir).args([
        "--no-audit",
        "--no-fund",
        "--save-exact",
        &format!("binaryen@{BINARYEN_VERSION}"),
    ]))?;
    if ok() {
        Ok(())
    } else {
        Err(format!(
            "installed binaryen {BINARYEN_VERSION}, but `{} --version` does not say {tag}",
            wasm_opt.display()
        ))
    }
}

/// Chromium and chromium-driver from Debian, for the browser tests.
pub fn chromium(env: &Env) -> Result<(), String> {
    let what = "Chromium";
    // The browser tests use $WAKESCOPE_CHROMIUM instead of /usr/bin/chromium when it is set.
    if let Some(custom) = std::env::var_os("WAKESCOPE_CHROMIUM") {
        let custom = Path::new(&custom);
        return if custom.exists() {
            note(
                what,
                &format!("installed ({}, from WAKESCOPE_CHROMIUM)", custom.display()),
            );
            Ok(())
        } else {
            Err(format!(
                "WAKESCOPE_CHROMIUM is set to {}, which does not exist",
                custom.display()
            ))
        };
    }
    if Path::new(CHROMIUM).exists() {
        note(what, &format!("installed ({CHROMIUM})"));
        return Ok(());
    }
    apt_install(env, what, &["chromium", "chromium-driver"])?;
    if Path::new(CHROMIUM).exists() {
        Ok(())
    } else {
        Err(format!("apt-get installed chromium, but {CHROMIUM} does not exist"))
    }
}

/// Valgrind from Debian, for the memcheck stage: its `valgrind` on `PATH`.
pub fn valgrind(env: &Env) -> Result<(), String> {
    let what = "valgrind";
    let version = || run::output(env.cmd("valgrind").arg("--version"));
    if let Some(v) = version() {
        note(what, &format!("installed ({})", v.trim()));
        return Ok(());
    }
    apt_install(env, what, &["valgrind"])?;
    match version() {
        Some(_) => Ok(()),
        None => Err("apt-get installed valgrind, but `valgrind --version` does not run".into()),
    }
}

/// `apt-get install -y <packages>` (through `sudo` when not root), updating
/// the package lists and trying again if the first attempt fails.
fn apt_install(env: &Env, what: &str, packages: &[&str]) -> Result<(), String> {
    note(what, "installing with apt-get");
    let root = run::output(env.cmd("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root { env.cmd("apt-get") } else { env.cmd("sudo") };
        if !root {
            cmd.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        }
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    if run::run(&mut apt(&install)).is_err() {
        // Most often a stale package list.
        note(what, "install failed; updating the package lists and trying again");
        run::run(&mut apt(&["update"]))?;
        run::run(&mut apt(&install))?;
    }
    Ok(())
}

/// The npm packages of the project in `dir` (`npm ci`, or `npm install`
/// without a lock file), unless `node_modules` is newer than both manifests.
pub fn npm_packages(env: &Env, dir: &Path) -> Result<(), String> {
    let rel = dir.strip_prefix(&env.root).unwrap_or(dir).display().to_string();
    let what = format!("npm packages of {rel}/");
    for tool in ["node", "npm"] {
        if env.which(tool).is_none() {
            return Err(format!(
                "`{tool}` is not on PATH; the browser tests need Node.js 20 or newer and npm"
            ));
        }
    }
    let lock = dir.join("package-lock.json");
    let has_lock = lock.exists();
    // npm writes this file at the end of every install.
    let installed = mtime(&dir.join("node_modules/.package-lock.json"));
    let newest_manifest = [mtime(&dir.join("package.json")), mtime(&lock)]
        .into_iter()
        .flatten()
        .max();
    if let (Some(installed), Some(manifest)) = (installed, newest_manifest)
        && installed >= manifest
    {
        note(&what, "up to date");
        return Ok(());
    }
    let verb = if has_lock { "ci" } else { "install" };
    note(&what, &format!("installing (npm {verb})"));
    run::run(env.cmd("npm").current_dir(dir).args([verb, "--no-audit", "--no-fund"]))
}

fn mtime(p: &Path) -> Option<SystemTime> {
    p.metadata().and_then(|m| m.modified()).ok()
}

/// Waits while another process runs `cargo install <krate>`: two installs
/// of one crate would build it twice and race to write the same binary.
fn wait_for_concurrent_install(krate: &str) {
    let started = Instant::now();
    let mut told = None;
    while let Some(pid) = concurrent_install(krate) {
        if started.elapsed() > CONCURRENT_INSTALL_WAIT_MAX {
            note(krate, &format!("gave up waiting for process {pid}; installing anyway"));
            return;
        }
        let minutes = started.elapsed().as_secs() / 60;
        if told != Some(minutes) {
            told = Some(minutes);
            let waited = if minutes == 0 {
                String::new()
            } else {
                format!(", {minutes} min so far")
            };
            note(
                krate,
                &format!("waiting for a `cargo install {krate}` already running (process {pid}{waited})"),
            );
        }
        std::thread::sleep(Duration::from_secs(5));
    }
}

/// The id of a running `cargo install … <krate> …` other than this process's children.
fn concurrent_install(krate: &str) -> Option<u32> {
    let me = std::process::id();
    let entries = std::fs::read_dir("/proc").ok()?;
    entries.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        if pid == me {
            return None;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).filter(|a| !a.is_empty()).collect();
        let program = args.first()?;
        let is_cargo = program
            .rsplit(|&b| b == b'/')
            .next()
            .is_some_and(|base| base.starts_with(b"cargo"));
        let install_at = args.iter().position(|a| *a == b"install")?;
        let names_krate = args[install_at + 1..].contains(&krate.as_bytes());
        (is_cargo && names_krate).then_some(pid)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_variables_follow_cargos_spelling() {
        assert_eq!(
            runner_variable("x86_64-unknown-linux-gnu"),
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"
        );
        assert_eq!(
            runner_variable("thumbv8m.main-none-eabi"),
            "CARGO_TARGET_THUMBV8M_MAIN_NONE_EABI_RUNNER"
        );
    }
}
