//! Sandboxes and tunnels behaviour the document cannot state: waiting until a
//! sandbox runs, deleting it through a guard on every path, retrying a create
//! only when it carries an idempotency key, walking every page of the list,
//! and refusing input that breaks a rule before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{client, query_pairs, quick_client, team_client};
use futures::TryStreamExt;
use pi_client::types::{GpuType, SandboxStatus};
use pi_client::{Client, Error, WaitPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn sandbox(id: &str, status: &str) -> Value {
    json!({
        "id": id, "name": "scratch", "dockerImage": "python:3.12-slim", "status": status,
        "cpuCores": 1.0, "memoryGB": 2.0, "diskSizeGB": 10.0, "diskMountPath": "/workspace",
        "gpuCount": 0, "networkAccess": true, "timeoutMinutes": 60,
        "advancedConfigs": null, "environmentVars": null, "kubernetesJobId": null,
        "startCommand": null, "startedAt": null, "terminatedAt": null,
        "teamId": null, "userId": "user_1",
        "createdAt": "2026-01-15T10:30:00Z", "updatedAt": "2026-01-15T10:30:00Z"
    })
}

fn deleted() -> Value {
    json!({"success": true, "message": "deleted"})
}

fn quick() -> WaitPolicy {
    WaitPolicy::default().pauses(Duration::from_millis(1), Duration::from_millis(5))
}

/// A server that creates `sb_1` and deletes it, answering nothing else.
async fn create_and_delete_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sandbox"))
        .respond_with(ResponseTemplate::new(201).set_body_json(sandbox("sb_1", "PENDING")))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/sandbox/sb_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(deleted()))
        .mount(&server)
        .await;
    server
}

/// The `(method, path)` of every request `server` received, in order.
async fn calls(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| (request.method.to_string(), request.url.path().to_owned()))
        .collect()
}

fn delete_of(id: &str) -> (String, String) {
    ("DELETE".to_owned(), format!("/api/v1/sandbox/{id}"))
}

