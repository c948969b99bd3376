//! Concurrency: one `Client`, cloned into 1,000 tasks on a multi-threaded
//! runtime, calls every Secrets operation at once against the contract
//! server; every call succeeds, every request keeps the contract, and the
//! server sees exactly one request per call (retries are off, so none can
//! hide a failure).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use pi_client::{Client, Error, RetryPolicy};
use pi_contract::{ContractServer, Spec};

/// Concurrent calls in the test.
const CALLS: usize = 1_000;

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
    let secrets = if n % 2 == 0 {
        client.secrets()
    } else {
        client.secrets().team(format!("team_{n}"))
    };
    let id = format!("sec_{n}");
    match n % 5 {
        0 => secrets.list().limit(10).send().await.map(drop),
        1 => secrets
            .create(format!("SECRET_{n}"), format!("value-{n}"))
            .description("made by the concurrency test")
            .send()
            .await
            .map(drop),
        2 => secrets.get(&id).await.map(drop),
        3 => secrets
            .update(&id)
            .description("changed")
            .send()
            .await
            .map(drop),
        _ => secrets.delete(&id).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_share_one_client_and_keep_the_contract() {
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
    let tasks: Vec<_> = (0..CALLS)
        .map(|n| tokio::spawn(call(client.clone(), n)))
        .collect();
    let mut errors = Vec::new();
    for (n, task) in tasks.into_iter().enumerate() {
        if let Err(error) = task.await.expect("a call panicked") {
            errors.push((n, error));
        }
    }
    assert!(
        errors.is_empty(),
        "{} of {CALLS} calls failed, first: {:?}",
        errors.len(),
        errors.first()
    );
    let violations = server.violations();
    assert!(violations.is_empty(), "{violations:#?}");
    let received = server.received_requests();
    assert_eq!(received.len(), CALLS);
    let mut per_operation: BTreeMap<String, usize> = BTreeMap::new();
    for request in &received {
        let operation = request.operation_id.clone().unwrap_or_default();
        *per_operation.entry(operation).or_default() += 1;
    }
    assert_eq!(per_operation.len(), 5, "{per_operation:?}");
    assert!(
        per_operation.values().all(|count| *count == CALLS / 5),
        "{per_operation:?}"
    );
}
