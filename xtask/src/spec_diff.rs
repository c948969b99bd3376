//! The `cargo xtask spec diff` subcommand (being built).

use std::process::ExitCode;

/// Compares two documents; not built yet.
pub(crate) fn run(_args: &[String]) -> ExitCode {
    eprintln!("spec diff: not built yet");
    ExitCode::from(2)
}
