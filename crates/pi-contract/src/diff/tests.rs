//! Tests of the diff rules: one small pair of documents per rule, in both
//! directions where the class differs, asserting the exact entries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

use super::*;

/// A small document in the upstream's style: two operations share the
/// `Envelope`/`Thing` response and the `Kind` enum, which the request uses too.
fn base() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://api.example"}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "list_things",
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}}
                    },
                    "security": [{"HTTPBearer": []}]
                },
                "post": {
                    "operationId": "create_thing",
                    "parameters": [
                        {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 100}}
                    ],
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingRequest"}}}
                    },
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}},
                        "422": {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                    "security": [{"HTTPBearer": []}]
                }
            },
            "/things/{id}": {
                "get": {
                    "operationId": "get_thing",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}}}
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "ThingRequest": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-z]+$"},
                        "size": {"type": "integer", "minimum": 0, "maximum": 10},
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null},
                        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
                        "when": {"type": "string"}
                    }
                },
                "Kind": {"type": "string", "enum": ["small", "large"]},
                "Envelope": {
                    "type": "object",
                    "required": ["data", "status"],
                    "properties": {"data": {"$ref": "#/components/schemas/Thing"}, "status": {"type": "string"}}
                },
                "Thing": {
                    "type": "object",
                    "required": ["id", "kind", "created"],
                    "properties": {
                        "id": {"type": "string"},
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "created": {"type": "string", "format": "date-time"},
                        "label": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "count": {"type": "integer"}
                    }
                }
            },
            "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}

/// The base document changed by `edit`.
fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut doc = base();
    edit(&mut doc);
    doc
}

fn schema<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    &mut doc["components"]["schemas"][name]
}

fn request_prop<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    &mut doc["components"]["schemas"]["ThingRequest"]["properties"][name]
}

fn thing_prop<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    &mut doc["components"]["schemas"]["Thing"]["properties"][name]
}

fn post(doc: &mut Value) -> &mut Value {
    &mut doc["paths"]["/things"]["post"]
}

/// Each change as `class: text`.
fn entries(old: &Value, new: &Value) -> Vec<String> {
    diff_documents(old, new)
        .unwrap()
        .changes()
        .iter()
        .map(|c| format!("{}: {c}", c.class.label()))
        .collect()
}

/// Asserts the exact list of changes from `old` to `new`.
#[track_caller]
fn expect(old: &Value, new: &Value, expected: &[&str]) {
    let got = entries(old, new);
    assert_eq!(got, expected, "\n got: {got:#?}\nwant: {expected:#?}");
}

// ----- no change -----

#[test]
fn identical_documents_have_no_changes() {
    assert!(diff_documents(&base(), &base()).unwrap().is_empty());
}

fn vendored() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json");
    crate::document::read_document(&path).unwrap()
}

#[test]
fn the_vendored_spec_against_itself_has_no_changes() {
    let spec = vendored();
    let report = diff(&spec, &spec);
    assert!(report.is_empty(), "{}", report.to_text());
    assert_eq!(report.summary(), "spec diff: no contract changes\n");
}

#[test]
fn prose_only_edits_of_the_vendored_spec_have_no_changes() {
    let spec = vendored();
    let mut edited = spec.clone();
    edited["info"]["description"] = json!("A new introduction.");
    for item in edited["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            op["description"] = json!("Reworded.");
            op["externalDocs"] = json!({"url": "https://example.com"});
            op["x-mint"] = json!({"href": "/x"});
            for response in op["responses"].as_object_mut().unwrap().values_mut() {
                response["description"] = json!("Some response.");
            }
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                for param in params {
                    param["description"] = json!("A parameter.");
                    param["example"] = json!("e");
                }
            }
        }
    }
    for schema in edited["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        schema["title"] = json!("Renamed");
        schema["description"] = json!("New words.");
        schema["examples"] = json!([{"a": 1}]);
    }
    assert_ne!(spec, edited);
    let report = diff_documents(&spec, &edited).unwrap();
    assert!(report.is_empty(), "{}", report.to_text());
}

#[test]
fn admin_operations_are_out_of_scope() {
    let new = with(|d| {
        d["paths"]["/api/admin/things"] =
            json!({"get": {"operationId": "admin", "responses": {"200": {"description": "ok"}}}});
    });
    expect(&base(), &new, &[]);
}

// ----- operations -----

#[test]
fn operation_added_is_behind_and_removed_is_breaking() {
    let new = with(|d| {
        d["paths"]["/things/{id}"]["delete"] =
            json!({"operationId": "delete_thing", "responses": {"204": {"description": "gone"}}});
    });
    expect(
        &base(),
        &new,
        &["behind: DELETE /things/{id} operation added"],
    );
    expect(
        &new,
        &base(),
        &["breaking: DELETE /things/{id} operation removed"],
    );
}

