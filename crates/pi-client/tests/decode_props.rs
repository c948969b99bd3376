//! Robust decoding, as properties: arbitrary bytes and arbitrary JSON fed to
//! every response decoder (through the client, against a server answering
//! those bytes, and through `decode_response`) and to the error-body parser
//! never panic; a success status with a body that is not the promised shape
//! is `Error::Decode`, and an error status maps by its status whatever the body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{API_KEY, quick_retries, secret_json};
use pi_client::decode::decode_response;
use pi_client::types::{ApiResponse, ErrorBody, Page, Secret};
use pi_client::{Client, Error, RetryPolicy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers};

/// Cases for the properties that go through a server.
const SERVER_CASES: u32 = 48;
/// Cases for the pure ones.
const PURE_CASES: u32 = 512;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        // Field values the models look for, in the wrong places.
        prop::sample::select(vec!["2026-01-15T10:30:00", "s1", "HF_TOKEN", ""])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "data",
                    "id",
                    "name",
                    "createdAt",
                    "updatedAt",
                    "total_count",
                    "offset",
                    "limit",
                    "detail",
                    "errors",
                    "param",
                    "details",
                    "loc",
                    "msg",
                    "type",
                    "isFile",
                    "teamId",
                    "value",
                    "x",
                ])
                .prop_map(str::to_owned),
                inner,
                0..6,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Bodies: raw bytes, any JSON, JSON in the right envelopes with anything
/// inside, valid bodies cut short or with garbage after them.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    let valid_secret = json!({"data": secret_json("s1")}).to_string();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json_value().prop_map(|value| value.to_string().into_bytes()),
        json_value().prop_map(|data| json!({"data": data}).to_string().into_bytes()),
        prop::collection::vec(json_value(), 0..4).prop_map(|items| {
            json!({"total_count": 3, "offset": 0, "limit": 3, "data": items})
                .to_string()
                .into_bytes()
        }),
        (0..valid_secret.len()).prop_map(move |cut| valid_secret.as_bytes()[..cut].to_vec()),
        ".{1,8}".prop_map(|tail| {
            let mut body = json!({"data": secret_json("s1")}).to_string();
            body.push_str(&tail);
            body.into_bytes()
        }),
    ]
}

/// A decoded success, or a decode error for a 2xx status; nothing else.
fn decoded_or_decode_error<T>(result: &Result<T, Error>, status: u16) -> bool {
    match result {
        Ok(_) => true,
        // An envelope without `data` (a JSON array decodes as an empty
        // struct) is the typed form of a decode failure.
        Err(Error::Decode { status: s, .. } | Error::MissingData { status: s, .. }) => *s == status,
        Err(_) => false,
    }
}

#[test]
fn the_error_body_parser_never_panics_on_bytes_or_json() {
    let mut runner = TestRunner::new(config(PURE_CASES));
    runner
        .run(&bodies(), |bytes| {
            let parsed = ErrorBody::parse(&bytes);
            if let Some(body) = parsed {
                let _ = body.summary();
                let _ = body.field_errors();
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn decode_response_never_panics_and_sorts_by_status() {
    let statuses = prop_oneof![Just(200_u16), Just(201), 100_u16..=999, any::<u16>(),];
    let mut runner = TestRunner::new(config(PURE_CASES));
    runner
        .run(&(statuses, bodies()), |(status, bytes)| {
            let page = decode_response::<Page<Secret>>(status, &bytes);
            let envelope = decode_response::<ApiResponse<Secret>>(status, &bytes);
            let anything = decode_response::<Value>(status, &bytes);
            if (200..300).contains(&status) {
                prop_assert!(decoded_or_decode_error(&page, status), "{page:?}");
                prop_assert!(decoded_or_decode_error(&envelope, status), "{envelope:?}");
                prop_assert_eq!(
                    anything.is_ok(),
                    serde_json::from_slice::<Value>(&bytes).is_ok()
                );
            } else {
                for error in [page.err(), envelope.err(), anything.err()] {
                    let error = error.expect("an error status decoded as a success");
                    prop_assert!(!matches!(error, Error::Decode { .. }), "{error:?}");
                    prop_assert_eq!(error.status(), Some(status));
                    let _ = error.to_string();
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Calls every decoder of the Secrets area once.
async fn every_decoder(client: &Client) -> [Result<(), Error>; 5] {
    let secrets = client.secrets();
    [
        secrets.list().send().await.map(drop),
        secrets.get("s1").send().await.map(drop),
        secrets.create("NAME", "value").send().await.map(drop),
        secrets.update("s1").description("d").send().await.map(drop),
        secrets.delete("s1").send().await,
    ]
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    client: Client,
}

impl Harness {
    fn new(policy: RetryPolicy) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        let client = Client::builder()
            .api_key(API_KEY)
            .base_url(server.uri())
            .retry_policy(policy)
            .build()
            .unwrap();
        Self {
            runtime,
            server,
            client,
        }
    }

    /// Makes the server answer `status` with `body`, then calls every decoder.
    fn answer(&self, status: u16, body: &[u8]) -> [Result<(), Error>; 5] {
        self.runtime.block_on(async {
            self.server.reset().await;
            Mock::given(matchers::any())
                .respond_with(ResponseTemplate::new(status).set_body_bytes(body.to_vec()))
                .mount(&self.server)
                .await;
            every_decoder(&self.client).await
        })
    }
}

#[test]
fn every_decoder_of_the_client_turns_2xx_garbage_into_decode_errors() {
    let harness = Harness::new(quick_retries());
    let mut runner = TestRunner::new(config(SERVER_CASES));
    runner
        .run(&bodies(), |bytes| -> Result<(), TestCaseError> {
            let [list, get, create, update, delete] = harness.answer(200, &bytes);
            for result in [&list, &get, &create, &update] {
                prop_assert!(decoded_or_decode_error(result, 200), "{result:?}");
            }
            // Delete ignores the body of a success, whatever it is.
            prop_assert!(delete.is_ok(), "{delete:?}");
            Ok(())
        })
        .unwrap();
}

#[test]
fn every_decoder_of_the_client_maps_error_statuses_whatever_the_body() {
    // No retries, so each case is one request per decoder.
    let harness = Harness::new(RetryPolicy::none());
    let statuses = prop::sample::select(vec![
        400_u16, 401, 402, 403, 404, 409, 418, 422, 429, 500, 502, 503, 504,
    ]);
    let mut runner = TestRunner::new(config(SERVER_CASES));
    runner
        .run(&(statuses, bodies()), |(status, bytes)| {
            for result in harness.answer(status, &bytes) {
                let error = result.expect_err("an error status was a success");
                prop_assert_eq!(error.status(), Some(status), "{:?}", error);
                prop_assert!(!matches!(error, Error::Decode { .. }), "{error:?}");
            }
            Ok(())
        })
        .unwrap();
}
