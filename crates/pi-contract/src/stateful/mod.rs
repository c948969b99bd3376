//! Stateful mode of [`ContractServer`](crate::ContractServer): resources kept
//! in memory, so a test that creates something and then reads it back sees
//! what it created, as the PI API would show it.
//!
//! The resources are found in the document itself: a collection is a path
//! with a POST (create) operation whose answer carries the resource's id,
//! such as `/api/v1/secrets/`; its items live at the same path plus one
//! `{id}` segment. On such a collection:
//!
//! - a POST stores a new resource and answers with it: every documented
//!   field takes what the request sent for it, by wire name, by the same
//!   name in the other spelling (`docker_image` → `dockerImage`) or through
//!   a small reviewed table (`render::RENAMED`); the server makes up only
//!   what it owns (the id, timestamps, the first status) and what the
//!   document requires; optional fields nobody sent are `null` or their
//!   documented default;
//! - a GET of the collection lists what is stored, paged by the query's
//!   `offset`/`limit`, `page`/`per_page` or `skip`/`limit`, and filtered by
//!   team, labels and any query parameter named like a stored field (see
//!   `list.rs`);
//! - a GET, PATCH/PUT or DELETE of an item reads, changes or removes it;
//! - an id that is not stored, on its own path or under it
//!   (`/api/v1/sandbox/{id}/logs`), gets `404 {"detail": "Sandbox not found"}`,
//!   as the API answers, even where the document lists only 422.
//!
//! The supplement's batched reads (`/sandbox/status:batchGet`,
//! `/sandbox/checkpoints:batchGet`) answer from the sandboxes and
//! checkpoints held, each id read as its own read would be.
//!
//! RL runs, which no described call creates, are kept apart with their
//! lifecycle (stop, restart) in `rl_runs.rs`; a test seeds them.
//!
//! Those are the places the mock follows the API rather than the document
//! ([`crate::deviation`]). Every answer is checked against the document; a
//! field that would break it is replaced by a synthesized value. A stored
//! training run can also be paused and resumed (`training.rs`). Other
//! operations answer as in the stateless mode.

mod list;
pub(crate) mod render;
mod rl_runs;
mod setup;
mod training;

pub use setup::SetupError;

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde_json::{Map, Value};

use crate::deviation::Deviation;
use crate::request::HttpRequest;
use crate::spec::{Operation, Segment, Spec, decode, split_path};
use render::{Owned, folded, lookup, now, properties, render, sent_fields, with_defaults};

/// A collection of the document: where its resources are created and how
/// their id is called.
#[derive(Debug, Clone)]
pub(crate) struct Collection {
    /// The create operation's path as the document spells it (`/api/v1/pods/`).
    pub(crate) path: String,
    /// The path without a trailing slash: the key of its items.
    key: String,
    /// The field holding a resource's id (`id`, `tunnel_id`).
    id_key: String,
}

impl Collection {
    /// What the resource is called in a `404` detail (`Secret`, `Sandbox`).
    fn noun(&self) -> String {
        let last = self
            .key
            .rsplit('/')
            .find(|segment| !segment.is_empty() && !segment.contains('{'))
            .unwrap_or("resource");
        let named = match last {
            "ssh_keys" => "SSH key",
            "build" => "Image build",
            "expose" => "Exposure",
            "ssh-session" => "SSH session",
            "sandbox" => "Sandbox",
            other => other.strip_suffix('s').unwrap_or(other),
        };
        let spaced = named.replace(['_', '-'], " ");
        let mut chars = spaced.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    }

    /// The schema of the resource `op` answers with, where it sits, and the
    /// field holding its id there: a read may call it `id` where the create
    /// called it `build_id`.
    fn resource_schema<'s>(
        &self,
        spec: &'s Spec,
        op: &'s Operation,
    ) -> Option<(Wrap, &'s Value, &str)> {
        match resource_schema(spec, op, &self.id_key) {
            Some((wrap, schema)) => Some((wrap, schema, self.id_key.as_str())),
            None => {
                let (wrap, schema) = resource_schema(spec, op, "id")?;
                Some((wrap, schema, "id"))
            }
        }
    }

    /// Every documented response field of its resources, with its schema:
    /// those of the create, read, update and list answers.
    pub(crate) fn fields<'s>(&self, spec: &'s Spec) -> Vec<(String, &'s Value)> {
        let mut fields: Vec<(String, &Value)> = Vec::new();
        for op in spec.operations() {
            let (key, item) = collection_of(op.path());
            if key != self.key {
                continue;
            }
            let schema = if item || op.method() == "POST" {
                self.resource_schema(spec, op).map(|(_, schema, _)| schema)
            } else {
                list::item_schema(spec, op).map(|(_, schema)| schema)
            };
            for (name, property) in schema
                .and_then(|s| properties(spec, s))
                .into_iter()
                .flatten()
            {
                if !fields.iter().any(|(known, _)| known == name) {
                    fields.push((name.clone(), property));
                }
            }
        }
        fields
    }
}

