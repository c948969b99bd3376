//! Fidelity, not only validity: which documented inputs the calls of a
//! driver reach, and which documented outputs survive a decode and re-encode
//! by the client's types unchanged.
//!
//! Inputs and outputs are named by a short path: `query teamId`,
//! `path secret_id`, `body pod.gpuCount`, `body samples[].id`; outputs as
//! `data.name`, `data[].id`, `scope{}.read` (a map's values).

use std::collections::BTreeSet;

use pi_contract::{Operation, ParameterLocation, ReceivedRequest, Spec};
use serde_json::Value;

/// How deep schemas are followed; the document nests far less.
const MAX_DEPTH: usize = 16;

/// Every input the document gives `operation`: its parameters and the
/// properties of its JSON body, nested objects, list items and every object
/// branch of an `anyOf` included.
pub fn documented_inputs(spec: &Spec, operation: &Operation) -> BTreeSet<String> {
    let mut inputs: BTreeSet<String> = operation
        .parameters()
        .iter()
        .map(|parameter| format!("{} {}", parameter.location(), parameter.name()))
        .collect();
    // A family named by a prefix is one input, reached by any member.
    inputs.extend(
        operation
            .query_prefixes()
            .iter()
            .map(|family| format!("query {}<key>", family.name())),
    );
    if let Some(body) = operation.request_body() {
        let mut paths = BTreeSet::new();
        schema_paths(spec, body.schema(), "", false, 0, &mut paths);
        inputs.extend(paths.into_iter().map(|path| format!("body {path}")));
    }
    inputs
}

/// The inputs one request reached: the parameters it carried and every
/// property path of its JSON body.
pub fn sent_inputs(operation: &Operation, request: &ReceivedRequest) -> BTreeSet<String> {
    let mut sent = BTreeSet::new();
    for parameter in operation.parameters() {
        let reached = match parameter.location() {
            // A matched request filled every path parameter.
            ParameterLocation::Path => request.operation_id.as_deref() == Some(operation.id()),
            ParameterLocation::Query => request
                .query
                .iter()
                .any(|(name, _)| name == parameter.name()),
            ParameterLocation::Header => request.header(parameter.name()).is_some(),
            _ => false,
        };
        if reached {
            sent.insert(format!("{} {}", parameter.location(), parameter.name()));
        }
    }
    for family in operation.query_prefixes() {
        if request.query.iter().any(|(name, _)| {
            operation
                .query_prefix_of(name)
                .is_some_and(|f| f.name() == family.name())
        }) {
            sent.insert(format!("query {}<key>", family.name()));
        }
    }
    if let Some(body) = &request.body {
        let mut paths = BTreeSet::new();
        value_paths(body, "", &mut paths);
        sent.extend(paths.into_iter().map(|path| format!("body {path}")));
    }
    sent
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Every property path a schema documents; with `maps`, also the properties
/// of a map's values (`scope{}.read`). A map's keys are never paths of their
/// own: any key will do.
pub fn schema_paths(
    spec: &Spec,
    schema: &Value,
    prefix: &str,
    maps: bool,
    depth: usize,
    out: &mut BTreeSet<String>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = spec.resolve(schema);
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            for branch in branches {
                schema_paths(spec, branch, prefix, maps, depth + 1, out);
            }
        }
    }
    if let Some(items) = schema.get("items") {
        schema_paths(spec, items, &format!("{prefix}[]"), maps, depth + 1, out);
    }
    if let (true, Some(values @ Value::Object(_))) = (maps, schema.get("additionalProperties")) {
        schema_paths(spec, values, &format!("{prefix}{{}}"), maps, depth + 1, out);
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            let path = join(prefix, name);
            out.insert(path.clone());
            schema_paths(spec, property, &path, maps, depth + 1, out);
        }
    }
}

