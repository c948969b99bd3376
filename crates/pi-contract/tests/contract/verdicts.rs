//! Both drift tools give every edited document the same verdict: `spec diff`
//! (the diff from the vendored document, with the SDK's assumptions) and
//! `contract --spec` (that diff weighed with the suite run against the edited
//! document). One edit per rule: additions are `behind`, breaks are
//! `broken`, and refactorings invisible on the wire raise nothing at all.

use std::sync::Arc;

use pi_contract::Spec;
use pi_contract::diff::{Assumption, Class, align_operation_ids, diff_documents_with};
use pi_contract::verdict::{Verdict, judge};
use serde_json::{Value, json};

use crate::harness::run_suite_against;
use crate::vendored_spec;

const SECRET: &str = "/components/schemas/SecretResponse";
const SECRET_ITEM: &str = "/paths/~1api~1v1~1secrets~1{secret_id}";
const SECRETS: &str = "/paths/~1api~1v1~1secrets~1";

fn vendored_document() -> Value {
    vendored_spec().document().clone()
}

fn at<'a>(document: &'a mut Value, pointer: &str) -> &'a mut Value {
    document
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the vendored spec has no {pointer}; update this test"))
}

fn assumptions() -> Vec<Assumption> {
    pi_client::assumptions::all()
        .into_iter()
        .map(|a| Assumption {
            operation: a.operation,
            location: a.location,
            value: a.value,
            reason: a.reason,
        })
        .collect()
}

/// The verdict of each tool on `edited`: `spec diff`'s worst class, and
/// `contract --spec`'s verdict (the suite checks the operations whose id
/// contains `area`); plus both reports for failure messages.
async fn verdicts(edited: Value, area: &str) -> (Verdict, Verdict, String) {
    let vendored = vendored_document();
    let diff = diff_documents_with(&vendored, &edited, &assumptions()).unwrap();
    let from_diff = diff.worst().map_or(Verdict::Holds, Verdict::of_class);
    let mut aligned = edited;
    align_operation_ids(&vendored, &mut aligned);
    let spec = Arc::new(Spec::from_value(crate::with_supplement(&aligned)).unwrap());
    let suite = run_suite_against(spec, Some(vendored_spec()), "edited", |id| {
        id.contains(area)
    })
    .await;
    let verdict = judge(Some(&diff), &suite);
    let shown = format!("{}\n{}", diff.to_text(), suite.render());
    (from_diff, verdict, shown)
}

#[track_caller]
fn expect(got: (Verdict, Verdict, String), want: Verdict, case: &str) {
    let (from_diff, from_contract, shown) = got;
    assert_eq!(from_diff, want, "spec diff on `{case}`:\n{shown}");
    assert_eq!(from_contract, want, "contract --spec on `{case}`:\n{shown}");
}

// ----- additions: behind -----

#[tokio::test]
async fn a_new_optional_response_property_is_behind() {
    let mut doc = vendored_document();
    at(&mut doc, SECRET)["properties"]["rotatedAt"] =
        json!({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]});
    expect(verdicts(doc, "secret").await, Verdict::Behind, "rotatedAt");
}

#[tokio::test]
async fn a_new_optional_query_parameter_is_behind() {
    let mut doc = vendored_document();
    at(&mut doc, &format!("{SECRETS}/get/parameters"))
        .as_array_mut()
        .unwrap()
        .push(json!({"in": "query", "name": "search", "required": false, "schema": {"type": "string"}}));
    expect(
        verdicts(doc, "secret").await,
        Verdict::Behind,
        "query search",
    );
}

#[tokio::test]
async fn a_new_optional_request_property_is_behind() {
    let mut doc = vendored_document();
    // (A field the supplement does not amend: `idle_timeout_minutes`, which
    // it does, is compared with its amendment instead; see
    // `xtask/tests/spec_diff_cli.rs`.)
    at(&mut doc, "/components/schemas/CreateSandboxRequest")["properties"]["priority"] =
        json!({"anyOf": [{"type": "integer"}, {"type": "null"}]});
    expect(
        verdicts(doc, "create_sandbox").await,
        Verdict::Behind,
        "priority",
    );
}

