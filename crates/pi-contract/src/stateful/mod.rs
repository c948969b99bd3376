//! Stateful mode of [`ContractServer`](crate::ContractServer): resources kept
//! in memory, so a test that creates something and then reads it back sees
//! what it created.
//!
//! The resources are found in the document itself: a collection is a path
//! with a POST (create) operation, such as `/api/v1/secrets/`; its items live
//! at the same path plus one `{id}` segment. On such a collection:
//!
//! - a POST stores a new resource: the create answer the document describes,
//!   with every field the request body (or an object inside it) sets under
//!   the same name, and a fresh `id`;
//! - a GET of the collection lists what is stored, paged by the query's
//!   `offset`/`limit`, `page`/`per_page` or `skip`/`limit`, and filtered by
//!   any query parameter named like a stored text field (`status`);
//! - a GET, PATCH/PUT or DELETE of an item reads, changes or removes it; an
//!   unknown id gets the status the operation documents for it (404, or 422
//!   when that is all it documents).
//!
//! A field is only taken over when the answer still validates against the
//! document; other operations answer as in the stateless mode.

use std::collections::{BTreeMap, HashMap, VecDeque};

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::request::HttpRequest;
use crate::spec::{Operation, Spec};

/// The resources a stateful server holds, by collection path (the create
/// operation's path without a trailing `/`, such as `/api/v1/secrets`).
#[derive(Debug, Default)]
pub(crate) struct Store {
    collections: HashMap<String, BTreeMap<String, Value>>,
    /// Per (collection, id): changes applied one per read, in order.
    scripts: HashMap<(String, String), VecDeque<Value>>,
    next_id: u64,
}

/// An answer of the stateful mode: a status and a JSON body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

/// The collection path of `template`, and whether it names one item.
fn collection_of(template: &str) -> (String, bool) {
    let trimmed = template.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some((parent, last)) if last.starts_with('{') && last.ends_with('}') => {
            (parent.trim_end_matches('/').to_owned(), true)
        }
        _ => (trimmed.to_owned(), false),
    }
}

/// The collection a path belongs to: `"/api/v1/pods/"` and `"/api/v1/pods"`
/// are both `"/api/v1/pods"`.
pub(crate) fn collection_key(path: &str) -> String {
    path.trim_end_matches('/').to_owned()
}

/// The create operation of `collection`, when the document has one.
fn create_of<'s>(spec: &'s Spec, collection: &str) -> Option<&'s Operation> {
    spec.operations().find(|op| {
        op.method().eq_ignore_ascii_case("post")
            && collection_of(op.path()) == (collection.to_owned(), false)
    })
}

/// Where a resource sits in an operation's success answer.
enum Wrap {
    /// The answer is the resource.
    Direct,
    /// The answer is `{"data": resource}`.
    Data,
}

fn wrap(how: &Wrap, template: &Value, resource: Value) -> Value {
    match how {
        Wrap::Direct => resource,
        Wrap::Data => {
            let mut outer = template.clone();
            if let Some(object) = outer.as_object_mut() {
                object.insert("data".to_owned(), resource);
            }
            outer
        }
    }
}

/// The success status, the richest synthesized answer, and where the
/// resource sits in it, for an operation that answers with one resource
/// (an object carrying `id_key`).
fn resource_answer(spec: &Spec, op: &Operation, id_key: &str) -> Option<(u16, Value, Wrap, Value)> {
    let status = op.success_response()?.status();
    op.success_response()?.schema()?;
    let synthesized = spec.synthesize(op.id(), status).ok()?;
    let maximal = synthesized.maximal().clone();
    match maximal.get("data") {
        Some(Value::Object(inner)) if inner.contains_key(id_key) => {
            let inner = Value::Object(inner.clone());
            Some((status, maximal, Wrap::Data, inner))
        }
        Some(_) => None,
        None if maximal.get(id_key).is_some() => Some((status, Value::Null, Wrap::Direct, maximal)),
        None => None,
    }
}

