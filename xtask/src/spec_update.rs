//! `cargo xtask spec update --from PATH_OR_URL`: vendor the upstream contract.
//!
//! Reads an OpenAPI document (a file, or a URL fetched with `curl -fsSL`),
//! normalizes it with [`pi_contract::normalize`] and writes two files:
//!
//! - `spec/openapi.json`: the normalized document, in canonical JSON;
//! - `spec/upstream.lock`: where it came from: the source as given, the
//!   sha256 of the raw bytes, the retrieval date (UTC, `YYYY-MM-DD`), and the
//!   operation and schema counts of the normalized document.
//!
//! Running it again on the same bytes gives byte-identical files: the lock's
//! date is kept while the source and hash are unchanged. Nothing under `spec/`
//! changes unless every step succeeded; both files are written to temporary
//! names first and then renamed into place.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use pi_contract::document::parse_named;
use pi_contract::normalize::{normalize, to_canonical_json};
use pi_contract::openapi::METHODS;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Where the vendored document lives, relative to the workspace root.
pub(crate) const SPEC_PATH: &str = "spec/openapi.json";
/// The copy of the spec embedded in pi-contract (`Spec::vendored`),
/// relative to the workspace root; byte-identical to [`SPEC_PATH`].
pub(crate) const EMBEDDED_SPEC_PATH: &str = "crates/pi-contract/spec/openapi.json";
/// What a stale embedded copy is told to do.
pub(crate) const EMBEDDED_FIX_HINT: &str =
    "run `cargo xtask spec update --from …` (or `cargo xtask codegen`) and commit";

/// Where the project's supplement to the published document lives
/// (operations it lacks, amendments where it is out of date).
pub(crate) const SUPPLEMENT_PATH: &str = "spec/supplement/openapi.json";
/// The copy of the supplement embedded in pi-contract (`Spec::contract`).
pub(crate) const EMBEDDED_SUPPLEMENT_PATH: &str = "crates/pi-contract/spec/supplement/openapi.json";

/// Each document pi-contract embeds, with the path of its copy.
const EMBEDDED: [(&str, &str); 2] = [
    (SPEC_PATH, EMBEDDED_SPEC_PATH),
    (SUPPLEMENT_PATH, EMBEDDED_SUPPLEMENT_PATH),
];

/// The embedded pairs whose document `root` has: a tree without a
/// supplement (a scratch one in a test) embeds only the published document;
/// loading the contract (`codegen`) is what insists on the supplement.
fn embedded(root: &Path) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    EMBEDDED
        .into_iter()
        .filter(|(source, _)| *source == SPEC_PATH || root.join(source).exists())
}

/// Copies `spec/openapi.json` and the supplement to the copies pi-contract
/// embeds where they differ; returns whether it wrote.
pub(crate) fn sync_embedded(root: &Path) -> Result<bool, String> {
    let mut wrote = false;
    for (source, target) in embedded(root) {
        let (source, target) = (root.join(source), root.join(target));
        let text = std::fs::read(&source)
            .map_err(|e| format!("{}: cannot read: {e}", source.display()))?;
        if std::fs::read(&target).ok().as_deref() == Some(text.as_slice()) {
            continue;
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
        }
        std::fs::write(&target, &text)
            .map_err(|e| format!("{}: cannot write: {e}", target.display()))?;
        wrote = true;
    }
    Ok(wrote)
}

