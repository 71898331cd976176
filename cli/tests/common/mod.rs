//! What the command-line tests share: running the built binary.

use std::process::Command;

/// Runs `wakescope` with `args`: its exit code, stdout and stderr.
pub fn wakescope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wakescope"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