#[tokio::test]
async fn a_new_operation_or_a_deprecation_is_behind() {
    let mut doc = vendored_document();
    at(&mut doc, "/paths")["/api/v1/secrets/{secret_id}/rotate"] = json!({"post": {
        "operationId": "rotate_secret",
        "tags": ["Secrets"],
        "parameters": [{"name": "secret_id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok"}}
    }});
    expect(
        verdicts(doc, "secret").await,
        Verdict::Behind,
        "new operation",
    );
    let mut doc = vendored_document();
    at(&mut doc, &format!("{SECRET_ITEM}/get"))["deprecated"] = json!(true);
    expect(verdicts(doc, "secret").await, Verdict::Behind, "deprecated");
}

// ----- breaks: broken -----

#[tokio::test]
async fn a_renamed_response_property_is_broken_and_one_finding_names_the_rename() {
    let mut doc = vendored_document();
    let properties = at(&mut doc, &format!("{SECRET}/properties"))
        .as_object_mut()
        .unwrap();
    let name = properties.remove("name").unwrap();
    properties.insert("secretName".to_owned(), name);
    at(&mut doc, SECRET)["required"] = json!(["createdAt", "id", "secretName", "updatedAt"]);
    let vendored = vendored_document();
    let diff = diff_documents_with(&vendored, &doc, &assumptions()).unwrap();
    let findings = diff.findings();
    let removed: Vec<_> = findings
        .iter()
        .filter(|f| f.place == "SecretResponse.name")
        .collect();
    assert_eq!(removed.len(), 1, "{}", diff.to_text());
    assert_eq!(removed[0].class, Class::Breaking);
    assert!(removed[0].detail.contains("likely renamed to `secretName`"));
    assert!(
        removed[0].operations.len() >= 4,
        "{:?}",
        removed[0].operations
    );
    expect(verdicts(doc, "secret").await, Verdict::Broken, "secretName");
}

#[tokio::test]
async fn a_state_a_waiter_relies_on_removed_is_broken() {
    let mut doc = vendored_document();
    at(&mut doc, "/components/schemas/PodStatusEnum")["enum"] = json!([
        "PROVISIONING",
        "PENDING",
        "RUNNING",
        "STOPPED",
        "ERROR",
        "DELETING",
        "UNKNOWN",
        "TERMINATED"
    ]);
    let vendored = vendored_document();
    // Without the SDK's assumptions a removed response enum value is harmless...
    let generic = pi_contract::diff::diff_documents(&vendored, &doc).unwrap();
    assert!(!generic.has_breaking(), "{}", generic.to_text());
    // ...but the pod waiter waits for it.
    let got = verdicts(doc, "get_pod_api").await;
    assert!(
        got.2
            .contains("value \"ACTIVE\" is gone: Pods::wait_until_running waits for it"),
        "{}",
        got.2
    );
    expect(got, Verdict::Broken, "ACTIVE");
}

#[tokio::test]
async fn a_tightened_request_rule_the_sdk_enforces_is_broken() {
    let mut doc = vendored_document();
    at(
        &mut doc,
        "/components/schemas/SecretCreateRequest/properties/name",
    )["maxLength"] = json!(64);
    expect(verdicts(doc, "secret").await, Verdict::Broken, "maxLength");
}

#[tokio::test]
async fn another_authentication_scheme_is_broken() {
    let mut doc = vendored_document();
    at(&mut doc, "/components/securitySchemes/HTTPBearer")
        .clone_from(&json!({"type": "apiKey", "in": "header", "name": "X-API-Key"}));
    expect(verdicts(doc, "secret").await, Verdict::Broken, "apiKey");
}

