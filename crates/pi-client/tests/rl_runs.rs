//! What the document cannot state about the RL runs and clusters calls:
//! a run list from a server that does not page (no `total`) streams its one
//! page and stops; a paging one is walked page by page; the clusters calls
//! send the team they are given, never the client's default team as well.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, query_pairs, single_request, team_client};
use futures::TryStreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn run(id: &str) -> Value {
    json!({
        "id": id, "userId": "u1", "status": "RUNNING",
        "createdAt": "2026-10-01T00:00:00Z", "updatedAt": "2026-10-01T00:00:00Z"
    })
}

#[tokio::test]
async fn a_list_without_a_total_is_one_whole_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/rft/runs"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"runs": [run("r1"), run("r2")]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let runs: Vec<_> = client(&server)
        .rl_runs()
        .list()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(runs.len(), 2);
    let request = single_request(&server).await;
    let pairs = query_pairs(&request);
    assert!(pairs.contains(&("page".to_owned(), "1".to_owned())));
    assert!(pairs.contains(&("limit".to_owned(), "20".to_owned())));
}

#[tokio::test]
async fn a_paging_list_is_walked_to_its_total() {
    let server = MockServer::start().await;
    for (page, ids) in [("1", vec!["r1", "r2"]), ("2", vec!["r3"])] {
        let runs: Vec<Value> = ids.into_iter().map(run).collect();
        Mock::given(method("GET"))
            .and(path("/api/v1/rft/runs"))
            .and(query_param("page", page))
            .and(query_param("limit", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"runs": runs, "total": 3, "page": 1, "limit": 2, "total_pages": 2}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let ids: Vec<String> = client(&server)
        .rl_runs()
        .list()
        .limit(2)
        .into_stream()
        .map_ok(|run| run.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["r1", "r2", "r3"]);
}

#[tokio::test]
async fn the_clusters_calls_send_the_team_they_are_given_and_only_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/factory/nodes"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"schema_version": 1, "clusters": [], "sources": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    team_client(&server)
        .clusters()
        .nodes("team_asked")
        .send()
        .await
        .unwrap();
    let request = single_request(&server).await;
    assert_eq!(
        query_pairs(&request),
        [("team_id".to_owned(), "team_asked".to_owned())]
    );
}
