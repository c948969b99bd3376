//! The README's "Testing your own code" example, compiled and run:
//! `cargo run -p pi-contract --example testing_your_own_code`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use pi_client::{Client, WaitPolicy};
use pi_contract::ContractServer;
use serde_json::json;

// README start
/// The code under test: stores a token as a secret, returns its id.
async fn store_token(client: &Client, token: &str) -> Result<String, pi_client::Error> {
    let secret = client.secrets().create("HF_TOKEN", token).send().await?;
    Ok(secret.id)
}

async fn test_store_token() -> Result<(), Box<dyn std::error::Error>> {
    // A mock that holds the PI API's contract (embedded in pi-contract) and
    // keeps what is created.
    let server = ContractServer::stateful().await;
    let client = Client::builder()
        .api_key("test")
        .base_url(server.uri())
        .build()?;

    let id = store_token(&client, "hf_123").await?;
    let listed = client.secrets().list().send().await?;
    assert!(listed.data.iter().any(|secret| secret.id == id));

    // A pod that becomes ACTIVE on the third poll, for code that waits on it.
    // A mistake here (a misspelt collection, field or status) fails at once,
    // naming the valid choices.
    let pod = server.seed("/api/v1/pods/", json!({"status": "PROVISIONING"}))?;
    server.script(
        "/api/v1/pods/",
        &pod,
        [
            json!({"status": "PROVISIONING"}),
            json!({"status": "PROVISIONING"}),
            json!({"status": "ACTIVE"}),
        ],
    )?;
    let quick = WaitPolicy::default().pauses(Duration::from_millis(1), Duration::from_millis(5));
    client.pods().wait_until_running_with(&pod, &quick).await?;

    // Every request the code sent was one the API accepts.
    server.assert_no_violations();
    Ok(())
}
// README end

#[tokio::main(flavor = "current_thread")]
async fn main() {
    test_store_token().await.expect("the example runs");
    println!("ok");
}
