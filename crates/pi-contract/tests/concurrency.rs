//! Concurrency: one `Client`, cloned into 1,000 tasks on a multi-threaded
//! runtime, calls every Secrets operation at once against the contract
//! server; every call succeeds, every request keeps the contract, and the
//! server sees exactly one request per call (retries are off, so none can
//! hide a failure).
//!
//! A thousand open connections hold two file descriptors each in this one
//! process (client and server end), more than the soft limit of 1,024 many
//! machines start with, so the test raises its soft limit first, and makes
//! fewer calls on a machine whose hard limit is lower still. A run that does
//! not end in time fails with what was still open, rather than holding CI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use pi_client::{Client, Error, RetryPolicy};
use pi_contract::{ContractServer, Spec};

/// Concurrent calls in the test, where the machine allows them.
const CALLS: usize = 1_000;

/// File descriptors the process needs besides its connections.
const OTHER_FILES: u64 = 128;

/// Every call is done well within this on any machine (about 0.4 s here).
const ALL_DONE_WITHIN: Duration = Duration::from_secs(90);

/// Ends the whole process if the test is still running after twice
/// [`ALL_DONE_WITHIN`]: the async timeout cannot fire if the runtime's own
/// threads are stuck, and a stuck test would hold CI until its own limit.
/// Dropping the returned guard ends the watch.
fn watchdog() -> std::sync::mpsc::Sender<()> {
    let (done, watched) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            watched.recv_timeout(2 * ALL_DONE_WITHIN)
        {
            eprintln!(
                "the concurrency test is stuck after {:?}: its runtime no longer answers",
                2 * ALL_DONE_WITHIN
            );
            std::process::exit(1);
        }
    });
    done
}

/// The calls this machine's open-file limit allows at once, after raising
/// the soft limit as far as the hard one lets it; a multiple of five, so
/// every operation gets the same share.
fn calls_allowed() -> usize {
    let needed = OTHER_FILES + 2 * CALLS as u64;
    let limit = rlimit::increase_nofile_limit(needed).unwrap_or(needed);
    let fit = usize::try_from(limit.saturating_sub(OTHER_FILES) / 2).unwrap_or(CALLS);
    let calls = fit.min(CALLS) / 5 * 5;
    if calls < CALLS {
        eprintln!("open-file limit {limit}: making {calls} concurrent calls instead of {CALLS}");
    }
    calls
}

/// A client can be cloned into tasks on any thread.
const _: fn() = || {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Client>();
};

fn spec() -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json");
    Spec::from_path(&path).unwrap()
}

/// Call number `n`: the five operations in turn, on the default team or another.
async fn call(client: Client, n: usize) -> Result<(), Error> {
    // Odd calls act for a team of their own, even ones for the client's default.
    macro_rules! scoped {
        ($request:expr) => {
            if n % 2 == 0 {
                $request
            } else {
                $request.team(format!("team_{n}"))
            }
        };
    }
    let secrets = client.secrets();
    let id = format!("sec_{n}");
    match n % 5 {
        0 => scoped!(secrets.list().limit(10)).send().await.map(drop),
        1 => scoped!(
            secrets
                .create(format!("SECRET_{n}"), format!("value-{n}"))
                .description("made by the concurrency test")
        )
        .send()
        .await
        .map(drop),
        2 => scoped!(secrets.get(&id)).send().await.map(drop),
        3 => scoped!(secrets.update(&id).description("changed"))
            .send()
            .await
            .map(drop),
        _ => scoped!(secrets.delete(&id)).send().await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_share_one_client_and_keep_the_contract() {
    let _watch = watchdog();
    let calls = calls_allowed();
    assert!(
        calls >= 100,
        "this machine allows only {calls} open connections"
    );
    let server = ContractServer::start(spec()).await;
    // Every documented field present, so every call's decoding is exercised.
    server.use_maximal_responses();
    let client = Client::builder()
        .api_key("pk_concurrency_test")
        .base_url(server.uri())
        .team_id("team_default")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..calls)
        .map(|n| tokio::spawn(call(client.clone(), n)))
        .collect();
    let mut errors = Vec::new();
    let mut outcomes = Vec::with_capacity(calls);
    let joined = tokio::time::timeout(ALL_DONE_WITHIN, async {
        for task in tasks {
            outcomes.push(task.await.expect("a call panicked"));
        }
    })
    .await;
    assert!(
        joined.is_ok(),
        "{} of {calls} calls still open after {ALL_DONE_WITHIN:?}; the server received {}",
        calls - outcomes.len(),
        server.received_requests().len()
    );
    for (n, outcome) in outcomes.into_iter().enumerate() {
        if let Err(error) = outcome {
            errors.push((n, error));
        }
    }
    assert!(
        errors.is_empty(),
        "{} of {calls} calls failed, first: {:?}",
        errors.len(),
        errors.first()
    );
    let violations = server.violations();
    assert!(violations.is_empty(), "{violations:#?}");
    let received = server.received_requests();
    assert_eq!(received.len(), calls);
    let mut per_operation: BTreeMap<String, usize> = BTreeMap::new();
    for request in &received {
        let operation = request.operation_id.clone().unwrap_or_default();
        *per_operation.entry(operation).or_default() += 1;
    }
    assert_eq!(per_operation.len(), 5, "{per_operation:?}");
    assert!(
        per_operation.values().all(|count| *count == calls / 5),
        "{per_operation:?}"
    );
}
