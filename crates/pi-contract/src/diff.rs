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
//!   document rejects, or could fail to decode a response the new document
//!   allows (a new required request field, a tightened request constraint, a
//!   removed required response field, a response field that may now be null);
//! - [`Class::NonBreaking`]: the client keeps working (a new optional request
//!   field, a new response field, a loosened request constraint);
//! - [`Class::Informational`]: worth a look, but nothing fails (a new
//!   operation, a new enum value in a response, a changed success status).
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
//!   "summary": { "breaking": 1, "non_breaking": 0, "informational": 0 },
//!   "changes": [
//!     {
//!       "class": "breaking",
//!       "rule": "request.constraint.tightened",
//!       "operation": "POST /api/v1/secrets/",
//!       "location": "request body .name",
//!       "detail": "maxLength 255 -> 64",
//!       "text": "POST /api/v1/secrets/ request body .name maxLength 255 -> 64"
//!     }
//!   ]
//! }
//! ```
//!
//! - `class`: `breaking`, `non_breaking` or `informational`;
//! - `rule`: a stable identifier of the kind of change (see [`rules`]);
//! - `operation`: upper-case method, a space, and the path template;
//! - `location`: where in the operation (`parameter query limit`,
//!   `request body .config.env[]`, `response 200 .data.status`, `responses`,
//!   `security`), empty for the operation itself;
//! - `detail`: what changed, old value before `->`, new value after;
//! - `text`: `operation`, `location` and `detail` joined by spaces.
//!
//! Changes are ordered by path, then method, then the order in which the
//! operation was walked (parameters, request body, responses, security).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use crate::normalize::{NormalizeError, normalize, resolve};

/// How a change affects a client built against the old document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The existing client may now fail.
    Breaking,
    /// The existing client keeps working.
    NonBreaking,
    /// Nothing fails, but the change deserves a look.
    Informational,
}

impl Class {
    /// The identifier used in JSON output: `breaking`, `non_breaking` or `informational`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::NonBreaking => "non_breaking",
            Class::Informational => "informational",
        }
    }

    /// The label used in text output: `breaking`, `non-breaking` or `informational`.
    pub fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::NonBreaking => "non-breaking",
            Class::Informational => "informational",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Stable identifiers of the kinds of change, as they appear in [`Change::rule`].
pub mod rules {
    /// An operation exists only in the new document.
    pub const OPERATION_ADDED: &str = "operation.added";
    /// An operation exists only in the old document.
    pub const OPERATION_REMOVED: &str = "operation.removed";
    /// An operation id moved to another method or path.
    pub const OPERATION_MOVED: &str = "operation.moved";
    /// An operation became deprecated, or stopped being.
    pub const OPERATION_DEPRECATED: &str = "operation.deprecated";
    /// A parameter exists only in the new document.
    pub const PARAMETER_ADDED: &str = "parameter.added";
    /// A parameter exists only in the old document.
    pub const PARAMETER_REMOVED: &str = "parameter.removed";
    /// A parameter moved between path, query, header and cookie.
    pub const PARAMETER_LOCATION: &str = "parameter.location";
    /// A parameter became required or optional.
    pub const PARAMETER_REQUIRED: &str = "parameter.required";
    /// A parameter's serialization style or explode flag changed.
    pub const PARAMETER_STYLE: &str = "parameter.style";
    /// The request body appeared.
    pub const REQUEST_BODY_ADDED: &str = "request.body.added";
    /// The request body disappeared.
    pub const REQUEST_BODY_REMOVED: &str = "request.body.removed";
    /// The request body became required or optional.
    pub const REQUEST_BODY_REQUIRED: &str = "request.body.required";
    /// A request content type appeared or disappeared.
    pub const REQUEST_CONTENT_TYPE: &str = "request.content_type";
    /// A request property appeared.
    pub const REQUEST_PROPERTY_ADDED: &str = "request.property.added";
    /// A request property disappeared.
    pub const REQUEST_PROPERTY_REMOVED: &str = "request.property.removed";
    /// A request property became required or optional.
    pub const REQUEST_PROPERTY_REQUIRED: &str = "request.property.required";
    /// A request value's type changed.
    pub const REQUEST_TYPE: &str = "request.type";
    /// A request value may now be null, or no longer may.
    pub const REQUEST_NULLABLE: &str = "request.nullable";
    /// A request constraint now rejects values it accepted.
    pub const REQUEST_CONSTRAINT_TIGHTENED: &str = "request.constraint.tightened";
    /// A request constraint now accepts more values.
    pub const REQUEST_CONSTRAINT_LOOSENED: &str = "request.constraint.loosened";
    /// A request enum value appeared or disappeared, or the enum itself did.
    pub const REQUEST_ENUM: &str = "request.enum";
    /// A request default changed.
    pub const REQUEST_DEFAULT: &str = "request.default";
    /// A request alternative (`anyOf`/`oneOf` member) appeared or disappeared.
    pub const REQUEST_VARIANT: &str = "request.variant";
    /// Extra request properties became allowed or forbidden.
    pub const REQUEST_ADDITIONAL_PROPERTIES: &str = "request.additional_properties";
    /// A response property appeared.
    pub const RESPONSE_PROPERTY_ADDED: &str = "response.property.added";
    /// A response property disappeared.
    pub const RESPONSE_PROPERTY_REMOVED: &str = "response.property.removed";
    /// A response property became optional or required.
    pub const RESPONSE_PROPERTY_REQUIRED: &str = "response.property.required";
    /// A response value's type changed.
    pub const RESPONSE_TYPE: &str = "response.type";
    /// A response value may now be null, or no longer may.
    pub const RESPONSE_NULLABLE: &str = "response.nullable";
    /// A response format changed (clients decode dates and ids by format).
    pub const RESPONSE_FORMAT: &str = "response.format";
    /// A response constraint changed.
    pub const RESPONSE_CONSTRAINT: &str = "response.constraint";
    /// A response enum value appeared or disappeared, or the enum itself did.
    pub const RESPONSE_ENUM: &str = "response.enum";
    /// A response alternative (`anyOf`/`oneOf` member) appeared or disappeared.
    pub const RESPONSE_VARIANT: &str = "response.variant";
    /// Extra response properties became allowed or forbidden.
    pub const RESPONSE_ADDITIONAL_PROPERTIES: &str = "response.additional_properties";
    /// A response content type appeared or disappeared.
    pub const RESPONSE_CONTENT_TYPE: &str = "response.content_type";
    /// A success (2xx) status appeared, disappeared or changed.
    pub const STATUS_SUCCESS: &str = "status.success";
    /// An error status appeared or disappeared.
    pub const STATUS_ERROR: &str = "status.error";
    /// Authentication requirements changed.
    pub const SECURITY: &str = "security";
    /// A security scheme an operation uses changed its definition.
    pub const SECURITY_SCHEME: &str = "security.scheme";
}

