//! The fault matrix: each scenario asserts the typed outcome a caller gets and
//! the exact number of attempts the server saw, counted on the server side
//! (wiremock's received requests, or the raw server's counters).
//!
//! Clients here retry with the default rules and counts (3 retries, 4
//! attempts) but millisecond waits; timeouts are a few hundred milliseconds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, SystemTime};

use common::raw::{self, Act, RawServer};
use common::{API_KEY, answering, logs, quick_client, quick_retries, secret_json};
use pi_client::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Attempts allowed by the default policy: the first and three retries.
const ALL_ATTEMPTS: usize = 4;

/// A server that answers `first` once, then `then` to everything after.
async fn answering_once_then(first: ResponseTemplate, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(then).mount(&server).await;
    server
}

async fn attempts(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn secret_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"data": secret_json("s1")}))
}

async fn get(base_url: &str) -> Result<pi_client::types::Secret, Error> {
    quick_client(base_url).secrets().get("s1").send().await
}

async fn create(base_url: &str) -> Result<pi_client::types::Secret, Error> {
    quick_client(base_url)
        .secrets()
        .create("NAME", "value")
        .send()
        .await
}

fn http_date_in(offset: i64) -> String {
    let now = SystemTime::now();
    let when = if offset >= 0 {
        now + Duration::from_secs(offset.unsigned_abs())
    } else {
        now - Duration::from_secs(offset.unsigned_abs())
    };
    httpdate::fmt_http_date(when)
}

// ---- 429 ----

#[tokio::test]
async fn get_429_without_retry_after_is_retried_with_backoff_then_rate_limited() {
    let server = answering(ResponseTemplate::new(429)).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: None }),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, ALL_ATTEMPTS);
}

#[tokio::test]
async fn get_429_with_retry_after_seconds_is_retried_and_recovers() {
    let server = answering_once_then(
        ResponseTemplate::new(429).insert_header("retry-after", "0"),
        secret_ok(),
    )
    .await;
    let secret = get(&server.uri()).await.unwrap();
    assert_eq!(secret.id, "s1");
    assert_eq!(attempts(&server).await, 2);
}

#[tokio::test]
async fn get_429_with_a_past_http_date_is_retried_and_recovers() {
    let server = answering_once_then(
        ResponseTemplate::new(429).insert_header("retry-after", http_date_in(-30).as_str()),
        secret_ok(),
    )
    .await;
    get(&server.uri()).await.unwrap();
    assert_eq!(attempts(&server).await, 2);
}

#[tokio::test]
async fn get_429_asking_for_more_seconds_than_allowed_gives_up_with_retry_after() {
    let server = answering(ResponseTemplate::new(429).insert_header("retry-after", "120")).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(120)),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn get_429_with_a_far_http_date_gives_up_with_retry_after() {
    let server = answering(
        ResponseTemplate::new(429).insert_header("retry-after", http_date_in(3600).as_str()),
    )
    .await;
    let error = get(&server.uri()).await.unwrap_err();
    match error {
        Error::RateLimited {
            retry_after: Some(wait),
        } => assert!(
            wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600),
            "{wait:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn the_max_retry_after_bound_is_configurable() {
    let server = answering(ResponseTemplate::new(429).insert_header("retry-after", "1")).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries().max_retry_after(Duration::from_millis(500)))
        .build()
        .unwrap();
    let error = client.secrets().get("s1").send().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(1)),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

/// With millisecond backoff a 300 ms deadline leaves room for retries; that
/// the client gives up at once shows it would wait the server's full second
/// rather than its own backoff, which the debug log confirms.
#[tokio::test]
async fn retry_after_replaces_the_backoff_so_a_wait_past_the_deadline_is_not_made() {
    let server = answering(ResponseTemplate::new(429).insert_header("retry-after", "1")).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries())
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let (logs, _guard) = logs::capture();
    let error = client.secrets().get("s1").send().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(1)),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
    assert_eq!(logs.count("the wait would pass the deadline"), 1);
}

#[tokio::test]
async fn post_429_is_not_retried() {
    let server = answering(ResponseTemplate::new(429).insert_header("retry-after", "0")).await;
    let error = create(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait) } if wait.is_zero()),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

// ---- 5xx ----

#[tokio::test]
async fn get_500_is_not_retried() {
    let server = answering(ResponseTemplate::new(500)).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

async fn get_is_retried_on(status: u16) {
    let server = answering(ResponseTemplate::new(status)).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::Server { status: s, .. } if s == status),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, ALL_ATTEMPTS, "{status}");
}

async fn post_is_not_retried_on(status: u16) {
    let server = answering(ResponseTemplate::new(status)).await;
    let error = create(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::Server { status: s, .. } if s == status),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1, "{status}");
}

#[tokio::test]
async fn get_502_is_retried() {
    get_is_retried_on(502).await;
}

#[tokio::test]
async fn get_503_is_retried() {
    get_is_retried_on(503).await;
}

