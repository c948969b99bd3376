//! Build tasks for pi-rs, run as `cargo xtask <task>` from anywhere in the
//! workspace.
//!
//! - `cargo xtask contract [--spec PATH] [--fail-on behind] [--cases N] [--seed S]`: the
//!   contract suite and its verdict (`broken`, `behind` or `holds`).
//! - `cargo xtask bench [--quick]`: the benchmarks, build and suite costs,
//!   and `bench-report.md` in cargo's target directory.
//! - `cargo xtask codegen [--check]`: the generated models in pi-types.
//! - `cargo xtask spec update --from PATH_OR_URL`: normalize an upstream
//!   OpenAPI document into `spec/openapi.json`, record `spec/upstream.lock`
//!   and regenerate the models.
//! - `cargo xtask spec diff OLD NEW [--format text|json] [--fail-on breaking|behind|any|none]`:
//!   classify the contract changes between two documents (`breaking`, `behind`, `none`).
//! - `cargo xtask spec observe`: record the JSON Schema of every model of the
//!   pinned official Python clients under `spec/observed/` (needs Python and PyPI).
//! - `cargo xtask spec crosscheck [--check]`: compare the document with those
//!   models field by field; fail on disagreements nobody has reviewed.
//!
//! Every task runs from the workspace root, so relative paths given to it are
//! relative to the root, whichever directory cargo was started in.

mod bench;
mod codegen;
mod contract;
mod crosscheck;
mod fuzz;
mod mock;
mod sdk;
mod spec_diff;
mod spec_observe;
mod spec_update;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `cargo xtask help` prints.
const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  contract [--spec PATH] [--fail-on behind] [--cases N] [--seed S]
                                      run the contract suite (vendored spec by default;
                                      N seeded random responses per operation from seed S)
                                      and print a verdict: broken (exit 1), behind, holds
  bench [--quick]                     run the benchmarks and write <target dir>/bench-report.md
                                      (--quick: short measurements, no clean builds)
  fuzz [--seconds N]                  run every cargo-fuzz target of fuzz/ for N seconds each (default 20)
  codegen [--check]                   write crates/pi-types/src/generated/ from spec/ (or check it is current)
  mock [--stateful] [--spec PATH] [--port N]
                                      run pi-mock, the contract server, on 127.0.0.1 (prints its URL,
                                      logs each request, sums up on Ctrl-C)
  spec update --from PATH_OR_URL      normalize a document into spec/, record spec/upstream.lock,
                                      and regenerate the models
  spec diff OLD NEW [--format text|json] [--fail-on breaking|behind|any|none]
                                      classify contract changes from OLD to NEW:
                                      breaking, behind or none
  spec observe                        record the models of the pinned official Python clients
                                      in spec/observed/ (needs python3 and PyPI)
  spec crosscheck [--check]           compare the document with those models field by field,
                                      write spec/observed/crosscheck.json (not with --check);
                                      exit 1 on a disagreement neither accepted nor known

Relative paths are taken from the workspace root.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    if let Err(err) = std::env::set_current_dir(&root) {
        eprintln!(
            "error: cannot enter the workspace root {}: {err}",
            root.display()
        );
        return ExitCode::FAILURE;
    }
    match args.first().map(String::as_str) {
        Some("contract") => contract::run(&args[1..]),
        Some("codegen") => codegen::run(&root, &args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("mock") => mock::run(&args[1..]),
        Some("fuzz") => fuzz::run(&root, &args[1..]),
        Some("spec") => match args.get(1).map(String::as_str) {
            Some("update") => spec_update::run(&root, &args[2..]),
            Some("diff") => spec_diff::run(&args[2..]),
            Some("observe") => spec_observe::run(&root, &args[2..]),
            Some("crosscheck") => crosscheck::run(&root, &args[2..]),
            Some(other) => usage_error(&format!("unknown spec task `{other}`")),
            None => usage_error("`spec` needs a task: update, diff, observe or crosscheck"),
        },
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown task `{other}`")),
        None => usage_error("no task given"),
    }
}

/// Prints a usage error and returns the exit code for it.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

/// The workspace root: the parent of this crate's directory.
fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
