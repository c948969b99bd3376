//! A 404 says what to check: the id, for an operation that names a resource
//! and an answer from the PI API itself; the base URL, shown, when the path
//! itself was not found (an operation without an id) or the answer is not
//! the API's (an HTML page, a proxy's text). A base URL ending in `/api/v1`
//! works, as it does for the `prime` CLI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{API_KEY, answering, client};
use pi_client::decode::decode_response;
use pi_client::{Client, Error, types::ApiResponse, types::Secret};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn api_404(detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"detail": detail}))
}

fn html_404() -> ResponseTemplate {
    ResponseTemplate::new(404)
        .insert_header("content-type", "text/html")
        .set_body_string("<html><body><h1>404 Not Found</h1><hr>nginx</body></html>")
}

/// The base URL of a 404, or a panic for any other error.
fn suspect(error: &Error) -> Option<&str> {
    match error {
        Error::NotFound {
            suspect_base_url, ..
        } => suspect_base_url.as_deref(),
        other => panic!("expected a 404, got {other:?}"),
    }
}

async fn get_error(server: &MockServer) -> Error {
    client(server)
        .secrets()
        .get("sec_1")
        .send()
        .await
        .unwrap_err()
}

async fn list_error(server: &MockServer) -> Error {
    client(server).secrets().list().send().await.unwrap_err()
}

#[tokio::test]
async fn the_apis_404_on_an_operation_with_an_id_says_check_the_id() {
    let server = answering(api_404("Secret not found")).await;
    let error = get_error(&server).await;
    assert_eq!(suspect(&error), None);
    assert_eq!(error.status(), Some(404));
    assert_eq!(
        error.to_string(),
        "not found (404): Secret not found; check the id and the team it belongs to"
    );
    // The other shapes of the API's error bodies count as its own too.
    for body in [
        json!({"message": "no such secret"}),
        json!({"errors": [{"param": "secret_id", "details": "unknown"}]}),
    ] {
        let server = answering(ResponseTemplate::new(404).set_body_json(body.clone())).await;
        let error = get_error(&server).await;
        assert_eq!(suspect(&error), None, "{body}");
        assert!(error.to_string().contains("check the id"), "{error}");
    }
}

#[tokio::test]
async fn a_404_on_an_operation_without_an_id_says_the_base_url_may_be_wrong_and_shows_it() {
    let server = answering(api_404("Not Found")).await;
    let error = list_error(&server).await;
    let base_url = format!("{}/", server.uri());
    assert_eq!(suspect(&error), Some(base_url.as_str()));
    let text = error.to_string();
    assert!(text.starts_with("not found (404): Not Found; "), "{text}");
    assert!(text.contains("the base URL may be wrong"), "{text}");
    assert!(text.contains(&base_url), "{text}");
    assert!(text.contains("PRIME_API_BASE_URL"), "{text}");
    assert!(!text.contains("check the id"), "{text}");
    assert!(!format!("{text}{error:?}").contains(API_KEY), "{text}");
}

#[tokio::test]
async fn a_404_that_is_not_the_apis_says_the_base_url_may_be_wrong_even_with_an_id() {
    let not_the_api = [
        html_404(),
        ResponseTemplate::new(404).set_body_string("404 page not found\n"),
        ResponseTemplate::new(404),
        ResponseTemplate::new(404).set_body_json(json!({"error": "no route"})),
        ResponseTemplate::new(404).set_body_json(json!(["Not Found"])),
        ResponseTemplate::new(404).set_body_string(r#"{"detail": "cut sh"#),
    ];
    for template in not_the_api {
        let server = answering(template).await;
        let base_url = format!("{}/", server.uri());
        for error in [get_error(&server).await, list_error(&server).await] {
            assert_eq!(suspect(&error), Some(base_url.as_str()), "{error}");
            let text = error.to_string();
            assert!(text.contains("the base URL may be wrong"), "{text}");
            assert!(text.contains(&base_url), "{text}");
            assert!(!text.contains("check the id"), "{text}");
            assert!(!text.contains("<html>"), "{text}");
        }
    }
}

#[tokio::test]
async fn the_base_url_shown_is_the_one_requests_go_to() {
    let server = answering(html_404()).await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(format!("{}/gateway/", server.uri()))
        .build()
        .unwrap();
    let error = client.secrets().get("sec_1").send().await.unwrap_err();
    let shown = format!("{}/gateway/", server.uri());
    assert_eq!(suspect(&error), Some(shown.as_str()));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/gateway/api/v1/secrets/sec_1");
}

#[tokio::test]
async fn a_404_is_not_retried_and_stays_a_not_found_error() {
    let server = answering(html_404()).await;
    let error = client(&server)
        .secrets()
        .delete("sec_1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[test]
fn decode_response_knows_no_base_url_and_keeps_the_id_hint() {
    for body in [
        &br#"{"detail": "no such secret"}"#[..],
        b"<html>404</html>",
        b"",
    ] {
        let error = decode_response::<ApiResponse<Secret>>(404, body).unwrap_err();
        assert_eq!(suspect(&error), None);
        assert!(error.to_string().contains("check the id"), "{error}");
    }
}

#[tokio::test]
async fn a_base_url_ending_in_api_v1_reaches_the_api_as_the_cli_does() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/secrets/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"total_count": 0, "offset": 0, "limit": 100, "data": []})),
        )
        .mount(&server)
        .await;
    for suffix in ["/api/v1", "/api/v1/"] {
        let client = Client::builder()
            .api_key(API_KEY)
            .base_url(format!("{}{suffix}", server.uri()))
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), format!("{}/", server.uri()));
        let page = client.secrets().list().send().await.unwrap();
        assert!(page.data.is_empty(), "{suffix}");
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.url.path() == "/api/v1/secrets/"));
}