#[test]
fn an_operation_id_at_a_new_path_is_a_move() {
    let new = with(|d| {
        let item = d["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/things/{id}")
            .unwrap();
        d["paths"]["/items/{id}"] = item;
    });
    expect(
        &base(),
        &new,
        &["breaking: GET /items/{id} operation moved: GET /things/{id} -> GET /items/{id}"],
    );
    // Without an operation id to follow, a removal and an addition.
    let strip_id = |d: &mut Value| {
        d["paths"]["/things/{id}"]["get"]
            .as_object_mut()
            .unwrap()
            .remove("operationId");
    };
    let new = with(|d| {
        strip_id(d);
        let item = d["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/things/{id}")
            .unwrap();
        d["paths"]["/items/{id}"] = item;
    });
    expect(
        &with(strip_id),
        &new,
        &[
            "behind: GET /items/{id} operation added",
            "breaking: GET /things/{id} operation removed",
        ],
    );
}

#[test]
fn a_method_change_is_a_move() {
    let new = with(|d| {
        let op = d["paths"]["/things/{id}"]
            .as_object_mut()
            .unwrap()
            .remove("get")
            .unwrap();
        d["paths"]["/things/{id}"]["put"] = op;
    });
    expect(
        &base(),
        &new,
        &["breaking: PUT /things/{id} operation moved: GET /things/{id} -> PUT /things/{id}"],
    );
}

#[test]
fn deprecation_is_behind() {
    let new = with(|d| post(d)["deprecated"] = json!(true));
    expect(&base(), &new, &["behind: POST /things deprecated"]);
    expect(&new, &base(), &["none: POST /things no longer deprecated"]);
}

// ----- parameters -----

#[test]
fn parameter_added_required_breaks_and_optional_does_not() {
    let required = with(|d| {
        post(d)["parameters"].as_array_mut().unwrap().push(
            json!({"name": "team", "in": "query", "required": true, "schema": {"type": "string"}}),
        );
    });
    expect(
        &base(),
        &required,
        &["breaking: POST /things parameter query team added (required)"],
    );
    let optional = with(|d| {
        post(d)["parameters"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "team", "in": "query", "schema": {"type": "string"}}));
    });
    expect(
        &base(),
        &optional,
        &["behind: POST /things parameter query team added (optional)"],
    );
    // Removing a parameter the client sends breaks.
    expect(
        &optional,
        &base(),
        &["breaking: POST /things parameter query team removed"],
    );
}

#[test]
fn parameter_rename_is_a_removal_and_an_addition() {
    let new = with(|d| post(d)["parameters"][0]["name"] = json!("max"));
    expect(
        &base(),
        &new,
        &[
            "breaking: POST /things parameter query limit removed",
            "behind: POST /things parameter query max added (optional)",
        ],
    );
}

#[test]
fn parameter_location_change_breaks() {
    let new = with(|d| post(d)["parameters"][0]["in"] = json!("header"));
    expect(
        &base(),
        &new,
        &["breaking: POST /things parameter limit location query -> header"],
    );
}

#[test]
fn parameter_requiredness() {
    let new = with(|d| post(d)["parameters"][0]["required"] = json!(true));
    expect(
        &base(),
        &new,
        &["breaking: POST /things parameter query limit now required"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things parameter query limit no longer required"],
    );
}

#[test]
fn parameter_style_change_breaks() {
    let new = with(|d| post(d)["parameters"][0]["style"] = json!("spaceDelimited"));
    expect(
        &base(),
        &new,
        &[
            "breaking: POST /things parameter query limit style form -> spaceDelimited",
            "breaking: POST /things parameter query limit explode true -> false",
        ],
    );
    let new = with(|d| post(d)["parameters"][0]["explode"] = json!(false));
    expect(
        &base(),
        &new,
        &["breaking: POST /things parameter query limit explode true -> false"],
    );
}

#[test]
fn parameter_explode_defaults_follow_the_style() {
    // A header's default is style simple, explode false: writing the defaults
    // out changes nothing, and only `explode: true` is a change.
    let header = |extra: Value| {
        with(move |d| {
            let mut param = json!({"name": "X-Tags", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}});
            for (key, value) in extra.as_object().unwrap() {
                param[key] = value.clone();
            }
            post(d)["parameters"].as_array_mut().unwrap().push(param);
        })
    };
    let silent = header(json!({}));
    expect(
        &silent,
        &header(json!({"style": "simple", "explode": false})),
        &[],
    );
    expect(
        &silent,
        &header(json!({"explode": true})),
        &["breaking: POST /things parameter header x-tags explode false -> true"],
    );
    // A query parameter's default is form, explode true.
    let new = with(|d| post(d)["parameters"][0]["explode"] = json!(true));
    expect(&base(), &new, &[]);
}

