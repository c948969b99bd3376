//! Keeps the vendored contract under `spec/` honest: it must be exactly what
//! `cargo xtask spec update` writes, and, where the recorded upstream file is
//! at hand, exactly what that file normalizes to.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use pi_contract::normalize::{is_admin_path, normalize, to_canonical_json};
use pi_contract::openapi::METHODS;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn read(path: &str) -> String {
    let full = root().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn lock() -> Value {
    serde_json::from_str(&read("spec/upstream.lock")).unwrap()
}

fn fix_hint() -> String {
    let source = lock()["source"]
        .as_str()
        .unwrap_or("PATH_OR_URL")
        .to_owned();
    format!("run `cargo xtask spec update --from {source}` and commit")
}

fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if METHODS.contains(&method.as_str()) {
                out.push((method.clone(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn vendored_spec_is_already_normalized() {
    let text = read("spec/openapi.json");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let again = to_canonical_json(&normalize(&doc).unwrap());
    assert!(
        again == text,
        "spec/openapi.json is not in normalized form: {}",
        fix_hint()
    );
}

#[test]
fn vendored_spec_has_the_public_operations_only() {
    let doc: Value = serde_json::from_str(&read("spec/openapi.json")).unwrap();
    let ops = operations(&doc);
    assert_eq!(ops.len(), 79, "expected the 79 public operations");
    let admin: Vec<_> = ops.iter().filter(|(_, p)| is_admin_path(p)).collect();
    assert!(admin.is_empty(), "admin operations vendored: {admin:?}");
    assert!(doc["paths"]["/api/v1/secrets/{secret_id}"]["delete"].is_object());
}

#[test]
fn lock_matches_the_vendored_spec() {
    let doc: Value = serde_json::from_str(&read("spec/openapi.json")).unwrap();
    let lock = lock();
    assert_eq!(lock["operations"], operations(&doc).len(), "{}", fix_hint());
    assert_eq!(
        lock["schemas"],
        doc["components"]["schemas"].as_object().unwrap().len(),
        "{}",
        fix_hint()
    );
    let sha = lock["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(sha.bytes().all(|b| b.is_ascii_hexdigit()));
    let date = lock["retrieved"].as_str().unwrap();
    assert!(
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(),
        "retrieved date {date:?} is not YYYY-MM-DD"
    );
}

#[test]
fn vendored_spec_is_what_the_recorded_upstream_normalizes_to() {
    let lock = lock();
    let source = lock["source"].as_str().unwrap();
    if source.starts_with("http://") || source.starts_with("https://") {
        eprintln!("skipped: the recorded source is a URL ({source}); tests never fetch");
        return;
    }
    let path = root().join(source);
    let Ok(raw) = std::fs::read(&path) else {
        eprintln!("skipped: {} is not present here", path.display());
        return;
    };
    let sha: String = Sha256::digest(&raw)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if sha != lock["sha256"] {
        eprintln!(
            "skipped: {} has changed since it was vendored (sha256 {sha}); `cargo xtask spec diff` shows how",
            path.display()
        );
        return;
    }
    let doc = pi_contract::document::parse_named(&raw, source).unwrap();
    let expected = to_canonical_json(&normalize(&doc).unwrap());
    assert!(
        expected == read("spec/openapi.json"),
        "spec/openapi.json differs from the normalized {source}: {}",
        fix_hint()
    );
}