/// Where a resource sits in an operation's success answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrap {
    /// The answer is the resource.
    Direct,
    /// The answer is `{"data": resource, …}`.
    Data,
}

/// `key` without its `/{parameter}` segments.
fn without_parameters(key: &str) -> String {
    key.split('/')
        .filter(|segment| !segment.contains('{'))
        .collect::<Vec<_>>()
        .join("/")
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

/// The schema of the one resource `op` answers with (one carrying
/// `id_key`), and where it sits.
fn resource_schema<'s>(
    spec: &'s Spec,
    op: &'s Operation,
    id_key: &str,
) -> Option<(Wrap, &'s Value)> {
    let schema = op.success_response()?.schema()?;
    let props = properties(spec, schema)?;
    if let Some(data) = props.get("data") {
        return properties(spec, data)
            .filter(|inner| inner.contains_key(id_key))
            .map(|_| (Wrap::Data, data));
    }
    props.contains_key(id_key).then_some((Wrap::Direct, schema))
}

/// The paths of the document's collections, as its create operations
/// spell them, in document order.
pub(crate) fn collection_paths(spec: &Spec) -> Vec<String> {
    catalog(spec).into_iter().map(|c| c.path).collect()
}

/// Every collection of the document, in document order.
fn catalog(spec: &Spec) -> Vec<Collection> {
    let mut found: Vec<Collection> = Vec::new();
    for op in spec.operations().filter(|op| op.method() == "POST") {
        let (key, item) = collection_of(op.path());
        if item || found.iter().any(|c| c.key == key) {
            continue;
        }
        let id_key = id_key_of(spec, op, &key);
        if resource_schema(spec, op, &id_key).is_some() {
            found.push(Collection {
                path: op.path().to_owned(),
                key,
                id_key,
            });
        }
    }
    found
}

/// The field that holds a resource's id: the create answer's field named
/// like the item path's parameter in either spelling (`tunnel_id`, or
/// `runId` for `{run_id}`), `id` otherwise.
fn id_key_of(spec: &Spec, create: &Operation, key: &str) -> String {
    let param = spec.operations().find_map(|op| {
        let (parent, item) = collection_of(op.path());
        if !item || parent != key {
            return None;
        }
        let last = op.path().trim_end_matches('/').rsplit('/').next()?;
        Some(
            last.trim_start_matches('{')
                .trim_end_matches('}')
                .to_owned(),
        )
    });
    let answered = param.and_then(|param| {
        let props = properties(spec, create.success_response()?.schema()?)?;
        let inner = props.get("data").and_then(|data| properties(spec, data));
        let wanted = folded(&param);
        inner
            .into_iter()
            .chain([props])
            .flat_map(Map::keys)
            .find(|name| folded(name) == wanted)
            .cloned()
    });
    match answered {
        Some(name) if resource_schema(spec, create, &name).is_some() => name,
        _ => "id".to_owned(),
    }
}

/// One stored resource.
#[derive(Debug, Clone)]
struct Record {
    /// Its fields under their answer names: what the create answered (or
    /// the seed), changed by updates and scripts.
    fields: Map<String, Value>,
    /// What requests sent under their request names, for answers that show
    /// fields the create answer does not have.
    sent: Map<String, Value>,
    /// When it was made, for the timestamps the server owns.
    made_at: String,
}

/// The resources a stateful server holds, by collection key (the create
/// operation's path without a trailing `/`, such as `/api/v1/secrets`).
#[derive(Debug, Default)]
pub(crate) struct Store {
    collections: HashMap<String, BTreeMap<String, Record>>,
    /// Per (collection, id): changes applied one per read, in order.
    scripts: HashMap<(String, String), VecDeque<Map<String, Value>>>,
    next_id: u64,
    /// The document's collections, found on first use.
    catalog: Option<Vec<Collection>>,
    /// The RL runs, which no described call creates (see `rl_runs.rs`).
    rl_runs: rl_runs::RlRuns,
}

