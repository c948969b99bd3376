//! The contract suite: proves `pi-client` against the PI API's OpenAPI
//! document, operation by operation.
//!
//! `cargo test --workspace` runs it against the vendored `spec/openapi.json`;
//! `cargo xtask contract --spec FILE` runs it against any other document
//! (through `PI_CONTRACT_SPEC`) and prints the report it writes to
//! `PI_CONTRACT_REPORT`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod coverage;
mod drift;
mod drivers;
mod fidelity;
mod gateway;
mod harness;
mod inventory;
mod snapshots;
mod verdicts;

use std::path::PathBuf;
use std::sync::Arc;

use pi_contract::Spec;
use pi_contract::spec::VENDORED_DOCUMENT;

/// The vendored, normalized contract at the workspace root.
pub fn vendored_spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json")
}

/// The vendored spec: the copy embedded in pi-contract (byte-identical to
/// `spec/openapi.json`), parsed once per test process.
pub fn vendored_spec() -> Arc<Spec> {
    Spec::vendored()
}

/// The contract the suite holds the SDK to: the vendored spec with the
/// project's supplement laid over it (`Spec::contract`).
pub fn contract_spec() -> Arc<Spec> {
    Spec::contract()
}

/// The whole suite against the spec named by `PI_CONTRACT_SPEC`, or the
/// vendored one. Writes the report to `PI_CONTRACT_REPORT` when set.
#[tokio::test]
async fn the_client_holds_the_contract() {
    let path = std::env::var_os("PI_CONTRACT_SPEC").map_or_else(vendored_spec_path, PathBuf::from);
    // `cargo xtask contract` names the vendored file; the other tests of this
    // process already share its embedded copy, so the document is compiled
    // once per run unless another one is given.
    let is_vendored = std::fs::read(&path).is_ok_and(|bytes| bytes == VENDORED_DOCUMENT.as_bytes());
    let (spec, baseline) = if is_vendored {
        (contract_spec(), None)
    } else {
        (load_aligned(&path), Some(vendored_spec()))
    };
    let report =
        harness::run_suite_against(spec, baseline.clone(), &path.display().to_string(), |_| {
            true
        })
        .await;
    if let Some(out) = std::env::var_os("PI_CONTRACT_REPORT") {
        let out = PathBuf::from(out);
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).unwrap_or_else(|error| {
                panic!(
                    "cannot create {} for the report: {error}; point PI_CONTRACT_REPORT at a writable place",
                    parent.display()
                )
            });
        }
        let json = serde_json::to_string_pretty(&report).unwrap();
        std::fs::write(&out, json).unwrap_or_else(|error| {
            panic!(
                "cannot write the report to {}: {error}; point PI_CONTRACT_REPORT at a writable place",
                out.display()
            )
        });
    }
    println!("{}", report.render());
    // Against the vendored document the SDK must be complete; against
    // another one, what it does not reach yet only shows it behind.
    let held = if baseline.is_some() {
        !report.broken()
    } else {
        report.passed()
    };
    assert!(held, "the contract does not hold:\n{}", report.render());
}

/// Another document, its operation ids set to the vendored document's ids
/// of the same method and path shape: a generator that renames ids (FastAPI
/// derives them from function names) changes nothing on the wire, and the
/// drivers name operations by the vendored ids.
pub fn load_aligned(path: &std::path::Path) -> Arc<Spec> {
    let mut document = pi_contract::document::read_document(path)
        .unwrap_or_else(|error| panic!("cannot load the spec {}: {error}", path.display()));
    pi_contract::diff::align_operation_ids(vendored_spec().document(), &mut document);
    match Spec::from_value(with_supplement(&document)) {
        Ok(spec) => Arc::new(spec),
        Err(error) => panic!("cannot load the spec {}: {error}", path.display()),
    }
}

/// `document` with the project's supplement laid over it, as the suite
/// runs on any document: the supplement describes what the document lacks,
/// whichever version, and its operations have drivers like the others.
pub fn with_supplement(document: &serde_json::Value) -> serde_json::Value {
    pi_contract::supplement::with_embedded_supplement(document)
        .unwrap_or_else(|error| panic!("cannot lay the supplement over the document: {error}"))
        .document
}
