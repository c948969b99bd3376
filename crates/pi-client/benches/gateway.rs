//! The sandbox gateway under load, against the stateful mock run as its own
//! process (`pi-mock --stateful`, built here with cargo), so the memory of
//! the client is not mixed with the mock's (which keeps every file, and
//! every request body for its log, in memory).
//!
//! - `gateway_commands/{pi_client,python}`: one iteration is a round of
//!   [`COMMANDS`] commands spread over [`SANDBOXES`] sandboxes, at most
//!   [`IN_FLIGHT`] at a time; `python` is the official async client
//!   (`prime-sandboxes`, pinned to [`PYTHON_CLIENT`]) driven by
//!   `benches/gateway/driver.py` in a virtualenv under the target directory,
//!   on the same mock in the same run. When Python or the package cannot be
//!   had, the reason is recorded and the Python half is not measured.
//! - Peak RSS of a process doing those rounds with pi-client, and the
//!   throughput and RSS growth of one upload and one download of
//!   [`FILE_BYTES`] (a quarter of it under `PI_BENCH_QUICK=1`), measured in
//!   a child process of this bench (the bench re-run with
//!   `PI_GATEWAY_CHILD`), since criterion's own allocations would blur them.
//!   Each records its wall time beside the CPU time of the client and of
//!   the mock (`usage`), which tells whether the mock, serving on one
//!   thread, is what bounds a figure.
//!
//! Criterion keeps the command rounds; the rest goes to
//! `<CRITERION_HOME>/gateway/figures.json`, which `cargo xtask bench` reads
//! with them (`xtask/src/bench/figures.rs`); keep the ids and the keys.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use futures::{StreamExt, TryStreamExt};
use pi_client::Client;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::runtime::Runtime;

const COMMANDS: usize = 1000;
const SANDBOXES: usize = 100;
const IN_FLIGHT: usize = 256;
const COMMAND: &str = "echo hi";
/// One GiB: the size the memory bound is stated for.
const FILE_BYTES: u64 = 1 << 30;
/// The official client the Rust side is compared with.
const PYTHON_CLIENT: &str = "prime-sandboxes==0.5.1";
const KEY: &str = "pk_bench_key";