/// The sandboxes' collection.
const SANDBOXES: &str = "/api/v1/sandbox";

/// The supplement's batched status of many sandboxes, answered from the
/// sandboxes stored.
const SANDBOX_STATUS_BATCH: &str = "/api/v1/sandbox/status:batchGet";

/// The supplement's batched lookup of checkpoints of any sandboxes,
/// answered from the checkpoints stored.
const CHECKPOINT_BATCH: &str = "/api/v1/sandbox/checkpoints:batchGet";

/// Where a checkpoint is read by its id alone: the flat path whose answer
/// shows a stored checkpoint, as the batched lookup lists it.
const CHECKPOINT: &str = "/api/v1/sandbox/checkpoints/{checkpoint_id}";

/// An answer of the stateful mode: a status, a JSON body, and the place the
/// mock followed the API rather than the document, if it did.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) deviation: Option<Deviation>,
}

impl Answer {
    fn ok(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body,
            deviation: None,
        }
    }
}

fn not_found(collection: &Collection) -> Answer {
    Answer {
        status: 404,
        body: serde_json::json!({"detail": format!("{} not found", collection.noun())}),
        deviation: Some(Deviation::UnknownIdNotFound),
    }
}

/// The resource part of an answer body.
fn resource_of(body: &Value, wrap: Wrap) -> Map<String, Value> {
    let resource = match wrap {
        Wrap::Data => body.get("data"),
        Wrap::Direct => Some(body),
    };
    resource
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// `record` as `op` answers it, checked against the document: a field that
/// breaks it takes the synthesized answer's value instead.
fn show(
    spec: &Spec,
    op: &Operation,
    collection: &Collection,
    id: &str,
    record: &Record,
) -> Option<Answer> {
    let success = op.success_response()?;
    let status = success.status();
    let schema = success.schema()?;
    let (wrap, resource_schema, id_key) = collection.resource_schema(spec, op)?;
    let owned = Owned {
        id_key,
        id,
        made_at: &record.made_at,
    };
    let resource = render(
        spec,
        resource_schema,
        &[&record.fields, &record.sent],
        &owned,
        0,
    );
    let mut body = match wrap {
        Wrap::Direct => resource,
        Wrap::Data => {
            let mut envelope = Map::new();
            envelope.insert("data".to_owned(), resource);
            render(spec, schema, &[&envelope], &owned, 0)
        }
    };
    let violations = spec.validate_response(op.id(), status, &body);
    if !violations.is_empty() {
        repair(spec, op, status, wrap, &mut body, &violations);
    }
    Some(Answer::ok(status, body))
}

/// Replaces each resource field named by `violations` with the maximal
/// synthesized answer's value, then, if the answer still breaks the
/// document, gives that synthesized answer with the id kept.
fn repair(
    spec: &Spec,
    op: &Operation,
    status: u16,
    wrap: Wrap,
    body: &mut Value,
    violations: &[crate::Violation],
) {
    let Ok(synthesized) = spec.synthesize(op.id(), status) else {
        return;
    };
    let maximal = synthesized.maximal();
    let prefix = match wrap {
        Wrap::Data => "body/data/",
        Wrap::Direct => "body/",
    };
    let pointer = |field: &str| match wrap {
        Wrap::Data => format!("/data/{field}"),
        Wrap::Direct => format!("/{field}"),
    };
    for violation in violations {
        let Some(field) = violation
            .location
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('/').next())
        else {
            continue;
        };
        let good = maximal.pointer(&pointer(field)).cloned();
        if let (Some(slot), Some(good)) = (body.pointer_mut(&pointer(field)), good) {
            *slot = good;
        }
    }
    if !spec.validate_response(op.id(), status, body).is_empty() {
        *body = maximal.clone();
    }
}

impl Store {
    /// The document's collections (found once).
    fn catalog(&mut self, spec: &Spec) -> &[Collection] {
        self.catalog.get_or_insert_with(|| catalog(spec))
    }

