//! The sandbox gateway's fault matrix (RELIABILITY.md, "The sandbox
//! gateway"), and live processes: each fault is scripted at the stateful
//! mock's gateway, driven through pi-client, and judged by what the user
//! gets and by what the server counted (commands started, calls made).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures::StreamExt;
use pi_client::sandboxes::{ProcessEvent, Signal};
use pi_client::types::gateway::connect::Code;
use pi_client::{Client, Error, RetryPolicy};
use pi_contract::ContractServer;
use pi_contract::gateway::{CommandScript, FileCall};

/// A client with the default retry counts but millisecond pauses.
fn client(server: &ContractServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(5)))
        .build()
        .unwrap()
}

async fn sandbox(client: &Client) -> String {
    client
        .sandboxes()
        .create("worker", "python:3.12-slim")
        .send()
        .await
        .unwrap()
        .id
}

/// How many requests the server took whose path ends with `suffix`.
fn calls(server: &ContractServer, suffix: &str) -> usize {
    server
        .received_requests()
        .iter()
        .filter(|request| request.path.ends_with(suffix))
        .count()
}

const START: &str = "CommandSession/Start";
const CONNECT: &str = "CommandSession/Connect";

#[tokio::test]
async fn a_stream_dropped_mid_output_is_picked_up_and_loses_and_repeats_nothing() {
    let server = ContractServer::stateful().await;
    server.on_command(
        "make",
        CommandScript::prints("one\n")
            .then_wait(Duration::from_millis(30))
            .then_stdout("two\n")
            .then_stderr("warn\n")
            .then_stdout("three\n")
            .exits(0)
            // The start announcement and "one", then the cut.
            .drops_stream_after(2),
    );
    let client = client(&server);
    let id = sandbox(&client).await;
    let ran = client.sandboxes().exec(&id, "make").send().await.unwrap();
    assert_eq!(ran.stdout_lossy(), "one\ntwo\nthree\n");
    assert_eq!(ran.stderr_lossy(), "warn\n");
    assert_eq!(server.commands_run().len(), 1, "started once");
    assert_eq!((calls(&server, START), calls(&server, CONNECT)), (1, 1));
    server.assert_no_violations();
}

#[tokio::test]
async fn a_token_that_lapses_before_or_after_the_first_output_is_replaced_once() {
    // After the start announcement only, and after the first output.
    for events in [1, 2] {
        let server = ContractServer::stateful().await;
        server.on_command(
            "train",
            CommandScript::prints("epoch 1\n")
                .then_wait(Duration::from_millis(20))
                .then_stdout("epoch 2\n")
                .expires_token_after(events),
        );
        let client = client(&server);
        let id = sandbox(&client).await;
        let ran = client.sandboxes().exec(&id, "train").send().await.unwrap();
        assert_eq!(ran.stdout_lossy(), "epoch 1\nepoch 2\n", "after {events}");
        assert_eq!(server.commands_run().len(), 1);
        assert_eq!(calls(&server, START), 1);
        assert_eq!(calls(&server, CONNECT), 1);
        assert_eq!(calls(&server, "/auth"), 2, "one fresh token");
        server.assert_no_violations();
    }
}

#[tokio::test]
async fn a_refused_token_before_the_command_starts_is_replaced_and_the_command_runs_once() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let id = sandbox(&client).await;
    client.sandboxes().exec(&id, "true").send().await.unwrap();
    server.expire_gateway_tokens();
    server.on_command("date", CommandScript::prints("today\n"));
    let ran = client.sandboxes().exec(&id, "date").send().await.unwrap();
    assert_eq!(ran.stdout_lossy(), "today\n");
    let dates = server
        .commands_run()
        .into_iter()
        .filter(|command| command.command == "date")
        .count();
    assert_eq!(dates, 1);
    // The refused Start and the one that ran; a token for each.
    assert_eq!(calls(&server, START), 3);
    assert_eq!(calls(&server, "/auth"), 2);

    server.assert_no_violations();
}