/// Waits (briefly) until `server` has received a DELETE of `id`, which a
/// dropped guard sends from a spawned task.
async fn until_deleted(server: &MockServer, id: &str) {
    for _ in 0..200 {
        if calls(server).await.contains(&delete_of(id)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("no DELETE of {id} arrived: {:?}", calls(server).await);
}

/// A server whose reads of `sb_1` give each answer the number of times
/// paired with it, in turn, then `RUNNING` for good.
async fn reads_then_running(answers: impl IntoIterator<Item = (Value, u64)>) -> MockServer {
    let server = MockServer::start().await;
    for (answer, times) in answers {
        Mock::given(method("GET"))
            .and(path("/api/v1/sandbox/sb_1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .up_to_n_times(times)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/v1/sandbox/sb_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(sandbox("sb_1", "RUNNING")))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn waiting_polls_until_the_sandbox_runs_through_paused_and_unknown_states() {
    let states = ["PENDING", "PROVISIONING", "PAUSED", "RESTORING"];
    let server = reads_then_running(states.map(|state| (sandbox("sb_1", state), 1))).await;
    let running = client(&server)
        .sandboxes()
        .wait_until_running_with("sb_1", &quick())
        .await
        .unwrap();
    assert_eq!(running.status, SandboxStatus::Running);
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn an_errored_or_terminated_sandbox_ends_the_wait_and_the_deadline_times_it_out() {
    for end in ["ERROR", "TERMINATED"] {
        let server =
            common::answering(ResponseTemplate::new(200).set_body_json(sandbox("sb_1", end))).await;
        let error = client(&server)
            .sandboxes()
            .wait_until_running_with("sb_1", &quick())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::WaitEnded { resource: "sandbox", id, state } if id == "sb_1" && state == end),
            "{error:?}"
        );
    }
    let error = staying_past_the_deadline("PROVISIONING").await;
    assert!(
        matches!(&error, Error::WaitTimedOut { state: Some(state), .. } if state == "PROVISIONING"),
        "{error:?}"
    );
}

/// The error of a wait for a sandbox that stays `state`, without an image
/// build, past a short deadline.
async fn staying_past_the_deadline(state: &str) -> Error {
    let server =
        common::answering(ResponseTemplate::new(200).set_body_json(sandbox("sb_1", state))).await;
    client(&server)
        .sandboxes()
        .wait_until_running_with("sb_1", &quick().deadline(Duration::from_millis(40)))
        .await
        .unwrap_err()
}

/// A sandbox `PENDING` while the platform builds its image.
fn building(id: &str) -> Value {
    let mut sandbox = sandbox(id, "PENDING");
    sandbox["pendingImageBuildId"] = json!("build_1");
    sandbox
}

#[tokio::test]
async fn an_image_build_holds_the_deadline_back_until_its_own_budget_runs_out() {
    // Twelve reads while the image builds take longer than the 10 ms
    // deadline; the wait still ends when the sandbox runs.
    let server = reads_then_running([(building("sb_1"), 12)]).await;
    let patient = quick()
        .deadline(Duration::from_millis(10))
        .image_build_deadline(Duration::from_secs(30));
    let running = client(&server)
        .sandboxes()
        .wait_until_running_with("sb_1", &patient)
        .await
        .unwrap();
    assert_eq!(running.status, SandboxStatus::Running);
    assert_eq!(server.received_requests().await.unwrap().len(), 13);

    // A build that outlasts its own budget times the wait out, saying so.
    let server =
        common::answering(ResponseTemplate::new(200).set_body_json(building("sb_1"))).await;
    let short = quick()
        .deadline(Duration::from_secs(30))
        .image_build_deadline(Duration::from_millis(20));
    let error = client(&server)
        .sandboxes()
        .wait_until_running_with("sb_1", &short)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimedOut { state: Some(state), after, .. }
            if state == "PENDING (building its image)" && *after == Duration::from_millis(20)),
        "{error:?}"
    );
    // Without a build the same PENDING counts against the deadline.
    let error = staying_past_the_deadline("PENDING").await;
    assert!(
        matches!(&error, Error::WaitTimedOut { state: Some(state), .. } if state == "PENDING"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_create_with_an_idempotency_key_is_retried_after_a_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(sandbox("sb_1", "PENDING")))
        .mount(&server)
        .await;
    let created = quick_client(&server.uri())
        .sandboxes()
        .create("scratch", "python:3.12-slim")
        .idempotency_key("create-scratch-1")
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, "sb_1");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2, "one retry after the 503");
    for request in &requests {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["idempotency_key"], "create-scratch-1");
        // The document carries the key in the body only.
        assert!(!request.headers.contains_key("idempotency-key"));
    }
}

#[tokio::test]
async fn a_create_without_a_key_is_sent_once_and_its_503_returned() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(sandbox("sb_1", "PENDING")))
        .mount(&server)
        .await;
    let error = quick_client(&server.uri())
        .sandboxes()
        .create("scratch", "python:3.12-slim")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_key_set_on_the_body_directly_also_makes_the_create_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(sandbox("sb_1", "PENDING")))
        .mount(&server)
        .await;
    let sandboxes = quick_client(&server.uri());
    sandboxes
        .sandboxes()
        .create("scratch", "python:3.12-slim")
        .idempotency_key("k-1")
        .send()
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_explicit_guard_delete_sends_one_delete() {
    let server = create_and_delete_server().await;
    let client = client(&server);
    let guard = client
        .sandboxes()
        .create("scratch", "python:3.12-slim")
        .send_guarded()
        .await
        .unwrap();
    assert_eq!(guard.id(), "sb_1");
    let answer = guard.delete().await.unwrap();
    assert!(answer.success);
    // Give a (wrongly) spawned delete the chance to arrive.
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(
        calls(&server).await,
        [
            ("POST".to_owned(), "/api/v1/sandbox".to_owned()),
            delete_of("sb_1")
        ]
    );
}

#[tokio::test]
async fn a_dropped_guard_deletes_its_sandbox_in_the_background() {
    let server = create_and_delete_server().await;
    let client = client(&server);
    let outcome: Result<(), Error> = async {
        let guard = client
            .sandboxes()
            .create("scratch", "python:3.12-slim")
            .send_guarded()
            .await?;
        // An error half-way: the guard is dropped on the way out.
        client.sandboxes().get(guard.id()).send().await?;
        Ok(())
    }
    .await;
    assert!(
        matches!(outcome, Err(Error::NotFound { .. })),
        "{outcome:?}"
    );
    until_deleted(&server, "sb_1").await;
}

