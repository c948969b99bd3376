//! Response synthesis: properties on small documents, and every documented
//! response of the real PI document synthesized and checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use pi_contract::{Spec, SynthError};
use serde_json::{Value, json};

/// The vendored spec, or the raw upstream document until it is vendored.
fn real_document() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        root.join("spec/openapi.json"),
        root.join("../shared/upstream/openapi.json"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

fn spec_with_response(schema: Value, components: Value) -> Spec {
    Spec::from_value(json!({
        "openapi": "3.1.0",
        "info": {"title": "synth", "version": "1"},
        "paths": {"/thing": {"get": {
            "operationId": "get_thing",
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": schema}}},
                "204": {"description": "nothing"}
            }
        }}},
        "components": components
    }))
    .unwrap()
}

#[test]
fn every_documented_response_of_the_real_document_synthesizes_valid_instances() {
    let Some(path) = real_document() else {
        panic!("neither spec/openapi.json nor the upstream document is present");
    };
    let spec = Spec::from_path(&path).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for operation in spec.operations() {
        for response in operation.responses() {
            if response.schema().is_none() {
                continue;
            }
            match spec.synthesize(operation.id(), response.status()) {
                Ok(synthesized) => {
                    assert!(synthesized.instances().len() >= 2);
                    assert!(
                        synthesized.covers_every_choice(),
                        "{} {}",
                        operation.id(),
                        response.status()
                    );
                    for instance in synthesized.instances() {
                        let violations = spec.validate_response(
                            operation.id(),
                            response.status(),
                            &instance.value,
                        );
                        assert!(violations.is_empty(), "{}: {violations:?}", instance.name);
                        checked += 1;
                    }
                }
                Err(error) => failures.push(error.to_string()),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 160, "only {checked} instances checked");
}

#[test]
fn maximal_instances_of_a_pod_name_every_gpu_type() {
    let spec = Spec::from_path(&real_document().unwrap()).unwrap();
    let gpu_types: Vec<Value> =
        spec.resolve(&json!({"$ref": "#/components/schemas/GPUType"}))["enum"]
            .as_array()
            .unwrap()
            .clone();
    assert!(gpu_types.len() > 32);
    let get_pod = spec
        .operations()
        .find(|op| op.method() == "GET" && op.path() == "/api/v1/pods/{pod_id}")
        .unwrap();
    let synthesized = spec.synthesize(get_pod.id(), 200).unwrap();
    let shown: Vec<&Value> = synthesized
        .maximal_instances()
        .map(|i| &i.value["gpuName"])
        .collect();
    for gpu_type in &gpu_types {
        assert!(shown.contains(&gpu_type), "{gpu_type} never appears");
    }
}

#[test]
fn synthesis_is_deterministic() {
    let path = real_document().unwrap();
    let one = Spec::from_path(&path).unwrap();
    let two = Spec::from_path(&path).unwrap();
    for operation in one.operations() {
        if let Some(success) = operation.success_response() {
            if success.schema().is_some() {
                assert_eq!(
                    one.synthesize(operation.id(), success.status()).unwrap(),
                    two.synthesize(operation.id(), success.status()).unwrap(),
                    "{}",
                    operation.id()
                );
            }
        }
    }
}

#[test]
fn minimal_has_required_properties_only_and_null_where_allowed() {
    let spec = spec_with_response(
        json!({
            "type": "object",
            "required": ["id", "note", "count", "tags", "createdAt"],
            "properties": {
                "id": {"type": "string"},
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "count": {"type": "integer", "minimum": 3},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "createdAt": {"type": "string", "format": "date-time"},
                "optional": {"type": "string"}
            }
        }),
        json!({}),
    );
    let synthesized = spec.synthesize("get_thing", 200).unwrap();
    assert_eq!(
        synthesized.minimal(),
        &json!({"id": "", "note": null, "count": 3, "tags": [""], "createdAt": "1970-01-01T00:00:00Z"})
    );
    let maximal = synthesized.maximal();
    assert_eq!(maximal["optional"], "string");
    assert_eq!(maximal["note"], "string");
    assert!(maximal["createdAt"].as_str().unwrap().starts_with("2025-"));
}

#[test]
fn maximal_instances_show_every_enum_value_and_every_branch() {
    let spec = spec_with_response(
        json!({"$ref": "#/components/schemas/Pod"}),
        json!({"schemas": {
            "Pod": {
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {"$ref": "#/components/schemas/Status"},
                    "kind": {"anyOf": [{"type": "string", "enum": ["A", "B"]}, {"type": "integer"}, {"type": "null"}]},
                    "flag": {"type": "boolean"}
                }
            },
            "Status": {"type": "string", "enum": ["PENDING", "RUNNING", "STOPPED", "ERROR"]}
        }}),
    );
    let synthesized = spec.synthesize("get_thing", 200).unwrap();
    let names: Vec<&str> = synthesized
        .instances()
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "minimal",
            "maximal",
            "maximal-2",
            "maximal-3",
            "maximal-4",
            "nulls"
        ]
    );
    // `nulls` keeps every property but nulls what may be null.
    assert_eq!(
        synthesized.nulls(),
        &json!({"status": "PENDING", "kind": null, "flag": true})
    );
    let statuses: Vec<&str> = synthesized
        .maximal_instances()
        .map(|i| i.value["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["PENDING", "RUNNING", "STOPPED", "ERROR"]);
    let kinds: Vec<&Value> = synthesized
        .maximal_instances()
        .map(|i| &i.value["kind"])
        .collect();
    assert!(kinds.contains(&&json!("A")), "{kinds:?}");
    assert!(kinds.contains(&&json!("B")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.is_i64()), "{kinds:?}");
    assert_eq!(synthesized.get("maximal-4").unwrap()["status"], "ERROR");
    assert!(synthesized.get("maximal-5").is_none());
}

#[test]
fn patterns_lengths_and_bounds_are_honoured() {
    let spec = spec_with_response(
        json!({
            "type": "object",
            "required": ["name", "slug", "code", "short", "price", "size", "ratio"],
            "properties": {
                "name": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$", "minLength": 4},
                "slug": {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 3},
                "code": {"type": "string", "pattern": "^\\d{3}-[a-f]{2,}$"},
                "short": {"type": "string", "minLength": 2, "maxLength": 4},
                "price": {"type": "number", "exclusiveMinimum": 0},
                "size": {"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 5},
                "ratio": {"type": "number", "minimum": 0, "maximum": 1}
            }
        }),
        json!({}),
    );
    let synthesized = spec.synthesize("get_thing", 200).unwrap();
    let minimal = synthesized.minimal();
    assert_eq!(minimal["name"], "AAAA");
    assert_eq!(minimal["slug"], "a");
    assert_eq!(minimal["code"], "000-aa");
    assert_eq!(minimal["short"], "aa");
    assert!(minimal["price"].as_f64().unwrap() > 0.0);
    assert_eq!(minimal["size"], 10);
    assert_eq!(minimal["ratio"], 0);
    let maximal = synthesized.maximal();
    assert!(maximal["slug"].as_str().unwrap().len() <= 3);
    assert_eq!(maximal["short"], "stri");
    assert_eq!(maximal["size"], 20);
}

#[test]
fn maps_get_an_entry_in_maximal_and_none_in_minimal() {
    let spec = spec_with_response(
        json!({"type": "object", "additionalProperties": {"type": "integer"}}),
        json!({}),
    );
    let synthesized = spec.synthesize("get_thing", 200).unwrap();
    assert_eq!(synthesized.minimal(), &json!({}));
    assert_eq!(synthesized.maximal(), &json!({"additionalProp1": 1}));
}

#[test]
fn recursive_schemas_stay_finite() {
    let spec = spec_with_response(
        json!({"$ref": "#/components/schemas/Node"}),
        json!({"schemas": {"Node": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
            }
        }}}),
    );
    let synthesized = spec.synthesize("get_thing", 200).unwrap();
    assert_eq!(
        synthesized.maximal(),
        &json!({"name": "string", "children": [{"name": ""}]})
    );
}

