//! `cargo xtask contract [--spec PATH] [--fail-on behind] [--cases N] [--seed S]`: runs the
//! contract suite (the `contract` test of pi-contract) and prints its report: a table per
//! API area, then every failed check grouped by operation, then a verdict.
//!
//! The verdict is `broken`, `behind` or `holds` ([`pi_contract::verdict`]), on
//! the last line and in the report file. With `--spec`, it weighs the diff
//! from the vendored document to the given one (the SDK's own assumptions
//! included, findings grouped by the schema they reach) together with the
//! suite's failures, each classed breaking or behind; `broken` exits 1,
//! `behind` exits 0 unless `--fail-on behind`. Against the vendored document
//! any failed check is `broken`: there the SDK must be complete.
//!
//! The suite itself is a cargo test, so `cargo test --workspace` runs the same
//! checks against the vendored spec; this task adds the report and the
//! choice of document. With `--spec`, only the suite runs (the snapshot and
//! drift tests are about the vendored spec). The document is passed to the
//! suite through `PI_CONTRACT_SPEC` (the vendored one when no `--spec` is
//! given), and the suite writes its report to `PI_CONTRACT_REPORT`:
//! `contract-report.json` in cargo's target directory, wherever
//! `CARGO_TARGET_DIR` or the cargo configuration puts it (created if needed).
//!
//! `--cases N` and `--seed S` set how many seeded random instances each
//! success response gets and the first seed (`PI_CONTRACT_CASES`,
//! `PI_CONTRACT_SEED`); a failure on a random instance prints the seed that
//! reproduces it.
//!
//! The suite is built first (`--no-run`) and then run, so the last line says
//! which of these happened: it did not build, it ran but stopped before
//! writing its report, it ran and checks failed, or the contract holds.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use pi_contract::diff::DiffReport;
use pi_contract::report::SuiteReport;
use pi_contract::verdict::{Verdict, judge};

/// The vendored contract, the one the suite runs against by default.
const VENDORED_SPEC: &str = "spec/openapi.json";

/// The report's file name, in cargo's target directory.
const REPORT_FILE: &str = "contract-report.json";

/// The cargo command that builds and runs the suite (without `--no-run`).
const SUITE: [&str; 5] = ["test", "--package", "pi-contract", "--test", "contract"];

/// Runs the task; the workspace root is the current directory.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let Options {
        spec,
        cases,
        seed,
        fail_on_behind,
    } = match parse_args(args) {
        Ok(options) => options,
        Err(message) => return crate::usage_error(&message),
    };
    if let Some(path) = &spec {
        if !path.is_file() {
            eprintln!("error: the spec {} does not exist", path.display());
            return ExitCode::from(2);
        }
    }
    let drift = spec.as_deref().map(drift_from_vendored);
    if let Some(drift) = &drift {
        print!("{}", drift.text);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let report_path = match report_path(&cargo) {
        Ok(path) => path,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    // The suite writes to a file of this run's own, renamed to the report
    // path once read: a stale report is never taken for this run's, and runs
    // sharing a target directory do not read each other's.
    let scratch = report_path.with_extension(format!("{}.json", std::process::id()));

    eprintln!(
        "building the contract suite (cargo {} --no-run)",
        SUITE.join(" ")
    );
    let built = match Command::new(&cargo)
        .args(SUITE)
        .arg("--no-run")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
    {
        Ok(status) => status.success(),
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            return ExitCode::FAILURE;
        }
    };
    if !built {
        let outcome = Outcome::NotBuilt;
        println!("{}", outcome.message(&report_path));
        return ExitCode::FAILURE;
    }

    let spec_path = normalized(spec.as_deref().unwrap_or(Path::new(VENDORED_SPEC)));
    let mut command = Command::new(&cargo);
    command
        .args(SUITE)
        .env("PI_CONTRACT_REPORT", &scratch)
        .env("PI_CONTRACT_SPEC", &spec_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(cases) = cases {
        command.env("PI_CONTRACT_CASES", cases.to_string());
    }
    if let Some(seed) = seed {
        command.env("PI_CONTRACT_SEED", seed.to_string());
    }
    if spec.is_some() || cases.is_some() || seed.is_some() {
        command.args(["--", "the_client_holds_the_contract", "--exact"]);
    }
    eprintln!("running the contract suite (cargo {})", SUITE.join(" "));
    let output = match command.output() {
        Ok(output) => output,
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            return ExitCode::FAILURE;
        }
    };
    let test_output = String::from_utf8_lossy(&output.stdout);
    let tests_passed = output.status.success();

    let report = read_report(&scratch);
    if report.is_ok() && std::fs::rename(&scratch, &report_path).is_err() {
        let _ = std::fs::remove_file(&scratch);
    }
    if let Ok(report) = &report {
        print!("{}", report.render());
    }
    let outcome = Outcome::of(report.as_ref().map_err(String::as_str), tests_passed);
    let judged = report.as_ref().ok().map(|report| {
        judge(
            drift.as_ref().and_then(|drift| drift.report.as_ref()),
            report,
        )
    });
    if matches!(outcome, Outcome::NoReport(_) | Outcome::OtherTestsFailed) {
        // Something other than the suite's own checks failed: show it all.
        println!("\ncargo test output:\n{test_output}");
    } else {
        // The report lists the suite's failures; name any other failed test.
        for line in test_output.lines().filter(|line| {
            line.starts_with("test result:")
                || (line.starts_with("test ") && line.ends_with("FAILED"))
        }) {
            println!("{line}");
        }
    }
    let spec_shown = spec.as_deref().map_or_else(
        || VENDORED_SPEC.to_owned(),
        |path| path.display().to_string(),
    );
    match (judged, &outcome) {
        (Some(verdict), Outcome::Held | Outcome::ChecksFailed(_)) => {
            if let Err(error) = add_verdict(&report_path, verdict, drift.as_ref()) {
                eprintln!(
                    "warning: the verdict is not in {}: {error}",
                    report_path.display()
                );
            }
            if let Outcome::ChecksFailed(count) = outcome {
                println!("{count} check(s) failed, listed above by operation with their class");
            }
            println!("{}", verdict.next_step(&spec_shown));
            println!("verdict: {verdict}");
            if verdict.fails(fail_on_behind) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            println!("{}", outcome.message(&report_path));
            println!("verdict: broken");
            ExitCode::FAILURE
        }
    }
}

