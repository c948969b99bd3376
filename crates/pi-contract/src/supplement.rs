//! The project's supplement to the published document: operations the
//! official clients call that the PI API's OpenAPI document lacks, and
//! amendments to places where that document is out of date, each with its
//! provenance (`x-pi-source`, such as `"prime-sandboxes 0.5.1"`).
//!
//! [`merge`] lays a supplement over a published document under rules that
//! keep the two apart: an added operation that the published document
//! already has (same method and path shape) and an added schema whose name
//! it uses keep the published description (and are listed), and an
//! amendment must name a place that exists (or, to add a property, whose
//! parent exists) and records what it replaces there (`replaces`, absent
//! when it adds the place). An amendment whose place the published document
//! has since changed (its value is no longer what the amendment replaced)
//! yields to the published value and is listed in
//! [`Merged::overtaken`], as an operation the document now describes is.
//! Every added
//! operation and amended place keeps its `x-pi-source`, so a report can say
//! where it comes from. When the published document catches up with an
//! added operation, the merge does not fail: it keeps the published
//! description and lists the operation in [`Merged::now_documented`], for
//! the drift tools to compare the two.
//!
//! ```
//! use serde_json::json;
//!
//! let published = json!({"openapi": "3.1.0", "paths": {
//!     "/v1/things/{id}": {"get": {"operationId": "get_thing", "responses": {}}}
//! }, "components": {"schemas": {"Thing": {"type": "object", "properties": {"n": {"type": "string"}}}}}});
//! let supplement = json!({"openapi": "3.1.0", "paths": {
//!     "/v1/things:batchGet": {"post": {"operationId": "batch_get_things",
//!         "x-pi-source": "prime 0.18.0", "responses": {}}}
//! }, "x-pi-amendments": [{
//!     "place": "/components/schemas/Thing/properties/n",
//!     "value": {"type": "integer"},
//!     "replaces": {"type": "string"},
//!     "x-pi-source": "prime 0.18.0"
//! }]});
//! let merged = pi_contract::supplement::merge(&published, &supplement)?;
//! assert_eq!(merged.added.len(), 1);
//! assert_eq!(merged.document["components"]["schemas"]["Thing"]["properties"]["n"]["type"], "integer");
//! # Ok::<(), pi_contract::supplement::MergeError>(())
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::diff::wire_shape;
use crate::openapi::{METHODS, unescape_pointer};

/// The project's supplement as released with this crate: a byte-identical
/// copy of the repository's `spec/supplement/openapi.json`, written by
/// `cargo xtask codegen`. [`crate::Spec::contract`] lays it over the
/// published document.
pub const SUPPLEMENT_DOCUMENT: &str = include_str!("../spec/supplement/openapi.json");

/// The key of an operation's or amendment's provenance.
pub const SOURCE: &str = "x-pi-source";

/// The key of the supplement's list of amendments.
pub const AMENDMENTS: &str = "x-pi-amendments";

/// The key of an amendment's record of the published value it replaces
/// (absent when the amendment adds its place).
pub const REPLACES: &str = "replaces";

/// The key under which a merged document lists its amended places (each
/// `{"place", "x-pi-source"}`), so a report on the merged document alone can
/// say where each amended field comes from.
pub const AMENDED: &str = "x-pi-amended";

/// The key of an operation's families of query parameters named by a
/// prefix, which OpenAPI cannot describe: `{"context.": {"type": "string"}}`
/// says the operation takes any number of `context.<key>=<value>`
/// parameters, each value holding to that schema (the traces service's
/// context filters).
pub const QUERY_PREFIXES: &str = "x-pi-query-prefixes";

/// The key of the supplement's list of groups of operations it does not
/// describe yet: `[{"group": "training", "operations": 19}, ...]`.
pub const PENDING: &str = "x-pi-pending";

/// The groups of operations the official clients call beyond the
/// published document that `supplement` does not describe yet, with their
/// counts: what the contract report lists as not yet covered.
#[must_use]
pub fn pending(supplement: &Value) -> Vec<(String, usize)> {
    supplement
        .get(PENDING)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|group| {
            let name = group.get("group")?.as_str()?.to_owned();
            let count = usize::try_from(group.get("operations")?.as_u64()?).ok()?;
            Some((name, count))
        })
        .collect()
}