/// Every property path present in a JSON value, lists as `[]`.
fn value_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (name, child) in object {
                let path = join(prefix, name);
                out.insert(path.clone());
                value_paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                value_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// What one round trip found: the documented output paths that came back
/// unchanged, and each one the client's types dropped or altered.
#[derive(Debug, Default)]
pub struct RoundTrip {
    pub kept: BTreeSet<String>,
    pub problems: Vec<String>,
}

/// The part of a success response a call returns, and where its schema is:
/// the `data` of a `{data, status}` envelope (calls return the resource), or
/// the whole body. The envelope's `status` word is left out on purpose.
pub fn returned_part<'s>(
    spec: &'s Spec,
    schema: &'s Value,
    body: &Value,
) -> (&'s Value, Value, String) {
    let resolved = spec.resolve(schema);
    let properties = resolved.get("properties").and_then(Value::as_object);
    let is_envelope = properties
        .is_some_and(|p| p.len() == 2 && p.contains_key("data") && p.contains_key("status"));
    match (is_envelope, properties.and_then(|p| p.get("data"))) {
        (true, Some(data_schema)) => (
            data_schema,
            body.get("data").cloned().unwrap_or(Value::Null),
            "data".to_owned(),
        ),
        _ => (schema, body.clone(), String::new()),
    }
}

/// Documented output paths of the part a call returns.
pub fn documented_outputs(spec: &Spec, schema: &Value, prefix: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    schema_paths(spec, schema, prefix, true, 0, &mut paths);
    if paths.is_empty() && !prefix.is_empty() {
        paths.insert(prefix.to_owned());
    }
    paths
}

/// Compares what the server sent (`sent`, under `schema`) with what the
/// client's typed value encodes back to (`back`).
pub fn round_trip(
    spec: &Spec,
    schema: &Value,
    sent: &Value,
    back: Option<&Value>,
    path: &str,
    depth: usize,
    found: &mut RoundTrip,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = spec.resolve(schema);
    let back = back.filter(|value| !value.is_null());
    if sent.is_null() {
        // `null` and absent read the same to a caller: an `Option` that is `None`.
        if let Some(back) = back {
            found.problems.push(format!(
                "`{}` was null but came back as {back}",
                shown(path)
            ));
        }
        return;
    }
    let Some(back) = back else {
        found
            .problems
            .push(format!("drops `{}` (sent {})", shown(path), excerpt(sent)));
        return;
    };
    let branch = matching_branch(spec, schema, sent);
    match (sent, back) {
        (Value::Object(sent_object), Value::Object(back_object)) => {
            let properties = branch.get("properties").and_then(Value::as_object);
            let extra = branch.get("additionalProperties").filter(|a| a.is_object());
            for (name, value) in sent_object {
                match (properties.and_then(|p| p.get(name)), extra) {
                    (Some(property), _) => {
                        let here = join(path, name);
                        round_trip(
                            spec,
                            property,
                            value,
                            back_object.get(name),
                            &here,
                            depth + 1,
                            found,
                        );
                        if !found
                            .problems
                            .iter()
                            .any(|p| p.contains(&format!("`{here}")))
                        {
                            found.kept.insert(here);
                        }
                    }
                    (None, Some(values)) => {
                        round_trip(
                            spec,
                            values,
                            value,
                            back_object.get(name),
                            &format!("{path}{{}}"),
                            depth + 1,
                            found,
                        );
                    }
                    // Free-form objects come back whole or not at all.
                    (None, None) if back_object.get(name) != Some(value) => {
                        found
                            .problems
                            .push(format!("alters `{}`", shown(&join(path, name))));
                    }
                    (None, None) => {}
                }
            }
        }
        (Value::Array(sent_items), Value::Array(back_items)) => {
            if sent_items.len() != back_items.len() {
                found.problems.push(format!(
                    "`{}` had {} items and came back with {}",
                    shown(path),
                    sent_items.len(),
                    back_items.len()
                ));
                return;
            }
            let items = branch.get("items").unwrap_or(&Value::Bool(true));
            for (sent_item, back_item) in sent_items.iter().zip(back_items) {
                round_trip(
                    spec,
                    items,
                    sent_item,
                    Some(back_item),
                    &format!("{path}[]"),
                    depth + 1,
                    found,
                );
            }
        }
        (sent, back) if same_scalar(branch, sent, back) => {}
        (sent, back) => found.problems.push(format!(
            "alters `{}`: sent {}, got back {}",
            shown(path),
            excerpt(sent),
            excerpt(back)
        )),
    }
}