/// One contract change as one operation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    /// How the change affects the existing client.
    pub class: Class,
    /// The kind of change: one of the identifiers in [`rules`].
    pub rule: &'static str,
    /// The affected operation: upper-case method, space, path template.
    pub operation: String,
    /// Where in the operation, e.g. `request body .name`; empty for the operation itself.
    pub location: String,
    /// What changed, e.g. `maxLength 255 -> 64`.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{} {}", self.operation, self.detail)
        } else {
            write!(f, "{} {} {}", self.operation, self.location, self.detail)
        }
    }
}

/// Every contract change between two documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffReport {
    changes: Vec<Change>,
}

impl DiffReport {
    /// All changes, grouped by operation (see the module docs for the order).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the two documents agree on every contract fact.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes have the given class.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.count(Class::Breaking) > 0
    }

    /// The counts per class on one line, e.g. `2 breaking, 1 non-breaking, 0 informational`.
    pub fn counts_line(&self) -> String {
        format!(
            "{} breaking, {} non-breaking, {} informational",
            self.count(Class::Breaking),
            self.count(Class::NonBreaking),
            self.count(Class::Informational)
        )
    }

    /// A few lines for a terminal: the counts, then each breaking change.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "spec diff: no contract changes\n".to_owned();
        }
        let mut out = format!("spec diff: {}\n", self.counts_line());
        for change in self.changes.iter().filter(|c| c.class == Class::Breaking) {
            out.push_str(&format!("  breaking: {change}\n"));
        }
        out
    }

    /// The full report as text: changes grouped under their operation, then a
    /// summary line with the counts per class.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut current: Option<&str> = None;
        for change in &self.changes {
            if current != Some(change.operation.as_str()) {
                if current.is_some() {
                    out.push('\n');
                }
                out.push_str(&change.operation);
                out.push('\n');
                current = Some(&change.operation);
            }
            let what = if change.location.is_empty() {
                change.detail.clone()
            } else {
                format!("{} {}", change.location, change.detail)
            };
            out.push_str(&format!("  {:<14} {what}\n", change.class.label()));
        }
        if !self.changes.is_empty() {
            out.push('\n');
        }
        if self.is_empty() {
            out.push_str("no contract changes\n");
        } else {
            out.push_str(&format!(
                "{} {}: {}\n",
                self.changes.len(),
                if self.changes.len() == 1 {
                    "change"
                } else {
                    "changes"
                },
                self.counts_line()
            ));
        }
        out
    }

    /// The report in the stable JSON shape documented in the module docs.
    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                json!({
                    "class": c.class.as_str(),
                    "rule": c.rule,
                    "operation": c.operation,
                    "location": c.location,
                    "detail": c.detail,
                    "text": c.to_string(),
                })
            })
            .collect();
        json!({
            "summary": {
                "breaking": self.count(Class::Breaking),
                "non_breaking": self.count(Class::NonBreaking),
                "informational": self.count(Class::Informational),
            },
            "changes": changes,
        })
    }
}

/// Normalizes both documents and compares them; use this on raw input.
pub fn diff_documents(old: &Value, new: &Value) -> Result<DiffReport, NormalizeError> {
    Ok(diff(&normalize(old)?, &normalize(new)?))
}

/// Compares two normalized documents from the side of a client of `old`.
///
/// Unnormalized documents work too, but then internal `/api/admin`
/// operations are compared as well; [`diff_documents`] normalizes first.
pub fn diff(old: &Value, new: &Value) -> DiffReport {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
        seen: HashSet::new(),
        operation: String::new(),
        stack: Vec::new(),
    };
    differ.run();
    DiffReport {
        changes: differ.changes,
    }
}

/// The HTTP methods of a path item, in report order.
const METHODS: &[&str] = &[
    "get", "put", "post", "patch", "delete", "head", "options", "trace",
];

/// An operation's place in a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct OpKey {
    path: String,
    method_rank: usize,
}

impl OpKey {
    fn label(&self) -> String {
        let method = METHODS.get(self.method_rank).copied().unwrap_or("?");
        format!("{} {}", method.to_uppercase(), self.path)
    }
}

/// Which way data flows through the schema being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The client writes it; the new document must still accept it.
    Request,
    /// The client reads it; it must still decode what the new document allows.
    Response,
}

/// Whether a constraint change accepts fewer or more values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Tightened,
    Loosened,
}

/// The walk state: both documents, the operation being compared, the
/// pairs of `$ref`s being compared (the cycle guard), and the findings.
struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    /// The changes already recorded, so that none is listed twice.
    seen: HashSet<Change>,
    operation: String,
    stack: Vec<(String, String)>,
}

/// The schema that allows anything, standing in for a missing one.
static ANY_SCHEMA: Value = Value::Bool(true);

/// Deepest schema nesting compared; deeper structure is assumed unchanged.
const MAX_DEPTH: usize = 64;

impl<'a> Differ<'a> {
    fn push(&mut self, class: Class, rule: &'static str, location: &str, detail: String) {
        let change = Change {
            class,
            rule,
            operation: self.operation.clone(),
            location: location.to_owned(),
            detail,
        };
        if self.seen.insert(change.clone()) {
            self.changes.push(change);
        }
    }