/// The amended places a merged document lists ([`AMENDED`]), in the
/// supplement's order.
#[must_use]
pub fn amended_places(merged: &Value) -> Vec<Amendment> {
    merged
        .get(AMENDED)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            Some(Amendment {
                place: entry.get("place")?.as_str()?.to_owned(),
                source: source_of(entry)?,
            })
        })
        .collect()
}

/// [`pending`] of the supplement released with this crate.
#[must_use]
pub fn embedded_pending() -> Vec<(String, usize)> {
    serde_json::from_str::<Value>(SUPPLEMENT_DOCUMENT)
        .map(|supplement| pending(&supplement))
        .unwrap_or_default()
}

/// An operation by method and path, as the supplement adds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SuppliedOperation {
    /// The method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Its operation id.
    pub operation_id: String,
    /// The official client (and version) it was observed in.
    pub source: String,
}

/// A place of the published document the supplement changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    /// A JSON pointer into the published document.
    pub place: String,
    /// The official client (and version) whose shape the amendment takes.
    pub source: String,
}

/// An amendment whose place the published document has changed since the
/// amendment was written: the published value is kept, and the drift tools
/// compare it with the amendment's.
#[derive(Debug, Clone, PartialEq)]
pub struct Overtaken {
    /// The amendment.
    pub amendment: Amendment,
    /// The value the amendment would have put there.
    pub value: Value,
    /// What the published document has there now (`None`: the place is gone).
    pub published: Option<Value>,
}

/// A published document with a supplement laid over it.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged document.
    pub document: Value,
    /// The operations the supplement added.
    pub added: Vec<SuppliedOperation>,
    /// The places the supplement amended.
    pub amended: Vec<Amendment>,
    /// Supplement operations the published document now describes itself
    /// (same method and path shape): kept as published, listed for the
    /// drift tools, with the supplement's own description beside it.
    pub now_documented: Vec<(SuppliedOperation, Value)>,
    /// Supplement schemas whose names the published document now uses with
    /// another shape: the published one is kept (a published document that
    /// took over a supplement operation brings its schemas along).
    pub schemas_now_published: Vec<String>,
    /// Amendments whose place the published document changed since they
    /// were written (its value is not the one they replace): the published
    /// value is kept.
    pub overtaken: Vec<Overtaken>,
}

/// Why a supplement cannot be laid over a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// An operation or amendment without its provenance.
    #[error("{what} has no `x-pi-source` naming the official client it was observed in")]
    NoSource {
        /// The operation (`POST /path`) or amendment place.
        what: String,
    },
    /// An amendment naming a place the published document does not have.
    #[error(
        "the amendment of `{place}` names a place the published document does not have (nor its parent, to add it)"
    )]
    UnknownPlace {
        /// The JSON pointer.
        place: String,
    },
    /// The supplement is not shaped as expected.
    #[error("the supplement is malformed: {problem}")]
    Malformed {
        /// What is wrong.
        problem: String,
    },
}

