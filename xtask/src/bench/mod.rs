//! `cargo xtask bench [--quick]`: runs the criterion benchmarks of every
//! crate, measures what the SDK costs to build and to check, and writes
//! `bench-report.md` into cargo's target directory (wherever
//! `CARGO_TARGET_DIR` puts it) with each figure, its target, and pass or
//! miss. Criterion's own HTML plots stay under `<target>/criterion/report/`.
//!
//! `--quick` shortens every benchmark (`PI_BENCH_QUICK=1`, read by the bench
//! files) and skips the clean builds, which take minutes; the figures are
//! then rougher, and the report says it was a quick run.
//!
//! Wall-clock figures on a shared machine move from run to run, so the
//! figures that decide a target are compared within one run (the loopback
//! ratio runs the baseline and the SDK side by side), never against numbers
//! from another day. The loopback calls are also counted in instructions
//! under callgrind, which do not move; they decide a ratio that misses by
//! less than the clock's noise.
//!
//! The gateway bench (`crates/pi-client/benches/gateway.rs`) runs the mock
//! as a process and the official Python client beside pi-client; what
//! criterion cannot hold (peak RSS, transfers timed once) it records in
//! `<target>/criterion/gateway/figures.json`. A figure whose side could not
//! run there (no Python) is reported as not measured, with the reason, and
//! is not a miss.

mod cost;
mod figures;
mod instructions;
mod report;

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode};

use report::{Costs, Measured, Report};

/// The report's file name, in cargo's target directory.
const REPORT_FILE: &str = "bench-report.md";

/// The packages whose clean debug build is timed.
const BUILT_ALONE: [&str; 2] = ["pi-types", "pi-client"];

/// Runs the task; the workspace root is the current directory.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let quick = match args {
        [] => false,
        [flag] if flag == "--quick" => true,
        [other, ..] => {
            return crate::usage_error(&format!("unexpected argument to bench: {other}"));
        }
    };
    let cargo: OsString = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = match crate::contract::target_directory(&cargo) {
        Ok(target) => target,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let criterion_home = target.join("criterion");

    // `--bench '*'` picks the bench targets alone: `--benches` would also run
    // every library's and binary's own tests in bench mode (all ignored).
    eprintln!("running the benchmarks (cargo bench --workspace --bench '*')");
    let mut bench = Command::new(&cargo);
    bench
        .args(["bench", "--workspace", "--bench", "*"])
        .env("CRITERION_HOME", &criterion_home);
    if quick {
        bench.env("PI_BENCH_QUICK", "1");
    }
    let benches_ran = match bench.status() {
        Ok(status) => status.success(),
        Err(error) => {
            eprintln!("error: cannot run cargo bench: {error}");
            return ExitCode::FAILURE;
        }
    };

    let recorded = figures::read_recorded(&criterion_home);
    let measured: Vec<Measured> = figures::FIGURES
        .iter()
        .map(|figure| Measured {
            figure: *figure,
            value: figures::value_of(
                figure.source,
                &mut |bench| figures::read_estimate(&criterion_home, bench),
                &recorded,
            ),
            skipped: figures::skip_reason(figure, &recorded),
        })
        .collect();
    let (instructions, instructions_skipped) = if instructions::valgrind_installed() {
        (count_instructions(&cargo, &target), None)
    } else {
        let why = "valgrind is not installed: no instruction counts, so a loopback ratio \
                   is decided by the clock alone";
        (Vec::new(), Some(why.to_owned()))
    };
    let costs = measure_costs(&cargo, &target, quick);
    let report = Report {
        quick,
        benches_ran,
        machine: report::Machine::read(),
        measured,
        instructions,
        instructions_skipped,
        costs,
        plots: criterion_home.join("report").join("index.html"),
    };
    let text = report.render();
    let path = target.join(REPORT_FILE);
    if let Err(error) = std::fs::create_dir_all(&target).and_then(|()| std::fs::write(&path, &text))
    {
        eprintln!("error: cannot write {}: {error}", path.display());
        return ExitCode::FAILURE;
    }
    println!("{text}");
    println!("report written to {}", path.display());
    let misses = report.misses();
    if misses.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!(
            "{} figure(s) miss their target: {}",
            misses.len(),
            misses.join("; ")
        );
        ExitCode::FAILURE
    }
}

/// Callgrind's instruction counts per loopback call, for every profile;
/// callgrind's files stay under `<target>/callgrind/` for a closer look
/// (`callgrind_annotate`).
fn count_instructions(
    cargo: &OsString,
    target: &Path,
) -> Vec<(instructions::Profile, Result<instructions::PerCall, String>)> {
    let binary = instructions::loopback_binary(cargo);
    instructions::PROFILES
        .iter()
        .map(|profile| {
            eprintln!("counting instructions: {}", profile.label);
            let counts = binary.clone().and_then(|binary| {
                instructions::per_call(&binary, profile.shape, &target.join("callgrind"))
            });
            (*profile, counts)
        })
        .collect()
}

/// Build times (skipped under `--quick`), dependency trees and the suite's
/// wall time; a cost that cannot be measured says why in the report.
fn measure_costs(cargo: &OsString, target: &Path, quick: bool) -> Costs {
    let scratch = target.join("bench-clean-build");
    let builds = BUILT_ALONE
        .iter()
        .map(|package| {
            let took = if quick {
                Err("skipped under --quick".to_owned())
            } else {
                eprintln!("timing a clean debug build of {package}");
                cost::clean_build(cargo, package, &scratch)
            };
            (*package, took)
        })
        .collect();
    let trees = BUILT_ALONE
        .iter()
        .map(|package| cost::Tree::of(cargo, package))
        .collect();
    eprintln!("timing cargo xtask contract (built first, then timed)");
    Costs {
        builds,
        trees,
        suite: cost::contract_suite_time(),
    }
}