/// The field that holds a resource's id in `collection`: the item path's
/// parameter (`tunnel_id`) when the create answer has it, `id` otherwise.
fn id_key_of(spec: &Spec, collection: &str) -> String {
    let param = spec.operations().find_map(|op| {
        let (parent, item) = collection_of(op.path());
        if !item || parent != collection {
            return None;
        }
        let last = op.path().trim_end_matches('/').rsplit('/').next()?;
        Some(
            last.trim_start_matches('{')
                .trim_end_matches('}')
                .to_owned(),
        )
    });
    let create_has = |name: &str| {
        create_of(spec, collection)
            .and_then(|op| resource_answer(spec, op, name))
            .is_some()
    };
    match param {
        Some(param) if create_has(&param) => param,
        _ => "id".to_owned(),
    }
}

/// `record` as `op` answers it: the operation's richest answer with each
/// stored field that keeps it valid.
fn render(spec: &Spec, op: &Operation, id_key: &str, record: &Value) -> Option<Answer> {
    let (status, template, how, mut resource) = resource_answer(spec, op, id_key)?;
    if let Some(fields) = record.as_object() {
        overlay(spec, op, status, &how, &template, &mut resource, fields);
    }
    Some(Answer {
        status,
        body: wrap(&how, &template, resource),
    })
}

/// Merges the fields of `from` (an object) into `into`.
fn merge(into: &mut Value, from: &Value) {
    if let (Some(into), Some(from)) = (into.as_object_mut(), from.as_object()) {
        for (name, value) in from {
            into.insert(name.clone(), value.clone());
        }
    }
}

/// Puts each `(name, value)` of `fields` into `resource` where the name is
/// one of its fields and the answer still validates.
fn overlay(
    spec: &Spec,
    op: &Operation,
    status: u16,
    how: &Wrap,
    template: &Value,
    resource: &mut Value,
    fields: &Map<String, Value>,
) {
    for (name, value) in fields {
        let Some(current) = resource.get(name) else {
            continue;
        };
        if current == value {
            continue;
        }
        let mut candidate = resource.clone();
        if let Some(object) = candidate.as_object_mut() {
            object.insert(name.clone(), value.clone());
        }
        if spec
            .validate_response(op.id(), status, &wrap(how, template, candidate.clone()))
            .is_empty()
        {
            *resource = candidate;
        }
    }
}

/// The fields a request body sets: its own, then those of the objects in it
/// (`{"pod": {"name": …}}` sets `name`).
fn body_fields(body: &Value) -> Map<String, Value> {
    let mut fields = Map::new();
    if let Some(object) = body.as_object() {
        for value in object.values() {
            if let Some(inner) = value.as_object() {
                for (name, value) in inner {
                    fields.insert(name.clone(), value.clone());
                }
            }
        }
        for (name, value) in object {
            fields.insert(name.clone(), value.clone());
        }
    }
    fields
}

/// The answer for an id the store does not hold: the documented 404, or the
/// documented 422.
fn unknown_id(spec: &Spec, op: &Operation, id: &str) -> Answer {
    for status in [404, 422] {
        if op.response(status).is_some() {
            let body = spec
                .synthesize(op.id(), status)
                .map(|s| s.minimal().clone())
                .unwrap_or_else(|_| serde_json::json!({"detail": format!("{id} not found")}));
            return Answer { status, body };
        }
    }
    Answer {
        status: 404,
        body: serde_json::json!({"detail": "Not Found"}),
    }
}

fn query<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request
        .query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn query_number(request: &HttpRequest, name: &str) -> Option<usize> {
    query(request, name).and_then(|value| value.parse().ok())
}