/// Lays `supplement` over `published`; see the module docs for the rules.
///
/// # Errors
/// [`MergeError`] naming the first operation, schema or amendment that
/// breaks a rule.
pub fn merge(published: &Value, supplement: &Value) -> Result<Merged, MergeError> {
    let mut document = published.clone();
    let documented = operations_by_shape(published);
    let mut added = Vec::new();
    let mut now_documented = Vec::new();
    let paths = supplement
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (path, item) in &paths {
        let Some(item) = item.as_object() else {
            return Err(malformed(format!(
                "the path item of {path} is not an object"
            )));
        };
        for (method, operation) in item {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let supplied = SuppliedOperation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                operation_id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                source: source_of(operation).ok_or_else(|| MergeError::NoSource {
                    what: format!("{} {path}", method.to_ascii_uppercase()),
                })?,
            };
            if documented.contains_key(&(method.clone(), wire_shape(path))) {
                now_documented.push((supplied, operation.clone()));
                continue;
            }
            let paths = object_at(&mut document, "paths")?;
            let slot = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Some(slot) = slot.as_object_mut() else {
                return Err(malformed(format!(
                    "the published path item of {path} is not an object"
                )));
            };
            slot.insert(method.clone(), operation.clone());
            added.push(supplied);
        }
    }
    let schemas = supplement
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut schemas_now_published = Vec::new();
    for (name, schema) in schemas {
        let components = object_at(&mut document, "components")?;
        let slot = components
            .entry("schemas")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(published_schemas) = slot.as_object_mut() else {
            return Err(malformed(
                "the published components.schemas is not an object".to_owned(),
            ));
        };
        match published_schemas.get(&name) {
            Some(published) if *published == schema => {}
            Some(_) => schemas_now_published.push(name),
            None => {
                published_schemas.insert(name, schema);
            }
        }
    }
    let mut amended = Vec::new();
    let mut overtaken = Vec::new();
    for amendment in supplement
        .get(AMENDMENTS)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let place = amendment
            .get("place")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("an amendment without its `place`".to_owned()))?
            .to_owned();
        let source = source_of(amendment).ok_or_else(|| MergeError::NoSource {
            what: format!("the amendment of {place}"),
        })?;
        let mut value = amendment
            .get("value")
            .cloned()
            .ok_or_else(|| malformed(format!("the amendment of {place} has no `value`")))?;
        let current = published.pointer(&place).cloned();
        if current.as_ref() != amendment.get(REPLACES) {
            // Upstream changed the place since the amendment was written
            // (or a supplement operation's schema, when the place is one of
            // those): the amendment no longer knows what it replaces.
            if current.is_some() || parent_exists(published, &place) {
                overtaken.push(Overtaken {
                    amendment: Amendment { place, source },
                    value,
                    published: current,
                });
                continue;
            }
        }
        // The amended place says where it comes from, for the reports.
        if let Some(object) = value.as_object_mut() {
            object.insert(SOURCE.to_owned(), Value::from(source.clone()));
        }
        amend(&mut document, &place, value)?;
        amended.push(Amendment { place, source });
    }
    added.sort();
    if !amended.is_empty() {
        let listed: Vec<Value> = amended
            .iter()
            .map(|a| serde_json::json!({"place": a.place, SOURCE: a.source}))
            .collect();
        if let Some(root) = document.as_object_mut() {
            root.insert(AMENDED.to_owned(), Value::Array(listed));
        }
    }
    Ok(Merged {
        document,
        added,
        amended,
        now_documented,
        schemas_now_published,
        overtaken,
    })
}

/// `published` with the supplement released with this crate laid over it.
///
/// # Errors
/// [`MergeError`] as [`merge`] finds them; the embedded supplement itself is
/// checked by this crate's tests against the embedded published document.
pub fn with_embedded_supplement(published: &Value) -> Result<Merged, MergeError> {
    let supplement: Value = serde_json::from_str(SUPPLEMENT_DOCUMENT)
        .map_err(|error| malformed(format!("the embedded supplement is not JSON: {error}")))?;
    merge(published, &supplement)
}

/// Two published documents, each with the same supplement laid over it,
/// for the drift tools: comparing the two contracts compares what the SDK
/// is built on, and an operation the newer document now describes itself is
/// compared with the supplement's description of it by the same rules.
#[derive(Debug, Clone)]
pub struct Contracts {
    /// The older document with the supplement.
    pub old: Value,
    /// The newer document with the supplement (its own description wins
    /// where it has one).
    pub new: Value,
    /// Supplement operations the newer document describes and the older
    /// did not: their supplement entries can be dropped or corrected.
    pub now_documented: Vec<SuppliedOperation>,
    /// Amendments whose place the newer document changed and the older did
    /// not: the newer document's value is in `new`, the amendment's in
    /// `old`, so the drift report compares the two.
    pub now_amended_upstream: Vec<Overtaken>,
}

/// Lays `supplement` over `old` and over `new`.
///
/// # Errors
/// [`MergeError`] as [`merge`] finds them on either side.
pub fn contracts(old: &Value, new: &Value, supplement: &Value) -> Result<Contracts, MergeError> {
    let before = merge(old, supplement)?;
    let after = merge(new, supplement)?;
    let already: Vec<&SuppliedOperation> = before.now_documented.iter().map(|(op, _)| op).collect();
    let now_documented = after
        .now_documented
        .into_iter()
        .map(|(operation, _)| operation)
        .filter(|operation| !already.contains(&operation))
        .collect();
    let overtaken_before: Vec<&Amendment> = before.overtaken.iter().map(|o| &o.amendment).collect();
    let now_amended_upstream = after
        .overtaken
        .into_iter()
        .filter(|o| !overtaken_before.contains(&&o.amendment))
        .collect();
    Ok(Contracts {
        old: before.document,
        new: after.document,
        now_documented,
        now_amended_upstream,
    })
}

