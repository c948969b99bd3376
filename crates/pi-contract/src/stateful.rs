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
//!   `offset`/`limit`, `page`/`per_page` or `skip`/`limit`;
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
/// resource sits in it, for an operation that answers with one resource.
fn resource_answer(spec: &Spec, op: &Operation) -> Option<(u16, Value, Wrap, Value)> {
    let status = op.success_response()?.status();
    op.success_response()?.schema()?;
    let synthesized = spec.synthesize(op.id(), status).ok()?;
    let maximal = synthesized.maximal().clone();
    match maximal.get("data") {
        Some(Value::Object(inner)) => {
            let inner = Value::Object(inner.clone());
            Some((status, maximal, Wrap::Data, inner))
        }
        Some(_) => None,
        None if maximal.get("id").is_some() => Some((status, Value::Null, Wrap::Direct, maximal)),
        None => None,
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
    /// Stores `resource` in `collection` under its `id` (a fresh one when it
    /// has none); returns the id.
    pub(crate) fn insert(&mut self, collection: &str, mut resource: Value) -> String {
        let id = match resource.get("id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => {
                let id = self.fresh_id(collection);
                if let Some(object) = resource.as_object_mut() {
                    object.insert("id".to_owned(), Value::String(id.clone()));
                }
                id
            }
        };
        self.collections
            .entry(collection_key(collection))
            .or_default()
            .insert(id.clone(), resource);
        id
    }

    /// Stores a resource of `collection` built like a create's answer, with
    /// `fields` (a JSON object) over it; returns its id.
    pub(crate) fn seed(&mut self, spec: &Spec, collection: &str, fields: &Value) -> String {
        let key = collection_key(collection);
        let mut wanted = fields.as_object().cloned().unwrap_or_default();
        let id = match wanted.get("id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => self.fresh_id(&key),
        };
        wanted.insert("id".to_owned(), Value::String(id));
        let built = create_of(spec, &key).and_then(|op| {
            let (status, template, how, mut resource) = resource_answer(spec, op)?;
            overlay(spec, op, status, &how, &template, &mut resource, &wanted);
            Some(resource)
        });
        self.insert(&key, built.unwrap_or(Value::Object(wanted)))
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
    /// operation is not on a stored collection.
    pub(crate) fn answer(
        &mut self,
        spec: &Spec,
        op: &Operation,
        request: &HttpRequest,
    ) -> Option<Answer> {
        let (collection, item) = collection_of(op.path());
        create_of(spec, &collection)?;
        let method = op.method().to_ascii_lowercase();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if !item {
            return match method.as_str() {
                "post" => self.create(spec, op, &collection, &body),
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
                let items = self.collections.get_mut(&key)?;
                let stored = items.get_mut(&id)?;
                if let (Some(change), Some(object)) = (change, stored.as_object_mut()) {
                    if let Some(change) = change.as_object() {
                        for (name, value) in change {
                            object.insert(name.clone(), value.clone());
                        }
                    }
                }
                let stored = stored.clone();
                let (status, template, how, _) = resource_answer(spec, op)?;
                Some(Answer {
                    status,
                    body: wrap(&how, &template, stored),
                })
            }
            "patch" | "put" => {
                let stored = self.collections.get(&key)?.get(&id)?.clone();
                let (status, template, how, mut resource) = match resource_answer(spec, op) {
                    Some((status, template, how, _)) => (status, template, how, stored),
                    None => {
                        // The answer is not the resource: change what is
                        // stored and answer as the document says.
                        let mut resource = stored;
                        if let (Some(object), Some(fields)) =
                            (resource.as_object_mut(), body.as_object())
                        {
                            for (name, value) in fields {
                                if object.contains_key(name) && !value.is_null() {
                                    object.insert(name.clone(), value.clone());
                                }
                            }
                        }
                        self.collections.get_mut(&key)?.insert(id, resource);
                        return None;
                    }
                };
                overlay(
                    spec,
                    op,
                    status,
                    &how,
                    &template,
                    &mut resource,
                    &body_fields(&body),
                );
                self.collections.get_mut(&key)?.insert(id, resource.clone());
                Some(Answer {
                    status,
                    body: wrap(&how, &template, resource),
                })
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
        body: &Value,
    ) -> Option<Answer> {
        let (status, template, how, mut resource) = resource_answer(spec, op)?;
        let id = self.fresh_id(collection);
        let mut fields = body_fields(body);
        fields.insert("id".to_owned(), Value::String(id));
        overlay(spec, op, status, &how, &template, &mut resource, &fields);
        self.insert(collection, resource.clone());
        Some(Answer {
            status,
            body: wrap(&how, &template, resource),
        })
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
        let all = self.list(collection);
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
        let items: Vec<Value> = all
            .into_iter()
            .skip(start)
            .take(limit.unwrap_or(usize::MAX))
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
