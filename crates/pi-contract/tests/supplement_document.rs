//! The supplement document, `spec/supplement/openapi.json`: the project's own
//! description of the operations the official clients call and the
//! published document lacks (sandbox and traces groups so far). It loads with pi-contract, holds exactly the
//! operations written for it, each with its source, collides with nothing
//! published, is listed whole in `supplement.lock`, is in the vendored
//! document's normal form, and its limits refuse what the client refuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;

use pi_contract::diff::wire_shape;
use pi_contract::normalize::normalize;
use pi_contract::openapi::METHODS;
use pi_contract::{HttpRequest, Spec, Violation};
use serde_json::{Value, json};

const DOCUMENT: &[u8] = include_bytes!("../../../spec/supplement/openapi.json");
const LOCK: &[u8] = include_bytes!("../../../spec/supplement/supplement.lock");
const SOURCE: &str = "prime-sandboxes 0.5.1";
const TRACES_SOURCE: &str = "prime-traces 0.0.10";

/// The operations of the first group of issue 23, as the client calls them.
const OPERATIONS: [(&str, &str); 22] = [
    // Batched lookups.
    ("POST", "/api/v1/sandbox/status:batchGet"),
    ("POST", "/api/v1/sandbox/background-jobs/status:batchGet"),
    // Checkpoints.
    ("POST", "/api/v1/sandbox/{sandbox_id}/checkpoints"),
    ("GET", "/api/v1/sandbox/{sandbox_id}/checkpoints"),
    ("DELETE", "/api/v1/sandbox/{sandbox_id}/checkpoints"),
    ("GET", "/api/v1/sandbox/checkpoints/{checkpoint_id}"),
    ("DELETE", "/api/v1/sandbox/checkpoints/{checkpoint_id}"),
    ("POST", "/api/v1/sandbox/checkpoints:batchGet"),
    // Egress policy.
    ("GET", "/api/v1/sandbox/{sandbox_id}/egress-policy"),
    ("PUT", "/api/v1/sandbox/{sandbox_id}/egress-policy"),
    // LAN networks and members.
    ("POST", "/api/v1/sandbox/networks"),
    ("GET", "/api/v1/sandbox/networks"),
    ("GET", "/api/v1/sandbox/networks/{network_id}"),
    ("DELETE", "/api/v1/sandbox/networks/{network_id}"),
    ("PUT", "/api/v1/sandbox/networks/{network_id}/rules"),
    (
        "PUT",
        "/api/v1/sandbox/networks/{network_id}/members/{sandbox_id}",
    ),
    (
        "DELETE",
        "/api/v1/sandbox/networks/{network_id}/members/{sandbox_id}",
    ),
    // Volumes.
    ("POST", "/api/v1/sandbox/volumes"),
    ("GET", "/api/v1/sandbox/volumes"),
    ("GET", "/api/v1/sandbox/volumes/{name}"),
    ("DELETE", "/api/v1/sandbox/volumes/{name}"),
    (
        "POST",
        "/api/v1/sandbox/{sandbox_id}/volumes/{name}/publish",
    ),
];

/// The traces group, as `prime-traces` calls it (on its own base URL). The
/// raw reads (`raw=true`) are a query of `GET /traces/{trace_id}` and
/// `GET /episodes/{episode_id}`, not operations of their own.
const TRACES_OPERATIONS: [(&str, &str); 14] = [
    ("POST", "/api/v1/traces"),
    ("GET", "/api/v1/traces"),
    ("DELETE", "/api/v1/traces"),
    ("GET", "/api/v1/traces/{trace_id}"),
    ("DELETE", "/api/v1/traces/{trace_id}"),
    ("GET", "/api/v1/traces/{trace_id}/nodes"),
    ("GET", "/api/v1/traces/{trace_id}/calls"),
    ("GET", "/api/v1/episodes"),
    ("GET", "/api/v1/episodes/{episode_id}"),
    ("GET", "/api/v1/episodes/{episode_id}/traces"),
    ("GET", "/api/v1/runs"),
    ("GET", "/api/v1/runs/{run_id}"),
    ("GET", "/api/v1/runs/{run_id}/steps"),
    ("GET", "/api/v1/runs/{run_id}/search"),
];

