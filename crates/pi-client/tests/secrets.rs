//! The shared request layer as Secrets uses it, against a wiremock server:
//! bearer header, team placement (query or body, default, override,
//! personal), paging, validation before sending, decoding edge cases and
//! path safety. What every operation must send and decode is proven by the
//! contract suite against the document; these tests pin the behaviour the
//! document cannot state.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{API_KEY, client, query_pairs, secret_json, single_request, team_client};
use futures::TryStreamExt;
use pi_client::Error;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"data": data, "status": "success"}))
}

#[tokio::test]
async fn list_sends_get_with_bearer_and_paging_and_no_team_by_default() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/secrets/"))
        .and(header(
            "authorization",
            format!("Bearer {API_KEY}").as_str(),
        ))
        .and(query_param("offset", "10"))
        .and(query_param("limit", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total_count": 11, "offset": 10, "limit": 5, "data": [secret_json("s1")]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .secrets()
        .list()
        .offset(10)
        .limit(5)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count, 11);
    assert_eq!(page.data[0].id, "s1");
    let request = single_request(&server).await;
    assert!(query_pairs(&request).iter().all(|(k, _)| k != "teamId"));
    assert!(
        request
            .headers
            .get("user-agent")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("pi-client/")
    );
}

#[tokio::test]
async fn the_client_default_team_is_sent_and_can_be_overridden_or_dropped() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(secret_json("s1")))
        .mount(&server)
        .await;
    let client = team_client(&server);
    client.secrets().get("s1").send().await.unwrap();
    client
        .secrets()
        .get("s1")
        .team("team_other")
        .send()
        .await
        .unwrap();
    client.secrets().get("s1").personal().send().await.unwrap();
    let teams: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| {
            query_pairs(request)
                .into_iter()
                .find(|(k, _)| k == "teamId")
                .map(|(_, v)| v)
        })
        .collect();
    assert_eq!(
        teams,
        vec![Some("team_default".into()), Some("team_other".into()), None]
    );
}

#[tokio::test]
async fn into_stream_walks_every_page_in_order() {
    let server = MockServer::start().await;
    for (offset, ids) in [(0, vec!["a", "b"]), (2, vec!["c", "d"]), (4, vec!["e"])] {
        let data: Vec<Value> = ids.iter().map(|id| secret_json(id)).collect();
        Mock::given(method("GET"))
            .and(path("/api/v1/secrets/"))
            .and(query_param("offset", offset.to_string().as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "total_count": 5, "offset": offset, "limit": 2, "data": data
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let ids: Vec<String> = client(&server)
        .secrets()
        .list()
        .limit(2)
        .into_stream()
        .map_ok(|secret| secret.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn create_posts_the_validated_body_with_the_team_in_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/secrets/"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "name": "HF_TOKEN", "value": "hf_value", "description": "read token",
            "teamId": "team_default", "isFile": true
        })))
        .respond_with(ok(secret_json("s9")))
        .expect(1)
        .mount(&server)
        .await;
    let created = team_client(&server)
        .secrets()
        .create("HF_TOKEN", "hf_value")
        .description("read token")
        .is_file(true)
        .send()
        .await
        .unwrap();
    assert_eq!(created.id, "s9");
    // The team travels in the body for create, not in the query.
    assert!(query_pairs(&single_request(&server).await).is_empty());
}

