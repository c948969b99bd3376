//! Running a command in a sandbox: the gateway is found through the
//! sandbox's `auth` call, the command travels as a Connect `Start` stream in
//! the protobuf codec, and the output comes back byte for byte with the exit
//! code; the gateway's codes become typed errors and its token never shows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::client;
use pi_client::Error;
use pi_client::types::gateway::connect::{Code, end_stream, envelope};
use pi_client::types::gateway::{
    CommandSessionEvent, StartRequest, StartResponse, command_session_event,
};
use prost::Message;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "gw_t0ken_s3cr3t";

/// The `Start` path on the mock's gateway for sandbox `sb_1`.
const START: &str = "/gateway/ns_1/job_1/command_session.CommandSession/Start";

/// A server whose `auth` call points at a gateway on itself, with a token
/// that lasts far beyond the test.
async fn gateway_server() -> MockServer {
    gateway_server_until("2099-01-01T00:00:00Z").await
}

/// Like [`gateway_server`], with a token that expires at `expires_at`.
async fn gateway_server_until(expires_at: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sandbox/sb_1/auth"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token": TOKEN,
            "gateway_url": format!("{}/gateway/", server.uri()),
            "user_ns": "ns_1",
            "job_id": "job_1",
            "expires_at": expires_at
        })))
        .mount(&server)
        .await;
    // The sandbox still runs, as its error context says when a failed
    // gateway call asks.
    Mock::given(method("GET"))
        .and(path("/api/v1/sandbox/sb_1/error-context"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "RUNNING"})))
        .mount(&server)
        .await;
    server
}

/// How many requests went to `wanted`.
async fn calls_to(server: &MockServer, wanted: &str) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests.iter().filter(|r| r.url.path() == wanted).count()
}

const AUTH: &str = "/api/v1/sandbox/sb_1/auth";

/// A whole successful answer: some output and exit code 0.
fn finished() -> Vec<u8> {
    let mut body = output(command_session_event::data_event::Output::Stdout(
        b"ok".to_vec(),
    ));
    body.extend(end(0));
    body.extend(end_stream(None).unwrap());
    body
}

fn event(event: command_session_event::Event) -> Vec<u8> {
    let answer = StartResponse {
        event: Some(CommandSessionEvent { event: Some(event) }),
    };
    envelope(0, &answer.encode_to_vec()).unwrap()
}

fn output(data: command_session_event::data_event::Output) -> Vec<u8> {
    event(command_session_event::Event::Data(
        command_session_event::DataEvent { output: Some(data) },
    ))
}

fn end(exit_code: i32) -> Vec<u8> {
    event(command_session_event::Event::End(
        command_session_event::EndEvent {
            exit_code,
            exited: true,
            ..Default::default()
        },
    ))
}