/// The change from the vendored document to another one, as the diff
/// engine sees it with the SDK's assumptions: its findings as text, and the
/// report (none when either document cannot be read, which the text says;
/// the suite then reports the same problem with the document it was given).
struct Drift {
    text: String,
    report: Option<DiffReport>,
    names: crate::sdk::Names,
}

fn drift_from_vendored(path: &Path) -> Drift {
    let read =
        |file: &Path| pi_contract::document::read_document(file).map_err(|error| error.to_string());
    let vendored = Path::new(VENDORED_SPEC);
    let names = crate::sdk::Names::load(Path::new("."));
    let compared = read(vendored)
        .and_then(|old| read(path).map(|new| (old, new)))
        .and_then(|(old, new)| crate::sdk::contracts(Path::new("."), &old, &new))
        .and_then(|contracts| {
            pi_contract::diff::diff_documents_with(
                &contracts.old,
                &contracts.new,
                &crate::sdk::assumptions(),
            )
            .map(|report| (crate::sdk::now_documented_text(&contracts), report))
            .map_err(|error| error.to_string())
        });
    match compared {
        Ok((now_documented, report)) => Drift {
            text: format!(
                "changes from {VENDORED_SPEC} to {}:\n{now_documented}{}\n",
                path.display(),
                report.to_text_with(&names)
            ),
            report: Some(report),
            names,
        },
        Err(error) => Drift {
            text: format!("no spec diff against {VENDORED_SPEC}: {error}\n"),
            report: None,
            names,
        },
    }
}

/// Writes the verdict, and the diff's findings when there is a diff, into
/// the report file beside what the suite wrote.
fn add_verdict(path: &Path, verdict: Verdict, drift: Option<&Drift>) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|error| error.to_string())?;
    let mut json: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| error.to_string())?;
    if let Some(object) = json.as_object_mut() {
        object.insert("verdict".to_owned(), verdict.as_str().into());
        if let Some(Drift {
            report: Some(report),
            names,
            ..
        }) = drift
        {
            object.insert("findings".to_owned(), report.findings_json(names));
        }
    }
    let text = serde_json::to_string_pretty(&json).map_err(|error| error.to_string())?;
    std::fs::write(path, text).map_err(|error| error.to_string())
}