    fn run(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        let keys: BTreeSet<&OpKey> = old_ops.keys().chain(new_ops.keys()).collect();

        // An operation id found at a different place is a move, not a removal.
        let old_ids: BTreeMap<&str, &OpKey> = old_ops
            .iter()
            .filter(|(k, _)| !new_ops.contains_key(*k))
            .filter_map(|(k, op)| {
                op.op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(|id| (id, k))
            })
            .collect();
        let mut moved_from: BTreeMap<&OpKey, &OpKey> = BTreeMap::new();
        for (key, op) in &new_ops {
            if old_ops.contains_key(key) {
                continue;
            }
            if let Some(old_key) = op
                .op
                .get("operationId")
                .and_then(Value::as_str)
                .and_then(|id| old_ids.get(id))
            {
                moved_from.insert(key, old_key);
            }
        }
        let moved_away: BTreeSet<&OpKey> = moved_from.values().copied().collect();

        for key in keys {
            self.operation = key.label();
            match (old_ops.get(key), new_ops.get(key)) {
                (Some(old), Some(new)) => self.operation_pair(old, new),
                (Some(_), None) if moved_away.contains(key) => {}
                (Some(_), None) => self.push(
                    Class::Breaking,
                    rules::OPERATION_REMOVED,
                    "",
                    "operation removed".to_owned(),
                ),
                (None, Some(new)) => {
                    if let Some(from) = moved_from.get(key) {
                        self.push(
                            Class::Breaking,
                            rules::OPERATION_MOVED,
                            "",
                            format!("operation moved: {} -> {}", from.label(), key.label()),
                        );
                        if let Some(old) = old_ops.get(*from) {
                            self.operation_pair(old, new);
                        }
                    } else {
                        self.push(
                            Class::Informational,
                            rules::OPERATION_ADDED,
                            "",
                            "operation added".to_owned(),
                        );
                    }
                }
                (None, None) => {}
            }
        }
        // Group by operation, keeping each operation's walk order.
        let order = |label: &str| -> (String, usize) {
            let (method, path) = label.split_once(' ').unwrap_or((label, ""));
            let rank = METHODS
                .iter()
                .position(|m| m.eq_ignore_ascii_case(method))
                .unwrap_or(METHODS.len());
            (path.to_owned(), rank)
        };
        self.changes
            .sort_by_cached_key(|change| order(&change.operation));
    }

    fn operation_pair(&mut self, old: &OpView<'a>, new: &OpView<'a>) {
        let old_dep = old
            .op
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let new_dep = new
            .op
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if old_dep != new_dep {
            let detail = if new_dep {
                "deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(
                Class::Informational,
                rules::OPERATION_DEPRECATED,
                "",
                detail.to_owned(),
            );
        }
        self.parameters(old, new);
        self.request_body(old.op.get("requestBody"), new.op.get("requestBody"));
        self.responses(old.op.get("responses"), new.op.get("responses"));
        self.security(old.op, new.op);
    }

    // ----- parameters -----

    fn parameters(&mut self, old: &OpView<'a>, new: &OpView<'a>) {
        let old_params = parameters(self.old, old);
        let new_params = parameters(self.new, new);
        let mut removed: Vec<&ParamKey> = Vec::new();
        let mut added: Vec<&ParamKey> = Vec::new();
        for key in old_params.keys() {
            if !new_params.contains_key(key) {
                removed.push(key);
            }
        }
        for key in new_params.keys() {
            if !old_params.contains_key(key) {
                added.push(key);
            }
        }
        // Same name, other location: a move.
        let mut moved: Vec<(&ParamKey, &ParamKey)> = Vec::new();
        removed.retain(|r| {
            if let Some(pos) = added.iter().position(|a| a.1 == r.1) {
                moved.push((r, added.remove(pos)));
                false
            } else {
                true
            }
        });
        for key in removed {
            self.push(
                Class::Breaking,
                rules::PARAMETER_REMOVED,
                &format!("parameter {} {}", key.0, key.1),
                "removed".to_owned(),
            );
        }
        for key in added {
            let required = new_params
                .get(key)
                .is_some_and(|p| p.get("required") == Some(&Value::Bool(true)));
            let (class, detail) = if required {
                (Class::Breaking, "added (required)")
            } else {
                (Class::NonBreaking, "added (optional)")
            };
            self.push(
                class,
                rules::PARAMETER_ADDED,
                &format!("parameter {} {}", key.0, key.1),
                detail.to_owned(),
            );
        }
        for (from, to) in moved {
            self.push(
                Class::Breaking,
                rules::PARAMETER_LOCATION,
                &format!("parameter {}", from.1),
                format!("location {} -> {}", from.0, to.0),
            );
        }
        for (key, old_param) in &old_params {
            let Some(new_param) = new_params.get(key) else {
                continue;
            };
            let location = format!("parameter {} {}", key.0, key.1);
            let old_req = old_param.get("required") == Some(&Value::Bool(true));
            let new_req = new_param.get("required") == Some(&Value::Bool(true));
            if old_req != new_req {
                let (class, detail) = if new_req {
                    (Class::Breaking, "now required")
                } else {
                    (Class::NonBreaking, "no longer required")
                };
                self.push(
                    class,
                    rules::PARAMETER_REQUIRED,
                    &location,
                    detail.to_owned(),
                );
            }
            let (old_style, old_explode) = style_of(&key.0, old_param);
            let (new_style, new_explode) = style_of(&key.0, new_param);
            if old_style != new_style {
                self.push(
                    Class::Breaking,
                    rules::PARAMETER_STYLE,
                    &location,
                    format!("style {old_style} -> {new_style}"),
                );
            }
            if old_explode != new_explode {
                self.push(
                    Class::Breaking,
                    rules::PARAMETER_STYLE,
                    &location,
                    format!("explode {old_explode} -> {new_explode}"),
                );
            }
            if let (Some(old_schema), Some(new_schema)) =
                (old_param.get("schema"), new_param.get("schema"))
            {
                self.schema(old_schema, new_schema, Side::Request, &location, "", 0);
            }
        }
    }

    // ----- request body -----