/// The source and tag of an operation of the document, by its path.
fn group_of(path: &str) -> (&'static str, &'static str) {
    if TRACES_OPERATIONS.iter().any(|(_, known)| *known == path) {
        (TRACES_SOURCE, "Traces")
    } else {
        (SOURCE, "Sandbox")
    }
}

fn spec() -> Spec {
    Spec::from_slice(DOCUMENT).expect("the supplement loads")
}

/// The document as written, extensions included (a loaded `Spec` holds the
/// normalized one, without them).
fn raw() -> Value {
    serde_json::from_slice(DOCUMENT).unwrap()
}

fn lock() -> Value {
    serde_json::from_slice(LOCK).unwrap()
}

/// Every operation object of a raw document, by (METHOD, path).
fn raw_operations(doc: &Value) -> Vec<((String, String), &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push(((method.to_uppercase(), path.clone()), operation));
            }
        }
    }
    out
}

fn schema_names(doc: &Value) -> BTreeSet<String> {
    doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn post(path: &str, body: &Value) -> Vec<Violation> {
    spec().validate_request(&HttpRequest::new("POST", path).bearer("k").json(body))
}

fn put(path: &str, body: &Value) -> Vec<Violation> {
    spec().validate_request(&HttpRequest::new("PUT", path).bearer("k").json(body))
}

fn ids(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("sbx-{i}")).collect()
}