/// Fails unless each copy pi-contract embeds is byte-identical to its
/// document.
pub(crate) fn check_embedded(root: &Path) -> Result<(), String> {
    for (source, copy) in embedded(root) {
        let path = root.join(source);
        let text =
            std::fs::read(&path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        match std::fs::read(root.join(copy)) {
            Ok(embedded) if embedded == text => {}
            Ok(_) => return Err(format!("{copy} differs from {source}: {EMBEDDED_FIX_HINT}")),
            Err(e) => return Err(format!("{copy} cannot be read ({e}): {EMBEDDED_FIX_HINT}")),
        }
    }
    Ok(())
}

/// Where the provenance record lives, relative to the workspace root.
pub(crate) const LOCK_PATH: &str = "spec/upstream.lock";

/// Runs the subcommand with the arguments after `spec update`.
pub(crate) fn run(root: &Path, args: &[String]) -> ExitCode {
    let source = match parse_args(args) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("error: {message}\nusage: cargo xtask spec update --from PATH_OR_URL");
            return ExitCode::from(2);
        }
    };
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    match update(root, &source, &today) {
        Ok(outcome) => {
            println!("{}", outcome.describe());
            // The models follow the spec: regenerate them in the same step.
            match crate::codegen::write(root) {
                Ok(_) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!(
                        "error: the spec was updated, but the models could not be regenerated: {message}\n\
                         fix spec/codegen.toml, then run `cargo xtask codegen` and commit"
                    );
                    ExitCode::FAILURE
                }
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads `--from VALUE` (or `--from=VALUE`) and rejects anything else.
fn parse_args(args: &[String]) -> Result<String, String> {
    let mut source = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = if arg == "--from" {
            rest.next()
                .ok_or_else(|| "--from needs a path or URL".to_owned())?
                .clone()
        } else if let Some(value) = arg.strip_prefix("--from=") {
            value.to_owned()
        } else {
            return Err(format!("unexpected argument `{arg}`"));
        };
        if source.replace(value).is_some() {
            return Err("--from given twice".to_owned());
        }
    }
    source.ok_or_else(|| "--from is required".to_owned())
}

/// What an update did.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The vendored spec's path.
    spec: PathBuf,
    /// Operations in the new spec.
    operations: usize,
    /// Component schemas in the new spec.
    schemas: usize,
    /// Whether `spec/openapi.json` changed.
    changed: bool,
    /// The contract changes against the replaced spec, when there was one.
    diff_summary: Option<String>,
}

impl Outcome {
    /// A few lines for the terminal.
    fn describe(&self) -> String {
        let state = if self.changed { "updated" } else { "unchanged" };
        let mut text = format!(
            "{}: {state} ({} operations, {} schemas)",
            self.spec.display(),
            self.operations,
            self.schemas
        );
        if let Some(summary) = &self.diff_summary {
            text.push_str("\nchanges against the previous spec:\n");
            text.push_str(summary.trim_end());
        }
        text
    }
}

/// Vendors `source` into `root/spec/`; `today` is the date to record when the
/// input is new. On error nothing under `root/spec/` has changed.
pub(crate) fn update(root: &Path, source: &str, today: &str) -> Result<Outcome, String> {
    let raw = fetch(root, source)?;
    let doc = parse_named(&raw, source).map_err(|e| e.to_string())?;
    let normalized = normalize(&doc).map_err(|e| format!("{source}: {e}"))?;
    let text = to_canonical_json(&normalized);
    let sha256 = hex(&Sha256::digest(&raw));
    let operations = count_operations(&normalized);
    let schemas = normalized
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map_or(0, |schemas| schemas.len());

    let spec_path = root.join(SPEC_PATH);
    let lock_path = root.join(LOCK_PATH);
    let previous_lock = std::fs::read(&lock_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let retrieved = previous_lock
        .as_ref()
        .filter(|lock| lock["source"] == source && lock["sha256"] == sha256.as_str())
        .and_then(|lock| lock["retrieved"].as_str())
        .unwrap_or(today)
        .to_owned();
    let lock = json!({
        "source": source,
        "sha256": sha256,
        "retrieved": retrieved,
        "operations": operations,
        "schemas": schemas,
    });
    let lock_text = to_canonical_json(&lock);

    let previous_spec = std::fs::read_to_string(&spec_path).ok();
    let changed = previous_spec.as_deref() != Some(text.as_str());
    let diff_summary = match &previous_spec {
        Some(old) if changed => serde_json::from_str::<Value>(old)
            .ok()
            .map(|old| pi_contract::diff::diff(&old, &normalized).summary()),
        _ => None,
    };

    let spec_dir = root.join("spec");
    std::fs::create_dir_all(&spec_dir)
        .map_err(|e| format!("{}: cannot create: {e}", spec_dir.display()))?;
    let embedded_path = root.join(EMBEDDED_SPEC_PATH);
    if let Some(dir) = embedded_path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    }
    write_all_atomically(&[
        (&spec_path, &text),
        (&embedded_path, &text),
        (&lock_path, &lock_text),
    ])?;
    Ok(Outcome {
        spec: PathBuf::from(SPEC_PATH),
        operations,
        schemas,
        changed,
        diff_summary,
    })
}

