//! Pods behaviour the document cannot state: waiting until a pod runs, and
//! where the team of a create travels.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{client, single_request, team_client};
use pi_client::{Error, WaitPolicy};
use pi_types::{GpuSocket, GpuType, PodSpec, Provider, ProviderType};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn pod(status: &str) -> Value {
    json!({
        "id": "pod_1", "name": "trainer", "gpuCount": 1, "gpuName": "H100_80GB", "priceHr": 2.5,
        "providerType": "runpod", "socket": "SXM5", "userId": "user_1", "status": status
    })
}

fn quick() -> WaitPolicy {
    WaitPolicy::default().pauses(Duration::from_millis(1), Duration::from_millis(5))
}

/// Answers the pod's GET with each status in turn, the last one for good.
async fn pod_going_through(states: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    let (last, earlier) = states.split_last().unwrap();
    for state in earlier {
        Mock::given(method("GET"))
            .and(path("/api/v1/pods/pod_1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(pod(state)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/v1/pods/pod_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pod(last)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn waiting_polls_until_the_pod_is_active() {
    let server = pod_going_through(&["PROVISIONING", "PENDING", "SOMETHING_NEW", "ACTIVE"]).await;
    let running = client(&server)
        .pods()
        .wait_until_running_with("pod_1", &quick())
        .await
        .unwrap();
    assert_eq!(
        running.status.map(|s| s.to_string()).as_deref(),
        Some("ACTIVE")
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_pod_that_fails_ends_the_wait_naming_its_state() {
    let server = pod_going_through(&["PROVISIONING", "ERROR"]).await;
    let error = client(&server)
        .pods()
        .wait_until_running_with("pod_1", &quick())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitEnded { resource: "pod", state, .. } if state == "ERROR"),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_deadline_ends_the_wait_with_the_last_state() {
    let server = pod_going_through(&["PROVISIONING"]).await;
    let error = client(&server)
        .pods()
        .wait_until_running_with("pod_1", &quick().deadline(Duration::from_millis(40)))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimedOut { state: Some(state), .. } if state == "PROVISIONING"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("WaitPolicy::deadline"),
        "{error}"
    );
}

#[tokio::test]
async fn a_create_carries_the_team_in_its_team_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pod("PROVISIONING")))
        .mount(&server)
        .await;
    let spec = PodSpec::new("cloud_1", GpuType::H100_80gb, 1, GpuSocket::Sxm5);
    team_client(&server)
        .pods()
        .create(spec, Provider::new(ProviderType::Runpod))
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&single_request(&server).await.body).unwrap();
    assert_eq!(body["team"], json!({"teamId": "team_default"}));
    assert_eq!(body["pod"]["gpuType"], "H100_80GB");
}

#[tokio::test]
async fn a_pod_spec_that_breaks_a_rule_is_refused_before_sending() {
    let server = MockServer::start().await;
    let spec = PodSpec::new("cloud_1", GpuType::H100_80gb, 0, GpuSocket::Sxm5);
    let error = client(&server)
        .pods()
        .create(spec, Provider::new(ProviderType::Runpod))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(e) if e.field() == "pod.gpuCount"),
        "{error:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_wait_tells_its_hook_each_state_change_and_the_one_before() {
    let server = pod_going_through(&["PROVISIONING", "PROVISIONING", "PENDING", "ACTIVE"]).await;
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let policy = quick().on_progress({
        let heard = std::sync::Arc::clone(&heard);
        move |change: &pi_client::wait::WaitProgress| {
            heard
                .lock()
                .unwrap()
                .push((change.state.clone(), change.previous.clone()));
        }
    });
    client(&server)
        .pods()
        .wait_until_running_with("pod_1", &policy)
        .await
        .unwrap();

    let changes = |pairs: &[(&str, Option<&str>)]| -> Vec<(String, Option<String>)> {
        pairs
            .iter()
            .map(|(state, previous)| ((*state).to_owned(), previous.map(str::to_owned)))
            .collect()
    };
    assert_eq!(
        *heard.lock().unwrap(),
        changes(&[
            ("PROVISIONING", None),
            ("PENDING", Some("PROVISIONING")),
            ("ACTIVE", Some("PENDING")),
        ])
    );
}

/// `Pod.id` is a plain `String` (`always_present` in spec/codegen.toml): a
/// pod without one, alone or in a list, is `Error::MissingData` naming the
/// operation and where the id is missing, not a decode error.
#[tokio::test]
async fn a_pod_without_its_id_is_missing_data_naming_the_field() {
    let mut lacking = pod("ACTIVE");
    lacking.as_object_mut().unwrap().remove("id");
    let mut null = pod("ACTIVE");
    null["id"] = Value::Null;
    for (body, missing) in [(lacking.clone(), "id"), (null, "id")] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
        let error = client(&server)
            .pods()
            .get("pod_1")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::MissingData { ref operation, ref missing, .. }
                    if operation == "GET /api/v1/pods/{pod_id}" && missing == "id"
            ),
            "{missing}: {error:?}"
        );
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total_count": 2, "offset": 0, "limit": 2, "data": [pod("ACTIVE"), lacking]
        })))
        .mount(&server)
        .await;
    let error = client(&server).pods().list().send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::MissingData { ref operation, ref missing, .. }
                if operation == "GET /api/v1/pods/" && missing == "data[1].id"
        ),
        "{error:?}"
    );
}
