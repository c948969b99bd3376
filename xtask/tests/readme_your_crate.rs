//! The README's "Use it in your crate" section is a crate that builds and
//! passes: its `Cargo.toml` lines and its test are copied, between their
//! markers, into a crate outside this workspace, which `cargo test` runs.
//!
//! The crate depends on `pi-client = "0.1"` and `pi-contract = "0.1"` as the
//! README says, and a `[patch.crates-io]` section points them at this
//! checkout, so the README's lines are tested word for word. It builds into
//! this test's own target directory with the workspace's `Cargo.lock` and
//! profile, so the dependencies already built are reused rather than built
//! again from scratch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fenced block between `<!-- your-crate:{name}:start -->` and its end
/// marker, without the fence lines.
fn block(readme: &str, name: &str) -> String {
    let start = format!("<!-- your-crate:{name}:start -->");
    let end = format!("<!-- your-crate:{name}:end -->");
    let inside = readme
        .split(&start)
        .nth(1)
        .and_then(|rest| rest.split(&end).next())
        .unwrap_or_else(|| panic!("README.md lacks the markers {start} … {end}"));
    let lines: Vec<&str> = inside.trim().lines().collect();
    assert!(
        lines.len() >= 2 && lines[0].starts_with("```") && lines[lines.len() - 1] == "```",
        "the {name} markers in README.md hold one fenced block"
    );
    let mut code = lines[1..lines.len() - 1].join("\n");
    code.push('\n');
    code
}

/// The workspace manifest's `[profile…]` sections, as written: the same
/// profile gives the same artifacts, so cargo reuses what is built.
fn profiles(manifest: &str) -> String {
    let mut kept = String::new();
    let mut in_profile = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            in_profile = line.starts_with("[profile");
        }
        if in_profile {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

fn cargo_test(cargo: &Path, dir: &Path, target: &Path, offline: bool) -> std::io::Result<Output> {
    let mut command = Command::new(cargo);
    command
        .args(["test", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target);
    if offline {
        command.arg("--offline");
    }
    command.output()
}

#[test]
fn the_readme_crate_builds_and_its_test_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dependencies = block(&readme, "cargo");
    let test = block(&readme, "test");
    assert!(
        !test.contains("pi_types"),
        "the README's test names pi_types; a crate depending on pi-client alone writes pi_client::types"
    );

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-your-crate");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let path = |krate: &str| root.join("crates").join(krate).display().to_string();
    let workspace_manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest = format!(
        "[package]\nname = \"your-crate\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         {dependencies}\n\
         [patch.crates-io]\n\
         pi-client = {{ path = {client:?} }}\n\
         pi-contract = {{ path = {contract:?} }}\n\n\
         {profiles}\n\
         # Its own workspace, whatever directory it sits in.\n[workspace]\n",
        client = path("pi-client"),
        contract = path("pi-contract"),
        profiles = profiles(&workspace_manifest),
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "//! Your crate.\n").unwrap();
    std::fs::write(dir.join("tests/sandboxes.rs"), test).unwrap();
    // The workspace's lock: the same versions as the workspace builds, all
    // of them already downloaded, so `--offline` resolves.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    // This test's own target directory (CARGO_TARGET_TMPDIR is its `tmp`).
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let output = match cargo_test(&cargo, &dir, &target, true) {
        Ok(output) => output,
        Err(error) => {
            println!("skipped: cannot run cargo ({}): {error}", cargo.display());
            return;
        }
    };
    let output = if output.status.success() {
        output
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Only a resolution that needs the network is retried online; a
        // compile error or a failed test is the README's fault.
        let needs_network = stderr.contains("--offline") || stderr.contains("offline mode");
        if !needs_network {
            output
        } else {
            println!("cargo could not resolve offline, trying online:\n{stderr}");
            cargo_test(&cargo, &dir, &target, false).unwrap()
        }
    };
    assert!(
        output.status.success(),
        "the README's \"Use it in your crate\" crate (in {}) fails:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
