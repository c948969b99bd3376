//! Classifying the contract changes between two versions of the PI API document.
//!
//! [`diff`] compares two normalized documents (see [`crate::normalize`]) from
//! the side of a client built against the old one, and returns a
//! [`DiffReport`] with one [`Change`] per fact that moved, per affected
//! operation: a change inside a schema shared through `$ref` is reported under
//! every operation that uses it, at the place that operation sees it. Each
//! change has a [`Class`]:
//!
//! - [`Class::Breaking`]: the existing client could send a request the new
//!   document rejects or silently ignores, could fail to decode a response the
//!   new document allows, or could lose a value it used to receive, or its
//!   requests could go elsewhere (a new required request field, a tightened
//!   request constraint, a removed request field, a removed response field, a
//!   response field that may now be null, another server URL);
//! - [`Class::Behind`]: the SDK keeps working but does not reach what the
//!   new document adds (a new operation, an optional input, a response
//!   field, an enum value, a loosened request rule its own checks still
//!   enforce, a deprecation): regenerating it would change it;
//! - [`Class::None`]: nothing a user can notice (an error status, a response
//!   constraint, another server listed beside the first).
//!
//! Values the SDK's hand-written code relies on ([`Assumption`]s, given to
//! [`diff_with`]) are breaking when they go, whatever the generic rule says.
//! Operations are matched by method and path shape, schemes by definition
//! and `anyOf` alternatives by shape: names that never travel on the wire
//! (operation ids, schema and scheme names, path parameter names) raise
//! nothing. [`DiffReport::findings`] groups a change to a shared schema into
//! one [`Finding`] listing every operation it reaches.
//!
//! Prose never produces a change: normalization already removed it, and the
//! comparison only reads contract keywords. Schemas are walked recursively
//! with `$ref` resolution and a cycle guard; `anyOf`/`oneOf` of `[T, null]`
//! reads as a nullable `T`, and `allOf` parts are merged.
//!
//! # JSON shape
//!
//! [`DiffReport::to_json`] writes this shape, which is stable: fields may be
//! added, never renamed or removed.
//!
//! ```json
//! {
//!   "summary": { "breaking": 1, "behind": 0, "none": 0 },
//!   "changes": [
//!     {
//!       "class": "breaking",
//!       "rule": "request.constraint.tightened",
//!       "operation": "POST /api/v1/secrets/",
//!       "location": "request body .name",
//!       "detail": "maxLength 255 -> 64",
//!       "schema": "SecretCreateRequest",
//!       "field": ".name",
//!       "text": "POST /api/v1/secrets/ request body .name maxLength 255 -> 64"
//!     }
//!   ],
//!   "findings": [
//!     {
//!       "class": "breaking",
//!       "rule": "request.constraint.tightened",
//!       "place": "SecretCreateRequest.name",
//!       "schema": "SecretCreateRequest",
//!       "detail": "maxLength 255 -> 64",
//!       "rust": "pi_types::CreateSecret::name",
//!       "calls": ["client.secrets().create(…)"],
//!       "operations": [{"operation": "POST /api/v1/secrets/", "location": "request body .name"}]
//!     }
//!   ]
//! }
//! ```
//!
//! - `class`: `breaking`, `behind` or `none`;
//! - `schema`, `field`: the named schema of the old document the change is
//!   inside and the place within it (`null` and empty outside one);
//! - `findings`: the changes grouped as [`DiffReport::findings`] does, with
//!   the Rust item (`rust`) and client calls (`calls`) when the caller gave
//!   [`SdkNames`] (`cargo xtask` does), else `null` and `[]`;
//! - `rule`: a stable identifier of the kind of change (see [`rules`]);
//! - `operation`: upper-case method, a space, and the path template; or
//!   `servers` for a change to the document's `servers`, which concerns
//!   every operation;
//! - `location`: where in the operation (`parameter query limit`,
//!   `request body .config.env[]`, `response 200 .data.status`, `responses`,
//!   `security`, `servers`; `url` or `servers` under `servers`), empty for
//!   the operation itself;
//! - `detail`: what changed, old value before `->`, new value after;
//! - `text`: `operation`, `location` and `detail` joined by spaces.
//!
//! Changes are ordered: document-level `servers` changes first, then by
//! path, then method (in the order of [`crate::openapi::METHODS`]), then the
//! order in which the operation was walked (servers, parameters, request
//! body, responses, security).
//!
//! # Layout
//!
//! `report.rs` holds the findings and their rendering, `rules.rs` the rule
//! identifiers. The walk is one `Differ` whose rule families live beside
//! this file: `servers.rs`, `operations.rs` (matching, moves, deprecation),
//! `parameters.rs`, `bodies.rs` (request bodies and content maps),
//! `responses.rs`, `security.rs` and `schemas.rs` (types, nullability,
//! constraints, enums, properties, alternatives).

