//! Schemas: the walk through two schemas at one place (a parameter, a request
//! body, a response), and the rules of types, nullability, constraints,
//! enums, properties, additional properties and alternatives, each classed by
//! the side the data flows (the client writes requests and reads responses).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Class, Differ, MAX_DEPTH, Side, at, rules};
use crate::openapi::{is_null_schema, is_nullable, lookup_ref};

/// Whether a constraint change accepts fewer or more values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Tightened,
    Loosened,
}

impl<'a> Differ<'a> {
    /// Compares two schemas at `place` (e.g. `request body`) and `path`
    /// (e.g. `.config.name`).
    pub(super) fn schema(
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
        let location = at(place, path);
        // A change met inside a named schema of the old document belongs to
        // the SDK type generated from it (the new document's name for it may
        // differ; names do not travel on the wire).
        let named = ov
            .refs
            .last()
            .and_then(|reference| reference.rsplit('/').next())
            .map(|name| (name.to_owned(), location.clone()));
        let scoped = named.is_some();
        if let Some(scope) = named {
            self.scope.push(scope);
        }
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
        if scoped {
            self.scope.pop();
        }
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
            Side::Request if widened => (Class::Behind, rules::REQUEST_TYPE),
            Side::Request => (Class::Breaking, rules::REQUEST_TYPE),
            Side::Response if narrowed => (Class::Behind, rules::RESPONSE_TYPE),
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
            (Side::Request, true) => (Class::Behind, rules::REQUEST_NULLABLE, "null now allowed"),
            (Side::Request, false) => (
                Class::Breaking,
                rules::REQUEST_NULLABLE,
                "null no longer allowed",
            ),
            (Side::Response, true) => {
                (Class::Breaking, rules::RESPONSE_NULLABLE, "may now be null")
            }
            (Side::Response, false) => (Class::Behind, rules::RESPONSE_NULLABLE, "no longer null"),
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
                    Direction::Loosened => (Class::Behind, rules::REQUEST_CONSTRAINT_LOOSENED),
                },
                // Clients decode dates, times and ids by format: a response
                // format removed or changed can break decoding.
                Side::Response if keyword == "format" => {
                    if o.is_none() {
                        (Class::Behind, rules::RESPONSE_FORMAT)
                    } else {
                        (Class::Breaking, rules::RESPONSE_FORMAT)
                    }
                }
                Side::Response => match direction {
                    Direction::Tightened => (Class::None, rules::RESPONSE_CONSTRAINT),
                    Direction::Loosened => (Class::None, rules::RESPONSE_CONSTRAINT),
                },
            };
            self.push(class, rule, location, detail);
        }
        let o = ov.keywords.get("default").copied();
        let n = nv.keywords.get("default").copied();
        if side == Side::Request && o != n {
            self.push(
                Class::None,
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
                    Side::Response => Class::Behind,
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
                    Side::Request => Class::Behind,
                    Side::Response => Class::None,
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
                        Side::Response => Class::None,
                    };
                    self.push(class, rule, location, format!("enum value {value} removed"));
                }
                for value in new.iter().filter(|v| !old.contains(v)) {
                    let class = Class::Behind;
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
        let of = |name: &str| {
            let path = format!("{path}.{name}");
            (at(place, &path), path)
        };
        let renames = self.likely_renames(ov, nv);
        let renamed_to = |old: &str| {
            renames
                .iter()
                .find(|(from, _)| from == old)
                .map(|(_, to)| format!("; likely renamed to `{to}`"))
                .unwrap_or_default()
        };
        let renamed_from = |new: &str| {
            renames
                .iter()
                .find(|(_, to)| to == new)
                .map(|(from, _)| format!("; likely the new name of `{from}`"))
                .unwrap_or_default()
        };
        for (name, _) in nv
            .properties
            .iter()
            .filter(|(n, _)| !ov.properties.contains_key(*n))
        {
            let (location, _) = of(name);
            let required = nv.required.contains(name.as_str());
            let (class, rule, detail) = match side {
                Side::Request if required => (
                    Class::Breaking,
                    rules::REQUEST_PROPERTY_ADDED,
                    "added (required)",
                ),
                Side::Request => (
                    Class::Behind,
                    rules::REQUEST_PROPERTY_ADDED,
                    "added (optional)",
                ),
                Side::Response => (Class::Behind, rules::RESPONSE_PROPERTY_ADDED, "added"),
            };
            self.push(
                class,
                rule,
                &location,
                format!("{detail}{}", renamed_from(name)),
            );
        }
        for (name, _) in ov
            .properties
            .iter()
            .filter(|(n, _)| !nv.properties.contains_key(*n))
        {
            let (location, _) = of(name);
            let (class, rule, detail) = match side {
                Side::Request if nv.additional == Some(&Value::Bool(false)) => (
                    Class::Breaking,
                    rules::REQUEST_PROPERTY_REMOVED,
                    "removed (the new document rejects it)",
                ),
                // An open schema accepts the property, but the server does
                // not read it: FastAPI drops unknown fields, so what the
                // client sends is lost without an error. A rename is this
                // removal plus an addition.
                Side::Request => (
                    Class::Breaking,
                    rules::REQUEST_PROPERTY_REMOVED,
                    "removed (a value sent for it is dropped)",
                ),
                Side::Response if ov.required.contains(name.as_str()) => (
                    Class::Breaking,
                    rules::RESPONSE_PROPERTY_REMOVED,
                    "removed (was required)",
                ),
                // Decoding still succeeds, but the client's field is `None`
                // from now on: a value it relied on is gone for good.
                Side::Response => (
                    Class::Breaking,
                    rules::RESPONSE_PROPERTY_REMOVED,
                    "removed (was optional; now always absent)",
                ),
            };
            self.push(
                class,
                rule,
                &location,
                format!("{detail}{}", renamed_to(name)),
            );
        }
        let common: Vec<(&String, &'a Value, &'a Value)> = ov
            .properties
            .iter()
            .filter_map(|(name, o)| nv.properties.get(name).map(|n| (*name, *o, *n)))
            .collect();
        for (name, o, n) in common {
            let (location, sub_path) = of(name);
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
                        Class::Behind,
                        rules::REQUEST_PROPERTY_REQUIRED,
                        "no longer required",
                    ),
                    (Side::Response, true) => (
                        Class::Behind,
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

    /// Pairs of (removed, added) property names at one place whose schemas
    /// have the same shape: most likely one property under a new name. Each
    /// name pairs at most once, in name order.
    fn likely_renames(&self, ov: &SchemaView<'a>, nv: &SchemaView<'a>) -> Vec<(String, String)> {
        let removed = ov
            .properties
            .iter()
            .filter(|(n, _)| !nv.properties.contains_key(*n));
        let mut added: Vec<(&String, String)> = nv
            .properties
            .iter()
            .filter(|(n, _)| !ov.properties.contains_key(*n))
            .map(|(n, s)| (*n, SchemaView::of(self.new, s).shape()))
            .collect();
        let mut pairs = Vec::new();
        for (name, schema) in removed {
            let shape = SchemaView::of(self.old, schema).shape();
            if let Some(at) = added.iter().position(|(_, s)| *s == shape) {
                let (to, _) = added.remove(at);
                pairs.push(((*name).clone(), to.clone()));
            }
        }
        pairs
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
        let location = at(place, path);
        if forbidden(ov) != forbidden(nv) {
            let (class, rule, detail) = match (side, forbidden(nv)) {
                (Side::Request, true) => (
                    Class::Breaking,
                    rules::REQUEST_ADDITIONAL_PROPERTIES,
                    "additional properties no longer allowed",
                ),
                (Side::Request, false) => (
                    Class::Behind,
                    rules::REQUEST_ADDITIONAL_PROPERTIES,
                    "additional properties now allowed",
                ),
                (Side::Response, true) => (
                    Class::None,
                    rules::RESPONSE_ADDITIONAL_PROPERTIES,
                    "additional properties no longer sent",
                ),
                (Side::Response, false) => (
                    Class::Behind,
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
        // Alternatives are matched by their shape, never by a schema name
        // (which does not travel on the wire); the label is the old
        // document's name, or the position.
        let keyed = |doc: &'a Value, v: &SchemaView<'a>| -> Vec<(String, String, &'a Value)> {
            v.variants
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let label = s
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.rsplit('/').next())
                        .map_or_else(|| format!("#{i}"), str::to_owned);
                    (SchemaView::of(doc, s).shape(), label, *s)
                })
                .collect()
        };
        let old: Vec<(String, String, &'a Value)> = keyed(self.old, ov);
        let new: Vec<(String, String, &'a Value)> = keyed(self.new, nv);
        let location = at(place, path);
        let rule = match side {
            Side::Request => rules::REQUEST_VARIANT,
            Side::Response => rules::RESPONSE_VARIANT,
        };
        // Pair the same shape first (a renamed schema), then the same
        // label (one alternative that changed inside, compared below).
        let mut unpaired: Vec<usize> = (0..new.len()).collect();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut lonely: Vec<usize> = Vec::new();
        for (i, (shape, _, _)) in old.iter().enumerate() {
            match unpaired.iter().position(|&j| new[j].0 == *shape) {
                Some(at) => pairs.push((i, unpaired.remove(at))),
                None => lonely.push(i),
            }
        }
        lonely.retain(
            |&i| match unpaired.iter().position(|&j| new[j].1 == old[i].1) {
                Some(at) => {
                    pairs.push((i, unpaired.remove(at)));
                    false
                }
                None => true,
            },
        );
        for i in lonely {
            let class = match side {
                Side::Request => Class::Breaking,
                Side::Response => Class::None,
            };
            let label = &old[i].1;
            self.push(
                class,
                rule,
                &location,
                format!("alternative {label} removed"),
            );
        }
        for j in unpaired {
            let class = match side {
                Side::Request => Class::Behind,
                Side::Response => Class::Breaking,
            };
            let label = &new[j].1;
            self.push(class, rule, &location, format!("alternative {label} added"));
        }
        for (i, j) in pairs {
            let label = old[i].1.clone();
            self.schema(
                old[i].2,
                new[j].2,
                side,
                place,
                &format!("{path}<{label}>"),
                depth + 1,
            );
        }
    }
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
pub(super) struct SchemaView<'a> {
    /// The `$ref`s followed to get here, outermost first.
    refs: Vec<String>,
    /// Whether `null` is allowed.
    nullable: bool,
    /// The allowed JSON types besides null; `None` means any.
    types: Option<BTreeSet<String>>,
    /// The `anyOf`/`oneOf` alternatives when there are several non-null ones.
    variants: Vec<&'a Value>,
    pub(super) properties: BTreeMap<&'a String, &'a Value>,
    required: BTreeSet<String>,
    additional: Option<&'a Value>,
    pub(super) items: Option<&'a Value>,
    keywords: BTreeMap<&'static str, &'a Value>,
}

impl<'a> SchemaView<'a> {
    pub(super) fn of(doc: &'a Value, schema: &'a Value) -> Self {
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
            && let Some(target) = lookup_ref(doc, reference)
        {
            self.refs.push(reference.to_owned());
            self.add(doc, target, depth + 1);
        }
        // `nullable: true`, `type: [T, "null"]` and an `anyOf`/`oneOf` null
        // branch all read the same (the `$ref` target, added above, again).
        if is_nullable(doc, schema) {
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
            let others: Vec<&'a Value> = alternatives
                .iter()
                .filter(|alt| !is_null_schema(doc, alt))
                .collect();
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

    /// What a schema looks like on the wire, ignoring names: its types,
    /// nullability, property names, item types and enum values. Two schemas
    /// of one shape are the same thing to a client, whatever they are called.
    fn shape(&self) -> String {
        let properties: Vec<&str> = self.properties.keys().map(|k| k.as_str()).collect();
        format!(
            "{}|{}|{}|{}|{:?}",
            show_types(&self.types),
            self.nullable,
            properties.join(","),
            self.items.is_some(),
            self.enum_values()
        )
    }

    /// Records a `type` keyword without `null` (which is nullability); several
    /// `type`s met through `allOf` intersect.
    fn set_types<'t>(&mut self, types: impl Iterator<Item = &'t str>) {
        let set: BTreeSet<String> = types.filter(|t| *t != "null").map(str::to_owned).collect();
        self.types = Some(match self.types.take() {
            None => set,
            Some(existing) => existing.intersection(&set).cloned().collect(),
        });
    }

    /// The enum values (without `null`, which is nullability), rendered as JSON.
    pub(super) fn enum_values(&self) -> Option<Vec<String>> {
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