    fn request_body(&mut self, old: Option<&'a Value>, new: Option<&'a Value>) {
        let old = old.map(|b| deref(self.old, b));
        let new = new.map(|b| deref(self.new, b));
        let required = |b: &Value| b.get("required") == Some(&Value::Bool(true));
        match (old, new) {
            (None, None) => {}
            (None, Some(new)) => {
                let (class, detail) = if required(new) {
                    (Class::Breaking, "added (required)")
                } else {
                    (Class::NonBreaking, "added (optional)")
                };
                self.push(
                    class,
                    rules::REQUEST_BODY_ADDED,
                    "request body",
                    detail.to_owned(),
                );
            }
            (Some(_), None) => self.push(
                Class::Breaking,
                rules::REQUEST_BODY_REMOVED,
                "request body",
                "removed".to_owned(),
            ),
            (Some(old), Some(new)) => {
                if required(old) != required(new) {
                    let (class, detail) = if required(new) {
                        (Class::Breaking, "now required")
                    } else {
                        (Class::NonBreaking, "no longer required")
                    };
                    self.push(
                        class,
                        rules::REQUEST_BODY_REQUIRED,
                        "request body",
                        detail.to_owned(),
                    );
                }
                self.content(old, new, Side::Request, "request body");
            }
        }
    }

    /// Compares the `content` maps of two request bodies or responses.
    fn content(&mut self, old: &'a Value, new: &'a Value, side: Side, place: &str) {
        let old_content = object_or_empty(old.get("content"));
        let new_content = object_or_empty(new.get("content"));
        let rule = match side {
            Side::Request => rules::REQUEST_CONTENT_TYPE,
            Side::Response => rules::RESPONSE_CONTENT_TYPE,
        };
        for media in old_content.keys() {
            if !new_content.contains_key(media) {
                self.push(
                    Class::Breaking,
                    rule,
                    place,
                    format!("content type {media} removed"),
                );
            }
        }
        for media in new_content.keys() {
            if !old_content.contains_key(media) {
                self.push(
                    Class::NonBreaking,
                    rule,
                    place,
                    format!("content type {media} added"),
                );
            }
        }
        for (media, old_media) in old_content {
            let Some(new_media) = new_content.get(media) else {
                continue;
            };
            let place = if media == "application/json" {
                place.to_owned()
            } else {
                format!("{place} ({media})")
            };
            match (old_media.get("schema"), new_media.get("schema")) {
                (Some(o), Some(n)) => self.schema(o, n, side, &place, "", 0),
                (Some(o), None) => self.schema(o, &ANY_SCHEMA, side, &place, "", 0),
                (None, Some(n)) => self.schema(&ANY_SCHEMA, n, side, &place, "", 0),
                (None, None) => {}
            }
        }
    }

    // ----- responses -----

