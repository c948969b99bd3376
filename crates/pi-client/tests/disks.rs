//! Disks behaviour the document cannot state: waiting until a disk is ready,
//! and where the team of a create travels.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{client, single_request, team_client};
use pi_client::{Error, WaitPolicy};
use pi_types::{DiskSpec, DiskStatus, Provider, ProviderType};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn disk(status: &str) -> Value {
    json!({
        "id": "disk_1", "name": "datasets", "size": 500, "providerType": "runpod",
        "userId": "user_1", "status": status
    })
}

fn quick() -> WaitPolicy {
    WaitPolicy::default().pauses(Duration::from_millis(1), Duration::from_millis(5))
}

/// Answers the disk's GET with each status in turn, the last one for good.
async fn disk_going_through(states: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    let (last, earlier) = states.split_last().unwrap();
    for state in earlier {
        Mock::given(method("GET"))
            .and(path("/api/v1/disks/disk_1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(disk(state)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/v1/disks/disk_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(disk(last)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn waiting_polls_through_unknown_states_until_the_disk_is_active() {
    let server =
        disk_going_through(&["PROVISIONING", "PENDING", "UNKNOWN", "RESIZING", "ACTIVE"]).await;
    let ready = client(&server)
        .disks()
        .wait_until_ready_with("disk_1", &quick())
        .await
        .unwrap();
    assert_eq!(ready.status, Some(DiskStatus::Active));
    assert_eq!(ready.id, "disk_1");
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn a_disk_without_a_status_yet_is_still_on_its_way() {
    let server = MockServer::start().await;
    let mut bare = disk("ACTIVE");
    bare.as_object_mut().unwrap().remove("status");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bare))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(disk("ACTIVE")))
        .mount(&server)
        .await;
    client(&server)
        .disks()
        .wait_until_ready_with("disk_1", &quick())
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_disk_that_cannot_become_ready_ends_the_wait_naming_its_state() {
    for ended in ["ERROR", "TERMINATED", "DELETING", "STOPPED"] {
        let server = disk_going_through(&["PROVISIONING", ended]).await;
        let error = client(&server)
            .disks()
            .wait_until_ready_with("disk_1", &quick())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::WaitEnded { resource: "disk", id, state } if state == ended && id == "disk_1"),
            "{ended}: {error:?}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn the_deadline_ends_the_wait_with_the_last_state() {
    let server = disk_going_through(&["PROVISIONING", "SOMETHING_NEW"]).await;
    let error = client(&server)
        .disks()
        .wait_until_ready_with("disk_1", &quick().deadline(Duration::from_millis(40)))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimedOut { resource: "disk", state: Some(state), .. } if state == "SOMETHING_NEW"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_failed_look_ends_the_wait_with_its_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "no such disk"})))
        .mount(&server)
        .await;
    let error = client(&server)
        .disks()
        .wait_until_ready_with("disk_1", &quick())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn a_create_carries_the_team_in_its_team_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(disk("PROVISIONING")))
        .mount(&server)
        .await;
    team_client(&server)
        .disks()
        .create(DiskSpec::new(100), Provider::new(ProviderType::Runpod))
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&single_request(&server).await.body).unwrap();
    assert_eq!(body["team"], json!({"teamId": "team_default"}));
    assert_eq!(body["disk"], json!({"size": 100}));
}

#[tokio::test]
async fn a_team_set_on_the_create_is_kept_over_the_handles() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(disk("PROVISIONING")))
        .mount(&server)
        .await;
    team_client(&server)
        .disks()
        .create(DiskSpec::new(100), Provider::new(ProviderType::Runpod))
        .team("team_mine")
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&single_request(&server).await.body).unwrap();
    assert_eq!(body["team"], json!({"teamId": "team_mine"}));
}

#[tokio::test]
async fn a_disk_spec_that_breaks_a_rule_is_refused_before_sending() {
    let server = MockServer::start().await;
    let error = client(&server)
        .disks()
        .create(DiskSpec::new(0), Provider::new(ProviderType::Runpod))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(e) if e.field() == "disk.size"),
        "{error:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