async fn answer_start(server: &MockServer, body: Vec<u8>) {
    Mock::given(method("POST"))
        .and(path(START))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/connect+proto")
                .set_body_bytes(body),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_command_returns_its_output_byte_for_byte_and_a_non_zero_exit_is_data() {
    use command_session_event::data_event::Output;
    let server = gateway_server().await;
    let mut body = event(command_session_event::Event::Start(
        command_session_event::StartEvent { pid: 42 },
    ));
    body.extend(output(Output::Stdout(b"hel".to_vec())));
    body.extend(event(command_session_event::Event::Keepalive(
        command_session_event::KeepAlive {},
    )));
    body.extend(output(Output::Stderr(vec![0xff, b'!'])));
    body.extend(output(Output::Stdout(b"lo\n".to_vec())));
    body.extend(end(3));
    body.extend(end_stream(None).unwrap());
    answer_start(&server, body).await;

    let ran = client(&server)
        .sandboxes()
        .exec("sb_1", "echo hello; exit 3")
        .cwd("/work")
        .env("GREETING", "hi")
        .user("runner")
        .timeout(Duration::from_secs(7))
        .send()
        .await
        .unwrap();
    assert_eq!(ran.stdout, b"hello\n");
    assert_eq!(ran.stderr, [0xff, b'!']);
    assert_eq!(ran.stderr_lossy(), "\u{fffd}!");
    assert_eq!(ran.exit_code, 3);
    assert!(!ran.success());

    let requests = server.received_requests().await.unwrap();
    let start = requests
        .iter()
        .find(|request| request.url.path() == START)
        .expect("a Start call");
    let header = |name: &str| start.headers.get(name).unwrap().to_str().unwrap();
    assert_eq!(header("content-type"), "application/connect+proto");
    assert_eq!(header("connect-protocol-version"), "1");
    assert_eq!(header("connect-timeout-ms"), "7000");
    assert_eq!(header("authorization"), format!("Bearer {TOKEN}"));
    // One envelope holding the StartRequest.
    assert_eq!(start.body[0], 0);
    let length = u32::from_be_bytes(start.body[1..5].try_into().unwrap()) as usize;
    assert_eq!(start.body.len(), 5 + length);
    let sent = StartRequest::decode(&start.body[5..]).unwrap();
    let command = sent.command.unwrap();
    assert_eq!(command.cmd, "/bin/bash");
    assert_eq!(command.args, ["-c", "echo hello; exit 3"]);
    assert_eq!(command.cwd.as_deref(), Some("/work"));
    assert_eq!(command.user.as_deref(), Some("runner"));
    assert_eq!(command.envs.get("GREETING").map(String::as_str), Some("hi"));
    assert_eq!(
        requests.iter().filter(|r| r.url.path() == START).count(),
        1,
        "the command is started once"
    );
}

#[tokio::test]
async fn a_deadline_the_gateway_reports_is_the_commands_timeout() {
    let server = gateway_server().await;
    let mut body = output(command_session_event::data_event::Output::Stdout(
        b"working".to_vec(),
    ));
    body.extend(end_stream(Some((Code::DeadlineExceeded, "took too long"))).unwrap());
    answer_start(&server, body).await;
    let error = client(&server)
        .sandboxes()
        .exec("sb_1", "sleep 100")
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::CommandTimedOut { deadline } if deadline == Duration::from_secs(2)),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_gateways_codes_become_typed_errors_without_the_token() {
    let server = gateway_server().await;
    Mock::given(method("POST"))
        .and(path(START))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"code": "unauthenticated", "message": "token expired"})),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .sandboxes()
        .exec("sb_1", "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Gateway {
                code: Code::Unauthenticated,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!format!("{error:?} {error}").contains(TOKEN));
    let server = gateway_server().await;
    answer_start(
        &server,
        end_stream(Some((Code::NotFound, "no such sandbox"))).unwrap(),
    )
    .await;
    let error = client(&server)
        .sandboxes()
        .exec("sb_1", "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Gateway {
                code: Code::NotFound,
                ..
            }
        ),
        "{error:?}"
    );
}

