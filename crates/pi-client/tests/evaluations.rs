//! Evaluations behaviour the document cannot state: pushing samples in
//! batches under a size limit (in order, stopping at the first failed
//! batch, reporting each one), walking every page of the evaluation and
//! sample lists, finalizing with and without a body, and refusing input that
//! breaks a rule before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, query_pairs, team_client};
use futures::TryStreamExt;
use pi_client::types::Rule;
use pi_client::{Client, Error};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SAMPLES_PATH: &str = "/api/v1/evaluations/eval_1/samples";

fn pushed(count: usize) -> Value {
    json!({"evaluation_id": "eval_1", "samples_pushed": count, "status": "RUNNING"})
}

fn evaluation(id: &str) -> Value {
    json!({
        "evaluation_id": id, "name": "gsm8k", "eval_type": "environment",
        "status": "COMPLETED", "total_samples": 10,
        "created_at": "2026-01-15T10:30:00Z", "updated_at": "2026-01-15T10:31:00Z"
    })
}

/// Ten samples of about 40 bytes each.
fn ten_samples() -> Vec<Value> {
    (0..10)
        .map(|index| json!({"example_id": index, "reward": 0.5, "ok": true}))
        .collect()
}

/// The bodies of the pushes `server` received, in order.
async fn pushed_bodies(server: &MockServer) -> Vec<Vec<u8>> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| request.method.as_str() == "POST")
        .map(|request| request.body)
        .collect()
}

#[tokio::test]
async fn samples_go_out_in_order_in_bodies_within_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SAMPLES_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(pushed(3)))
        .mount(&server)
        .await;
    let samples = ten_samples();
    let report = client(&server)
        .evaluations()
        .push_samples_in_batches("eval_1", samples.clone(), 150)
        .await
        .unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert!(report.failed().is_none());
    assert_eq!(report.pushed(), 0..10);
    assert_eq!(report.not_sent(), 10..10);
    assert_eq!(report.planned, report.batches.len());
    let bodies = pushed_bodies(&server).await;
    assert_eq!(bodies.len(), report.batches.len());
    assert!(bodies.len() > 1, "the limit should force several batches");
    let mut received = Vec::new();
    for (index, (batch, body)) in report.batches.iter().zip(&bodies).enumerate() {
        assert_eq!(batch.index, index);
        assert_eq!(batch.bytes, body.len(), "the report gives the size sent");
        assert!(body.len() <= 150, "batch {index} is {} bytes", body.len());
        let body: Value = serde_json::from_slice(body).unwrap();
        let carried = body["samples"].as_array().unwrap();
        assert_eq!(&samples[batch.samples.clone()], carried.as_slice());
        assert_eq!(batch.answer.as_ref().unwrap().samples_pushed, 3);
        received.extend(carried.iter().cloned());
    }
    assert_eq!(received, samples);
    assert_eq!(report.into_result().unwrap().samples, 10);
}

