//! `cargo xtask spec diff OLD NEW [--format text|json] [--fail-on breaking|behind|any|none]`:
//! classify the contract changes between two OpenAPI documents as `breaking`,
//! `behind` or `none` from the side of the SDK (the same classes and rule
//! names as `cargo xtask contract --spec`, the SDK's own assumptions
//! included), one finding per schema change with the SDK items it reaches.
//!
//! Both documents may be raw or normalized, JSON or YAML; both are normalized
//! before the comparison ([`pi_contract::diff`]). Exit codes: 0 when nothing
//! at or above `--fail-on` (default `breaking`) was found, 1 when something
//! was, 2 when a document could not be read or the arguments are wrong.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use pi_contract::diff::{Class, DiffReport, diff_with};
use pi_contract::document::read_document;
use pi_contract::normalize::normalize;
use serde_json::Value;

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// Which changes make the command fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailOn {
    Breaking,
    Behind,
    Any,
    None,
}

/// The parsed command line.
#[derive(Debug, PartialEq, Eq)]
struct Args {
    old: String,
    new: String,
    format: Format,
    fail_on: FailOn,
}

const USAGE: &str = "usage: cargo xtask spec diff OLD NEW [--format text|json] [--fail-on breaking|behind|any|none]";

/// Runs the subcommand with the arguments after `spec diff`.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let loaded = load(&args.old)
        .and_then(|old| Ok((old, load(&args.new)?)))
        .and_then(|(old, new)| crate::sdk::contracts(Path::new("."), &old, &new));
    let contracts = match loaded {
        Ok(contracts) => contracts,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let report = diff_with(&contracts.old, &contracts.new, &crate::sdk::assumptions());
    let names = crate::sdk::Names::load(Path::new("."));
    let output = match args.format {
        Format::Text => crate::sdk::now_documented_text(&contracts) + &report.to_text_with(&names),
        Format::Json => {
            let mut json = report.to_json_with(&names);
            if let Some(object) = json.as_object_mut() {
                let now: Vec<serde_json::Value> = contracts
                    .now_documented
                    .iter()
                    .map(|operation| {
                        serde_json::json!({
                            "method": operation.method,
                            "path": operation.path,
                            "operation_id": operation.operation_id,
                            "source": operation.source,
                        })
                    })
                    .collect();
                object.insert("now_documented_upstream".to_owned(), now.into());
                let amended: Vec<serde_json::Value> = contracts
                    .now_amended_upstream
                    .iter()
                    .map(|overtaken| {
                        serde_json::json!({
                            "place": overtaken.amendment.place,
                            "source": overtaken.amendment.source,
                            "amendment": overtaken.value,
                            "published": overtaken.published,
                        })
                    })
                    .collect();
                object.insert("amended_places_changed_upstream".to_owned(), amended.into());
            }
            let mut json = serde_json::to_string_pretty(&json).unwrap_or_default();
            json.push('\n');
            json
        }
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(output.as_bytes());
    ExitCode::from(exit_code(&report, args.fail_on))
}

/// 1 when the report holds something at or above the threshold, else 0.
fn exit_code(report: &DiffReport, fail_on: FailOn) -> u8 {
    let failed = match fail_on {
        FailOn::Breaking => report.has_breaking(),
        FailOn::Behind => report.worst().is_some_and(|worst| worst <= Class::Behind),
        FailOn::Any => !report.is_empty(),
        FailOn::None => false,
    };
    u8::from(failed)
}

/// Reads and normalizes one document; the error is one line naming the file.
fn load(path: &str) -> Result<Value, String> {
    let doc = read_document(Path::new(path)).map_err(|e| e.to_string())?;
    normalize(&doc).map_err(|e| format!("{path}: {e}"))
}

/// Parses `OLD NEW` and the two options, in any order.
fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut files = Vec::new();
    let mut format = Format::Text;
    let mut fail_on = FailOn::Breaking;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| rest.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--format" => {
                format = match value("--format")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    other => return Err(format!("unknown format `{other}` (text or json)")),
                }
            }
            "--fail-on" => {
                fail_on = match value("--fail-on")?.as_str() {
                    "breaking" => FailOn::Breaking,
                    "behind" => FailOn::Behind,
                    "any" => FailOn::Any,
                    "none" => FailOn::None,
                    other => {
                        return Err(format!(
                            "unknown --fail-on `{other}` (breaking, behind, any or none)"
                        ));
                    }
                }
            }
            _ if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            _ => files.push(arg.clone()),
        }
    }
    match <[String; 2]>::try_from(files) {
        Ok([old, new]) => Ok(Args {
            old,
            new,
            format,
            fail_on,
        }),
        Err(files) => Err(format!(
            "expected two documents, OLD and NEW, got {}",
            files.len()
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn defaults_are_text_and_breaking() {
        let parsed = parse_args(&args(&["a.json", "b.yaml"])).unwrap();
        assert_eq!(
            parsed,
            Args {
                old: "a.json".into(),
                new: "b.yaml".into(),
                format: Format::Text,
                fail_on: FailOn::Breaking
            }
        );
    }

    #[test]
    fn options_go_anywhere_in_either_spelling() {
        let parsed = parse_args(&args(&["--format=json", "a", "--fail-on", "any", "b"])).unwrap();
        assert_eq!((parsed.format, parsed.fail_on), (Format::Json, FailOn::Any));
        assert_eq!((parsed.old.as_str(), parsed.new.as_str()), ("a", "b"));
        let parsed = parse_args(&args(&["a", "b", "--fail-on=none"])).unwrap();
        assert_eq!(parsed.fail_on, FailOn::None);
        let parsed = parse_args(&args(&["a", "b", "--fail-on=behind"])).unwrap();
        assert_eq!(parsed.fail_on, FailOn::Behind);
    }

    #[test]
    fn bad_arguments_are_rejected() {
        assert!(parse_args(&args(&["a"])).is_err());
        assert!(parse_args(&args(&["a", "b", "c"])).is_err());
        assert!(parse_args(&args(&["a", "b", "--format", "xml"])).is_err());
        assert!(parse_args(&args(&["a", "b", "--fail-on"])).is_err());
        assert!(parse_args(&args(&["a", "b", "--verbose"])).is_err());
    }
}