/// The `anyOf` / `oneOf` branch that describes `value`, by JSON type.
fn matching_branch<'s>(spec: &'s Spec, schema: &'s Value, value: &Value) -> &'s Value {
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let wanted = match value {
                Value::Object(_) => "object",
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                Value::Null => "null",
            };
            let fits = |branch: &&Value| {
                let branch = spec.resolve(branch);
                let kind = branch.get("type").and_then(Value::as_str).unwrap_or(
                    if branch.get("properties").is_some() {
                        "object"
                    } else {
                        ""
                    },
                );
                kind == wanted
                    || (wanted == "integer" && kind == "number")
                    || (wanted == "string" && branch.get("enum").is_some())
            };
            if let Some(branch) = branches.iter().find(fits) {
                return matching_branch(spec, spec.resolve(branch), value);
            }
        }
    }
    schema
}

/// Equal as the document means it: numbers by value, date-times by instant.
fn same_scalar(schema: &Value, sent: &Value, back: &Value) -> bool {
    if sent == back {
        return true;
    }
    match (sent, back) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b))
            if schema.get("format").and_then(Value::as_str) == Some("date-time") =>
        {
            match (
                a.parse::<pi_types::Timestamp>(),
                b.parse::<pi_types::Timestamp>(),
            ) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
        }
        _ => false,
    }
}

fn shown(path: &str) -> &str {
    if path.is_empty() { "(the body)" } else { path }
}

fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Spec {
        Spec::from_value(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"post": {
                "operationId": "make",
                "parameters": [{"name": "teamId", "in": "query", "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Make"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
            }}},
            "components": {"schemas": {
                "Make": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "spec": {"anyOf": [{"type": "object", "properties": {"gpu": {"type": "integer"}}}, {"type": "null"}]},
                    "tags": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}}}}
                }},
                "Thing": {"type": "object", "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "price": {"type": "number"}
                }}
            }}
        }))
        .unwrap()
    }

    #[test]
    fn inputs_include_parameters_and_nested_body_properties() {
        let spec = spec();
        let operation = spec.operation("make").unwrap();
        let inputs: Vec<String> = documented_inputs(&spec, operation).into_iter().collect();
        assert_eq!(
            inputs,
            [
                "body name",
                "body spec",
                "body spec.gpu",
                "body tags",
                "body tags[].k",
                "query teamId"
            ]
        );
    }

    #[test]
    fn a_round_trip_names_what_was_dropped_or_altered() {
        let spec = spec();
        let schema = json!({"$ref": "#/components/schemas/Thing"});
        let sent = json!({"at": "2026-01-15T10:30:00", "note": "n", "price": 1.0});
        let mut same = RoundTrip::default();
        let back = json!({"at": "2026-01-15T10:30:00+00:00", "price": 1});
        round_trip(&spec, &schema, &sent, Some(&back), "", 0, &mut same);
        assert_eq!(same.problems, ["drops `note` (sent \"n\")"]);
        assert!(same.kept.contains("at") && same.kept.contains("price"));

        let mut nulls = RoundTrip::default();
        round_trip(
            &spec,
            &schema,
            &json!({"note": null}),
            Some(&json!({})),
            "",
            0,
            &mut nulls,
        );
        assert!(nulls.problems.is_empty(), "{:?}", nulls.problems);

        let mut altered = RoundTrip::default();
        round_trip(
            &spec,
            &schema,
            &json!({"price": 2.5}),
            Some(&json!({"price": 2})),
            "",
            0,
            &mut altered,
        );
        assert_eq!(altered.problems.len(), 1, "{:?}", altered.problems);
    }
}