#[test]
fn parameter_type_and_range() {
    let new = with(|d| post(d)["parameters"][0]["schema"]["type"] = json!("string"));
    expect(
        &base(),
        &new,
        &["breaking: POST /things parameter query limit type integer -> string"],
    );
    let new = with(|d| post(d)["parameters"][0]["schema"]["maximum"] = json!(50));
    expect(
        &base(),
        &new,
        &["breaking: POST /things parameter query limit maximum 100 -> 50"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things parameter query limit maximum 50 -> 100"],
    );
}

#[test]
fn path_item_parameters_count_for_every_operation() {
    let new = with(|d| {
        d["paths"]["/things"]["parameters"] = json!([{"name": "X-Team", "in": "header", "required": true, "schema": {"type": "string"}}]);
    });
    expect(
        &base(),
        &new,
        &[
            "breaking: GET /things parameter header x-team added (required)",
            "breaking: POST /things parameter header x-team added (required)",
        ],
    );
}

// ----- request body -----

#[test]
fn request_body_added_removed_and_required() {
    let body =
        json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
    let new = with(|d| d["paths"]["/things/{id}"]["get"]["requestBody"] = body.clone());
    expect(
        &base(),
        &new,
        &["breaking: GET /things/{id} request body added (required)"],
    );
    expect(
        &new,
        &base(),
        &["breaking: GET /things/{id} request body removed"],
    );
    let new = with(|d| {
        d["paths"]["/things/{id}"]["get"]["requestBody"] =
            json!({"content": {"application/json": {"schema": {"type": "object"}}}});
    });
    expect(
        &base(),
        &new,
        &["behind: GET /things/{id} request body added (optional)"],
    );

    let optional = with(|d| post(d)["requestBody"]["required"] = json!(false));
    expect(
        &optional,
        &base(),
        &["breaking: POST /things request body now required"],
    );
    expect(
        &base(),
        &optional,
        &["behind: POST /things request body no longer required"],
    );
}

#[test]
fn request_content_type_removed_breaks_and_added_does_not() {
    let new = with(|d| {
        let content = &mut post(d)["requestBody"]["content"];
        let json_media = content["application/json"].clone();
        content["application/x-www-form-urlencoded"] = json_media;
    });
    expect(
        &base(),
        &new,
        &["behind: POST /things request body content type application/x-www-form-urlencoded added"],
    );
    let new = with(|d| {
        let content = post(d)["requestBody"]["content"].as_object_mut().unwrap();
        let media = content.remove("application/json").unwrap();
        content.insert("multipart/form-data".into(), media);
    });
    expect(
        &base(),
        &new,
        &[
            "breaking: POST /things request body content type application/json removed",
            "behind: POST /things request body content type multipart/form-data added",
        ],
    );
}

// ----- request properties -----

#[test]
fn request_property_added_required_breaks_and_optional_does_not() {
    let new = with(|d| {
        *request_prop(d, "color") = json!({"type": "string"});
        schema(d, "ThingRequest")["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("color"));
    });
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .color added (required)"],
    );
    let new = with(|d| *request_prop(d, "color") = json!({"type": "string"}));
    expect(
        &base(),
        &new,
        &["behind: POST /things request body .color added (optional)"],
    );
}

#[test]
fn request_property_removed() {
    let new = with(|d| {
        schema(d, "ThingRequest")["properties"]
            .as_object_mut()
            .unwrap()
            .remove("when");
    });
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .when removed (a value sent for it is dropped)"],
    );
    let closed = with(|d| schema(d, "ThingRequest")["additionalProperties"] = json!(false));
    let new = with(|d| {
        schema(d, "ThingRequest")["additionalProperties"] = json!(false);
        schema(d, "ThingRequest")["properties"]
            .as_object_mut()
            .unwrap()
            .remove("when");
    });
    expect(
        &closed,
        &new,
        &["breaking: POST /things request body .when removed (the new document rejects it)"],
    );
}

#[test]
fn a_removed_required_request_property_breaks() {
    let new = with(|d| {
        let request = schema(d, "ThingRequest");
        request["properties"]
            .as_object_mut()
            .unwrap()
            .remove("name");
        request["required"] = json!([]);
    });
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .name removed (a value sent for it is dropped)"],
    );
}

#[test]
fn a_renamed_request_property_is_a_breaking_removal_plus_an_addition() {
    let new = with(|d| {
        let props = schema(d, "ThingRequest")["properties"]
            .as_object_mut()
            .unwrap();
        let when = props.remove("when").unwrap();
        props.insert("at".into(), when);
    });
    let report = diff_documents(&base(), &new).unwrap();
    expect(
        &base(),
        &new,
        &[
            "behind: POST /things request body .at added (optional); likely the new name of `when`",
            "breaking: POST /things request body .when removed (a value sent for it is dropped); likely renamed to `at`",
        ],
    );
    assert_eq!(report.changes()[1].rule, rules::REQUEST_PROPERTY_REMOVED);
    assert!(report.has_breaking());
}

