//! The mock and the traces client against a client nobody here wrote: the
//! official Python `prime-traces`, pinned, uploads a JSONL file with its
//! defaults (the traces part gzip-compressed) and reads lists back, one
//! with a context filter, through the mock, which must see nothing that
//! breaks the supplement's description of the traces service; pi-client
//! then uploads the same lines and must send what the official client sent.
//!
//! Installed and skipped like `gateway_interop.rs`: without Python, `venv`
//! or the network the test says SKIPPED on stderr and passes, unless
//! `PI_REQUIRE_PYTHON_INTEROP` is set (CI sets it). Unix only.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::time::Duration;

use pi_client::Client;
use pi_contract::{ContractServer, ReceivedRequest};

/// The `prime-traces` release the test installs, the one the supplement's
/// traces operations were read from.
const PRIME_TRACES_VERSION: &str = "0.0.10";

/// The variable that turns a skip into a failure.
const REQUIRE: &str = "PI_REQUIRE_PYTHON_INTEROP";

/// How long the driver may run before the test fails with its output.
const PATIENCE: Duration = Duration::from_secs(120);

/// Three traces of one run, one line each, as a producer writes them.
const LINES: &str = concat!(
    "{\"trace_id\":\"t1\",\"run_id\":\"r1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n",
    "{\"trace_id\":\"t2\",\"run_id\":\"r1\",\"reward\":0.5}\n",
    "{\"trace_id\":\"t3\",\"run_id\":\"r1\",\"error\":null}\n",
);

/// The one upload among `requests`.
fn the_upload(requests: &[ReceivedRequest]) -> &ReceivedRequest {
    let uploads: Vec<&ReceivedRequest> = requests
        .iter()
        .filter(|request| request.method == "POST" && request.path == "/api/v1/traces")
        .collect();
    assert_eq!(uploads.len(), 1, "{requests:#?}");
    uploads[0]
}

/// Whether `needle` occurs in `haystack`.
fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn the_official_traces_client_uploads_compressed_and_reads_lists_through_the_mock() {
    let Some(venv) = support::python::installed_or_skip(
        "prime-traces",
        PRIME_TRACES_VERSION,
        "the prime-traces interop test",
        REQUIRE,
    ) else {
        return;
    };
    let server = ContractServer::stateful().await;
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("traces-interop");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let file = scratch.join("traces.jsonl");
    std::fs::write(&file, LINES).unwrap();

    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/prime_traces_driver.py");
    let mut command =
        support::python::client_command(&venv.bin("python"), &server.uri(), "prime-traces");
    command
        .env("PRIME_TRACES_URL", server.uri())
        .arg(driver)
        .arg(&file);
    let result = support::python::driver_result(command, PATIENCE, &server);
    // The mock's receipt parsed into the client's own model.
    let receipts = result["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 1, "{result:#}");
    assert!(receipts[0]["upload_id"].is_string(), "{result:#}");
    assert!(receipts[0]["status"].is_string(), "{result:#}");
    // Every read's answer parsed too (the driver would have raised).
    assert!(result["listed"].is_u64(), "{result:#}");

    // What the official client sent: its lines, gzip-compressed in the
    // traces part, keyed by their digest; the mock reads the part back.
    let requests = server.received_requests();
    let official = the_upload(&requests).clone();
    assert!(
        holds(&official.raw_body, b"Content-Encoding: gzip"),
        "{official:#?}"
    );
    assert!(
        !holds(&official.raw_body, LINES.as_bytes()),
        "sent uncompressed"
    );
    let body = official.body.as_ref().unwrap();
    assert_eq!(body["traces"], LINES, "{body:#}");
    assert_eq!(body["metadata"]["schema_version"], 1, "{body:#}");
    let listed: Vec<&str> = requests
        .iter()
        .filter(|request| request.method == "GET")
        .map(|request| request.path.as_str())
        .collect();
    assert_eq!(
        listed,
        ["/api/v1/traces", "/api/v1/runs", "/api/v1/episodes"],
        "{requests:#?}"
    );
    // Its context filter is a `context.<key>` parameter, which the
    // supplement declares as a family, so the mock checks it, not flags it.
    let list = requests
        .iter()
        .find(|request| request.method == "GET" && request.path == "/api/v1/traces")
        .unwrap();
    assert!(
        list.query
            .contains(&("context.job".to_owned(), "nightly".to_owned())),
        "{list:#?}"
    );
    server.assert_no_violations();

    // pi-client sends the same upload for the same lines: the same key,
    // the same parts, compressed the same way.
    let seen = requests.len();
    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .build()
        .unwrap();
    client.traces().upload_lines(LINES).send().await.unwrap();
    let ours = server.received_requests_since(seen);
    let ours = the_upload(&ours);
    assert_eq!(
        ours.header("idempotency-key"),
        official.header("idempotency-key")
    );
    assert_eq!(ours.body, official.body);
    assert!(holds(&ours.raw_body, b"Content-Encoding: gzip"));
    assert!(
        !holds(&ours.raw_body, LINES.as_bytes()),
        "sent uncompressed"
    );
    server.assert_no_violations();
    let _ = std::fs::remove_dir_all(&scratch);
}
