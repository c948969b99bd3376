//! pi-client's `sandbox` and `pods` examples, run as a user runs them against
//! the stateful mock: they print the states they wait through, and Ctrl-C
//! while they wait deletes what they created and exits with code 130.
//!
//! Here rather than in pi-client: the mock is pi-contract's, and a pi-client
//! dev-dependency on pi-contract would be a cycle (pi-contract's suite
//! depends on pi-client). Unix only: the test interrupts with SIGINT through
//! `kill`, as Ctrl-C in a terminal does.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use pi_contract::ContractServer;
use serde_json::json;

/// How long any one step may take before the test gives up: the examples
/// are built before the clock starts, so this is only for running them.
const PATIENCE: Duration = Duration::from_secs(60);

/// The example executables by name, built once per test binary by one cargo
/// call (a no-op when they are current); cargo's JSON messages say where
/// each one is, whatever the target directory.
fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<Vec<(String, PathBuf)>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "--package",
                "pi-client",
                "--examples",
                "--message-format=json",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "building pi-client's examples failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| {
                message["target"]["kind"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|kind| kind == "example"))
            })
            .filter_map(|message| {
                let name = message["target"]["name"].as_str()?.to_owned();
                let executable = message["executable"].as_str()?;
                Some((name, PathBuf::from(executable)))
            })
            .collect()
    });
    built
        .iter()
        .find(|(built_name, _)| built_name == name)
        .map(|(_, executable)| executable.clone())
        .unwrap_or_else(|| panic!("cargo built no example `{name}`: {built:?}"))
}