#[test]
fn a_removed_nested_request_property_names_its_path() {
    let config = |with_env: bool| {
        with(move |d| {
            let mut props = json!({"image": {"type": "string"}});
            if with_env {
                props["env"] = json!({"type": "array", "items": {"type": "string"}});
            }
            *request_prop(d, "config") = json!({"type": "object", "properties": props});
        })
    };
    expect(
        &config(true),
        &config(false),
        &[
            "breaking: POST /things request body .config.env removed (a value sent for it is dropped)",
        ],
    );
}

#[test]
fn request_property_requiredness() {
    let new = with(|d| {
        schema(d, "ThingRequest")["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("size"));
    });
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .size now required"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .size no longer required"],
    );
}

#[test]
fn request_property_type() {
    let new = with(|d| request_prop(d, "when")["type"] = json!("integer"));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .when type string -> integer"],
    );
    // Widening integer to number accepts everything the client sent.
    let new = with(|d| request_prop(d, "size")["type"] = json!("number"));
    expect(
        &base(),
        &new,
        &["behind: POST /things request body .size type integer -> number"],
    );
    expect(
        &new,
        &base(),
        &["breaking: POST /things request body .size type number -> integer"],
    );
}

#[test]
fn request_length_constraints() {
    let new = with(|d| request_prop(d, "name")["maxLength"] = json!(64));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .name maxLength 255 -> 64"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .name maxLength 64 -> 255"],
    );
    let new = with(|d| request_prop(d, "name")["minLength"] = json!(3));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .name minLength 1 -> 3"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .name minLength 3 -> 1"],
    );
    let new = with(|d| request_prop(d, "when")["maxLength"] = json!(10));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .when maxLength none -> 10"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .when maxLength 10 -> none"],
    );
}

#[test]
fn request_range_constraints() {
    let new = with(|d| request_prop(d, "size")["maximum"] = json!(5));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .size maximum 10 -> 5"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .size maximum 5 -> 10"],
    );
    let new = with(|d| request_prop(d, "size")["minimum"] = json!(1));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .size minimum 0 -> 1"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .size minimum 1 -> 0"],
    );
    let new = with(|d| request_prop(d, "tags")["maxItems"] = json!(2));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .tags maxItems 5 -> 2"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .tags maxItems 2 -> 5"],
    );
}

#[test]
fn request_pattern() {
    let new = with(|d| request_prop(d, "name")["pattern"] = json!("^[a-z0-9]+$"));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .name pattern \"^[a-z]+$\" -> \"^[a-z0-9]+$\""],
    );
    let new = with(|d| {
        request_prop(d, "name")
            .as_object_mut()
            .unwrap()
            .remove("pattern");
    });
    expect(
        &base(),
        &new,
        &["behind: POST /things request body .name pattern \"^[a-z]+$\" -> none"],
    );
    expect(
        &new,
        &base(),
        &["breaking: POST /things request body .name pattern none -> \"^[a-z]+$\""],
    );
}

#[test]
fn request_format() {
    let new = with(|d| request_prop(d, "when")["format"] = json!("date-time"));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .when format none -> \"date-time\""],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .when format \"date-time\" -> none"],
    );
}

#[test]
fn request_nullability() {
    let new = with(|d| {
        *request_prop(d, "when") = json!({"anyOf": [{"type": "string"}, {"type": "null"}]})
    });
    expect(
        &base(),
        &new,
        &["behind: POST /things request body .when null now allowed"],
    );
    expect(
        &new,
        &base(),
        &["breaking: POST /things request body .when null no longer allowed"],
    );
    // A type list with null reads the same as anyOf [T, null].
    let list = with(|d| request_prop(d, "when")["type"] = json!(["string", "null"]));
    expect(&new, &list, &[]);
}

#[test]
fn request_items_are_compared() {
    let new = with(|d| request_prop(d, "tags")["items"]["maxLength"] = json!(8));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .tags[] maxLength none -> 8"],
    );
}

#[test]
fn request_default_change_is_none() {
    let new = with(|d| request_prop(d, "note")["default"] = json!("n/a"));
    expect(
        &base(),
        &new,
        &["none: POST /things request body .note default null -> \"n/a\""],
    );
}

#[test]
fn request_additional_properties() {
    let new = with(|d| schema(d, "ThingRequest")["additionalProperties"] = json!(false));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body additional properties no longer allowed"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body additional properties now allowed"],
    );
}

// ----- enums, on both sides -----

#[test]
fn enum_value_removed_breaks_requests_but_not_responses() {
    let new = with(|d| schema(d, "Kind")["enum"] = json!(["small"]));
    expect(
        &base(),
        &new,
        &[
            "none: GET /things response 200 .data.kind enum value \"large\" removed",
            "breaking: POST /things request body .kind enum value \"large\" removed",
            "none: POST /things response 200 .data.kind enum value \"large\" removed",
            "none: GET /things/{id} response 200 .data.kind enum value \"large\" removed",
        ],
    );
}

