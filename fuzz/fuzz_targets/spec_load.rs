//! Feeds arbitrary bytes to `pi_contract::Spec::from_slice`, which loads an
//! OpenAPI document given by a user (`cargo xtask contract --spec`, `spec
//! diff`, `pi-mock --spec`): JSON or YAML, then `$ref`s and schemas. It must
//! never panic; whatever the bytes, it gives a spec or a `SpecError`, and the
//! error renders.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match pi_contract::Spec::from_slice(data) {
        Ok(spec) => {
            let _ = spec.operations().count();
        }
        Err(error) => {
            let _ = format!("{error} {error:?}");
        }
    }
});