#[test]
fn it_loads_with_exactly_the_listed_operations() {
    let spec = spec();
    let found: BTreeSet<(String, String)> = spec
        .operations()
        .map(|op| (op.method().to_owned(), op.path().to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .chain(&TRACES_OPERATIONS)
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(
        spec.operations().len(),
        OPERATIONS.len() + TRACES_OPERATIONS.len()
    );
    for op in spec.operations() {
        assert!(op.requires_bearer(), "{} needs the API key", op.id());
        assert_eq!(op.tags(), [group_of(op.path()).1], "{}", op.id());
        assert!(op.success_response().is_some(), "{} has a success", op.id());
    }
}

#[test]
fn every_operation_names_the_client_it_comes_from() {
    let doc = raw();
    assert!(doc["x-pi-supplement"].is_string());
    for ((method, path), operation) in raw_operations(&doc) {
        assert_eq!(
            operation["x-pi-source"],
            group_of(&path).0,
            "{method} {path} names its source"
        );
    }
}

#[test]
fn nothing_collides_with_the_published_document() {
    let published = Spec::vendored();
    let published_places: BTreeSet<(String, String)> = published
        .operations()
        .map(|op| (op.method().to_owned(), wire_shape(op.path())))
        .collect();
    let published_ids: BTreeSet<&str> = published.operations().map(|op| op.id()).collect();
    let spec = spec();
    for op in spec.operations() {
        let place = (op.method().to_owned(), wire_shape(op.path()));
        assert!(
            !published_places.contains(&place),
            "{} {} is published",
            op.method(),
            op.path()
        );
        assert!(!published_ids.contains(op.id()), "{} is published", op.id());
    }
    let ours = schema_names(&raw());
    let theirs = schema_names(published.document());
    let shared: Vec<&String> = ours.intersection(&theirs).collect();
    assert!(shared.is_empty(), "schema names also published: {shared:?}");
}

#[test]
fn the_lock_lists_exactly_the_documents_operations() {
    let lock = lock();
    let doc = raw();
    let sources = lock["sources"].as_object().unwrap();
    for (name, package, version) in [
        (SOURCE, "prime-sandboxes", "0.5.1"),
        (TRACES_SOURCE, "prime-traces", "0.0.10"),
    ] {
        let source = &sources[name];
        assert_eq!(source["package"], package);
        assert_eq!(source["version"], version);
        let sha = source["sha256"].as_str().unwrap();
        assert!(sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    let listed: BTreeSet<(String, String, String, String)> = lock["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let field = |name: &str| entry[name].as_str().unwrap().to_owned();
            assert!(sources.contains_key(&field("source")));
            (
                field("method"),
                field("path"),
                field("operationId"),
                field("source"),
            )
        })
        .collect();
    let written: BTreeSet<(String, String, String, String)> = raw_operations(&doc)
        .into_iter()
        .map(|((method, path), operation)| {
            let text = |name: &str| operation[name].as_str().unwrap().to_owned();
            (method, path, text("operationId"), text("x-pi-source"))
        })
        .collect();
    assert_eq!(listed, written);
    assert_eq!(lock["operations"].as_array().unwrap().len(), written.len());
    assert_eq!(lock["schemas"], schema_names(&doc).len());
}

/// Keys in order and `required` lists sorted, as `normalize` writes them.
fn assert_sorted(value: &Value, at: &str) {
    match value {
        Value::Object(map) => {
            let keys: Vec<&String> = map.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "keys at {at}");
            if let Some(Value::Array(names)) = map.get("required") {
                let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
                let mut sorted = names.clone();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(names, sorted, "required at {at}");
            }
            for (key, child) in map {
                assert_sorted(child, &format!("{at}/{key}"));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                assert_sorted(item, &format!("{at}/{index}"));
            }
        }
        _ => {}
    }
}

#[test]
fn it_is_written_in_the_vendored_documents_normal_form() {
    let doc = raw();
    assert_sorted(&doc, "");
    let text = std::str::from_utf8(DOCUMENT).unwrap();
    assert_eq!(text, pi_contract::normalize::to_canonical_json(&doc));
    // Normalizing drops only prose and extensions: every path and schema stays
    // (none is unreachable) and every `$ref` resolves.
    let normalized = normalize(&doc).unwrap();
    assert_eq!(schema_names(&normalized), schema_names(&doc));
    assert_eq!(
        normalized["paths"].as_object().unwrap().len(),
        doc["paths"].as_object().unwrap().len()
    );
    assert!(
        !text.contains("\"type\": ["),
        "nullable as anyOf, as vendored"
    );
}

#[test]
fn a_batch_status_lookup_takes_one_to_a_hundred_distinct_ids() {
    let path = "/api/v1/sandbox/status:batchGet";
    assert_eq!(post(path, &json!({"sandbox_ids": ids(2)})), []);
    assert_eq!(post(path, &json!({"sandbox_ids": ids(100)})), []);
    for refused in [
        json!({"sandbox_ids": []}),
        json!({"sandbox_ids": ids(101)}),
        json!({"sandbox_ids": ["a", "a"]}),
        json!({}),
    ] {
        let violations = post(path, &refused);
        assert!(!violations.is_empty(), "{refused} is refused");
        assert_eq!(
            violations[0].operation_id.as_deref(),
            Some("batch_get_sandbox_status")
        );
    }
}

#[test]
fn the_other_bodies_carry_the_clients_limits() {
    let jobs = "/api/v1/sandbox/background-jobs/status:batchGet";
    let job = json!({"sandbox_id": "s1", "job_id": "0a1B2c3D"});
    assert_eq!(post(jobs, &json!({"jobs": [job]})), []);
    assert!(!post(jobs, &json!({"jobs": []})).is_empty());
    assert!(!post(jobs, &json!({"jobs": [job, job]})).is_empty());
    let bad_id = json!({"sandbox_id": "s1", "job_id": "not-hex!"});
    assert!(!post(jobs, &json!({"jobs": [bad_id]})).is_empty());

    let checkpoints = "/api/v1/sandbox/checkpoints:batchGet";
    assert_eq!(post(checkpoints, &json!({"checkpoint_ids": ["c1"]})), []);
    let long = "c".repeat(65);
    assert!(!post(checkpoints, &json!({"checkpoint_ids": [long]})).is_empty());
    assert!(!post(checkpoints, &json!({"checkpoint_ids": [""]})).is_empty());

    let egress = "/api/v1/sandbox/s1/egress-policy";
    assert_eq!(
        put(
            egress,
            &json!({"allowlist": ["example.com", "10.0.0.0/8"], "denylist": null})
        ),
        []
    );
    let too_many: Vec<String> = (0..1025)
        .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
        .collect();
    assert!(!put(egress, &json!({"allowlist": too_many, "denylist": null})).is_empty());

    let rules =
        json!([{"from": "tag:web", "to": "tag:db", "ports": [5432]}, {"from": "*", "to": "*"}]);
    assert_eq!(
        post(
            "/api/v1/sandbox/networks",
            &json!({"name": "lan", "rules": rules})
        ),
        []
    );
    assert!(!post("/api/v1/sandbox/networks", &json!({"rules": rules})).is_empty());
    assert_eq!(
        put(
            "/api/v1/sandbox/networks/n1/members/s1",
            &json!({"tags": ["web"]})
        ),
        []
    );
    assert_eq!(
        post(
            "/api/v1/sandbox/s1/volumes/data/publish",
            &json!({"force": false})
        ),
        []
    );
    let list = HttpRequest::new(
        "GET",
        "/api/v1/sandbox/volumes?page=1&per_page=50&team_id=t1",
    )
    .bearer("k");
    assert_eq!(spec().validate_request(&list), []);
}

#[test]
fn answers_read_like_the_clients_models() {
    let spec = spec();
    let checkpoint = json!({
        "id": "c1", "sandbox_id": "s1", "state": "DURABLE", "depth": 0,
        "docker_image": "python:3.12", "created_at": "2026-10-01T00:00:00Z",
        "updated_at": "2026-10-01T00:00:01Z"
    });
    let network = json!({
        "id": "n1", "name": "lan", "rules": [{"from": "internet", "to": "tag:web", "ports": [8080]}],
        "version": 1, "synced": true, "created_at": "2026-10-01T00:00:00Z",
        "members": [{"sandbox_id": "s1", "tags": ["web"], "synced": false}]
    });
    let accepted = [
        (
            "batch_get_sandbox_status",
            json!({
                "statuses": [
                    {"sandbox_id": "s1", "status": "RUNNING"},
                    {"sandbox_id": "s2", "status": "TIMEOUT", "error_type": "timeout", "error_message": null}
                ],
                "errors": [{"sandbox_id": "s3", "code": "NOT_FOUND", "message": "gone"}]
            }),
        ),
        (
            "batch_get_background_job_status",
            json!({
                "statuses": [{"sandbox_id": "s1", "job_id": "0a1b2c3d", "completed": true, "exit_code": 0}],
                "errors": [{"sandbox_id": "s2", "job_id": "0a1b2c3e", "code": "NOT_VM", "message": "container"}]
            }),
        ),
        ("create_sandbox_checkpoint", checkpoint.clone()),
        (
            "list_sandbox_checkpoints",
            json!({"checkpoints": [checkpoint]}),
        ),
        (
            "delete_sandbox_checkpoints",
            json!({"deleted": ["c1"], "errors": [{"checkpoint_id": "c2", "code": "CONFLICT", "message": "tip"}]}),
        ),
        ("get_sandbox_network", network.clone()),
        ("list_sandbox_networks", json!({"networks": [network]})),
        (
            "list_sandbox_volumes",
            json!({
                "volumes": [{"id": "v1", "name": "data", "created_at": "2026-10-01T00:00:00Z"}],
                "total": 1, "page": 1, "per_page": 50, "has_next": false
            }),
        ),
        (
            "set_sandbox_egress_policy",
            json!({
                "policy": {"allowlist": null, "denylist": []},
                "generation": 2, "applied_generation": 1, "applied": false
            }),
        ),
    ];
    for (operation, body) in &accepted {
        assert_eq!(
            spec.validate_response(operation, 200, body),
            [],
            "{operation}"
        );
    }
    let refused = [
        (
            "batch_get_sandbox_status",
            json!({"statuses": [], "errors": [{"sandbox_id": "s3", "code": "LOST", "message": "?"}]}),
        ),
        ("batch_get_sandbox_status", json!({"statuses": []})),
        (
            "get_sandbox_checkpoint",
            json!({"id": "c1", "sandbox_id": "s1", "state": "DURABLE"}),
        ),
    ];
    for (operation, body) in &refused {
        assert!(
            !spec.validate_response(operation, 200, body).is_empty(),
            "{operation} refuses {body}"
        );
    }
}

/// A trace upload as the client sends it: `metadata` as JSON, `traces` as
/// JSONL (gzip-compressed or not), both in one multipart body.
fn upload(parts: &[(&str, &str, &[u8])], key: Option<&str>) -> Vec<Violation> {
    let mut body = Vec::new();
    for (name, media, content) in parts {
        body.extend_from_slice(
            format!(
                "--b0undary\r\nContent-Disposition: form-data; name=\"{name}\"\r\nContent-Type: {media}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--b0undary--\r\n");
    let mut request = HttpRequest::new("POST", "/api/v1/traces")
        .bearer("k")
        .header("content-type", "multipart/form-data; boundary=b0undary");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body = body;
    spec().validate_request(&request)
}

#[test]
fn a_trace_upload_is_a_multipart_body_with_a_json_metadata_part() {
    let key = format!("sha256:{}", "ab".repeat(32));
    let metadata: &[u8] = br#"{"schema_version": 1, "context": {"job": "a"}}"#;
    let lines: &[u8] = b"{\"trace_id\":\"t1\"}\n";
    let good = [
        ("metadata", "application/json", metadata),
        ("traces", "application/x-ndjson", lines),
    ];
    assert_eq!(upload(&good, Some(&key)), []);
    let locations = |violations: Vec<Violation>| -> Vec<String> {
        violations.into_iter().map(|v| v.location).collect()
    };
    assert_eq!(locations(upload(&good, None)), ["header.idempotency-key"]);
    assert_eq!(
        locations(upload(&good, Some("sha256:ABC"))),
        ["header.idempotency-key"]
    );
    assert_eq!(locations(upload(&good[1..], Some(&key))), ["body/metadata"]);
    let bad_metadata = [
        (
            "metadata",
            "application/json",
            &br#"{"context": {"job": 1}}"#[..],
        ),
        good[1],
    ];
    let found = locations(upload(&bad_metadata, Some(&key)));
    assert!(
        found.contains(&"body/metadata/schema_version".to_owned())
            && found.contains(&"body/metadata/context/job".to_owned()),
        "{found:?}"
    );
    let wrong_media = [good[0], ("traces", "application/json", lines)];
    assert_eq!(
        locations(upload(&wrong_media, Some(&key))),
        ["body/traces/content-type"]
    );
    let extra = [good[0], good[1], ("other", "text/plain", &b"x"[..])];
    assert_eq!(locations(upload(&extra, Some(&key))), ["body/other"]);
}

#[test]
fn trace_reads_carry_the_clients_parameters() {
    let get = |target: &str| {
        spec().validate_request(
            &HttpRequest::new("GET", target)
                .bearer("k")
                .header("x-prime-team-id", "team_1"),
        )
    };
    assert_eq!(
        get(
            "/api/v1/traces?run_id=r&upload_id=a&upload_id=b&has_error=true&reward_min=0.5&limit=100&cursor=c"
        ),
        []
    );
    assert!(!get("/api/v1/traces?limit=101").is_empty());
    assert_eq!(get("/api/v1/traces/t1?raw=true"), []);
    assert_eq!(
        get("/api/v1/runs/r1/search?query=Traceback&field=tool_calls&limit=50"),
        []
    );
    assert!(!get("/api/v1/runs/r1/search?query=ab").is_empty());
    assert!(!get("/api/v1/runs/r1/search?query=abc&field=body").is_empty());
    assert_eq!(get("/api/v1/runs?run_type=eval&run_type=train"), []);
    let delete = HttpRequest::new("DELETE", "/api/v1/traces").bearer("k");
    assert!(
        !spec().validate_request(&delete).is_empty(),
        "run_id is required"
    );
}
