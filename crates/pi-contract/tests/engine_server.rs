//! ContractServer: recording, given and synthesized responses, the PI API's
//! answers to broken requests, and many concurrent requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use pi_contract::{ContractResponse, ContractServer, ServerError, Spec};
use serde_json::{Value, json};

fn mini() -> Arc<Spec> {
    static SPEC: OnceLock<Arc<Spec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.yaml");
        Arc::new(Spec::from_path(&path).unwrap())
    })
    .clone()
}

fn vendored() -> Arc<Spec> {
    static SPEC: OnceLock<Arc<Spec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json");
        Arc::new(Spec::from_path(&path).unwrap())
    })
    .clone()
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn a_valid_request_gets_the_complete_synthesized_body_and_is_recorded() {
    let server = ContractServer::start(mini()).await;
    let response = client()
        .get(format!("{}/api/v1/secrets/s%2F1?teamId=t", server.uri()))
        .bearer_auth("key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    // Like the API, every documented property, not the minimal instance the
    // document would also allow.
    assert_eq!(
        body,
        *server.synthesized("get_secret", 200).unwrap().maximal()
    );
    assert_ne!(
        body,
        *server.synthesized("get_secret", 200).unwrap().minimal()
    );
    assert!(
        server
            .spec()
            .validate_response("get_secret", 200, &body)
            .is_empty()
    );

    let received = server.received_requests();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.operation_id.as_deref(), Some("get_secret"));
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/api/v1/secrets/s%2F1");
    assert_eq!(request.query, [("teamId".to_owned(), "t".to_owned())]);
    assert_eq!(request.header("Authorization"), Some("Bearer key"));
    assert_eq!(request.status, 200);
    // The query parameter is not documented for get_secret: the API would
    // ignore it, so the answer is normal, but the violation is recorded.
    assert_eq!(request.violations.len(), 1);
    assert_eq!(request.violations[0].rule, "unknown-parameter");
    assert!(!format!("{request:?}").contains("Bearer key"));
}

#[tokio::test]
async fn the_maximal_instance_can_be_the_default() {
    let server = ContractServer::start(mini()).await;
    server.use_maximal_responses();
    let body: Value = client()
        .get(format!("{}/api/v1/secrets/", server.uri()))
        .bearer_auth("key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        *server.synthesized("list_secrets", 200).unwrap().maximal()
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    server.use_instance("maximal-3").unwrap();
    let body: Value = client()
        .get(format!("{}/api/v1/secrets/x", server.uri()))
        .bearer_auth("key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["kind"], "TOKEN");
    server.assert_no_violations();
}

#[tokio::test]
async fn given_responses_override_until_reset_and_are_not_validated() {
    let server = ContractServer::start(mini()).await;
    server
        .respond_to("get_secret", 200, Some(json!({"off": "spec"})))
        .unwrap();
    let url = format!("{}/api/v1/secrets/a", server.uri());
    for _ in 0..2 {
        let response = client().get(&url).bearer_auth("k").send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"off": "spec"})
        );
    }
    server.respond_to("get_secret", 404, None).unwrap();
    let response = client().get(&url).bearer_auth("k").send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.bytes().await.unwrap().len(), 0);

    server.reset();
    assert!(server.received_requests().is_empty());
    let response = client().get(&url).bearer_auth("k").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .json::<Value>()
            .await
            .unwrap()
            .get("createdAt")
            .is_some()
    );
}

#[tokio::test]
async fn a_named_instance_a_sequence_headers_and_raw_bodies_can_be_given() {
    let server = ContractServer::start(mini()).await;
    server
        .respond_with_instance("get_secret", 200, "maximal-2")
        .unwrap();
    let url = format!("{}/api/v1/secrets/a", server.uri());
    let body: Value = client()
        .get(&url)
        .bearer_auth("k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        &body,
        server
            .synthesized("get_secret", 200)
            .unwrap()
            .get("maximal-2")
            .unwrap()
    );

    server
        .respond_in_turn(
            "get_secret",
            vec![
                ContractResponse::new(503).header("Retry-After", "0"),
                ContractResponse::new(200).raw("not json", "text/plain"),
            ],
        )
        .unwrap();
    let first = client().get(&url).bearer_auth("k").send().await.unwrap();
    assert_eq!(first.status(), 503);
    assert_eq!(first.headers()["retry-after"], "0");
    for _ in 0..2 {
        let next = client().get(&url).bearer_auth("k").send().await.unwrap();
        assert_eq!(next.status(), 200);
        assert_eq!(next.headers()["content-type"], "text/plain");
        assert_eq!(next.text().await.unwrap(), "not json");
    }
}