/// How a run of the suite ended, for the task's last line and exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// The suite did not compile.
    NotBuilt,
    /// The suite built and ran but left no readable report (why, for a person).
    NoReport(String),
    /// The suite ran to the end and this many checks failed.
    ChecksFailed(usize),
    /// Every check of the suite held, but another test of the target failed.
    OtherTestsFailed,
    /// Every check held and every test passed.
    Held,
}

impl Outcome {
    /// The verdict for a suite that built, given what it left in the report
    /// file (the report, or why there is none) and whether `cargo test`
    /// passed.
    fn of(report: Result<&SuiteReport, &str>, tests_passed: bool) -> Outcome {
        match report {
            Err(problem) => Outcome::NoReport(problem.to_owned()),
            Ok(report) if !report.passed() => Outcome::ChecksFailed(report.failures.len()),
            Ok(_) if !tests_passed => Outcome::OtherTestsFailed,
            Ok(_) => Outcome::Held,
        }
    }

    /// The task's last line: what happened and what to do.
    fn message(&self, report_path: &Path) -> String {
        match self {
            Outcome::NotBuilt => {
                "contract broken: the suite did not build (cargo's errors are above); \
                 fix them and run `cargo xtask contract` again"
                    .to_owned()
            }
            Outcome::NoReport(problem) => format!(
                "contract broken: the suite built and ran but stopped before writing its report \
                 ({problem}); the cargo test output above says where it stopped \
                 (a spec that cannot be loaded stops it at once)",
            ),
            Outcome::ChecksFailed(count) => format!(
                "contract broken: the suite ran and {count} check(s) failed, listed above by \
                 operation (the report is {})",
                report_path.display()
            ),
            Outcome::OtherTestsFailed => {
                "contract broken: every check of the suite held, but other \
                 tests of the contract target failed (see the cargo test output above)"
                    .to_owned()
            }
            Outcome::Held => "contract holds".to_owned(),
        }
    }
}

/// The report the suite wrote, or why there is none.
fn read_report(path: &Path) -> Result<SuiteReport, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("no report at {}: {error}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|error| format!("the report at {} cannot be read: {error}", path.display()))
}

/// Where the suite writes its report: `contract-report.json` in cargo's
/// target directory (which `CARGO_TARGET_DIR` and the cargo configuration
/// move), created if it does not exist yet.
fn report_path(cargo: &std::ffi::OsStr) -> Result<PathBuf, String> {
    let target = target_directory(cargo)?;
    std::fs::create_dir_all(&target).map_err(|error| {
        format!(
            "cannot create cargo's target directory {}: {error}; set CARGO_TARGET_DIR to a \
             writable directory",
            target.display()
        )
    })?;
    Ok(target.join(REPORT_FILE))
}

/// Cargo's target directory for this workspace, as `cargo metadata` reports
/// it (honouring `CARGO_TARGET_DIR` and `build.target-dir`).
pub(crate) fn target_directory(cargo: &std::ffi::OsStr) -> Result<PathBuf, String> {
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::piped())
        .output()
        .map_err(|error| format!("cannot run cargo metadata: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed, so the target directory is unknown: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    target_directory_of(&output.stdout)
}

/// The `target_directory` of `cargo metadata`'s JSON output.
fn target_directory_of(metadata: &[u8]) -> Result<PathBuf, String> {
    let metadata: serde_json::Value = serde_json::from_slice(metadata)
        .map_err(|error| format!("cargo metadata printed something that is not JSON: {error}"))?;
    metadata
        .get("target_directory")
        .and_then(serde_json::Value::as_str)
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata names no target_directory".to_owned())
}

/// What `cargo xtask contract` was asked for.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    /// Another document than the vendored one.
    spec: Option<PathBuf>,
    /// Random instances per success response.
    cases: Option<u64>,
    /// The first seed of the random instances.
    seed: Option<u64>,
    /// Whether `behind` fails the run (`--fail-on behind`).
    fail_on_behind: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let mut value = |what: &str| {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs {what}"))
        };
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{flag} takes a whole number, not `{text}`"))
        };
        let repeated = match flag.as_str() {
            "--spec" => options
                .spec
                .replace(PathBuf::from(value("a path")?))
                .is_some(),
            "--cases" => options.cases.replace(number(value("a count")?)?).is_some(),
            "--seed" => options.seed.replace(number(value("a seed")?)?).is_some(),
            "--fail-on" => match value("`broken` or `behind`")?.as_str() {
                "behind" => std::mem::replace(&mut options.fail_on_behind, true),
                "broken" => false,
                other => {
                    return Err(format!(
                        "--fail-on takes `broken` or `behind`, not `{other}`"
                    ));
                }
            },
            other => return Err(format!("unexpected argument to contract: {other}")),
        };
        if repeated {
            return Err(format!("{flag} given twice"));
        }
    }
    Ok(options)
}

