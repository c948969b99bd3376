//! Replays every input kept under `fuzz/regressions/spec_load/` (what
//! `cargo xtask fuzz` found, and hand-picked tricky documents) through
//! `pi_contract::Spec::from_slice`, as the fuzz target does: each gives a
//! spec or a `SpecError` that renders, never a panic.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use pi_contract::Spec;

#[test]
fn every_kept_document_loads_or_is_refused_with_a_spec_error() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    // A packaged crate has no `fuzz/`: nothing to replay.
    let Ok(entries) = std::fs::read_dir(root.join("regressions/spec_load")) else {
        assert!(!root.is_dir(), "fuzz/regressions/spec_load/ is missing");
        return;
    };
    let mut replayed = 0;
    for path in entries.map(|entry| entry.unwrap().path()) {
        let data = std::fs::read(&path).unwrap();
        match Spec::from_slice(&data) {
            Ok(spec) => {
                let _ = spec.operations().count();
            }
            Err(error) => {
                let _ = format!("{error} {error:?}");
            }
        }
        replayed += 1;
    }
    assert!(replayed > 0, "fuzz/regressions/spec_load/ holds no input");
}