    fn responses(&mut self, old: Option<&'a Value>, new: Option<&'a Value>) {
        let old = object_or_empty(old);
        let new = object_or_empty(new);
        let success = |status: &str| status.starts_with('2');
        let old_success: Vec<&String> = old.keys().filter(|s| success(s)).collect();
        let new_success: Vec<&String> = new.keys().filter(|s| success(s)).collect();
        let gone: Vec<&String> = old_success
            .iter()
            .copied()
            .filter(|s| !new.contains_key(*s))
            .collect();
        let came: Vec<&String> = new_success
            .iter()
            .copied()
            .filter(|s| !old.contains_key(*s))
            .collect();
        let join = |list: &[&String]| {
            list.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !gone.is_empty() && !came.is_empty() {
            self.push(
                Class::Informational,
                rules::STATUS_SUCCESS,
                "responses",
                format!("success status {} -> {}", join(&gone), join(&came)),
            );
            if let ([from], [to]) = (gone.as_slice(), came.as_slice())
                && let (Some(o), Some(n)) = (old.get(*from), new.get(*to))
            {
                let o = deref(self.old, o);
                let n = deref(self.new, n);
                self.content(o, n, Side::Response, &format!("response {from}->{to}"));
            }
        } else {
            for status in &gone {
                self.push(
                    Class::Informational,
                    rules::STATUS_SUCCESS,
                    "responses",
                    format!("success status {status} removed"),
                );
            }
            for status in &came {
                self.push(
                    Class::Informational,
                    rules::STATUS_SUCCESS,
                    "responses",
                    format!("success status {status} added"),
                );
            }
        }
        for status in old.keys().filter(|s| !success(s) && !new.contains_key(*s)) {
            self.push(
                Class::NonBreaking,
                rules::STATUS_ERROR,
                "responses",
                format!("error status {status} removed"),
            );
        }
        for status in new.keys().filter(|s| !success(s) && !old.contains_key(*s)) {
            self.push(
                Class::Informational,
                rules::STATUS_ERROR,
                "responses",
                format!("error status {status} added"),
            );
        }
        for (status, old_response) in old {
            if let Some(new_response) = new.get(status) {
                let o = deref(self.old, old_response);
                let n = deref(self.new, new_response);
                self.content(o, n, Side::Response, &format!("response {status}"));
            }
        }
    }

    // ----- security -----

    fn security(&mut self, old_op: &'a Value, new_op: &'a Value) {
        let old_req = requirements(self.old, old_op);
        let new_req = requirements(self.new, new_op);
        let public = |reqs: &BTreeSet<BTreeSet<String>>| {
            reqs.is_empty() || reqs.iter().any(BTreeSet::is_empty)
        };
        let show = |reqs: &BTreeSet<BTreeSet<String>>| {
            if public(reqs) && reqs.len() <= 1 {
                return "none".to_owned();
            }
            reqs.iter()
                .map(|alt| {
                    if alt.is_empty() {
                        "none".to_owned()
                    } else {
                        alt.iter().cloned().collect::<Vec<_>>().join("+")
                    }
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        if old_req != new_req {
            let (class, detail) = match (public(&old_req), public(&new_req)) {
                (true, false) => (
                    Class::Breaking,
                    format!("authentication now required ({})", show(&new_req)),
                ),
                (false, true) => (
                    Class::NonBreaking,
                    format!("authentication no longer required (was {})", show(&old_req)),
                ),
                _ if old_req.iter().any(|alt| new_req.contains(alt)) => (
                    Class::NonBreaking,
                    format!("security {} -> {}", show(&old_req), show(&new_req)),
                ),
                _ => (
                    Class::Breaking,
                    format!("security {} -> {}", show(&old_req), show(&new_req)),
                ),
            };
            self.push(class, rules::SECURITY, "security", detail);
        }
        let used: BTreeSet<&String> = old_req
            .iter()
            .flatten()
            .filter(|name| new_req.iter().flatten().any(|n| n == *name))
            .collect();
        for name in used {
            let pointer = format!(
                "/components/securitySchemes/{}",
                crate::normalize::escape_pointer(name)
            );
            let old_scheme = self.old.pointer(&pointer);
            let new_scheme = self.new.pointer(&pointer);
            if old_scheme != new_scheme {
                let describe = |s: Option<&Value>| {
                    s.map_or("missing".to_owned(), |s| {
                        let kind = s.get("type").and_then(Value::as_str).unwrap_or("?");
                        match s.get("scheme").and_then(Value::as_str) {
                            Some(scheme) => format!("{kind} {scheme}"),
                            None => kind.to_owned(),
                        }
                    })
                };
                self.push(
                    Class::Breaking,
                    rules::SECURITY_SCHEME,
                    "security",
                    format!(
                        "scheme {name} changed: {} -> {}",
                        describe(old_scheme),
                        describe(new_scheme)
                    ),
                );
            }
        }
    }

    // ----- schemas -----

    /// Compares two schemas at `place` (e.g. `request body`) and `path`
    /// (e.g. `.config.name`).
    fn schema(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        side: Side,
        place: &str,
        path: &str,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let ov = SchemaView::of(self.old, old);
        let nv = SchemaView::of(self.new, new);
        let guard = match (ov.refs.last(), nv.refs.last()) {
            (Some(o), Some(n)) => {
                let pair = (o.clone(), n.clone());
                if self.stack.contains(&pair) {
                    return;
                }
                self.stack.push(pair);
                true
            }
            _ => false,
        };
        let location = if path.is_empty() {
            place.to_owned()
        } else {
            format!("{place} {path}")
        };
        self.types(&ov, &nv, side, &location);
        self.nullable(&ov, &nv, side, &location);
        self.constraints(&ov, &nv, side, &location);
        self.enums(&ov, &nv, side, &location);
        self.properties(&ov, &nv, side, place, path, depth);
        self.additional(&ov, &nv, side, place, path, depth);
        if let (Some(o), Some(n)) = (ov.items, nv.items) {
            self.schema(o, n, side, place, &format!("{path}[]"), depth + 1);
        }
        self.variants(&ov, &nv, side, place, path, depth);
        if guard {
            self.stack.pop();
        }
    }

    fn types(&mut self, ov: &SchemaView<'a>, nv: &SchemaView<'a>, side: Side, location: &str) {
        if ov.types == nv.types {
            return;
        }
        let widened = types_within(&ov.types, &nv.types);
        let narrowed = types_within(&nv.types, &ov.types);
        let (class, rule) = match side {
            Side::Request if widened => (Class::NonBreaking, rules::REQUEST_TYPE),
            Side::Request => (Class::Breaking, rules::REQUEST_TYPE),
            Side::Response if narrowed => (Class::NonBreaking, rules::RESPONSE_TYPE),
            Side::Response => (Class::Breaking, rules::RESPONSE_TYPE),
        };
        self.push(
            class,
            rule,
            location,
            format!(
                "type {} -> {}",
                show_types(&ov.types),
                show_types(&nv.types)
            ),
        );
    }

    fn nullable(&mut self, ov: &SchemaView<'a>, nv: &SchemaView<'a>, side: Side, location: &str) {
        if ov.nullable == nv.nullable {
            return;
        }
        let (class, rule, detail) = match (side, nv.nullable) {
            (Side::Request, true) => (
                Class::NonBreaking,
                rules::REQUEST_NULLABLE,
                "null now allowed",
            ),
            (Side::Request, false) => (
                Class::Breaking,
                rules::REQUEST_NULLABLE,
                "null no longer allowed",
            ),
            (Side::Response, true) => {
                (Class::Breaking, rules::RESPONSE_NULLABLE, "may now be null")
            }
            (Side::Response, false) => (
                Class::NonBreaking,
                rules::RESPONSE_NULLABLE,
                "no longer null",
            ),
        };
        self.push(class, rule, location, detail.to_owned());
    }

    fn constraints(
        &mut self,
        ov: &SchemaView<'a>,
        nv: &SchemaView<'a>,
        side: Side,
        location: &str,
    ) {
        for &(keyword, kind) in CONSTRAINTS {
            let o = ov.keywords.get(keyword).copied();
            let n = nv.keywords.get(keyword).copied();
            if o == n {
                continue;
            }
            let direction = match kind {
                Bound::Upper | Bound::Lower => {
                    match (o.and_then(Value::as_f64), n.and_then(Value::as_f64)) {
                        (None, Some(_)) => Direction::Tightened,
                        (Some(_), None) => Direction::Loosened,
                        (Some(a), Some(b)) => {
                            let tighter = (kind == Bound::Lower) == (b > a);
                            if tighter {
                                Direction::Tightened
                            } else {
                                Direction::Loosened
                            }
                        }
                        (None, None) => {
                            // Non-numeric bounds (OpenAPI 3.0 boolean exclusives):
                            // any change is treated as a tightening.
                            if n.is_none() {
                                Direction::Loosened
                            } else {
                                Direction::Tightened
                            }
                        }
                    }
                }
                Bound::Exact => {
                    if n.is_none() {
                        Direction::Loosened
                    } else {
                        Direction::Tightened
                    }
                }
                Bound::Flag => {
                    if n == Some(&Value::Bool(true)) {
                        Direction::Tightened
                    } else {
                        Direction::Loosened
                    }
                }
            };
            let detail = format!("{keyword} {} -> {}", show_opt(o), show_opt(n));
            let (class, rule) = match side {
                Side::Request => match direction {
                    Direction::Tightened => (Class::Breaking, rules::REQUEST_CONSTRAINT_TIGHTENED),
                    Direction::Loosened => (Class::NonBreaking, rules::REQUEST_CONSTRAINT_LOOSENED),
                },
                // Clients decode dates, times and ids by format: a response
                // format removed or changed can break decoding.
                Side::Response if keyword == "format" => {
                    if o.is_none() {
                        (Class::NonBreaking, rules::RESPONSE_FORMAT)
                    } else {
                        (Class::Breaking, rules::RESPONSE_FORMAT)
                    }
                }
                Side::Response => match direction {
                    Direction::Tightened => (Class::NonBreaking, rules::RESPONSE_CONSTRAINT),
                    Direction::Loosened => (Class::Informational, rules::RESPONSE_CONSTRAINT),
                },
            };
            self.push(class, rule, location, detail);
        }
        let o = ov.keywords.get("default").copied();
        let n = nv.keywords.get("default").copied();
        if side == Side::Request && o != n {
            self.push(
                Class::Informational,
                rules::REQUEST_DEFAULT,
                location,
                format!("default {} -> {}", show_opt(o), show_opt(n)),
            );
        }
    }

    fn enums(&mut self, ov: &SchemaView<'a>, nv: &SchemaView<'a>, side: Side, location: &str) {
        let rule = match side {
            Side::Request => rules::REQUEST_ENUM,
            Side::Response => rules::RESPONSE_ENUM,
        };
        match (ov.enum_values(), nv.enum_values()) {
            (None, None) => {}
            (None, Some(values)) => {
                let class = match side {
                    Side::Request => Class::Breaking,
                    Side::Response => Class::NonBreaking,
                };
                self.push(
                    class,
                    rule,
                    location,
                    format!("enum added {}", show_list(&values)),
                );
            }
            (Some(values), None) => {
                let class = match side {
                    Side::Request => Class::NonBreaking,
                    Side::Response => Class::Informational,
                };
                self.push(
                    class,
                    rule,
                    location,
                    format!("enum removed (was {})", show_list(&values)),
                );
            }
            (Some(old), Some(new)) => {
                for value in old.iter().filter(|v| !new.contains(v)) {
                    let class = match side {
                        Side::Request => Class::Breaking,
                        Side::Response => Class::NonBreaking,
                    };
                    self.push(class, rule, location, format!("enum value {value} removed"));
                }
                for value in new.iter().filter(|v| !old.contains(v)) {
                    let class = match side {
                        Side::Request => Class::NonBreaking,
                        Side::Response => Class::Informational,
                    };
                    self.push(class, rule, location, format!("enum value {value} added"));
                }
            }
        }
    }

    fn properties(
        &mut self,
        ov: &SchemaView<'a>,
        nv: &SchemaView<'a>,
        side: Side,
        place: &str,
        path: &str,
        depth: usize,
    ) {
        let at = |name: &str| {
            let path = format!("{path}.{name}");
            (format!("{place} {path}"), path)
        };
        for (name, _) in nv
            .properties
            .iter()
            .filter(|(n, _)| !ov.properties.contains_key(*n))
        {
            let (location, _) = at(name);
            let required = nv.required.contains(name.as_str());
            let (class, rule, detail) = match side {
                Side::Request if required => (
                    Class::Breaking,
                    rules::REQUEST_PROPERTY_ADDED,
                    "added (required)",
                ),
                Side::Request => (
                    Class::NonBreaking,
                    rules::REQUEST_PROPERTY_ADDED,
                    "added (optional)",
                ),
                Side::Response => (Class::NonBreaking, rules::RESPONSE_PROPERTY_ADDED, "added"),
            };
            self.push(class, rule, &location, detail.to_owned());
        }
        for (name, _) in ov
            .properties
            .iter()
            .filter(|(n, _)| !nv.properties.contains_key(*n))
        {
            let (location, _) = at(name);
            let (class, rule, detail) = match side {
                Side::Request if nv.additional == Some(&Value::Bool(false)) => (
                    Class::Breaking,
                    rules::REQUEST_PROPERTY_REMOVED,
                    "removed (the new document rejects it)",
                ),
                Side::Request => (
                    Class::Informational,
                    rules::REQUEST_PROPERTY_REMOVED,
                    "removed (the server may ignore it)",
                ),
                Side::Response if ov.required.contains(name.as_str()) => (
                    Class::Breaking,
                    rules::RESPONSE_PROPERTY_REMOVED,
                    "removed (was required)",
                ),
                Side::Response => (
                    Class::NonBreaking,
                    rules::RESPONSE_PROPERTY_REMOVED,
                    "removed (was optional)",
                ),
            };
            self.push(class, rule, &location, detail.to_owned());
        }
        let common: Vec<(&String, &'a Value, &'a Value)> = ov
            .properties
            .iter()
            .filter_map(|(name, o)| nv.properties.get(name).map(|n| (*name, *o, *n)))
            .collect();
        for (name, o, n) in common {
            let (location, sub_path) = at(name);
            let was = ov.required.contains(name.as_str());
            let is = nv.required.contains(name.as_str());
            if was != is {
                let (class, rule, detail) = match (side, is) {
                    (Side::Request, true) => (
                        Class::Breaking,
                        rules::REQUEST_PROPERTY_REQUIRED,
                        "now required",
                    ),
                    (Side::Request, false) => (
                        Class::NonBreaking,
                        rules::REQUEST_PROPERTY_REQUIRED,
                        "no longer required",
                    ),
                    (Side::Response, true) => (
                        Class::NonBreaking,
                        rules::RESPONSE_PROPERTY_REQUIRED,
                        "now always present",
                    ),
                    (Side::Response, false) => (
                        Class::Breaking,
                        rules::RESPONSE_PROPERTY_REQUIRED,
                        "now optional (may be absent)",
                    ),
                };
                self.push(class, rule, &location, detail.to_owned());
            }
            self.schema(o, n, side, place, &sub_path, depth + 1);
        }
    }

    fn additional(
        &mut self,
        ov: &SchemaView<'a>,
        nv: &SchemaView<'a>,
        side: Side,
        place: &str,
        path: &str,
        depth: usize,
    ) {
        let forbidden = |v: &SchemaView<'a>| v.additional == Some(&Value::Bool(false));
        let location = if path.is_empty() {
            place.to_owned()
        } else {
            format!("{place} {path}")
        };
        if forbidden(ov) != forbidden(nv) {
            let (class, rule, detail) = match (side, forbidden(nv)) {
                (Side::Request, true) => (
                    Class::Breaking,
                    rules::REQUEST_ADDITIONAL_PROPERTIES,
                    "additional properties no longer allowed",
                ),
                (Side::Request, false) => (
                    Class::NonBreaking,
                    rules::REQUEST_ADDITIONAL_PROPERTIES,
                    "additional properties now allowed",
                ),
                (Side::Response, true) => (
                    Class::NonBreaking,
                    rules::RESPONSE_ADDITIONAL_PROPERTIES,
                    "additional properties no longer sent",
                ),
                (Side::Response, false) => (
                    Class::Informational,
                    rules::RESPONSE_ADDITIONAL_PROPERTIES,
                    "additional properties may now be sent",
                ),
            };
            self.push(class, rule, &location, detail.to_owned());
        }
        if let (Some(o), Some(n)) = (ov.additional, nv.additional)
            && o.is_object()
            && n.is_object()
        {
            self.schema(o, n, side, place, &format!("{path}.*"), depth + 1);
        }
    }

    fn variants(
        &mut self,
        ov: &SchemaView<'a>,
        nv: &SchemaView<'a>,
        side: Side,
        place: &str,
        path: &str,
        depth: usize,
    ) {
        if ov.variants.is_empty() && nv.variants.is_empty() {
            return;
        }
        let keyed = |v: &SchemaView<'a>| -> Vec<(String, &'a Value)> {
            v.variants
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let key = s
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.rsplit('/').next())
                        .map_or_else(|| format!("#{i}"), str::to_owned);
                    (key, *s)
                })
                .collect()
        };
        let old = keyed(ov);
        let new = keyed(nv);
        let location = if path.is_empty() {
            place.to_owned()
        } else {
            format!("{place} {path}")
        };
        let rule = match side {
            Side::Request => rules::REQUEST_VARIANT,
            Side::Response => rules::RESPONSE_VARIANT,
        };
        for (key, _) in old.iter().filter(|(k, _)| !new.iter().any(|(n, _)| n == k)) {
            let class = match side {
                Side::Request => Class::Breaking,
                Side::Response => Class::NonBreaking,
            };
            self.push(class, rule, &location, format!("alternative {key} removed"));
        }
        for (key, _) in new.iter().filter(|(k, _)| !old.iter().any(|(o, _)| o == k)) {
            let class = match side {
                Side::Request => Class::NonBreaking,
                Side::Response => Class::Breaking,
            };
            self.push(class, rule, &location, format!("alternative {key} added"));
        }
        for (key, o) in old.iter().map(|(k, o)| (k, *o)) {
            if let Some(n) = new.iter().find(|(k, _)| k == key).map(|(_, n)| *n) {
                self.schema(o, n, side, place, &format!("{path}<{key}>"), depth + 1);
            }
        }
    }
}