/// The raw bytes of `source`: a URL through curl, otherwise a file (relative to `root`).
fn fetch(root: &Path, source: &str) -> Result<Vec<u8>, String> {
    if source.starts_with("https://") || source.starts_with("http://") {
        let output = Command::new("curl")
            .args(["-fsSL", "--", source])
            .output()
            .map_err(|e| format!("{source}: cannot run curl: {e}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
            return Err(format!(
                "{source}: download failed ({}): {reason}",
                output.status
            ));
        }
        Ok(output.stdout)
    } else {
        let path = root.join(source);
        std::fs::read(&path).map_err(|e| format!("{source}: cannot read: {e}"))
    }
}

/// Counts the operations (method entries of path items) of a document.
pub(crate) fn count_operations(doc: &Value) -> usize {
    doc.get("paths")
        .and_then(Value::as_object)
        .map_or(0, |paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(|item| {
                    item.keys()
                        .filter(|k| METHODS.contains(&k.as_str()))
                        .count()
                })
                .sum()
        })
}

/// Lower-case hex of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes each file to a temporary sibling, then renames them all into place;
/// when a write fails the temporaries are removed and no target is touched.
pub(crate) fn write_all_atomically(files: &[(&Path, &str)]) -> Result<(), String> {
    let mut temps: Vec<(PathBuf, &Path)> = Vec::new();
    for (target, contents) in files {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = target.with_file_name(format!(".{name}.tmp{}", std::process::id()));
        if let Err(e) = std::fs::write(&temp, contents) {
            let _ = std::fs::remove_file(&temp);
            for (written, _) in &temps {
                let _ = std::fs::remove_file(written);
            }
            return Err(format!("{}: cannot write: {e}", temp.display()));
        }
        temps.push((temp, target));
    }
    for (temp, target) in &temps {
        std::fs::rename(temp, target)
            .map_err(|e| format!("{}: cannot replace: {e}", target.display()))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// A fresh empty directory under the system temp dir.
    fn temp_root(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "xtask-spec-update-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const GOOD: &str = r##"{
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1", "description": "prose"},
        "paths": {
            "/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}},
            "/api/admin/x": {"get": {"operationId": "x", "responses": {}}}
        },
        "components": {"schemas": {"A": {"type": "string"}, "B": {"type": "string"}}}
    }"##;

    fn spec_files(root: &Path) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        (
            std::fs::read(root.join(SPEC_PATH)).ok(),
            std::fs::read(root.join(LOCK_PATH)).ok(),
        )
    }

    #[test]
    fn update_writes_spec_and_lock_and_is_repeatable() {
        let root = temp_root("repeat");
        std::fs::write(root.join("in.json"), GOOD).unwrap();
        let outcome = update(&root, "in.json", "2026-01-02").unwrap();
        assert!(outcome.changed);
        assert_eq!((outcome.operations, outcome.schemas), (1, 1));
        let first = spec_files(&root);
        let lock: Value = serde_json::from_slice(first.1.as_ref().unwrap()).unwrap();
        assert_eq!(lock["source"], "in.json");
        assert_eq!(lock["retrieved"], "2026-01-02");
        assert_eq!(lock["operations"], 1);
        assert_eq!(lock["schemas"], 1);
        assert_eq!(lock["sha256"], hex(&Sha256::digest(GOOD.as_bytes())));
        // The copy pi-contract embeds is written in the same step.
        assert_eq!(
            std::fs::read(root.join(EMBEDDED_SPEC_PATH)).ok(),
            first.0,
            "the embedded copy follows spec/openapi.json"
        );
        assert!(check_embedded(&root).is_ok());

        // A later day with the same bytes keeps the recorded date.
        let outcome = update(&root, "in.json", "2026-03-04").unwrap();
        assert!(!outcome.changed);
        assert_eq!(spec_files(&root), first);

        // New bytes record the new date.
        std::fs::write(root.join("in.json"), GOOD.replace("\"1\"", "\"2\"")).unwrap();
        let outcome = update(&root, "in.json", "2026-03-04").unwrap();
        // Only the version moved: no contract change to summarize.
        assert_eq!(
            outcome.diff_summary.as_deref(),
            Some("spec diff: no contract changes\n")
        );
        let lock: Value =
            serde_json::from_slice(&std::fs::read(root.join(LOCK_PATH)).unwrap()).unwrap();
        assert_eq!(lock["retrieved"], "2026-03-04");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn replacing_a_spec_summarizes_the_contract_changes() {
        let root = temp_root("summary");
        std::fs::write(root.join("in.json"), GOOD).unwrap();
        let first = update(&root, "in.json", "2026-01-02").unwrap();
        assert!(first.diff_summary.is_none(), "nothing was replaced");
        // The success response loses its body: a breaking change.
        let changed = GOOD.replace(
            r##""content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}"##,
            r##""content": {}"##,
        );
        assert_ne!(changed, GOOD);
        std::fs::write(root.join("in.json"), changed).unwrap();
        let outcome = update(&root, "in.json", "2026-01-03").unwrap();
        let summary = outcome.diff_summary.clone().unwrap();
        assert!(summary.starts_with("spec diff: 1 breaking"), "{summary}");
        assert!(
            summary.contains("GET /a response 200 content type application/json removed"),
            "{summary}"
        );
        assert!(
            outcome
                .describe()
                .contains("changes against the previous spec:")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn errors_leave_spec_untouched() {
        let root = temp_root("errors");
        std::fs::write(root.join("in.json"), GOOD).unwrap();
        update(&root, "in.json", "2026-01-02").unwrap();
        let before = spec_files(&root);

        let cases = [
            ("missing.json", None, "missing.json: cannot read"),
            (
                "swagger.json",
                Some(r#"{"swagger": "2.0", "paths": {}}"#.to_owned()),
                "swagger.json: not an OpenAPI 3.x document",
            ),
            (
                "broken-ref.json",
                Some(GOOD.replace("schemas/A\"", "schemas/Nope\"")),
                "#/components/schemas/Nope",
            ),
            (
                "bad.json",
                Some("{\"openapi\":".to_owned()),
                "bad.json: not valid JSON",
            ),
        ];
        for (name, contents, expected) in cases {
            if let Some(contents) = contents {
                std::fs::write(root.join(name), contents).unwrap();
            }
            let err = update(&root, name, "2026-05-06").unwrap_err();
            assert!(err.contains(expected), "{name}: {err}");
            assert!(!err.contains('\n'), "{name}: not one line: {err}");
            assert_eq!(spec_files(&root), before, "{name} changed spec/");
        }
        // No temporaries are left behind either.
        let leftovers: Vec<_> = std::fs::read_dir(root.join("spec"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn arguments_are_parsed_by_hand() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(parse_args(&args(&["--from", "x.json"])).unwrap(), "x.json");
        assert_eq!(parse_args(&args(&["--from=y.yaml"])).unwrap(), "y.yaml");
        assert!(parse_args(&args(&[])).is_err());
        assert!(parse_args(&args(&["--from"])).is_err());
        assert!(parse_args(&args(&["--from", "a", "--from", "b"])).is_err());
        assert!(parse_args(&args(&["x.json"])).is_err());
    }
}
