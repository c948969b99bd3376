//! Hosted training (RL) runs in the stateful mode: the supplement describes
//! no call that creates one, so a test puts runs in place with
//! [`ContractServer::seed`](crate::ContractServer::seed) on
//! `/api/v1/rft/runs`, reads them back with `stored`, and the calls act on
//! them:
//!
//! - `PUT …/{run_id}/stop` turns the run `STOPPED` (stamping `completedAt`),
//!   as the `prime` CLI waits for after a stop;
//! - `PUT …/{run_id}/restart` puts it back to `PENDING`, queued to go on
//!   from its latest checkpoint (`completedAt` cleared);
//! - `GET …/{run_id}` shows it, `DELETE` removes it, and `GET /api/v1/rft/runs`
//!   lists the runs held, a page at a time (`page`, `limit`), of the team the
//!   query names when it names one;
//! - a run not held answers `404 {"detail": "Run not found"}` on its own path
//!   and under it (`…/{run_id}/logs`); a held run's other reads answer as in
//!   the stateless mode.
//!
//! Each answer is checked against the document before it goes out.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::render::{now, properties};
use super::setup::json_type;
use super::{Answer, SetupError};
use crate::deviation::Deviation;
use crate::request::HttpRequest;
use crate::spec::{Operation, Spec, decode};

/// The runs' collection, as `seed` and `stored` take it.
pub(crate) const COLLECTION: &str = "/api/v1/rft/runs";

/// The read of one run, whose answer (`{"run": …}`) gives the run's schema.
const GET_RUN: &str = "get_rft_run";

/// The state a stopped run reaches: the `prime` CLI's stop waits for it.
pub(crate) const STOPPED: &str = "STOPPED";

/// The state a restarted run goes back to: queued to start again from its
/// latest checkpoint, one of the `prime` CLI's run states.
pub(crate) const RESTARTED: &str = "PENDING";

/// The state a seeded run starts in unless the test gives one.
const SEEDED: &str = "RUNNING";

/// The runs a stateful server holds, by id.
#[derive(Debug, Default)]
pub(crate) struct RlRuns {
    runs: BTreeMap<String, Map<String, Value>>,
    next_id: u64,
}

/// Whether `collection` (with or without a trailing slash) names the runs.
pub(crate) fn is_collection(collection: &str) -> bool {
    collection.trim_end_matches('/') == COLLECTION
}

/// The documented fields of a run, with their schemas, when the document
/// describes the runs.
fn run_fields(spec: &Spec) -> Option<&Map<String, Value>> {
    let op = spec.operation(GET_RUN)?;
    let answer = properties(spec, op.success_response()?.schema()?)?;
    properties(spec, answer.get("run")?)
}

/// Puts `run` in the state `status`: a stop stamps the time it ended, a
/// restart clears it; either is a change the server owns.
fn set_status(run: &mut Map<String, Value>, status: &str) {
    let changed = now();
    let completed = if status == STOPPED {
        Value::String(changed.clone())
    } else {
        Value::Null
    };
    run.insert("status".to_owned(), Value::from(status));
    run.insert("completedAt".to_owned(), completed);
    run.insert("updatedAt".to_owned(), Value::String(changed));
}

fn not_found() -> Answer {
    Answer {
        status: 404,
        body: json!({"detail": "Run not found"}),
        deviation: Some(Deviation::UnknownIdNotFound),
    }
}

