//! The stateful mock's sandbox gateway against a client nobody here wrote:
//! the official Python `prime-sandboxes`, pinned, runs a command, uploads a
//! file, downloads it and reads a window of it through the mock, with its
//! sync client and its async one, and the mock must see nothing that breaks
//! the gateway's contract.
//!
//! The client is installed with pip into a virtualenv cached under the
//! target directory (`support::python`). Without Python, `venv` or the
//! network the tests say SKIPPED on stderr and pass, unless
//! `PI_REQUIRE_PYTHON_INTEROP` is set, which makes that a failure (CI sets
//! it). Unix only: the virtualenv's layout (`bin/python`) is the Unix one.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::time::Duration;

use pi_client::Client;
use pi_contract::ContractServer;
use pi_contract::gateway::CommandScript;

/// The `prime-sandboxes` release the test installs, pinned so that a new
/// release cannot change what the test proves without a commit.
const PRIME_SANDBOXES_VERSION: &str = "0.5.1";

/// The variable that turns a skip into a failure.
const REQUIRE: &str = "PI_REQUIRE_PYTHON_INTEROP";

/// How long the driver may run. The client retries some faults with
/// backoff, so a mock that answers wrongly could keep it busy; past this
/// the test fails with what the driver printed rather than hanging.
const PATIENCE: Duration = Duration::from_secs(120);

/// The command the driver runs, and what the mock is scripted to answer.
const COMMAND: &str = "echo to stdout; echo to stderr >&2; exit 3";

/// What the driver uploads: bytes that are not UTF-8 as well, so that a
/// download which decoded or re-encoded them would not compare equal.
const CONTENT: &[u8] = b"hello gateway\n\x00\xff\xfe\x80 binary tail\n";

/// Where in the sandbox it goes.
const REMOTE: &str = "/workspace/data/greeting.bin";

#[tokio::test]
async fn the_sync_prime_sandboxes_client_runs_a_command_and_moves_files() {
    drive("sync").await;
}

#[tokio::test]
async fn the_async_prime_sandboxes_client_runs_a_command_and_moves_files() {
    drive("async").await;
}

/// Runs the driver script in `mode` against a fresh stateful mock and
/// checks what both sides saw.
async fn drive(mode: &str) {
    let Some(venv) = support::python::installed_or_skip(
        "prime-sandboxes",
        PRIME_SANDBOXES_VERSION,
        &format!("the prime-sandboxes interop test ({mode})"),
        REQUIRE,
    ) else {
        return;
    };
    let server = ContractServer::stateful().await;
    server.on_command(
        COMMAND,
        CommandScript::prints("to stdout\n")
            .with_stderr("to stderr\n")
            .exits(3),
    );
    // Anything else the client might run first answers unmistakably.
    server.on_any_other_command(
        CommandScript::default()
            .with_stderr("unscripted")
            .exits(127),
    );
    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .build()
        .unwrap();
    let sandbox = client
        .sandboxes()
        .create("interop", "python:3.12-slim")
        .send()
        .await
        .unwrap()
        .id;

    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("interop-{mode}"));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let local = scratch.join("upload.bin");
    std::fs::write(&local, CONTENT).unwrap();
    let back = scratch.join("downloaded").join("greeting.bin");

    let driver =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/prime_sandboxes_driver.py");
    let mut command = support::python::client_command(
        &venv.bin("python"),
        &server.uri(),
        &format!("prime-sandboxes-{mode}"),
    );
    command
        .arg(driver)
        .args(["--mode", mode, "--sandbox", &sandbox, "--command", COMMAND])
        .args(["--cwd", "/workspace", "--env", "GREETING=hello"])
        .arg("--local")
        .arg(&local)
        .args(["--remote", REMOTE, "--missing", "/workspace/never-written"])
        .arg("--back")
        .arg(&back);
    let result = support::python::driver_result(command, PATIENCE, &server);

    // The command's answer, as the client's own result type gives it.
    assert_eq!(result["stdout"], "to stdout\n", "{result:#}");
    assert_eq!(result["stderr"], "to stderr\n", "{result:#}");
    assert_eq!(result["exit_code"], 3, "{result:#}");
    // The spec the client sent, as the mock recorded it.
    let ran = server.commands_run();
    assert_eq!(ran.len(), 1, "{ran:#?}");
    assert_eq!(ran[0].sandbox_id, sandbox);
    assert_eq!(ran[0].command, COMMAND);
    assert_eq!(ran[0].cwd.as_deref(), Some("/workspace"));
    assert_eq!(ran[0].user, None);
    assert_eq!(ran[0].env, [("GREETING".to_owned(), "hello".to_owned())]);

    // The upload's answer parsed into the client's model, its timestamp
    // read as a time in UTC (Python writes that offset as +00:00).
    let uploaded = &result["uploaded"];
    assert_eq!(uploaded["success"], true, "{result:#}");
    assert_eq!(uploaded["path"], REMOTE, "{result:#}");
    assert_eq!(uploaded["size"], CONTENT.len(), "{result:#}");
    assert!(
        uploaded["timestamp"]
            .as_str()
            .is_some_and(|at| at.ends_with("+00:00")),
        "{result:#}"
    );
    // The download wrote the very bytes uploaded.
    assert_eq!(std::fs::read(&back).unwrap(), CONTENT);
    // The driver reads the window of 5 bytes at offset 2.
    assert_eq!(
        result["read"],
        serde_json::json!({
            "content": "llo g",
            "size": 5,
            "total_size": CONTENT.len(),
            "offset": 2,
            "truncated": true,
        })
    );
    // A file never written is the client's own not-found error.
    assert_eq!(result["missing"], "SandboxFileNotFoundError", "{result:#}");

    // One auth call, its token then reused from the client's cache, and
    // each gateway call once.
    let calls: Vec<String> = server
        .received_requests()
        .iter()
        .map(|request| format!("{} {}", request.method, request.path))
        .collect();
    let gateway = format!("/gateway/sandboxes/{sandbox}");
    assert_eq!(
        calls,
        [
            "POST /api/v1/sandbox".to_owned(),
            format!("POST /api/v1/sandbox/{sandbox}/auth"),
            format!("POST {gateway}/command_session.CommandSession/Start"),
            format!("POST {gateway}/upload"),
            format!("GET {gateway}/download"),
            format!("GET {gateway}/read-file"),
            format!("GET {gateway}/read-file"),
        ]
    );
    server.assert_no_violations();
    let _ = std::fs::remove_dir_all(&scratch);
}