// ----- invisible on the wire: nothing -----

/// Renames a component schema and every reference to it.
fn rename_schema(doc: &Value, from: &str, to: &str) -> Value {
    let text = doc.to_string().replace(
        &format!("\"#/components/schemas/{from}\""),
        &format!("\"#/components/schemas/{to}\""),
    );
    let mut renamed: Value = serde_json::from_str(&text).unwrap();
    let schemas = at(&mut renamed, "/components/schemas")
        .as_object_mut()
        .unwrap();
    let schema = schemas.remove(from).unwrap();
    schemas.insert(to.to_owned(), schema);
    renamed
}

#[tokio::test]
async fn refactorings_invisible_on_the_wire_raise_nothing() {
    let vendored = vendored_document();
    let mut cases: Vec<(&str, Value)> = Vec::new();
    // A component renamed with its references (FastAPI's names follow the
    // Python class and its generic parameters).
    cases.push((
        "component renamed",
        rename_schema(&vendored, "SecretResponse", "SecretOut"),
    ));
    cases.push((
        "envelope renamed",
        rename_schema(
            &vendored,
            "GenericResponse_SecretResponse_",
            "SecretEnvelope",
        ),
    ));
    // Operation ids (FastAPI derives them from function names) and path
    // parameter names never travel.
    let mut doc = vendored.clone();
    for (path, method) in [
        (SECRET_ITEM, "get"),
        (SECRET_ITEM, "patch"),
        (SECRETS, "post"),
    ] {
        at(&mut doc, &format!("{path}/{method}"))["operationId"] =
            json!(format!("{method}_renamed"));
    }
    cases.push(("operation ids", doc));
    let text = vendored
        .to_string()
        .replace("{secret_id}", "{id}")
        .replace("\"name\":\"secret_id\"", "\"name\":\"id\"");
    cases.push((
        "path parameter renamed",
        serde_json::from_str(&text).unwrap(),
    ));
    // The security scheme under another name, same definition.
    let text = vendored
        .to_string()
        .replace("\"HTTPBearer\"", "\"BearerAuth\"");
    cases.push((
        "security scheme renamed",
        serde_json::from_str(&text).unwrap(),
    ));
    // Nullability spelled the OpenAPI 3.1 way instead of `anyOf [T, null]`.
    let mut doc = vendored.clone();
    at(&mut doc, &format!("{SECRET}/properties/description"))
        .clone_from(&json!({"type": ["string", "null"]}));
    cases.push(("nullable as a type list", doc));
    // A `$ref` wrapped in `allOf` (older FastAPI with a default beside it).
    let mut doc = vendored.clone();
    let data = at(
        &mut doc,
        "/components/schemas/GenericResponse_SecretResponse_/properties/data",
    );
    let inner = data.clone();
    data.clone_from(&json!({"allOf": [inner]}));
    // The suite's round trip does not read `allOf` yet (it compares the
    // wrapped part as an unknown shape), so only the diff is asked here.
    let diff = diff_documents_with(&vendored, &doc, &assumptions()).unwrap();
    assert!(
        diff.is_empty(),
        "`allOf wrapper` must raise nothing:\n{}",
        diff.to_text()
    );
    // Tags only group operations in documentation.
    let text = vendored.to_string().replace("\"Secrets\"", "\"secrets\"");
    cases.push(("tags renamed", serde_json::from_str(&text).unwrap()));
    // Key and `required` order.
    let mut doc = vendored.clone();
    if let Some(required) = at(&mut doc, SECRET)["required"].as_array_mut() {
        required.reverse();
    }
    cases.push(("required order", doc));

    for (case, doc) in cases {
        let diff = diff_documents_with(&vendored, &doc, &assumptions()).unwrap();
        assert!(
            diff.is_empty(),
            "`{case}` must raise nothing:\n{}",
            diff.to_text()
        );
        expect(verdicts(doc, "secret").await, Verdict::Holds, case);
    }
}
