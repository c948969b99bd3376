//! Availability behaviour the document cannot state: walking every page of
//! an offer list with the same filters, reading the older calls' answer in
//! the shape the server really sends (offers keyed by GPU type), and
//! refusing paging or enum filters that break a rule before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{client, query_pairs, team_client};
use futures::TryStreamExt;
use pi_client::types::{GpuSocket, GpuType, Region, SecurityType};
use pi_client::{Client, Error};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn offer(cloud_id: &str, gpu_type: &str, price: f64) -> Value {
    json!({
        "cloudId": cloud_id, "gpuCount": 8, "gpuMemory": 80, "gpuType": gpu_type,
        "images": ["ubuntu_22_cuda_12"], "prices": {"currency": "USD", "onDemand": price},
        "provider": "runpod", "security": "secure_cloud", "socket": "SXM5"
    })
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[tokio::test]
async fn the_offer_stream_walks_pages_until_the_total_with_the_same_filters() {
    let server = MockServer::start().await;
    for (page, ids) in [(2, &["c", "d"][..]), (3, &["e"][..])] {
        let items: Vec<Value> = ids.iter().map(|id| offer(id, "H100_80GB", 2.0)).collect();
        Mock::given(method("GET"))
            .and(path("/api/v1/availability/gpus"))
            .and(query_param("page", page.to_string()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"items": items, "totalCount": 5})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    // A team on the client goes nowhere: the calls take none (and their
    // requests have no `.team()`).
    let ids: Vec<String> = team_client(&server)
        .availability()
        .gpus()
        .regions([Region::UnitedStates, Region::EuWest])
        .gpu_type(GpuType::H100_80gb)
        .disks(["disk_1"])
        .page(2)
        .page_size(2)
        .into_stream()
        .map_ok(|offer| offer.cloud_id)
        .try_collect()
        .await
        .unwrap();
    // Pages 1 to 3 of 2 hold 5 offers, so the walk ends after page 3.
    assert_eq!(ids, ["c", "d", "e"]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        query_pairs(&requests[1]),
        [
            pair("regions", "united_states"),
            pair("regions", "eu_west"),
            pair("gpu_type", "H100_80GB"),
            pair("disks", "disk_1"),
            pair("page", "3"),
            pair("page_size", "2"),
        ]
    );
}

#[tokio::test]
async fn a_stream_without_a_page_size_asks_for_the_largest_and_stops_at_an_empty_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/availability/disks"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [], "totalCount": 40})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let disks: Vec<_> = client(&server)
        .availability()
        .disks()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(disks.is_empty());
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        query_pairs(&requests[0]),
        [pair("page", "1"), pair("page_size", "100")]
    );
}

#[tokio::test]
async fn the_older_calls_read_offers_keyed_by_gpu_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/availability/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "H100_80GB": [offer("h1", "H100_80GB", 2.4), offer("h2", "H100_80GB", 2.1)],
            "A100_80GB": [offer("a1", "A100_80GB", 1.3)]
        })))
        .mount(&server)
        .await;
    let offers = client(&server)
        .availability()
        .gpus_by_type()
        .send()
        .await
        .unwrap();
    assert_eq!(offers.len(), 3);
    assert_eq!(offers.0[&GpuType::H100_80gb].len(), 2);
    assert_eq!(offers.cheapest().unwrap().cloud_id, "a1");
    assert_eq!(
        offers.cheapest_for(&GpuType::H100_80gb).unwrap().cloud_id,
        "h2"
    );
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
async fn paging_and_enum_filters_that_break_a_rule_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client: Client = client(&server);
    let availability = client.availability();
    refused(&server, availability.gpus().page(0).send().await, "page").await;
    refused(
        &server,
        availability.gpus().page_size(0).send().await,
        "page_size",
    )
    .await;
    let error = availability
        .multi_node()
        .page_size(101)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(e) if e.rule() == &pi_client::types::Rule::AtMost("100")),
        "{error:?}"
    );
    refused(
        &server,
        availability.disks().page_size(101).send().await,
        "page_size",
    )
    .await;
    refused(
        &server,
        availability.clusters_by_type().page_size(501).send().await,
        "page_size",
    )
    .await;
    refused(
        &server,
        availability
            .gpus()
            .regions([Region::Canada, Region::from("moon_base")])
            .send()
            .await,
        "regions[1]",
    )
    .await;
    refused(
        &server,
        availability
            .gpus_by_type()
            .gpu_type(GpuType::from("TPU_V9"))
            .send()
            .await,
        "gpu_type",
    )
    .await;
    refused(
        &server,
        availability
            .multi_node()
            .socket(GpuSocket::from("SXM9"))
            .send()
            .await,
        "socket",
    )
    .await;
    refused(
        &server,
        availability
            .gpus()
            .security(SecurityType::from("open_cloud"))
            .send()
            .await,
        "security",
    )
    .await;
    let streamed: Result<Vec<_>, Error> = availability
        .gpus()
        .page_size(0)
        .into_stream()
        .try_collect()
        .await;
    refused(&server, streamed, "page_size").await;

    // The largest page each call documents is accepted.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let grouped = availability
        .gpus_by_type()
        .page_size(500)
        .send()
        .await
        .unwrap();
    assert!(grouped.is_empty());
}
