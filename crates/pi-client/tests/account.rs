//! User, Teams and Billing behaviour the document cannot state: the lists of
//! your teams and of a team's members stream every page (the members' team
//! staying in the path of each), and input that breaks a rule (a slug, a
//! team id that cannot be a path segment, a wallet limit outside 1 to 100)
//! is refused before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, query_pairs, single_request};
use futures::TryStreamExt;
use pi_client::Error;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn team_json(id: &str) -> Value {
    json!({"teamId": id, "name": id, "role": "MEMBER", "createdAt": "2026-01-15T10:30:00Z"})
}

fn member_json(id: &str) -> Value {
    json!({
        "userId": id, "userName": null, "userEmail": null, "role": "MEMBER",
        "joinedAt": "2026-01-15T10:30:00Z"
    })
}

/// Mounts two pages of `items` (two, then one) for `GET list_path`.
async fn two_pages(server: &MockServer, list_path: &str, items: [Value; 3]) {
    let [a, b, c] = items;
    for (offset, data) in [(0, vec![a, b]), (2, vec![c])] {
        Mock::given(method("GET"))
            .and(path(list_path))
            .and(query_param("offset", offset.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "total_count": 3, "offset": offset, "limit": 2, "data": data
            })))
            .expect(1)
            .mount(server)
            .await;
    }
}

fn refused<T: std::fmt::Debug>(outcome: Result<T, Error>, field: &str) {
    assert!(
        matches!(&outcome, Err(Error::InvalidInput(e)) if e.field() == field),
        "{field}: {outcome:?}"
    );
}

#[tokio::test]
async fn my_teams_stream_every_page() {
    let server = MockServer::start().await;
    two_pages(
        &server,
        "/api/v1/user/teams",
        ["t1", "t2", "t3"].map(team_json),
    )
    .await;
    let ids: Vec<String> = client(&server)
        .user()
        .teams()
        .into_stream()
        .map_ok(|team| team.team_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["t1", "t2", "t3"]);
}

#[tokio::test]
async fn team_members_stream_every_page_of_the_same_team() {
    let server = MockServer::start().await;
    // The id is one path segment, encoded, on every page.
    two_pages(
        &server,
        "/api/v1/teams/team%2F1/members",
        ["u1", "u2", "u3"].map(member_json),
    )
    .await;
    let ids: Vec<String> = client(&server)
        .teams()
        .members("team/1")
        .into_stream()
        .map_ok(|member| member.user_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["u1", "u2", "u3"]);
}

#[tokio::test]
async fn input_that_breaks_a_rule_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = client(&server);
    refused(client.user().set_slug("Ada").send().await, "slug");
    refused(client.user().set_slug("ab").send().await, "slug");
    refused(client.teams().members("").send().await, "team_id");
    let stream: Result<Vec<_>, Error> = client
        .teams()
        .members("..")
        .into_stream()
        .try_collect()
        .await;
    refused(stream, "team_id");
    refused(client.billing().wallet().limit(0).send().await, "limit");
    refused(client.billing().wallet().limit(101).send().await, "limit");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_largest_wallet_limit_is_sent() {
    let server = common::answering(ResponseTemplate::new(200).set_body_json(json!({
        "wallet_id": "w1", "balance_usd": 12.5, "currency": "USD",
        "recent_billings": [], "total_billings": 0
    })))
    .await;
    let wallet = client(&server)
        .billing()
        .wallet()
        .limit(100)
        .send()
        .await
        .unwrap();
    assert_eq!(wallet.wallet_id, "w1");
    let request = single_request(&server).await;
    assert_eq!(
        query_pairs(&request),
        [("limit".to_owned(), "100".to_owned())]
    );
}
