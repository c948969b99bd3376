//! An insta snapshot of every request each driver sends, so any change in
//! what the client puts on the wire shows up as a reviewed diff.

use pi_contract::ContractServer;
use serde_json::{Value, json};

use crate::harness::client_for;
use crate::{drivers, vendored_spec};

#[tokio::test]
async fn every_request_matches_its_snapshot() {
    let server = ContractServer::start(vendored_spec()).await;
    let client = client_for(&server);
    for driver in drivers::all() {
        for call in &driver.calls {
            server.reset();
            // The outcome is the suite's business; here only the request counts.
            let _ = (call.run)(client.clone()).await;
            let requests: Vec<Value> = server
                .received_requests()
                .iter()
                .map(|request| {
                    let authorization = request
                        .headers
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
                        .map(|(_, value)| {
                            let scheme = value.split_whitespace().next().unwrap_or_default();
                            format!("{scheme} [redacted]")
                        });
                    json!({
                        "method": request.method,
                        "path": request.path,
                        "query": request.query,
                        "authorization": authorization,
                        "body": request.body,
                    })
                })
                .collect();
            insta::assert_yaml_snapshot!(
                format!("{}__{}", driver.operation_id, call.name),
                requests
            );
        }
    }
}