#[tokio::test]
async fn the_push_stops_at_the_first_failed_batch_and_says_what_was_stored() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SAMPLES_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(pushed(3)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(SAMPLES_PATH))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let report = client(&server)
        .evaluations()
        .push_samples_in_batches("eval_1", ten_samples(), 150)
        .await
        .unwrap();
    assert!(report.planned > 2, "{report:?}");
    assert_eq!(report.batches.len(), 2, "nothing after the failed batch");
    assert_eq!(pushed_bodies(&server).await.len(), 2);
    assert!(!report.is_complete());
    let first = &report.batches[0];
    let failed = report.failed().unwrap();
    assert_eq!(failed.index, 1);
    assert_eq!(failed.samples.start, first.samples.end);
    assert!(matches!(
        failed.answer,
        Err(Error::Server { status: 500, .. })
    ));
    assert_eq!(report.pushed(), first.samples.clone());
    assert_eq!(report.not_sent(), failed.samples.end..10);
    let error = report.into_result().unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 500, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_sample_too_large_for_one_body_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let mut samples = ten_samples();
    samples[7] = json!({"text": "x".repeat(500)});
    let outcome = client(&server)
        .evaluations()
        .push_samples_in_batches("eval_1", samples, 150)
        .await;
    match outcome {
        Err(Error::InvalidInput(error)) => {
            assert_eq!(error.field(), "samples");
            assert_eq!(error.rule(), &Rule::MaxBytes(150));
            assert!(error.problem().contains("sample 7"), "{}", error.problem());
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn no_samples_send_nothing() {
    let server = MockServer::start().await;
    let report = client(&server)
        .evaluations()
        .push_samples_in_batches("eval_1", Vec::new(), 150)
        .await
        .unwrap();
    assert!(report.is_complete());
    assert!(report.batches.is_empty());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_list_stream_walks_by_offset_until_the_total() {
    let server = MockServer::start().await;
    for (skip, ids) in [(0, &["a", "b"][..]), (2, &["c", "d"][..]), (4, &["e"][..])] {
        let evaluations: Vec<Value> = ids.iter().map(|id| evaluation(id)).collect();
        Mock::given(method("GET"))
            .and(path("/api/v1/evaluations/"))
            .and(query_param("skip", skip.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"evaluations": evaluations, "total": 5, "skip": skip, "limit": 2}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let ids: Vec<String> = team_client(&server)
        .evaluations()
        .list()
        .suite_id("suite_1")
        .limit(2)
        .into_stream()
        .map_ok(|evaluation| evaluation.evaluation_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let requests = server.received_requests().await.unwrap();
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        query_pairs(&requests[2]),
        [
            pair("team_id", "team_default"),
            pair("suite_id", "suite_1"),
            pair("skip", "4"),
            pair("limit", "2"),
        ]
    );
}

#[tokio::test]
async fn the_list_stream_ends_at_an_empty_page() {
    let server = common::answering(
        ResponseTemplate::new(200)
            .set_body_json(json!({"evaluations": [], "total": 40, "skip": 0, "limit": 50})),
    )
    .await;
    let count = client(&server)
        .evaluations()
        .list()
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .len();
    assert_eq!(count, 0);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_sample_stream_walks_pages_until_the_last() {
    let server = MockServer::start().await;
    for page in 2..=3u64 {
        Mock::given(method("GET"))
            .and(path(SAMPLES_PATH))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "evaluation_id": "eval_1", "page": page, "limit": 2,
                "samples": [{"n": page * 10}, {"n": page * 10 + 1}],
                "total": 6, "total_pages": 3
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let samples: Vec<Value> = client(&server)
        .evaluations()
        .samples("eval_1")
        .page(2)
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        samples,
        [
            json!({"n": 20}),
            json!({"n": 21}),
            json!({"n": 30}),
            json!({"n": 31})
        ]
    );
}

#[tokio::test]
async fn finalize_sends_an_empty_body_or_the_metrics_set_on_it() {
    let server = MockServer::start().await;
    let answer = json!({"evaluation_id": "eval_1", "status": "COMPLETED", "avg_score": 0.5});
    Mock::given(method("POST"))
        .and(path("/api/v1/evaluations/eval_1/finalize"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&server)
        .await;
    let client: Client = client(&server);
    let done = client
        .evaluations()
        .finalize("eval_1")
        .send()
        .await
        .unwrap();
    assert_eq!(done.avg_score, Some(0.5));
    let metrics = json!({"accuracy": 0.5});
    client
        .evaluations()
        .finalize("eval_1")
        .metrics(metrics.clone())
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let empty: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(empty, json!({}));
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(body, json!({"metrics": metrics}));
}

#[tokio::test]
async fn the_team_of_the_handle_goes_into_the_create_body_and_a_delete_ignores_its_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/evaluations/"))
        .and(body_json(
            json!({"name": "gsm8k", "team_id": "team_default"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "evaluation_id": "eval_1", "name": "gsm8k", "eval_type": "environment",
            "status": "PENDING", "created_at": "2026-01-15T10:30:00Z"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/evaluations/eval_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let client = team_client(&server);
    let created = client.evaluations().create("gsm8k").send().await.unwrap();
    client
        .evaluations()
        .delete(&created.evaluation_id)
        .send()
        .await
        .unwrap();
}

/// Asserts that `outcome` is an `InvalidInput` for `field` and that nothing
/// reached `server`.
async fn refused<T: std::fmt::Debug>(server: &MockServer, outcome: Result<T, Error>, field: &str) {
    assert!(
        matches!(&outcome, Err(Error::InvalidInput(e)) if e.field() == field),
        "{field}: {outcome:?}"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "{field}: something was sent"
    );
}

#[tokio::test]
async fn input_that_breaks_a_rule_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = client(&server);
    let evaluations = client.evaluations();
    refused(&server, evaluations.list().limit(0).send().await, "limit").await;
    refused(&server, evaluations.list().limit(101).send().await, "limit").await;
    let samples = || evaluations.samples("eval_1");
    refused(&server, samples().page(0).send().await, "page").await;
    refused(&server, samples().limit(1001).send().await, "limit").await;
    refused(
        &server,
        evaluations.bulk_delete(Vec::<String>::new()).send().await,
        "evaluation_ids",
    )
    .await;
    let too_many: Vec<String> = (0..101).map(|n| format!("eval_{n}")).collect();
    refused(
        &server,
        evaluations.bulk_delete(too_many).send().await,
        "evaluation_ids",
    )
    .await;
    refused(
        &server,
        evaluations
            .push_samples_in_batches("..", vec![json!({})], 100)
            .await,
        "evaluation_id",
    )
    .await;
}