#[tokio::test]
async fn a_kept_sandbox_is_not_deleted() {
    let server = create_and_delete_server().await;
    let kept = client(&server)
        .sandboxes()
        .create("scratch", "python:3.12-slim")
        .send_guarded()
        .await
        .unwrap()
        .keep();
    assert_eq!(kept.id, "sb_1");
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(calls(&server).await.len(), 1);
}

#[test]
fn a_guard_dropped_outside_a_runtime_warns_naming_the_sandbox_and_does_not_panic() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (server, guard) = runtime.block_on(async {
        let server = create_and_delete_server().await;
        let guard = client(&server)
            .sandboxes()
            .create("scratch", "python:3.12-slim")
            .send_guarded()
            .await
            .unwrap();
        (server, guard)
    });
    let (logs, _capture) = common::logs::capture();
    drop(guard);
    let text = logs.text();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("sb_1"), "{text}");
    let received = runtime.block_on(calls(&server));
    assert!(!received.contains(&delete_of("sb_1")), "{received:?}");
}

#[tokio::test]
async fn with_sandbox_deletes_after_work_that_succeeds() {
    let server = create_and_delete_server().await;
    let client = client(&server);
    let sandboxes = client.sandboxes();
    let id = sandboxes
        .with_sandbox(
            sandboxes.create("scratch", "python:3.12-slim"),
            |sandbox| async move { Ok::<_, Error>(sandbox.id) },
        )
        .await
        .unwrap();
    assert_eq!(id, "sb_1");
    assert_eq!(calls(&server).await.last(), Some(&delete_of("sb_1")));
}

#[tokio::test]
async fn with_sandbox_deletes_after_work_that_fails_and_returns_its_error() {
    type Failure = Box<dyn std::error::Error + Send + Sync>;
    let server = create_and_delete_server().await;
    let client = client(&server);
    let sandboxes = client.sandboxes();
    let outcome: Result<(), Failure> = sandboxes
        .with_sandbox(
            sandboxes.create("scratch", "python:3.12-slim"),
            |_sandbox| async { Err("the tests in the sandbox failed".into()) },
        )
        .await;
    let error = outcome.unwrap_err();
    assert_eq!(error.to_string(), "the tests in the sandbox failed");
    assert_eq!(calls(&server).await.last(), Some(&delete_of("sb_1")));
}

