//! Findings: the changes of a report as a person acts on them. One fact
//! seen by several operations (a property of a schema they share) is one
//! finding that lists them all, named by the schema, the SDK type and field
//! generated from it, and the client calls that reach it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::report::{Change, Class, DiffReport};

/// What the SDK calls the things a document names, so that a finding can
/// say which Rust items it reaches. `cargo xtask` answers from
/// `spec/codegen.toml` and the README's operation table; [`NoNames`] answers
/// nothing.
pub trait SdkNames {
    /// The Rust type generated from the schema `schema` (`pi_types::Secret`).
    fn rust_type(&self, schema: &str) -> Option<String>;
    /// The Rust field generated for the property `wire` (`createdAt` ->
    /// `created_at`), as the model generator names it.
    fn rust_field(&self, wire: &str) -> String;
    /// The client call that makes `operation` (`GET /api/v1/secrets/{secret_id}`),
    /// such as `client.secrets().get(…)`.
    fn client_call(&self, operation: &str) -> Option<String>;
}

/// [`SdkNames`] that knows no names: findings name the document's places only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl SdkNames for NoNames {
    fn rust_type(&self, _schema: &str) -> Option<String> {
        None
    }
    fn rust_field(&self, wire: &str) -> String {
        wire.to_owned()
    }
    fn client_call(&self, _operation: &str) -> Option<String> {
        None
    }
}

/// One change as a person acts on it: the same fact at every operation it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How the change affects the SDK.
    pub class: Class,
    /// The kind of change (see [`rules`](super::rules)).
    pub rule: &'static str,
    /// Where: `Schema.field` when the change is inside a named schema, else
    /// the location within the operation (`parameter query limit`).
    pub place: String,
    /// The named schema of the old document the change is inside, if any.
    pub schema: Option<String>,
    /// What changed (`removed (was required)`).
    pub detail: String,
    /// Every operation that sees the change, in report order, each with the
    /// location at which it sees it.
    pub operations: Vec<(String, String)>,
}

impl Finding {
    /// The Rust item the finding reaches (`pi_types::Secret` field `name`), when known.
    pub fn rust_item(&self, names: &dyn SdkNames) -> Option<String> {
        let schema = self.schema.as_deref()?;
        let rust = names.rust_type(schema)?;
        let field = self
            .place
            .strip_prefix(schema)
            .unwrap_or_default()
            .trim_start_matches('.');
        Some(match first_property(field) {
            Some(wire) => format!("{rust}::{}", names.rust_field(wire)),
            None => rust,
        })
    }

    /// The client calls that reach the finding, in operation order, without repeats.
    pub fn client_calls(&self, names: &dyn SdkNames) -> Vec<String> {
        let mut calls: Vec<String> = Vec::new();
        for (operation, _) in &self.operations {
            if let Some(call) = names.client_call(operation)
                && !calls.contains(&call)
            {
                calls.push(call);
            }
        }
        calls
    }
}

/// The first property name in a path inside a schema (`.createdAt[]` ->
/// `createdAt`), the one the schema's Rust type has a field for.
fn first_property(path: &str) -> Option<&str> {
    path.trim_start_matches('.')
        .split(['.', '[', '<', '*'])
        .next()
        .filter(|name| !name.is_empty())
}

impl DiffReport {
    /// The changes grouped into findings: a change inside a named schema is
    /// one finding with every operation it reaches; any other change is a
    /// finding of its own. Most urgent class first, then in report order.
    pub fn findings(&self) -> Vec<Finding> {
        let mut order: Vec<(Class, String, String, &'static str, String)> = Vec::new();
        let mut grouped: BTreeMap<(Class, String, String, &'static str, String), Finding> =
            BTreeMap::new();
        for change in self.changes() {
            let (place, key_scope) = match &change.schema {
                Some(schema) => (format!("{schema}{}", change.field), String::new()),
                None => (location_or_operation(change), change.operation.clone()),
            };
            let key = (
                change.class,
                key_scope,
                place.clone(),
                change.rule,
                change.detail.clone(),
            );
            let finding = grouped.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                Finding {
                    class: change.class,
                    rule: change.rule,
                    place,
                    schema: change.schema.clone(),
                    detail: change.detail.clone(),
                    operations: Vec::new(),
                }
            });
            let seen = (change.operation.clone(), change.location.clone());
            if !finding.operations.contains(&seen) {
                finding.operations.push(seen);
            }
        }
        let mut findings: Vec<Finding> = order
            .into_iter()
            .filter_map(|key| grouped.remove(&key))
            .collect();
        findings.sort_by_key(|finding| finding.class);
        findings
    }

    /// The findings as text for a terminal: one block per finding (class,
    /// rule, place and what changed; the Rust item and client calls it
    /// reaches; the operations), then the counts.
    pub fn to_text_with(&self, names: &dyn SdkNames) -> String {
        let mut out = String::new();
        let findings = self.findings();
        for finding in &findings {
            let _ = writeln!(
                out,
                "{:<9} {}: {} {}",
                finding.class.label(),
                finding.rule,
                finding.place,
                finding.detail
            );
            if let Some(item) = finding.rust_item(names) {
                let _ = writeln!(out, "          SDK: {item}");
            }
            let calls = finding.client_calls(names);
            if !calls.is_empty() {
                let _ = writeln!(out, "          calls: {}", calls.join(", "));
            }
            if finding.schema.is_some() || finding.operations.len() > 1 {
                let operations: Vec<String> = finding
                    .operations
                    .iter()
                    .map(|(operation, location)| {
                        if location.is_empty() {
                            operation.clone()
                        } else {
                            format!("{operation} ({location})")
                        }
                    })
                    .collect();
                let _ = writeln!(out, "          in: {}", operations.join("; "));
            }
        }
        if self.is_empty() {
            out.push_str("no contract changes\n");
        } else {
            let _ = writeln!(
                out,
                "\n{} {} in {} {}: {}",
                self.changes().len(),
                if self.changes().len() == 1 {
                    "change"
                } else {
                    "changes"
                },
                findings.len(),
                if findings.len() == 1 {
                    "finding"
                } else {
                    "findings"
                },
                self.counts_line()
            );
        }
        out
    }

    /// The findings as JSON (the `findings` array of [`DiffReport::to_json`]).
    pub fn findings_json(&self, names: &dyn SdkNames) -> Value {
        Value::Array(
            self.findings()
                .iter()
                .map(|finding| {
                    json!({
                        "class": finding.class.as_str(),
                        "rule": finding.rule,
                        "place": finding.place,
                        "schema": finding.schema,
                        "detail": finding.detail,
                        "rust": finding.rust_item(names),
                        "calls": finding.client_calls(names),
                        "operations": finding.operations.iter().map(|(operation, location)| {
                            json!({"operation": operation, "location": location})
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect(),
        )
    }
}

/// A change's place when it is not inside a named schema: the operation and
/// location, so that findings of different operations stay apart.
fn location_or_operation(change: &Change) -> String {
    if change.location.is_empty() {
        change.operation.clone()
    } else {
        format!("{} {}", change.operation, change.location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_property_of_a_path_is_the_field_reached() {
        assert_eq!(first_property(".createdAt"), Some("createdAt"));
        assert_eq!(first_property(".gpu_count[]"), Some("gpu_count"));
        assert_eq!(first_property(".env.*"), Some("env"));
        assert_eq!(first_property(""), None);
    }
}