/// Whether the object that would hold `place` exists in `document`.
fn parent_exists(document: &Value, place: &str) -> bool {
    place
        .rsplit_once('/')
        .and_then(|(parent, _)| document.pointer(parent))
        .is_some_and(Value::is_object)
}

/// Replaces the value at `place`, or adds it when only its parent object
/// exists.
fn amend(document: &mut Value, place: &str, value: Value) -> Result<(), MergeError> {
    if let Some(slot) = document.pointer_mut(place) {
        *slot = value;
        return Ok(());
    }
    let unknown = || MergeError::UnknownPlace {
        place: place.to_owned(),
    };
    let (parent, last) = place.rsplit_once('/').ok_or_else(unknown)?;
    let parent = document
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .ok_or_else(unknown)?;
    parent.insert(unescape_pointer(last), value);
    Ok(())
}

/// The published operations by (method, path shape).
fn operations_by_shape(document: &Value) -> BTreeMap<(String, String), String> {
    let mut found = BTreeMap::new();
    for (path, item) in document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            if item.get(method).is_some() {
                found.insert((method.to_owned(), wire_shape(path)), path.clone());
            }
        }
    }
    found
}

fn source_of(value: &Value) -> Option<String> {
    value
        .get(SOURCE)
        .and_then(Value::as_str)
        .filter(|source| !source.trim().is_empty())
        .map(str::to_owned)
}

fn object_at<'d>(
    document: &'d mut Value,
    key: &str,
) -> Result<&'d mut Map<String, Value>, MergeError> {
    let Some(root) = document.as_object_mut() else {
        return Err(malformed(
            "the published document is not an object".to_owned(),
        ));
    };
    root.entry(key)
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| malformed(format!("the published `{key}` is not an object")))
}

