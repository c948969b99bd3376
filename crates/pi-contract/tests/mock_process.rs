//! The `pi-mock` binary as a user runs it: its printed URL, its request log,
//! its Ctrl-C summary, and the official `prime` CLI talking to it.
//!
//! Unix only: the tests stop the process with SIGINT through `kill`.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long any one step may take before the test gives up.
const STEP: Duration = Duration::from_secs(30);

/// The `prime` CLI release the interop test installs, pinned so that a new
/// release cannot change what the test proves without a commit.
const PRIME_VERSION: &str = "0.18.0";

/// A running `pi-mock` and its standard output, line by line.
struct Mock {
    child: Child,
    lines: Receiver<String>,
    url: String,
}

impl Mock {
    fn start(args: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pi-mock"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("pi-mock starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, lines) = channel();
        // A thread reads the pipe so the test can wait with a deadline.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut mock = Mock {
            child,
            lines,
            url: String::new(),
        };
        mock.url = mock.next_line();
        assert!(
            mock.url.starts_with("http://127.0.0.1:"),
            "the first line is the base URL, got {:?}",
            mock.url
        );
        mock
    }

    fn next_line(&mut self) -> String {
        match self.lines.recv_timeout(STEP) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("pi-mock printed nothing for {STEP:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("pi-mock closed its output: {:?}", self.child.try_wait())
            }
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does, and returns the exit
    /// status and everything printed after the signal.
    fn interrupt(mut self) -> (ExitStatus, Vec<String>) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -INT failed");
        let deadline = Instant::now() + STEP;
        let exit = loop {
            if let Some(exit) = self.child.try_wait().expect("wait works") {
                break exit;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("pi-mock did not exit within {STEP:?} of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader thread ends when the pipe closes with the process.
        let rest = self.lines.iter().collect();
        (exit, rest)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        // A failed assertion must not leave the process serving.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_mock_prints_its_url_logs_each_request_and_sums_up_on_ctrl_c() {
    let mut mock = Mock::start(&["--stateful"]);
    let http = reqwest::Client::new();

    let listed = http
        .get(format!("{}/api/v1/secrets/", mock.url))
        .bearer_auth("x")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    assert_eq!(
        mock.next_line(),
        "GET /api/v1/secrets/ -> 200 list_secrets_api_v1_secrets__get: ok"
    );

    // No bearer token: the API refuses it, and the log says why.
    let refused = http
        .get(format!("{}/api/v1/secrets/", mock.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(
        mock.next_line(),
        "GET /api/v1/secrets/ -> 401 list_secrets_api_v1_secrets__get: 1 violation"
    );
    let violation = mock.next_line();
    assert!(
        violation.starts_with("  list_secrets_api_v1_secrets__get: header.authorization"),
        "{violation}"
    );

    let (status, rest) = mock.interrupt();
    assert!(status.success(), "pi-mock exits 0 on Ctrl-C, got {status}");
    let summary = rest.join("\n");
    assert!(
        summary.starts_with("summary: 2 request(s), 1 violation(s)"),
        "{summary}"
    );
    assert!(
        rest.iter()
            .any(|line| line.split_whitespace().collect::<Vec<_>>()
                == ["list_secrets_api_v1_secrets__get", "2", "1"]),
        "the summary counts requests and violations per operation:\n{summary}"
    );
}

#[test]
fn the_mock_listens_on_the_port_it_is_given() {
    // Take a free port, let it go, and ask pi-mock for it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mock = Mock::start(&["--port", &port.to_string()]);
    assert_eq!(mock.url, format!("http://127.0.0.1:{port}"));
    let (status, _) = mock.interrupt();
    assert!(status.success());
}

#[test]
fn a_bad_argument_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_pi-mock"))
        .arg("--port")
        .arg("eighty")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`eighty`") && stderr.contains("usage: pi-mock"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_official_prime_cli_lists_secrets_from_the_mock_without_a_violation() {
    let Some(venv) = support::python::installed_or_skip(
        "prime",
        PRIME_VERSION,
        "the prime CLI interop test",
        "PI_REQUIRE_PRIME_CLI",
    ) else {
        return;
    };

    let mut mock = Mock::start(&["--stateful"]);
    // A secret to list, created the way any client would.
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/secrets/", mock.url))
        .bearer_auth("x")
        .json(&serde_json::json!({"name": "FROM_PI_MOCK", "value": "v"}))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let _ = mock.next_line();

    let output = support::python::client_command(&venv.bin("prime"), &mock.url, "prime-cli")
        .args(["secret", "list", "--output", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "prime secret list failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("FROM_PI_MOCK"), "{stdout}");
    let logged = mock.next_line();
    assert_eq!(
        logged,
        "GET /api/v1/secrets/ -> 200 list_secrets_api_v1_secrets__get: ok"
    );

    let (status, rest) = mock.interrupt();
    assert!(status.success());
    assert!(
        rest.first()
            .is_some_and(|line| line.ends_with(", 0 violation(s)")),
        "the mock recorded a violation:\n{}",
        rest.join("\n")
    );
}
