//! The stateful mode through pi-client: what a test creates is there to get,
//! list, change and delete; unknown ids get the documented error; a scripted
//! status sequence drives a waiter; nothing breaks the document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use pi_client::{Client, Error, WaitPolicy};
use pi_contract::{ContractServer, SetupError};
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
        .unwrap();
    assert_eq!(created.name, "HF_TOKEN");
    assert_eq!(created.description.as_deref(), Some("for the model hub"));

    let got = secrets.get(&created.id).send().await.unwrap();
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
        .unwrap();
    assert_eq!(updated.name, "HF_TOKEN_2");
    // The server owns the time of the last change; the creation stays.
    assert_ne!(updated.updated_at, created.updated_at);
    assert_eq!(updated.created_at, created.created_at);
    let got = secrets.get(&created.id).send().await.unwrap();
    assert_eq!(got.name, "HF_TOKEN_2");

    secrets.delete(&created.id).send().await.unwrap();
    assert_eq!(server.stored("/api/v1/secrets/").unwrap().len(), 1);
    // The API answers 404 with its `detail` for an id it does not hold,
    // although the document lists only 422 for this operation.
    let gone = secrets.get(&created.id).send().await;
    match gone {
        Err(Error::NotFound {
            message,
            suspect_base_url,
        }) => {
            assert_eq!(message.as_deref(), Some("Secret not found"));
            // The API's own 404 body for an id: the base URL is not suspect.
            assert_eq!(suspect_base_url, None);
        }
        other => panic!("expected NotFound, got {other:?}"),
    }

    server.assert_no_violations();
    for received in server.received_requests() {
        assert!(received.violations.is_empty(), "{received:?}");
    }
}

#[tokio::test]
async fn a_pod_waiter_follows_a_scripted_status_sequence() {
    let server = ContractServer::stateful().await;
    let id = server
        .seed(
            "/api/v1/pods/",
            json!({"id": "pod-1", "status": "PROVISIONING"}),
        )
        .unwrap();
    assert_eq!(id, "pod-1");
    server
        .script(
            "/api/v1/pods/",
            &id,
            [
                json!({"status": "PROVISIONING"}),
                json!({"status": "PROVISIONING"}),
                json!({"status": "ACTIVE"}),
            ],
        )
        .unwrap();
    let client = client(&server);
    let pod = client
        .pods()
        .wait_until_running_with(&id, &WaitPolicy::default().pauses(ms(1), ms(5)))
        .await
        .unwrap();
    assert_eq!(pod.id, "pod-1");
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
    let missing = client.pods().get("no-such-pod").send().await;
    assert!(missing.is_err(), "{missing:?}");
    server.assert_no_violations();
}

#[tokio::test]
async fn a_sandbox_is_created_read_listed_and_deleted_and_its_waiter_follows_a_script() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let sandboxes = client.sandboxes();
    let created = sandboxes
        .create("worker", "python:3.12")
        .send()
        .await
        .unwrap();
    assert_eq!(created.name, "worker");
    let got = sandboxes.get(&created.id).send().await.unwrap();
    assert_eq!(got.id, created.id);
    let page = sandboxes.list().send().await.unwrap();
    assert_eq!(page.sandboxes.len(), 1);

    server
        .script(
            "/api/v1/sandbox",
            &created.id,
            [
                json!({"status": "PROVISIONING"}),
                json!({"status": "RUNNING"}),
            ],
        )
        .unwrap();
    let running = sandboxes
        .wait_until_running_with(&created.id, &WaitPolicy::default().pauses(ms(1), ms(5)))
        .await
        .unwrap();
    assert_eq!(running.id, created.id);

    sandboxes.delete(&created.id).send().await.unwrap();
    assert!(server.stored("/api/v1/sandbox").unwrap().is_empty());
    assert!(sandboxes.get(&created.id).send().await.is_err());
    server.assert_no_violations();
}

#[tokio::test]
async fn an_ssh_key_is_uploaded_listed_made_primary_and_deleted() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let keys = client.ssh_keys();
    let key = keys
        .upload("laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG laptop")
        .send()
        .await
        .unwrap();
    assert_eq!(key.name, "laptop");
    let page = keys.list().send().await.unwrap();
    assert_eq!(page.data.len(), 1);
    keys.set_primary(&key.id).send().await.unwrap();
    keys.delete(&key.id).send().await.unwrap();
    assert!(keys.list().send().await.unwrap().data.is_empty());
    server.assert_no_violations();
}

