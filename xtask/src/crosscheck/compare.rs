//! Comparing one document schema with one client schema, field by field.
//!
//! Each side is a schema plus the root its `$ref`s resolve in: the whole
//! document for the document's side, the model's own schema (with its
//! `$defs`) for the client's. Both come from FastAPI and pydantic, so the
//! same spellings meet: `anyOf: [X, {type: null}]` for nullable values,
//! `$ref` for named models, `additionalProperties` for maps.
//!
//! What counts as a disagreement is what changes the bytes either side
//! accepts: a property one side lacks, another type or shape, nullability,
//! enum values, required-ness and limits. An unconstrained side (`{}`, or an
//! object with no declared fields) accepts anything and disagrees with
//! nothing; formats are compared only when both sides name one.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use pi_contract::openapi::{deref, is_null_schema, is_nullable};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kinds of disagreement, by the name the reviewed files use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    /// A property (or query parameter) the client has and the document lacks.
    OnlyInClient,
    /// A property (or required query parameter) the document has and the client lacks.
    OnlyInDocument,
    /// Another type or shape: string against object, integer against number,
    /// a map against fields, other formats or union members.
    Type,
    /// One side allows `null`, the other does not.
    Nullable,
    /// The enum values differ, or only one side restricts the values.
    Enum,
    /// Required on one side, optional on the other.
    Required,
    /// Length, range, size or pattern limits differ.
    Limits,
}

impl Kind {
    /// Every kind, in report order.
    pub(crate) const ALL: [Kind; 7] = [
        Kind::OnlyInClient,
        Kind::OnlyInDocument,
        Kind::Type,
        Kind::Nullable,
        Kind::Enum,
        Kind::Required,
        Kind::Limits,
    ];

    /// The name the reviewed files and the report use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::OnlyInClient => "only-in-client",
            Kind::OnlyInDocument => "only-in-document",
            Kind::Type => "type",
            Kind::Nullable => "nullable",
            Kind::Enum => "enum",
            Kind::Required => "required",
            Kind::Limits => "limits",
        }
    }
}

/// One disagreement inside a pair: where, what kind, and each side's word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The field path from the pair's root: `start_command`,
    /// `volumes[].name`, `labels.*`, `?page`; `.` for the root itself.
    pub(crate) field: String,
    pub(crate) kind: Kind,
    /// What the document says, in a few words.
    pub(crate) document: String,
    /// What the client says, in a few words.
    pub(crate) client: String,
}

/// A schema and the root its `$ref`s resolve in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Side<'a> {
    pub(crate) root: &'a Value,
    pub(crate) schema: &'a Value,
}

/// Every disagreement between the document's and the client's schema.
/// Below the root, a document schema and a client model that are paired on
/// their own (`compared_alone`: schema name, class name) are not walked
/// again.
pub(crate) fn compare(
    document: Side<'_>,
    client: Side<'_>,
    compared_alone: &BTreeSet<(String, String)>,
) -> Vec<Finding> {
    let mut walker = Walker {
        doc_root: document.root,
        client_root: client.root,
        compared_alone,
        open: BTreeSet::new(),
        out: Vec::new(),
    };
    walker.walk("", document.schema, client.schema);
    walker.out
}

/// Limit keywords, compared one by one.
const LIMITS: [&str; 11] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// How deep a walk goes before it stops: far deeper than any real payload.
const MAX_DEPTH: usize = 32;

/// The walk over both schemas at once.
struct Walker<'a> {
    doc_root: &'a Value,
    client_root: &'a Value,
    compared_alone: &'a BTreeSet<(String, String)>,
    /// The pairs of object schemas being compared on the current path, so a
    /// recursive model is walked once.
    open: BTreeSet<(usize, usize)>,
    out: Vec<Finding>,
}

/// The shape of a schema once `null` is set aside.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// Accepts anything: `{}`, or an object without declared fields.
    Any,
    /// `string`, `integer`, `number` or `boolean`.
    Scalar(String),
    Array,
    /// An object with declared fields.
    Object,
    /// An object whose values all follow one schema.
    Map,
    /// Several alternatives, described.
    Union(BTreeSet<String>),
}

