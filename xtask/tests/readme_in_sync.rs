//! The README's table of operations names every operation of the vendored
//! spec, so a user looking for a call finds it, and a new operation cannot
//! land without its row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn the_readme_names_every_operation_of_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let spec = pi_contract::Spec::from_path(&root.join("spec/openapi.json")).unwrap();
    let missing: Vec<&str> = spec
        .operations()
        .map(pi_contract::Operation::id)
        .filter(|id| !readme.contains(&format!("`{id}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's operation table lacks a row for: {missing:?}"
    );
    assert!(spec.operations().len() >= 79);
}
