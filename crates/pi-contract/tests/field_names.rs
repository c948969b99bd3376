//! One mistake, one field name: the same invalid input named by pi-types'
//! checks before sending, by the API's own 422 (a stub in FastAPI's shape,
//! read by pi-client) and by `ContractServer`'s 422 (read by pi-client the
//! same way) must give the same field and the same location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pi_client::{Client, Error, RetryPolicy};
use pi_contract::ContractServer;
use pi_types::{CreatePod, CreateSecret, FieldLocation, Validate};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The (field, location) pairs of a validation error from the server.
fn named(error: &Error) -> Vec<(String, FieldLocation)> {
    match error {
        Error::Validation { errors, .. } => errors
            .iter()
            .map(|e| (e.field.clone(), e.location))
            .collect(),
        other => panic!("expected Error::Validation, got {other:?}"),
    }
}

/// What the mock answers to `method target` with `body`, mapped exactly as
/// pi-client maps the answers it receives. The request is sent by hand, as
/// the client itself would refuse it before sending.
async fn mock_says(
    method: &str,
    target: &str,
    body: Option<&Value>,
) -> Vec<(String, FieldLocation)> {
    let server = ContractServer::vendored().await;
    let http = reqwest::Client::new();
    let url = format!("{}{target}", server.uri());
    let request = match method {
        "POST" => http.post(url),
        _ => http.get(url),
    }
    .bearer_auth("test-key");
    let request = match body {
        Some(body) => request.json(body),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&bytes));
    let error = pi_client::decode::decode_response::<Value>(status, &bytes).unwrap_err();
    named(&error)
}

/// A stub of the API that answers every request with FastAPI's 422 for `loc`,
/// and a client pointed at it.
async fn stub_api(loc: Value) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "detail": [{"loc": loc, "msg": "refused by the API", "type": "value_error"}]
        })))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (server, client)
}

fn local(error: &pi_types::InvalidInput) -> Vec<(String, FieldLocation)> {
    vec![(error.field().to_owned(), error.location())]
}

#[tokio::test]
async fn a_secret_name_too_long_is_name_in_the_body_for_all_three() {
    let long = format!("A{}", "B".repeat(255));
    let expected = vec![("name".to_owned(), FieldLocation::Body)];

    let checked = CreateSecret::new(long.as_str(), "v")
        .validate()
        .unwrap_err();
    assert_eq!(local(&checked), expected);

    let (_stub, client) = stub_api(json!(["body", "name"])).await;
    let answered = client
        .secrets()
        .create("HF_TOKEN", "v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(named(&answered), expected);

    let mocked = mock_says(
        "POST",
        "/api/v1/secrets/",
        Some(&json!({"name": long, "value": "v"})),
    )
    .await;
    assert_eq!(mocked, expected);
}

#[tokio::test]
async fn a_nested_rule_is_pod_dot_gpu_count_for_all_three() {
    let body = json!({
        "pod": {"cloudId": "c1", "gpuCount": 0, "gpuType": "A100_80GB", "socket": "PCIe"},
        "provider": {"type": "runpod"}
    });
    let expected = vec![("pod.gpuCount".to_owned(), FieldLocation::Body)];

    let pod: CreatePod = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(local(&pod.validate().unwrap_err()), expected);

    let (_stub, client) = stub_api(json!(["body", "pod", "gpuCount"])).await;
    let mut valid: CreatePod = serde_json::from_value(body.clone()).unwrap();
    valid.pod.gpu_count = 1;
    let answered = client
        .pods()
        .create(valid.pod, valid.provider)
        .send()
        .await
        .unwrap_err();
    assert_eq!(named(&answered), expected);

    assert_eq!(
        mock_says("POST", "/api/v1/pods/", Some(&body)).await,
        expected
    );
}

#[tokio::test]
async fn a_missing_required_field_is_named_by_the_api_and_the_mock_alike() {
    // Locally a required field is a constructor argument, so forgetting it
    // does not compile; the API and the mock name it the same way.
    let expected = vec![("name".to_owned(), FieldLocation::Body)];
    let (_stub, client) = stub_api(json!(["body", "name"])).await;
    let answered = client
        .secrets()
        .create("HF_TOKEN", "v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(named(&answered), expected);

    let mocked = mock_says("POST", "/api/v1/secrets/", Some(&json!({"value": "v"}))).await;
    assert_eq!(mocked, expected);
}

#[tokio::test]
async fn a_query_parameter_is_named_alone_with_the_query_as_its_location() {
    let expected = vec![("limit".to_owned(), FieldLocation::Query)];

    let (_stub, client) = stub_api(json!(["query", "limit"])).await;
    let checked = client.billing().wallet().limit(0).send().await.unwrap_err();
    match &checked {
        Error::InvalidInput(input) => assert_eq!(local(input), expected),
        other => panic!("expected Error::InvalidInput, got {other:?}"),
    }
    let answered = client.billing().wallet().limit(5).send().await.unwrap_err();
    assert_eq!(named(&answered), expected);

    assert_eq!(
        mock_says("GET", "/api/v1/billing/wallet?limit=0", None).await,
        expected
    );
}

#[tokio::test]
async fn list_items_are_indexed_as_the_local_checks_index_them() {
    // envVars[0] without its required `value`.
    let body = json!({
        "pod": {"cloudId": "c1", "gpuCount": 1, "gpuType": "A100_80GB", "socket": "PCIe",
                "envVars": [{"key": "A"}]},
        "provider": {"type": "runpod"}
    });
    assert_eq!(
        mock_says("POST", "/api/v1/pods/", Some(&body)).await,
        vec![("pod.envVars[0].value".to_owned(), FieldLocation::Body)]
    );
}
