//! The stateful mock keeps the supplement's resources with a lifecycle
//! (LAN networks, volumes, checkpoints) like the published ones, and
//! answers the batched sandbox status and checkpoint lookup from what it
//! holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pi_contract::ContractServer;
use serde_json::{Value, json};

async fn call(
    server: &ContractServer,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", server.uri());
    let mut request = client
        .request(method.parse().unwrap(), url)
        .bearer_auth("test-key");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn sandbox(server: &ContractServer) -> String {
    let (status, body) = call(
        server,
        "POST",
        "/api/v1/sandbox",
        Some(json!({"name": "w", "docker_image": "python:3.12-slim"})),
    )
    .await;
    assert!((200..300).contains(&status), "{body}");
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn batched_status_answers_from_the_stored_sandboxes_with_their_scripted_changes() {
    let server = ContractServer::stateful().await;
    let (first, second) = (sandbox(&server).await, sandbox(&server).await);
    server
        .script("/api/v1/sandbox", &first, [json!({"status": "RUNNING"})])
        .unwrap();
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/sandbox/status:batchGet",
        Some(json!({"sandbox_ids": [first, second, "sb-missing"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let statuses = body["statuses"].as_array().unwrap();
    assert_eq!(statuses.len(), 2);
    assert_eq!(statuses[0]["sandbox_id"], first.as_str());
    assert_eq!(statuses[0]["status"], "RUNNING");
    assert_eq!(body["errors"][0]["sandbox_id"], "sb-missing");
    assert_eq!(body["errors"][0]["code"], "NOT_FOUND");
    server.assert_no_violations();
}

#[tokio::test]
async fn networks_and_volumes_are_kept_listed_and_deleted() {
    let server = ContractServer::stateful().await;
    let (status, network) = call(
        &server,
        "POST",
        "/api/v1/sandbox/networks",
        Some(json!({"name": "lan-a"})),
    )
    .await;
    assert_eq!(status, 200, "{network}");
    assert_eq!(network["name"], "lan-a");
    let id = network["id"].as_str().unwrap();
    let (status, got) = call(
        &server,
        "GET",
        &format!("/api/v1/sandbox/networks/{id}"),
        None,
    )
    .await;
    assert_eq!((status, got["name"].clone()), (200, json!("lan-a")));
    let (_, listed) = call(&server, "GET", "/api/v1/sandbox/networks", None).await;
    assert!(listed.to_string().contains(id), "{listed}");
    let (status, _) = call(
        &server,
        "DELETE",
        &format!("/api/v1/sandbox/networks/{id}"),
        None,
    )
    .await;
    assert!(status < 300);
    let (status, _) = call(
        &server,
        "GET",
        &format!("/api/v1/sandbox/networks/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    let (status, volume) = call(
        &server,
        "POST",
        "/api/v1/sandbox/volumes",
        Some(json!({"name": "datasets"})),
    )
    .await;
    assert_eq!(status, 200, "{volume}");
    let (status, got) = call(&server, "GET", "/api/v1/sandbox/volumes/datasets", None).await;
    assert_eq!(status, 200, "a volume is read by its name: {got}");
    assert_eq!(got["id"], volume["id"]);
    let (status, _) = call(&server, "GET", "/api/v1/sandbox/volumes/other", None).await;
    assert_eq!(status, 404);
    server.assert_no_violations();
}

#[tokio::test]
async fn a_checkpoint_is_listed_under_its_sandbox_and_read_by_its_id() {
    let server = ContractServer::stateful().await;
    let id = sandbox(&server).await;
    let (status, checkpoint) = call(
        &server,
        "POST",
        &format!("/api/v1/sandbox/{id}/checkpoints"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{checkpoint}");
    let checkpoint_id = checkpoint["id"].as_str().unwrap();
    let (_, listed) = call(
        &server,
        "GET",
        &format!("/api/v1/sandbox/{id}/checkpoints"),
        None,
    )
    .await;
    assert!(listed.to_string().contains(checkpoint_id), "{listed}");
    let (status, got) = call(
        &server,
        "GET",
        &format!("/api/v1/sandbox/checkpoints/{checkpoint_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["id"], checkpoint_id);
    server.assert_no_violations();
}

#[tokio::test]
async fn a_checkpoint_waited_for_through_the_batched_lookup_becomes_durable_as_scripted() {
    let server = ContractServer::stateful().await;
    let sandbox_id = sandbox(&server).await;
    let client = pi_client::Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .build()
        .unwrap();
    let sandboxes = client.sandboxes();
    let checkpoint = sandboxes
        .create_checkpoint(&sandbox_id)
        .send()
        .await
        .unwrap();
    server
        .script(
            "/api/v1/sandbox/{sandbox_id}/checkpoints",
            &checkpoint.id,
            [json!({"state": "PENDING"}), json!({"state": "DURABLE"})],
        )
        .unwrap();
    let quick = pi_client::WaitPolicy::default().pauses(
        std::time::Duration::from_millis(1),
        std::time::Duration::from_millis(5),
    );
    let durable = sandboxes
        .wait_until_checkpoints_durable_with([&checkpoint.id], &quick)
        .await
        .unwrap();
    assert_eq!(durable.len(), 1);
    assert_eq!(durable[0].id, checkpoint.id);
    assert_eq!(durable[0].state, "DURABLE");
    // One lookup a round: pending, then durable.
    let lookups = |server: &ContractServer| {
        server
            .received_requests()
            .iter()
            .filter(|r| r.path == "/api/v1/sandbox/checkpoints:batchGet")
            .count()
    };
    assert_eq!(lookups(&server), 2);
    // A checkpoint the mock does not hold is the lookup's NOT_FOUND.
    let error = sandboxes
        .wait_until_checkpoints_durable_with(["ckpt-missing"], &quick)
        .await
        .unwrap_err();
    assert!(
        matches!(error, pi_client::Error::NotFound { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("ckpt-missing"), "{error}");
    assert_eq!(lookups(&server), 3);
    server.assert_no_violations();
}

#[tokio::test]
async fn a_multipart_trace_upload_is_answered_with_a_receipt() {
    let server = ContractServer::stateful().await;
    let body = "--b\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n{\"schema_version\":1}\r\n\
                --b\r\nContent-Disposition: form-data; name=\"traces\"; filename=\"traces.jsonl\"\r\nContent-Type: application/x-ndjson\r\n\r\n{\"trace_id\":\"t1\"}\n\r\n--b--\r\n";
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/traces", server.uri()))
        .bearer_auth("test-key")
        .header("content-type", "multipart/form-data; boundary=b")
        .header("idempotency-key", format!("sha256:{}", "0".repeat(64)))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let receipt: Value = response.json().await.unwrap();
    assert!(
        receipt["upload_id"].is_string() && receipt["status"].is_string(),
        "{receipt}"
    );
    let received = server.received_requests();
    assert_eq!(received[0].violations, [], "the upload keeps the contract");
    assert_eq!(
        received[0].body.as_ref().unwrap()["metadata"]["schema_version"],
        1
    );
}