fn malformed(problem: String) -> MergeError {
    MergeError::Malformed { problem }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn published() -> Value {
        json!({"openapi": "3.1.0",
            "paths": {"/v1/sandbox/{sandbox_id}": {"get": {"operationId": "get_sandbox", "responses": {}}}},
            "components": {"schemas": {"Sandbox": {"type": "object", "properties": {
                "startCommand": {"type": "string"}}}}}})
    }

    #[test]
    fn an_added_operation_keeps_its_source_and_is_listed() {
        let supplement = json!({"paths": {"/v1/sandbox/status:batchGet": {"post": {
            "operationId": "batch", "x-pi-source": "prime-sandboxes 0.5.1", "responses": {}}}}});
        let merged = merge(&published(), &supplement).unwrap();
        assert_eq!(
            merged.added,
            [SuppliedOperation {
                method: "POST".to_owned(),
                path: "/v1/sandbox/status:batchGet".to_owned(),
                operation_id: "batch".to_owned(),
                source: "prime-sandboxes 0.5.1".to_owned(),
            }]
        );
        let added = &merged.document["paths"]["/v1/sandbox/status:batchGet"]["post"];
        assert_eq!(added[SOURCE], "prime-sandboxes 0.5.1");
        assert!(merged.now_documented.is_empty());
    }

    #[test]
    fn an_operation_without_its_source_is_refused() {
        let supplement =
            json!({"paths": {"/v1/x": {"get": {"operationId": "x", "responses": {}}}}});
        assert_eq!(
            merge(&published(), &supplement).unwrap_err(),
            MergeError::NoSource {
                what: "GET /v1/x".to_owned()
            }
        );
    }

    #[test]
    fn an_operation_the_published_document_has_is_kept_as_published_and_listed() {
        // The same shape under another parameter name is the same operation.
        let supplement = json!({"paths": {"/v1/sandbox/{id}": {"get": {
            "operationId": "mine", "x-pi-source": "prime 0.18.0", "responses": {"200": {}}}}}});
        let merged = merge(&published(), &supplement).unwrap();
        assert!(merged.added.is_empty());
        assert_eq!(merged.now_documented.len(), 1);
        assert_eq!(merged.now_documented[0].0.operation_id, "mine");
        assert_eq!(
            merged.document["paths"]["/v1/sandbox/{sandbox_id}"]["get"]["operationId"],
            "get_sandbox"
        );
        assert!(merged.document["paths"].get("/v1/sandbox/{id}").is_none());
    }

    #[test]
    fn contracts_list_what_the_newer_document_now_describes() {
        let supplement = json!({"paths": {"/v1/sandbox/status:batchGet": {"post": {
            "operationId": "batch", "x-pi-source": "prime-sandboxes 0.5.1",
            "responses": {"200": {"description": "ok"}}}}}});
        let mut newer = published();
        newer["paths"]["/v1/sandbox/status:batchGet"] = json!({"post": {
            "operationId": "batch_get_status", "responses": {"200": {"description": "ok"}}}});
        let both = contracts(&published(), &newer, &supplement).unwrap();
        assert_eq!(both.now_documented.len(), 1);
        assert_eq!(both.now_documented[0].operation_id, "batch");
        // The old contract has the supplement's description, the new one
        // the published one: the drift tools compare the two.
        let path = "/v1/sandbox/status:batchGet";
        assert_eq!(both.old["paths"][path]["post"]["operationId"], "batch");
        assert_eq!(
            both.new["paths"][path]["post"]["operationId"],
            "batch_get_status"
        );
        // Against itself, nothing is newly described.
        let same = contracts(&newer, &newer, &supplement).unwrap();
        assert!(same.now_documented.is_empty());
    }

    #[test]
    fn pending_groups_are_read_with_their_counts_and_malformed_ones_skipped() {
        let supplement = json!({PENDING: [
            {"group": "training", "operations": 19},
            {"group": "traces"},
            {"group": "login challenge", "operations": 2}
        ]});
        assert_eq!(
            pending(&supplement),
            [
                ("training".to_owned(), 19),
                ("login challenge".to_owned(), 2)
            ]
        );
    }

    #[test]
    fn the_embedded_supplement_and_its_pending_groups_add_up_to_what_the_clients_call() {
        // 103 operations the official clients of October 2026 call that the
        // published document lacks (BEYOND-THE-DOCUMENT.md, section 2).
        let supplement: Value = serde_json::from_str(SUPPLEMENT_DOCUMENT).unwrap();
        let published: Value = serde_json::from_str(crate::spec::VENDORED_DOCUMENT).unwrap();
        let merged = merge(&published, &supplement).unwrap();
        let pending: usize = embedded_pending().iter().map(|(_, count)| count).sum();
        assert_eq!(merged.added.len() + pending, 103);
        // Against the document it was written for, nothing is taken over.
        assert!(merged.now_documented.is_empty());
        assert!(merged.schemas_now_published.is_empty());
    }

    #[test]
    fn a_schema_under_a_published_name_yields_to_the_published_one_and_is_listed() {
        let supplement = json!({"components": {"schemas": {"Sandbox": {"type": "object"}}}});
        let merged = merge(&published(), &supplement).unwrap();
        assert_eq!(merged.schemas_now_published, ["Sandbox"]);
        assert_eq!(
            merged.document["components"]["schemas"]["Sandbox"],
            published()["components"]["schemas"]["Sandbox"]
        );
        // The same shape under the same name is no conflict.
        let same = json!({"components": {"schemas": {
            "Sandbox": published()["components"]["schemas"]["Sandbox"].clone()}}});
        assert!(
            merge(&published(), &same)
                .unwrap()
                .schemas_now_published
                .is_empty()
        );
    }

    #[test]
    fn an_amendment_replaces_or_adds_at_a_place_that_exists_and_says_its_source() {
        let supplement = json!({AMENDMENTS: [
            {"place": "/components/schemas/Sandbox/properties/startCommand",
             "value": {"type": "object"}, REPLACES: {"type": "string"},
             SOURCE: "prime-sandboxes 0.5.1"},
            {"place": "/components/schemas/Sandbox/properties/idle_timeout_minutes",
             "value": {"type": "integer"}, SOURCE: "prime-sandboxes 0.5.1"}
        ]});
        let merged = merge(&published(), &supplement).unwrap();
        let properties = &merged.document["components"]["schemas"]["Sandbox"]["properties"];
        assert_eq!(properties["startCommand"]["type"], "object");
        assert_eq!(properties["startCommand"][SOURCE], "prime-sandboxes 0.5.1");
        assert_eq!(properties["idle_timeout_minutes"]["type"], "integer");
        assert_eq!(merged.amended.len(), 2);
        assert!(merged.overtaken.is_empty());
        assert_eq!(amended_places(&merged.document), merged.amended);
    }

    /// An amendment of `Sandbox.startCommand` (string → object) and one
    /// adding `idle_timeout_minutes`, as written against [`published`].
    fn two_amendments() -> Value {
        json!({AMENDMENTS: [
            {"place": "/components/schemas/Sandbox/properties/startCommand",
             "value": {"type": "object"}, REPLACES: {"type": "string"},
             SOURCE: "prime-sandboxes 0.5.1"},
            {"place": "/components/schemas/Sandbox/properties/idle_timeout_minutes",
             "value": {"type": "integer"}, SOURCE: "prime-sandboxes 0.5.1"}
        ]})
    }

    #[test]
    fn an_amendment_whose_place_upstream_changed_yields_and_is_listed() {
        let mut newer = published();
        let properties = &mut newer["components"]["schemas"]["Sandbox"]["properties"];
        properties["startCommand"] = json!({"type": "array"});
        properties["idle_timeout_minutes"] = json!({"type": "integer"});
        let merged = merge(&newer, &two_amendments()).unwrap();
        assert!(merged.amended.is_empty());
        let places: Vec<&str> = merged
            .overtaken
            .iter()
            .map(|o| o.amendment.place.as_str())
            .collect();
        assert_eq!(
            places,
            [
                "/components/schemas/Sandbox/properties/startCommand",
                "/components/schemas/Sandbox/properties/idle_timeout_minutes"
            ]
        );
        assert_eq!(
            merged.overtaken[0].published,
            Some(json!({"type": "array"}))
        );
        assert_eq!(merged.overtaken[0].value, json!({"type": "object"}));
        // The published values stand, without a source of ours.
        let kept = &merged.document["components"]["schemas"]["Sandbox"]["properties"];
        assert_eq!(kept["startCommand"], json!({"type": "array"}));
        assert_eq!(kept["idle_timeout_minutes"], json!({"type": "integer"}));
        // A place upstream removed is overtaken too, and stays removed.
        let mut removed = published();
        removed["components"]["schemas"]["Sandbox"]["properties"] = json!({});
        let merged = merge(&removed, &two_amendments()).unwrap();
        assert_eq!(merged.overtaken.len(), 1);
        assert_eq!(merged.overtaken[0].published, None);
        let kept = &merged.document["components"]["schemas"]["Sandbox"]["properties"];
        assert!(kept.get("startCommand").is_none());
    }

    #[test]
    fn contracts_list_the_amended_places_the_newer_document_changed() {
        let mut newer = published();
        newer["components"]["schemas"]["Sandbox"]["properties"]["idle_timeout_minutes"] =
            json!({"type": "integer"});
        let both = contracts(&published(), &newer, &two_amendments()).unwrap();
        assert!(both.now_documented.is_empty());
        let places: Vec<&str> = both
            .now_amended_upstream
            .iter()
            .map(|o| o.amendment.place.as_str())
            .collect();
        assert_eq!(
            places,
            ["/components/schemas/Sandbox/properties/idle_timeout_minutes"]
        );
        // The old contract carries the amendment, the new one upstream's
        // value: what the drift report compares.
        let at = "/components/schemas/Sandbox/properties/idle_timeout_minutes";
        assert_eq!(
            both.old.pointer(at).unwrap()[SOURCE],
            "prime-sandboxes 0.5.1"
        );
        assert_eq!(both.new.pointer(at).unwrap(), &json!({"type": "integer"}));
        // The untouched amendment still applies on both sides.
        let start = "/components/schemas/Sandbox/properties/startCommand";
        assert_eq!(both.new.pointer(start).unwrap()["type"], "object");
        // Against itself, nothing is new.
        let same = contracts(&newer, &newer, &two_amendments()).unwrap();
        assert!(same.now_amended_upstream.is_empty());
    }

    #[test]
    fn an_amendment_of_a_place_that_does_not_exist_is_refused() {
        for place in [
            "/components/schemas/Nope/properties/x",
            "/components/schemas/Sandbox/propertiez/x/y",
        ] {
            let supplement = json!({AMENDMENTS: [
                {"place": place, "value": {}, SOURCE: "prime 0.18.0"}
            ]});
            assert_eq!(
                merge(&published(), &supplement).unwrap_err(),
                MergeError::UnknownPlace {
                    place: place.to_owned()
                },
                "{place}"
            );
        }
        let unsourced = json!({AMENDMENTS: [
            {"place": "/components/schemas/Sandbox", "value": {}}
        ]});
        assert!(matches!(
            merge(&published(), &unsourced).unwrap_err(),
            MergeError::NoSource { .. }
        ));
    }
}
