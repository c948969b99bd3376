//! No secret leaves: with everything captured at TRACE (the client's own
//! `tracing` events, hyper's, and reqwest's `log` records), every Secrets
//! operation and every kind of failure, retries and decode errors included,
//! leaves neither the API key nor a secret value in the logs, nor in any
//! error's `Display`, `Debug` or sources. Headers are never logged at all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::logs::{self, Logs};
use common::raw::{self, Act, RawServer};
use common::{API_KEY, answering, quick_retries, secret_json};
use futures::TryStreamExt;
use pi_client::{Client, Error};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The secret value every operation sends.
const SECRET_VALUE: &str = "sv_pr1v4te_m4t3r14l";

fn client_for(base_url: &str) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(base_url)
        .team_id("team_1")
        .retry_policy(quick_retries())
        .read_timeout(Some(Duration::from_millis(100)))
        .build()
        .unwrap()
}

/// Everything an error shows: `Display`, `Debug` (both forms) and every source.
fn shown(error: &Error) -> String {
    let mut text = format!("{error}\n{error:?}\n{error:#?}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    text
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(API_KEY), "{what} shows the API key:\n{text}");
    assert!(
        !text.contains(SECRET_VALUE),
        "{what} shows the secret value:\n{text}"
    );
}

/// The logs hold no secret and no header: the bearer token's header is
/// never named, and the scheme never appears.
fn assert_logs_clean(logs: &Logs) {
    let text = logs.text();
    assert_clean("the log", &text);
    let lower = text.to_ascii_lowercase();
    assert!(!lower.contains("authorization"), "headers logged:\n{text}");
    assert!(!lower.contains("bearer"), "headers logged:\n{text}");
}

/// Runs every Secrets operation once against `base_url` and returns the errors.
async fn every_operation(base_url: &str) -> Vec<Error> {
    let client = client_for(base_url);
    let secrets = client.secrets();
    let mut errors = Vec::new();
    let mut keep = |result: Result<(), Error>| {
        if let Err(error) = result {
            errors.push(error);
        }
    };
    keep(secrets.list().limit(10).send().await.map(drop));
    keep(
        secrets
            .list()
            .into_stream()
            .try_collect::<Vec<_>>()
            .await
            .map(drop),
    );
    keep(
        secrets
            .create("HF_TOKEN", SECRET_VALUE)
            .description("a token")
            .send()
            .await
            .map(drop),
    );
    keep(secrets.get("s1").send().await.map(drop));
    keep(
        secrets
            .update("s1")
            .value(SECRET_VALUE)
            .send()
            .await
            .map(drop),
    );
    keep(secrets.delete("s1").send().await.map(drop));
    errors
}

#[tokio::test]
async fn successful_operations_leak_nothing_and_the_capture_sees_the_http_stack() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/api/v1/secrets/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"total_count": 1, "offset": 0, "limit": 10, "data": [secret_json("s1")]}),
        ))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": secret_json("s1")})))
        .mount(&server)
        .await;
    let (logs, _guard) = logs::capture();
    let errors = every_operation(&server.uri()).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
    // The capture is live: the client's events and the HTTP stack's are there.
    assert_eq!(logs.count("PI API answered"), 6, "{}", logs.text());
    assert!(
        logs.text().contains("reqwest") || logs.text().contains("hyper"),
        "no HTTP stack events were captured:\n{}",
        logs.text()
    );
    assert_logs_clean(&logs);
}

#[tokio::test]
async fn every_error_status_leaks_nothing_with_retries_included() {
    let echo = json!({"detail": [{
        "loc": ["body", "value"], "msg": "Value error", "type": "value_error",
        "input": SECRET_VALUE,
    }]});
    let templates = [
        ResponseTemplate::new(400)
            .set_body_json(json!({"errors": [{"param": "value", "details": "bad"}]})),
        ResponseTemplate::new(401).set_body_json(json!({"detail": "invalid key"})),
        ResponseTemplate::new(402),
        ResponseTemplate::new(403),
        ResponseTemplate::new(404),
        ResponseTemplate::new(409),
        ResponseTemplate::new(422).set_body_json(echo),
        ResponseTemplate::new(429).insert_header("retry-after", "0"),
        ResponseTemplate::new(500).set_body_string("<html>oops</html>"),
        ResponseTemplate::new(502),
        ResponseTemplate::new(503),
        ResponseTemplate::new(504),
        ResponseTemplate::new(302).insert_header("location", "https://elsewhere.example/"),
    ];
    let (logs, _guard) = logs::capture();
    for template in templates {
        let server = answering(template).await;
        let errors = every_operation(&server.uri()).await;
        assert_eq!(errors.len(), 6);
        for error in &errors {
            assert_clean("an error", &shown(error));
        }
    }
    assert!(
        logs.count("retrying PI API request") > 0,
        "retries were not exercised"
    );
    assert_logs_clean(&logs);
}

