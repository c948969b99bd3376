//! `cargo xtask spec diff` as a user runs it: exit codes, output formats and
//! error messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A fresh directory for this test's documents.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-spec-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn vendored() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("spec/openapi.json")).unwrap())
        .unwrap()
}

/// Writes the vendored spec with `edit` applied and returns its path.
fn edited(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut doc = vendored();
    edit(&mut doc);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    path.display().to_string()
}

const SPEC: &str = "spec/openapi.json";

fn tighten_name(doc: &mut Value) {
    doc["components"]["schemas"]["SecretCreateRequest"]["properties"]["name"]["maxLength"] =
        json!(64);
}

fn add_response_field(doc: &mut Value) {
    doc["components"]["schemas"]["SecretResponse"]["properties"]["rotatedAt"] =
        json!({"type": "string"});
}

#[test]
fn the_same_document_exits_zero() {
    let output = xtask(&["spec", "diff", SPEC, SPEC]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "no contract changes\n");
}

#[test]
fn a_breaking_change_exits_one_with_the_location() {
    let dir = temp_dir("breaking");
    let new = edited(&dir, "new.json", tighten_name);
    let output = xtask(&["spec", "diff", SPEC, &new]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains(
            "breaking  request.constraint.tightened: SecretCreateRequest.name maxLength 255 -> 64\n          SDK: pi_types::CreateSecret::name\n          calls: client.secrets().create(…)\n          in: POST /api/v1/secrets/ (request body .name)\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("1 change in 1 finding: 1 breaking, 0 behind, 0 none\n"),
        "{text}"
    );
    // --fail-on none never fails on changes.
    let output = xtask(&["spec", "diff", SPEC, &new, "--fail-on", "none"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn fail_on_any_counts_behind_changes() {
    let dir = temp_dir("any");
    let new = edited(&dir, "new.json", add_response_field);
    let output = xtask(&["spec", "diff", SPEC, &new]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output)
            .contains("behind    response.property.added: SecretResponse.rotatedAt added")
    );
    let output = xtask(&["spec", "diff", SPEC, &new, "--fail-on=any"]);
    assert_eq!(output.status.code(), Some(1));
    let output = xtask(&["spec", "diff", SPEC, &new, "--fail-on=behind"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_moved_server_or_a_dropped_field_exits_one() {
    let dir = temp_dir("servers");
    let moved = edited(&dir, "moved.json", |doc| {
        doc["servers"] = json!([{"url": "https://api.example.com/v2"}]);
    });
    let output = xtask(&["spec", "diff", SPEC, &moved]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).starts_with(
            "breaking  server.url: servers url https://api.primeintellect.ai -> https://api.example.com/v2\n"
        ),
        "{}",
        stdout(&output)
    );
    // An optional field dropped from a request or a response breaks too: the
    // server would drop what the client sends, the client's field is gone.
    let dropped = edited(&dir, "dropped.json", |doc| {
        let schemas = &mut doc["components"]["schemas"];
        for schema in ["SecretCreateRequest", "SecretResponse"] {
            schemas[schema]["properties"]
                .as_object_mut()
                .unwrap()
                .remove("description");
        }
    });
    let output = xtask(&["spec", "diff", "--format", "json", SPEC, &dropped]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let removed: Vec<&Value> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["location"] == "request body .description")
        .collect();
    assert_eq!(removed.len(), 1, "{report:#}");
    assert_eq!(removed[0]["class"], "breaking");
    assert_eq!(removed[0]["rule"], "request.property.removed");
    assert!(
        report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["rule"] == "response.property.removed")
            .all(|c| c["class"] == "breaking"
                && c["location"].as_str().unwrap().ends_with(".description")),
        "{report:#}"
    );
}

#[test]
fn json_format_has_summary_and_changes() {
    let dir = temp_dir("json");
    let new = edited(&dir, "new.json", tighten_name);
    let output = xtask(&["spec", "diff", "--format", "json", SPEC, &new]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        report["summary"],
        json!({"breaking": 1, "behind": 0, "none": 0})
    );
    assert_eq!(report["changes"][0]["operation"], "POST /api/v1/secrets/");
    assert_eq!(report["changes"][0]["class"], "breaking");
}

#[test]
fn raw_upstream_and_yaml_inputs_are_normalized_first() {
    let dir = temp_dir("yaml");
    let yaml = dir.join("spec.yaml");
    std::fs::write(&yaml, as_yaml(&vendored())).unwrap();
    let output = xtask(&["spec", "diff", SPEC, &yaml.display().to_string()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    // The raw upstream, with prose and admin operations, is the same contract.
    let upstream = root().join("../shared/upstream/openapi.json");
    if upstream.exists() {
        let output = xtask(&["spec", "diff", SPEC, &upstream.display().to_string()]);
        assert_eq!(stdout(&output), "no contract changes\n");
    }
}

/// YAML for a JSON value without a YAML library: JSON is YAML 1.2 flow style,
/// so a leading comment line is enough to make the reader take the YAML path.
fn as_yaml(value: &Value) -> String {
    format!(
        "# vendored spec as YAML\n{}",
        serde_json::to_string_pretty(value).unwrap()
    )
}

#[test]
fn unreadable_documents_exit_two_naming_the_file() {
    let output = xtask(&["spec", "diff", SPEC, "/nonexistent/new.json"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: /nonexistent/new.json: cannot read"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let dir = temp_dir("invalid");
    let swagger = dir.join("swagger.json");
    std::fs::write(&swagger, r#"{"swagger": "2.0", "paths": {}}"#).unwrap();
    let output = xtask(&["spec", "diff", &swagger.display().to_string(), SPEC]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("swagger.json: not an OpenAPI 3.x document"));

    let output = xtask(&["spec", "diff", SPEC]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("expected two documents"));
}

/// The vendored document as if upstream now described the supplement's
/// batched sandbox status call, with the supplement's schemas; `edit` may
/// then make upstream's description differ from the supplement's.
fn documenting_batch_status(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let supplement: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("spec/supplement/openapi.json")).unwrap(),
    )
    .unwrap();
    edited(dir, name, |doc| {
        let path = "/api/v1/sandbox/status:batchGet";
        let mut operation = supplement["paths"][path]["post"].clone();
        // Upstream has its own id and no provenance of ours.
        operation["operationId"] = json!("batch_status_api_v1_sandbox_status_batchGet_post");
        operation.as_object_mut().unwrap().remove("x-pi-source");
        doc["paths"][path] = json!({"post": operation});
        let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
        for (name, schema) in supplement["components"]["schemas"].as_object().unwrap() {
            schemas
                .entry(name.clone())
                .or_insert_with(|| schema.clone());
        }
        edit(doc);
    })
}

#[test]
fn a_supplement_operation_upstream_now_describes_is_named_and_compared() {
    let dir = temp_dir("now-documented");
    // The same description: named, nothing else to report.
    let same = documenting_batch_status(&dir, "same.json", |_| {});
    let output = xtask(&["spec", "diff", SPEC, &same]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.contains("now documented upstream: POST /api/v1/sandbox/status:batchGet (`batch_get_sandbox_status`, in the supplement from prime-sandboxes 0.5.1)"),
        "{text}"
    );
    assert!(!text.contains("breaking"), "{text}");

    // Upstream's answer lacks the errors the supplement says it has: the
    // SDK reads them, so the change is breaking, named by operation.
    let without_errors = documenting_batch_status(&dir, "narrower.json", |doc| {
        let response = &mut doc["components"]["schemas"]["BatchSandboxStatusResponse"];
        response["properties"]
            .as_object_mut()
            .unwrap()
            .remove("errors");
        response["required"] = json!(["statuses"]);
    });
    let output = xtask(&["spec", "diff", SPEC, &without_errors]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("now documented upstream: POST /api/v1/sandbox/status:batchGet"),
        "{text}"
    );
    assert!(text.contains("errors"), "{text}");

    let json = xtask(&["spec", "diff", SPEC, &without_errors, "--format", "json"]);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json["now_documented_upstream"][0]["operation_id"],
        "batch_get_sandbox_status"
    );
}

/// The supplement's amendment of `place`, as written in the repository.
fn amendment(place: &str) -> Value {
    let supplement: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("spec/supplement/openapi.json")).unwrap(),
    )
    .unwrap();
    supplement["x-pi-amendments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["place"] == place)
        .unwrap_or_else(|| panic!("the supplement no longer amends {place}; update this test"))
        .clone()
}

#[test]
fn an_amended_place_upstream_now_describes_is_named_and_compared() {
    let dir = temp_dir("now-amended");
    let idle = "/components/schemas/CreateSandboxRequest/properties/idle_timeout_minutes";
    // Upstream adopts the amendment as it is: named, and nothing else,
    // since the SDK already sends the field.
    let adopted = amendment(idle)["value"].clone();
    let same = edited(&dir, "same.json", |doc| {
        *doc.pointer_mut("/components/schemas/CreateSandboxRequest/properties")
            .unwrap()
            .as_object_mut()
            .unwrap()
            .entry("idle_timeout_minutes")
            .or_insert(Value::Null) = adopted;
    });
    let output = xtask(&["spec", "diff", SPEC, &same]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.contains(&format!(
            "now documented upstream: the amended place {idle} (in the supplement from prime-sandboxes 0.5.1)"
        )),
        "{text}"
    );
    assert!(!text.contains("breaking"), "{text}");

    // Upstream says the start command is a string, as the document of
    // August did: the SDK sends the client's object, so that is breaking,
    // named by the operation and field, and the amended place is listed.
    let start = "/components/schemas/CreateSandboxRequest/properties/start_command";
    let reverted = edited(&dir, "reverted.json", |doc| {
        *doc.pointer_mut(start).unwrap() =
            json!({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]});
    });
    let output = xtask(&["spec", "diff", SPEC, &reverted]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    assert!(
        text.contains(&format!(
            "now documented upstream: the amended place {start}"
        )),
        "{text}"
    );
    assert!(text.contains("start_command"), "{text}");

    let json = xtask(&["spec", "diff", SPEC, &reverted, "--format", "json"]);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let listed = &json["amended_places_changed_upstream"][0];
    assert_eq!(listed["place"], start);
    assert_eq!(listed["source"], "prime-sandboxes 0.5.1");
}