/// Answers every `Connect` with `body`.
async fn answer_connect(server: &MockServer, body: Vec<u8>) {
    Mock::given(method("POST"))
        .and(path(CONNECT))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/connect+proto")
                .set_body_bytes(body),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_stream_that_keeps_ending_without_an_exit_code_is_an_error_not_a_success() {
    let server = gateway_server().await;
    let mut body = output(command_session_event::data_event::Output::Stdout(
        b"x".to_vec(),
    ));
    body.extend(end_stream(None).unwrap());
    answer_start(&server, body).await;
    answer_connect(&server, end_stream(None).unwrap()).await;
    let error = client(&server)
        .sandboxes()
        .exec("sb_1", "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport { message } if message.contains("exit code")),
        "{error:?}"
    );
    // Started once, then picked up again with Connect five times.
    assert_eq!(calls_to(&server, START).await, 1);
    assert_eq!(calls_to(&server, CONNECT).await, 5);

    let server = gateway_server().await;
    let mut cut = output(command_session_event::data_event::Output::Stdout(
        b"x".to_vec(),
    ));
    cut.truncate(cut.len() - 1);
    answer_start(&server, cut.clone()).await;
    answer_connect(&server, cut).await;
    let error = client(&server)
        .sandboxes()
        .exec("sb_1", "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport { message } if message.contains("cut")),
        "{error:?}"
    );
    // No event arrived, so the start was never seen: the same Start (same
    // session key, which makes the gateway attach) is sent again.
    let requests = server.received_requests().await.unwrap();
    let keys: Vec<String> = requests
        .iter()
        .filter(|r| r.url.path() == START)
        .map(|r| {
            StartRequest::decode(&r.body[5..])
                .unwrap()
                .session_uuid
                .unwrap()
        })
        .collect();
    assert_eq!(keys.len(), 6);
    assert!(keys.iter().all(|key| *key == keys[0]), "{keys:?}");
    assert_eq!(calls_to(&server, CONNECT).await, 0);
}

#[tokio::test]
async fn the_token_never_shows_in_a_requests_debug_or_an_error() {
    let server = gateway_server().await;
    // A gateway that quotes the token it was given in its error.
    let quoted = format!("boom with {TOKEN}");
    answer_start(
        &server,
        end_stream(Some((Code::Internal, &quoted))).unwrap(),
    )
    .await;
    let client = client(&server);
    let request = client.sandboxes().exec("sb_1", "true");
    assert!(!format!("{request:?}").contains(TOKEN));
    let error = request.send().await.unwrap_err();
    assert!(!format!("{error:?} {error}").contains(TOKEN));
}

#[tokio::test]
async fn one_token_serves_every_command_of_a_sandbox_until_it_nears_expiry() {
    let server = gateway_server().await;
    answer_start(&server, finished()).await;
    let client = client(&server);
    for _ in 0..3 {
        client
            .sandboxes()
            .exec("sb_1", "true")
            .send()
            .await
            .unwrap();
    }
    assert_eq!(calls_to(&server, AUTH).await, 1);

    // A token that lapses within the minute is fetched again for each call.
    let server = gateway_server_until("2000-01-01T00:00:00Z").await;
    answer_start(&server, finished()).await;
    let client = pi_client::Client::builder()
        .api_key(common::API_KEY)
        .base_url(server.uri())
        .build()
        .unwrap();
    for _ in 0..2 {
        client
            .sandboxes()
            .exec("sb_1", "true")
            .send()
            .await
            .unwrap();
    }
    assert_eq!(calls_to(&server, AUTH).await, 2);
}

#[tokio::test]
async fn concurrent_commands_share_one_token_fetch() {
    let server = gateway_server().await;
    answer_start(&server, finished()).await;
    let client = client(&server);
    let runs = (0..8).map(|_| client.sandboxes().exec("sb_1", "true").send());
    for ran in futures::future::join_all(runs).await {
        assert!(ran.unwrap().success());
    }
    assert_eq!(calls_to(&server, AUTH).await, 1);
    assert_eq!(calls_to(&server, START).await, 8);
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_before_any_output() {
    let server = gateway_server().await;
    Mock::given(method("POST"))
        .and(path(START))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"code": "unauthenticated"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    answer_start(&server, finished()).await;
    let ran = client(&server)
        .sandboxes()
        .exec("sb_1", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(ran.stdout, b"ok");
    assert_eq!(calls_to(&server, AUTH).await, 2);
    assert_eq!(calls_to(&server, START).await, 2);

    // Refused again with the new token: the error, after one more try only.
    let server = gateway_server().await;
    Mock::given(method("POST"))
        .and(path(START))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"code": "unauthenticated"})))
        .mount(&server)
        .await;
    let error = client(&server)
        .sandboxes()
        .exec("sb_1", "true")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Gateway {
                code: Code::Unauthenticated,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(calls_to(&server, START).await, 2);
}

/// The `Connect` path on the mock's gateway for sandbox `sb_1`.
const CONNECT: &str = "/gateway/ns_1/job_1/command_session.CommandSession/Connect";

#[tokio::test]
async fn a_refusal_after_output_re_attaches_with_a_fresh_token_and_never_starts_again() {
    use command_session_event::data_event::Output;
    let server = gateway_server().await;
    let mut body = output(Output::Stdout(b"partial ".to_vec()));
    body.extend(end_stream(Some((Code::Unauthenticated, "token expired"))).unwrap());
    answer_start(&server, body).await;
    // What the command printed after the refusal, and its end.
    let mut rest = event(command_session_event::Event::Start(
        command_session_event::StartEvent { pid: 7 },
    ));
    rest.extend(output(Output::Stdout(b"rest".to_vec())));
    rest.extend(end(0));
    rest.extend(end_stream(None).unwrap());
    Mock::given(method("POST"))
        .and(path(CONNECT))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/connect+proto")
                .set_body_bytes(rest),
        )
        .mount(&server)
        .await;
    let ran = client(&server)
        .sandboxes()
        .exec("sb_1", "make deploy")
        .send()
        .await
        .unwrap();
    assert_eq!(ran.stdout_lossy(), "partial rest");
    assert_eq!(calls_to(&server, START).await, 1, "started once");
    assert_eq!(calls_to(&server, CONNECT).await, 1);
    assert_eq!(
        calls_to(&server, AUTH).await,
        2,
        "a fresh token for Connect"
    );
    // Connect names the session the Start created.
    let requests = server.received_requests().await.unwrap();
    let start = requests.iter().find(|r| r.url.path() == START).unwrap();
    let connect = requests.iter().find(|r| r.url.path() == CONNECT).unwrap();
    let key = StartRequest::decode(&start.body[5..])
        .unwrap()
        .session_uuid
        .unwrap();
    let selector = pi_client::types::gateway::ConnectRequest::decode(&connect.body[5..])
        .unwrap()
        .session
        .unwrap()
        .selector
        .unwrap();
    assert_eq!(
        selector,
        pi_client::types::gateway::command_session_selector::Selector::SessionUuid(key)
    );
}