#[test]
fn an_unsatisfiable_schema_is_an_error_not_a_wrong_instance() {
    let spec = spec_with_response(
        json!({"type": "integer", "minimum": 5, "maximum": 3}),
        json!({}),
    );
    let error = spec.synthesize("get_thing", 200).unwrap_err();
    assert!(matches!(error, SynthError::Unsupported { .. }), "{error}");
    let spec = spec_with_response(json!({"type": "string", "pattern": "^(a|b)$"}), json!({}));
    let error = spec.synthesize("get_thing", 200).unwrap_err();
    assert!(error.to_string().contains("simple generator"), "{error}");
}

#[test]
fn undocumented_statuses_and_bodiless_responses_are_errors() {
    let spec = spec_with_response(json!({"type": "string"}), json!({}));
    assert!(matches!(
        spec.synthesize("get_thing", 500),
        Err(SynthError::UndocumentedStatus { status: 500, .. })
    ));
    assert!(matches!(
        spec.synthesize("get_thing", 204),
        Err(SynthError::NoBody { status: 204, .. })
    ));
    assert!(matches!(
        spec.synthesize("nothing", 200),
        Err(SynthError::UnknownOperation(_))
    ));
}

#[test]
fn the_nulls_instance_fills_optional_envelopes_and_nulls_their_nullable_fields() {
    let spec = spec_with_response(
        json!({"$ref": "#/components/schemas/Envelope"}),
        json!({"schemas": {
            "Envelope": {
                "type": "object",
                "properties": {
                    "data": {"anyOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
                }
            },
            "Item": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}
                }
            }
        }}),
    );
    let synthesized = spec.synthesize("get_thing", 200).unwrap();
    assert_eq!(synthesized.minimal(), &json!({}));
    assert_eq!(
        synthesized.nulls(),
        &json!({"data": {"id": "string", "note": null}, "items": [{"id": "string", "note": null}]})
    );
}

