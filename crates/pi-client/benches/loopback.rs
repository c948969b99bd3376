//! Loopback calls: `pi-client`'s `secrets().get` against a plain `reqwest` +
//! `serde_json` loop doing the same request and decode, on the same
//! in-process HTTP/1.1 server, in the same run, so the figure that matters is
//! their ratio (wall-clock on a shared machine moves too much for absolutes).
//!
//! Each side is timed in short blocks alternating with untimed blocks of the
//! other, so a run takes twice its measurement time.
//!
//! `cargo xtask bench` reads `loopback_sequential/{baseline,pi_client}` and
//! `loopback_32_tasks/{baseline,pi_client}`; keep the ids.
//!
//! Run with `PI_LOOPBACK_PROFILE=<baseline|pi_client> [PI_LOOPBACK_CALLS=N]
//! [PI_LOOPBACK_TASKS=T]` to skip criterion and make N calls (sequential, or
//! spread over T tasks) on one thread, for callgrind: instruction counts are
//! what decides a difference too small for the clock. `cargo xtask bench`
//! runs this mode under callgrind for its instruction figures.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use pi_client::types::{ApiResponse, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

const KEY: &str = "pk_bench_key";
const TASKS: u64 = 32;

const BODY: &str = r#"{"data":{"id":"abc","name":"HF_TOKEN","description":"read-only token","isFile":false,"teamId":null,"userId":"user_1","createdAt":"2026-01-15T10:30:00","updatedAt":"2026-01-15T10:30:00"},"status":"ok"}"#;

/// The whole answer, built once: the server only copies it out.
fn response() -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    )
    .into_bytes()
}

/// A static server on `rt`: every request (headers only, no body) on a
/// kept-alive connection gets the same answer. It runs on the clients'
/// runtime, so its cost is the same for both and a sequential call needs no
/// wake-up across threads, which would drown the difference in latency.
fn start_server(rt: &Runtime) -> SocketAddr {
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let answer: &'static [u8] = Box::leak(response().into_boxed_slice());
    rt.spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            tokio::spawn(serve(stream, answer));
        }
    });
    addr
}

async fn serve(mut stream: TcpStream, answer: &'static [u8]) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0_u8; 8192];
    let mut filled = 0;
    loop {
        // Answer every complete request head already in the buffer.
        let mut start = 0;
        while let Some(end) = find_head_end(&buf[start..filled]) {
            if stream.write_all(answer).await.is_err() {
                return;
            }
            start += end;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
    }
}

/// Where the first request head in `bytes` ends, past its blank line.
fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// The sequential runs' runtime: one thread for the client and the server.
fn single_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn multi_thread() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The plain loop `pi-client` is measured against.
#[derive(Clone)]
struct Baseline {
    http: reqwest::Client,
    url: String,
}

impl Baseline {
    fn new(addr: SocketAddr) -> Self {
        Self {
            http: reqwest::Client::builder().build().unwrap(),
            url: format!("http://{addr}/api/v1/secrets/abc"),
        }
    }

    async fn get(&self) -> Option<Secret> {
        let response = self
            .http
            .get(&self.url)
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let bytes = response.bytes().await.unwrap();
        serde_json::from_slice::<ApiResponse<Secret>>(&bytes)
            .unwrap()
            .data
    }
}

fn pi_client(addr: SocketAddr) -> pi_client::Client {
    pi_client::Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap()
}

async fn pi_get(client: &pi_client::Client) -> Option<Secret> {
    // `Some` only to share the baseline's signature, which keeps the
    // envelope's `Option` as a plain serde_json decode does.
    Some(client.secrets().get("abc").send().await.unwrap())
}

/// Runs `iters` calls spread over [`TASKS`] concurrent tasks and returns the
/// time of `iters` calls, so the per-call figure compares with the
/// sequential one.
fn concurrent<C, F, Fut>(rt: &Runtime, client: &C, iters: u64, call: F) -> Duration
where
    C: Clone + Send + 'static,
    F: Fn(C) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Option<Secret>> + Send,
{
    let per_task = iters.div_ceil(TASKS).max(1);
    let elapsed = concurrent_tasks(rt, client, per_task, TASKS, call);
    elapsed.mul_f64(iters as f64 / (per_task * TASKS) as f64)
}

/// Runs `per_task` calls in each of `tasks` concurrent tasks; the time of all.
fn concurrent_tasks<C, F, Fut>(
    rt: &Runtime,
    client: &C,
    per_task: u64,
    tasks: u64,
    call: F,
) -> Duration
where
    C: Clone + Send + 'static,
    F: Fn(C) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Option<Secret>> + Send,
{
    rt.block_on(async {
        let started = Instant::now();
        let tasks: Vec<_> = (0..tasks)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    for _ in 0..per_task {
                        black_box(call(client.clone()).await);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        started.elapsed()
    })
}

/// Calls per block of the sequential runs (under 20 ms): each switch of
/// client starts on cold caches, which must stay a small part of a block,
/// and blocks must stay short next to the machine's bursts of noise.
const SEQUENTIAL_BLOCK: u64 = 1024;
/// Calls per block of the concurrent runs (64 per task).
const CONCURRENT_BLOCK: u64 = 64 * TASKS;

/// Times `iters` calls of one side in blocks of `block`, each followed by an
/// untimed block of the other side: a burst of noise from the shared
/// machine then lands on both sides alike instead of on whichever criterion
/// happened to be running.
fn alternating(
    iters: u64,
    block: u64,
    mut timed: impl FnMut(u64) -> Duration,
    mut other: impl FnMut(u64) -> Duration,
) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let calls = left.min(block);
        total += timed(calls);
        other(calls);
        left -= calls;
    }
    total
}

