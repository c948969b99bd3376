//! The supplement's amendments (`x-pi-amendments` in
//! `spec/supplement/openapi.json`): places of the published document where
//! the official clients' shape wins. Each names a place of the vendored
//! document, records exactly the value it replaces there, says which client
//! it comes from (a source the lock knows), and the merged contract both
//! applies it and lists it; the amended contract then reads what the
//! official client reads and refuses what the published document alone
//! would have let through.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;

use pi_contract::supplement::{AMENDMENTS, REPLACES, SOURCE, amended_places, merge};
use pi_contract::{HttpRequest, Spec};
use serde_json::{Value, json};

const DOCUMENT: &[u8] = include_bytes!("../../../spec/supplement/openapi.json");
const LOCK: &[u8] = include_bytes!("../../../spec/supplement/supplement.lock");

fn supplement() -> Value {
    serde_json::from_slice(DOCUMENT).unwrap()
}

fn published() -> Value {
    Spec::vendored().document().clone()
}

fn amendments() -> Vec<Value> {
    supplement()[AMENDMENTS].as_array().unwrap().clone()
}

#[test]
fn every_amendment_replaces_exactly_what_the_vendored_document_has() {
    let published = published();
    let lock: Value = serde_json::from_slice(LOCK).unwrap();
    let sources = lock["sources"].as_object().unwrap();
    let mut places = BTreeSet::new();
    for amendment in amendments() {
        let place = amendment["place"].as_str().unwrap();
        assert!(places.insert(place.to_owned()), "{place} is amended twice");
        let source = amendment[SOURCE].as_str().unwrap();
        assert!(
            sources.contains_key(source),
            "{place}: the source {source} is not in supplement.lock"
        );
        match (published.pointer(place), amendment.get(REPLACES)) {
            (Some(now), Some(replaces)) => assert_eq!(now, replaces, "{place}"),
            (None, None) => {
                let parent = place.rsplit_once('/').unwrap().0;
                assert!(
                    published.pointer(parent).is_some_and(Value::is_object),
                    "{place}: nothing to add it to"
                );
            }
            (now, replaces) => {
                panic!("{place}: the document has {now:?}, the amendment replaces {replaces:?}")
            }
        }
        assert_ne!(
            published.pointer(place),
            Some(&amendment["value"]),
            "{place}: the amendment changes nothing"
        );
    }
    assert_eq!(lock["amendments"], places.len());
}

#[test]
fn the_contract_applies_and_lists_every_amendment_and_none_is_overtaken() {
    let merged = merge(&published(), &supplement()).unwrap();
    assert!(merged.overtaken.is_empty(), "{:?}", merged.overtaken);
    assert_eq!(merged.amended.len(), amendments().len());
    let contract = Spec::contract();
    let listed = amended_places(contract.document());
    assert_eq!(listed, merged.amended);
    for amendment in &listed {
        let applied = contract.document().pointer(&amendment.place);
        assert!(
            applied.is_some(),
            "{} is not in the contract",
            amendment.place
        );
    }
}

/// A sandbox as the API sends it today: the start command an object, and
/// fields the published document lacks.
fn todays_sandbox() -> Value {
    json!({
        "id": "sb_1", "name": "probe", "dockerImage": "python:3.12-slim",
        "startCommand": {"executable": "python", "args": ["-m", "http.server"]},
        "cpuCores": 1.0, "memoryGB": 2.0, "diskSizeGB": 10.0, "diskMountPath": "/",
        "gpuCount": 0, "networkAccess": true, "status": "RUNNING",
        "timeoutMinutes": 60, "idleTimeoutMinutes": 15,
        "networkAllowlist": ["pypi.org"], "terminationReason": null,
        "createdAt": "2026-10-01T10:00:00Z", "updatedAt": "2026-10-01T10:00:00Z",
        "userId": "user_1", "teamId": null, "advancedConfigs": null,
        "environmentVars": null, "kubernetesJobId": null, "startedAt": null,
        "terminatedAt": null
    })
}

#[test]
fn the_amended_contract_reads_todays_sandbox_which_the_published_one_refuses() {
    let get = |spec: &Spec| {
        let operation = spec
            .find_operation("GET", "/api/v1/sandbox/sb_1")
            .unwrap()
            .id()
            .to_owned();
        spec.validate_response(&operation, 200, &todays_sandbox())
    };
    let published = get(&Spec::vendored());
    assert!(
        published
            .iter()
            .any(|v| v.to_string().contains("startCommand")),
        "the published document takes an object start command: {published:?}"
    );
    let amended = get(&Spec::contract());
    assert!(amended.is_empty(), "{amended:?}");
    // And the SDK's type reads it whole.
    let sandbox: pi_types::Sandbox = serde_json::from_value(todays_sandbox()).unwrap();
    assert_eq!(sandbox.start_command.unwrap().executable, "python");
    assert_eq!(sandbox.idle_timeout_minutes, Some(15));
}

#[test]
fn the_amended_contract_checks_a_create_as_the_client_does() {
    let spec = Spec::contract();
    let create = |body: Value| {
        spec.validate_request(
            &HttpRequest::new("POST", "/api/v1/sandbox")
                .bearer("k")
                .json(&body),
        )
    };
    // A restore names a checkpoint and no image.
    assert!(create(json!({"name": "again", "checkpoint_id": "ckpt_1"})).is_empty());
    // The start command is an object with a non-empty executable.
    let string = create(json!({"name": "a", "docker_image": "alpine", "start_command": "sleep 1"}));
    assert!(!string.is_empty());
    let empty = create(json!({"name": "a", "docker_image": "alpine",
        "start_command": {"executable": ""}}));
    assert!(!empty.is_empty());
    // An idle timeout under a minute is refused.
    let idle = create(json!({"name": "a", "docker_image": "alpine", "idle_timeout_minutes": 0}));
    assert!(
        idle.iter()
            .any(|v| v.to_string().contains("idle_timeout_minutes")),
        "{idle:?}"
    );
}