impl RlRuns {
    /// Stores a run built from `fields` (documented run fields) over a
    /// minimal one in the `RUNNING` state; returns its id.
    pub(crate) fn seed(&mut self, spec: &Spec, fields: &Value) -> Result<String, SetupError> {
        let collection = COLLECTION.to_owned();
        let documented = run_fields(spec).ok_or_else(|| SetupError::UnknownCollection {
            collection: collection.clone(),
            valid: super::collection_paths(spec).join(", "),
        })?;
        let Some(given) = fields.as_object() else {
            return Err(SetupError::NotAnObject {
                collection,
                given: json_type(fields).to_owned(),
            });
        };
        if let Some(field) = given.keys().find(|name| !documented.contains_key(*name)) {
            let mut valid: Vec<&str> = documented.keys().map(String::as_str).collect();
            valid.sort_unstable();
            return Err(SetupError::UnknownField {
                collection,
                field: field.clone(),
                valid: valid.join(", "),
            });
        }
        let id = match given.get("id").and_then(Value::as_str) {
            Some(id) if self.runs.contains_key(id) => {
                return Err(SetupError::DuplicateId {
                    collection,
                    id: id.to_owned(),
                });
            }
            Some(id) => id.to_owned(),
            None => {
                self.next_id += 1;
                format!("run-{:04}", self.next_id)
            }
        };
        let made_at = now();
        let mut run = spec
            .synthesize(GET_RUN, 200)
            .ok()
            .and_then(|answer| answer.minimal().get("run")?.as_object().cloned())
            .unwrap_or_default();
        run.insert("id".to_owned(), Value::String(id.clone()));
        run.insert("status".to_owned(), Value::from(SEEDED));
        run.insert("createdAt".to_owned(), Value::String(made_at.clone()));
        run.insert("updatedAt".to_owned(), Value::String(made_at));
        run.extend(given.clone());
        let shown = json!({"run": run});
        if let Some(broken) = spec.validate_response(GET_RUN, 200, &shown).first() {
            let field = broken
                .location
                .strip_prefix("body/run/")
                .and_then(|rest| rest.split('/').next())
                .unwrap_or("run")
                .to_owned();
            let value = given.get(&field).map_or_else(String::new, Value::to_string);
            return Err(SetupError::InvalidValue {
                collection,
                field,
                value,
                expected: broken.message.clone(),
            });
        }
        self.runs.insert(id.clone(), run);
        Ok(id)
    }

    /// The runs held, in id order.
    pub(crate) fn list(&self) -> Vec<Value> {
        self.runs.values().cloned().map(Value::Object).collect()
    }

    /// Answers `request` to `op` when it is a call on the runs, `None`
    /// otherwise (and for what the stateless mode answers: a delete, the
    /// other reads of a held run).
    pub(crate) fn answer(
        &mut self,
        spec: &Spec,
        op: &Operation,
        request: &HttpRequest,
    ) -> Option<Answer> {
        let rest = op.path().strip_prefix(COLLECTION)?;
        if rest.is_empty() {
            return (op.method() == "GET").then(|| self.page(request));
        }
        let raw_id = request
            .path
            .strip_prefix(COLLECTION)?
            .trim_start_matches('/')
            .split('/')
            .next()?;
        let id = decode(raw_id);
        if !self.runs.contains_key(&id) {
            return Some(not_found());
        }
        match (op.method(), rest) {
            ("GET", "/{run_id}") => self.show(spec, op, &id),
            ("DELETE", "/{run_id}") => {
                self.runs.remove(&id);
                None
            }
            ("PUT", "/{run_id}/stop") => {
                set_status(self.runs.get_mut(&id)?, STOPPED);
                self.show(spec, op, &id)
            }
            ("PUT", "/{run_id}/restart") => {
                set_status(self.runs.get_mut(&id)?, RESTARTED);
                self.show(spec, op, &id)
            }
            _ => None,
        }
    }

    /// `{"run": …}` for the run `id`, as `op` answers, if it holds.
    fn show(&self, spec: &Spec, op: &Operation, id: &str) -> Option<Answer> {
        let body = json!({"run": self.runs.get(id)?});
        spec.validate_response(op.id(), 200, &body)
            .is_empty()
            .then(|| Answer::ok(200, body))
    }

    /// One page of the runs held, of the team the query names when it names
    /// one.
    fn page(&self, request: &HttpRequest) -> Answer {
        let query = |name: &str| {
            request
                .query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let number = |name: &str, default: usize| {
            query(name)
                .and_then(|value| value.parse::<usize>().ok())
                .filter(|n| *n >= 1)
                .unwrap_or(default)
        };
        let (page, limit) = (number("page", 1), number("limit", 20));
        let team = query("team_id");
        let matching: Vec<&Map<String, Value>> = self
            .runs
            .values()
            .filter(|run| team.is_none_or(|team| run.get("teamId") == Some(&Value::from(team))))
            .collect();
        let total = matching.len();
        let runs: Vec<&Map<String, Value>> = matching
            .into_iter()
            .skip((page - 1).saturating_mul(limit))
            .take(limit)
            .collect();
        let body = json!({
            "runs": runs,
            "total": total,
            "page": page,
            "limit": limit,
            "total_pages": total.div_ceil(limit),
        });
        Answer::ok(200, body)
    }
}
