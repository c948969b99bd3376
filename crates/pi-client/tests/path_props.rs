//! Path safety, as a property: whatever string a caller passes as an id
//! (slashes, dots, `?`, `#`, `%`, spaces, non-ASCII, control characters), the
//! request the server receives has exactly the expected path segments, no
//! query or fragment of the id's making, and its last segment decodes back to
//! the id. The ids URL handling would remove (`""`, `"."`, `".."`) are refused
//! as invalid input, and nothing is sent for them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{API_KEY, quick_retries, secret_json};
use percent_encoding::percent_decode_str;
use pi_client::{Client, Error};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use wiremock::matchers;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Cases per run: enough to hit every awkward character class, few enough to stay fast.
const CASES: u32 = 64;

fn ids() -> impl Strategy<Value = String> {
    prop_oneof![
        // Mostly the characters that matter to URLs.
        "[/.?#%& +;=a-zA-Z0-9é☃\u{0}-\u{1f}\u{7f}\\\\-]{0,16}",
        // Any Unicode at all.
        any::<String>(),
        // Path-traversal shapes.
        prop::sample::select(vec![
            "", ".", "..", "../..", "./", "/", "%2e%2e", "a/../b", "..%2F"
        ])
        .prop_map(str::to_owned),
    ]
}

/// Which operation is called with the id.
#[derive(Debug, Clone, Copy)]
enum Operation {
    Get,
    Update,
    Delete,
}

async fn call(client: &Client, operation: Operation, id: &str) -> Result<(), Error> {
    let secrets = client.secrets();
    match operation {
        Operation::Get => secrets.get(id).send().await.map(drop),
        Operation::Update => secrets.update(id).description("d").send().await.map(drop),
        Operation::Delete => secrets.delete(id).send().await,
    }
}

fn check(
    runtime: &tokio::runtime::Runtime,
    server: &MockServer,
    client: &Client,
    id: &str,
) -> Result<(), TestCaseError> {
    for operation in [Operation::Get, Operation::Update, Operation::Delete] {
        let before = runtime.block_on(server.received_requests()).unwrap().len();
        let result = runtime.block_on(call(client, operation, id));
        let received = runtime.block_on(server.received_requests()).unwrap();
        if matches!(id, "" | "." | "..") {
            prop_assert!(
                matches!(&result, Err(Error::InvalidInput(e)) if e.field() == "secret_id"),
                "{operation:?} {id:?}: {result:?}"
            );
            prop_assert_eq!(received.len(), before, "something was sent for {:?}", id);
            continue;
        }
        prop_assert!(result.is_ok(), "{operation:?} {id:?}: {result:?}");
        prop_assert_eq!(received.len(), before + 1);
        let url = &received[before].url;
        let segments: Vec<&str> = url.path_segments().unwrap().collect();
        prop_assert_eq!(segments.len(), 4, "{:?} became {}", id, url);
        prop_assert_eq!(&segments[..3], &["api", "v1", "secrets"]);
        let decoded = percent_decode_str(segments[3]).decode_utf8().unwrap();
        prop_assert_eq!(decoded.as_ref(), id);
        prop_assert_eq!(url.query(), None, "{:?} made a query: {}", id, url);
        prop_assert_eq!(url.fragment(), None);
    }
    Ok(())
}

#[test]
fn every_id_stays_one_path_segment_and_decodes_back() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(MockServer::start());
    runtime.block_on(
        Mock::given(matchers::any())
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": secret_json("s1")})),
            )
            .mount(&server),
    );
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&ids(), |id| check(&runtime, &server, &client, &id))
        .unwrap();
    // The fixed traversal shapes are checked every run, whatever was drawn.
    for id in [
        "", ".", "..", "../..", "/", "?", "#", "%", "%2e%2e", " ", "a/../b",
    ] {
        check(&runtime, &server, &client, id).unwrap();
    }
}