/// A parameter's identity: its location (`query`, `path`, ...) and name.
type ParamKey = (String, String);

/// An operation with the path item that holds it.
struct OpView<'a> {
    item: &'a Value,
    op: &'a Value,
}

/// Every operation of a document by place.
fn operations(doc: &Value) -> BTreeMap<OpKey, OpView<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let item = deref(doc, item);
        for (rank, method) in METHODS.iter().enumerate() {
            if let Some(op) = item.get(*method).filter(|op| op.is_object()) {
                out.insert(
                    OpKey {
                        path: path.clone(),
                        method_rank: rank,
                    },
                    OpView { item, op },
                );
            }
        }
    }
    out
}

/// The parameters an operation takes, path-item ones included, by (location, name).
fn parameters<'a>(doc: &'a Value, op: &OpView<'a>) -> BTreeMap<ParamKey, &'a Value> {
    let mut out = BTreeMap::new();
    for list in [op.item.get("parameters"), op.op.get("parameters")] {
        for param in list.and_then(Value::as_array).into_iter().flatten() {
            let param = deref(doc, param);
            let (Some(location), Some(name)) = (
                param.get("in").and_then(Value::as_str),
                param.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let name = if location == "header" {
                name.to_ascii_lowercase()
            } else {
                name.to_owned()
            };
            out.insert((location.to_owned(), name), param);
        }
    }
    out
}

/// A parameter's effective style and explode flag, defaults filled in.
fn style_of(location: &str, param: &Value) -> (String, bool) {
    let style = param
        .get("style")
        .and_then(Value::as_str)
        .unwrap_or(match location {
            "query" | "cookie" => "form",
            _ => "simple",
        })
        .to_owned();
    let explode = param
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    (style, explode)
}

/// The security alternatives of an operation (its own, else the document's),
/// each as the set of scheme names it needs.
fn requirements(doc: &Value, op: &Value) -> BTreeSet<BTreeSet<String>> {
    let list = op.get("security").or_else(|| doc.get("security"));
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|alt| alt.keys().cloned().collect())
        .collect()
}

