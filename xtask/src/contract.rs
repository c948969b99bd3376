//! `cargo xtask contract [--spec PATH]`: runs the contract suite (the
//! `contract` test of pi-contract) and prints its report: a table per API
//! area, then every failed check grouped by operation.
//!
//! The suite itself is a cargo test, so `cargo test --workspace` runs the same
//! checks against the vendored spec; this task adds the report and the
//! choice of document. With `--spec`, only the suite runs (the snapshot and
//! drift tests are about the vendored spec), and the document is passed to it
//! through `PI_CONTRACT_SPEC`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use pi_contract::report::SuiteReport;

/// The vendored contract, the one the suite runs against by default.
const VENDORED_SPEC: &str = "spec/openapi.json";

/// Where the suite writes its report for this task to read.
const REPORT_PATH: &str = "target/contract-report.json";

/// Runs the task; the workspace root is the current directory.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let spec = match parse_args(args) {
        Ok(spec) => spec,
        Err(message) => return crate::usage_error(&message),
    };
    if let Some(path) = &spec {
        if !path.is_file() {
            eprintln!("error: the spec {} does not exist", path.display());
            return ExitCode::from(2);
        }
        print!("{}", drift_summary(path));
    }
    let report_path = Path::new(REPORT_PATH);
    let _ = std::fs::remove_file(report_path);

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["test", "--package", "pi-contract", "--test", "contract"])
        .env("PI_CONTRACT_REPORT", absolute(report_path))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(path) = &spec {
        command.env("PI_CONTRACT_SPEC", absolute(path)).args([
            "--",
            "the_client_holds_the_contract",
            "--exact",
        ]);
    }
    eprintln!("running the contract suite (cargo test --package pi-contract --test contract)");
    let output = match command.output() {
        Ok(output) => output,
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            return ExitCode::FAILURE;
        }
    };
    let test_output = String::from_utf8_lossy(&output.stdout);

    let report = std::fs::read_to_string(report_path)
        .ok()
        .and_then(|text| serde_json::from_str::<SuiteReport>(&text).ok());
    match &report {
        Some(report) => print!("{}", report.render()),
        None => println!("the suite wrote no report (it did not build or did not run)"),
    }
    let suite_passed = report.as_ref().is_some_and(SuiteReport::passed);
    if !output.status.success() && (suite_passed || report.is_none()) {
        // Something other than the suite's own checks failed: show it all.
        println!("\ncargo test output:\n{test_output}");
    }
    for line in test_output
        .lines()
        .filter(|line| line.starts_with("test result:"))
    {
        println!("{line}");
    }
    if output.status.success() && suite_passed {
        println!("contract holds");
        ExitCode::SUCCESS
    } else {
        println!("contract broken: see the failed checks above");
        ExitCode::FAILURE
    }
}

fn parse_args(args: &[String]) -> Result<Option<PathBuf>, String> {
    match args {
        [] => Ok(None),
        [flag, path] if flag == "--spec" => Ok(Some(PathBuf::from(path))),
        [flag] if flag == "--spec" => Err("--spec needs a path".to_owned()),
        other => Err(format!(
            "unexpected arguments to contract: {}",
            other.join(" ")
        )),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What moved between the vendored spec and `path`, as the diff engine sees
/// it; when either document cannot be read, a line saying so (the suite will
/// then report the same problem with the document it was given).
fn drift_summary(path: &Path) -> String {
    let read =
        |file: &Path| pi_contract::document::read_document(file).map_err(|error| error.to_string());
    let vendored = Path::new(VENDORED_SPEC);
    let compared = read(vendored)
        .and_then(|old| read(path).map(|new| (old, new)))
        .and_then(|(old, new)| {
            pi_contract::diff::diff_documents(&old, &new).map_err(|error| error.to_string())
        });
    match compared {
        Ok(report) => format!("against {VENDORED_SPEC}: {}", report.summary()),
        Err(error) => format!("no spec diff against {VENDORED_SPEC}: {error}\n"),
    }
}