/// `path` made absolute with `.` and `..` resolved (symlinks too, when it
/// exists), so reports name `/repo/spec/openapi.json`, never
/// `crates/pi-contract/../../spec/openapi.json`.
fn normalized(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn arguments_name_a_spec_a_case_count_and_a_seed() {
        let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(parse_args(&[]).unwrap(), Options::default());
        let all = parse_args(&args(&["--cases", "20", "--spec", "x.json", "--seed", "7"])).unwrap();
        assert_eq!(
            all,
            Options {
                spec: Some(PathBuf::from("x.json")),
                cases: Some(20),
                seed: Some(7),
                fail_on_behind: false,
            }
        );
        assert!(
            parse_args(&args(&["--cases", "many"]))
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            parse_args(&args(&["--seed"]))
                .unwrap_err()
                .contains("needs a seed")
        );
        assert!(
            parse_args(&args(&["--seed", "1", "--seed", "2"]))
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            parse_args(&args(&["--fast"]))
                .unwrap_err()
                .contains("--fast")
        );
    }

    fn report(failures: usize) -> SuiteReport {
        let mut report = SuiteReport::new("/repo/spec/openapi.json");
        report.area("Secrets").operations = 5;
        for n in 0..failures {
            report.fail("get_secret", format!("check {n}"), "it broke");
        }
        report
    }

    const REPORT: &str = "/tmp/target/contract-report.json";

    #[test]
    fn a_suite_that_did_not_build_says_so() {
        let message = Outcome::NotBuilt.message(Path::new(REPORT));
        assert!(message.contains("did not build"), "{message}");
        assert!(!message.contains("ran"), "{message}");
    }

    #[test]
    fn no_report_is_a_run_that_stopped_early_not_a_failed_build() {
        let outcome = Outcome::of(Err("no report at x: No such file or directory"), false);
        assert_eq!(
            outcome,
            Outcome::NoReport("no report at x: No such file or directory".to_owned())
        );
        let message = outcome.message(Path::new(REPORT));
        assert!(message.contains("built and ran"), "{message}");
        assert!(message.contains("No such file or directory"), "{message}");
        assert!(!message.contains("did not build"), "{message}");
    }

    #[test]
    fn a_report_with_failures_says_how_many_checks_failed() {
        let failed = report(2);
        let outcome = Outcome::of(Ok(&failed), false);
        assert_eq!(outcome, Outcome::ChecksFailed(2));
        let message = outcome.message(Path::new(REPORT));
        assert!(message.contains("ran and 2 check(s) failed"), "{message}");
        assert!(message.contains(REPORT), "{message}");
        assert!(!message.contains("did not"), "{message}");
    }

    #[test]
    fn a_passing_report_holds_unless_another_test_failed() {
        let passed = report(0);
        assert_eq!(Outcome::of(Ok(&passed), true), Outcome::Held);
        assert_eq!(Outcome::Held.message(Path::new(REPORT)), "contract holds");
        let outcome = Outcome::of(Ok(&passed), false);
        assert_eq!(outcome, Outcome::OtherTestsFailed);
        assert!(
            outcome
                .message(Path::new(REPORT))
                .contains("other tests of the contract target failed")
        );
    }

    #[test]
    fn the_target_directory_comes_from_cargo_metadata() {
        let metadata =
            br#"{"packages": [], "target_directory": "/elsewhere/target", "version": 1}"#;
        assert_eq!(
            target_directory_of(metadata),
            Ok(PathBuf::from("/elsewhere/target"))
        );
        assert!(target_directory_of(b"{}").is_err());
        assert!(target_directory_of(b"not json").is_err());
    }

    #[test]
    fn spec_paths_are_printed_without_dot_dot() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new("."));
        let winding = root.join("crates/pi-contract/../../spec/openapi.json");
        let path = normalized(&winding);
        assert!(path.is_absolute());
        assert!(
            !path.display().to_string().contains(".."),
            "{}",
            path.display()
        );
        assert!(path.ends_with("spec/openapi.json"));
    }
}