#[tokio::test]
async fn decode_errors_leak_nothing_even_from_a_server_that_echoes_the_secret() {
    let bodies = [
        json!({"data": {"id": 5, "value": SECRET_VALUE}}).to_string(),
        json!({"data": "not a secret", "token": SECRET_VALUE}).to_string(),
        json!({"total_count": "x", "data": [{"secretValue": SECRET_VALUE}]}).to_string(),
        format!(r#"{{"data": {{"id": "s1", "value": "{SECRET_VALUE}"#),
        format!(r#"{{"data": {{"apiKey": "{API_KEY}", "#),
        String::new(),
        "<html>proxy</html>".to_owned(),
    ];
    let (logs, _guard) = logs::capture();
    for body in bodies {
        let server =
            answering(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
                .await;
        let client = client_for(&server.uri());
        let secrets = client.secrets();
        let results = [
            secrets.list().send().await.map(drop),
            secrets.get("s1").send().await.map(drop),
            secrets.create("N", SECRET_VALUE).send().await.map(drop),
            secrets
                .update("s1")
                .value(SECRET_VALUE)
                .send()
                .await
                .map(drop),
        ];
        for result in results {
            let error = result.expect_err(&body);
            assert!(matches!(error, Error::Decode { .. }), "{body}: {error:?}");
            assert_clean("a decode error", &shown(&error));
        }
    }
    assert_logs_clean(&logs);
}

#[tokio::test]
async fn transport_failures_and_timeouts_leak_nothing() {
    let refused = {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        format!("http://127.0.0.1:{port}")
    };
    let reset = RawServer::always(Act::ResetAfterRequest).await;
    let stalled = RawServer::always(Act::Stall).await;
    let cut = RawServer::always(Act::Reply(raw::partial_json(
        500,
        format!(r#"{{"data": {{"value": "{SECRET_VALUE}"#).as_bytes(),
    )))
    .await;
    let (logs, _guard) = logs::capture();
    for url in [refused, reset.uri(), stalled.uri(), cut.uri()] {
        let errors = every_operation(&url).await;
        assert_eq!(errors.len(), 6, "{url}");
        for error in &errors {
            assert!(
                matches!(error, Error::Transport { .. } | Error::Timeout { .. }),
                "{error:?}"
            );
            assert_clean("a transport error", &shown(error));
        }
    }
    assert!(logs.count("retrying PI API request") > 0);
    assert_logs_clean(&logs);
}

#[tokio::test]
async fn client_side_refusals_and_debug_output_leak_nothing() {
    let client = client_for("http://127.0.0.1:9");
    let secrets = client.secrets();
    let refusals = [
        secrets.create("lower", SECRET_VALUE).send().await.map(drop),
        secrets
            .create("N", SECRET_VALUE)
            .description("d".repeat(501))
            .send()
            .await
            .map(drop),
        secrets
            .update("s1")
            .value(SECRET_VALUE)
            .name("bad name")
            .send()
            .await
            .map(drop),
        secrets.get("..").send().await.map(drop),
    ];
    for result in refusals {
        let error = result.unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        assert_clean("an input error", &shown(&error));
    }
    let builder = Client::builder()
        .api_key(API_KEY)
        .retry_policy(quick_retries());
    let create = secrets.create("N", SECRET_VALUE);
    let update = secrets.update("s1").value(SECRET_VALUE);
    let debug = format!(
        "{builder:?} {builder:#?} {client:?} {client:#?} {secrets:?} {create:?} {create:#?} {update:?} {update:#?}"
    );
    assert_clean("Debug output", &debug);
    let error = Client::builder()
        .api_key(format!("{API_KEY}\n"))
        .build()
        .unwrap_err();
    assert_clean("a configuration error", &shown(&error));
}