#[tokio::test]
async fn a_team_the_caller_put_in_the_body_is_kept_and_personal_sends_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(secret_json("s9")))
        .mount(&server)
        .await;
    let client = team_client(&server);
    client
        .secrets()
        .create("A", "v")
        .team("team_chosen")
        .send()
        .await
        .unwrap();
    client
        .secrets()
        .create("B", "v")
        .personal()
        .send()
        .await
        .unwrap();
    let bodies: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| serde_json::from_slice(&request.body).unwrap())
        .collect();
    assert_eq!(bodies[0]["teamId"], "team_chosen");
    assert_eq!(bodies[1], json!({"name": "B", "value": "v"}));
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = client(&server);
    let cases = [
        (
            client.secrets().create("bad name", "v").send().await,
            "name",
        ),
        (client.secrets().create("OK", "").send().await, "value"),
        (
            client
                .secrets()
                .create("OK", "v")
                .description("d".repeat(501))
                .send()
                .await,
            "description",
        ),
        (
            client
                .secrets()
                .create("OK", "v".repeat(65_537))
                .is_file(true)
                .send()
                .await,
            "value",
        ),
        (client.secrets().update("s1").name("x").send().await, "name"),
    ];
    for (result, field) in cases {
        match result {
            Err(Error::InvalidInput(error)) => assert_eq!(error.field(), field),
            other => panic!("expected invalid `{field}`, got {other:?}"),
        }
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_null_or_missing_data_field_is_missing_data_naming_the_operation() {
    for body in [
        json!({"data": null}),
        json!({}),
        json!({"status": "ok", "secret": "sv_live_do_not_show"}),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
            .mount(&server)
            .await;
        let error = client(&server)
            .secrets()
            .get("s1")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::MissingData { ref operation, status: 200, ref missing }
                    if operation == "GET /api/v1/secrets/{secret_id}" && missing == "data"
            ),
            "{body}: {error:?}"
        );
        assert_eq!(error.status(), Some(200));
        let message = error.to_string();
        assert!(
            message.contains("GET /api/v1/secrets/{secret_id}") && message.contains("`data`"),
            "{message}"
        );
        assert!(!message.contains("sv_live"), "{message}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_an_envelope_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([1, 2])))
        .mount(&server)
        .await;
    let error = client(&server)
        .secrets()
        .get("s1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_wrongly_typed_field_names_its_json_path() {
    let server = MockServer::start().await;
    let mut body = secret_json("s1");
    body["isFile"] = json!("yes");
    Mock::given(method("GET"))
        .respond_with(ok(body))
        .mount(&server)
        .await;
    let error = client(&server)
        .secrets()
        .get("s1")
        .send()
        .await
        .unwrap_err();
    match error {
        Error::Decode { path, excerpt, .. } => {
            assert_eq!(path, "data.isFile");
            assert!(excerpt.contains("\"id\":\"s1\""), "{excerpt}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn delete_succeeds_on_any_json_or_an_empty_body() {
    let bodies = [
        ResponseTemplate::new(200),
        ResponseTemplate::new(200).set_body_json(json!({})),
        ResponseTemplate::new(200).set_body_json(json!(null)),
        ResponseTemplate::new(200).set_body_json(json!({"data": "gone", "anything": [1]})),
        ResponseTemplate::new(204),
    ];
    for template in bodies {
        let server = MockServer::start().await;
        Mock::given(method("DELETE"))
            .and(path("/api/v1/secrets/s1"))
            .respond_with(template)
            .expect(1)
            .mount(&server)
            .await;
        client(&server).secrets().delete("s1").send().await.unwrap();
    }
}

#[tokio::test]
async fn awkward_ids_stay_inside_their_one_path_segment() {
    let ids = [
        "a/b",
        "../etc/passwd",
        "a/../../b",
        "what?x=1",
        "frag#ment",
        "100%",
        "%2F",
        "with space",
        "naïve-日本",
        "...",
        "a\\b",
        "+plus",
        ";semi",
    ];
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client(&server);
    for id in ids {
        client.secrets().delete(id).send().await.unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    for (id, request) in ids.iter().zip(&requests) {
        let segments: Vec<&str> = request.url.path_segments().unwrap().collect();
        assert_eq!(segments.len(), 4, "{id:?} -> {}", request.url);
        assert_eq!(&segments[..3], ["api", "v1", "secrets"], "{id:?}");
        let decoded = percent_encoding::percent_decode_str(segments[3])
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, *id, "{}", request.url);
        assert!(
            request.url.query().is_none(),
            "{id:?} leaked into the query"
        );
        assert!(
            request.url.fragment().is_none(),
            "{id:?} leaked into a fragment"
        );
    }
}
