//! Checking what a test puts in place (`seed`, `script`, `stored`) against
//! the document before anything is stored, so a misspelt collection, field
//! or status fails at once, naming the valid choices, instead of surfacing
//! later as a confusing answer.

use serde_json::{Map, Value};

use super::Collection;
use super::render::{folded, non_null};
use crate::spec::Spec;

/// Why a set-up call of [`ContractServer`](crate::ContractServer)
/// (`seed`, `script`, `stored`) refused its input. Each message names the
/// mistake and the valid choices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The server keeps no resources: it was started with `start` or
    /// `vendored`.
    #[error(
        "this ContractServer keeps no resources; start it with `ContractServer::stateful()` (or `stateful_on(spec)`) to seed, script or read stored resources"
    )]
    Stateless,
    /// The document has no collection at that path.
    #[error("the document has no collection {collection}; the collections are: {valid}")]
    UnknownCollection {
        /// The path given.
        collection: String,
        /// The collections, comma-separated, as the document spells them.
        valid: String,
    },
    /// The fields (or a change) are not a JSON object.
    #[error("{collection}: the fields must be a JSON object of response fields, not {given}")]
    NotAnObject {
        /// The collection.
        collection: String,
        /// The JSON type given.
        given: String,
    },
    /// A field is not a documented response field of the collection's
    /// resource.
    #[error("{collection}: {field} is not a field of its resources; the fields are: {valid}")]
    UnknownField {
        /// The collection.
        collection: String,
        /// The field given.
        field: String,
        /// The documented fields, comma-separated.
        valid: String,
    },
    /// A field's value is not one the document allows.
    #[error("{collection}: {field} = {value} is not allowed; {expected}")]
    InvalidValue {
        /// The collection.
        collection: String,
        /// The field.
        field: String,
        /// The value given, as JSON.
        value: String,
        /// What the document allows (`one of PENDING, RUNNING, …`).
        expected: String,
    },
    /// A resource with that id is stored already (seeding it again would
    /// silently replace it).
    #[error(
        "{collection} holds a resource {id} already; seed another id, or leave the id out to get a fresh one"
    )]
    DuplicateId {
        /// The collection.
        collection: String,
        /// The id given.
        id: String,
    },
    /// No resource with that id is stored in the collection.
    #[error("{collection} holds no resource {id}; it holds: {stored}")]
    UnknownId {
        /// The collection.
        collection: String,
        /// The id given.
        id: String,
        /// The stored ids, comma-separated (`nothing` when empty).
        stored: String,
    },
}

/// The JSON type of `value`, as a set-up error names it.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks that `fields` is an object whose every field is a documented
/// response field of `collection` with a value its schema allows as far as
/// set-up can tell (listed enum values, the JSON type); returns the object.
pub(crate) fn checked_fields<'v>(
    spec: &Spec,
    collection: &Collection,
    fields: &'v Value,
) -> Result<&'v Map<String, Value>, SetupError> {
    let Some(object) = fields.as_object() else {
        return Err(SetupError::NotAnObject {
            collection: collection.path.clone(),
            given: json_type(fields).to_owned(),
        });
    };
    let documented = collection.fields(spec);
    for (name, value) in object {
        let Some((_, schema)) = documented.iter().find(|(field, _)| field == name) else {
            let mut valid: Vec<&str> = documented.iter().map(|(field, _)| field.as_str()).collect();
            valid.sort_unstable();
            valid.dedup();
            // A field in the request's spelling is the likeliest slip: say so.
            let hint = documented
                .iter()
                .find(|(field, _)| folded(field) == folded(name))
                .map(|(field, _)| format!(" (did you mean {field}?)"))
                .unwrap_or_default();
            return Err(SetupError::UnknownField {
                collection: collection.path.clone(),
                field: format!("{name}{hint}"),
                valid: valid.join(", "),
            });
        };
        check_value(spec, collection, name, schema, value)?;
    }
    Ok(object)
}

/// Checks one value against what set-up can read from its schema: the
/// listed enum values and the JSON type (`null` only where it may be null).
fn check_value(
    spec: &Spec,
    collection: &Collection,
    name: &str,
    schema: &Value,
    value: &Value,
) -> Result<(), SetupError> {
    let invalid = |expected: String| SetupError::InvalidValue {
        collection: collection.path.clone(),
        field: name.to_owned(),
        value: value.to_string(),
        expected,
    };
    if value.is_null() {
        return if crate::openapi::is_nullable(spec.document(), schema) {
            Ok(())
        } else {
            Err(invalid("the document does not let it be null".to_owned()))
        };
    }
    let inner = non_null(spec, schema);
    if let Some(values) = inner.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            let listed: Vec<String> = values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            return Err(invalid(format!(
                "the document allows one of {}",
                listed.join(", ")
            )));
        }
        return Ok(());
    }
    let fits = match inner.get("type").and_then(Value::as_str) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    };
    if fits {
        Ok(())
    } else {
        let kind = inner.get("type").and_then(Value::as_str).unwrap_or("?");
        Err(invalid(format!(
            "the document wants {kind}, not {}",
            json_type(value)
        )))
    }
}
