//! Replays every input kept under `fuzz/regressions/error_body/` (what
//! `cargo xtask fuzz` found, and hand-picked tricky bodies) through
//! `pi_types::ErrorBody::parse`, as the fuzz target does: parsing,
//! summarising and listing the field errors must not panic.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use pi_types::ErrorBody;

#[test]
fn every_kept_error_body_input_parses_or_is_refused_without_a_panic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    // A packaged crate has no `fuzz/`: nothing to replay.
    let Ok(entries) = std::fs::read_dir(root.join("regressions/error_body")) else {
        assert!(!root.is_dir(), "fuzz/regressions/error_body/ is missing");
        return;
    };
    let mut replayed = 0;
    for path in entries.map(|entry| entry.unwrap().path()) {
        let data = std::fs::read(&path).unwrap();
        if let Some(body) = ErrorBody::parse(&data) {
            let _ = body.summary();
            for error in body.field_errors() {
                let _ = (error.to_string(), error.location.as_str());
            }
        }
        replayed += 1;
    }
    assert!(replayed > 0, "fuzz/regressions/error_body/ holds no input");
}