fn quick() -> bool {
    std::env::var("PI_BENCH_QUICK").is_ok_and(|value| value == "1")
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn client(url: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(url)
        .build()
        .unwrap()
}

/// One round: [`COMMANDS`] commands over `sandboxes` in turn, at most
/// [`IN_FLIGHT`] at a time; every one must exit 0.
async fn round(client: &Client, sandboxes: &[String]) {
    futures::stream::iter(0..COMMANDS)
        .map(|index| {
            let id = &sandboxes[index % sandboxes.len()];
            async move { client.sandboxes().exec(id, COMMAND).send().await }
        })
        .buffer_unordered(IN_FLIGHT)
        .try_for_each(|output| async move {
            assert!(output.success(), "`{COMMAND}` exited {}", output.exit_code);
            Ok(())
        })
        .await
        .unwrap();
}

/// The mock as a process; killed when dropped.
struct Mock {
    child: Child,
    url: String,
    /// Requests the mock logged with a violation of the contract.
    violations: Arc<AtomicUsize>,
}

impl Mock {
    fn start() -> Mock {
        let binary = mock_binary();
        let mut child = Command::new(&binary)
            .arg("--stateful")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = lines.next().unwrap().unwrap();
        assert!(url.starts_with("http://"), "pi-mock printed {url:?} first");
        // Its log is read to the end, so the mock never blocks on a full
        // pipe, and its verdicts counted.
        let violations = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&violations);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if line.ends_with("violation") || line.ends_with("violations") {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        Mock {
            child,
            url,
            violations,
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `pi-mock`, built by cargo in release mode (`PI_MOCK_BIN` names another).
fn mock_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PI_MOCK_BIN") {
        return PathBuf::from(path);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let build = "build --release --package pi-contract --features cli --bin pi-mock \
                 --message-format json-render-diagnostics";
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(build.split_whitespace())
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo build of pi-mock failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|message| {
            let built = message.get("target")?.get("name")? == "pi-mock";
            built.then(|| message.get("executable")?.as_str().map(PathBuf::from))?
        })
        .expect("cargo names the pi-mock executable")
}

/// Creates `count` sandboxes through the API, as any client would.
fn create_sandboxes(rt: &Runtime, client: &Client, count: usize) -> Vec<String> {
    rt.block_on(async {
        let mut ids = Vec::with_capacity(count);
        for index in 0..count {
            let created = client
                .sandboxes()
                .create(format!("bench-{index}"), "python:3.12-slim")
                .send()
                .await
                .unwrap();
            ids.push(created.id);
        }
        ids
    })
}

/// The Python driver, running, waiting for a number of rounds on stdin.
struct Python {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Python {
    /// Starts the driver on `url`'s mock with `sandboxes`, or says why it
    /// cannot run.
    fn start(url: &str, sandboxes: &[String]) -> Result<Python, String> {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let venv = tmp.join(format!("{}-venv", PYTHON_CLIENT.replace("==", "-")));
        let python = install(&venv)?;
        // The client keeps its gateway tokens in `~/.prime`: not the user's,
        // and emptied, since a token of an earlier run points at a mock that
        // is gone (its sandboxes had the same ids).
        let home = tmp.join("gateway-bench-home");
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).map_err(|error| error.to_string())?;
        let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gateway/driver.py");
        let mut child = Command::new(python)
            .arg(driver)
            .args(sandboxes)
            .env("PRIME_API_BASE_URL", url)
            .env("PRIME_API_KEY", KEY)
            .env("HOME", &home)
            .env_remove("PRIME_CONTEXT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot start the driver: {error}"))?;
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        stdout
            .read_line(&mut ready)
            .map_err(|error| error.to_string())?;
        if ready.trim() != "ready" {
            let _ = child.kill();
            return Err(format!("the driver did not start (said {ready:?})"));
        }
        let mut python = Python {
            child,
            stdin,
            stdout,
        };
        // The same answers as the Rust side, and its tokens fetched.
        python.rounds(1)?;
        Ok(python)
    }

    /// The time `rounds` rounds took, as the driver measured it.
    fn rounds(&mut self, rounds: u64) -> Result<Duration, String> {
        writeln!(self.stdin, "{rounds}").map_err(|error| error.to_string())?;
        self.stdin.flush().map_err(|error| error.to_string())?;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|error| error.to_string())?;
        line.trim()
            .parse::<f64>()
            .map(Duration::from_secs_f64)
            .map_err(|_| format!("the driver failed (said {line:?}; its error is above)"))
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The virtualenv's python with the official client installed, made once
/// and kept (a marker file is written last, so a broken install is redone).
fn install(venv: &Path) -> Result<PathBuf, String> {
    let python = venv.join("bin").join("python");
    let marker = venv.join("pi-rs-installed");
    if marker.exists() && python.exists() {
        return Ok(python);
    }
    let _ = std::fs::remove_dir_all(venv);
    let run = |program: &Path, args: &[&str]| -> Result<(), String> {
        let output = Command::new(program)
            .args(args)
            .output()
            .map_err(|error| format!("{} is not available ({error})", program.display()))?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(2).collect();
        Err(format!(
            "`{} {}` failed: {}",
            program.display(),
            args.join(" "),
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ))
    };
    let venv_text = venv.to_string_lossy();
    run(Path::new("python3"), &["-m", "venv", &venv_text])?;
    run(
        &venv.join("bin").join("pip"),
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--timeout",
            "30",
            PYTHON_CLIENT,
        ],
    )?;
    std::fs::write(&marker, PYTHON_CLIENT).map_err(|error| error.to_string())?;
    Ok(python)
}

/// Criterion: the command rounds of both clients.
fn commands(
    c: &mut Criterion,
    rt: &Runtime,
    client: &Client,
    sandboxes: &[String],
    python: Option<&mut Python>,
) {
    let mut group = c.benchmark_group("gateway_commands");
    group
        .throughput(Throughput::Elements(COMMANDS as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(if quick() { 3 } else { 10 }));
    group.bench_function("pi_client", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let started = Instant::now();
                for _ in 0..iters {
                    round(client, sandboxes).await;
                }
                started.elapsed()
            })
        });
    });
    if let Some(python) = python {
        group.bench_function("python", |b| {
            b.iter_custom(|iters| python.rounds(iters).unwrap());
        });
    }
    group.finish();
}

