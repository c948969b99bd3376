//! Waiting for checkpoints to become durable: one batched lookup per round
//! for each 100 checkpoints still on their way, the checkpoints returned in
//! the order asked, and the ends a wait can come to.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use pi_client::{Client, Error, WaitPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BATCH: &str = "/api/v1/sandbox/checkpoints:batchGet";

fn quick() -> WaitPolicy {
    WaitPolicy::default().pauses(Duration::from_millis(1), Duration::from_millis(5))
}

fn checkpoint(id: &str, state: &str) -> Value {
    json!({
        "id": id, "sandbox_id": "sbx_1", "state": state, "depth": 1,
        "docker_image": "python:3.12-slim", "created_at": "2026-12-01T00:00:00Z",
        "updated_at": "2026-12-01T00:00:01Z"
    })
}

/// A lookup that answers each checkpoint with the next of its states (the
/// last one again once they run out), and ids it has no states for as
/// `NOT_FOUND` errors.
async fn lookup(states: &[(&str, &[&str])]) -> MockServer {
    let server = MockServer::start().await;
    let plan: HashMap<String, Vec<String>> = states
        .iter()
        .map(|(id, states)| {
            (
                (*id).to_owned(),
                states.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect();
    let asked: Mutex<HashMap<String, usize>> = Mutex::new(HashMap::new());
    Mock::given(method("POST"))
        .and(path(BATCH))
        .respond_with(move |request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let mut asked = asked.lock().unwrap();
            let mut checkpoints = Vec::new();
            let mut errors = Vec::new();
            for id in body["checkpoint_ids"].as_array().unwrap() {
                let id = id.as_str().unwrap();
                match plan.get(id) {
                    Some(states) => {
                        let round = asked.entry(id.to_owned()).or_default();
                        let state = &states[(*round).min(states.len() - 1)];
                        *round += 1;
                        checkpoints.push(checkpoint(id, state));
                    }
                    None => errors.push(json!({
                        "checkpoint_id": id, "code": "NOT_FOUND", "message": "Checkpoint not found"
                    })),
                }
            }
            ResponseTemplate::new(200)
                .set_body_json(json!({"checkpoints": checkpoints, "errors": errors}))
        })
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .build()
        .unwrap()
}

/// The ids each batched lookup asked for, in order.
async fn asked(server: &MockServer) -> Vec<Vec<String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            body["checkpoint_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn each_round_asks_only_the_checkpoints_not_yet_durable_and_returns_them_in_order() {
    let server = lookup(&[
        ("c1", &["PENDING", "PENDING", "DURABLE"]),
        ("c2", &["DURABLE"]),
    ])
    .await;
    let durable = client(&server)
        .sandboxes()
        .wait_until_checkpoints_durable_with(["c1", "c2", "c1"], &quick())
        .await
        .unwrap();
    let ids: Vec<&str> = durable.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(durable.iter().all(|c| c.state == "DURABLE"));
    assert_eq!(
        asked(&server).await,
        [vec!["c1", "c2"], vec!["c1"], vec!["c1"]]
    );
}

#[tokio::test]
async fn a_round_is_one_lookup_per_hundred_checkpoints() {
    let ids: Vec<String> = (0..150).map(|n| format!("c{n}")).collect();
    let plan: Vec<(&str, &[&str])> = ids
        .iter()
        .map(|id| (id.as_str(), &["PENDING", "DURABLE"][..]))
        .collect();
    let server = lookup(&plan).await;
    let durable = client(&server)
        .sandboxes()
        .wait_until_checkpoints_durable_with(&ids, &quick())
        .await
        .unwrap();
    assert_eq!(durable.len(), 150);
    let sizes: Vec<usize> = asked(&server).await.iter().map(Vec::len).collect();
    assert_eq!(sizes, [100, 50, 100, 50]);
}

#[tokio::test]
async fn one_checkpoint_is_returned_once_durable() {
    let server = lookup(&[("c1", &["PENDING", "DURABLE"])]).await;
    let sandboxes = client(&server);
    let durable = sandboxes
        .sandboxes()
        .wait_until_checkpoint_durable("c1")
        .await
        .unwrap();
    assert_eq!(
        (durable.id.as_str(), durable.state.as_str()),
        ("c1", "DURABLE")
    );
}

#[tokio::test]
async fn a_failed_or_deleted_checkpoint_ends_the_wait_naming_it() {
    for end in ["FAILED", "DELETING"] {
        let server = lookup(&[("c1", &["DURABLE"]), ("c2", &["PENDING", end])]).await;
        let error = client(&server)
            .sandboxes()
            .wait_until_checkpoints_durable_with(["c1", "c2"], &quick())
            .await
            .unwrap_err();
        match error {
            Error::WaitEnded {
                resource,
                id,
                state,
            } => assert_eq!(
                (resource, id.as_str(), state.as_str()),
                ("checkpoint", "c2", end)
            ),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unknown_checkpoint_is_not_found_naming_it() {
    let server = lookup(&[("c1", &["PENDING"])]).await;
    let error = client(&server)
        .sandboxes()
        .wait_until_checkpoints_durable_with(["c1", "gone"], &quick())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert!(error.to_string().contains("checkpoint gone"), "{error}");
    assert_eq!(asked(&server).await.len(), 1);
}

#[tokio::test]
async fn a_checkpoint_still_pending_at_the_deadline_times_the_wait_out() {
    let server = lookup(&[("c1", &["PENDING"])]).await;
    let policy = quick().deadline(Duration::from_millis(30));
    let error = client(&server)
        .sandboxes()
        .wait_until_checkpoints_durable_with(["c1"], &policy)
        .await
        .unwrap_err();
    match error {
        Error::WaitTimedOut {
            resource,
            id,
            state,
            ..
        } => {
            assert_eq!((resource, id.as_str()), ("checkpoint", "c1"));
            assert_eq!(state.as_deref(), Some("PENDING"));
        }
        other => panic!("{other:?}"),
    }
}