#[tokio::test]
async fn a_delayed_response_waits() {
    let server = ContractServer::start(mini()).await;
    server
        .respond_with(
            "secret_stats",
            ContractResponse::new(200).delay(Duration::from_millis(300)),
        )
        .unwrap();
    let started = Instant::now();
    let response = client()
        .get(format!("{}/api/v1/secrets/stats", server.uri()))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn giving_a_response_to_an_unknown_operation_or_instance_is_an_error() {
    let server = ContractServer::start(mini()).await;
    assert!(matches!(
        server.respond_to("no_such_operation", 200, None),
        Err(ServerError::UnknownOperation(_))
    ));
    let error = server
        .respond_with_instance("get_secret", 200, "maximal-9")
        .unwrap_err();
    assert!(error.to_string().contains("minimal, maximal"), "{error}");
    assert!(matches!(
        server.respond_with_instance("get_secret", 418, "minimal"),
        Err(ServerError::Synth(_))
    ));
}

#[tokio::test]
async fn broken_requests_get_the_answers_of_the_pi_api_and_are_recorded() {
    let server = ContractServer::start(mini()).await;
    let base = server.uri();

    let unknown = client()
        .get(format!("{base}/api/v1/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let wrong_method = client()
        .put(format!("{base}/api/v1/secrets/x"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);

    let no_auth = client()
        .get(format!("{base}/api/v1/secrets/"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_auth.status(), 401);

    let invalid = client()
        .post(format!("{base}/api/v1/secrets/"))
        .bearer_auth("k")
        .json(&json!({"name": "lower"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    let body: Value = invalid.json().await.unwrap();
    assert!(
        server
            .spec()
            .validate_response("create_secret", 422, &body)
            .is_empty(),
        "{body}"
    );
    let params: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["param"].as_str().unwrap())
        .collect();
    // The field as pi-types names it: the pattern of `name`, the missing `value`.
    assert!(params.contains(&"name"), "{params:?}");
    assert!(params.contains(&"value"), "{params:?}");
    let locs: Vec<&Value> = body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["loc"])
        .collect();
    assert!(locs.contains(&&json!(["body", "name"])), "{locs:?}");
    assert!(locs.contains(&&json!(["body", "value"])), "{locs:?}");

    let statuses: Vec<u16> = server
        .received_requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [404, 405, 401, 422]);
    let rules: Vec<String> = server
        .violations()
        .iter()
        .map(|v| v.rule.to_string())
        .collect();
    assert_eq!(
        rules[..3],
        ["unknown-operation", "unknown-operation", "missing-auth"]
    );
    assert!(rules[3..].contains(&"pattern".to_owned()));
    let received = server.received_requests();
    assert_eq!(received[3].body, Some(json!({"name": "lower"})));
    assert_eq!(received[3].operation_id.as_deref(), Some("create_secret"));
    assert_eq!(received[0].operation_id, None);

    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        server.assert_no_violations()
    }))
    .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.contains("in 4 of 4 request(s)"), "{message}");
    assert!(
        message.contains("POST /api/v1/secrets/ -> 422"),
        "{message}"
    );
    assert!(
        message.contains("create_secret: body/name: pattern: "),
        "{message}"
    );
    assert!(
        message.contains("operation_id: location: rule: message"),
        "{message}"
    );
    assert!(!message.contains("Bearer k"), "{message}");
}

#[tokio::test]
async fn every_method_reaches_the_catch_all() {
    let server = ContractServer::start(mini()).await;
    let base = server.uri();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client()
            .request(method.clone(), format!("{base}/api/v1/unknown"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method}");
    }
    assert_eq!(server.received_requests().len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_requests_raise_no_violations() {
    let server = Arc::new(ContractServer::start(vendored()).await);
    let client = client();
    let list = server
        .spec()
        .operations()
        .find(|op| op.method() == "GET" && op.path() == "/api/v1/secrets/")
        .unwrap()
        .id()
        .to_owned();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let client = client.clone();
            let url = format!(
                "{}/api/v1/secrets/?limit={}&offset={i}",
                server.uri(),
                1 + i % 100
            );
            tokio::spawn(async move {
                let response = client.get(url).bearer_auth("key").send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.json::<Value>().await.unwrap()
            })
        })
        .collect();
    for task in tasks {
        let body = task.await.unwrap();
        assert!(
            server
                .spec()
                .validate_response(&list, 200, &body)
                .is_empty()
        );
    }
    assert_eq!(server.received_requests().len(), 200);
    assert!(
        server
            .received_requests()
            .iter()
            .all(|r| r.operation_id.as_deref() == Some(list.as_str()))
    );
    server.assert_no_violations();
}

#[tokio::test]
async fn every_success_response_of_the_vendored_spec_is_served_valid() {
    let spec = vendored();
    let server = ContractServer::start(spec.clone()).await;
    server.use_maximal_responses();
    let mut served = 0;
    for operation in spec.operations() {
        let Some(success) = operation.success_response() else {
            continue;
        };
        if success.schema().is_none() {
            continue;
        }
        // Fill every path template with a plain id.
        let path = operation
            .path()
            .split('/')
            .map(|s| if s.starts_with('{') { "id1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        // GET requests without required parameters only: the rest need bodies.
        let required_query = operation
            .parameters()
            .iter()
            .any(|p| p.required() && p.location() != pi_contract::ParameterLocation::Path);
        if operation.method() != "GET" || required_query {
            continue;
        }
        let response = client()
            .get(format!("{}{path}", server.uri()))
            .bearer_auth("key")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), success.status(), "{}", operation.id());
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            spec.validate_response(operation.id(), success.status(), &body),
            [],
            "{}",
            operation.id()
        );
        served += 1;
    }
    assert!(served > 20, "only {served} operations served");
    server.assert_no_violations();
}