#[tokio::test]
async fn a_deadline_is_the_commands_timeout_with_the_deadline_it_was_given() {
    let server = ContractServer::stateful().await;
    server.on_command("slow", CommandScript::prints("x").times_out());
    server.on_command(
        "slower",
        CommandScript::prints("y")
            .then_wait(Duration::from_secs(30))
            .exits(0),
    );
    let client = client(&server);
    let id = sandbox(&client).await;
    for command in ["slow", "slower"] {
        let error = client
            .sandboxes()
            .exec(&id, command)
            .timeout(Duration::from_millis(300))
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::CommandTimedOut { deadline } if deadline == Duration::from_millis(300)),
            "{command}: {error:?}"
        );
    }
    assert_eq!(server.commands_run().len(), 2);
    assert_eq!((calls(&server, START), calls(&server, CONNECT)), (2, 0));
    server.assert_no_violations();
}

#[tokio::test]
async fn a_sandbox_terminated_during_a_command_is_reported_as_not_running() {
    let server = ContractServer::stateful().await;
    server.on_command(
        "serve",
        CommandScript::prints("listening\n")
            .then_wait(Duration::from_secs(60))
            .exits(0),
    );
    let client = client(&server);
    let id = sandbox(&client).await;
    let running = tokio::spawn({
        let client = client.clone();
        let id = id.clone();
        async move { client.sandboxes().exec(&id, "serve").send().await }
    });
    while server.commands_run().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.terminate_sandbox(&id);
    let error = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    match &error {
        Error::SandboxNotRunning {
            sandbox_id, status, ..
        } => {
            assert_eq!(
                (sandbox_id.as_str(), status.as_str()),
                (id.as_str(), "TERMINATED")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.commands_run().len(), 1);
    assert_eq!(calls(&server, START), 1);
    assert_eq!(calls(&server, "/error-context"), 1);
    // Files of a terminated sandbox: not running either, asked once more.
    let error = client
        .sandboxes()
        .download_bytes(&id, "/etc/hostname")
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::SandboxNotRunning { .. }),
        "{error:?}"
    );
    server.assert_no_violations();
}