#[test]
fn enum_value_added_is_behind_in_responses() {
    let new = with(|d| schema(d, "Kind")["enum"] = json!(["small", "large", "huge"]));
    // Reported once per operation that sees the shared schema, on each side.
    expect(
        &base(),
        &new,
        &[
            "behind: GET /things response 200 .data.kind enum value \"huge\" added",
            "behind: POST /things request body .kind enum value \"huge\" added",
            "behind: POST /things response 200 .data.kind enum value \"huge\" added",
            "behind: GET /things/{id} response 200 .data.kind enum value \"huge\" added",
        ],
    );
}

#[test]
fn enum_introduced_or_dropped() {
    let new = with(|d| request_prop(d, "when")["enum"] = json!(["now", "later"]));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .when enum added [\"now\", \"later\"]"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .when enum removed (was [\"now\", \"later\"])"],
    );
    let new = with(|d| thing_prop(d, "id")["enum"] = json!(["a"]));
    let get = "GET /things/{id} response 200 .data.id";
    let got = entries(&base(), &new);
    assert!(
        got.contains(&format!("behind: {get} enum added [\"a\"]")),
        "{got:#?}"
    );
    let got = entries(&new, &base());
    assert!(
        got.contains(&format!("none: {get} enum removed (was [\"a\"])")),
        "{got:#?}"
    );
}

// ----- response properties -----

/// Entries for `GET /things/{id}` only (the other operations share the schema).
fn get_entries(old: &Value, new: &Value) -> Vec<String> {
    entries(old, new)
        .into_iter()
        .filter(|e| e.contains("GET /things/{id}"))
        .collect()
}

#[track_caller]
fn expect_get(old: &Value, new: &Value, expected: &[&str]) {
    let got = get_entries(old, new);
    assert_eq!(got, expected, "\n got: {got:#?}\nwant: {expected:#?}");
    // The shared schema change shows under every operation using it.
    assert_eq!(entries(old, new).len(), 3 * expected.len());
}

#[test]
fn response_property_added_is_behind() {
    let new = with(|d| *thing_prop(d, "color") = json!({"type": "string"}));
    expect_get(
        &base(),
        &new,
        &["behind: GET /things/{id} response 200 .data.color added"],
    );
}

#[test]
fn response_property_removed() {
    let new = with(|d| {
        schema(d, "Thing")["properties"]
            .as_object_mut()
            .unwrap()
            .remove("count");
    });
    expect_get(
        &base(),
        &new,
        &[
            "breaking: GET /things/{id} response 200 .data.count removed (was optional; now always absent)",
        ],
    );
    let new = with(|d| {
        let thing = schema(d, "Thing");
        thing["properties"]
            .as_object_mut()
            .unwrap()
            .remove("created");
        thing["required"] = json!(["id", "kind"]);
    });
    expect_get(
        &base(),
        &new,
        &["breaking: GET /things/{id} response 200 .data.created removed (was required)"],
    );
}

#[test]
fn a_renamed_optional_response_property_breaks() {
    let new = with(|d| {
        let props = schema(d, "Thing")["properties"].as_object_mut().unwrap();
        let label = props.remove("label").unwrap();
        props.insert("title".into(), label);
    });
    expect_get(
        &base(),
        &new,
        &[
            "behind: GET /things/{id} response 200 .data.title added; likely the new name of `label`",
            "breaking: GET /things/{id} response 200 .data.label removed (was optional; now always absent); likely renamed to `title`",
        ],
    );
    let report = diff_documents(&base(), &new).unwrap();
    assert!(
        report
            .changes()
            .iter()
            .filter(|c| c.rule == rules::RESPONSE_PROPERTY_REMOVED)
            .all(|c| c.class == Class::Breaking && c.location == "response 200 .data.label")
    );
}

#[test]
fn response_property_made_optional_breaks() {
    let new = with(|d| schema(d, "Thing")["required"] = json!(["id", "kind"]));
    expect_get(
        &base(),
        &new,
        &["breaking: GET /things/{id} response 200 .data.created now optional (may be absent)"],
    );
    expect_get(
        &new,
        &base(),
        &["behind: GET /things/{id} response 200 .data.created now always present"],
    );
}

#[test]
fn response_property_made_nullable_breaks() {
    let new =
        with(|d| *thing_prop(d, "id") = json!({"anyOf": [{"type": "string"}, {"type": "null"}]}));
    expect_get(
        &base(),
        &new,
        &["breaking: GET /things/{id} response 200 .data.id may now be null"],
    );
    expect_get(
        &new,
        &base(),
        &["behind: GET /things/{id} response 200 .data.id no longer null"],
    );
}

#[test]
fn response_property_type() {
    let new = with(|d| thing_prop(d, "id")["type"] = json!("integer"));
    expect_get(
        &base(),
        &new,
        &["breaking: GET /things/{id} response 200 .data.id type string -> integer"],
    );
    // A response narrowed from number to integer still decodes.
    let number = with(|d| thing_prop(d, "count")["type"] = json!("number"));
    expect_get(
        &number,
        &base(),
        &["behind: GET /things/{id} response 200 .data.count type number -> integer"],
    );
    expect_get(
        &base(),
        &number,
        &["breaking: GET /things/{id} response 200 .data.count type integer -> number"],
    );
}

#[test]
fn response_format() {
    let new = with(|d| {
        thing_prop(d, "created")
            .as_object_mut()
            .unwrap()
            .remove("format");
    });
    expect_get(
        &base(),
        &new,
        &["breaking: GET /things/{id} response 200 .data.created format \"date-time\" -> none"],
    );
    expect_get(
        &new,
        &base(),
        &["behind: GET /things/{id} response 200 .data.created format none -> \"date-time\""],
    );
}

#[test]
fn response_constraints_never_break() {
    let new = with(|d| thing_prop(d, "id")["maxLength"] = json!(36));
    expect_get(
        &base(),
        &new,
        &["none: GET /things/{id} response 200 .data.id maxLength none -> 36"],
    );
    expect_get(
        &new,
        &base(),
        &["none: GET /things/{id} response 200 .data.id maxLength 36 -> none"],
    );
}

#[test]
fn response_alternatives() {
    let one = json!({"anyOf": [{"type": "string"}, {"type": "integer"}]});
    let two = json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]});
    let old = with(|d| *thing_prop(d, "label") = one.clone());
    let new = with(|d| *thing_prop(d, "label") = two.clone());
    expect_get(
        &old,
        &new,
        &["breaking: GET /things/{id} response 200 .data.label alternative #2 added"],
    );
    expect_get(
        &new,
        &old,
        &["none: GET /things/{id} response 200 .data.label alternative #2 removed"],
    );
    let old = with(|d| *request_prop(d, "when") = one.clone());
    let new = with(|d| *request_prop(d, "when") = two.clone());
    expect(
        &old,
        &new,
        &["behind: POST /things request body .when alternative #2 added"],
    );
    expect(
        &new,
        &old,
        &["breaking: POST /things request body .when alternative #2 removed"],
    );
}