impl Store {
    /// Stores `record` in `collection` under its `id_key` field (a fresh id
    /// when it has none); returns the id.
    fn insert(&mut self, collection: &str, id_key: &str, mut record: Value) -> String {
        let id = match record.get(id_key).and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => {
                let id = self.fresh_id(collection);
                if let Some(object) = record.as_object_mut() {
                    object.insert(id_key.to_owned(), Value::String(id.clone()));
                }
                id
            }
        };
        self.collections
            .entry(collection_key(collection))
            .or_default()
            .insert(id.clone(), record);
        id
    }

    /// Stores a resource of `collection` built like a create's answer, with
    /// `fields` (a JSON object) over it; returns its id.
    pub(crate) fn seed(&mut self, spec: &Spec, collection: &str, fields: &Value) -> String {
        let key = collection_key(collection);
        let id_key = id_key_of(spec, &key);
        let mut record = fields.clone();
        if !record.is_object() {
            record = Value::Object(Map::new());
        }
        if record.get(&id_key).and_then(Value::as_str).is_none() {
            let id = self.fresh_id(&key);
            merge(&mut record, &serde_json::json!({ id_key.as_str(): id }));
        }
        if let Some(rendered) =
            create_of(spec, &key).and_then(|op| render(spec, op, &id_key, &record))
        {
            let resource = match rendered.body.get("data") {
                Some(inner) if inner.is_object() => inner.clone(),
                _ => rendered.body,
            };
            let mut full = resource;
            merge(&mut full, &record);
            record = full;
        }
        self.insert(&key, &id_key, record)
    }

    fn fresh_id(&mut self, collection: &str) -> String {
        self.next_id += 1;
        let noun = collection
            .rsplit('/')
            .find(|segment| !segment.is_empty())
            .unwrap_or("resource");
        format!("{noun}-{:04}", self.next_id)
    }

    /// Queues changes to the resource `id`, one applied on each later read.
    pub(crate) fn script(&mut self, collection: &str, id: &str, changes: Vec<Value>) {
        self.scripts
            .entry((collection_key(collection), id.to_owned()))
            .or_default()
            .extend(changes);
    }

    /// What `collection` holds, in id order.
    pub(crate) fn list(&self, collection: &str) -> Vec<Value> {
        self.collections
            .get(&collection_key(collection))
            .map(|items| items.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Answers `request` to `op` from the store, or `None` when the
    /// operation is not on a stored collection (or answers as the stateless
    /// mode would, as a delete does).
    pub(crate) fn answer(
        &mut self,
        spec: &Spec,
        op: &Operation,
        request: &HttpRequest,
    ) -> Option<Answer> {
        let (collection, item) = collection_of(op.path());
        create_of(spec, &collection)?;
        let id_key = id_key_of(spec, &collection);
        let method = op.method().to_ascii_lowercase();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if !item {
            return match method.as_str() {
                "post" => self.create(spec, op, &collection, &id_key, &body),
                "get" => self.list_answer(spec, op, &collection, request),
                _ => None,
            };
        }
        let raw_id = request.path.trim_end_matches('/').rsplit('/').next()?;
        let id = percent_decode_str(raw_id).decode_utf8_lossy().into_owned();
        let key = collection_key(&collection);
        if !self
            .collections
            .get(&key)
            .is_some_and(|items| items.contains_key(&id))
        {
            return Some(unknown_id(spec, op, &id));
        }
        match method.as_str() {
            "get" => {
                let change = self
                    .scripts
                    .get_mut(&(key.clone(), id.clone()))
                    .and_then(VecDeque::pop_front);
                let record = self.collections.get_mut(&key)?.get_mut(&id)?;
                if let Some(change) = change {
                    merge(record, &change);
                }
                render(spec, op, &id_key, record)
            }
            "patch" | "put" => {
                let record = self.collections.get_mut(&key)?.get_mut(&id)?;
                if let (Some(object), Some(fields)) = (record.as_object_mut(), body.as_object()) {
                    for (name, value) in fields {
                        if !value.is_null() && name != &id_key {
                            object.insert(name.clone(), value.clone());
                        }
                    }
                }
                render(spec, op, &id_key, record)
            }
            "delete" => {
                self.collections.get_mut(&key)?.remove(&id);
                self.scripts.remove(&(key, id));
                None
            }
            _ => None,
        }
    }

    fn create(
        &mut self,
        spec: &Spec,
        op: &Operation,
        collection: &str,
        id_key: &str,
        body: &Value,
    ) -> Option<Answer> {
        let id = self.fresh_id(collection);
        let mut record = Value::Object(body_fields(body));
        merge(&mut record, &serde_json::json!({ id_key: id }));
        let answer = render(spec, op, id_key, &record)?;
        // What the server made up (timestamps, status) is kept too.
        let mut full = match answer.body.get("data") {
            Some(inner) if inner.is_object() => inner.clone(),
            _ => answer.body.clone(),
        };
        merge(&mut full, &record);
        self.insert(collection, id_key, full);
        Some(answer)
    }

    fn list_answer(
        &self,
        spec: &Spec,
        op: &Operation,
        collection: &str,
        request: &HttpRequest,
    ) -> Option<Answer> {
        let status = op.success_response()?.status();
        let synthesized = spec.synthesize(op.id(), status).ok()?;
        // The richest page, so its counts (total_count, offset, …) are there.
        let mut page = synthesized.maximal().clone();
        // The items are under `data`, or the page's one list (`sandboxes`).
        let items_key = match page.as_object() {
            Some(object) if object.get("data").is_some_and(Value::is_array) => "data".to_owned(),
            Some(object) => {
                let mut lists = object.iter().filter(|(_, value)| value.is_array());
                match (lists.next(), lists.next()) {
                    (Some((name, _)), None) => name.clone(),
                    _ => return None,
                }
            }
            None => return None,
        };
        // Filters: a query parameter named like a stored text field (`status`)
        // keeps the resources whose field has that value; paging and the
        // team are not filters.
        let paging = [
            "offset", "limit", "page", "per_page", "skip", "teamId", "team_id",
        ];
        let all: Vec<Value> = self
            .list(collection)
            .into_iter()
            .filter(|record| {
                request.query.iter().all(|(name, value)| {
                    paging.contains(&name.as_str())
                        || match record.get(name) {
                            Some(Value::String(stored)) => stored == value,
                            _ => true,
                        }
                })
            })
            .collect();
        let total = all.len();
        let (start, limit) = if let Some(per_page) = query_number(request, "per_page") {
            let page_number = query_number(request, "page").unwrap_or(1).max(1);
            ((page_number - 1).saturating_mul(per_page), Some(per_page))
        } else {
            let start = query_number(request, "offset")
                .or_else(|| query_number(request, "skip"))
                .unwrap_or(0);
            (start, query_number(request, "limit"))
        };
        let records: Vec<Value> = all
            .into_iter()
            .skip(start)
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        // Each item as the page describes one: its richest item with the
        // stored fields that keep a one-item page valid.
        let base_item = page
            .get(&items_key)
            .and_then(Value::as_array)
            .and_then(|items| items.first())
            .cloned();
        let items: Vec<Value> = records
            .iter()
            .map(|record| {
                let Some(mut item) = base_item.clone() else {
                    return record.clone();
                };
                let Some(fields) = record.as_object() else {
                    return item;
                };
                for (name, value) in fields {
                    if item.get(name).is_none_or(|current| current == value) {
                        continue;
                    }
                    let mut candidate = item.clone();
                    merge(&mut candidate, &serde_json::json!({ name.as_str(): value }));
                    let mut one = page.clone();
                    if let Some(object) = one.as_object_mut() {
                        object.insert(items_key.clone(), Value::Array(vec![candidate.clone()]));
                    }
                    if spec.validate_response(op.id(), status, &one).is_empty() {
                        item = candidate;
                    }
                }
                item
            })
            .collect();
        let object = page.as_object_mut()?;
        let shown = items.len();
        object.insert(items_key.clone(), Value::Array(items));
        if object.contains_key("has_next") {
            object.insert("has_next".to_owned(), Value::Bool(start + shown < total));
        }
        for (name, value) in [
            ("total_count", Some(total)),
            ("totalCount", Some(total)),
            ("total", Some(total)),
            ("offset", Some(start)),
            ("skip", Some(start)),
            ("limit", limit),
            ("per_page", limit),
        ] {
            if let (true, Some(value)) = (object.contains_key(name), value) {
                object.insert(name.to_owned(), Value::from(value));
            }
        }
        if object.contains_key("page") {
            if let Some(page_number) = query_number(request, "page") {
                object.insert("page".to_owned(), Value::from(page_number));
            }
        }
        if !spec.validate_response(op.id(), status, &page).is_empty() {
            // Keep only what the document allows: the items, in its minimal page.
            let items = page
                .get(&items_key)
                .cloned()
                .unwrap_or(Value::Array(Vec::new()));
            page = synthesized.minimal().clone();
            page.as_object_mut()?.insert(items_key, items);
        }
        Some(Answer { status, body: page })
    }
}