/// A running example and everything it has printed so far.
struct Run {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Run {
    /// Starts example `name` with `args`, configured for `server` through
    /// the environment alone (no `~/.prime` of the machine running the test).
    fn start(name: &str, args: &[&str], server: &ContractServer, home: &Path) -> Run {
        let mut child = Command::new(example(name))
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("PRIME_API_BASE_URL", server.uri())
            .env("PRIME_API_KEY", "test-key")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the example starts");
        // Threads drain the pipes, so a chatty example never blocks on a
        // full pipe and the test can read what it printed at any time.
        let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
            let text = Arc::new(Mutex::new(String::new()));
            let sink = Arc::clone(&text);
            std::thread::spawn(move || {
                let mut buffer = [0_u8; 4096];
                while let Ok(read @ 1..) = pipe.read(&mut buffer) {
                    sink.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buffer[..read]));
                }
            });
            text
        };
        let stdout = drain(Box::new(child.stdout.take().expect("stdout is piped")));
        let stderr = drain(Box::new(child.stderr.take().expect("stderr is piped")));
        Run {
            child,
            stdout,
            stderr,
        }
    }

    fn printed(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    /// Waits, at most [`PATIENCE`], until `look` finds something; fails
    /// (killing the example) when the example exits first or time runs out.
    async fn until<T>(&mut self, what: &str, mut look: impl FnMut(&Run) -> Option<T>) -> T {
        let give_up = Instant::now() + PATIENCE;
        loop {
            if let Some(found) = look(self) {
                return found;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the example exited ({status}) before {what}\n{}",
                    self.printed()
                );
            }
            if Instant::now() > give_up {
                let _ = self.child.kill();
                panic!("no {what} within {PATIENCE:?}\n{}", self.printed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs example `name` until it waits on the resource it created in
/// `collection`, keeps that resource in `pending` for good, interrupts the
/// example and checks that it deleted the resource and exited with 130.
async fn interrupted_while_waiting(name: &str, args: &[&str], collection: &str, pending: &str) {
    let server = ContractServer::stateful().await;
    let home = tempfile_dir(name);
    let mut run = Run::start(name, args, &server, &home);

    // The create arrived and the mock holds the new resource.
    let id = run
        .until("created resource at the mock", |_| {
            let stored = server.stored(collection).ok()?;
            stored.first()?["id"].as_str().map(str::to_owned)
        })
        .await;
    // Whatever state the mock gave it first, it stays pending from now on,
    // so the example is still waiting when the signal comes.
    server
        .script(
            collection,
            &id,
            std::iter::repeat_n(json!({ "status": pending }), 10_000),
        )
        .unwrap();
    // Waiting, and showing it: a poll of the resource went out and its
    // state was printed.
    let item = format!("{}/{id}", collection.trim_end_matches('/'));
    run.until("poll of the created resource", |_| {
        server
            .received_requests()
            .iter()
            .any(|request| request.method == "GET" && request.path == item)
            .then_some(())
    })
    .await;
    let state_line = format!(
        "{name_singular} {id}: ",
        name_singular = resource_word(name)
    );
    run.until("state printed while waiting", |run| {
        run.stdout
            .lock()
            .unwrap()
            .contains(&state_line)
            .then_some(())
    })
    .await;

    let sent = Command::new("kill")
        .args(["-INT", &run.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "kill -INT failed");
    let give_up = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = run.child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > give_up {
            let _ = run.child.kill();
            panic!(
                "{name} did not exit within {PATIENCE:?} of SIGINT\n{}",
                run.printed()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The pipes close when the process exits; let the drains catch up.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let printed = run.printed();

    assert_eq!(status.code(), Some(130), "{name} exit code\n{printed}");
    assert!(
        server
            .received_requests()
            .iter()
            .any(|request| request.method == "DELETE" && request.path == item),
        "{name} sent no DELETE {item} on SIGINT\n{printed}"
    );
    assert!(
        server.stored(collection).unwrap().is_empty(),
        "the mock still holds what {name} created\n{printed}"
    );
    let deleted = format!("interrupted; deleted {} {id}", resource_word(name));
    assert!(
        printed.contains(&deleted),
        "{name} does not say what it deleted ({deleted:?})\n{printed}"
    );
    server.assert_no_violations();
}

/// What the examples call the resource in their output.
fn resource_word(example: &str) -> &'static str {
    match example {
        "pods" => "pod",
        _ => "sandbox",
    }
}

/// An empty HOME of the test's own, so no `~/.prime` file of the machine
/// is read.
fn tempfile_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("examples_interrupt_{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_a_sandbox_starts_deletes_it_and_exits_130() {
    interrupted_while_waiting(
        "sandbox",
        &["run", "python:3.12-slim", "8000"],
        "/api/v1/sandbox",
        "PENDING",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_a_pod_provisions_deletes_it_and_exits_130() {
    interrupted_while_waiting(
        "pods",
        &["run", "cloud-1", "H100_80GB", "SXM5", "runpod"],
        "/api/v1/pods/",
        "PROVISIONING",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_example_runs_a_command_and_moves_a_file_end_to_end() {
    let server = ContractServer::stateful().await;
    server.on_command(
        "uname -a",
        pi_contract::gateway::CommandScript::prints("Linux mock-sandbox\n"),
    );
    let home = tempfile_dir("end_to_end");
    let mut run = Run::start(
        "sandbox",
        &["run", "python:3.12-slim", "8000"],
        &server,
        &home,
    );
    let id = run
        .until("created sandbox at the mock", |_| {
            let stored = server.stored("/api/v1/sandbox").ok()?;
            stored.first()?["id"].as_str().map(str::to_owned)
        })
        .await;
    server
        .script(
            "/api/v1/sandbox",
            &id,
            std::iter::repeat_n(json!({ "status": "RUNNING" }), 10_000),
        )
        .unwrap();
    let give_up = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = run.child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > give_up {
            let _ = run.child.kill();
            panic!("the example did not finish\n{}", run.printed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let printed = run.printed();
    assert!(status.success(), "exit {status}\n{printed}");
    assert!(
        printed.contains("uname -a (exit 0): Linux mock-sandbox"),
        "{printed}"
    );
    assert!(
        printed.contains("read back /tmp/pi-rs-example.txt: written by the pi-rs sandbox example"),
        "{printed}"
    );
    let commands = server.commands_run();
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0].sandbox_id, id);
    assert!(
        server.stored("/api/v1/sandbox").unwrap().is_empty(),
        "the example deletes its sandbox\n{printed}"
    );
    server.assert_no_violations();
}
