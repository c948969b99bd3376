//! Loading real documents: the vendored spec and the raw upstream one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use pi_contract::Spec;

fn upstream() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/openapi.json")
}

#[test]
fn loads_the_raw_upstream_document_without_admin_operations() {
    let path = upstream();
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let started = Instant::now();
    let spec = Spec::from_path(&path).unwrap();
    eprintln!("loaded in {:?}", started.elapsed());
    assert_eq!(spec.operations().len(), 79);
    assert!(
        spec.operations()
            .all(|op| !op.path().starts_with("/api/admin"))
    );
}