#[tokio::test]
async fn a_405_lists_the_documented_methods_in_allow() {
    let server = ContractServer::start(mini()).await;
    let base = server.uri();
    let response = client()
        .put(format!("{base}/api/v1/secrets/x"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers().get("allow").map(|v| v.to_str().unwrap());
    assert_eq!(allow, Some("DELETE, GET"));
    let response = client()
        .delete(format!("{base}/api/v1/secrets/"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers().get("allow").map(|v| v.to_str().unwrap());
    assert_eq!(allow, Some("GET, POST"));
    // Other answers carry no Allow header.
    let found = client()
        .get(format!("{base}/api/v1/secrets/x"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 200);
    assert!(found.headers().get("allow").is_none());
}

#[tokio::test]
async fn integers_beyond_64_bits_in_the_query_are_answered_as_integers() {
    let spec = vendored();
    let server = ContractServer::start(Arc::clone(&spec)).await;
    let base = server.uri();
    // No bounds on list_secrets' limit and offset: a normal, on-schema answer.
    let response = client()
        .get(format!(
            "{base}/api/v1/secrets/?limit=4243599241973884140006144202506240&offset=-11033857926066102272"
        ))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        spec.validate_response("list_secrets_api_v1_secrets__get", 200, &body),
        []
    );
    // get_wallet's offset has minimum 0: a 422 naming that rule, on-schema.
    let response = client()
        .get(format!(
            "{base}/api/v1/billing/wallet?offset=-11033857926066102272"
        ))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        spec.validate_response("get_wallet_api_v1_billing_wallet_get", 422, &body),
        []
    );
    assert_eq!(body["errors"][0]["param"], "offset");
    assert_eq!(body["detail"][0]["loc"], json!(["query", "offset"]));
    assert_eq!(body["detail"][0]["type"], "minimum");
    let received = server.received_requests();
    assert_eq!(received[0].violations, []);
    let rules: Vec<String> = received[1]
        .violations
        .iter()
        .map(|v| v.rule.to_string())
        .collect();
    assert_eq!(rules, ["minimum"]);
}

#[tokio::test]
async fn an_undeclared_body_property_is_recorded_and_answered_normally() {
    let server = ContractServer::start(mini()).await;
    let response = client()
        .post(format!("{}/api/v1/feedback", server.uri()))
        .json(&json!({"message": "hi", "rating": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let violations = server.violations();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].rule, "unknown-property");
    assert_eq!(violations[0].location, "body/rating");
    assert_eq!(violations[0].operation_id.as_deref(), Some("send_feedback"));
}

#[tokio::test]
async fn a_422_lists_what_the_api_refuses_not_what_it_ignores() {
    let server = ContractServer::start(mini()).await;
    let response = client()
        .post(format!("{}/api/v1/feedback?page=2", server.uri()))
        .json(&json!({"rating": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let params: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["param"].as_str().unwrap())
        .collect();
    // The missing required property is named, as FastAPI names it.
    assert_eq!(params, ["message"]);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "message"]));
    // The ignored problems are recorded all the same.
    let mut rules: Vec<String> = server
        .violations()
        .iter()
        .map(|v| format!("{} {}", v.location, v.rule))
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "body/message required",
            "body/rating unknown-property",
            "query.page unknown-parameter"
        ]
    );
}

/// A test that awaits many ready futures (a thousand join handles) can use
/// up its task's cooperative budget right before the server goes out of
/// scope; dropping it there must still end. The scenario runs on a thread
/// of its own, so a drop that spins fails this test instead of hanging it.
#[test]
fn dropping_the_server_in_a_task_without_budget_left_ends() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = ContractServer::start(mini()).await;
            let dropped = tokio::spawn(async move {
                // Each unit is taken without yielding until none is left.
                while tokio::task::coop::has_budget_remaining() {
                    tokio::task::consume_budget().await;
                }
                drop(server);
            });
            dropped.await.unwrap();
        });
        let _ = done.send(());
    });
    assert!(
        finished.recv_timeout(Duration::from_secs(30)).is_ok(),
        "dropping a ContractServer in a task that used up its budget did not end"
    );
}

