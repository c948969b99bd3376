//! Training runs in the stateful mock: a stored run (one made with
//! `POST /api/v1/training/runs`) can be paused and resumed, in the state
//! names the official `prime` CLI shows (`RUNNING`, `PAUSED`).
//!
//! - a pause answers `{"status": "PAUSED"}` and leaves the run paused (the
//!   mock has no checkpoint to wait for, so it skips the `PAUSING` step the
//!   API may report first);
//! - a resume continues the run as a new one, as the API does: the answer is
//!   a new stored run (its own `runId` and token), `RUNNING`, carrying what
//!   the request changed (`gpuType`, `imageTag`); the paused run stays paused;
//! - a pause or resume of a run that is not stored answers `404`, like any
//!   unknown id under a collection (see the parent module).
//!
//! The mock does not refuse to resume a run that is not paused: what the API
//! answers then is not known from the official clients.

use serde_json::{Map, Value, json};

use super::render::{now, sent_fields};
use super::{Answer, Record, Store, Wrap, not_found, resource_of, show};
use crate::request::HttpRequest;
use crate::spec::{Operation, Spec, decode};

/// The training runs' collection.
const RUNS: &str = "/api/v1/training/runs";

/// The supplement's pause of a run.
const PAUSE: &str = "/api/v1/training/runs/{run_id}/pause";

/// The supplement's resume of a paused run.
const RESUME: &str = "/api/v1/training/runs/{run_id}/resume";

/// The state of a run that is paused.
const PAUSED: &str = "PAUSED";

/// The state of a run that is running.
const RUNNING: &str = "RUNNING";

/// The stored field holding a run's state.
const STATUS: &str = "status";

impl Store {
    /// Answers a pause or a resume of a training run from the store, or
    /// `None` when `op` is neither (or the store has no runs' collection).
    pub(super) fn training_run(
        &mut self,
        spec: &Spec,
        op: &Operation,
        request: &HttpRequest,
    ) -> Option<Answer> {
        let resume = match op.path() {
            PAUSE => false,
            RESUME => true,
            _ => return None,
        };
        let collection = self.collection_at(spec, RUNS)?;
        // `/api/v1/training/runs/{run_id}/pause`: the id is the next-to-last segment.
        let id = decode(request.path.trim_end_matches('/').rsplit('/').nth(1)?);
        if !self.holds(&collection, &id) {
            return Some(not_found(&collection));
        }
        if !resume {
            let record = self.collections.get_mut(&collection.key)?.get_mut(&id)?;
            record.fields.insert(STATUS.to_owned(), Value::from(PAUSED));
            let status = op.success_response()?.status();
            return Some(Answer::ok(status, json!({ STATUS: PAUSED })));
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let new_id = self.fresh_id(&collection);
        let mut record = Record {
            fields: Map::new(),
            sent: sent_fields(&body),
            made_at: now(),
        };
        let answer = show(spec, op, &collection, &new_id, &record)?;
        record.fields = resource_of(&answer.body, Wrap::Direct);
        record
            .fields
            .insert(STATUS.to_owned(), Value::from(RUNNING));
        self.insert(&collection, &new_id, record);
        Some(answer)
    }
}