/// An object value, or an empty object when the value is missing or not an object.
fn object_or_empty(value: Option<&Value>) -> &Map<String, Value> {
    static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);
    value.and_then(Value::as_object).unwrap_or(&EMPTY)
}

/// Follows `$ref`s (a bounded number of hops); an unresolvable one stays as is.
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..32 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        match resolve(doc, reference) {
            Ok(target) => current = target,
            Err(_) => return current,
        }
    }
    current
}

/// How a constraint keyword bounds values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Larger is looser (`maxLength`, `maximum`, ...).
    Upper,
    /// Smaller is looser (`minLength`, `minimum`, ...).
    Lower,
    /// Any value constrains; removing it loosens (`pattern`, `format`, ...).
    Exact,
    /// `true` constrains (`uniqueItems`).
    Flag,
}

/// The constraint keywords compared, and how each bounds values.
const CONSTRAINTS: &[(&str, Bound)] = &[
    ("format", Bound::Exact),
    ("pattern", Bound::Exact),
    ("minLength", Bound::Lower),
    ("maxLength", Bound::Upper),
    ("minimum", Bound::Lower),
    ("exclusiveMinimum", Bound::Lower),
    ("maximum", Bound::Upper),
    ("exclusiveMaximum", Bound::Upper),
    ("multipleOf", Bound::Exact),
    ("minItems", Bound::Lower),
    ("maxItems", Bound::Upper),
    ("uniqueItems", Bound::Flag),
    ("minProperties", Bound::Lower),
    ("maxProperties", Bound::Upper),
    ("const", Bound::Exact),
];

