//! The supplement document, `spec/supplement/openapi.json`: the project's own
//! description of the operations the official clients call and the
//! published document lacks (all 103 of them, by group).
//! It loads with pi-contract, holds exactly the operations written for it,
//! each with its tag and source, collides with nothing published, is listed
//! whole in `supplement.lock`, is in the vendored document's normal form,
//! and its limits refuse what the clients refuse.
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
const PRIME: &str = "prime 0.18.0";
const TRACES_SOURCE: &str = "prime-traces 0.0.10";
/// Where the hub's id lookup was observed: only prime-evals calls it.
const EVALS: &str = "prime-evals 0.2.4";

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

/// The image and training operations: method, path, the published tag they
/// share a module with, and the wheel whose code makes the call (the image
/// update is made by prime-sandboxes' image client, which the prime CLI uses).
const MORE_OPERATIONS: [(&str, &str, &str, &str); 20] = [
    ("PATCH", "/api/v1/images", "Images", SOURCE),
    ("POST", "/api/v1/training/runs/prepare", "training", PRIME),
    (
        "POST",
        "/api/v1/training/runs/{run_id}/pause",
        "training",
        PRIME,
    ),
    (
        "POST",
        "/api/v1/training/runs/{run_id}/resume",
        "training",
        PRIME,
    ),
    (
        "GET",
        "/api/v1/training/available-gpu-types",
        "training",
        PRIME,
    ),
    (
        "GET",
        "/api/v1/training/available-fft-models",
        "training",
        PRIME,
    ),
    ("POST", "/api/v1/training/volumes", "training", PRIME),
    ("GET", "/api/v1/training/volumes", "training", PRIME),
    (
        "PATCH",
        "/api/v1/training/volumes/{name}",
        "training",
        PRIME,
    ),
    (
        "DELETE",
        "/api/v1/training/volumes/{name}",
        "training",
        PRIME,
    ),
    (
        "POST",
        "/api/v1/training/volumes/{name}/sessions",
        "training",
        PRIME,
    ),
    (
        "GET",
        "/api/v1/training/volumes/{name}/sessions",
        "training",
        PRIME,
    ),
    (
        "GET",
        "/api/v1/training/volumes/{name}/sessions/{session_id}",
        "training",
        PRIME,
    ),
    (
        "DELETE",
        "/api/v1/training/volumes/{name}/sessions/{session_id}",
        "training",
        PRIME,
    ),
    (
        "POST",
        "/api/v1/training/volumes/{name}/transfer",
        "training",
        PRIME,
    ),
    (
        "POST",
        "/api/v1/training/volumes/{name}/transfer/release",
        "training",
        PRIME,
    ),
    (
        "POST",
        "/api/v1/training/volumes/{name}/transfers",
        "training",
        PRIME,
    ),
    (
        "GET",
        "/api/v1/training/volumes/{name}/transfers",
        "training",
        PRIME,
    ),
    (
        "GET",
        "/api/v1/training/volumes/{name}/transfers/{transfer_id}",
        "training",
        PRIME,
    ),
    (
        "DELETE",
        "/api/v1/training/volumes/{name}/transfers/{transfer_id}",
        "training",
        PRIME,
    ),
];