/// Every JSON response of the vendored document, under many seeds: each
/// random instance is valid (checked inside `synthesize_random`), the same
/// seed gives the same instance, and different seeds do not all agree.
#[test]
fn random_instances_of_every_response_are_valid_and_reproducible() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json");
    let spec = Spec::from_path(&path).unwrap();
    let mut varied = 0;
    let mut responses = 0;
    for operation in spec.operations() {
        for response in operation.responses() {
            if response.schema().is_none() {
                continue;
            }
            responses += 1;
            let id = operation.id();
            let status = response.status();
            let instances: Vec<Value> = (0..24)
                .map(|seed| match spec.synthesize_random(id, status, seed) {
                    Ok(instance) => instance.value,
                    Err(error) => panic!("{id} {status} seed {seed}: {error}"),
                })
                .collect();
            assert_eq!(
                spec.synthesize_random(id, status, 5).unwrap().value,
                instances[5],
                "{id} {status}: seed 5 is not reproducible"
            );
            if instances.iter().any(|instance| *instance != instances[0]) {
                varied += 1;
            }
        }
    }
    assert!(responses > 150, "only {responses} responses");
    // Objects with optional or nullable properties vary; a few bodies ({}, bare enums) cannot.
    assert!(
        varied * 10 > responses * 8,
        "only {varied} of {responses} responses vary with the seed"
    );
}

/// An unlisted-enum instance puts the marker wherever an enum is, and none
/// where there is no enum.
#[test]
fn unlisted_enum_instances_mark_every_enum_and_only_enums() {
    let spec = spec_with_response(
        json!({"type": "object", "required": ["state"], "properties": {
            "state": {"$ref": "#/components/schemas/State"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
            "name": {"type": "string"}
        }}),
        json!({"schemas": {"State": {"type": "string", "enum": ["UP", "DOWN"]}}}),
    );
    let instance = spec
        .synthesize_unlisted_enums("get_thing", 200)
        .unwrap()
        .unwrap();
    let marker = pi_contract::synth::UNLISTED_ENUM_VALUE;
    assert_eq!(instance.value["state"], marker);
    assert_eq!(instance.value["tags"], json!([marker]));
    assert_eq!(instance.value["name"], "string");
    let plain = spec_with_response(
        json!({"type": "object", "properties": {"n": {"type": "integer"}}}),
        json!({}),
    );
    assert_eq!(
        plain.synthesize_unlisted_enums("get_thing", 200).unwrap(),
        None
    );
}