#[tokio::test]
async fn a_path_without_its_trailing_slash_is_redirected_like_fastapi_does() {
    let server = ContractServer::start(vendored()).await;
    let base = server.uri();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (method, path, documented) in [
        ("GET", "/api/v1/pods?limit=5", "/api/v1/pods/?limit=5"),
        ("POST", "/api/v1/disks", "/api/v1/disks/"),
        // The other way round too: the document has `/api/v1/sandbox`.
        ("GET", "/api/v1/sandbox/", "/api/v1/sandbox"),
    ] {
        let response = no_redirects
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .bearer_auth("k")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 307, "{method} {path}");
        let location = response.headers()["location"].to_str().unwrap();
        assert_eq!(location, format!("{base}{documented}"));
    }
    let received = server.received_requests();
    assert!(
        received.iter().all(|r| r.status == 307
            && r.deviation == Some(pi_contract::Deviation::TrailingSlashRedirect))
    );
    // The API's answer, which the official clients follow: not a violation.
    server.assert_no_violations();

    // A client that follows redirects reaches the documented operation.
    server.reset();
    let page: Value = client()
        .get(format!("{base}/api/v1/pods?limit=5"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page["data"].is_array(), "{page}");
    let last = server.received_requests().pop().unwrap();
    assert_eq!(last.path, "/api/v1/pods/");
    assert_eq!(last.query_value("limit"), Some("5"));

    // A path that is unknown with and without the slash is still a 404.
    let unknown = client()
        .get(format!("{base}/api/v1/nothing"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_concrete_path_wins_over_a_templated_one_for_routing_and_allow() {
    let server = ContractServer::start(vendored()).await;
    let base = server.uri();
    for method in ["OPTIONS", "DELETE"] {
        let response = client()
            .request(
                method.parse().unwrap(),
                format!("{base}/api/v1/pods/history"),
            )
            .bearer_auth("k")
            .send()
            .await
            .unwrap();
        // Only the methods of `/api/v1/pods/history`, not those of
        // `/api/v1/pods/{pod_id}` (DELETE, GET).
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(response.headers()["allow"], "GET", "{method}");
    }
    let history = client()
        .get(format!("{base}/api/v1/pods/history"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(history.status(), 200);
    let operations: Vec<Option<String>> = server
        .received_requests()
        .into_iter()
        .map(|r| r.operation_id)
        .collect();
    assert_eq!(
        operations,
        [
            None,
            None,
            Some("get_pods_history_api_v1_pods_history_get".to_owned())
        ]
    );
}

#[tokio::test]
async fn an_operation_that_keeps_no_state_answers_a_complete_instance() {
    let spec = vendored();
    let server = ContractServer::stateful_on(Arc::clone(&spec)).await;
    let base = server.uri();
    let whoami: Value = client()
        .get(format!("{base}/api/v1/user/whoami"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Every documented property of the user, inside `data`.
    let user = whoami["data"].as_object().expect("data is there");
    let documented = spec
        .resolve(&json!({"$ref": "#/components/schemas/WhoamiResponse"}))
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(!documented.is_empty());
    for name in &documented {
        assert!(user.contains_key(name), "{name} missing from {whoami}");
    }

    // A page's counts agree with its items.
    let page: Value = client()
        .get(format!("{base}/api/v1/pods/history"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["data"].as_array().unwrap().len();
    assert!(items > 0);
    assert_eq!(page["total_count"], items);
    assert_eq!(page["offset"], 0);
    assert!(page["limit"].is_u64());
    server.assert_no_violations();
}

#[tokio::test]
async fn the_minimal_instance_stays_a_call_away_and_reset_brings_back_complete_ones() {
    let server = ContractServer::start(mini()).await;
    let url = format!("{}/api/v1/secrets/a", server.uri());
    let get = || async {
        client()
            .get(&url)
            .bearer_auth("k")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let synthesized = server.synthesized("get_secret", 200).unwrap();
    server.use_instance("minimal").unwrap();
    assert_eq!(get().await, *synthesized.minimal());
    server.reset();
    assert_eq!(get().await, *synthesized.maximal());
    server.use_instance("minimal").unwrap();
    server.use_instance("complete").unwrap();
    assert_eq!(get().await, *synthesized.maximal());
    // A misspelt name is refused and changes nothing.
    let wrong = server.use_instance("maximall").unwrap_err();
    assert!(
        matches!(wrong, ServerError::UnknownInstanceName(_)),
        "{wrong}"
    );
    assert!(wrong.to_string().contains("minimal"), "{wrong}");
    assert!(server.use_instance("maximal-1").is_err());
    assert_eq!(get().await, *synthesized.maximal());
}