#[tokio::test]
async fn with_sandbox_runs_no_work_when_the_create_fails() {
    let server = common::answering(ResponseTemplate::new(402)).await;
    let client = client(&server);
    let sandboxes = client.sandboxes();
    let outcome: Result<(), Error> = sandboxes
        .with_sandbox(
            sandboxes.create("scratch", "python:3.12-slim"),
            |_sandbox| async { panic!("the work ran without a sandbox") },
        )
        .await;
    let error = outcome.unwrap_err();
    assert!(matches!(error, Error::PaymentRequired { .. }), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_list_stream_walks_every_page_with_the_same_filters() {
    let server = MockServer::start().await;
    let page = |number: u64, ids: &[&str], has_next: bool| {
        let sandboxes: Vec<Value> = ids.iter().map(|id| sandbox(id, "RUNNING")).collect();
        json!({"sandboxes": sandboxes, "total": 5, "page": number, "per_page": 2, "has_next": has_next})
    };
    for (number, ids, has_next) in [
        (1, &["a", "b"][..], true),
        (2, &["c", "d"][..], true),
        (3, &["e"][..], false),
    ] {
        Mock::given(method("GET"))
            .and(path("/api/v1/sandbox"))
            .and(query_param("page", number.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(number, ids, has_next)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let ids: Vec<String> = team_client(&server)
        .sandboxes()
        .list()
        .status(SandboxStatus::Running)
        .labels(["ci", "gpu"])
        .per_page(2)
        .into_stream()
        .map_ok(|sandbox| sandbox.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let requests = server.received_requests().await.unwrap();
    let second = query_pairs(&requests[1]);
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        second,
        [
            pair("team_id", "team_default"),
            pair("status", "RUNNING"),
            pair("labels", "ci"),
            pair("labels", "gpu"),
            pair("page", "2"),
            pair("per_page", "2"),
        ]
    );
}

/// Asserts that `outcome` is an `InvalidInput` for `field` and that nothing
/// reached `server`.
async fn refused<T: std::fmt::Debug>(server: &MockServer, outcome: Result<T, Error>, field: &str) {
    assert!(
        matches!(&outcome, Err(Error::InvalidInput(e)) if e.field() == field),
        "{field}: {outcome:?}"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "{field}: something was sent"
    );
}

#[tokio::test]
async fn input_that_breaks_a_rule_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client: Client = client(&server);
    let sandboxes = client.sandboxes();
    let create = || sandboxes.create("scratch", "python:3.12-slim");
    refused(&server, create().cpu_cores(0.05).send().await, "cpu_cores").await;
    refused(&server, create().cpu_cores(16.5).send().await, "cpu_cores").await;
    refused(&server, create().memory_gb(64.1).send().await, "memory_gb").await;
    refused(
        &server,
        create().disk_size_gb(0.0).send().await,
        "disk_size_gb",
    )
    .await;
    refused(
        &server,
        create().disk_size_gb(1000.5).send().await,
        "disk_size_gb",
    )
    .await;
    refused(
        &server,
        create()
            .gpu_count(9)
            .gpu_type(GpuType::H100_80gb)
            .send()
            .await,
        "gpu_count",
    )
    .await;
    refused(
        &server,
        create()
            .gpu_count(1)
            .gpu_type(GpuType::from("TPU_V9"))
            .send()
            .await,
        "gpu_type",
    )
    .await;
    refused(
        &server,
        create().timeout_minutes(0).send().await,
        "timeout_minutes",
    )
    .await;
    refused(
        &server,
        create().timeout_minutes(1441).send().await,
        "timeout_minutes",
    )
    .await;
    refused(
        &server,
        create().idempotency_key("").send().await,
        "idempotency_key",
    )
    .await;
    let long_key = "k".repeat(129);
    refused(
        &server,
        create().idempotency_key(long_key).send().await,
        "idempotency_key",
    )
    .await;
    refused(
        &server,
        sandboxes.create("", "python:3.12-slim").send().await,
        "name",
    )
    .await;
    let long_name = "n".repeat(101);
    refused(
        &server,
        sandboxes.create(long_name, "python:3.12-slim").send().await,
        "name",
    )
    .await;
    refused(
        &server,
        sandboxes.create("scratch", "").send().await,
        "docker_image",
    )
    .await;
    let guarded = create().idempotency_key("").send_guarded().await;
    refused(
        &server,
        guarded.map(pi_client::sandboxes::SandboxGuard::keep),
        "idempotency_key",
    )
    .await;

    refused(
        &server,
        sandboxes.expose_port("sb_1", 21).send().await,
        "port",
    )
    .await;
    refused(
        &server,
        sandboxes.expose_port("sb_1", 9001).send().await,
        "port",
    )
    .await;
    let long = "p".repeat(51);
    refused(
        &server,
        sandboxes.expose_port("sb_1", 8000).name(long).send().await,
        "name",
    )
    .await;
    refused(
        &server,
        sandboxes
            .bulk_delete()
            .sandbox_ids(Vec::<String>::new())
            .send()
            .await,
        "sandbox_ids",
    )
    .await;
    refused(&server, sandboxes.get("..").send().await, "sandbox_id").await;

    refused(&server, sandboxes.list().page(0).send().await, "page").await;
    refused(
        &server,
        sandboxes.list().per_page(0).send().await,
        "per_page",
    )
    .await;
    refused(
        &server,
        sandboxes.list().per_page(1001).send().await,
        "per_page",
    )
    .await;
    let unknown = sandboxes.list().status(SandboxStatus::from("NAPPING"));
    refused(&server, unknown.send().await, "status").await;
    let streamed: Result<Vec<_>, Error> =
        sandboxes.list().page(0).into_stream().try_collect().await;
    refused(&server, streamed, "page").await;

    let tunnels = client.tunnels();
    refused(
        &server,
        tunnels.create().local_port(0).send().await,
        "local_port",
    )
    .await;
    refused(&server, tunnels.create().name("").send().await, "name").await;
    refused(
        &server,
        tunnels.create().name("t".repeat(65)).send().await,
        "name",
    )
    .await;
    refused(
        &server,
        tunnels.bulk_delete(Vec::<String>::new()).send().await,
        "tunnel_ids",
    )
    .await;
}