/// What a child process measured: one JSON object on its stdout.
fn child(role: &str, mock: &Mock, args: &[(&str, String)]) -> Value {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .env("PI_GATEWAY_CHILD", role)
        .env("PI_GATEWAY_URL", &mock.url)
        .env("PI_GATEWAY_MOCK_PID", mock.child.id().to_string())
        .stderr(Stdio::inherit());
    for (name, value) in args {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "the {role} child failed");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A line of `/proc/self/status`, in MiB (`VmRSS`, `VmHWM`).
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Resets the peak RSS to the current one (Linux' `clear_refs`); false
/// where that cannot be done, and the peak is then the process's own.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// CPU seconds (user and system, every thread) of the process `pid`
/// (`self` for this one), from `/proc/<pid>/stat`, whose clock ticks are
/// hundredths of a second on Linux.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    // After the name: state, then 10 more fields, then utime and stime.
    let ticks: f64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|field| field.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// Where a stretch of work spent its time: wall time, and the CPU time of
/// the client (this process) and of the mock, to tell which side bounds a
/// figure (the mock answers on one thread).
struct Usage {
    started: Instant,
    client: f64,
    mock: f64,
    mock_pid: String,
}

impl Usage {
    fn start() -> Usage {
        let mock_pid = std::env::var("PI_GATEWAY_MOCK_PID").unwrap();
        Usage {
            started: Instant::now(),
            client: cpu_secs("self"),
            mock: cpu_secs(&mock_pid),
            mock_pid,
        }
    }

    fn json(&self) -> Value {
        json!({
            "wall_secs": self.started.elapsed().as_secs_f64(),
            "client_cpu_secs": cpu_secs("self") - self.client,
            "mock_cpu_secs": cpu_secs(&self.mock_pid) - self.mock,
        })
    }
}

/// The child's side: runs what `PI_GATEWAY_CHILD` says and prints JSON.
fn run_child(role: &str) {
    let url = std::env::var("PI_GATEWAY_URL").unwrap();
    let rt = runtime();
    let client = client(&url);
    let answer = match role {
        "commands" => {
            let sandboxes: Vec<String> = std::env::var("PI_GATEWAY_SANDBOXES")
                .unwrap()
                .split(',')
                .map(str::to_owned)
                .collect();
            let usage = Usage::start();
            rt.block_on(async {
                for _ in 0..3 {
                    round(&client, &sandboxes).await;
                }
            });
            json!({ "peak_rss_mib": status_mib("VmHWM"), "usage": usage.json() })
        }
        "transfer" => {
            let bytes: u64 = std::env::var("PI_GATEWAY_BYTES").unwrap().parse().unwrap();
            rt.block_on(transfer(&client, bytes))
        }
        other => panic!("PI_GATEWAY_CHILD is commands or transfer, not {other}"),
    };
    println!("{answer}");
}

/// One upload and one download of `bytes` through the gateway, each with
/// its time and the growth of peak RSS over the RSS before it.
async fn transfer(client: &Client, bytes: u64) -> Value {
    let sandboxes = client.sandboxes();
    let id = sandboxes
        .create("bench-files", "python:3.12-slim")
        .send()
        .await
        .unwrap()
        .id;
    let path = "/bench/file.bin";
    // A small file first: the token, the connection and the runtime's
    // threads are there before anything is measured.
    sandboxes
        .upload(&id, path, std::io::Cursor::new(vec![1_u8; 4096]))
        .await
        .unwrap();
    sandboxes
        .download(&id, path, &mut tokio::io::sink())
        .await
        .unwrap();

    let reset = reset_peak();
    let before = status_mib("VmRSS");
    let usage = Usage::start();
    let started = Instant::now();
    let stored = sandboxes
        .upload(&id, path, tokio::io::repeat(0x5a).take(bytes))
        .await
        .unwrap();
    let upload_secs = started.elapsed().as_secs_f64();
    let upload_usage = usage.json();
    let upload_growth = status_mib("VmHWM") - before;
    assert_eq!(stored.size as u64, bytes, "the mock stored the whole file");

    reset_peak();
    let before = status_mib("VmRSS");
    let usage = Usage::start();
    let started = Instant::now();
    let got = sandboxes
        .download(&id, path, &mut tokio::io::sink())
        .await
        .unwrap();
    let download_secs = started.elapsed().as_secs_f64();
    let download_usage = usage.json();
    let download_growth = status_mib("VmHWM") - before;
    assert_eq!(got, bytes, "the download brought the whole file");

    let measured = |secs: f64, growth: f64, usage: Value| {
        json!({
            "mb_per_s": bytes as f64 / secs / 1e6,
            "millis": secs * 1e3,
            "rss_growth_mib": growth,
            "usage": usage,
        })
    };
    json!({
        "peak_reset": reset,
        "upload": measured(upload_secs, upload_growth, upload_usage),
        "download": measured(download_secs, download_growth, download_usage),
    })
}

/// Where criterion writes, as criterion finds it.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(target) => PathBuf::from(target).join("criterion"),
        None => Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .unwrap()
            .join("criterion"),
    }
}