#[tokio::test]
async fn a_seeded_disk_is_read_listed_renamed_waited_for_and_deleted() {
    let server = ContractServer::stateful().await;
    let id = server
        .seed("/api/v1/disks/", json!({"id": "disk-1", "name": "data"}))
        .unwrap();
    server
        .script(
            "/api/v1/disks/",
            &id,
            [
                json!({"status": "PROVISIONING"}),
                json!({"status": "ACTIVE"}),
            ],
        )
        .unwrap();
    let client = client(&server);
    let disks = client.disks();
    let page = disks.list().send().await.unwrap();
    assert_eq!(page.data.len(), 1);
    disks.update(&id, "renamed").send().await.unwrap();
    assert_eq!(
        server.stored("/api/v1/disks/").unwrap()[0]["name"],
        "renamed"
    );
    disks
        .wait_until_ready_with(&id, &WaitPolicy::default().pauses(ms(1), ms(5)))
        .await
        .unwrap();
    disks.delete(&id).send().await.unwrap();
    assert!(disks.get(&id).send().await.is_err());
    server.assert_no_violations();
}

#[tokio::test]
async fn a_tunnel_is_created_read_listed_and_deleted() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let tunnels = client.tunnels();
    let created = tunnels.create().name("web").send().await.unwrap();
    let got = tunnels.get(&created.tunnel_id).send().await.unwrap();
    assert_eq!(got.tunnel_id, created.tunnel_id);
    assert_eq!(got.hostname, created.hostname);
    let listed = tunnels
        .list()
        .send()
        .await
        .unwrap()
        .tunnels
        .unwrap_or_default();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].tunnel_id, created.tunnel_id);
    tunnels.delete(&created.tunnel_id).send().await.unwrap();
    assert!(
        tunnels
            .list()
            .send()
            .await
            .unwrap()
            .tunnels
            .unwrap_or_default()
            .is_empty()
    );
    assert!(tunnels.get(&created.tunnel_id).send().await.is_err());
    server.assert_no_violations();
}

#[tokio::test]
async fn an_evaluation_is_created_read_listed_updated_and_deleted() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let evaluations = client.evaluations();
    let created = evaluations.create("gsm8k-run").send().await.unwrap();
    assert_eq!(created.name, "gsm8k-run");
    let got = evaluations
        .get(&created.evaluation_id)
        .send()
        .await
        .unwrap();
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
        evaluations
            .get(&created.evaluation_id)
            .send()
            .await
            .unwrap()
            .name,
        "renamed"
    );
    evaluations
        .delete(&created.evaluation_id)
        .send()
        .await
        .unwrap();
    assert!(
        evaluations
            .get(&created.evaluation_id)
            .send()
            .await
            .is_err()
    );
    server.assert_no_violations();
}

#[tokio::test]
async fn a_list_keeps_only_what_its_filter_asks_for() {
    let server = ContractServer::stateful().await;
    server
        .seed(
            "/api/v1/sandbox",
            json!({"id": "sb-1", "status": "RUNNING"}),
        )
        .unwrap();
    server
        .seed(
            "/api/v1/sandbox",
            json!({"id": "sb-2", "status": "PENDING"}),
        )
        .unwrap();
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

#[tokio::test]
async fn a_created_sandbox_echoes_what_was_sent_and_nothing_made_up() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let created = client
        .sandboxes()
        .create("echo", "python:3.12-slim")
        .cpu_cores(2.0)
        .disk_size_gb(20.0)
        .start_command(pi_types::StartCommand::new("sleep").with_args(vec!["infinity".to_owned()]))
        .idle_timeout_minutes(15)
        .labels(["ci"])
        .send()
        .await
        .unwrap();
    // Sent under its request name, answered under the document's answer name.
    assert_eq!(created.docker_image, "python:3.12-slim");
    assert_eq!(created.name, "echo");
    // The supplement's amendments: the start command as an object, and a
    // field the published document lacks, echoed under the answer's name.
    let start = created.start_command.as_ref().unwrap();
    assert_eq!(start.executable, "sleep");
    assert_eq!(start.args.as_deref(), Some(&["infinity".to_owned()][..]));
    assert_eq!(created.idle_timeout_minutes, Some(15));
    assert!((created.cpu_cores - 2.0).abs() < f64::EPSILON);
    assert!((created.disk_size_gb - 20.0).abs() < f64::EPSILON);
    assert_eq!(created.labels, Some(vec!["ci".to_owned()]));
    // What the server owns is made up; what nobody sent stays empty.
    assert!(created.id.starts_with("sandbox-"), "{}", created.id);
    assert_eq!(created.status, pi_types::SandboxStatus::Pending);
    assert!(created.region.is_none());
    assert!(created.environment_vars.is_none());
    assert!(created.team_id.is_none());

    let raw = server
        .received_requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(raw.status, 201);
    for answer in [
        server.stored("/api/v1/sandbox").unwrap()[0].clone(),
        serde_json::to_value(client.sandboxes().get(&created.id).send().await.unwrap()).unwrap(),
    ] {
        assert_eq!(answer["dockerImage"], "python:3.12-slim");
        assert!(
            answer.get("region").is_none_or(serde_json::Value::is_null),
            "{answer}"
        );
        let text = answer.to_string();
        assert!(!text.contains("\"string\""), "a placeholder in {text}");
    }
    server.assert_no_violations();
}