    /// The collection a test named, by its path with or without the
    /// trailing slash.
    fn named(&mut self, spec: &Spec, path: &str) -> Result<Collection, SetupError> {
        let key = path.trim_end_matches('/');
        let catalog = self.catalog(spec);
        catalog
            .iter()
            .find(|collection| collection.key == key)
            .cloned()
            .ok_or_else(|| SetupError::UnknownCollection {
                collection: path.to_owned(),
                valid: catalog
                    .iter()
                    .map(|collection| collection.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn fresh_id(&mut self, collection: &Collection) -> String {
        self.next_id += 1;
        let noun = collection
            .key
            .rsplit('/')
            .find(|segment| !segment.is_empty() && !segment.contains('{'))
            .unwrap_or("resource");
        format!("{noun}-{:04}", self.next_id)
    }

    fn insert(&mut self, collection: &Collection, id: &str, record: Record) {
        self.collections
            .entry(collection.key.clone())
            .or_default()
            .insert(id.to_owned(), record);
    }

    /// The collection whose items live under `key`: the one created there,
    /// or a nested one read from a flat path, as checkpoints created under
    /// `/api/v1/sandbox/{sandbox_id}/checkpoints` are read at
    /// `/api/v1/sandbox/checkpoints/{checkpoint_id}`.
    fn collection_at(&mut self, spec: &Spec, key: &str) -> Option<Collection> {
        let catalog = self.catalog(spec);
        catalog
            .iter()
            .find(|c| c.key == key)
            .or_else(|| catalog.iter().find(|c| without_parameters(&c.key) == key))
            .cloned()
    }

    /// The stored resource `id` of `collection` as a read sees it: after
    /// the next change a test scripted for it, if one is left.
    fn read(&mut self, collection: &Collection, id: &str) -> Option<&mut Record> {
        let change = self
            .scripts
            .get_mut(&(collection.key.clone(), id.to_owned()))
            .and_then(VecDeque::pop_front);
        let record = self.collections.get_mut(&collection.key)?.get_mut(id)?;
        if let Some(change) = change {
            record.fields.extend(change);
        }
        Some(record)
    }

    fn holds(&self, collection: &Collection, id: &str) -> bool {
        self.collections
            .get(&collection.key)
            .is_some_and(|items| items.contains_key(id))
    }

    /// Stores a resource of `collection` built like a create's answer with
    /// `fields` (documented answer fields) over it; returns its id.
    pub(crate) fn seed(
        &mut self,
        spec: &Spec,
        collection: &str,
        fields: &Value,
    ) -> Result<String, SetupError> {
        if rl_runs::is_collection(collection) {
            return self.rl_runs.seed(spec, fields);
        }
        let collection = self.named(spec, collection)?;
        let fields = setup::checked_fields(spec, &collection, fields)?.clone();
        let id = match fields.get(&collection.id_key).and_then(Value::as_str) {
            Some(id) if self.holds(&collection, id) => {
                return Err(SetupError::DuplicateId {
                    collection: collection.path.clone(),
                    id: id.to_owned(),
                });
            }
            Some(id) => id.to_owned(),
            None => self.fresh_id(&collection),
        };
        let mut record = Record {
            fields,
            sent: Map::new(),
            made_at: now(),
        };
        let create = spec
            .operations()
            .find(|op| op.method() == "POST" && op.path() == collection.path);
        if let Some((create, (wrap, _))) =
            create.and_then(|op| Some((op, resource_schema(spec, op, &collection.id_key)?)))
        {
            if let Some(answer) = show(spec, create, &collection, &id, &record) {
                let mut whole = resource_of(&answer.body, wrap);
                for (name, value) in &record.fields {
                    whole.insert(name.clone(), value.clone());
                }
                record.fields = whole;
            }
        }
        self.insert(&collection, &id, record);
        Ok(id)
    }

    /// Queues changes (documented answer fields) to the stored resource
    /// `id`, one applied on each later read.
    pub(crate) fn script(
        &mut self,
        spec: &Spec,
        collection: &str,
        id: &str,
        changes: Vec<Value>,
    ) -> Result<(), SetupError> {
        let collection = self.named(spec, collection)?;
        if !self.holds(&collection, id) {
            let stored: Vec<&str> = self
                .collections
                .get(&collection.key)
                .map(|items| items.keys().map(String::as_str).collect())
                .unwrap_or_default();
            return Err(SetupError::UnknownId {
                collection: collection.path.clone(),
                id: id.to_owned(),
                stored: if stored.is_empty() {
                    "nothing".to_owned()
                } else {
                    stored.join(", ")
                },
            });
        }
        let mut checked = Vec::with_capacity(changes.len());
        for change in &changes {
            checked.push(setup::checked_fields(spec, &collection, change)?.clone());
        }
        self.scripts
            .entry((collection.key.clone(), id.to_owned()))
            .or_default()
            .extend(checked);
        Ok(())
    }

    /// What `collection` holds, in id order.
    pub(crate) fn list(&mut self, spec: &Spec, collection: &str) -> Result<Vec<Value>, SetupError> {
        if rl_runs::is_collection(collection) {
            return Ok(self.rl_runs.list());
        }
        let collection = self.named(spec, collection)?;
        Ok(self
            .collections
            .get(&collection.key)
            .map(|items| {
                items
                    .values()
                    .map(|r| Value::Object(r.fields.clone()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The item of `collection` stored under `id`, if there is one.
    pub(crate) fn get(
        &mut self,
        spec: &Spec,
        collection: &str,
        id: &str,
    ) -> Result<Option<Value>, SetupError> {
        let collection = self.named(spec, collection)?;
        Ok(self
            .collections
            .get(&collection.key)
            .and_then(|items| items.get(id))
            .map(|record| Value::Object(record.fields.clone())))
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
        if let Some(answer) = self.rl_runs.answer(spec, op, request) {
            return Some(answer);
        }
        if op.path() == SANDBOX_STATUS_BATCH {
            let body: Value = serde_json::from_slice(&request.body).ok()?;
            return self.sandbox_statuses(spec, &body);
        }
        if op.path() == CHECKPOINT_BATCH {
            let body: Value = serde_json::from_slice(&request.body).ok()?;
            return self.checkpoints_found(spec, &body);
        }
        if let Some(missing) = self.unknown_id(spec, op, request) {
            return Some(missing);
        }
        if let Some(answer) = self.training_run(spec, op, request) {
            return Some(answer);
        }
        let (key, item) = collection_of(op.path());
        let collection = self.collection_at(spec, &key)?;
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if !item {
            return match op.method() {
                "POST" => self.create(spec, op, &collection, &body, request),
                "GET" => self.list_answer(spec, op, &collection, request),
                _ => None,
            };
        }
        let raw_id = request.path.trim_end_matches('/').rsplit('/').next()?;
        let id = decode(raw_id);
        match op.method() {
            "GET" => {
                let record = self.read(&collection, &id)?;
                show(spec, op, &collection, &id, record)
            }
            "PATCH" | "PUT" => {
                let record = self.collections.get_mut(&collection.key)?.get_mut(&id)?;
                update(record, &collection, &body);
                show(spec, op, &collection, &id, record)
            }
            "DELETE" => {
                self.collections.get_mut(&collection.key)?.remove(&id);
                self.scripts.remove(&(collection.key.clone(), id));
                None
            }
            _ => None,
        }
    }

    /// The answer of the supplement's batched sandbox status call from what
    /// is stored: each id's status, after the next scripted change (a batch
    /// read is a read of each), or a `NOT_FOUND` error for an id not held.
    fn sandbox_statuses(&mut self, spec: &Spec, body: &Value) -> Option<Answer> {
        let collection = self.named(spec, SANDBOXES).ok()?;
        let ids = body.get("sandbox_ids")?.as_array()?;
        let mut statuses = Vec::new();
        let mut errors = Vec::new();
        for id in ids.iter().filter_map(Value::as_str) {
            match self.read(&collection, id) {
                Some(record) => {
                    let status = record.fields.get("status").cloned();
                    // The build of a first-use image, as the sandbox shows it.
                    let building = record
                        .fields
                        .get("pendingImageBuildId")
                        .cloned()
                        .unwrap_or(Value::Null);
                    statuses.push(serde_json::json!({
                        "sandbox_id": id,
                        "status": status.unwrap_or_else(|| Value::from("PENDING")),
                        "pending_image_build_id": building,
                    }));
                }
                None => errors.push(serde_json::json!({
                    "sandbox_id": id,
                    "code": "NOT_FOUND",
                    "message": "Sandbox not found",
                })),
            }
        }
        Some(Answer::ok(
            200,
            serde_json::json!({"statuses": statuses, "errors": errors}),
        ))
    }

    /// The answer of the supplement's batched checkpoint lookup from what is
    /// stored: each checkpoint held, shown as its own read shows it after
    /// the next scripted change (a batch read is a read of each), or a
    /// `NOT_FOUND` error for an id not held.
    fn checkpoints_found(&mut self, spec: &Spec, body: &Value) -> Option<Answer> {
        let collection = self.collection_at(spec, &collection_of(CHECKPOINT).0)?;
        let read = spec
            .operations()
            .find(|op| op.method() == "GET" && op.path() == CHECKPOINT)?;
        let ids = body.get("checkpoint_ids")?.as_array()?;
        let mut checkpoints = Vec::new();
        let mut errors = Vec::new();
        for id in ids.iter().filter_map(Value::as_str) {
            match self.read(&collection, id) {
                Some(record) => {
                    checkpoints.push(show(spec, read, &collection, id, record)?.body);
                }
                None => errors.push(serde_json::json!({
                    "checkpoint_id": id,
                    "code": "NOT_FOUND",
                    "message": "Checkpoint not found",
                })),
            }
        }
        Some(Answer::ok(
            200,
            serde_json::json!({"checkpoints": checkpoints, "errors": errors}),
        ))
    }

    /// The `404` for the first id in `op`'s path that names a resource of a
    /// collection and is not stored (the item's own id, or a parent's, as
    /// in `/api/v1/sandbox/{sandbox_id}/logs`).
    fn unknown_id(&mut self, spec: &Spec, op: &Operation, request: &HttpRequest) -> Option<Answer> {
        let raw = split_path(&request.path);
        let mut prefix = String::new();
        for (index, segment) in op.segments.iter().enumerate() {
            match segment {
                Segment::Literal(literal) => {
                    if !literal.is_empty() {
                        prefix.push('/');
                        prefix.push_str(literal);
                    }
                }
                Segment::Param(name) => {
                    let here = prefix.clone();
                    let collection = self.collection_at(spec, &here);
                    if let (Some(collection), Some(raw_id)) = (collection, raw.get(index)) {
                        if !self.holds(&collection, &decode(raw_id)) {
                            return Some(not_found(&collection));
                        }
                    }
                    prefix.push_str(&format!("/{{{name}}}"));
                }
                // A version or other value inside a segment (`@{version}`)
                // names no stored resource: it only extends the prefix.
                Segment::Embedded(embedded) => {
                    prefix.push('/');
                    prefix.push_str(&embedded.prefix);
                    prefix.push_str(&format!("{{{}}}", embedded.name));
                    prefix.push_str(&embedded.suffix);
                }
            }
        }
        None
    }

    fn create(
        &mut self,
        spec: &Spec,
        op: &Operation,
        collection: &Collection,
        body: &Value,
        request: &HttpRequest,
    ) -> Option<Answer> {
        // Items the client names (`/volumes/{name}`) are stored under the
        // name it chose.
        let chosen = (collection.id_key == "name")
            .then(|| body.get("name").and_then(Value::as_str))
            .flatten()
            .map(str::to_owned);
        let id = chosen.unwrap_or_else(|| self.fresh_id(collection));
        let body = match op.request_body() {
            Some(documented) => with_defaults(spec, documented.schema(), body),
            None => body.clone(),
        };
        let mut sent = sent_fields(&body);
        // A team given in the query belongs to the resource like one in the body.
        for name in ["teamId", "team_id"] {
            if let Some((_, team)) = request.query.iter().find(|(key, _)| key == name) {
                sent.entry("teamId".to_owned())
                    .or_insert_with(|| Value::String(team.clone()));
            }
        }
        let mut record = Record {
            fields: Map::new(),
            sent,
            made_at: now(),
        };
        let answer = show(spec, op, collection, &id, &record)?;
        let (wrap, _) = resource_schema(spec, op, &collection.id_key)?;
        record.fields = resource_of(&answer.body, wrap);
        self.insert(collection, &id, record);
        Some(answer)
    }
}

/// Applies an update's body to `record`: each sent field changes the stored
/// field it names (in either spelling), or is kept with what was sent.
fn update(record: &mut Record, collection: &Collection, body: &Value) {
    for (name, value) in sent_fields(body) {
        if value.is_null() || name == collection.id_key {
            continue;
        }
        // The stored field this sent one is shown as, found the way an
        // answer finds it.
        let sent = Map::from_iter([(name.clone(), value.clone())]);
        let stored = record
            .fields
            .keys()
            .find(|field| lookup(&[&sent], field).is_some())
            .cloned();
        if let Some(field) = stored {
            record.fields.insert(field, value.clone());
        }
        record.sent.insert(name, value);
    }
    // The server owns the time of the last change.
    let changed = now();
    for (field, value) in &mut record.fields {
        if folded(field) == "updatedat" {
            *value = Value::String(changed.clone());
        }
    }
}
