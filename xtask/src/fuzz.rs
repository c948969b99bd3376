//! `cargo xtask fuzz [--seconds N]`: runs every cargo-fuzz target of `fuzz/`
//! for N seconds each on the stable toolchain, installing cargo-fuzz first
//! when it is missing, and keeps what a target finds as a regression input
//! under `fuzz/regressions/<target>/`, which `cargo test` replays.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The cargo-fuzz release this task installs and expects: pinned, so a CI
/// run today and one next month fuzz with the same tool.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Seconds per target when `--seconds` is not given: enough to shake out
/// shallow crashes on every run, short enough for CI.
const DEFAULT_SECONDS: u64 = 20;

/// Longest a single input may run before libFuzzer reports it as a hang
/// (kept as a `timeout-*` regression input like a crash).
const INPUT_TIMEOUT_SECONDS: u64 = 10;

/// Runs the task from the workspace root `root` with `args`.
pub(crate) fn run(root: &Path, args: &[String]) -> ExitCode {
    let seconds = match parse(args) {
        Ok(seconds) => seconds,
        Err(message) => {
            eprintln!("error: {message}\n\nusage: cargo xtask fuzz [--seconds N]");
            return ExitCode::from(2);
        }
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    if let Err(message) = ensure_cargo_fuzz(&cargo) {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    let fuzz_dir = root.join("fuzz");
    let targets = match list_targets(&cargo, &fuzz_dir) {
        Ok(targets) if !targets.is_empty() => targets,
        Ok(_) => {
            eprintln!(
                "error: `cargo fuzz list` found no target in {}",
                fuzz_dir.display()
            );
            return ExitCode::FAILURE;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let target_dir = target_dir(root);
    let started = Instant::now();
    // One build for every target; each run below then finds it fresh.
    let mut build = fuzz_command(&cargo, &fuzz_dir, &target_dir, "build");
    if !succeeded(build.status()) {
        eprintln!("error: the fuzz targets do not build (see above)");
        return ExitCode::FAILURE;
    }
    let mut failed = Vec::new();
    for target in &targets {
        println!("== fuzz {target} for {seconds}s");
        match fuzz_one(&cargo, root, &fuzz_dir, &target_dir, target, seconds) {
            Ok(()) => {}
            Err(message) => {
                eprintln!("{message}");
                failed.push(target.clone());
            }
        }
    }
    println!(
        "fuzzed {} target(s) in {:.0}s",
        targets.len(),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "error: {} found a failing input; it is kept under fuzz/regressions/<target>/, \
         where `cargo test` replays it. Fix the decoder until the replay passes, then \
         commit the input with the fix.",
        failed.join(", ")
    );
    ExitCode::FAILURE
}

/// Reads `--seconds N`; nothing else is accepted.
fn parse(args: &[String]) -> Result<u64, String> {
    let mut seconds = DEFAULT_SECONDS;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = rest.next().ok_or("--seconds needs a number")?;
                seconds = value
                    .parse::<u64>()
                    .ok()
                    .filter(|&seconds| seconds > 0)
                    .ok_or_else(|| {
                        format!("--seconds takes a whole number above 0, not `{value}`")
                    })?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(seconds)
}

/// Installs the pinned cargo-fuzz unless `cargo fuzz --version` already
/// reports it.
fn ensure_cargo_fuzz(cargo: &OsStr) -> Result<(), String> {
    let wanted = format!("cargo-fuzz {CARGO_FUZZ_VERSION}");
    let found = Command::new(cargo)
        .args(["fuzz", "--version"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    if found.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    match &found {
        Some(other) => println!("== {other} found, installing {wanted} (pinned)"),
        None => println!("== cargo-fuzz not found, installing {wanted} (a few minutes, once)"),
    }
    let installed = Command::new(cargo)
        .args([
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            CARGO_FUZZ_VERSION,
        ])
        .status();
    if !succeeded(installed) {
        return Err(format!(
            "could not install cargo-fuzz {CARGO_FUZZ_VERSION}; run \
             `cargo install cargo-fuzz --locked --version {CARGO_FUZZ_VERSION}` and look at its error"
        ));
    }
    Ok(())
}

/// The fuzz targets, as `cargo fuzz list` reads them from `fuzz/Cargo.toml`.
fn list_targets(cargo: &OsStr, fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let output = Command::new(cargo)
        .args(["fuzz", "list", "--fuzz-dir"])
        .arg(fuzz_dir)
        .output()
        .map_err(|error| format!("cannot run `cargo fuzz list`: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo fuzz list` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Where the fuzz builds go: beside the workspace's own builds (under
/// `CARGO_TARGET_DIR` when set), in a folder of their own, since they are
/// built with other flags.
fn target_dir(root: &Path) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    base.join("fuzz")
}

/// `cargo fuzz <action>` with the settings every call shares: stable
/// toolchain with `RUSTC_BOOTSTRAP=1` (cargo-fuzz passes `-Z` flags), no
/// sanitizer (the workspace forbids `unsafe`, and what is looked for is a
/// panic, a hang or an overflow), debug assertions on so overflows panic.
fn fuzz_command(cargo: &OsStr, fuzz_dir: &Path, target_dir: &Path, action: &str) -> Command {
    let mut command = Command::new(cargo);
    command
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", action, "--fuzz-dir"])
        .arg(fuzz_dir)
        .args(["--sanitizer", "none", "--debug-assertions", "--target-dir"])
        .arg(target_dir);
    command
}

/// Fuzzes `target` for `seconds`, starting from its corpus and its kept
/// regression inputs; a failing input is written among the latter.
fn fuzz_one(
    cargo: &OsStr,
    root: &Path,
    fuzz_dir: &Path,
    target_dir: &Path,
    target: &str,
    seconds: u64,
) -> Result<(), String> {
    let corpus = fuzz_dir.join("corpus").join(target);
    let regressions = fuzz_dir.join("regressions").join(target);
    for dir in [&corpus, &regressions] {
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("error: cannot create {}: {error}", dir.display()))?;
    }
    // libFuzzer writes new inputs to the first folder only, so the kept
    // regression inputs are read, never added to, except by a failure.
    let mut prefix = OsString::from("-artifact_prefix=");
    prefix.push(&regressions);
    prefix.push("/");
    let status = fuzz_command(cargo, fuzz_dir, target_dir, "run")
        .arg(target)
        .arg(&corpus)
        .arg(&regressions)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
        .arg(prefix)
        .current_dir(root)
        .status();
    if succeeded(status) {
        return Ok(());
    }
    Err(format!(
        "error: fuzz target {target} failed; the input that failed is in {}",
        regressions.display()
    ))
}

fn succeeded(status: std::io::Result<std::process::ExitStatus>) -> bool {
    matches!(status, Ok(status) if status.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn seconds_default_and_parse_and_nothing_else_is_taken() {
        assert_eq!(parse(&args(&[])), Ok(DEFAULT_SECONDS));
        assert_eq!(parse(&args(&["--seconds", "10"])), Ok(10));
        assert!(parse(&args(&["--seconds"])).is_err());
        assert!(parse(&args(&["--seconds", "0"])).is_err());
        assert!(parse(&args(&["--seconds", "ten"])).is_err());
        assert!(parse(&args(&["--target", "x"])).is_err());
    }

    #[test]
    fn every_target_of_the_fuzz_manifest_has_a_regressions_folder_replayed_by_a_test() {
        let root = crate::project_root();
        let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap_or_default();
        let targets: Vec<&str> = manifest
            .lines()
            .filter_map(|line| line.trim().strip_prefix("name = \""))
            .filter_map(|rest| rest.strip_suffix('"'))
            .filter(|name| *name != "pi-fuzz")
            .collect();
        assert!(targets.len() >= 3, "{targets:?}");
        for target in targets {
            let folder = root.join("fuzz/regressions").join(target);
            assert!(
                folder.is_dir(),
                "fuzz target {target} has no {}; add it with at least one input, and a test that replays it",
                folder.display()
            );
        }
    }
}