#[tokio::test]
async fn a_deleted_sandbox_and_what_hangs_under_it_are_not_found() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let sandboxes = client.sandboxes();
    let created = sandboxes
        .create("gone", "python:3.12")
        .send()
        .await
        .unwrap();
    assert!(sandboxes.logs(&created.id).send().await.is_ok());
    sandboxes.delete(&created.id).send().await.unwrap();
    for outcome in [
        sandboxes.get(&created.id).send().await.map(|_| ()),
        sandboxes.logs(&created.id).send().await.map(|_| ()),
    ] {
        match outcome {
            Err(Error::NotFound { message, .. }) => {
                assert_eq!(message.as_deref(), Some("Sandbox not found"));
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
    }
    let last = server.received_requests().pop().unwrap();
    assert_eq!(last.status, 404);
    assert_eq!(
        last.deviation,
        Some(pi_contract::Deviation::UnknownIdNotFound)
    );
    // A 404 the document does not list is the API's answer, not a violation.
    server.assert_no_violations();
}

#[tokio::test]
async fn set_up_mistakes_fail_at_once_naming_the_valid_choices() {
    let server = ContractServer::stateful().await;
    let wrong_collection = server
        .seed("/api/v1/pod/", json!({"status": "ACTIVE"}))
        .unwrap_err();
    assert!(
        matches!(wrong_collection, SetupError::UnknownCollection { .. }),
        "{wrong_collection:?}"
    );
    let message = wrong_collection.to_string();
    assert!(message.contains("/api/v1/pod/"), "{message}");
    assert!(message.contains("/api/v1/pods/"), "{message}");
    assert!(message.contains("/api/v1/sandbox"), "{message}");

    let wrong_field = server
        .seed("/api/v1/sandbox", json!({"docker_image": "python"}))
        .unwrap_err();
    let message = wrong_field.to_string();
    assert!(
        matches!(wrong_field, SetupError::UnknownField { .. }),
        "{message}"
    );
    assert!(message.contains("did you mean dockerImage?"), "{message}");
    assert!(message.contains("memoryGB"), "{message}");

    let wrong_status = server
        .seed("/api/v1/pods/", json!({"status": "RUNNING"}))
        .unwrap_err();
    let message = wrong_status.to_string();
    assert!(
        matches!(wrong_status, SetupError::InvalidValue { .. }),
        "{message}"
    );
    assert!(message.contains("\"RUNNING\""), "{message}");
    assert!(
        message.contains("PROVISIONING, PENDING, ACTIVE, STOPPED, ERROR, DELETING"),
        "{message}"
    );

    let wrong_type = server
        .seed("/api/v1/disks/", json!({"size": "big"}))
        .unwrap_err();
    assert!(
        matches!(wrong_type, SetupError::InvalidValue { .. }),
        "{wrong_type}"
    );

    let id = server
        .seed("/api/v1/pods", json!({"status": "PENDING"}))
        .unwrap();
    let wrong_change = server
        .script("/api/v1/pods/", &id, [json!({"status": "UP"})])
        .unwrap_err();
    assert!(
        wrong_change.to_string().contains("ACTIVE"),
        "{wrong_change}"
    );
    let wrong_id = server
        .script("/api/v1/pods/", "pod-9", [json!({"status": "ACTIVE"})])
        .unwrap_err();
    assert!(
        wrong_id.to_string().contains(&id),
        "the message lists what is stored: {wrong_id}"
    );
    let again = server
        .seed("/api/v1/pods/", json!({"id": id, "status": "ACTIVE"}))
        .unwrap_err();
    assert!(matches!(again, SetupError::DuplicateId { .. }), "{again:?}");
    // Nothing was stored by the refused calls.
    assert_eq!(server.stored("/api/v1/pods/").unwrap().len(), 1);
    assert!(server.stored("/api/v1/sandbox").unwrap().is_empty());
    assert!(matches!(
        server.stored("/api/v1/nothing"),
        Err(SetupError::UnknownCollection { .. })
    ));

    let stateless = ContractServer::vendored().await;
    assert_eq!(
        stateless.seed("/api/v1/pods/", json!({})),
        Err(SetupError::Stateless)
    );
}

#[tokio::test]
async fn lists_keep_the_team_and_labels_they_ask_for() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    client.secrets().create("MINE", "v").send().await.unwrap();
    client
        .secrets()
        .create("TEAMS", "v")
        .team("team-a")
        .send()
        .await
        .unwrap();
    let names = |page: pi_types::Page<pi_types::Secret>| -> Vec<String> {
        page.data.into_iter().map(|s| s.name).collect()
    };
    let personal = client.secrets().list().send().await.unwrap();
    assert_eq!(names(personal), ["MINE"]);
    let team = client.secrets().list().team("team-a").send().await.unwrap();
    assert_eq!(names(team), ["TEAMS"]);
    let other = client.secrets().list().team("team-b").send().await.unwrap();
    assert_eq!(other.total_count, 0);

    let sandboxes = client.sandboxes();
    sandboxes
        .create("a", "python:3.12")
        .labels(["ci", "gpu"])
        .send()
        .await
        .unwrap();
    sandboxes
        .create("b", "python:3.12")
        .labels(["ci"])
        .send()
        .await
        .unwrap();
    let both = sandboxes.list().labels(["ci"]).send().await.unwrap();
    assert_eq!(both.total, 2);
    let gpu = sandboxes.list().labels(["ci", "gpu"]).send().await.unwrap();
    let names: Vec<&str> = gpu.sandboxes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a"]);
    server.assert_no_violations();
}

