//! The SDK's own assumptions: values its hand-written code relies on beyond
//! the generated types (the states a waiter waits for or stops at, the
//! fields a page walker reads, an idempotency key). A generic rule may call
//! their loss harmless (a response enum value removed decodes fine), but the
//! code that waits for the value would then wait forever: a new document
//! that drops or renames one is breaking.

use serde_json::Value;

use super::operations::wire_shape;
use super::schemas::SchemaView;
use super::{Class, Differ, rules};
use crate::openapi::{METHODS, deref};

/// One value the SDK's hand-written code relies on, at a place of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assumption {
    /// The operation, as findings name it: `GET /api/v1/pods/{pod_id}`
    /// (parameter names do not matter; the method and path shape do).
    pub operation: &'static str,
    /// Where in the operation, as findings write locations:
    /// `response 200 .data.status` or `request body .idempotency_key`.
    pub location: &'static str,
    /// The enum value relied on, or `None` when the field itself is.
    pub value: Option<&'static str>,
    /// The SDK code that relies on it (`Pods::wait_until_running stops at it`).
    pub reason: &'static str,
}

/// Why an assumption no longer holds in a document, or `None` when it does.
pub fn check(doc: &Value, assumption: &Assumption) -> Option<String> {
    let Some((method, path)) = assumption.operation.split_once(' ') else {
        return Some("the assumption names no `METHOD /path` operation".to_owned());
    };
    let shape = wire_shape(path);
    let method = method.to_ascii_lowercase();
    if !METHODS.contains(&method.as_str()) {
        return Some(format!("`{method}` is not an HTTP method"));
    }
    let operation = doc
        .get("paths")
        .and_then(Value::as_object)?
        .iter()
        .find(|(template, _)| wire_shape(template) == shape)
        .and_then(|(_, item)| deref(doc, item).get(&method))
        .filter(|op| op.is_object())?;
    let (root, fields) = root_schema(doc, operation, assumption.location)?;
    let mut schema = root;
    let mut walked = String::new();
    for step in steps(fields) {
        walked.push_str(step);
        let view = SchemaView::of(doc, schema);
        let next = match step.strip_prefix('.') {
            Some(name) => view.properties.get(&name.to_owned()).copied(),
            None => view.items,
        };
        match next {
            Some(next) => schema = next,
            None => return Some(format!("`{walked}` is gone")),
        }
    }
    let value = assumption.value?;
    let view = SchemaView::of(doc, schema);
    let quoted = Value::String(value.to_owned()).to_string();
    match view.enum_values() {
        Some(values) if !values.contains(&quoted) => Some(format!("value {quoted} is gone")),
        _ => None,
    }
}

/// Like [`check`], but also refuses an assumption whose operation or place
/// the document does not have: what a test of the SDK's declarations runs
/// against the document the SDK was generated from.
pub fn locate(doc: &Value, assumption: &Assumption) -> Result<(), String> {
    let (method, path) = assumption
        .operation
        .split_once(' ')
        .ok_or_else(|| "the assumption names no `METHOD /path` operation".to_owned())?;
    let shape = wire_shape(path);
    let method = method.to_ascii_lowercase();
    let operation = doc
        .get("paths")
        .and_then(Value::as_object)
        .and_then(|paths| {
            paths
                .iter()
                .find(|(template, _)| wire_shape(template) == shape)
                .and_then(|(_, item)| deref(doc, item).get(&method))
        })
        .ok_or_else(|| format!("the document has no operation {}", assumption.operation))?;
    root_schema(doc, operation, assumption.location).ok_or_else(|| {
        format!(
            "{} has no JSON schema at `{}`",
            assumption.operation, assumption.location
        )
    })?;
    match check(doc, assumption) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// The schema a location starts from (a response's or the request body's
/// JSON schema) and the field path after it. `None` when the operation has
/// no such place, which the generic rules report already.
fn root_schema<'d>(
    doc: &'d Value,
    op: &'d Value,
    location: &'d str,
) -> Option<(&'d Value, &'d str)> {
    let (container, fields) = if let Some(rest) = location.strip_prefix("request body") {
        (deref(doc, op.get("requestBody")?), rest)
    } else {
        let rest = location.strip_prefix("response ")?;
        let (status, fields) = rest.split_once(' ').unwrap_or((rest, ""));
        (deref(doc, op.get("responses")?.get(status)?), fields)
    };
    let schema = container
        .get("content")?
        .get("application/json")?
        .get("schema")?;
    Some((schema, fields.trim()))
}

/// `.data.items[].status` as `.data`, `.items`, `[]`, `.status`.
fn steps(fields: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (at, c) in fields.char_indices() {
        if (c == '.' || c == '[') && at > start {
            out.push(&fields[start..at]);
            start = at;
        }
    }
    if start < fields.len() {
        out.push(&fields[start..]);
    }
    out
}

impl Differ<'_> {
    /// Records every assumption that held in the old document and no
    /// longer holds in the new one as a breaking change of its operation.
    pub(super) fn assumptions(&mut self, assumptions: &[Assumption]) {
        for assumption in assumptions {
            if check(self.old, assumption).is_some() {
                // It did not hold before either: the SDK's own tests say so.
                continue;
            }
            if let Some(problem) = check(self.new, assumption) {
                self.operation = assumption.operation.to_owned();
                self.push(
                    Class::Breaking,
                    rules::SDK_ASSUMPTION,
                    assumption.location,
                    format!("{problem}: {}", assumption.reason),
                );
            }
        }
    }
}