/// The environments hub's operations, as prime 0.18.0 (and, for the lookup,
/// prime-evals 0.2.4) call them.
const HUB_OPERATIONS: [(&str, &str); 24] = [
    // Finding environments.
    ("GET", "/api/v1/environmentshub/"),
    ("POST", "/api/v1/environmentshub/resolve"),
    ("POST", "/api/v1/environmentshub/lookup"),
    ("GET", "/api/v1/environmentshub/{owner}/{name}/status"),
    ("GET", "/api/v1/environmentshub/{owner}/{name}/versions"),
    ("GET", "/api/v1/environmentshub/{owner}/{name}/@{version}"),
    (
        "GET",
        "/api/v1/environmentshub/{owner}/{name}/@{version}/inspect",
    ),
    // Forking and deleting.
    ("POST", "/api/v1/environmentshub/{owner}/{name}/fork"),
    ("DELETE", "/api/v1/environmentshub/{owner}/{name}"),
    (
        "DELETE",
        "/api/v1/environmentshub/{owner}/{name}/@{version}",
    ),
    // Pushing a version.
    ("POST", "/api/v1/environmentshub/{environment_id}/wheels"),
    (
        "POST",
        "/api/v1/environmentshub/{environment_id}/wheels/{wheel_id}/finalize",
    ),
    ("POST", "/api/v1/environmentshub/{environment_id}/versions"),
    (
        "POST",
        "/api/v1/environmentshub/{environment_id}/versions/{version_id}/finalize",
    ),
    // Secrets, own and linked.
    ("GET", "/api/v1/environmentshub/{environment_id}/secrets"),
    ("POST", "/api/v1/environmentshub/{environment_id}/secrets"),
    (
        "PATCH",
        "/api/v1/environmentshub/{environment_id}/secrets/{secret_id}",
    ),
    (
        "DELETE",
        "/api/v1/environmentshub/{environment_id}/secrets/{secret_id}",
    ),
    (
        "POST",
        "/api/v1/environmentshub/{environment_id}/secrets/link/{global_secret_id}",
    ),
    (
        "DELETE",
        "/api/v1/environmentshub/{environment_id}/secrets/link/{global_secret_id}",
    ),
    // Variables.
    ("GET", "/api/v1/environmentshub/{environment_id}/variables"),
    ("POST", "/api/v1/environmentshub/{environment_id}/variables"),
    (
        "PATCH",
        "/api/v1/environmentshub/{environment_id}/variables/{variable_id}",
    ),
    (
        "DELETE",
        "/api/v1/environmentshub/{environment_id}/variables/{variable_id}",
    ),
];

/// The hub's reads the `prime` CLI makes without an API key as well.
const HUB_ANONYMOUS: [&str; 5] = [
    "list_hub_environments",
    "get_hub_environment_status",
    "list_hub_environment_versions",
    "get_hub_environment_version",
    "inspect_hub_environment_version",
];