#[tokio::test]
async fn a_409_while_the_sandbox_runs_is_retried_and_a_5xx_on_upload_only_where_it_can_be_resent() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let id = sandbox(&client).await;

    // An upload from a reader is sent once: the reader is spent.
    server.fail_next_file_call(FileCall::Upload, 503);
    let error = client
        .sandboxes()
        .upload(&id, "/data/a.txt", std::io::Cursor::new(b"alpha".to_vec()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Gateway {
                code: Code::Unavailable,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(calls(&server, "/upload"), 1);

    // Bytes can be sent again.
    server.fail_next_file_call(FileCall::Upload, 503);
    let uploaded = client
        .sandboxes()
        .upload_bytes(&id, "/data/a.txt", b"alpha".to_vec())
        .await
        .unwrap();
    assert_eq!(uploaded.size, 5);
    assert_eq!(calls(&server, "/upload"), 3);

    // A 409 while the sandbox runs passes: asked once, retried once.
    server.fail_next_file_call(FileCall::Download, 409);
    let bytes = client
        .sandboxes()
        .download_bytes(&id, "/data/a.txt")
        .await
        .unwrap();
    assert_eq!(bytes, b"alpha");
    assert_eq!(calls(&server, "/download"), 2);
    assert_eq!(calls(&server, "/error-context"), 1);
    server.assert_no_violations();
}

#[tokio::test]
async fn a_spawned_process_streams_takes_stdin_lists_and_stops_on_a_signal() {
    let server = ContractServer::stateful().await;
    server.on_command(
        "cat",
        CommandScript::handled_by(|mut command| async move {
            while let Some(line) = command.stdin().await {
                command.stdout(line.to_ascii_uppercase());
            }
            0
        }),
    );
    let client = client(&server);
    let id = sandbox(&client).await;
    let mut process = client.sandboxes().spawn(&id, "cat").send().await.unwrap();
    assert_eq!(process.pid(), Some(1));
    process.write_stdin("hello\n").await.unwrap();
    assert_eq!(
        process.next_event().await.unwrap().unwrap(),
        ProcessEvent::Stdout(b"HELLO\n".to_vec())
    );
    let sessions = client.sandboxes().sessions(&id).send().await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sessions[0].session_uuid.as_deref(),
        Some(process.session_uuid())
    );
    assert!(server.commands_run()[0].stdin);

    process.signal(Signal::Term).await.unwrap();
    let events: Vec<ProcessEvent> = process.events().map(Result::unwrap).collect().await;
    match events.as_slice() {
        [ProcessEvent::Exited(status)] => {
            assert_eq!((status.code, status.exited), (143, false));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        client
            .sandboxes()
            .sessions(&id)
            .send()
            .await
            .unwrap()
            .is_empty()
    );

    process.close_stdin();
    let error = process.write_stdin("late").await.unwrap_err();
    assert!(matches!(error, Error::StdinClosed { .. }), "{error:?}");
    let inputs = calls(&server, "/SendInput");
    assert_eq!(inputs, 1, "nothing sent after the close");
    server.assert_no_violations();
}

#[tokio::test]
async fn a_process_picked_up_by_its_session_key_gets_what_follows_and_the_exit() {
    let server = ContractServer::stateful().await;
    server.on_command(
        "job",
        CommandScript::prints("first\n")
            .then_wait(Duration::from_millis(300))
            .then_stdout("second\n")
            .exits(4),
    );
    let client = client(&server);
    let id = sandbox(&client).await;
    let mut process = client.sandboxes().spawn(&id, "job").send().await.unwrap();
    assert_eq!(
        process.next_event().await.unwrap().unwrap(),
        ProcessEvent::Stdout(b"first\n".to_vec())
    );
    let key = process.session_uuid().to_owned();
    drop(process);
    let attached = client.sandboxes().attach(&id, &key);
    let output = attached.wait().await.unwrap();
    assert_eq!(output.stdout_lossy(), "second\n");
    assert_eq!(output.exit_code, 4);
    assert_eq!(server.commands_run().len(), 1);
    assert_eq!((calls(&server, START), calls(&server, CONNECT)), (1, 1));

    let error = client
        .sandboxes()
        .attach(&id, "no-such-session")
        .wait()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SessionGone { .. }), "{error:?}");
    server.assert_no_violations();
}

#[tokio::test]
async fn a_deleted_sandboxs_gateway_refuses_even_a_token_fetched_before() {
    let server = ContractServer::stateful().await;
    let client = client(&server);
    let id = sandbox(&client).await;
    // The token is cached from this first command.
    client.sandboxes().exec(&id, "true").send().await.unwrap();
    client.sandboxes().delete(&id).send().await.unwrap();
    let error = client
        .sandboxes()
        .exec(&id, "true")
        .send()
        .await
        .unwrap_err();
    // The API no longer knows the sandbox: its own 404, not the gateway's.
    assert!(matches!(&error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(server.commands_run().len(), 1, "the second never ran");
    server.assert_no_violations();
}

#[tokio::test]
async fn the_mock_keeps_a_window_of_ended_sessions_as_the_gateway_retains_them() {
    let server = ContractServer::stateful().await;
    server.on_any_other_command(CommandScript::prints("done\n").exits(5));
    let client = client(&server);
    let id = sandbox(&client).await;
    for _ in 0..200 {
        client.sandboxes().exec(&id, "step").send().await.unwrap();
    }
    let keys: Vec<String> = server
        .commands_run()
        .into_iter()
        .map(|command| command.session_uuid)
        .collect();
    // The newest ended session still replays its exit ...
    let last = client.sandboxes().attach(&id, keys.last().unwrap());
    assert_eq!(last.wait().await.unwrap().exit_code, 5);
    // ... the oldest is past the window.
    let first = client
        .sandboxes()
        .attach(&id, &keys[0])
        .wait()
        .await
        .unwrap_err();
    assert!(matches!(first, Error::SessionGone { .. }), "{first:?}");
}
