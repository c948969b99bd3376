//! The README's table of operations names every operation of the contract
//! (the vendored spec and the project's supplement), so a user looking for a
//! call finds it, and a new operation cannot land without its row; the
//! supplement's rows sit under a heading that says they are not in the
//! published document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn readme() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join("README.md")).unwrap()
}

#[test]
fn the_readme_names_every_operation_of_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = readme();
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

#[test]
fn the_readme_names_every_supplement_operation_as_such() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let readme = readme();
    let published = pi_contract::document::read_document(&root.join("spec/openapi.json")).unwrap();
    let added = pi_contract::supplement::with_embedded_supplement(&published)
        .unwrap()
        .added;
    assert!(added.len() >= 22, "{added:?}");
    let lines: Vec<&str> = readme.lines().collect();
    for operation in &added {
        let id = &operation.operation_id;
        let Some(row) = lines
            .iter()
            .position(|line| line.contains(&format!("| `{id}` |")))
        else {
            panic!("README.md's operation table lacks a row for the supplement's `{id}`");
        };
        let heading = lines[..row]
            .iter()
            .rev()
            .find(|line| line.starts_with("| **"))
            .unwrap_or_else(|| panic!("the row of `{id}` has no area heading above it"));
        assert!(
            heading.contains("not in the published document"),
            "the row of the supplement's `{id}` sits under {heading:?}, not under a heading marking it as supplement"
        );
    }
}