#[test]
fn response_content_type_removed_breaks() {
    let new = with(|d| {
        d["paths"]["/things/{id}"]["get"]["responses"]["200"] = json!({"description": "ok"});
    });
    expect(
        &base(),
        &new,
        &["breaking: GET /things/{id} response 200 content type application/json removed"],
    );
    expect(
        &new,
        &base(),
        &["behind: GET /things/{id} response 200 content type application/json added"],
    );
}

// ----- statuses -----

#[test]
fn success_status_changes_are_none() {
    let new = with(|d| {
        let responses = d["paths"]["/things/{id}"]["get"]["responses"]
            .as_object_mut()
            .unwrap();
        let ok = responses.remove("200").unwrap();
        responses.insert("201".into(), ok);
    });
    expect(
        &base(),
        &new,
        &["none: GET /things/{id} responses success status 200 -> 201"],
    );
    let new = with(|d| {
        d["paths"]["/things/{id}"]["get"]["responses"]["202"] = json!({"description": "later"});
    });
    expect(
        &base(),
        &new,
        &["none: GET /things/{id} responses success status 202 added"],
    );
    expect(
        &new,
        &base(),
        &["none: GET /things/{id} responses success status 202 removed"],
    );
}

#[test]
fn a_changed_success_status_still_compares_the_body() {
    let new = with(|d| {
        let responses = d["paths"]["/things/{id}"]["get"]["responses"]
            .as_object_mut()
            .unwrap();
        let ok = responses.remove("200").unwrap();
        responses.insert("201".into(), ok);
        *thing_prop(d, "color") = json!({"type": "string"});
    });
    let got = get_entries(&base(), &new);
    assert_eq!(
        got,
        [
            "none: GET /things/{id} responses success status 200 -> 201",
            "behind: GET /things/{id} response 200->201 .data.color added",
        ]
    );
}

#[test]
fn error_status_added_and_removed() {
    let new = with(|d| post(d)["responses"]["409"] = json!({"description": "conflict"}));
    expect(
        &base(),
        &new,
        &["none: POST /things responses error status 409 added"],
    );
    expect(
        &new,
        &base(),
        &["none: POST /things responses error status 409 removed"],
    );
}

// ----- security -----

#[test]
fn security_added_breaks_and_removed_does_not() {
    let new = with(|d| d["paths"]["/things/{id}"]["get"]["security"] = json!([{"HTTPBearer": []}]));
    expect(
        &base(),
        &new,
        &["breaking: GET /things/{id} security authentication now required (HTTPBearer)"],
    );
    expect(
        &new,
        &base(),
        &["none: GET /things/{id} security authentication no longer required (was HTTPBearer)"],
    );
    // Document-level security applies to operations without their own.
    let new = with(|d| d["security"] = json!([{"HTTPBearer": []}]));
    expect(
        &base(),
        &new,
        &["breaking: GET /things/{id} security authentication now required (HTTPBearer)"],
    );
}