impl Walker<'_> {
    fn push(&mut self, field: &str, kind: Kind, document: String, client: String) {
        let field = if field.is_empty() { "." } else { field };
        self.out.push(Finding {
            field: field.to_owned(),
            kind,
            document,
            client,
        });
    }

    fn walk(&mut self, field: &str, doc: &Value, client: &Value) {
        if self.open.len() > MAX_DEPTH {
            return;
        }
        if !field.is_empty()
            && let (Some(schema), Some(class)) = (
                ref_name(self.doc_root, doc),
                ref_name(self.client_root, client),
            )
            && self.compared_alone.contains(&(schema, class))
        {
            return;
        }
        let (doc_nullable, client_nullable) = (
            is_nullable(self.doc_root, doc),
            is_nullable(self.client_root, client),
        );
        let d = without_null(self.doc_root, doc);
        let c = without_null(self.client_root, client);
        if doc_nullable != client_nullable {
            let word = |nullable: bool| if nullable { "nullable" } else { "not nullable" };
            self.push(
                field,
                Kind::Nullable,
                word(doc_nullable).into(),
                word(client_nullable).into(),
            );
        }
        let (doc_shape, client_shape) = (shape(self.doc_root, &d), shape(self.client_root, &c));
        match (&doc_shape, &client_shape) {
            (Shape::Any, _) | (_, Shape::Any) => {}
            (Shape::Scalar(a), Shape::Scalar(b)) if a == b => {
                self.compare_formats(field, &d, &c);
                self.compare_enums(field, &d, &c);
                self.compare_limits(field, &d, &c);
            }
            (Shape::Array, Shape::Array) => {
                self.compare_limits(field, &d, &c);
                if let (Some(di), Some(ci)) = (d.get("items"), c.get("items")) {
                    self.walk(&format!("{field}[]"), di, ci);
                }
            }
            (Shape::Map, Shape::Map) => {
                if let (Some(dv), Some(cv)) =
                    (d.get("additionalProperties"), c.get("additionalProperties"))
                {
                    self.walk(&format!("{field}.*"), dv, cv);
                }
            }
            (Shape::Object, Shape::Object) => self.compare_objects(field, &d, &c),
            (Shape::Union(a), Shape::Union(b)) if a == b => {}
            _ => self.push(
                field,
                Kind::Type,
                describe(self.doc_root, doc),
                describe(self.client_root, client),
            ),
        }
    }

    fn compare_objects(&mut self, field: &str, doc: &Value, client: &Value) {
        let key = (
            std::ptr::from_ref(doc) as usize,
            std::ptr::from_ref(client) as usize,
        );
        if !self.open.insert(key) {
            return;
        }
        let (doc_props, client_props) = (properties(doc), properties(client));
        let (doc_required, client_required) = (required(doc), required(client));
        let names: BTreeSet<&str> = doc_props
            .keys()
            .chain(client_props.keys())
            .copied()
            .collect();
        let word = |required: bool| if required { "required" } else { "optional" };
        for name in names {
            let path = if field.is_empty() {
                name.to_owned()
            } else {
                format!("{field}.{name}")
            };
            let (in_doc, in_client) = (doc_required.contains(name), client_required.contains(name));
            match (doc_props.get(name), client_props.get(name)) {
                (Some(d), Some(c)) => {
                    if in_doc != in_client {
                        self.push(
                            &path,
                            Kind::Required,
                            word(in_doc).into(),
                            word(in_client).into(),
                        );
                    }
                    self.walk(&path, d, c);
                }
                (Some(d), None) => {
                    let document = format!("{} {}", word(in_doc), describe(self.doc_root, d));
                    self.push(&path, Kind::OnlyInDocument, document, "absent".into());
                }
                (None, Some(c)) => {
                    let client = format!("{} {}", word(in_client), describe(self.client_root, c));
                    self.push(&path, Kind::OnlyInClient, "absent".into(), client);
                }
                (None, None) => {}
            }
        }
        self.open.remove(&key);
    }

    fn compare_formats(&mut self, field: &str, doc: &Value, client: &Value) {
        if let (Some(d), Some(c)) = (doc.get("format"), client.get("format"))
            && d != c
        {
            self.push(
                field,
                Kind::Type,
                describe(self.doc_root, doc),
                describe(self.client_root, client),
            );
        }
    }

    fn compare_enums(&mut self, field: &str, doc: &Value, client: &Value) {
        let (d, c) = (enum_values(doc), enum_values(client));
        let (document, client) = match (&d, &c) {
            (None, None) => return,
            (Some(d), Some(c)) if d == c => return,
            (Some(d), Some(c)) => (only(d, c), only(c, d)),
            (Some(d), None) => (list(d), "any value".to_owned()),
            (None, Some(c)) => ("any value".to_owned(), list(c)),
        };
        self.push(field, Kind::Enum, document, client);
    }

    fn compare_limits(&mut self, field: &str, doc: &Value, client: &Value) {
        let differing: Vec<&str> = LIMITS
            .into_iter()
            .filter(|keyword| !same_number_or_value(doc.get(*keyword), client.get(*keyword)))
            .collect();
        if !differing.is_empty() {
            self.push(
                field,
                Kind::Limits,
                limits(doc, &differing),
                limits(client, &differing),
            );
        }
    }
}

