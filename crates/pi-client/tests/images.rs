//! Images behaviour the document cannot state: where the team of an
//! [`ImageRef`] travels (and that it wins over the client's default team), that its
//! name and tag stay one path segment each, that input breaking a rule is
//! refused before anything is sent, and that the lists stream every page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, query_pairs, single_request, team_client};
use futures::TryStreamExt;
use pi_client::Error;
use pi_client::types::{CreateImageBuildPlatform, ImageRef, ImageVisibility};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn image(reference: &str) -> ImageRef {
    reference.parse().unwrap()
}

fn image_json(name: &str) -> Value {
    json!({
        "id": format!("img_{name}"), "imageName": name, "imageTag": "v1", "status": "COMPLETED",
        "createdAt": "2026-01-15T10:30:00Z"
    })
}

/// A server answering every request with `body`.
async fn answering(body: Value) -> MockServer {
    common::answering(ResponseTemplate::new(200).set_body_json(body)).await
}

fn body_of(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

fn team_query(request: &wiremock::Request) -> Option<String> {
    query_pairs(request)
        .into_iter()
        .find(|(name, _)| name == "teamId")
        .map(|(_, value)| value)
}

#[tokio::test]
async fn the_team_of_a_reference_wins_over_the_client_default() {
    let server = answering(json!({"success": true, "message": "deleted"})).await;
    let client = team_client(&server);
    let theirs = image("team-abc123/myapp:v1");
    client.images().delete_image(&theirs).send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    for request in &requests {
        assert_eq!(request.url.path(), "/api/v1/images/myapp/v1");
        assert_eq!(team_query(request).as_deref(), Some("abc123"));
    }
}

#[tokio::test]
async fn a_reference_without_a_team_acts_for_the_handle() {
    let server = answering(json!({"success": true, "message": "deleted"})).await;
    let client = team_client(&server);
    client
        .images()
        .delete_image(&image("myapp:v1"))
        .send()
        .await
        .unwrap();
    client
        .images()
        .delete_image(&image("myapp:v1"))
        .team("team_other")
        .send()
        .await
        .unwrap();
    client
        .images()
        .delete_image(&image("myapp:v1"))
        .personal()
        .send()
        .await
        .unwrap();
    let teams: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(team_query)
        .collect();
    assert_eq!(
        teams,
        [
            Some("team_default".to_owned()),
            Some("team_other".to_owned()),
            None
        ]
    );
}

#[tokio::test]
async fn a_build_and_a_visibility_change_carry_the_reference_team_in_their_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/images/build"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "build_id": "build_1", "expires_in": 600, "fullImagePath": "reg/x/myapp:v1",
            "upload_url": "https://storage.example/upload?signature=s3cr3t"
        })))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "message": "updated", "visibility": "PUBLIC"
        })))
        .mount(&server)
        .await;
    let client = team_client(&server);
    let created = client
        .images()
        .build_image(&image("team-abc123/myapp:v1"))
        .send()
        .await
        .unwrap();
    assert!(!format!("{created:?}").contains("s3cr3t"));
    client
        .images()
        .build_image(&image("myapp:v2"))
        .send()
        .await
        .unwrap();
    client
        .images()
        .set_image_visibility(&image("team-abc123/myapp:v1"), ImageVisibility::Public)
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let bodies: Vec<Value> = requests.iter().map(body_of).collect();
    assert_eq!(
        bodies[0],
        json!({"image_name": "myapp", "image_tag": "v1", "teamId": "abc123"})
    );
    // Without a team in the reference, the client's default team goes in.
    assert_eq!(bodies[1]["teamId"], "team_default");
    assert_eq!(requests[2].url.path(), "/api/v1/images/myapp/v1/visibility");
    assert_eq!(
        bodies[2],
        json!({"visibility": "PUBLIC", "teamId": "abc123"})
    );
}

#[tokio::test]
async fn input_that_breaks_a_rule_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = client(&server);
    // A reference accepts `.` as a name, but no server could route it.
    let unroutable = ImageRef::new(".", "v1").unwrap();
    let error = client
        .images()
        .delete_image(&unroutable)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(e) if e.field() == "image_name"),
        "{error:?}"
    );
    let error = client
        .images()
        .build_image(&image("myapp:v1"))
        .platform(CreateImageBuildPlatform::from("linux/s390x"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(e) if e.field() == "platform"),
        "{error:?}"
    );
    let error = client.images().build_status("..").send().await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(e) if e.field() == "build_id"),
        "{error:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_image_list_streams_every_page_for_the_handle_team() {
    let server = MockServer::start().await;
    for (offset, names) in [("0", ["a", "b"]), ("2", ["c", "d"])] {
        Mock::given(method("GET"))
            .and(path("/api/v1/images"))
            .and(query_param("offset", offset))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "total_count": 4, "offset": offset.parse::<u64>().unwrap(), "limit": 2,
                "data": names.map(image_json)
            })))
            .mount(&server)
            .await;
    }
    let names: Vec<String> = client(&server)
        .images()
        .list()
        .team("team_1")
        .limit(2)
        .into_stream()
        .map_ok(|image| image.image_name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(team_query(request).as_deref(), Some("team_1"));
        assert!(query_pairs(request).contains(&("limit".to_owned(), "2".to_owned())));
    }
}

#[tokio::test]
async fn a_listed_image_can_be_deleted_through_its_reference() {
    let server = answering(json!({"success": true, "message": "deleted"})).await;
    let mut listed: pi_client::types::Image = serde_json::from_value(image_json("myapp")).unwrap();
    listed.team_id = Some("abc123".to_owned());
    client(&server)
        .images()
        .delete_image(&ImageRef::try_from(&listed).unwrap())
        .send()
        .await
        .unwrap();
    let request = single_request(&server).await;
    assert_eq!(request.url.path(), "/api/v1/images/myapp/v1");
    assert_eq!(team_query(&request).as_deref(), Some("abc123"));
}
