//! What the command-line tests share: running the binary as a user would.

use assert_cmd::Command;

/// The binary, run from the crate's folder with colour off.
pub fn entramap() -> Command {
    let mut cmd = Command::cargo_bin("entramap").unwrap();
    cmd.env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs the binary with `args` and `stdin`: (exit code, stdout, stderr). A death by signal fails.
pub fn run_with(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = entramap().args(args).write_stdin(stdin).output().unwrap();
    (
        out.status.code().expect("exited normally, not by a signal"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
