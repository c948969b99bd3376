//! The login challenge's two calls carry no API key: the start goes out
//! without an `Authorization` header, the status with the challenge's own
//! token as the bearer; neither token shows in `Debug`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{API_KEY, client, query_pairs, single_request};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_challenge_starts_without_the_api_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/auth_challenge/generate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "challenge": "ABCD-1234", "status_auth_token": "st_0nly_f0r_status"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let challenge = client(&server)
        .login()
        .start_challenge("-----BEGIN PUBLIC KEY-----")
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.challenge, "ABCD-1234");
    assert!(!format!("{challenge:?}").contains("st_0nly_f0r_status"));
    let request = single_request(&server).await;
    assert!(request.headers.get("authorization").is_none());
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        json!({"encryptionPublicKey": "-----BEGIN PUBLIC KEY-----"})
    );
}

#[tokio::test]
async fn its_status_is_asked_with_the_challenges_token_instead_of_the_api_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/auth_challenge/status"))
        .and(header("authorization", "Bearer st_0nly_f0r_status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": "ZW5j"})))
        .expect(1)
        .mount(&server)
        .await;
    let token = pi_client::types::SecretString::from("st_0nly_f0r_status");
    let client = client(&server);
    let request = client.login().challenge_status("ABCD-1234", &token);
    assert!(!format!("{request:?}").contains("st_0nly_f0r_status"));
    let status = request.send().await.unwrap();
    assert!(status.result.is_some());
    assert!(!format!("{status:?}").contains("ZW5j"));
    let sent = single_request(&server).await;
    assert_eq!(
        query_pairs(&sent),
        [("challenge".to_owned(), "ABCD-1234".to_owned())]
    );
    let authorization = sent.headers.get("authorization").unwrap();
    assert!(!authorization.to_str().unwrap().contains(API_KEY));
}

#[tokio::test]
async fn a_token_a_header_cannot_carry_is_refused_before_sending() {
    let server = MockServer::start().await;
    let token = pi_client::types::SecretString::from("bad\ntoken");
    let refused = client(&server)
        .login()
        .challenge_status("ABCD-1234", &token)
        .send()
        .await;
    assert!(matches!(refused, Err(pi_client::Error::InvalidInput(_))));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_client_without_a_key_logs_in_and_refuses_the_rest_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/auth_challenge/generate"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "challenge": "ABCD-1234", "status_auth_token": "st_0nly_f0r_status"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = pi_client::Client::builder()
        .base_url(server.uri())
        .without_api_key()
        .build()
        .unwrap();
    let challenge = client
        .login()
        .start_challenge("-----BEGIN PUBLIC KEY-----")
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.challenge, "ABCD-1234");
    // A call that needs the key fails naming it, and nothing goes out.
    let error = client.secrets().list().send().await.unwrap_err();
    assert!(
        matches!(error, pi_client::Error::Configuration { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("GET /api/v1/secrets/") && text.contains("without_api_key"),
        "{text}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // A key given after all makes it a normal client again.
    let keyed = pi_client::Client::builder()
        .base_url(server.uri())
        .without_api_key()
        .api_key(API_KEY)
        .build()
        .unwrap();
    let shown = format!("{keyed:?}");
    assert!(shown.contains(r#"api_key: Some("[redacted]")"#), "{shown}");
    assert!(!shown.contains(API_KEY), "{shown}");
    // One built without a key says so instead of showing a key it lacks.
    let shown = format!("{client:?}");
    assert!(shown.contains("api_key: None"), "{shown}");
}
