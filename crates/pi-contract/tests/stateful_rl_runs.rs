//! The stateful mock's RL runs through pi-client: a run a test puts in
//! place is read, stopped (`STOPPED`), restarted (`PENDING`), listed a page
//! at a time and deleted; a run it does not hold answers 404, on its own
//! path and under it; nothing breaks the document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use futures::TryStreamExt;
use pi_client::{Client, Error};
use pi_contract::{ContractServer, SetupError};
use serde_json::json;

const RUNS: &str = "/api/v1/rft/runs";

fn client(server: &ContractServer) -> Client {
    Client::builder()
        .api_key("pk_test_rl_runs")
        .base_url(server.uri())
        .build()
        .unwrap()
}

fn assert_not_found<T: std::fmt::Debug>(outcome: Result<T, Error>) {
    match outcome {
        Err(Error::NotFound { message, .. }) => {
            assert_eq!(message.as_deref(), Some("Run not found"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stored_run_is_stopped_and_restarted() {
    let server = ContractServer::stateful().await;
    let id = server
        .seed(
            RUNS,
            json!({"name": "math-rl", "baseModel": "Qwen/Qwen3-4B"}),
        )
        .unwrap();
    let runs = client(&server);
    let runs = runs.rl_runs();

    let got = runs.get(&id).send().await.unwrap().run;
    assert_eq!(got.id, id);
    assert_eq!(got.status, "RUNNING");
    assert_eq!(got.name.as_deref(), Some("math-rl"));
    assert_eq!(got.base_model.as_deref(), Some("Qwen/Qwen3-4B"));

    let stopped = runs.stop(&id).send().await.unwrap().run;
    assert_eq!(stopped.status, "STOPPED");
    assert!(stopped.completed_at.is_some());
    assert_eq!(runs.get(&id).send().await.unwrap().run.status, "STOPPED");
    assert_eq!(server.stored(RUNS).unwrap()[0]["status"], "STOPPED");

    let restarted = runs.restart(&id).send().await.unwrap().run;
    assert_eq!(restarted.status, "PENDING");
    assert!(restarted.completed_at.is_none());
    assert_eq!(restarted.name.as_deref(), Some("math-rl"));
    assert_eq!(runs.get(&id).send().await.unwrap().run.status, "PENDING");

    // The reads the mock does not model still answer for a held run.
    assert!(runs.logs(&id).send().await.is_ok());
    server.assert_no_violations();
}

#[tokio::test]
async fn a_run_not_held_is_not_found_on_its_path_and_under_it() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let runs = client.rl_runs();
    assert_not_found(runs.get("run-missing").send().await);
    assert_not_found(runs.stop("run-missing").send().await);
    assert_not_found(runs.restart("run-missing").send().await);
    assert_not_found(runs.logs("run-missing").send().await);
    assert_not_found(runs.delete("run-missing").send().await);

    let id = server.seed(RUNS, json!({})).unwrap();
    runs.delete(&id).send().await.unwrap();
    assert_not_found(runs.get(&id).send().await);
    assert_not_found(runs.stop(&id).send().await);
    assert!(server.stored(RUNS).unwrap().is_empty());
    let last = server.received_requests().pop().unwrap();
    assert_eq!(last.status, 404);
    assert_eq!(
        last.deviation,
        Some(pi_contract::Deviation::UnknownIdNotFound)
    );
    server.assert_no_violations();
}

#[tokio::test]
async fn the_runs_held_are_listed_a_page_at_a_time_by_team() {
    let server = ContractServer::stateful().await;
    for (id, team) in [
        ("run-a", "team_1"),
        ("run-b", "team_1"),
        ("run-c", "team_2"),
    ] {
        server
            .seed(RUNS, json!({"id": id, "teamId": team}))
            .unwrap();
    }
    let client = client(&server);
    let page = client.rl_runs().list().limit(2).send().await.unwrap();
    assert_eq!(page.total, Some(3));
    assert_eq!(page.runs.unwrap().len(), 2);
    let all: Vec<String> = client
        .rl_runs()
        .list()
        .limit(2)
        .into_stream()
        .map_ok(|run| run.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, ["run-a", "run-b", "run-c"]);
    let team: Vec<String> = client
        .rl_runs()
        .list()
        .team("team_1")
        .into_stream()
        .map_ok(|run| run.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(team, ["run-a", "run-b"]);
    server.assert_no_violations();
}

#[tokio::test]
async fn a_seed_is_checked_against_the_runs_schema() {
    let server = ContractServer::stateful().await;
    assert!(matches!(
        server.seed(RUNS, json!({"state": "RUNNING"})),
        Err(SetupError::UnknownField { ref field, .. }) if field == "state"
    ));
    assert!(matches!(
        server.seed(RUNS, json!({"maxSteps": "many"})),
        Err(SetupError::InvalidValue { ref field, .. }) if field == "maxSteps"
    ));
    assert!(matches!(
        server.seed(RUNS, json!([])),
        Err(SetupError::NotAnObject { .. })
    ));
    server.seed(RUNS, json!({"id": "run-1"})).unwrap();
    assert!(matches!(
        server.seed(RUNS, json!({"id": "run-1"})),
        Err(SetupError::DuplicateId { .. })
    ));
}
