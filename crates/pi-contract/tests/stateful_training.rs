//! The stateful mock's training runs through pi-client: a run that was
//! created can be paused, and resuming it starts a new running run that can
//! be paused in turn; pausing or resuming a run the mock does not hold is
//! the API's 404; nothing breaks the document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use pi_client::types::ExposeSecret;
use pi_client::{Client, Error};
use pi_contract::ContractServer;
use serde_json::json;

fn client(server: &ContractServer) -> Client {
    Client::builder()
        .api_key("pk_test_training")
        .base_url(server.uri())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_created_run_pauses_and_resumes_as_a_new_running_run() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let training = client.training();
    let run = training
        .create_run(json!({"max_steps": 10}))
        .personal()
        .send()
        .await
        .unwrap();

    let paused = training.pause_run(&run.run_id).send().await.unwrap();
    assert_eq!(paused.status, "PAUSED");
    // Pausing a paused run leaves it paused.
    let again = training.pause_run(&run.run_id).send().await.unwrap();
    assert_eq!(again.status, "PAUSED");

    let resumed = training
        .resume_run(&run.run_id)
        .gpu_type("H200_141GB")
        .send()
        .await
        .unwrap();
    assert_ne!(resumed.run_id, run.run_id, "a resume is a new run");
    assert_eq!(resumed.gpu_type.as_deref(), Some("H200_141GB"));
    assert!(!resumed.token_value.expose_secret().is_empty());
    let stored = server.stored("/api/v1/training/runs").unwrap();
    let state = |id: &str| {
        stored
            .iter()
            .find(|run| run["runId"] == id)
            .map(|run| run["status"].clone())
    };
    assert_eq!(state(&resumed.run_id), Some(json!("RUNNING")));
    assert_eq!(state(&run.run_id), Some(json!("PAUSED")));

    // The new run is stored: it pauses in turn, and deleting it removes it.
    let paused = training.pause_run(&resumed.run_id).send().await.unwrap();
    assert_eq!(paused.status, "PAUSED");
    training.delete_run(&resumed.run_id).send().await.unwrap();
    match training.pause_run(&resumed.run_id).send().await {
        Err(Error::NotFound { .. }) => {}
        other => panic!("expected NotFound for a deleted run, got {other:?}"),
    }
    server.assert_no_violations();
}

#[tokio::test]
async fn pausing_or_resuming_an_unknown_run_is_not_found() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let training = client.training();
    match training.pause_run("run-missing").send().await {
        Err(Error::NotFound { message, .. }) => {
            assert_eq!(message.as_deref(), Some("Run not found"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    match training.resume_run("run-missing").send().await {
        Err(Error::NotFound { .. }) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    let requests = server.received_requests();
    assert!(requests.iter().all(|request| request.status == 404));
    server.assert_no_violations();
}
