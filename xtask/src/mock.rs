//! `cargo xtask mock`: builds and runs `pi-mock`, the contract server as a
//! process, from pi-contract's `cli` feature.

use std::process::{Command, ExitCode};

/// The cargo invocation that builds and runs the binary; what follows `--`
/// goes to `pi-mock`, which checks its own arguments.
const RUN: [&str; 7] = [
    "run",
    "--package",
    "pi-contract",
    "--features",
    "cli",
    "--bin",
    "pi-mock",
];

/// Runs `pi-mock` with `args` (`--stateful`, `--spec PATH`, `--port N`).
pub(crate) fn run(args: &[String]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(RUN).arg("--").args(args);
    replace_with(command)
}

/// Becomes `command` (cargo `run` then becomes `pi-mock` in turn), so that
/// Ctrl-C reaches the mock alone, its summary is the last word, and its
/// exit code is this task's.
#[cfg(unix)]
fn replace_with(mut command: Command) -> ExitCode {
    use std::os::unix::process::CommandExt as _;
    let error = command.exec();
    eprintln!("error: cannot run cargo: {error}");
    ExitCode::FAILURE
}

/// Where a process cannot replace itself, waits for `command` and passes
/// its exit code on.
#[cfg(not(unix))]
fn replace_with(mut command: Command) -> ExitCode {
    match command.status() {
        Ok(status) => match status.code().and_then(|code| u8::try_from(code).ok()) {
            Some(code) => ExitCode::from(code),
            None => ExitCode::FAILURE,
        },
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            ExitCode::FAILURE
        }
    }
}
