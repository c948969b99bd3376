//! The stateful mock's sandbox gateway, driven through pi-client: a
//! sandbox's `auth` call points at the mock itself, commands are answered
//! from scripts and recorded, files are kept per sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pi_client::Client;
use pi_contract::ContractServer;
use pi_contract::gateway::CommandScript;

async fn sandbox(client: &Client) -> String {
    client
        .sandboxes()
        .create("worker", "python:3.12-slim")
        .send()
        .await
        .unwrap()
        .id
}

fn client(server: &ContractServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .build()
        .unwrap()
}

#[tokio::test]
async fn scripted_commands_answer_and_every_command_is_recorded() {
    let server = ContractServer::stateful().await;
    server.on_command(
        "python -V",
        CommandScript::prints("Python 3.12.3\n").with_stderr("note\n"),
    );
    server.on_any_other_command(CommandScript::default().exits(127));
    let client = client(&server);
    let id = sandbox(&client).await;

    let ran = client
        .sandboxes()
        .exec(&id, "python -V")
        .cwd("/srv")
        .env("PYTHONUNBUFFERED", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(ran.stdout_lossy(), "Python 3.12.3\n");
    assert_eq!(ran.stderr, b"note\n");
    assert!(ran.success());
    let other = client.sandboxes().exec(&id, "nope").send().await.unwrap();
    assert_eq!(other.exit_code, 127);

    let commands = server.commands_run();
    assert_eq!(commands.len(), 2);
    assert_eq!(commands[0].sandbox_id, id);
    assert_eq!(commands[0].command, "python -V");
    assert_eq!(commands[0].cwd.as_deref(), Some("/srv"));
    assert_eq!(
        commands[0].env,
        [("PYTHONUNBUFFERED".to_owned(), "1".to_owned())]
    );
    assert_eq!(commands[1].command, "nope");
    server.assert_no_violations();
}

#[tokio::test]
async fn an_uploaded_file_downloads_and_reads_back_byte_for_byte() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let id = sandbox(&client).await;
    let content: Vec<u8> = b"hello sandbox\n".repeat(1000);
    let stored = client
        .sandboxes()
        .upload(
            &id,
            "/data/greeting.txt",
            std::io::Cursor::new(content.clone()),
        )
        .await
        .unwrap();
    assert_eq!(stored.size, 14_000);
    let mut back = Vec::new();
    client
        .sandboxes()
        .download(&id, "/data/greeting.txt", &mut back)
        .await
        .unwrap();
    assert_eq!(back, content);
    let window = client
        .sandboxes()
        .read_file(&id, "/data/greeting.txt")
        .window(6, 7)
        .send()
        .await
        .unwrap();
    assert_eq!(window.content, "sandbox");
    assert_eq!(window.total_size, Some(14_000));
    assert_eq!(window.truncated, Some(true));
    // Another sandbox has files of its own.
    let other = sandbox(&client).await;
    let missing = client
        .sandboxes()
        .download(&other, "/data/greeting.txt", &mut Vec::new())
        .await;
    assert!(
        matches!(missing, Err(pi_client::Error::Gateway { .. })),
        "{missing:?}"
    );
    server.assert_no_violations();
}

/// The gateway token of `sandbox`'s `auth` answer, asked for without
/// pi-client.
async fn token(server: &ContractServer, sandbox: &str) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/sandbox/{sandbox}/auth", server.uri()))
        .bearer_auth("test-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

/// A stateful mock holding one sandbox, with the sandbox's id and token.
async fn one_sandbox() -> (ContractServer, String, String) {
    let server = ContractServer::stateful().await;
    let id = sandbox(&client(&server)).await;
    let token = token(&server, &id).await;
    (server, id, token)
}

/// The rules of the violations the mock recorded, with where they were.
fn rules(server: &ContractServer) -> Vec<(String, String)> {
    server
        .violations()
        .iter()
        .map(|violation| (violation.location.clone(), violation.rule.to_string()))
        .collect()
}

#[tokio::test]
async fn each_sandbox_gets_its_own_token_and_its_gateway_takes_no_other() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let (first, second) = (sandbox(&client).await, sandbox(&client).await);
    let first_token = token(&server, &first).await;
    let second_token = token(&server, &second).await;
    assert_ne!(first_token, second_token);
    assert_ne!(first_token, "string", "not the document's placeholder");
    let read = |bearer: String| {
        let url = format!(
            "{}/sandboxes/{second}/read-file?path=/nowhere",
            server.gateway_uri().unwrap()
        );
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap()
                .status()
        }
    };

    // The other sandbox's token, and the API key, are refused.
    assert_eq!(read(first_token).await, 401);
    assert_eq!(read("test-key".to_owned()).await, 401);
    let refused = rules(&server);
    assert_eq!(
        refused,
        [
            ("header.authorization".to_owned(), "missing-auth".to_owned()),
            ("header.authorization".to_owned(), "missing-auth".to_owned()),
        ]
    );
    // Its own token reaches the file call (no such file: 404).
    assert_eq!(read(second_token).await, 404);
    assert_eq!(rules(&server).len(), 2, "{:?}", server.violations());
}

#[tokio::test]
async fn a_start_that_is_not_a_connect_stream_is_refused_as_a_connect_server_would() {
    let (server, id, token) = one_sandbox().await;
    // A well-formed StartRequest in one envelope (field 1, its command: a
    // CommandSpec whose cmd is "ls"), sent with the unary content type.
    let body = [0, 0, 0, 0, 6, 0x0a, 4, 0x0a, 2, b'l', b's'];
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/sandboxes/{id}/command_session.CommandSession/Start",
            server.gateway_uri().unwrap()
        ))
        .bearer_auth(token)
        .header("content-type", "application/proto")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 415);
    assert_eq!(
        rules(&server),
        [("header.content-type".to_owned(), "content-type".to_owned())]
    );
    assert!(server.commands_run().is_empty(), "nothing ran");
}

#[tokio::test]
async fn a_file_call_naming_another_sandbox_in_its_query_is_a_violation() {
    let (server, id, token) = one_sandbox().await;
    let url = format!(
        "{}/sandboxes/{id}/download?path=/a&sandbox_id=sandbox-9999",
        server.gateway_uri().unwrap()
    );
    let answer = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404, "no such file there");
    assert_eq!(
        rules(&server),
        [("query.sandbox_id".to_owned(), "const".to_owned())]
    );
}

#[tokio::test]
async fn an_upload_is_stamped_with_the_time_it_happened() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let id = sandbox(&client).await;
    let seconds = || {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        i64::try_from(since.as_secs()).unwrap()
    };
    let before = seconds();
    let stored = client
        .sandboxes()
        .upload(&id, "/a.txt", std::io::Cursor::new(b"a".to_vec()))
        .await
        .unwrap();
    let after = seconds();
    let at = stored.timestamp.as_datetime().timestamp();
    assert!(
        (before..=after).contains(&at),
        "{before} <= {at} <= {after}"
    );
    server.assert_no_violations();
}
