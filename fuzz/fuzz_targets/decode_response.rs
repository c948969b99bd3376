//! Feeds arbitrary bytes to `pi_client::decode::decode_response`, the decoder every
//! call's answer goes through: the first two bytes pick the HTTP status, the
//! rest is the body. It must never panic; a success status must give a value
//! or `Error::Decode`, any other status an error that reports that status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pi_client::Error;
use pi_client::types::{ApiResponse, Page, Secret};

fn check<T: std::fmt::Debug>(status: u16, result: Result<T, Error>) {
    match result {
        Ok(_) => assert!(
            (200..300).contains(&status),
            "{status} decoded as a success"
        ),
        Err(error) => {
            // Rendering the error runs the excerpt and its redaction.
            let _ = format!("{error} {error:?}");
            if (200..300).contains(&status) {
                assert!(matches!(error, Error::Decode { .. }), "{error:?}");
            } else {
                assert_eq!(error.status(), Some(status), "{error:?}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [high, low, body @ ..] => (u16::from_be_bytes([*high, *low]) % 1000, body),
        _ => (200, data),
    };
    check(
        status,
        pi_client::decode::decode_response::<ApiResponse<Secret>>(status, body),
    );
    check(
        status,
        pi_client::decode::decode_response::<Page<Secret>>(status, body),
    );
    check(
        status,
        pi_client::decode::decode_response::<serde_json::Value>(status, body),
    );
});
