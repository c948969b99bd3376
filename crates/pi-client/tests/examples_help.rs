//! Every example under `examples/` answers `--help` and `-h` with its usage
//! and exit code 0, with no configuration at all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The examples' executables, built by one cargo call that is a no-op when
/// they are current; cargo's JSON messages say where each one is, whatever
/// the target directory.
fn built_examples() -> Vec<(String, PathBuf)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--package",
            "pi-client",
            "--examples",
            "--message-format=json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "building the examples failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut examples = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let is_example = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|kind| kind == "example"));
        if let (true, Some(name), Some(executable)) = (
            is_example,
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) {
            examples.push((name.to_owned(), PathBuf::from(executable)));
        }
    }
    examples
}

#[test]
fn every_example_prints_its_usage_on_help_and_exits_0() {
    let examples = built_examples();
    let sources = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "rs"))
        })
        .count();
    assert_eq!(
        examples.len(),
        sources,
        "every example file is built: {examples:?}"
    );
    for (name, executable) in &examples {
        for flag in ["--help", "-h"] {
            // No key, no base URL, no HOME config: help must not need them.
            let output = Command::new(executable)
                .arg(flag)
                .env_clear()
                .env("HOME", env!("CARGO_TARGET_TMPDIR"))
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "{name} {flag} exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                stdout.starts_with(&format!("usage: {name}")),
                "{name} {flag} printed {stdout:?}"
            );
        }
    }
}
