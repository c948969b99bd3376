//! The stateful mode through pi-client: what a test creates is there to get,
//! list, change and delete; unknown ids get the documented error; a scripted
//! status sequence drives a waiter; nothing breaks the document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use pi_client::{Client, Error, WaitPolicy};
use pi_contract::ContractServer;
use serde_json::json;

fn client(server: &ContractServer) -> Client {
    Client::builder()
        .api_key("pk_test_stateful")
        .base_url(server.uri())
        .build()
        .unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test]
async fn a_secret_is_created_read_listed_updated_and_deleted() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let secrets = client.secrets();

    let created = secrets
        .create("HF_TOKEN", "hf_value")
        .description("for the model hub")
        .send()
        .await
        .unwrap()
        .expect("the create answers with the secret");
    assert_eq!(created.name, "HF_TOKEN");
    assert_eq!(created.description.as_deref(), Some("for the model hub"));

    let got = secrets.get(&created.id).await.unwrap().expect("stored");
    assert_eq!(
        (got.id.as_str(), got.name.as_str()),
        (created.id.as_str(), "HF_TOKEN")
    );

    secrets.create("OTHER", "v").send().await.unwrap();
    let page = secrets.list().send().await.unwrap();
    assert_eq!(page.total_count, 2);
    let names: Vec<&str> = page.data.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"HF_TOKEN") && names.contains(&"OTHER"),
        "{names:?}"
    );
    let first = secrets.list().limit(1).send().await.unwrap();
    assert_eq!((first.total_count, first.data.len()), (2, 1));

    let updated = secrets
        .update(&created.id)
        .name("HF_TOKEN_2")
        .send()
        .await
        .unwrap()
        .expect("the update answers with the secret");
    assert_eq!(updated.name, "HF_TOKEN_2");
    let got = secrets.get(&created.id).await.unwrap().expect("stored");
    assert_eq!(got.name, "HF_TOKEN_2");

    secrets.delete(&created.id).await.unwrap();
    assert_eq!(server.stored("/api/v1/secrets/").len(), 1);
    let gone = secrets.get(&created.id).await;
    assert!(
        matches!(gone, Err(Error::Validation { .. }) | Ok(None)),
        "{gone:?}"
    );

    server.assert_no_violations();
    for received in server.received_requests() {
        assert!(received.violations.is_empty(), "{received:?}");
    }
}

#[tokio::test]
async fn a_pod_waiter_follows_a_scripted_status_sequence() {
    let server = ContractServer::stateful().await;
    let id = server.seed(
        "/api/v1/pods/",
        json!({"id": "pod-1", "status": "PROVISIONING"}),
    );
    assert_eq!(id, "pod-1");
    server.script(
        "/api/v1/pods/",
        &id,
        [
            json!({"status": "PROVISIONING"}),
            json!({"status": "PROVISIONING"}),
            json!({"status": "ACTIVE"}),
        ],
    );
    let client = client(&server);
    let pod = client
        .pods()
        .wait_until_running_with(&id, &WaitPolicy::default().pauses(ms(1), ms(5)))
        .await
        .unwrap();
    assert_eq!(pod.id.as_deref(), Some("pod-1"));
    let polls = server
        .received_requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods/pod-1")
        .count();
    assert_eq!(polls, 3);
    server.assert_no_violations();
}

#[tokio::test]
async fn an_unknown_pod_gets_the_documented_error() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let missing = client.pods().get("no-such-pod").await;
    assert!(missing.is_err(), "{missing:?}");
    server.assert_no_violations();
}

#[tokio::test]
async fn a_sandbox_is_created_read_listed_and_deleted_and_its_waiter_follows_a_script() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let sandboxes = client.sandboxes();
    let created = sandboxes
        .create("python:3.12", "worker")
        .send()
        .await
        .unwrap();
    assert_eq!(created.name, "worker");
    let got = sandboxes.get(&created.id).await.unwrap();
    assert_eq!(got.id, created.id);
    let page = sandboxes.list().send().await.unwrap();
    assert_eq!(page.sandboxes.len(), 1);

    server.script(
        "/api/v1/sandbox",
        &created.id,
        [
            json!({"status": "PROVISIONING"}),
            json!({"status": "RUNNING"}),
        ],
    );
    let running = sandboxes
        .wait_until_running_with(&created.id, &WaitPolicy::default().pauses(ms(1), ms(5)))
        .await
        .unwrap();
    assert_eq!(running.id, created.id);

    sandboxes.delete(&created.id).await.unwrap();
    assert!(server.stored("/api/v1/sandbox").is_empty());
    assert!(sandboxes.get(&created.id).await.is_err());
    server.assert_no_violations();
}

