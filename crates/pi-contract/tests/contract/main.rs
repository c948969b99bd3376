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
mod harness;
mod inventory;
mod snapshots;

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

/// The whole suite against the spec named by `PI_CONTRACT_SPEC`, or the
/// vendored one. Writes the report to `PI_CONTRACT_REPORT` when set.
#[tokio::test]
async fn the_client_holds_the_contract() {
    let path = std::env::var_os("PI_CONTRACT_SPEC").map_or_else(vendored_spec_path, PathBuf::from);
    // `cargo xtask contract` names the vendored file; the other tests of this
    // process already share its embedded copy, so the document is compiled
    // once per run unless another one is given.
    let spec = if std::fs::read(&path).is_ok_and(|bytes| bytes == VENDORED_DOCUMENT.as_bytes()) {
        vendored_spec()
    } else {
        match Spec::from_path(&path) {
            Ok(spec) => Arc::new(spec),
            Err(error) => panic!("cannot load the spec {}: {error}", path.display()),
        }
    };
    let report = harness::run_suite(spec, &path.display().to_string()).await;
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
    assert!(
        report.passed(),
        "the contract does not hold:\n{}",
        report.render()
    );
}