/// `schema` after its `$ref`s, with the `null` alternative set aside:
/// `anyOf: [X, null]` is `X`, `type: [string, null]` is `type: string`.
fn without_null<'a>(root: &'a Value, schema: &'a Value) -> Cow<'a, Value> {
    let schema = deref(root, schema);
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return without_null(root, only);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let kept: Vec<&Value> = branches
                .iter()
                .filter(|b| !is_null_schema(root, b))
                .collect();
            if let [only] = kept.as_slice() {
                return without_null(root, only);
            }
            if kept.len() < branches.len() {
                let mut copy = schema.clone();
                copy[key] = Value::Array(kept.into_iter().cloned().collect());
                return Cow::Owned(copy);
            }
        }
    }
    if let Some(types) = schema.get("type").and_then(Value::as_array) {
        let kept: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
        if kept.len() < types.len() {
            let mut copy = schema.clone();
            copy["type"] = match kept.as_slice() {
                [one] => (*one).clone(),
                _ => Value::Array(kept.into_iter().cloned().collect()),
            };
            return Cow::Owned(copy);
        }
    }
    Cow::Borrowed(schema)
}

/// The shape of a schema that has no `null` alternative left.
fn shape(root: &Value, schema: &Value) -> Shape {
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            return Shape::Union(branches.iter().map(|b| describe(root, b)).collect());
        }
    }
    let declared = match schema.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(ts)) => {
            return Shape::Union(
                ts.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            );
        }
        _ => None,
    };
    let inferred = declared.or_else(|| enum_type(schema)).or_else(|| {
        if schema.get("properties").is_some() {
            Some("object".to_owned())
        } else if schema.get("items").is_some() {
            Some("array".to_owned())
        } else {
            None
        }
    });
    match inferred.as_deref() {
        None => Shape::Any,
        Some("array") => Shape::Array,
        Some("object") => {
            if !properties(schema).is_empty() {
                Shape::Object
            } else if schema
                .get("additionalProperties")
                .is_some_and(Value::is_object)
            {
                Shape::Map
            } else {
                Shape::Any
            }
        }
        Some(other) => Shape::Scalar(other.to_owned()),
    }
}

/// The JSON type an untyped `enum` or `const` implies, when all its values agree.
fn enum_type(schema: &Value) -> Option<String> {
    let values: Vec<&Value> = match (schema.get("enum"), schema.get("const")) {
        (Some(Value::Array(values)), _) => values.iter().collect(),
        (_, Some(value)) => vec![value],
        _ => return None,
    };
    let types: BTreeSet<&str> = values
        .iter()
        .map(|v| match v {
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_f64() => "number",
            Value::Number(_) => "integer",
            _ => "other",
        })
        .collect();
    match types.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if *one != "other" => Some((*one).to_owned()),
        _ => None,
    }
}