#[tokio::test]
async fn get_504_is_retried() {
    get_is_retried_on(504).await;
}

#[tokio::test]
async fn post_502_is_not_retried() {
    post_is_not_retried_on(502).await;
}

#[tokio::test]
async fn post_503_is_not_retried() {
    post_is_not_retried_on(503).await;
}

#[tokio::test]
async fn post_504_is_not_retried() {
    post_is_not_retried_on(504).await;
}

#[tokio::test]
async fn patch_503_is_not_retried() {
    let server = answering(ResponseTemplate::new(503)).await;
    let error = quick_client(&server.uri())
        .secrets()
        .update("s1")
        .description("d")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn delete_503_is_retried_and_recovers() {
    let server = answering_once_then(ResponseTemplate::new(503), ResponseTemplate::new(204)).await;
    quick_client(&server.uri())
        .secrets()
        .delete("s1")
        .send()
        .await
        .unwrap();
    assert_eq!(attempts(&server).await, 2);
}

#[tokio::test]
async fn get_503_then_200_recovers_on_the_list_too() {
    let server = answering_once_then(
        ResponseTemplate::new(503),
        ResponseTemplate::new(200)
            .set_body_json(json!({"total_count": 0, "offset": 0, "limit": 10, "data": []})),
    )
    .await;
    let page = quick_client(&server.uri())
        .secrets()
        .list()
        .send()
        .await
        .unwrap();
    assert!(page.data.is_empty());
    assert_eq!(attempts(&server).await, 2);
}

#[tokio::test]
async fn get_503_with_retry_after_over_the_bound_is_returned_at_once() {
    let server = answering(ResponseTemplate::new(503).insert_header("retry-after", "600")).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn the_retry_count_is_configurable_and_none_turns_retries_off() {
    for (policy, expected) in [
        (RetryPolicy::none(), 1),
        (quick_retries().max_retries(1), 2),
        (quick_retries().max_retries(5), 6),
    ] {
        let server = answering(ResponseTemplate::new(503)).await;
        let client = Client::builder()
            .api_key(API_KEY)
            .base_url(server.uri())
            .retry_policy(policy.clone())
            .build()
            .unwrap();
        let error = client.secrets().get("s1").send().await.unwrap_err();
        assert!(matches!(error, Error::Server { status: 503, .. }));
        assert_eq!(attempts(&server).await, expected, "{policy:?}");
    }
}

// ---- connections ----

/// A port that was just free: connecting to it is refused.
fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// No server exists to count, so attempts are counted from the client's
/// debug log: one line per retry.
#[tokio::test]
async fn a_refused_connection_is_retried_for_any_method_then_a_transport_error() {
    let url = closed_port_url();
    let (logs, _guard) = logs::capture();
    let error = get(&url).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(logs.count("retrying PI API request"), ALL_ATTEMPTS - 1);
    // A POST too: nothing was sent, so nothing can be created twice.
    let error = create(&url).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(
        logs.count("retrying PI API request"),
        2 * (ALL_ATTEMPTS - 1)
    );
    assert_eq!(logs.count("reason=connect failed"), 2 * (ALL_ATTEMPTS - 1));
}

#[tokio::test]
async fn a_reset_after_the_request_is_a_transport_error_and_not_retried() {
    let server = RawServer::always(Act::ResetAfterRequest).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_body_is_a_transport_error_and_not_retried() {
    let server = RawServer::always(Act::ReplyThenReset(raw::partial_json(
        400,
        br#"{"data": {"#,
    )))
    .await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_body_cut_short_of_its_length_is_a_transport_error() {
    let server = RawServer::always(Act::Reply(raw::partial_json(400, br#"{"data": {"#))).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_sent_once() {
    for act in [Act::CloseAfterRequest, Act::ResetAfterRequest] {
        let server = RawServer::always(act.clone()).await;
        let error = create(&server.uri()).await.unwrap_err();
        assert!(
            matches!(error, Error::Transport { .. }),
            "{act:?}: {error:?}"
        );
        assert_eq!(server.requests(), 1, "{act:?}");
        assert_eq!(server.connections(), 1, "{act:?}");
        assert!(server.received()[0].starts_with("POST /api/v1/secrets/ "));
    }
}

/// A client that gives up on a silent server after 200 ms.
fn impatient_client(base_url: &str) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .retry_policy(quick_retries())
        .read_timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn headers_that_never_arrive_are_a_timeout_and_not_retried() {
    let server = RawServer::always(Act::Stall).await;
    let error = impatient_client(&server.uri())
        .secrets()
        .get("s1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { after } if after == Duration::from_millis(200)),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_body_that_stalls_is_a_timeout_and_not_retried() {
    let server = RawServer::always(Act::ReplyThenStall(raw::partial_json(
        400,
        br#"{"data": {"#,
    )))
    .await;
    let error = impatient_client(&server.uri())
        .secrets()
        .get("s1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { after } if after == Duration::from_millis(200)),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn the_overall_deadline_bounds_an_attempt_and_is_a_timeout() {
    let server = RawServer::always(Act::Stall).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries())
        .read_timeout(None)
        .timeout(Duration::from_secs(30))
        .deadline(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = client.secrets().get("s1").send().await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout { after } if after == Duration::from_millis(200)),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn the_deadline_stops_retries_whose_wait_would_pass_it() {
    let server = answering(ResponseTemplate::new(503).insert_header("retry-after", "2")).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries())
        .deadline(Duration::from_secs(1))
        .build()
        .unwrap();
    let error = client.secrets().get("s1").send().await.unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

// ---- bodies ----

#[tokio::test]
async fn truncated_json_is_a_decode_error_and_not_retried() {
    let server = answering(
        ResponseTemplate::new(200).set_body_raw(r#"{"data": {"id": "s1", "na"#, "application/json"),
    )
    .await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::Decode { status: 200, ref reason, .. } if reason.contains("EOF")),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_and_not_retried() {
    let server = answering(
        ResponseTemplate::new(200).set_body_raw(r#"{"data": {'id': nope}}"#, "application/json"),
    )
    .await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn an_html_page_with_status_200_is_a_decode_error_and_not_retried() {
    let server = answering(ResponseTemplate::new(200).set_body_raw(
        "<!DOCTYPE html><html><body>Sign in to the proxy</body></html>",
        "text/html",
    ))
    .await;
    let error = get(&server.uri()).await.unwrap_err();
    match error {
        Error::Decode {
            status: 200,
            excerpt,
            ..
        } => assert!(excerpt.starts_with("<!DOCTYPE html>"), "{excerpt}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(attempts(&server).await, 1);
}

/// The client decodes by content, not by label: JSON served as text/plain
/// decodes, and anything else fails as a decode error whatever its type.
#[tokio::test]
async fn a_wrong_content_type_is_ignored_when_the_body_is_json() {
    let body = json!({"data": secret_json("s1")}).to_string();
    let server =
        answering(ResponseTemplate::new(200).set_body_raw(body.as_str(), "text/plain")).await;
    assert_eq!(get(&server.uri()).await.unwrap().id, "s1");
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn an_empty_body_where_json_is_expected_is_a_decode_error() {
    let server = answering(ResponseTemplate::new(200)).await;
    let error = get(&server.uri()).await.unwrap_err();
    assert!(
        matches!(error, Error::Decode { status: 200, ref excerpt, .. } if excerpt == "(empty)"),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_by_its_length() {
    let server = answering(ResponseTemplate::new(200).set_body_string("x".repeat(5000))).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries())
        .max_response_bytes(4096)
        .build()
        .unwrap();
    let error = client.secrets().get("s1").send().await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 4096 }),
        "{error:?}"
    );
    assert_eq!(attempts(&server).await, 1);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_cut_off_while_reading() {
    let mut answer =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..10 {
        answer.extend_from_slice(format!("3e8\r\n{}\r\n", "x".repeat(1000)).as_bytes());
    }
    answer.extend_from_slice(b"0\r\n\r\n");
    let server = RawServer::always(Act::Reply(answer)).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries())
        .max_response_bytes(4096)
        .build()
        .unwrap();
    let error = client.secrets().get("s1").send().await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 4096 }),
        "{error:?}"
    );
    assert_eq!(server.requests(), 1);
}

// ---- redirects ----

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_and_the_key_goes_nowhere_else() {
    let elsewhere = answering(secret_ok()).await;
    for status in [301, 302, 307, 308] {
        let api = answering(
            ResponseTemplate::new(status)
                .insert_header("location", format!("{}/api/v1/secrets/s1", elsewhere.uri())),
        )
        .await;
        let error = get(&api.uri()).await.unwrap_err();
        assert!(
            matches!(error, Error::UnexpectedStatus { status: s, .. } if s == status),
            "{error:?}"
        );
        let seen = api.received_requests().await.unwrap();
        assert_eq!(seen.len(), 1, "{status}");
        assert_eq!(
            seen[0].headers["authorization"],
            format!("Bearer {API_KEY}").as_str()
        );
    }
    assert_eq!(attempts(&elsewhere).await, 0);
}

// ---- the connection pool ----

#[tokio::test]
async fn clones_of_a_client_share_one_connection_pool() {
    let body = json!({"data": secret_json("s1")}).to_string();
    let server = RawServer::always(Act::KeepAlive(raw::response(
        "200 OK",
        "application/json",
        body.as_bytes(),
    )))
    .await;
    let client = quick_client(&server.uri());
    for _ in 0..5 {
        let clone = client.clone();
        assert_eq!(clone.secrets().get("s1").send().await.unwrap().id, "s1");
    }
    assert_eq!(server.requests(), 5);
    assert_eq!(server.connections(), 1);
}
