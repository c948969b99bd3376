//! One `pi.call` span per call, with OpenTelemetry's HTTP field names: the
//! method, the path template, the status, the attempt count and the
//! duration; the filled-in path only when the client opts in; never the key
//! or a body. A wait adds one INFO event per state change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::logs::Logs;
use common::{API_KEY, quick_retries, secret_json};
use pi_client::Client;
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET_ID: &str = "sec-7f3a-private-id";

/// Captures the close event of every span (which carries every field,
/// including those recorded at the end) on this thread.
fn capture_spans() -> (Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

async fn server_failing_once_then_answering() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/secrets/{SECRET_ID}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/secrets/{SECRET_ID}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": secret_json(SECRET_ID)})),
        )
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, full_paths: bool) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries())
        .trace_full_paths(full_paths)
        .build()
        .unwrap()
}

/// The close line of the one `pi.call` span in `logs`.
fn call_span(logs: &Logs) -> String {
    let text = logs.text();
    let closes: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("pi.call") && line.contains("close"))
        .collect();
    assert_eq!(closes.len(), 1, "one pi.call span per call:\n{text}");
    closes[0].to_owned()
}

#[tokio::test]
async fn a_call_has_one_span_with_the_http_fields_and_no_ids_or_key() {
    let server = server_failing_once_then_answering().await;
    let client = client(&server, false);
    let (logs, guard) = capture_spans();
    client.secrets().get(SECRET_ID).send().await.unwrap();
    drop(guard);
    let span = call_span(&logs);
    for field in [
        "http.request.method=GET",
        "url.template=\"/api/v1/secrets/{secret_id}\"",
        "http.response.status_code=200",
        "pi.attempts=2",
        "pi.duration_ms=",
        "pi.operation=GET /api/v1/secrets/{secret_id}",
    ] {
        assert!(span.contains(field), "{field} missing from {span}");
    }
    assert!(!span.contains("url.path"), "{span}");
    let everything = logs.text();
    assert!(
        !everything.contains(SECRET_ID),
        "an id leaked:\n{everything}"
    );
    assert!(
        !everything.contains(API_KEY),
        "the key leaked:\n{everything}"
    );
    assert!(
        !everything.contains("\"data\""),
        "a body leaked:\n{everything}"
    );
}

#[tokio::test]
async fn the_filled_in_path_is_traced_only_when_the_client_opts_in() {
    let server = server_failing_once_then_answering().await;
    let client = client(&server, true);
    let (logs, guard) = capture_spans();
    client.secrets().get(SECRET_ID).send().await.unwrap();
    drop(guard);
    let span = call_span(&logs);
    assert!(
        span.contains(&format!("url.path=\"/api/v1/secrets/{SECRET_ID}\"")),
        "{span}"
    );
    assert!(!logs.text().contains(API_KEY));
}

#[tokio::test]
async fn a_failed_call_records_its_status_and_error_type() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "no"})))
        .mount(&server)
        .await;
    let client = client(&server, false);
    let (logs, guard) = capture_spans();
    assert!(client.secrets().delete(SECRET_ID).send().await.is_err());
    drop(guard);
    let span = call_span(&logs);
    for field in [
        "http.request.method=DELETE",
        "http.response.status_code=403",
        "error.type=\"403\"",
        "pi.attempts=1",
    ] {
        assert!(span.contains(field), "{field} missing from {span}");
    }
    assert!(!logs.text().contains(SECRET_ID));
}

/// Here rather than beside the other wait tests: tracing caches whether a
/// callsite is wanted, and a test binary whose other tests run without a
/// subscriber can cache "never" for it on another thread.
#[tokio::test]
async fn a_wait_logs_each_state_change_at_info_with_its_fields() {
    let server = MockServer::start().await;
    let pod = |status: &str| {
        json!({"id": "pod_1", "name": "trainer", "gpuCount": 1, "gpuName": "H100_80GB",
               "priceHr": 2.5, "providerType": "runpod", "socket": "SXM5", "userId": "user_1",
               "status": status})
    };
    for status in ["PROVISIONING", "PROVISIONING"] {
        Mock::given(method("GET"))
            .and(path("/api/v1/pods/pod_1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(pod(status)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/api/v1/pods/pod_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pod("ACTIVE")))
        .mount(&server)
        .await;
    let client = client(&server, false);
    let quick = pi_client::WaitPolicy::default().pauses(
        std::time::Duration::from_millis(1),
        std::time::Duration::from_millis(5),
    );
    let (logs, guard) = capture_spans();
    client
        .pods()
        .wait_until_running_with("pod_1", &quick)
        .await
        .unwrap();
    drop(guard);

    let text = logs.text();
    let events: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("state changed"))
        .collect();
    assert_eq!(
        events.len(),
        2,
        "one event per change, not per poll:\n{text}"
    );
    for (line, state) in events.iter().zip(["PROVISIONING", "ACTIVE"]) {
        for field in [
            " INFO ",
            "resource=\"pod\"",
            "id=\"pod_1\"",
            &format!("state=\"{state}\""),
            "elapsed_ms=",
        ] {
            assert!(line.contains(field), "{field} missing in {line}");
        }
    }
    assert!(
        events[1].contains("previous=\"PROVISIONING\""),
        "{}",
        events[1]
    );
}
