//! Listing a stored collection as the API does: filtered by team (the
//! `teamId`/`team_id` query, personal resources without it), by `labels`
//! (every label asked for), by any other query parameter named like a
//! stored field (`status`, `user_id`), then paged.

use serde_json::{Map, Value};

use super::render::{Owned, lookup, non_null, properties, render};
use super::{Answer, Collection, Record, Store};
use crate::request::HttpRequest;
use crate::spec::{Operation, ParameterLocation, Spec};

/// Query parameters that page rather than filter.
const PAGING: [&str; 5] = ["offset", "limit", "page", "per_page", "skip"];

/// Query parameters that carry the team.
const TEAM: [&str; 2] = ["teamId", "team_id"];

/// The key of a list answer's items (`data`, or the page's one list, such
/// as `sandboxes`) and the schema of one item.
pub(super) fn item_schema<'s>(spec: &'s Spec, op: &'s Operation) -> Option<(String, &'s Value)> {
    let props = properties(spec, op.success_response()?.schema()?)?;
    let is_list = |schema: &Value| non_null(spec, schema).get("items").is_some();
    let key = if props.get("data").is_some_and(&is_list) {
        "data".to_owned()
    } else {
        let mut lists = props.iter().filter(|(_, schema)| is_list(schema));
        match (lists.next(), lists.next()) {
            (Some((name, _)), None) => name.clone(),
            _ => return None,
        }
    };
    let items = non_null(spec, props.get(&key)?).get("items")?;
    Some((key, items))
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

/// Whether `record` is one the list asks for.
fn kept(op: &Operation, record: &Record, request: &HttpRequest) -> bool {
    let sources = [&record.fields, &record.sent];
    // The team only where the operation documents it: a list without one
    // shows what the document says it shows, everything.
    let documents_team = TEAM
        .iter()
        .any(|name| op.parameter(ParameterLocation::Query, name).is_some());
    if documents_team {
        let asked = TEAM.iter().find_map(|name| query(request, name));
        let owner = lookup(&sources, "teamId").and_then(Value::as_str);
        if asked != owner {
            return false;
        }
    }
    let labels: Vec<&str> = request
        .query
        .iter()
        .filter(|(name, _)| name == "labels")
        .flat_map(|(_, value)| value.split(','))
        .filter(|label| !label.is_empty())
        .collect();
    if !labels.is_empty() {
        let has = lookup(&sources, "labels")
            .and_then(Value::as_array)
            .is_some_and(|held| {
                labels
                    .iter()
                    .all(|label| held.iter().any(|h| h.as_str() == Some(label)))
            });
        if !has {
            return false;
        }
    }
    request.query.iter().all(|(name, value)| {
        if PAGING.contains(&name.as_str()) || TEAM.contains(&name.as_str()) || name == "labels" {
            return true;
        }
        match lookup(&sources, name) {
            Some(Value::String(stored)) => stored == value,
            Some(Value::Bool(stored)) => stored.to_string() == *value,
            _ => true,
        }
    })
}

impl Store {
    pub(super) fn list_answer(
        &self,
        spec: &Spec,
        op: &Operation,
        collection: &Collection,
        request: &HttpRequest,
    ) -> Option<Answer> {
        let success = op.success_response()?;
        let status = success.status();
        let schema = success.schema()?;
        let (items_key, item) = item_schema(spec, op)?;
        let all: Vec<(&String, &Record)> = self
            .collections
            .get(&collection.key)
            .map(|items| {
                items
                    .iter()
                    .filter(|(_, record)| kept(op, record, request))
                    .collect()
            })
            .unwrap_or_default();
        let total = all.len();
        // An item may call the id `id` where the create called it otherwise.
        let id_key = match properties(spec, item) {
            Some(props) if !props.contains_key(&collection.id_key) && props.contains_key("id") => {
                "id"
            }
            _ => collection.id_key.as_str(),
        };
        let documented_default = |name: &str| {
            op.parameter(ParameterLocation::Query, name)
                .and_then(|p| spec.resolve(p.schema()).get("default"))
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
        };
        let (start, limit, page_number) =
            if op.parameter(ParameterLocation::Query, "per_page").is_some() {
                let per_page = query_number(request, "per_page")
                    .or_else(|| documented_default("per_page"))
                    .unwrap_or(usize::MAX);
                let page_number = query_number(request, "page").unwrap_or(1).max(1);
                (
                    (page_number - 1).saturating_mul(per_page),
                    per_page,
                    page_number,
                )
            } else {
                let start = query_number(request, "offset")
                    .or_else(|| query_number(request, "skip"))
                    .unwrap_or(0);
                let limit = query_number(request, "limit")
                    .or_else(|| documented_default("limit"))
                    .unwrap_or(usize::MAX);
                (start, limit, 1)
            };
        let items: Vec<Value> = all
            .into_iter()
            .skip(start)
            .take(limit)
            .map(|(id, record)| {
                let owned = Owned {
                    id_key,
                    id,
                    made_at: &record.made_at,
                };
                render(spec, item, &[&record.fields, &record.sent], &owned, 0)
            })
            .collect();
        let shown = items.len();
        let shown_limit = if limit == usize::MAX { shown } else { limit };
        let mut counts = Map::new();
        counts.insert(items_key, Value::Array(items));
        for name in ["total_count", "totalCount", "total"] {
            counts.insert(name.to_owned(), Value::from(total));
        }
        for name in ["offset", "skip"] {
            counts.insert(name.to_owned(), Value::from(start));
        }
        for name in ["limit", "per_page"] {
            counts.insert(name.to_owned(), Value::from(shown_limit));
        }
        counts.insert("page".to_owned(), Value::from(page_number));
        counts.insert("has_next".to_owned(), Value::Bool(start + shown < total));
        counts.insert(
            "total_pages".to_owned(),
            Value::from(total.div_ceil(shown_limit.max(1))),
        );
        let owned = Owned {
            id_key: &collection.id_key,
            id: "",
            made_at: "",
        };
        let mut page = render(spec, schema, &[&counts], &owned, 0);
        let violations = spec.validate_response(op.id(), status, &page);
        if !violations.is_empty() {
            repair(spec, op, status, &mut page, &violations);
        }
        Some(Answer::ok(status, page))
    }
}

/// Replaces each value named by `violations` (a page field, or a field of
/// one item) with the maximal synthesized page's value for it.
fn repair(
    spec: &Spec,
    op: &Operation,
    status: u16,
    page: &mut Value,
    violations: &[crate::Violation],
) {
    let Ok(synthesized) = spec.synthesize(op.id(), status) else {
        return;
    };
    let maximal = synthesized.maximal();
    for violation in violations {
        let Some(pointer) = violation.location.strip_prefix("body") else {
            continue;
        };
        let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
        let (target, good) = match tokens.as_slice() {
            [list, index, field, ..] if index.parse::<usize>().is_ok() => (
                format!("/{list}/{index}/{field}"),
                maximal.pointer(&format!("/{list}/0/{field}")),
            ),
            [field, ..] => (format!("/{field}"), maximal.pointer(&format!("/{field}"))),
            [] => continue,
        };
        if let (Some(slot), Some(good)) = (page.pointer_mut(&target), good) {
            *slot = good.clone();
        }
    }
}
