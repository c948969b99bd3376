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