fn main() {
    if let Ok(role) = std::env::var("PI_GATEWAY_CHILD") {
        run_child(&role);
        return;
    }
    let mock = Mock::start();
    let rt = runtime();
    let client = client(&mock.url);
    let sandboxes = create_sandboxes(&rt, &client, SANDBOXES);
    // Both sides answer before anything is timed (the tokens are fetched).
    rt.block_on(round(&client, &sandboxes));
    let mut python = Python::start(&mock.url, &sandboxes);
    if let Err(why) = &python {
        let _ = writeln!(
            std::io::stderr(),
            "NOT MEASURED: the Python half of gateway_commands: {why}"
        );
    }

    let mut criterion = Criterion::default().configure_from_args();
    commands(
        &mut criterion,
        &rt,
        &client,
        &sandboxes,
        python.as_mut().ok(),
    );
    // The driver ends before the memory figures are taken.
    let python_not_measured = python.err();

    let peak = child(
        "commands",
        &mock,
        &[("PI_GATEWAY_SANDBOXES", sandboxes.join(","))],
    );
    let bytes = if quick() { FILE_BYTES / 4 } else { FILE_BYTES };
    let transfer = child(
        "transfer",
        &mock,
        &[("PI_GATEWAY_BYTES", bytes.to_string())],
    );
    let mut figures = json!({
        "quick": quick(),
        "file_bytes": bytes,
        "commands": {
            "pi_client_peak_rss_mib": peak["peak_rss_mib"],
            "usage": peak["usage"],
        },
        "peak_reset": transfer["peak_reset"],
        "upload": transfer["upload"],
        "download": transfer["download"],
        "mock_violations": mock.violations.load(Ordering::Relaxed),
    });
    if let Some(why) = python_not_measured {
        figures["python_not_measured"] = json!(why);
    }
    let dir = criterion_home().join("gateway");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("figures.json");
    std::fs::write(&file, serde_json::to_string_pretty(&figures).unwrap()).unwrap();
    eprintln!("gateway figures: {figures}\nwritten to {}", file.display());
    criterion.final_summary();
}
