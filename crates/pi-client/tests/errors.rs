//! Every error status, undecodable bodies and transport failures map to their
//! `Error` variant; no error, `Debug` or `Display` shows the key or a secret value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{API_KEY, answering, client};
use pi_client::{Client, Error};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn error_for(template: ResponseTemplate) -> Error {
    let server = answering(template).await;
    // Create is not idempotent, so no retry hides the first answer.
    client(&server)
        .secrets()
        .create("NAME", "secret-value-xyz")
        .send()
        .await
        .unwrap_err()
}

fn status_with_detail(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"detail": "explained by server"}))
}

#[tokio::test]
async fn each_documented_status_maps_to_its_variant_with_the_server_message() {
    type IsExpected = fn(&Error) -> bool;
    let cases: Vec<(u16, IsExpected)> = vec![
        (401, |e| matches!(e, Error::Unauthorized { .. })),
        (402, |e| matches!(e, Error::PaymentRequired { .. })),
        (403, |e| matches!(e, Error::Forbidden { .. })),
        (404, |e| matches!(e, Error::NotFound { .. })),
        (409, |e| matches!(e, Error::Conflict { .. })),
        (500, |e| matches!(e, Error::Server { status: 500, .. })),
        (501, |e| matches!(e, Error::Server { status: 501, .. })),
        (418, |e| {
            matches!(e, Error::UnexpectedStatus { status: 418, .. })
        }),
        (302, |e| {
            matches!(e, Error::UnexpectedStatus { status: 302, .. })
        }),
    ];
    for (status, is_expected) in cases {
        let error = error_for(status_with_detail(status)).await;
        assert!(is_expected(&error), "{status} gave {error:?}");
        assert_eq!(error.status(), Some(status));
        assert!(
            error.to_string().contains("explained by server"),
            "{status}: {error}"
        );
    }
}

#[tokio::test]
async fn a_422_in_the_documented_shape_lists_the_fields() {
    let error = error_for(ResponseTemplate::new(422).set_body_json(json!({
        "errors": [{"param": "name", "details": "already taken"}, {"param": "value", "details": "too big"}]
    })))
    .await;
    match &error {
        Error::Validation {
            status: 422,
            errors,
            ..
        } => {
            let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["name", "value"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "the PI API rejected the request (422): name: already taken; value: too big"
    );
}

#[tokio::test]
async fn a_422_in_fastapi_shape_lists_the_fields() {
    let error = error_for(ResponseTemplate::new(422).set_body_json(json!({
        "detail": [{"loc": ["body", "name"], "msg": "String should match pattern", "type": "string_pattern_mismatch"}]
    })))
    .await;
    match error {
        Error::Validation { errors, .. } => {
            // The field as the local checks name it, the location apart.
            assert_eq!(errors[0].field, "name");
            assert_eq!(errors[0].location, pi_types::FieldLocation::Body);
            assert_eq!(errors[0].kind.as_deref(), Some("string_pattern_mismatch"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_429_carries_retry_after() {
    let error = error_for(ResponseTemplate::new(429).insert_header("retry-after", "12")).await;
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(12)),
        "{error:?}"
    );
    let error = error_for(ResponseTemplate::new(429)).await;
    assert!(
        matches!(error, Error::RateLimited { retry_after: None }),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_error_status_with_a_non_json_body_still_maps_by_status() {
    let error = error_for(ResponseTemplate::new(503).set_body_string("<html>down</html>")).await;
    assert!(
        matches!(
            error,
            Error::Server {
                status: 503,
                message: None
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_html_page_with_status_200_is_a_decode_error_with_an_excerpt() {
    let error = error_for(
        ResponseTemplate::new(200).set_body_string("<html><body>proxy login</body></html>"),
    )
    .await;
    match error {
        Error::Decode {
            status: 200,
            excerpt,
            ..
        } => assert!(excerpt.starts_with("<html>"), "{excerpt}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind then drop a listener so the port is very likely closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let error = client.secrets().get("s1").send().await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(error.status(), None);
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(API_KEY)
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = client.secrets().create("N", "v").send().await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

#[tokio::test]
async fn no_error_shows_the_key_or_the_secret_value() {
    let templates = [
        status_with_detail(401),
        ResponseTemplate::new(422)
            .set_body_json(json!({"errors": [{"param": "value", "details": "bad"}]})),
        ResponseTemplate::new(429),
        ResponseTemplate::new(500),
        ResponseTemplate::new(200).set_body_json(json!({"data": {"value": "secret-value-xyz"}})),
        ResponseTemplate::new(200).set_body_string("not json"),
    ];
    for template in templates {
        let error = error_for(template).await;
        let mut shown = format!("{error} {error:?} {error:#?}");
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            shown.push_str(&format!(" {cause} {cause:?}"));
            source = cause.source();
        }
        assert!(!shown.contains(API_KEY), "{shown}");
        assert!(!shown.contains("secret-value-xyz"), "{shown}");
    }
    let local = Client::builder()
        .api_key(API_KEY)
        .build()
        .unwrap()
        .secrets()
        .create("N", "secret-value-xyz")
        .description("d".repeat(600))
        .send()
        .await
        .unwrap_err();
    assert!(!format!("{local} {local:?}").contains("secret-value-xyz"));
}

#[tokio::test]
async fn builders_and_handles_do_not_show_secret_values_in_debug() {
    let client = Client::builder().api_key(API_KEY).build().unwrap();
    let create = client.secrets().create("N", "secret-value-xyz");
    let update = client.secrets().update("s1").value("secret-value-xyz");
    let shown = format!("{create:?} {update:?} {:?} {client:?}", client.secrets());
    assert!(!shown.contains("secret-value-xyz"), "{shown}");
    assert!(!shown.contains(API_KEY), "{shown}");
}
