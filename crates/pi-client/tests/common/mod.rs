//! Shared set-up for the client's wiremock tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

pub mod logs;
pub mod raw;

use std::time::Duration;

use pi_client::{Client, RetryPolicy};
use serde_json::{Value, json};
use wiremock::MockServer;

/// The API key every test client sends; tests assert it never leaks.
pub const API_KEY: &str = "pk_test_5up3r_s3cr3t";

/// A client for `server` with no default team.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .build()
        .unwrap()
}

/// A client for `server` whose default team is `team_default`.
pub fn team_client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .team_id("team_default")
        .build()
        .unwrap()
}

/// A wiremock server that gives `template` to every request, whatever its method.
pub async fn answering(template: wiremock::ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

/// A secret as the API would return it.
pub fn secret_json(id: &str) -> Value {
    json!({
        "id": id, "name": "HF_TOKEN", "description": null, "isFile": false,
        "userId": "user_1", "teamId": null,
        "createdAt": "2026-01-15T10:30:00.000000", "updatedAt": "2026-01-15T10:31:00Z"
    })
}

/// The query of the only request `server` received, as ordered pairs.
pub async fn single_request(server: &MockServer) -> wiremock::Request {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {}",
        requests.len()
    );
    requests.into_iter().next().unwrap()
}

/// The request's query pairs, decoded.
pub fn query_pairs(request: &wiremock::Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A retry policy with the default rules and counts but millisecond waits,
/// so retried tests stay fast.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

/// A client for `base_url` (a wiremock or raw server) that retries quickly.
pub fn quick_client(base_url: &str) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .retry_policy(quick_retries())
        .build()
        .unwrap()
}
