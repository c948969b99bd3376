//! Traces behaviour the document cannot state: the area's requests go to
//! the traces base URL (the client's base URL unless one is set) and carry
//! the team in a header, lists follow their cursors, and an upload is one
//! multipart body keyed by the content it carries, its lines compressed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read as _;

use futures::TryStreamExt;
use pi_client::Client;
use serde_json::{Value, json};
use sha2::Digest;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn run(id: &str) -> Value {
    json!({
        "run_id": id, "first_trace_created_at": "2026-10-01T00:00:00Z",
        "last_trace_created_at": "2026-10-01T00:00:01Z",
        "last_trace_ingested_at": "2026-10-01T00:00:02Z", "trace_count": 2,
        "episode_count": 1, "avg_reward": null, "step_min": null, "step_max": null,
        "step_count": 0, "has_error": false, "first_user_id": null,
        "environment_ids": [], "model_ids": [], "context": {}
    })
}

/// A client with a key whose requests, traces' included, go to `server`.
fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .build()
        .unwrap()
}

async fn answering_runs() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/runs/r1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(run("r1")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/secrets/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [], "total_count": 0})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn traces_calls_go_to_the_traces_base_url_and_the_others_do_not() {
    let api = answering_runs().await;
    let traces = answering_runs().await;
    let client = Client::builder()
        .api_key("k")
        .base_url(api.uri())
        .traces_url(format!("{}/api/v1/", traces.uri()))
        .team_id("team_1")
        .build()
        .unwrap();
    assert_eq!(client.traces_url().as_str(), format!("{}/", traces.uri()));
    let found = client.traces().run("r1").send().await.unwrap();
    assert_eq!(found.run_id, "r1");
    client.secrets().list().send().await.unwrap();
    let to_traces = traces.received_requests().await.unwrap();
    let to_api = api.received_requests().await.unwrap();
    assert_eq!(to_traces.len(), 1);
    assert_eq!(to_traces[0].url.path(), "/api/v1/runs/r1");
    // The team travels in the header, not the query.
    assert_eq!(to_traces[0].headers["x-prime-team-id"], "team_1");
    assert_eq!(to_traces[0].url.query(), None);
    assert_eq!(to_api.len(), 1);
    assert_eq!(to_api[0].url.path(), "/api/v1/secrets/");
}

#[tokio::test]
async fn without_a_traces_url_traces_calls_go_to_the_base_url() {
    let api = answering_runs().await;
    let client = client_for(&api);
    assert_eq!(client.traces_url(), client.base_url());
    client.traces().run("r1").personal().send().await.unwrap();
    let received = api.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert!(!received[0].headers.contains_key("x-prime-team-id"));
}

#[tokio::test]
async fn a_stream_follows_each_pages_cursor_until_there_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/runs"))
        .and(query_param("cursor", "c2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [run("r3")], "next_cursor": null})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/runs"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [run("r1"), run("r2")], "next_cursor": "c2"})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);
    let runs: Vec<_> = client
        .traces()
        .runs()
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = runs.iter().map(|run| run.run_id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2", "r3"]);
    let received = server.received_requests().await.unwrap();
    let queries: Vec<Option<&str>> = received.iter().map(|r| r.url.query()).collect();
    assert_eq!(queries, [Some("limit=2"), Some("cursor=c2&limit=2")]);
}

#[tokio::test]
async fn context_filters_travel_as_one_prefixed_parameter_each() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/traces"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [], "next_cursor": null})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);
    let page = client
        .traces()
        .list()
        .run_id("r1")
        .context("job", "nightly eval")
        .context("stage", "a&b")
        .cursor("c2")
        .send()
        .await
        .unwrap();
    assert!(page.items.is_empty());
    let received = server.received_requests().await.unwrap();
    let queries: Vec<Option<&str>> = received.iter().map(|r| r.url.query()).collect();
    // Encoded like any value; the cursor, a paging input, goes last.
    assert_eq!(
        queries,
        [Some(
            "run_id=r1&context.job=nightly+eval&context.stage=a%26b&cursor=c2"
        )]
    );

    // An empty key names no parameter: refused, nothing sent.
    let error = client
        .traces()
        .episodes()
        .context("", "x")
        .send()
        .await
        .unwrap_err();
    let pi_client::Error::InvalidInput(invalid) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(invalid.field(), "context.<key>", "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_upload_is_one_multipart_body_keyed_by_its_lines() {
    let server = MockServer::start().await;
    let lines = "{\"trace_id\":\"t1\"}\n";
    // The SHA-256 of the exact lines, newline included.
    let digest = sha2::Sha256::digest(lines.as_bytes());
    let key: String = std::iter::once("sha256:".to_owned())
        .chain(digest.iter().map(|byte| format!("{byte:02x}")))
        .collect();
    Mock::given(method("POST"))
        .and(path("/api/v1/traces"))
        .and(header("x-prime-line-format", "episode"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"upload_id": "ab", "status": "committed"})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);
    let receipt = client
        .traces()
        .upload_lines(lines)
        .line_format(pi_client::types::TraceLineFormat::Episode)
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.status, "committed");
    let received: Vec<Request> = server.received_requests().await.unwrap();
    let request = &received[0];
    let sent_key = request.headers["idempotency-key"].to_str().unwrap();
    assert_eq!(sent_key, key);
    let media = request.headers["content-type"].to_str().unwrap();
    let boundary = media
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    let body = &request.body;
    let shown = String::from_utf8_lossy(body);
    assert!(
        body.starts_with(format!("--{boundary}\r\n").as_bytes()),
        "{shown}"
    );
    assert!(
        shown.contains(
            "name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n{\"schema_version\":1}\r\n"
        ),
        "{shown}"
    );
    // The lines travel gzip-compressed, as the document allows and the
    // official client sends them; the key is over the lines themselves.
    let head = "name=\"traces\"; filename=\"traces.jsonl\"\r\nContent-Type: application/x-ndjson\r\nContent-Encoding: gzip\r\n\r\n";
    let start = shown.find(head).unwrap() + head.len();
    let tail = format!("\r\n--{boundary}--\r\n");
    assert!(body.ends_with(tail.as_bytes()), "{shown}");
    let mut unpacked = String::new();
    flate2::read::GzDecoder::new(&body[start..body.len() - tail.len()])
        .read_to_string(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, lines);
}
