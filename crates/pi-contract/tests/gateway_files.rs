//! The gateway's file endpoints document loads through `Spec` and validates
//! requests and answers like the main contract; the embedded copies are the
//! repository's files when those are at hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use pi_contract::{HttpRequest, Spec, gateway};
use serde_json::json;

fn vendored(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec/gateway")
        .join(name)
}

#[test]
fn the_vendored_document_loads_with_its_three_operations() {
    let spec = Spec::from_path(&vendored("files.openapi.json")).unwrap();
    let mut ops: Vec<(String, String, String)> = spec
        .operations()
        .map(|op| {
            (
                op.id().to_owned(),
                op.method().to_owned(),
                op.path().to_owned(),
            )
        })
        .collect();
    ops.sort();
    assert_eq!(
        ops,
        [
            ("download_file".into(), "GET".into(), "/download".into()),
            ("read_file".into(), "GET".into(), "/read-file".into()),
            ("upload_file".into(), "POST".into(), "/upload".into()),
        ]
    );
    assert!(spec.operations().all(|op| op.requires_bearer()));
    let upload = spec.operation("upload_file").unwrap();
    assert_eq!(
        upload.request_body().unwrap().content_type(),
        "multipart/form-data"
    );
    let download = spec.operation("download_file").unwrap();
    assert_eq!(
        download.success_response().unwrap().content_type(),
        Some("application/octet-stream")
    );
}

#[test]
fn the_embedded_copies_are_the_vendored_files() {
    assert_eq!(
        gateway::FILES_DOCUMENT,
        std::fs::read_to_string(vendored("files.openapi.json")).unwrap()
    );
    assert_eq!(
        gateway::PROTO,
        std::fs::read_to_string(vendored("command_session.proto")).unwrap()
    );
}

#[test]
fn read_file_requests_are_validated_by_the_document() {
    let spec = gateway::files_spec();
    let good =
        HttpRequest::new("GET", "/read-file?path=%2Ftmp%2Fa.txt&offset=0&length=10").bearer("t");
    assert_eq!(spec.validate_request(&good), []);
    let no_path = HttpRequest::new("GET", "/read-file?offset=1").bearer("t");
    let violations = spec.validate_request(&no_path);
    assert!(
        violations.iter().any(|v| v.to_string().contains("path")),
        "{violations:?}"
    );
    let negative = HttpRequest::new("GET", "/read-file?path=a&length=-5").bearer("t");
    assert!(!spec.validate_request(&negative).is_empty());
    let unauthenticated = HttpRequest::new("GET", "/read-file?path=a");
    assert!(!spec.validate_request(&unauthenticated).is_empty());
    let download = HttpRequest::new("GET", "/download?path=a").bearer("t");
    assert!(
        !spec.validate_request(&download).is_empty(),
        "sandbox_id is required"
    );
}

#[test]
fn answers_are_validated_by_the_document() {
    let spec = gateway::files_spec();
    let uploaded = json!({
        "success": true,
        "path": "/workspace/data.bin",
        "size": 1024,
        "timestamp": "2026-12-04T10:00:00Z"
    });
    assert_eq!(spec.validate_response("upload_file", 200, &uploaded), []);
    let mut partial = uploaded.clone();
    partial.as_object_mut().unwrap().remove("size");
    assert!(
        !spec
            .validate_response("upload_file", 200, &partial)
            .is_empty()
    );

    let window = json!({
        "content": "abc",
        "size": 3,
        "total_size": 10,
        "offset": 2,
        "truncated": true
    });
    assert_eq!(spec.validate_response("read_file", 200, &window), []);
    // A VM sandbox ignores the window and leaves the last three out.
    let whole = json!({"content": "abc", "size": 3});
    assert_eq!(spec.validate_response("read_file", 200, &whole), []);
    let wrong = json!({"content": 3, "size": "3"});
    assert_eq!(spec.validate_response("read_file", 200, &wrong).len(), 2);
}
