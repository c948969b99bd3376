//! The suite must turn red, naming the cause, when the document moves in a
//! way that breaks the Secrets client, and stay green when only prose moves.
//! Each test edits a copy of the vendored spec in memory and runs the suite.

use std::sync::Arc;

use pi_contract::Spec;
use serde_json::{Value, json};

use crate::harness::run_suite_checking;
use crate::vendored_spec_path;

const ITEM: &str = "/paths/~1api~1v1~1secrets~1{secret_id}";
const COLLECTION: &str = "/paths/~1api~1v1~1secrets~1";
const CREATE_REQUEST: &str = "/components/schemas/SecretCreateRequest";
const SECRET: &str = "/components/schemas/SecretResponse";

fn vendored_document() -> Value {
    let text = std::fs::read_to_string(vendored_spec_path()).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn at<'a>(document: &'a mut Value, pointer: &str) -> &'a mut Value {
    document
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the vendored spec has no {pointer}; update this drift test"))
}

/// Runs the suite on the edited document with the supplement laid over it,
/// as `contract --spec` does (the per-operation checks for the
/// Secrets operations, which every edit here is about); returns whether it
/// passed and its report.
async fn suite_on(document: Value) -> (bool, String) {
    let spec = Spec::from_value(crate::with_supplement(&document)).unwrap();
    let secrets_only = |id: &str| id.contains("secret");
    let report = run_suite_checking(
        Arc::new(spec),
        "edited copy of spec/openapi.json",
        secrets_only,
    )
    .await;
    (report.passed(), report.render())
}

async fn assert_fails_naming(document: Value, cause: &str) {
    let (passed, report) = suite_on(document).await;
    assert!(!passed, "the suite should fail:\n{report}");
    assert!(
        report.contains(cause),
        "the report should name `{cause}`:\n{report}"
    );
}

fn rename_key(object: &mut Value, from: &str, to: &str) {
    let map = object.as_object_mut().unwrap();
    let value = map.remove(from).unwrap_or_else(|| panic!("no key {from}"));
    map.insert(to.to_owned(), value);
}

#[tokio::test]
async fn a_renamed_request_property_fails() {
    let mut document = vendored_document();
    let schema = at(&mut document, CREATE_REQUEST);
    rename_key(&mut schema["properties"], "name", "secretName");
    schema["required"] = json!(["secretName", "value"]);
    assert_fails_naming(document, "secretName").await;
}

#[tokio::test]
async fn a_new_required_request_property_fails() {
    let mut document = vendored_document();
    let schema = at(&mut document, CREATE_REQUEST);
    schema["properties"]["region"] = json!({"type": "string"});
    schema["required"]
        .as_array_mut()
        .unwrap()
        .push(json!("region"));
    assert_fails_naming(document, "region").await;
}

#[tokio::test]
async fn a_renamed_query_parameter_fails() {
    let mut document = vendored_document();
    let parameters = at(&mut document, &format!("{ITEM}/get/parameters"));
    for parameter in parameters.as_array_mut().unwrap() {
        if parameter["name"] == "teamId" {
            parameter["name"] = json!("team");
        }
    }
    assert_fails_naming(document, "query.teamId").await;
}

#[tokio::test]
async fn a_changed_path_fails() {
    let mut document = vendored_document();
    let paths = at(&mut document, "/paths");
    rename_key(
        paths,
        "/api/v1/secrets/{secret_id}",
        "/api/v1/vault/{secret_id}",
    );
    assert_fails_naming(document, "unknown-operation").await;
}

#[tokio::test]
async fn a_changed_method_fails() {
    let mut document = vendored_document();
    rename_key(at(&mut document, ITEM), "patch", "put");
    let (passed, report) = suite_on(document).await;
    assert!(!passed);
    assert!(
        report.contains("update_secret_api_v1_secrets__secret_id__patch"),
        "{report}"
    );
    assert!(report.contains("unknown-operation"), "{report}");
}