/// A schema with `$ref`s followed, `allOf` merged and `[T, null]` unions read
/// as nullable `T`.
#[derive(Debug, Default)]
struct SchemaView<'a> {
    /// The `$ref`s followed to get here, outermost first.
    refs: Vec<String>,
    /// Whether `null` is allowed.
    nullable: bool,
    /// The allowed JSON types besides null; `None` means any.
    types: Option<BTreeSet<String>>,
    /// The `anyOf`/`oneOf` alternatives when there are several non-null ones.
    variants: Vec<&'a Value>,
    properties: BTreeMap<&'a String, &'a Value>,
    required: BTreeSet<String>,
    additional: Option<&'a Value>,
    items: Option<&'a Value>,
    keywords: BTreeMap<&'static str, &'a Value>,
}

impl<'a> SchemaView<'a> {
    fn of(doc: &'a Value, schema: &'a Value) -> Self {
        let mut view = SchemaView::default();
        view.add(doc, schema, 0);
        view
    }

    fn add(&mut self, doc: &'a Value, schema: &'a Value, depth: usize) {
        if depth > 32 {
            return;
        }
        let Some(obj) = schema.as_object() else {
            return;
        };
        // The target first; keywords beside the `$ref` (OpenAPI 3.1 allows
        // them, FastAPI writes `default` there) then refine it.
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str)
            && let Ok(target) = resolve(doc, reference)
        {
            self.refs.push(reference.to_owned());
            self.add(doc, target, depth + 1);
        }
        if obj.get("nullable") == Some(&Value::Bool(true)) {
            self.nullable = true;
        }
        match obj.get("type") {
            Some(Value::String(t)) => self.set_types([t.as_str()].into_iter()),
            Some(Value::Array(ts)) => self.set_types(ts.iter().filter_map(Value::as_str)),
            _ => {}
        }
        for key in ["anyOf", "oneOf"] {
            let Some(alternatives) = obj.get(key).and_then(Value::as_array) else {
                continue;
            };
            let (nulls, others): (Vec<&'a Value>, Vec<&'a Value>) = alternatives
                .iter()
                .partition(|alt| is_null_schema(deref(doc, alt)));
            if !nulls.is_empty() {
                self.nullable = true;
            }
            if let [only] = others.as_slice() {
                self.add(doc, only, depth + 1);
            } else {
                self.variants.extend(others);
            }
        }
        for part in obj
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.add(doc, part, depth + 1);
        }
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            self.properties.extend(props.iter());
        }
        if let Some(required) = obj.get("required").and_then(Value::as_array) {
            self.required
                .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(additional) = obj.get("additionalProperties") {
            self.additional = Some(additional);
        }
        if let Some(items) = obj.get("items") {
            self.items = Some(items);
        }
        for &(keyword, _) in CONSTRAINTS {
            if let Some(value) = obj.get(keyword) {
                self.keywords.insert(keyword, value);
            }
        }
        for keyword in ["enum", "default"] {
            if let Some(value) = obj.get(keyword) {
                self.keywords.insert(keyword, value);
            }
        }
    }

    /// Records a `type` keyword; `null` becomes nullability, and several
    /// `type`s met through `allOf` intersect.
    fn set_types<'t>(&mut self, types: impl Iterator<Item = &'t str>) {
        let mut set = BTreeSet::new();
        for t in types {
            if t == "null" {
                self.nullable = true;
            } else {
                set.insert(t.to_owned());
            }
        }
        self.types = Some(match self.types.take() {
            None => set,
            Some(existing) => existing.intersection(&set).cloned().collect(),
        });
    }

    /// The enum values (without `null`, which is nullability), rendered as JSON.
    fn enum_values(&self) -> Option<Vec<String>> {
        self.keywords
            .get("enum")
            .and_then(|v| v.as_array())
            .map(|values| {
                values
                    .iter()
                    .filter(|v| !v.is_null())
                    .map(Value::to_string)
                    .collect()
            })
    }
}

/// Whether a schema only allows `null`.
fn is_null_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().all(|t| t == "null"),
        _ => {
            schema.get("const") == Some(&Value::Null)
                && schema.as_object().is_some_and(|o| o.len() == 1)
        }
    }
}

/// Whether every value of type set `inner` is allowed by `outer` (integers are numbers).
fn types_within(inner: &Option<BTreeSet<String>>, outer: &Option<BTreeSet<String>>) -> bool {
    match (inner, outer) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(inner), Some(outer)) => inner
            .iter()
            .all(|t| outer.contains(t) || (t == "integer" && outer.contains("number"))),
    }
}

fn show_types(types: &Option<BTreeSet<String>>) -> String {
    match types {
        None => "any".to_owned(),
        Some(set) if set.is_empty() => "null".to_owned(),
        Some(set) => set.iter().cloned().collect::<Vec<_>>().join("|"),
    }
}

fn show_opt(value: Option<&Value>) -> String {
    value.map_or_else(|| "none".to_owned(), Value::to_string)
}

fn show_list(values: &[String]) -> String {
    format!("[{}]", values.join(", "))
}

#[cfg(test)]
mod tests;