fn loopback(c: &mut Criterion) {
    // A connection belongs to the runtime that opened it, so each runtime
    // gets its own server and clients.
    let rt = single_thread();
    let addr = start_server(&rt);
    let baseline = Baseline::new(addr);
    let client = pi_client(addr);
    // Both answer correctly before anything is timed.
    rt.block_on(async {
        assert_eq!(baseline.get().await.unwrap().id, "abc");
        assert_eq!(pi_get(&client).await.unwrap().id, "abc");
    });
    let baseline_calls = |calls: u64| {
        rt.block_on(async {
            let started = Instant::now();
            for _ in 0..calls {
                black_box(baseline.get().await);
            }
            started.elapsed()
        })
    };
    let pi_client_calls = |calls: u64| {
        rt.block_on(async {
            let started = Instant::now();
            for _ in 0..calls {
                black_box(pi_get(&client).await);
            }
            started.elapsed()
        })
    };

    compare(
        c,
        "loopback_sequential",
        SEQUENTIAL_BLOCK,
        baseline_calls,
        pi_client_calls,
    );
    drop(rt);

    let rt = multi_thread();
    let addr = start_server(&rt);
    // Shared behind an Arc so each task's clone costs what a Client's does.
    let baseline = std::sync::Arc::new(Baseline::new(addr));
    let client = pi_client(addr);
    let baseline_calls = |calls: u64| {
        concurrent(&rt, &baseline, calls, |baseline| async move {
            baseline.get().await
        })
    };
    let pi_client_calls = |calls: u64| {
        concurrent(&rt, &client, calls, |client| async move {
            pi_get(&client).await
        })
    };
    compare(
        c,
        "loopback_32_tasks",
        CONCURRENT_BLOCK,
        baseline_calls,
        pi_client_calls,
    );
}

/// The group `name` with the functions `baseline` and `pi_client`, each
/// timing calls of its side alternating with the other's; one element is
/// one call.
fn compare(
    c: &mut Criterion,
    name: &str,
    block: u64,
    baseline_calls: impl FnMut(u64) -> Duration + Copy,
    pi_client_calls: impl FnMut(u64) -> Duration + Copy,
) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    group.bench_function("baseline", |b| {
        b.iter_custom(|iters| alternating(iters, block, baseline_calls, pi_client_calls));
    });
    group.bench_function("pi_client", |b| {
        b.iter_custom(|iters| alternating(iters, block, pi_client_calls, baseline_calls));
    });
    group.finish();
}

/// Short runs under `PI_BENCH_QUICK=1`, for `cargo xtask bench --quick`.
fn criterion_config() -> Criterion {
    let quick = std::env::var("PI_BENCH_QUICK").is_ok_and(|value| value == "1");
    if quick {
        Criterion::default()
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_millis(1500))
            .sample_size(10)
    } else {
        Criterion::default()
    }
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = loopback
}

/// N calls of one client and nothing else, for callgrind: sequential, or
/// spread over `PI_LOOPBACK_TASKS` concurrent tasks on the same one thread
/// (callgrind runs one thread at a time anyway, and one thread keeps the
/// count free of cross-thread wake-ups that differ from run to run).
fn profile(which: &str) {
    let number = |name: &str, default: u64| -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    let calls = number("PI_LOOPBACK_CALLS", 1000);
    let tasks = number("PI_LOOPBACK_TASKS", 1).max(1);
    let rt = single_thread();
    let addr = start_server(&rt);
    match (which, tasks) {
        ("baseline", 1) => {
            let baseline = Baseline::new(addr);
            rt.block_on(async {
                for _ in 0..calls {
                    black_box(baseline.get().await);
                }
            });
        }
        ("pi_client", 1) => {
            let client = pi_client(addr);
            rt.block_on(async {
                for _ in 0..calls {
                    black_box(pi_get(&client).await);
                }
            });
        }
        ("baseline", _) => {
            let baseline = std::sync::Arc::new(Baseline::new(addr));
            let per_task = calls.div_ceil(tasks);
            concurrent_tasks(&rt, &baseline, per_task, tasks, |baseline| async move {
                baseline.get().await
            });
        }
        ("pi_client", _) => {
            let client = pi_client(addr);
            let per_task = calls.div_ceil(tasks);
            concurrent_tasks(&rt, &client, per_task, tasks, |client| async move {
                pi_get(&client).await
            });
        }
        (other, _) => panic!("PI_LOOPBACK_PROFILE is baseline or pi_client, not {other}"),
    }
}

fn main() {
    if let Ok(which) = std::env::var("PI_LOOPBACK_PROFILE") {
        profile(&which);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