use std::collections::HashSet;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::normalize::{NormalizeError, normalize};

mod assumptions;
mod bodies;
mod findings;
mod operations;
mod parameters;
mod report;
mod responses;
pub mod rules;
mod schemas;
mod security;
mod servers;

pub use assumptions::{Assumption, check as check_assumption, locate as locate_assumption};
pub use findings::{Finding, NoNames, SdkNames};
pub use operations::{align_operation_ids, wire_shape};
pub use report::{Change, Class, DiffReport};

/// Normalizes both documents and compares them; use this on raw input.
pub fn diff_documents(old: &Value, new: &Value) -> Result<DiffReport, NormalizeError> {
    Ok(diff(&normalize(old)?, &normalize(new)?))
}

/// [`diff_documents`], also weighing the SDK's own [`Assumption`]s: one
/// that holds in `old` but not in `new` is a breaking change.
pub fn diff_documents_with(
    old: &Value,
    new: &Value,
    assumptions: &[Assumption],
) -> Result<DiffReport, NormalizeError> {
    Ok(diff_with(&normalize(old)?, &normalize(new)?, assumptions))
}

/// [`diff`], also weighing the SDK's own [`Assumption`]s.
pub fn diff_with(old: &Value, new: &Value, assumptions: &[Assumption]) -> DiffReport {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
        seen: HashSet::new(),
        operation: String::new(),
        stack: Vec::new(),
        scope: Vec::new(),
    };
    differ.document_servers();
    differ.all_operations();
    differ.assumptions(assumptions);
    differ.order();
    DiffReport::new(differ.changes)
}

/// Compares two normalized documents from the side of a client of `old`.
///
/// Unnormalized documents work too, but then internal `/api/admin`
/// operations are compared as well; [`diff_documents`] normalizes first.
pub fn diff(old: &Value, new: &Value) -> DiffReport {
    diff_with(old, new, &[])
}

/// Which way data flows through the schema being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The client writes it; the new document must still accept it.
    Request,
    /// The client reads it; it must still decode what the new document allows.
    Response,
}

/// The walk state: both documents, the operation being compared, the
/// pairs of `$ref`s being compared (the cycle guard), and the findings.
struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    /// The changes already recorded, so that none is listed twice.
    seen: HashSet<Change>,
    /// What the findings are recorded under: an operation's label, or `servers`.
    operation: String,
    stack: Vec<(String, String)>,
    /// The named schemas being walked, innermost last: each one's name and
    /// the location where its walk started, so that a change can say which
    /// schema it is inside and where.
    scope: Vec<(String, String)>,
}

/// The schema that allows anything, standing in for a missing one.
static ANY_SCHEMA: Value = Value::Bool(true);

/// Deepest schema nesting compared; deeper structure is assumed unchanged.
const MAX_DEPTH: usize = 64;

impl Differ<'_> {
    fn push(&mut self, class: Class, rule: &'static str, location: &str, detail: String) {
        let (schema, field) = self
            .scope
            .iter()
            .rev()
            .find_map(|(name, start)| {
                location
                    .strip_prefix(start.as_str())
                    .map(|rest| (Some(name.clone()), rest.trim_start().to_owned()))
            })
            .unwrap_or((None, String::new()));
        let change = Change {
            class,
            rule,
            operation: self.operation.clone(),
            location: location.to_owned(),
            detail,
            schema,
            field,
        };
        if self.seen.insert(change.clone()) {
            self.changes.push(change);
        }
    }

    fn order(&mut self) {
        // Group by operation, keeping each operation's walk order; the sort
        // is stable, and document-level findings sort first.
        self.changes
            .sort_by_cached_key(|change| operations::report_order(&change.operation));
    }
}

/// `place` and `path` joined into a change's location (`request body .name`).
fn at(place: &str, path: &str) -> String {
    if path.is_empty() {
        place.to_owned()
    } else {
        format!("{place} {path}")
    }
}

/// An object value, or an empty object when the value is missing or not an object.
fn object_or_empty(value: Option<&Value>) -> &Map<String, Value> {
    static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);
    value.and_then(Value::as_object).unwrap_or(&EMPTY)
}

#[cfg(test)]
mod tests;