/// The allowed values of an `enum` or `const`, each as it is shown: a
/// string as itself, anything else as its JSON.
fn enum_values(schema: &Value) -> Option<BTreeSet<String>> {
    let shown = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(values.iter().map(shown).collect());
    }
    schema
        .get("const")
        .map(|value| BTreeSet::from([shown(value)]))
}

/// The values of `these` that `those` lacks, listed; `none` when there are none.
fn only(these: &BTreeSet<String>, those: &BTreeSet<String>) -> String {
    let missing: BTreeSet<String> = these.difference(those).cloned().collect();
    if missing.is_empty() {
        "no other values".to_owned()
    } else {
        format!("also {}", list(&missing))
    }
}

/// A set of values, comma-separated.
fn list(values: &BTreeSet<String>) -> String {
    values
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether two limit values say the same, `1` and `1.0` alike.
fn same_number_or_value(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// One side's `keywords`, as shown: `minLength 1, no maxLength`; `none`
/// when the side has none of them, so a reviewed rule can name that case.
fn limits(schema: &Value, keywords: &[&str]) -> String {
    if keywords
        .iter()
        .all(|keyword| schema.get(*keyword).is_none())
    {
        return "none".to_owned();
    }
    keywords
        .iter()
        .map(|keyword| match schema.get(*keyword) {
            Some(value) => format!("{keyword} {value}"),
            None => format!("no {keyword}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The declared properties of an object schema, by name.
fn properties(schema: &Value) -> BTreeMap<&str, &Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| props.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

/// The names an object schema requires.
fn required(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A schema in a few words: `string`, `string (date-time)`, `object
/// StartCommand`, `array of string`, `map of integer`, `one of A | B`, with
/// `, nullable` when it allows `null`.
pub(crate) fn describe(root: &Value, schema: &Value) -> String {
    describe_depth(root, schema, 0)
}

fn describe_depth(root: &Value, schema: &Value, depth: usize) -> String {
    if depth > 3 {
        return "…".to_owned();
    }
    let named = ref_name(root, schema);
    let inner = without_null(root, schema);
    let text = match shape(root, &inner) {
        Shape::Any => named.map_or_else(
            || "any value".to_owned(),
            |name| format!("any value {name}"),
        ),
        Shape::Scalar(kind) => {
            let mut text = kind;
            if let Some(format) = inner.get("format").and_then(Value::as_str) {
                text = format!("{text} ({format})");
            }
            if let Some(values) = enum_values(&inner) {
                text = format!("{text} enum {}", named.unwrap_or_else(|| list(&values)));
            }
            text
        }
        Shape::Array => {
            let items = inner.get("items").map_or_else(
                || "any value".to_owned(),
                |items| describe_depth(root, items, depth + 1),
            );
            format!("array of {items}")
        }
        Shape::Object => named.map_or_else(|| "object".to_owned(), |name| format!("object {name}")),
        Shape::Map => {
            let values = inner.get("additionalProperties").map_or_else(
                || "any value".to_owned(),
                |values| describe_depth(root, values, depth + 1),
            );
            format!("map of {values}")
        }
        Shape::Union(members) => format!(
            "one of {}",
            members.into_iter().collect::<Vec<_>>().join(" | ")
        ),
    };
    if is_nullable(root, schema) {
        format!("{text}, nullable")
    } else {
        text
    }
}

/// The name of the model a schema refers to, through a nullable wrapper:
/// the last token of its `$ref`.
fn ref_name(root: &Value, schema: &Value) -> Option<String> {
    let reference = schema.get("$ref").and_then(Value::as_str).or_else(|| {
        ["anyOf", "oneOf", "allOf"].iter().find_map(|key| {
            let branches = schema.get(*key)?.as_array()?;
            let kept: Vec<&Value> = branches
                .iter()
                .filter(|b| !is_null_schema(root, b))
                .collect();
            match kept.as_slice() {
                [only] => only.get("$ref").and_then(Value::as_str),
                _ => None,
            }
        })
    })?;
    reference.rsplit('/').next().map(str::to_owned)
}
