//! Operations: which exist in each document, which moved (same
//! `operationId`, another method or path), which were added or removed, and
//! the walk of each pair through the other rule families.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Class, Differ, rules};
use crate::openapi::{METHODS, deref};

/// An operation's place on the wire: its method and its path with the
/// parameter names left out (`/things/{}`), since those names never travel.
/// Ordered as reports list operations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct OpKey {
    shape: String,
    method_rank: usize,
}

/// An operation with the path item that holds it.
pub(super) struct OpView<'a> {
    /// The path template as the document writes it.
    pub(super) path: &'a str,
    /// The upper-case method.
    method: String,
    /// The path item, for its `parameters` and `servers`.
    pub(super) item: &'a Value,
    /// The operation object.
    pub(super) op: &'a Value,
}

impl OpView<'_> {
    /// `GET /things/{id}`: what changes name as their operation.
    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// `path` with every `{name}` written `{}`: what the template matches on the
/// wire.
pub fn wire_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut in_name = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_name = true;
                shape.push('{');
            }
            '}' => {
                in_name = false;
                shape.push('}');
            }
            _ if in_name => {}
            _ => shape.push(c),
        }
    }
    shape
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
                        shape: wire_shape(path),
                        method_rank: rank,
                    },
                    OpView {
                        path,
                        method: method.to_uppercase(),
                        item,
                        op,
                    },
                );
            }
        }
    }
    out
}

/// Where a change recorded under `label` sorts in the report: by path, then
/// method. A label that is not `METHOD /path` (`servers`) has the empty
/// path, so document-level findings come first.
pub(super) fn report_order(label: &str) -> (String, usize) {
    let (method, path) = label.split_once(' ').unwrap_or((label, ""));
    let rank = METHODS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or(METHODS.len());
    (path.to_owned(), rank)
}

impl<'a> Differ<'a> {
    /// Compares every operation of the two documents.
    pub(super) fn all_operations(&mut self) {
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
            // Findings name the operation as the SDK knows it (the old
            // document's template), or as the new document has it when new.
            self.operation = old_ops
                .get(key)
                .or_else(|| new_ops.get(key))
                .map(OpView::label)
                .unwrap_or_default();
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
                    if let Some(old) = moved_from.get(key).and_then(|from| old_ops.get(*from)) {
                        self.push(
                            Class::Breaking,
                            rules::OPERATION_MOVED,
                            "",
                            format!("operation moved: {} -> {}", old.label(), new.label()),
                        );
                        self.operation_pair(old, new);
                    } else {
                        self.push(
                            Class::Behind,
                            rules::OPERATION_ADDED,
                            "",
                            "operation added".to_owned(),
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }

    /// Compares one operation as it is in both documents.
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
            let (class, detail) = if new_dep {
                (Class::Behind, "deprecated")
            } else {
                (Class::None, "no longer deprecated")
            };
            self.push(class, rules::OPERATION_DEPRECATED, "", detail.to_owned());
        }
        self.operation_servers(old, new);
        self.parameters(old, new);
        self.request_body(old.op.get("requestBody"), new.op.get("requestBody"));
        self.responses(old.op.get("responses"), new.op.get("responses"));
        self.security(old.op, new.op);
    }
}

/// Gives each operation of `doc` the `operationId` of the operation of
/// `reference` at the same place on the wire (method and path shape), so
/// that code which names operations by id (the contract suite's drivers)
/// finds them in a document whose generator renamed them: an id never
/// travels on the wire. Returns how many ids changed.
pub fn align_operation_ids(reference: &Value, doc: &mut Value) -> usize {
    let ids: BTreeMap<OpKey, String> = operations(reference)
        .into_iter()
        .filter_map(|(key, view)| {
            view.op
                .get("operationId")
                .and_then(Value::as_str)
                .map(|id| (key, id.to_owned()))
        })
        .collect();
    let mut changed = 0;
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return 0;
    };
    for (path, item) in paths.iter_mut() {
        let shape = wire_shape(path);
        for (rank, method) in METHODS.iter().enumerate() {
            let key = OpKey {
                shape: shape.clone(),
                method_rank: rank,
            };
            let (Some(id), Some(op)) = (ids.get(&key), item.get_mut(*method)) else {
                continue;
            };
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            if op.get("operationId").and_then(Value::as_str) != Some(id.as_str()) {
                op.insert("operationId".to_owned(), Value::String(id.clone()));
                changed += 1;
            }
        }
    }
    changed
}
