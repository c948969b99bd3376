//! An inventory of the vendored spec (operation id, method, path, parameters,
//! required body fields) kept as a snapshot, so any change of the document
//! shows up as a snapshot diff to review.

use pi_contract::Spec;
use serde_json::{Value, json};

use crate::vendored_spec;

/// A short type for a parameter schema: `string`, `integer | null`, `array of string`.
fn type_of(spec: &Spec, schema: &Value) -> String {
    let schema = spec.resolve(schema);
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        return branches
            .iter()
            .map(|branch| type_of(spec, branch))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            schema
                .get("items")
                .map_or_else(|| "any".to_owned(), |items| type_of(spec, items))
        ),
        Some(kind) => match schema.get("enum").and_then(Value::as_array) {
            Some(values) => format!("{kind} enum({})", values.len()),
            None => kind.to_owned(),
        },
        None => "any".to_owned(),
    }
}

fn inventory(spec: &Spec) -> Vec<Value> {
    let mut operations: Vec<_> = spec.operations().collect();
    operations.sort_by(|a, b| (a.path(), a.method()).cmp(&(b.path(), b.method())));
    operations
        .into_iter()
        .map(|operation| {
            let parameters: Vec<String> = operation
                .parameters()
                .iter()
                .map(|parameter| {
                    format!(
                        "{} {}: {}{}",
                        parameter.location().as_str(),
                        parameter.name(),
                        type_of(spec, parameter.schema()),
                        if parameter.required() {
                            " (required)"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
            let required_body_fields: Option<Vec<Value>> = operation.request_body().map(|body| {
                spec.resolve(body.schema())
                    .get("required")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            });
            let statuses: Vec<u16> = operation
                .responses()
                .iter()
                .map(|response| response.status())
                .collect();
            json!({
                "operation": operation.id(),
                "method": operation.method().to_uppercase(),
                "path": operation.path(),
                "parameters": parameters,
                "required_body_fields": required_body_fields,
                "statuses": statuses,
            })
        })
        .collect()
}

#[test]
fn the_spec_inventory_matches_its_snapshot() {
    let spec = vendored_spec();
    let inventory = inventory(&spec);
    assert_eq!(
        inventory.len(),
        79,
        "the vendored spec should hold 79 operations"
    );
    insta::assert_yaml_snapshot!("spec_inventory", inventory);
}
