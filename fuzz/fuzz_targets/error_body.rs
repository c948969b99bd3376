//! Feeds arbitrary bytes to `pi_types::ErrorBody::parse`, which reads every
//! error answer of the API; parsing and summarising must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pi_types::ErrorBody;

fuzz_target!(|data: &[u8]| {
    if let Some(body) = ErrorBody::parse(data) {
        let _ = body.summary();
        for error in body.field_errors() {
            let _ = error.to_string();
        }
    }
});
