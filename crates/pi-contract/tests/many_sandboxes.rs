//! Waiting for many sandboxes at once: one batched status request per
//! round for each 100 sandboxes, counted at the stateful mock, and single
//! reads when the API answers the batched call 404 or 405.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use pi_client::wait::WaitPolicy;
use pi_client::{Client, Error};
use pi_contract::{ContractResponse, ContractServer};
use serde_json::json;

const BATCH: &str = "batch_get_sandbox_status";

fn client(server: &ContractServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .build()
        .unwrap()
}

fn quick() -> WaitPolicy {
    WaitPolicy::default().pauses(Duration::from_millis(1), Duration::from_millis(5))
}

/// `count` stored sandboxes, each PROVISIONING at its first read and
/// RUNNING at its second.
fn sandboxes(server: &ContractServer, count: usize) -> Vec<String> {
    (0..count)
        .map(|_| {
            let id = server
                .seed("/api/v1/sandbox", json!({"status": "PENDING"}))
                .unwrap();
            server
                .script(
                    "/api/v1/sandbox",
                    &id,
                    [
                        json!({"status": "PROVISIONING"}),
                        json!({"status": "RUNNING"}),
                    ],
                )
                .unwrap();
            id
        })
        .collect()
}

fn count(server: &ContractServer, method: &str, operation: &str) -> usize {
    server
        .received_requests()
        .iter()
        .filter(|r| r.method == method && r.operation_id.as_deref() == Some(operation))
        .count()
}

const GET_ONE: &str = "get_sandbox_endpoint_api_v1_sandbox__sandbox_id__get";

#[tokio::test]
async fn each_round_is_one_request_per_hundred_sandboxes() {
    let server = ContractServer::stateful().await;
    let ids = sandboxes(&server, 150);
    client(&server)
        .sandboxes()
        .wait_until_all_running_with(&ids, &quick())
        .await
        .unwrap();
    // Two rounds (PROVISIONING, then RUNNING), two requests each.
    assert_eq!(count(&server, "POST", BATCH), 4);
    assert_eq!(count(&server, "GET", GET_ONE), 0);
    let largest = server
        .received_requests()
        .iter()
        .filter_map(|r| r.body.as_ref()?["sandbox_ids"].as_array().map(Vec::len))
        .max();
    assert_eq!(largest, Some(100));
    server.assert_no_violations();
}

#[tokio::test]
async fn an_image_build_holds_back_the_deadline_of_every_sandbox_waited_for() {
    let server = ContractServer::stateful().await;
    let mut ids = sandboxes(&server, 2);
    // A third sandbox waits on its first-use image for ten rounds, longer
    // than the 10 ms deadline, then runs.
    let building = server
        .seed(
            "/api/v1/sandbox",
            json!({"status": "PENDING", "pendingImageBuildId": "build_1"}),
        )
        .unwrap();
    let mut changes = vec![json!({"status": "PENDING"}); 10];
    changes.push(json!({"status": "RUNNING", "pendingImageBuildId": null}));
    server
        .script("/api/v1/sandbox", &building, changes)
        .unwrap();
    ids.push(building);
    let patient = quick()
        .deadline(Duration::from_millis(10))
        .image_build_deadline(Duration::from_secs(30));
    client(&server)
        .sandboxes()
        .wait_until_all_running_with(&ids, &patient)
        .await
        .unwrap();
    // One request a round: eleven rounds for the building sandbox.
    assert_eq!(count(&server, "POST", BATCH), 11);
    server.assert_no_violations();
}

#[tokio::test]
async fn an_api_without_the_batched_call_is_asked_one_sandbox_at_a_time() {
    let server = ContractServer::stateful().await;
    let ids = sandboxes(&server, 20);
    server
        .respond_with(
            BATCH,
            ContractResponse::new(404).json(json!({"detail": "Not Found"})),
        )
        .unwrap();
    client(&server)
        .sandboxes()
        .wait_until_all_running_with(&ids, &quick())
        .await
        .unwrap();
    // Asked once, then never again; each sandbox read once a round.
    assert_eq!(count(&server, "POST", BATCH), 1);
    assert_eq!(count(&server, "GET", GET_ONE), 40);
}

#[tokio::test]
async fn a_sandbox_that_fails_or_is_unknown_ends_the_wait_naming_it() {
    let server = ContractServer::stateful().await;
    let mut ids = sandboxes(&server, 3);
    let failing = server
        .seed("/api/v1/sandbox", json!({"status": "PENDING"}))
        .unwrap();
    server
        .script("/api/v1/sandbox", &failing, [json!({"status": "ERROR"})])
        .unwrap();
    ids.insert(1, failing);
    let error = client(&server)
        .sandboxes()
        .wait_until_all_running_with(&ids, &quick())
        .await
        .unwrap_err();
    match &error {
        Error::WaitEnded { id, state, .. } => assert_eq!((id, state.as_str()), (&ids[1], "ERROR")),
        other => panic!("{other:?}"),
    }
    ids.push("sandbox-unknown".to_owned());
    let error = client(&server)
        .sandboxes()
        .wait_until_all_running_with(&ids[3..], &quick())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::NotFound { message: Some(message), .. } if message.contains("sandbox-unknown")),
        "{error:?}"
    );
}