/// The operations of the RL runs, factory and Slurm clusters and login
/// challenge groups, as the `prime` CLI calls them.
const PRIME_OPERATIONS: [(&str, &str); 23] = [
    // RL runs.
    ("GET", "/api/v1/rft/runs"),
    ("GET", "/api/v1/rft/runs/{run_id}"),
    ("DELETE", "/api/v1/rft/runs/{run_id}"),
    ("PUT", "/api/v1/rft/runs/{run_id}/stop"),
    ("PUT", "/api/v1/rft/runs/{run_id}/restart"),
    ("GET", "/api/v1/rft/runs/{run_id}/checkpoints"),
    ("GET", "/api/v1/rft/runs/{run_id}/logs"),
    ("GET", "/api/v1/rft/runs/{run_id}/env-servers"),
    ("GET", "/api/v1/rft/runs/{run_id}/env-server-logs"),
    ("GET", "/api/v1/rft/runs/{run_id}/metrics"),
    ("GET", "/api/v1/rft/runs/{run_id}/samples"),
    ("GET", "/api/v1/rft/runs/{run_id}/progress"),
    ("GET", "/api/v1/rft/runs/{run_id}/distributions"),
    // Factory and Slurm clusters.
    ("GET", "/api/v1/factory/status"),
    ("GET", "/api/v1/factory/workloads"),
    ("GET", "/api/v1/factory/nodes"),
    ("GET", "/api/v1/slurm-clusters/{team_id}"),
    (
        "GET",
        "/api/v1/slurm-clusters/{team_id}/{cluster_id}/members",
    ),
    (
        "POST",
        "/api/v1/slurm-clusters/{team_id}/{cluster_id}/members",
    ),
    (
        "DELETE",
        "/api/v1/slurm-clusters/{team_id}/{cluster_id}/members/{username}",
    ),
    (
        "POST",
        "/api/v1/slurm-clusters/{team_id}/{cluster_id}/resize",
    ),
    // Login challenge.
    ("POST", "/api/v1/auth_challenge/generate"),
    ("GET", "/api/v1/auth_challenge/status"),
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

/// Every operation the document holds: (METHOD, path) → (tag, source).
fn expected() -> std::collections::BTreeMap<(String, String), (&'static str, &'static str)> {
    OPERATIONS
        .iter()
        .map(|(method, path)| (*method, *path, "Sandbox", SOURCE))
        .chain(MORE_OPERATIONS)
        .chain(PRIME_OPERATIONS.iter().map(|(method, path)| {
            let tag = if path.starts_with("/api/v1/rft/") {
                "RL Runs"
            } else if path.starts_with("/api/v1/auth_challenge/") {
                "Login"
            } else {
                "Clusters"
            };
            (*method, *path, tag, PRIME)
        }))
        .chain(
            TRACES_OPERATIONS
                .iter()
                .map(|(method, path)| (*method, *path, "Traces", TRACES_SOURCE)),
        )
        .chain(HUB_OPERATIONS.iter().map(|(method, path)| {
            let source = if path.ends_with("/lookup") {
                EVALS
            } else {
                PRIME
            };
            (*method, *path, "Environments Hub", source)
        }))
        .map(|(method, path, tag, source)| ((method.to_owned(), path.to_owned()), (tag, source)))
        .collect()
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
    let expected = expected();
    let listed: BTreeSet<(String, String)> = expected.keys().cloned().collect();
    assert_eq!(found, listed);
    assert_eq!(spec.operations().len(), expected.len());
    for op in spec.operations() {
        // The hub's reads and the one call made to get an API key are sent
        // without one.
        let anonymous = HUB_ANONYMOUS.contains(&op.id()) || op.id() == "generate_auth_challenge";
        assert_eq!(
            op.requires_bearer(),
            !anonymous,
            "{} and the API key",
            op.id()
        );
        let (tag, _) = expected[&(op.method().to_owned(), op.path().to_owned())];
        assert_eq!(op.tags(), [tag], "{}", op.id());
        assert!(op.success_response().is_some(), "{} has a success", op.id());
    }
}

#[test]
fn every_operation_names_the_client_it_comes_from() {
    let doc = raw();
    assert!(doc["x-pi-supplement"].is_string());
    let expected = expected();
    for ((method, path), operation) in raw_operations(&doc) {
        let (_, source) = expected[&(method.clone(), path.clone())];
        assert_eq!(
            operation["x-pi-source"], source,
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
    let source = &sources[SOURCE];
    assert_eq!(source["package"], "prime-sandboxes");
    assert_eq!(source["version"], "0.5.1");
    let prime = &sources[PRIME];
    assert_eq!(prime["package"], "prime");
    assert_eq!(prime["version"], "0.18.0");
    let evals = &sources[EVALS];
    assert_eq!(evals["package"], "prime-evals");
    assert_eq!(evals["version"], "0.2.4");
    let traces = &sources[TRACES_SOURCE];
    assert_eq!(traces["package"], "prime-traces");
    assert_eq!(traces["version"], "0.0.10");
    for source in [source, prime, evals, traces] {
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
    // Schemas only an amendment refers to (`StartCommand`) are unreachable
    // from the supplement's own paths; the merged contract keeps them.
    let normalized = normalize(&doc).unwrap();
    let amended: BTreeSet<String> = doc["x-pi-amendments"]
        .to_string()
        .split("#/components/schemas/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    let own = schema_names(&doc);
    let kept: BTreeSet<String> = schema_names(&normalized)
        .union(&amended)
        .filter(|name| own.contains(*name))
        .cloned()
        .collect();
    assert_eq!(kept, own);
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

fn patch(path: &str, body: &Value) -> Vec<Violation> {
    spec().validate_request(&HttpRequest::new("PATCH", path).bearer("k").json(body))
}

#[test]
fn the_image_and_training_bodies_carry_the_clients_shapes() {
    let team = json!({"type": "team", "teamId": "t1"});
    let update = json!({"mode": "explicit", "dryRun": false, "updates": [
        {"source": {"owner": team, "name": "app", "tag": "v1"}, "set": {"visibility": "PUBLIC"}},
        {"source": {"reference": "prime/acme/app:v1"}, "set": {"owner": {"type": "personal"}}}
    ]});
    assert_eq!(patch("/api/v1/images", &update), []);
    assert!(!patch("/api/v1/images", &json!({"mode": "search", "updates": []})).is_empty());
    assert!(!patch("/api/v1/images", &json!({"dryRun": true})).is_empty());

    let prepare = "/api/v1/training/runs/prepare";
    assert_eq!(post(prepare, &json!({"mode": "sft", "teamId": null})), []);
    assert!(!post(prepare, &json!({"mode": "dpo", "teamId": null})).is_empty());
    assert_eq!(post("/api/v1/training/runs/r1/resume", &json!({})), []);

    let volume = "/api/v1/training/volumes/data";
    assert_eq!(
        post(
            "/api/v1/training/volumes",
            &json!({"name": "data", "size": "500Gi", "warm": true})
        ),
        []
    );
    assert_eq!(patch(volume, &json!({"size": "1Ti", "teamId": "t1"})), []);
    assert!(!patch(volume, &json!({"teamId": "t1"})).is_empty());
    assert_eq!(
        post(&format!("{volume}/sessions"), &json!({"readOnly": true})),
        []
    );
    let route = format!("{volume}/transfer");
    assert_eq!(
        post(
            &route,
            &json!({"mode": "put", "path": "", "entries": ["a"]})
        ),
        []
    );
    assert!(!post(&route, &json!({"mode": "sync", "path": ""})).is_empty());
    let transfers = format!("{volume}/transfers");
    let credentials = json!({"accessKeyId": "AKIA", "secretAccessKey": "s", "sessionToken": null});
    assert_eq!(
        post(
            &transfers,
            &json!({"direction": "import", "path": "datasets", "url": "s3://b/p", "credentials": credentials})
        ),
        []
    );
    assert!(
        !post(
            &transfers,
            &json!({"direction": "import", "path": "datasets", "url": "s3://b/p"})
        )
        .is_empty()
    );
    let list =
        HttpRequest::new("GET", "/api/v1/training/available-fft-models?team_id=t1").bearer("k");
    assert_eq!(spec().validate_request(&list), []);
}

#[test]
fn the_training_answers_read_like_the_clients_models() {
    let spec = spec();
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let preparation = json!({
        "contract_version": 1, "mode": "rl", "submission_supported": true,
        "runtime": {"repository": "ghcr.io/primeintellect-ai/prime-rl",
            "digest": format!("sha256:{}", "a".repeat(64)),
            "image_commit": sha, "schema_commit": sha, "source_commit": null},
        "schema_install": {"python": "3.12", "requirements": ["prime-rl"], "constraints": []}
    });
    let accepted = [
        ("prepare_training_run", preparation.clone()),
        (
            "pause_training_run",
            json!({"status": "PAUSING", "runId": "r1"}),
        ),
        (
            "resume_training_run",
            json!({"runId": "r2", "tokenValue": "tok", "onDemand": true, "pricePerGpuHour": 2.5}),
        ),
        (
            "list_training_gpu_types",
            json!({"gpuTypes": ["H200_141GB"]}),
        ),
        (
            "list_training_fft_models",
            json!({"models": [{"name": "Qwen/Qwen3-4B", "clusters": [{"clusterId": "c1", "clusterName": "east"}]}],
                "onDemand": [{"gpuType": "H100_80GB", "pricePerGpuHour": 2.0, "availableNow": true}],
                "onDemandBetaAccess": null}),
        ),
        (
            "list_training_volumes",
            json!({"volumes": [{"name": "data", "status": "RUNNING", "clusterId": "c1", "pvcName": "pvc-data", "size": "500Gi"}]}),
        ),
        (
            "route_volume_transfer",
            json!({"via": "r2", "bucket": "b", "prefix": "v/", "secretAccessKey": "s", "leaseId": "l1"}),
        ),
        (
            "get_volume_transfer",
            json!({"id": "x1", "volumeName": "data", "direction": "export", "path": "", "url": "s3://b",
                "status": "running", "progress": {"transferred": "1 GiB", "percentage": 40, "errors": 0}}),
        ),
    ];
    for (operation, body) in &accepted {
        assert_eq!(
            spec.validate_response(operation, 200, body),
            [],
            "{operation}"
        );
    }
    let mut wrong_commit = preparation;
    wrong_commit["runtime"]["image_commit"] = json!("main");
    let refused = [
        ("prepare_training_run", wrong_commit),
        ("pause_training_run", json!({"runId": "r1"})),
        ("resume_training_run", json!({"runId": "r2"})),
        (
            "get_volume_session",
            json!({"id": "s1", "volumeName": "data", "status": "READY"}),
        ),
    ];
    for (operation, body) in &refused {
        assert!(
            !spec.validate_response(operation, 200, body).is_empty(),
            "{operation} refuses {body}"
        );
    }
}

#[test]
fn the_hub_bodies_and_queries_carry_the_clients_limits() {
    let secrets = "/api/v1/environmentshub/env1/secrets";
    assert_eq!(
        post(secrets, &json!({"name": "API_KEY_2", "value": "s"})),
        []
    );
    assert!(!post(secrets, &json!({"name": "api_key", "value": "s"})).is_empty());
    assert!(!post(secrets, &json!({"name": "API_KEY", "value": ""})).is_empty());
    let variables = "/api/v1/environmentshub/env1/variables";
    assert!(!post(variables, &json!({"name": "2X", "value": "v"})).is_empty());
    let inspect = |query: &str| {
        let target = format!("/api/v1/environmentshub/acme/math/@latest/inspect?{query}");
        spec().validate_request(&HttpRequest::new("GET", &target))
    };
    assert_eq!(inspect("max_bytes=500000&path=README.md"), []);
    assert!(!inspect("max_bytes=0").is_empty());
    assert!(!inspect("max_bytes=500001").is_empty());
    let list = HttpRequest::new(
        "GET",
        "/api/v1/environmentshub/?include_teams=true&limit=20&offset=0&sort_by=stars&sort_order=desc&tags=math&tags=code",
    );
    assert_eq!(spec().validate_request(&list), []);
    let wheel = json!({
        "content_hash": "h", "filename": "m-0.1.0-py3-none-any.whl", "sha256": "s", "size": 10,
        "semantic_version": null, "runtime_hint": "VERIFIERS_V1",
        "metadata": {"description": "", "tags": [], "license": {"text": "MIT"}, "dependencies": [],
                     "python_requires": ">=3.8", "original_filename": "m.whl", "requires_dist": []}
    });
    assert_eq!(post("/api/v1/environmentshub/env1/wheels", &wheel), []);
}

#[test]
fn hub_answers_read_like_what_the_client_reads() {
    let spec = spec();
    let accepted = [
        (
            "list_hub_environments",
            json!({"data": [{"owner": {"name": "acme"}, "name": "math", "latest_version": null,
                             "stars": 3, "updated_at": "2026-10-01T00:00:00Z", "tags": ["math"]}],
                   "total_count": 1}),
        ),
        (
            "get_hub_environment_version",
            json!({"data": {"id": "env1", "visibility": "PUBLIC", "semantic_version": "0.1.0",
                            "latest_version": {"semantic_version": null, "content_hash": "abc"},
                            "metadata": {"description": "d"}, "url_dependencies": []}}),
        ),
        (
            "inspect_hub_environment_version",
            json!({"data": {"kind": "directory", "path": "/", "version_id": "v1", "truncated": false,
                            "entries": [{"name": "x.py", "path": "x.py", "is_directory": false, "size": 3}]}}),
        ),
        (
            "list_hub_environment_secrets",
            json!({"data": [{"id": "s1", "name": "K", "source": "environment", "createdAt": "2026-10-01T00:00:00Z"}]}),
        ),
        (
            "create_hub_environment_wheel",
            json!({"data": {"wheel_id": "w1", "upload_url": null}}),
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
        ("list_hub_environments", json!({"data": [{"name": "math"}]})),
        ("resolve_hub_environment", json!({"data": {"id": "env1"}})),
    ];
    for (operation, body) in &refused {
        assert!(
            !spec.validate_response(operation, 200, body).is_empty(),
            "{operation} refuses {body}"
        );
    }
}

fn get(path_and_query: &str) -> Vec<Violation> {
    spec().validate_request(&HttpRequest::new("GET", path_and_query).bearer("k"))
}

#[test]
fn the_prime_groups_carry_the_clis_limits_and_its_ways_of_authenticating() {
    let logs = "/api/v1/rft/runs/r1/logs";
    assert_eq!(get(&format!("{logs}?tail_lines=5000&since_seconds=60")), []);
    assert!(!get(&format!("{logs}?tail_lines=5001")).is_empty());
    assert!(!get(&format!("{logs}?since_seconds=59")).is_empty());
    assert!(!get(&format!("{logs}?since_seconds=86401")).is_empty());
    assert!(!get("/api/v1/rft/runs/r1/env-server-logs").is_empty());
    assert_eq!(get("/api/v1/rft/runs/r1/env-server-logs?env_name=math"), []);
    assert!(!get("/api/v1/rft/runs/r1/samples").is_empty());
    assert!(!get("/api/v1/factory/status").is_empty());
    assert_eq!(get("/api/v1/factory/status?team_id=t1"), []);

    let resize = "/api/v1/slurm-clusters/t1/c1/resize";
    assert_eq!(post(resize, &json!({"numNodes": 1})), []);
    assert!(!post(resize, &json!({"numNodes": 0})).is_empty());
    let members = "/api/v1/slurm-clusters/t1/c1/members";
    assert_eq!(
        post(
            members,
            &json!({"username": "ada", "sshAuthorizedKeys": ["ssh-ed25519 AAAA"]})
        ),
        []
    );
    assert!(!post(members, &json!({"username": "ada"})).is_empty());

    // The challenge is asked for without a key; its status with the
    // challenge's own token as the bearer.
    let generate = HttpRequest::new("POST", "/api/v1/auth_challenge/generate").json(
        &json!({"encryptionPublicKey": "PEM", "limits": {"maxConcurrentSandboxes": 0, "maxTunnelTtlHours": 1}}),
    );
    assert_eq!(spec().validate_request(&generate), []);
    let no_ttl = HttpRequest::new("POST", "/api/v1/auth_challenge/generate")
        .json(&json!({"encryptionPublicKey": "PEM", "limits": {"maxTunnelTtlHours": 0}}));
    assert!(!spec().validate_request(&no_ttl).is_empty());
    let status = HttpRequest::new("GET", "/api/v1/auth_challenge/status?challenge=c");
    assert!(!spec().validate_request(&status).is_empty());
    assert_eq!(spec().validate_request(&status.bearer("status-token")), []);
}

#[test]
fn the_prime_groups_answers_read_like_the_clis_models() {
    let spec = spec();
    let run = json!({
        "id": "r1", "userId": "u1", "status": "RUNNING", "kind": "SHARED_RFT_HOSTED",
        "createdAt": "2026-10-01T00:00:00Z", "updatedAt": "2026-10-01T00:00:01Z",
        "environments": [{"id": "math"}], "runConfig": null
    });
    let accepted = [
        ("list_rft_runs", json!({"runs": [run]})),
        (
            "list_rft_runs",
            json!({"runs": [run], "total": 1, "page": 1, "limit": 20, "total_pages": 1}),
        ),
        ("stop_rft_run", json!({"run": run})),
        (
            "get_rft_run_distributions",
            json!({"chartData": {"histogramData": [{"bin": 0.5, "count": 3}], "other": 1}, "step": 4}),
        ),
        (
            "get_factory_status",
            json!({"schema_version": 1, "as_of": null, "clusters": [{
                "display_name": "c", "allocations": [{"type": "training", "reserved_gpus": 8}],
                "sources": [{"kind": "capacity", "status": "fresh", "observed_at": null}]
            }]}),
        ),
        ("get_auth_challenge_status", json!({"result": null})),
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
            "get_rft_run",
            json!({"run": {"id": "r1", "status": "RUNNING"}}),
        ),
        ("generate_auth_challenge", json!({"challenge": "c"})),
        ("list_slurm_clusters", json!({"clusters": []})),
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