#[test]
fn security_scheme_change_breaks_its_users() {
    let new = with(|d| {
        d["components"]["securitySchemes"]["HTTPBearer"] =
            json!({"type": "apiKey", "in": "header", "name": "X-Key"});
    });
    expect(
        &base(),
        &new,
        &[
            "breaking: GET /things security scheme HTTPBearer changed: http bearer -> apiKey",
            "breaking: POST /things security scheme HTTPBearer changed: http bearer -> apiKey",
        ],
    );
}

#[test]
fn security_replaced_breaks_and_widened_does_not() {
    let with_key = |d: &mut Value| {
        d["components"]["securitySchemes"]["ApiKey"] =
            json!({"type": "apiKey", "in": "header", "name": "X-Key"});
    };
    let old = with(with_key);
    let replaced = with(|d| {
        with_key(d);
        d["paths"]["/things"]["get"]["security"] = json!([{"ApiKey": []}]);
    });
    expect(
        &old,
        &replaced,
        &["breaking: GET /things security security HTTPBearer -> ApiKey"],
    );
    let widened = with(|d| {
        with_key(d);
        d["paths"]["/things"]["get"]["security"] = json!([{"HTTPBearer": []}, {"ApiKey": []}]);
    });
    expect(
        &old,
        &widened,
        &["none: GET /things security security HTTPBearer -> ApiKey | HTTPBearer"],
    );
}

// ----- servers -----

fn servers(list: Value) -> Value {
    with(move |d| d["servers"] = list)
}

#[test]
fn another_server_url_breaks_and_names_both_urls() {
    for (url, detail) in [
        (
            "https://api2.example",
            "https://api.example -> https://api2.example",
        ),
        (
            "http://api.example",
            "https://api.example -> http://api.example",
        ),
        (
            "https://api.example/v2",
            "https://api.example -> https://api.example/v2",
        ),
        (
            "https://api.example:8443",
            "https://api.example -> https://api.example:8443",
        ),
    ] {
        let new = servers(json!([{"url": url}]));
        let breaking = format!("breaking: servers url {detail}");
        expect(&base(), &new, &[breaking.as_str()]);
        let report = diff_documents(&base(), &new).unwrap();
        let change = &report.changes()[0];
        assert_eq!(
            (
                change.rule,
                change.operation.as_str(),
                change.location.as_str()
            ),
            (rules::SERVER_URL, "servers", "url")
        );
    }
}

#[test]
fn the_same_server_written_differently_is_none() {
    let new = servers(json!([{"url": "https://API.example:443/"}]));
    expect(
        &base(),
        &new,
        &["none: servers url https://api.example -> https://API.example:443/ (same base URL)"],
    );
}

#[test]
fn another_server_or_a_description_does_not_break() {
    let two = servers(json!([{"url": "https://api.example"}, {"url": "https://eu.api.example"}]));
    expect(
        &base(),
        &two,
        &["none: servers alternatives https://eu.api.example added"],
    );
    expect(
        &two,
        &base(),
        &["none: servers alternatives https://eu.api.example removed"],
    );
    // Descriptions are prose: normalization drops them, so nothing changes...
    let described = servers(json!([{"url": "https://api.example", "description": "Production"}]));
    expect(&base(), &described, &[]);
    // ...and compared raw, they are only worth a look.
    let report = diff(&base(), &described);
    assert_eq!(report.count(Class::None), 1, "{}", report.to_text());
    assert!(!report.has_breaking());
}

#[test]
fn server_variables_are_read_at_their_defaults() {
    let region = |default: &str, values: Value| {
        servers(json!([{
            "url": "https://{region}.api.example",
            "variables": {"region": {"default": default, "enum": values}}
        }]))
    };
    let us = region("us", json!(["us", "eu"]));
    expect(
        &us,
        &region("eu", json!(["us", "eu"])),
        &["breaking: servers url https://us.api.example -> https://eu.api.example"],
    );
    expect(
        &us,
        &region("us", json!(["us", "eu", "ap"])),
        &["none: servers url https://us.api.example changed (same base URL)"],
    );
}

#[test]
fn servers_appearing_or_disappearing_move_the_base_url() {
    let none = with(|d| {
        d.as_object_mut().unwrap().remove("servers");
    });
    // Without servers, OpenAPI's default is `/`: relative to the document.
    expect(
        &none,
        &base(),
        &["breaking: servers url / -> https://api.example"],
    );
    expect(
        &base(),
        &none,
        &["breaking: servers url https://api.example -> /"],
    );
}