#[tokio::test]
async fn a_file_window_is_read_with_the_gateway_token() {
    let server = gateway_server().await;
    Mock::given(method("GET"))
        .and(path("/gateway/ns_1/job_1/read-file"))
        .and(wiremock::matchers::query_param("path", "/etc/hostname"))
        .and(wiremock::matchers::query_param("offset", "2"))
        .and(wiremock::matchers::query_param("length", "4"))
        .and(wiremock::matchers::header(
            "authorization",
            format!("Bearer {TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "content": "ndbo", "size": 4, "total_size": 8, "offset": 2, "truncated": true
        })))
        .mount(&server)
        .await;
    let window = client(&server)
        .sandboxes()
        .read_file("sb_1", "/etc/hostname")
        .window(2, 4)
        .send()
        .await
        .unwrap();
    assert_eq!(window.content, "ndbo");
    assert_eq!(window.total_size, Some(8));
    assert_eq!(window.truncated, Some(true));

    let refused = client(&server)
        .sandboxes()
        .read_file("sb_1", "/etc/hostname")
        .window(-1, 4)
        .send()
        .await;
    assert!(
        matches!(&refused, Err(Error::InvalidInput(e)) if e.field() == "offset"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_download_streams_into_the_sink_and_a_missing_file_is_not_found() {
    let server = gateway_server().await;
    let content: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    Mock::given(method("GET"))
        .and(path("/gateway/ns_1/job_1/download"))
        .and(wiremock::matchers::query_param("path", "/data/model.bin"))
        .and(wiremock::matchers::query_param("sandbox_id", "sb_1"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(content.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gateway/ns_1/job_1/download"))
        .and(wiremock::matchers::query_param("path", "/nope"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "no such file"})))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut sink = Vec::new();
    let written = client
        .sandboxes()
        .download("sb_1", "/data/model.bin", &mut sink)
        .await
        .unwrap();
    assert_eq!(written, 300_000);
    assert_eq!(sink, content);

    let error = client
        .sandboxes()
        .download("sb_1", "/nope", &mut Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Gateway { code: Code::NotFound, message: Some(m) } if m == "no such file"),
        "{error:?}"
    );
    // Both transfers used the one cached token.
    assert_eq!(calls_to(&server, AUTH).await, 1);
}

#[tokio::test]
async fn an_upload_sends_the_source_as_the_multipart_part_file() {
    let server = gateway_server().await;
    Mock::given(method("POST"))
        .and(path("/gateway/ns_1/job_1/upload"))
        .and(wiremock::matchers::query_param("path", "/data/input.bin"))
        .and(wiremock::matchers::query_param("sandbox_id", "sb_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "path": "/data/input.bin", "size": 200000,
            "timestamp": "2026-12-04T12:00:00Z"
        })))
        .mount(&server)
        .await;
    let content: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
    let stored = client(&server)
        .sandboxes()
        .upload(
            "sb_1",
            "/data/input.bin",
            std::io::Cursor::new(content.clone()),
        )
        .await
        .unwrap();
    assert!(stored.success);
    assert_eq!(stored.size, 200_000);
    let requests = server.received_requests().await.unwrap();
    let upload = requests
        .iter()
        .find(|r| r.url.path().ends_with("/upload"))
        .unwrap();
    let content_type = upload
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("multipart/form-data"),
        "{content_type}"
    );
    let body = &upload.body;
    let head = String::from_utf8_lossy(&body[..body.len().min(300)]);
    assert!(head.contains("name=\"file\""), "{head}");
    // The part holds the source byte for byte.
    let start = body
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
        .unwrap();
    assert_eq!(&body[start..start + content.len()], content.as_slice());
}
