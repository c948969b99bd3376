//! The crosscheck on small hand-made schemas, and the committed result
//! against what the committed files give.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::compare::Kind;
use super::*;
use serde_json::json;

/// A document with one schema `Thing`, reached through a `$ref` chain.
fn document(thing: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "paths": {"/things": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
                "parameters": [
                    {"in": "query", "name": "team", "required": true, "schema": {"type": "string"}},
                    {"in": "query", "name": "limit", "schema": {"type": "integer"}}
                ]
            }
        }},
        "components": {"schemas": {
            "Thing": thing,
            "Command": {"type": "object", "required": ["executable"], "properties": {
                "executable": {"type": "string"},
                "args": {"type": "array", "items": {"type": "string"}}
            }}
        }}
    })
}

/// The crosscheck of `doc` and `models` under the map `map_text`, nothing accepted.
fn outcome_of(doc: &Value, models: &BTreeMap<String, Value>, map_text: &str) -> Outcome {
    let map: ModelMap = map::parse("map.toml", map_text).unwrap();
    crosscheck(doc, models, &map, &AcceptedList::default()).unwrap()
}

/// The findings of one schema pair `Thing` against a client model.
fn findings(doc_thing: Value, client: Value) -> Vec<(String, Kind, String, String)> {
    let models = BTreeMap::from([("pkg.models.Thing".to_owned(), client)]);
    let outcome = outcome_of(
        &document(doc_thing),
        &models,
        r#"
            [[pair]]
            client = "pkg.models.Thing"
            schema = "Thing"
            role = "request"
        "#,
    );
    outcome
        .disagreements
        .into_iter()
        .map(|d| (d.field, d.kind, d.document, d.observed))
        .collect()
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn kinds(found: &[(String, Kind, String, String)]) -> Vec<(&str, Kind)> {
    found.iter().map(|(f, k, _, _)| (f.as_str(), *k)).collect()
}

#[test]
fn the_same_schema_gives_no_disagreement() {
    let thing = object(json!({"a": {"type": "string"}}), &["a"]);
    assert!(findings(thing.clone(), thing).is_empty());
}

#[test]
fn a_property_on_one_side_only_is_found_in_both_directions() {
    let found = findings(
        object(
            json!({"a": {"type": "string"}, "gone": {"type": "integer"}}),
            &["gone"],
        ),
        object(
            json!({"a": {"type": "string"}, "added": {"type": "boolean"}}),
            &[],
        ),
    );
    assert_eq!(
        found,
        [
            (
                "added".into(),
                Kind::OnlyInClient,
                "absent".into(),
                "optional boolean".into()
            ),
            (
                "gone".into(),
                Kind::OnlyInDocument,
                "required integer".into(),
                "absent".into()
            ),
        ]
    );
}

#[test]
fn a_string_against_an_object_is_a_type_disagreement_through_refs() {
    // The document's string, the client's model in its own `$defs`.
    let client = json!({
        "type": "object",
        "properties": {"start": {"anyOf": [{"$ref": "#/$defs/StartCommand"}, {"type": "null"}]}},
        "$defs": {"StartCommand": {"type": "object", "properties": {"executable": {"type": "string"}}}}
    });
    let doc = object(
        json!({"start": {"anyOf": [{"type": "string"}, {"type": "null"}]}}),
        &[],
    );
    let found = findings(doc.clone(), client.clone());
    assert_eq!(
        found,
        [(
            "start".into(),
            Kind::Type,
            "string, nullable".into(),
            "object StartCommand, nullable".into()
        )]
    );
    // The other way round: the document's object, the client's string.
    let found = findings(
        object(
            json!({"start": {"$ref": "#/components/schemas/Command"}}),
            &[],
        ),
        object(json!({"start": {"type": "string"}}), &[]),
    );
    assert_eq!(kinds(&found), [("start", Kind::Type)]);
    assert_eq!(found[0].2, "object Command");
}

#[test]
fn referenced_models_are_compared_field_by_field_on_both_sides() {
    let doc = object(
        json!({"start": {"$ref": "#/components/schemas/Command"}}),
        &[],
    );
    let client = json!({
        "type": "object",
        "properties": {"start": {"$ref": "#/$defs/Cmd"}},
        "$defs": {"Cmd": {"type": "object", "required": ["executable"], "properties": {
            "executable": {"type": "string"},
            "args": {"type": "array", "items": {"type": "integer"}},
            "cwd": {"type": "string"}
        }}}
    });
    let found = findings(doc, client);
    assert_eq!(
        kinds(&found),
        [
            ("start.args[]", Kind::Type),
            ("start.cwd", Kind::OnlyInClient)
        ]
    );
    assert_eq!(
        (found[0].2.as_str(), found[0].3.as_str()),
        ("string", "integer")
    );
}

#[test]
fn nullability_differences_are_found_in_both_directions() {
    let found = findings(
        object(
            json!({"a": {"type": "string"}, "b": {"type": ["integer", "null"]}}),
            &[],
        ),
        object(
            json!({"a": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "b": {"type": "integer"}}),
            &[],
        ),
    );
    assert_eq!(
        found,
        [
            (
                "a".into(),
                Kind::Nullable,
                "not nullable".into(),
                "nullable".into()
            ),
            (
                "b".into(),
                Kind::Nullable,
                "nullable".into(),
                "not nullable".into()
            ),
        ]
    );
}

#[test]
fn enum_values_are_compared_as_sets() {
    let found = findings(
        object(
            json!({
                "state": {"type": "string", "enum": ["RUNNING", "PENDING", "ERROR"]},
                "open": {"type": "string", "enum": ["a"]},
                "closed": {"type": "string"}
            }),
            &[],
        ),
        object(
            json!({
                "state": {"type": "string", "enum": ["PENDING", "RUNNING", "PAUSED"]},
                "open": {"type": "string"},
                "closed": {"const": "x"}
            }),
            &[],
        ),
    );
    assert_eq!(
        found,
        [
            ("closed".into(), Kind::Enum, "any value".into(), "x".into()),
            ("open".into(), Kind::Enum, "a".into(), "any value".into()),
            (
                "state".into(),
                Kind::Enum,
                "also ERROR".into(),
                "also PAUSED".into()
            ),
        ]
    );
}

#[test]
fn required_ness_differences_are_found_in_both_directions() {
    let props = json!({"a": {"type": "string"}, "b": {"type": "string"}});
    let found = findings(object(props.clone(), &["a"]), object(props, &["b"]));
    assert_eq!(
        found,
        [
            (
                "a".into(),
                Kind::Required,
                "required".into(),
                "optional".into()
            ),
            (
                "b".into(),
                Kind::Required,
                "optional".into(),
                "required".into()
            ),
        ]
    );
}

#[test]
fn limits_are_compared_keyword_by_keyword() {
    let found = findings(
        object(
            json!({
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "ids": {"type": "array", "items": {"type": "string"}, "maxItems": 500},
                "cpu": {"type": "number", "minimum": 1}
            }),
            &[],
        ),
        object(
            json!({
                "name": {"type": "string", "minLength": 1, "maxLength": 64},
                "ids": {"type": "array", "items": {"type": "string"}},
                "cpu": {"type": "number", "minimum": 1.0}
            }),
            &[],
        ),
    );
    assert_eq!(
        found,
        [
            (
                "ids".into(),
                Kind::Limits,
                "maxItems 500".into(),
                "none".into()
            ),
            (
                "name".into(),
                Kind::Limits,
                "maxLength 100".into(),
                "maxLength 64".into()
            ),
        ]
    );
}

#[test]
fn integer_against_number_and_maps_against_fields_are_type_disagreements() {
    let found = findings(
        object(
            json!({"n": {"type": "integer"}, "env": {"type": "object", "properties": {"k": {"type": "string"}}}}),
            &[],
        ),
        object(
            json!({"n": {"type": "number"}, "env": {"type": "object", "additionalProperties": {"type": "string"}}}),
            &[],
        ),
    );
    assert_eq!(kinds(&found), [("env", Kind::Type), ("n", Kind::Type)]);
    assert_eq!(found[0].3, "map of string");
}

#[test]
fn an_unconstrained_side_disagrees_with_nothing() {
    let found = findings(
        object(json!({"a": {}, "b": {"type": "object"}}), &[]),
        object(
            json!({"a": {"type": "string"}, "b": {"type": "object", "properties": {"x": {"type": "string"}}}}),
            &[],
        ),
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn operations_are_paired_by_request_body_and_response() {
    let models = BTreeMap::from([(
        "pkg.models.Thing".to_owned(),
        object(json!({"a": {"type": "string"}}), &[]),
    )]);
    let doc = document(object(json!({"a": {"type": "integer"}}), &[]));
    let outcome = outcome_of(
        &doc,
        &models,
        r#"
            [[pair]]
            client = "pkg.models.Thing"
            operation = "POST /things"
            part = "response"
        "#,
    );
    assert_eq!(outcome.disagreements.len(), 1);
    assert_eq!(outcome.disagreements[0].place, "POST /things response");
    assert_eq!(outcome.disagreements[0].role, map::Role::Response);
}

#[test]
fn query_parameters_the_client_sends_are_checked() {
    let doc = document(json!({"type": "object"}));
    let outcome = outcome_of(
        &doc,
        &BTreeMap::new(),
        r#"
            [[query]]
            operation = "POST /things"
            client = "pkg.client.list"
            params = ["limit", "page"]
        "#,
    );
    let found: Vec<(&str, Kind)> = outcome
        .disagreements
        .iter()
        .map(|d| (d.field.as_str(), d.kind))
        .collect();
    // `page` is not declared; the required `team` is never sent; the
    // optional `limit` is both.
    assert_eq!(
        found,
        [
            ("?page", Kind::OnlyInClient),
            ("?team", Kind::OnlyInDocument)
        ]
    );
}

#[test]
fn an_accepted_disagreement_is_not_new_and_a_known_one_is_not_new_either() {
    let models = BTreeMap::from([(
        "pkg.models.Thing".to_owned(),
        object(
            json!({"a": {"type": "string"}, "b": {"type": "string"}}),
            &[],
        ),
    )]);
    let map: ModelMap = map::parse(
        "map.toml",
        "[[pair]]\nclient = \"pkg.models.Thing\"\nschema = \"Thing\"\nrole = \"response\"\n",
    )
    .unwrap();
    let accepted: AcceptedList = map::parse(
        "accepted.toml",
        r#"
            [[accepted]]
            kind = "only-in-client"
            role = "response"
            field = "a"
            observed = "optional"
            reason = "read but harmless"

            [[accepted]]
            kind = "limits"
            reason = "matches nothing"
        "#,
    )
    .unwrap();
    let doc = document(json!({"type": "object", "properties": {"z": {"type": "string"}}}));
    let outcome = crosscheck(&doc, &models, &map, &accepted).unwrap();
    let a = &outcome.disagreements[0];
    assert_eq!(
        (a.field.as_str(), a.accepted.as_deref()),
        ("a", Some("read but harmless"))
    );
    // Nothing committed yet: `b` and `z` are new, the accepted `a` is not.
    let new: Vec<&str> = outcome
        .new_since(&Value::Null)
        .iter()
        .map(|d| d.field.as_str())
        .collect();
    assert_eq!(new, ["b", "z"]);
    // Once the result is committed, nothing is new.
    assert!(outcome.new_since(&outcome.to_json()).is_empty());
    // A rule that matches nothing is reported, so the list stays true.
    assert_eq!(outcome.stale_accepted.len(), 1);
    assert!(outcome.text(&[]).contains("match no disagreement"));
}

#[test]
fn a_model_paired_alone_is_not_compared_again_inside_another_pair() {
    let models = BTreeMap::from([
        (
            "pkg.models.Outer".to_owned(),
            json!({"type": "object", "properties": {"start": {"$ref": "#/$defs/Cmd"}},
                   "$defs": {"Cmd": {"type": "object", "properties": {"x": {"type": "string"}}}}}),
        ),
        (
            "pkg.models.Cmd".to_owned(),
            json!({"type": "object", "properties": {"x": {"type": "string"}}}),
        ),
    ]);
    let doc = document(object(
        json!({"start": {"$ref": "#/components/schemas/Command"}}),
        &[],
    ));
    let outcome = outcome_of(
        &doc,
        &models,
        r#"
            [[pair]]
            client = "pkg.models.Outer"
            operation = "POST /things"
            part = "request body"

            [[pair]]
            client = "pkg.models.Cmd"
            schema = "Command"
            role = "request"
        "#,
    );
    let places: Vec<(&str, &str)> = outcome
        .disagreements
        .iter()
        .map(|d| (d.place.as_str(), d.field.as_str()))
        .collect();
    // Command and Cmd differ (args, executable, x): reported once, at their
    // own pair, not again under `start.` of the request body.
    assert_eq!(
        places,
        [
            ("schema Command", "args"),
            ("schema Command", "executable"),
            ("schema Command", "x")
        ]
    );
}

#[test]
fn unpaired_models_are_listed_as_not_mapped_unless_inside_a_pair_or_declared() {
    let models = BTreeMap::from([
        (
            "pkg.models.Outer".to_owned(),
            json!({"type": "object", "properties": {}, "$defs": {"Inner": {"type": "object"}}}),
        ),
        ("pkg.models.Inner".to_owned(), json!({"type": "object"})),
        ("pkg.models.Config".to_owned(), json!({"type": "object"})),
        ("pkg.models.Thing".to_owned(), json!({"type": "object"})),
        ("pkg.models.Other".to_owned(), json!({"type": "object"})),
    ]);
    let outcome = outcome_of(
        &document(json!({"type": "object"})),
        &models,
        r#"
            [[pair]]
            client = "pkg.models.Outer"
            schema = "Thing"
            role = "response"

            [[unpaired]]
            client = "pkg.models.Config"
            reason = "local"
        "#,
    );
    assert_eq!(
        outcome.placement.not_mapped,
        [
            "pkg.models.Other",
            "pkg.models.Thing (the document has a schema Thing)"
        ]
    );
    assert_eq!(
        outcome.placement.inside["pkg.models.Inner"],
        "pkg.models.Outer"
    );
    assert_eq!(outcome.placement.unpaired, 1);
}

#[test]
fn a_map_naming_what_does_not_exist_is_an_error() {
    let models = BTreeMap::from([("pkg.models.Thing".to_owned(), json!({"type": "object"}))]);
    let doc = document(json!({"type": "object"}));
    for (text, expected) in [
        (
            "[[pair]]\nclient = \"pkg.models.Nope\"\nschema = \"Thing\"\nrole = \"request\"",
            "no observed package",
        ),
        (
            "[[pair]]\nclient = \"pkg.models.Thing\"\nschema = \"Nope\"\nrole = \"request\"",
            "does not have",
        ),
        (
            "[[pair]]\nclient = \"pkg.models.Thing\"\nschema = \"Thing\"",
            "needs either",
        ),
        (
            "[[unpaired]]\nclient = \"pkg.models.Thing\"\nreason = \" \"",
            "no reason",
        ),
    ] {
        let map: ModelMap = map::parse("map.toml", text).unwrap();
        let error = crosscheck(&doc, &models, &map, &AcceptedList::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[test]
fn the_committed_crosscheck_is_what_the_committed_files_give() {
    let root = crate::project_root();
    let (outcome, committed) = crosscheck_files(&root, false).unwrap();
    let computed = to_canonical_json(&outcome.to_json());
    let on_disk = std::fs::read_to_string(root.join(OBSERVED_DIR).join(RESULT_FILE)).unwrap();
    assert!(
        computed == on_disk,
        "{OBSERVED_DIR}/{RESULT_FILE} is not what the committed files give: \
         run `cargo xtask spec crosscheck`, review and commit"
    );
    assert!(outcome.new_since(&committed).is_empty());
    assert!(
        outcome.stale_accepted.is_empty(),
        "accepted rules that match nothing: {:?}",
        outcome.stale_accepted
    );
}