#[tokio::test]
async fn a_collection_whose_id_is_spelt_otherwise_in_its_answer_is_stored_too() {
    // The create answers `runId`; the item path says `{run_id}`.
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let training = client.training();
    let run = training
        .create_run(json!({"model": "m"}))
        .send()
        .await
        .unwrap();
    assert!(run.run_id.starts_with("runs-"), "{}", run.run_id);
    assert_eq!(server.stored("/api/v1/training/runs").unwrap().len(), 1);
    training.delete_run(&run.run_id).send().await.unwrap();
    match training.delete_run(&run.run_id).send().await {
        Err(Error::NotFound { message, .. }) => {
            assert_eq!(message.as_deref(), Some("Run not found"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    server.assert_no_violations();
}

#[tokio::test]
async fn every_collection_seeded_empty_answers_whole_resources_without_placeholders() {
    let server = ContractServer::stateful().await;
    let http = reqwest::Client::new();
    let collections = server.collections();
    assert!(collections.len() >= 8, "{collections:?}");
    for collection in &collections {
        let id = server.seed(collection, json!({})).unwrap();
        let stored = server.stored(collection).unwrap();
        assert_eq!(stored.len(), 1, "{collection}");
        let text = stored[0].to_string();
        assert!(
            !text.contains("\"string\""),
            "{collection}: placeholder in {text}"
        );
        if collection.contains('{') {
            continue; // a sub-collection: its parent would have to exist
        }
        let key = collection.trim_end_matches('/');
        for url in [format!("{key}/{id}"), collection.clone()] {
            if server.spec().find_operation("GET", &url).is_none() {
                continue; // the document has no GET there
            }
            let response = http
                .get(format!("{}{url}", server.uri()))
                .bearer_auth("k")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "GET {url}");
            let text = response.text().await.unwrap();
            assert!(text.contains(&id), "GET {url}: {text}");
            assert!(
                !text.contains("\"string\""),
                "GET {url}: placeholder in {text}"
            );
        }
    }
    server.assert_no_violations();
}