#[tokio::test]
async fn a_removed_response_field_the_client_needs_fails() {
    let mut document = vendored_document();
    let schema = at(&mut document, SECRET);
    schema["properties"].as_object_mut().unwrap().remove("name");
    schema["required"] = json!(["createdAt", "id", "updatedAt"]);
    assert_fails_naming(document, "missing field `name`").await;
}

#[tokio::test]
async fn a_response_field_of_another_type_fails() {
    let mut document = vendored_document();
    at(&mut document, SECRET)["properties"]["isFile"] = json!({"type": "string"});
    assert_fails_naming(document, "isFile").await;
}

#[tokio::test]
async fn a_response_field_that_becomes_nullable_fails() {
    let mut document = vendored_document();
    at(&mut document, SECRET)["properties"]["name"] =
        json!({"anyOf": [{"type": "string"}, {"type": "null"}]});
    assert_fails_naming(document, "data.name").await;
}

#[tokio::test]
async fn prose_only_changes_pass() {
    let mut document = vendored_document();
    for pointer in [
        CREATE_REQUEST,
        SECRET,
        &format!("{COLLECTION}/post"),
        &format!("{ITEM}/delete"),
    ] {
        let node = at(&mut document, pointer);
        node["description"] = json!("Reworded prose that says nothing new.");
        node["title"] = json!("A New Title");
        node["example"] = json!({"anything": 1});
    }
    at(&mut document, &format!("{SECRET}/properties/name"))["examples"] = json!(["X"]);
    let (passed, report) = suite_on(document).await;
    assert!(passed, "prose changes must not fail the suite:\n{report}");
}

/// An optional response property renamed: the SDK would return `None` for
/// it for good, and the round trip names the property the client drops.
#[tokio::test]
async fn a_renamed_optional_response_property_fails() {
    let mut document = vendored_document();
    rename_key(
        &mut at(&mut document, SECRET)["properties"],
        "description",
        "summary",
    );
    let (passed, report) = suite_on(document).await;
    assert!(!passed, "{report}");
    assert!(
        report.contains("get_secret_api_v1_secrets__secret_id__get"),
        "{report}"
    );
    assert!(report.contains("drops `data.summary`"), "{report}");
}

/// An optional request property renamed: the client keeps sending the old
/// name (which FastAPI would drop silently) and never sends the new one.
#[tokio::test]
async fn a_renamed_optional_request_property_fails() {
    let mut document = vendored_document();
    rename_key(
        &mut at(&mut document, CREATE_REQUEST)["properties"],
        "description",
        "summary",
    );
    let (passed, report) = suite_on(document).await;
    assert!(!passed, "{report}");
    assert!(
        report.contains("create_secret_api_v1_secrets__post"),
        "{report}"
    );
    assert!(
        report.contains("no call sends the documented input `body summary`"),
        "{report}"
    );
}

/// The document's server gains a path prefix: the client's default base URL
/// no longer reaches any operation.
#[tokio::test]
async fn a_server_url_with_a_path_prefix_fails() {
    let mut document = vendored_document();
    document["servers"] = json!([{"url": "https://api.primeintellect.ai/v2"}]);
    assert_fails_naming(document, "https://api.primeintellect.ai/v2").await;
}

/// A second server, or a trailing slash, changes nothing for the client.
#[tokio::test]
async fn an_extra_server_or_a_trailing_slash_passes() {
    let mut document = vendored_document();
    document["servers"] = json!([
        {"url": "https://api.primeintellect.ai/"},
        {"url": "https://staging.example.com"}
    ]);
    let (passed, report) = suite_on(document).await;
    assert!(passed, "{report}");
}

/// An operation the document gains is one the client cannot call: the suite
/// fails, naming it, until the client and a driver cover it.
#[tokio::test]
async fn a_new_operation_fails_until_the_client_covers_it() {
    let mut document = vendored_document();
    at(&mut document, "/paths")["/api/v1/secrets/{secret_id}/rotate"] = json!({"post": {
        "operationId": "rotate_secret",
        "tags": ["Secrets"],
        "parameters": [{"name": "secret_id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok"}}
    }});
    assert_fails_naming(
        document,
        "operation `rotate_secret` is neither driven nor excluded",
    )
    .await;
}
