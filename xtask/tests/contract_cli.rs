//! `cargo xtask contract` as CI runs it, with `CARGO_TARGET_DIR` outside the
//! workspace: it builds and runs the suite there, finds the report there, and
//! prints the table.
//!
//! This nests a cargo build inside `cargo test`. The nested build uses one
//! target directory shared by every run of this test
//! (`$TMPDIR/pi-rs-contract-cli-target`), so only the first run on a machine
//! builds the suite's dependencies; later runs are incremental.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap().canonicalize().unwrap()
}

/// The nested build's target directory: outside the workspace, shared
/// between runs.
fn shared_target_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("pi-rs-contract-cli-target");
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

#[test]
fn contract_runs_with_a_target_dir_outside_the_workspace() {
    let target = shared_target_dir();
    let root = root();
    assert!(
        !target.starts_with(&root),
        "{} must be outside the workspace {}",
        target.display(),
        root.display()
    );
    let report = target.join("contract-report.json");
    let _ = std::fs::remove_file(&report);

    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("contract")
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!(
        "cargo xtask contract took {:.1?} (target {})",
        started.elapsed(),
        target.display()
    );
    assert!(
        output.status.success(),
        "cargo xtask contract failed ({})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );

    // The table, its totals and the verdict.
    assert!(stdout.contains("contract suite against "), "{stdout}");
    let header = stdout
        .lines()
        .find(|line| line.starts_with("area"))
        .unwrap_or_else(|| panic!("no table header in:\n{stdout}"));
    for column in [
        "operations",
        "driven",
        "requests",
        "responses",
        "violations",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        stdout.lines().any(|line| line.starts_with("total")),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("verdict: holds"), "{stdout}");
    assert!(!stdout.contains("did not build"), "{stdout}");

    // The spec is named by its plain path, and the report is where cargo's
    // target directory is.
    let spec = root.join("spec/openapi.json");
    assert!(
        stdout.contains(&format!("contract suite against {}", spec.display())),
        "{stdout}"
    );
    assert!(!stdout.contains("/../"), "{stdout}");
    let written = std::fs::read_to_string(&report).unwrap_or_else(|error| {
        panic!("no report at {}: {error}", report.display());
    });
    let written: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(written["spec"], spec.display().to_string());
    assert_eq!(written["failures"], serde_json::json!([]));
    assert_eq!(written["verdict"], "holds");
}
