//! The sandbox gateway's contract, which the PI API's OpenAPI document does
//! not hold: embedded byte-identical copies of the repository's
//! `spec/gateway/` files, written by `cargo xtask codegen`.
//!
//! - [`PROTO`]: the command service `command_session.CommandSession`
//!   (Connect RPC, protobuf binary codec), the source of `pi_types::gateway`.
//! - [`FILES_DOCUMENT`] and [`files_spec`]: the three file endpoints on the
//!   gateway base (`POST /upload`, `GET /download`, `GET /read-file`) as an
//!   OpenAPI document, validated like the main contract.
//!
//! ```
//! use pi_contract::HttpRequest;
//!
//! let spec = pi_contract::gateway::files_spec();
//! let request = HttpRequest::new("GET", "/read-file?path=/etc/hostname&length=64")
//!     .bearer("gateway-token");
//! assert!(spec.validate_request(&request).is_empty());
//!
//! let negative = HttpRequest::new("GET", "/read-file?path=/etc/hostname&offset=-1")
//!     .bearer("gateway-token");
//! assert!(!spec.validate_request(&negative).is_empty());
//!
//! let answer = serde_json::json!({"content": "sandbox\n", "size": 8});
//! assert!(spec.validate_response("read_file", 200, &answer).is_empty());
//! assert!(pi_contract::gateway::PROTO.contains("service CommandSession"));
//! ```

use std::sync::{Arc, LazyLock};

pub use crate::gateway_mock::{CommandScript, FileCall, RanCommand, ScriptedCommand};

use crate::spec::Spec;

/// The gateway's command service as a proto3 file (package
/// `command_session`): a byte-identical copy of the repository's
/// `spec/gateway/command_session.proto`.
pub const PROTO: &str = include_str!("../spec/gateway/command_session.proto");

/// The gateway's file endpoints as an OpenAPI 3.1 document: a
/// byte-identical copy of the repository's `spec/gateway/files.openapi.json`.
/// Its operation ids are `upload_file`, `download_file` and `read_file`;
/// paths are relative to a sandbox's gateway base.
pub const FILES_DOCUMENT: &str = include_str!("../spec/gateway/files.openapi.json");

/// The embedded file endpoints' document, parsed and compiled on first use.
static FILES: LazyLock<Result<Arc<Spec>, String>> = LazyLock::new(|| {
    Spec::from_slice(FILES_DOCUMENT.as_bytes())
        .map(Arc::new)
        .map_err(|error| error.to_string())
});

/// The gateway's file endpoints ([`FILES_DOCUMENT`]) as a [`Spec`], parsed
/// and compiled once per process; every call returns the same shared one.
///
/// # Panics
/// Only if the embedded document does not load, which the crate's own tests
/// rule out before a release.
#[must_use]
#[allow(clippy::panic)]
pub fn files_spec() -> Arc<Spec> {
    match &*FILES {
        Ok(spec) => Arc::clone(spec),
        Err(error) => {
            panic!("the gateway files document embedded in pi-contract does not load: {error}")
        }
    }
}