#[tokio::test]
async fn an_ssh_key_is_uploaded_listed_made_primary_and_deleted() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let keys = client.ssh_keys();
    let key = keys
        .upload("laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG laptop")
        .await
        .unwrap();
    assert_eq!(key.name, "laptop");
    let page = keys.list().send().await.unwrap();
    assert_eq!(page.data.len(), 1);
    keys.set_primary(&key.id).await.unwrap();
    keys.delete(&key.id).await.unwrap();
    assert!(keys.list().send().await.unwrap().data.is_empty());
    server.assert_no_violations();
}

#[tokio::test]
async fn a_seeded_disk_is_read_listed_renamed_waited_for_and_deleted() {
    let server = ContractServer::stateful().await;
    let id = server.seed("/api/v1/disks/", json!({"id": "disk-1", "name": "data"}));
    server.script(
        "/api/v1/disks/",
        &id,
        [
            json!({"status": "PROVISIONING"}),
            json!({"status": "ACTIVE"}),
        ],
    );
    let client = client(&server);
    let disks = client.disks();
    let page = disks.list().send().await.unwrap();
    assert_eq!(page.data.len(), 1);
    disks.update(&id, "renamed").await.unwrap();
    assert_eq!(server.stored("/api/v1/disks/")[0]["name"], "renamed");
    disks
        .wait_until_ready_with(&id, &WaitPolicy::default().pauses(ms(1), ms(5)))
        .await
        .unwrap();
    disks.delete(&id).await.unwrap();
    assert!(disks.get(&id).await.is_err());
    server.assert_no_violations();
}

#[tokio::test]
async fn a_tunnel_is_created_read_listed_and_deleted() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let tunnels = client.tunnels();
    let created = tunnels.create().name("web").send().await.unwrap();
    let got = tunnels.get(&created.tunnel_id).await.unwrap();
    assert_eq!(got.tunnel_id, created.tunnel_id);
    assert_eq!(got.hostname, created.hostname);
    let listed = tunnels.list().await.unwrap().tunnels.unwrap_or_default();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].tunnel_id, created.tunnel_id);
    tunnels.delete(&created.tunnel_id).await.unwrap();
    assert!(
        tunnels
            .list()
            .await
            .unwrap()
            .tunnels
            .unwrap_or_default()
            .is_empty()
    );
    assert!(tunnels.get(&created.tunnel_id).await.is_err());
    server.assert_no_violations();
}

#[tokio::test]
async fn an_evaluation_is_created_read_listed_updated_and_deleted() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let evaluations = client.evaluations();
    let created = evaluations.create("gsm8k-run").send().await.unwrap();
    assert_eq!(created.name, "gsm8k-run");
    let got = evaluations.get(&created.evaluation_id).await.unwrap();
    assert_eq!(
        (got.evaluation_id.as_str(), got.name.as_str()),
        (created.evaluation_id.as_str(), "gsm8k-run")
    );
    let page = evaluations.list().send().await.unwrap();
    assert_eq!(page.evaluations.len(), 1);
    let updated = evaluations
        .update(&created.evaluation_id)
        .name("renamed")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name, "renamed");
    assert_eq!(
        evaluations.get(&created.evaluation_id).await.unwrap().name,
        "renamed"
    );
    evaluations.delete(&created.evaluation_id).await.unwrap();
    assert!(evaluations.get(&created.evaluation_id).await.is_err());
    server.assert_no_violations();
}

#[tokio::test]
async fn a_list_keeps_only_what_its_filter_asks_for() {
    let server = ContractServer::stateful().await;
    server.seed(
        "/api/v1/sandbox",
        json!({"id": "sb-1", "status": "RUNNING"}),
    );
    server.seed(
        "/api/v1/sandbox",
        json!({"id": "sb-2", "status": "PENDING"}),
    );
    let client = client(&server);
    let running = client
        .sandboxes()
        .list()
        .status(pi_types::SandboxStatus::Running)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = running.sandboxes.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["sb-1"]);
    assert_eq!(running.total, 1);
    server.assert_no_violations();
}