#[test]
fn an_operation_with_its_own_servers_reports_its_base_url() {
    let files = with(|d| {
        d["paths"]["/things/{id}"]["get"]["servers"] = json!([{"url": "https://files.example"}]);
    });
    expect(
        &base(),
        &files,
        &[
            "breaking: GET /things/{id} servers base URL https://api.example -> https://files.example",
        ],
    );
    // A path item's servers count for each of its operations.
    let item =
        with(|d| d["paths"]["/things"]["servers"] = json!([{"url": "https://api.example/"}]));
    expect(&base(), &item, &[]);
    // Document-level findings come first, then the operations'.
    let both = with(|d| {
        d["servers"] = json!([{"url": "https://new.example"}]);
        request_prop(d, "name")["maxLength"] = json!(64);
    });
    expect(
        &base(),
        &both,
        &[
            "breaking: servers url https://api.example -> https://new.example",
            "breaking: POST /things request body .name maxLength 255 -> 64",
        ],
    );
}

// ----- structure -----

#[test]
fn recursive_schemas_terminate() {
    let tree = |max: u64| {
        with(move |d| {
            *schema(d, "Node") = json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": max},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
                }
            });
            *request_prop(d, "tree") = json!({"$ref": "#/components/schemas/Node"});
        })
    };
    expect(
        &tree(10),
        &tree(5),
        &["breaking: POST /things request body .tree.name maxLength 10 -> 5"],
    );
}

#[test]
fn raw_yaml_and_normalized_json_compare_equal() {
    let yaml = serde_yaml_ng::to_string(&base()).unwrap();
    let raw = crate::document::parse_document(yaml.as_bytes()).unwrap();
    let normalized = normalize(&base()).unwrap();
    assert!(diff_documents(&raw, &normalized).unwrap().is_empty());
}

// ----- report output -----

fn sample_report() -> DiffReport {
    let new = with(|d| {
        request_prop(d, "name")["maxLength"] = json!(64);
        *thing_prop(d, "color") = json!({"type": "string"});
        d["paths"]["/things/{id}"]["delete"] =
            json!({"operationId": "delete_thing", "responses": {"204": {"description": "gone"}}});
    });
    diff_documents(&base(), &new).unwrap()
}

#[test]
fn json_output_has_the_documented_shape() {
    insta::assert_json_snapshot!("diff_report_json", sample_report().to_json());
}

/// A report with one change of each kind the newer rules add: a server URL,
/// a renamed request property and a removed optional response property.
#[test]
fn json_output_of_server_and_removal_changes() {
    let new = with(|d| {
        d["servers"] =
            json!([{"url": "https://api.example/v2"}, {"url": "https://eu.api.example"}]);
        let props = schema(d, "ThingRequest")["properties"]
            .as_object_mut()
            .unwrap();
        let when = props.remove("when").unwrap();
        props.insert("at".into(), when);
        schema(d, "Thing")["properties"]
            .as_object_mut()
            .unwrap()
            .remove("count");
    });
    let report = diff_documents(&base(), &new).unwrap();
    insta::assert_json_snapshot!("diff_report_json_servers_and_removals", report.to_json());
}

#[test]
fn text_output_is_one_finding_per_schema_change_with_counts() {
    let text = sample_report().to_text();
    let expected = "\
breaking  request.constraint.tightened: ThingRequest.name maxLength 255 -> 64
          in: POST /things (request body .name)
behind    response.property.added: Thing.color added
          in: GET /things (response 200 .data.color); POST /things (response 200 .data.color); GET /things/{id} (response 200 .data.color)
behind    operation.added: DELETE /things/{id} operation added

5 changes in 3 findings: 1 breaking, 4 behind, 0 none
";
    assert_eq!(text, expected);
}

#[test]
fn summary_lists_counts_and_breaking_entries() {
    let report = sample_report();
    assert_eq!(
        report.summary(),
        "spec diff: 1 breaking, 4 behind, 0 none\n  breaking: POST /things request body .name maxLength 255 -> 64\n"
    );
    assert!(report.has_breaking());
    assert_eq!(report.count(Class::Behind), 4);
}

#[test]
fn other_request_constraints() {
    let new = with(|d| request_prop(d, "tags")["uniqueItems"] = json!(true));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .tags uniqueItems none -> true"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .tags uniqueItems true -> none"],
    );
    let new = with(|d| request_prop(d, "size")["multipleOf"] = json!(2));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .size multipleOf none -> 2"],
    );
    let new = with(|d| request_prop(d, "size")["exclusiveMinimum"] = json!(0));
    expect(
        &base(),
        &new,
        &["breaking: POST /things request body .size exclusiveMinimum none -> 0"],
    );
    expect(
        &new,
        &base(),
        &["behind: POST /things request body .size exclusiveMinimum 0 -> none"],
    );
}

#[test]
fn keywords_beside_a_ref_count() {
    let new = with(|d| request_prop(d, "kind")["default"] = json!("small"));
    expect(
        &base(),
        &new,
        &["none: POST /things request body .kind default none -> \"small\""],
    );
}
