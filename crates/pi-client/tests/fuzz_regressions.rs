//! Replays every input kept under `fuzz/regressions/decode_response/` (what
//! `cargo xtask fuzz` found, and hand-picked tricky bodies) through
//! `pi_client::decode::decode_response`, read exactly as the fuzz target reads it:
//! the first two bytes are the status, the rest the body. Each must give a
//! value or a typed error for that status, and its rendering must not panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use pi_client::Error;
use pi_client::types::{ApiResponse, Page, Secret};

/// The kept inputs, by file name. Empty when the folder is not there (a
/// packaged crate has no `fuzz/`).
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut inputs: Vec<(String, Vec<u8>)> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    inputs.sort();
    inputs
}

/// The fuzz target's check (fuzz/fuzz_targets/decode_response.rs).
fn check<T: std::fmt::Debug>(name: &str, status: u16, result: Result<T, Error>) {
    match result {
        Ok(_) => assert!(
            (200..300).contains(&status),
            "{name}: {status} decoded as a success"
        ),
        Err(error) => {
            let _ = format!("{error} {error:?}");
            if (200..300).contains(&status) {
                assert!(matches!(error, Error::Decode { .. }), "{name}: {error:?}");
            } else {
                assert_eq!(error.status(), Some(status), "{name}: {error:?}");
            }
        }
    }
}

#[test]
fn every_kept_decode_response_input_gives_a_value_or_a_typed_error() {
    // A packaged crate has no `fuzz/`: nothing to replay.
    if !PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .is_dir()
    {
        return;
    }
    let inputs = inputs("decode_response");
    assert!(
        !inputs.is_empty(),
        "fuzz/regressions/decode_response/ holds no input"
    );
    for (name, data) in inputs {
        let (status, body) = match data.as_slice() {
            [high, low, body @ ..] => (u16::from_be_bytes([*high, *low]) % 1000, body),
            _ => (200, data.as_slice()),
        };
        check(
            &name,
            status,
            pi_client::decode::decode_response::<ApiResponse<Secret>>(status, body),
        );
        check(
            &name,
            status,
            pi_client::decode::decode_response::<Page<Secret>>(status, body),
        );
        check(
            &name,
            status,
            pi_client::decode::decode_response::<serde_json::Value>(status, body),
        );
    }
}
