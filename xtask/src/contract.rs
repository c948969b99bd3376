//! The `cargo xtask contract` subcommand (placeholder until the suite lands).

use std::process::ExitCode;

/// Runs the contract suite; not built yet, so it always fails.
pub(crate) fn run(_args: &[String]) -> ExitCode {
    eprintln!("contract suite: not built yet");
    ExitCode::FAILURE
}
