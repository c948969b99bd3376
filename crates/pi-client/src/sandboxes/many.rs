//! Waiting for many sandboxes at once: each round asks the states of the
//! sandboxes still on their way through the batched status call (one
//! request per 100 sandboxes), which is what makes waiting for thousands
//! affordable. An API without that call (it answers 404 or 405, as one that
//! predates it does) is asked one sandbox at a time instead, as the official
//! client falls back.

use std::collections::HashMap;

use pi_types::{SandboxStatusLookupErrorCode, WireEnum};

use crate::error::Error;
use crate::sandboxes::{Sandboxes, held_by_image_build};
use crate::wait::{self, Pauses, Progress, WaitPolicy};

/// The most sandboxes one batched status call takes.
pub const MAX_BATCH: usize = 100;

/// What one round learned of one sandbox: its state, or why it could not be
/// looked up.
enum Seen {
    /// Its state, and whether the platform is building its image first.
    State(String, bool),
    Missing(String),
}

impl Sandboxes<'_> {
    /// Waits until every sandbox of `sandbox_ids` is `RUNNING`, with the
    /// default [`WaitPolicy`] (at most 20 minutes). Each round asks only
    /// the sandboxes not yet running, 100 to a request
    /// ([`batch_status`](Self::batch_status)); the policy's progress hook
    /// hears of each sandbox's every change of state. While any of them
    /// waits for the platform to build its image, the deadline is held back,
    /// up to [`WaitPolicy::image_build_deadline`] for those builds in all.
    ///
    /// # Errors
    /// [`Error::WaitEnded`] naming the first sandbox found `ERROR`,
    /// `TERMINATED` or `TIMEOUT` (a sandbox does not come back from them),
    /// [`Error::NotFound`] naming one the API does not know,
    /// [`Error::WaitTimedOut`] naming one still on its way at the deadline,
    /// and any error of the request path.
    pub async fn wait_until_all_running<I, S>(&self, sandbox_ids: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.wait_until_all_running_with(sandbox_ids, &WaitPolicy::default())
            .await
    }

    /// [`Sandboxes::wait_until_all_running`] with your own pauses and
    /// deadline.
    ///
    /// # Errors
    /// As [`Sandboxes::wait_until_all_running`].
    pub async fn wait_until_all_running_with<I, S>(
        &self,
        sandbox_ids: I,
        policy: &WaitPolicy,
    ) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut pending: Vec<String> = Vec::new();
        for id in sandbox_ids {
            let id = id.as_ref();
            if !pending.iter().any(|seen| seen == id) {
                pending.push(id.to_owned());
            }
        }
        let started = tokio::time::Instant::now();
        let mut pauses = Pauses::of(policy);
        let mut batched = true;
        let mut last: HashMap<String, String> = HashMap::new();
        while !pending.is_empty() {
            let round = if batched {
                match self.batch_round(&pending).await {
                    Ok(round) => round,
                    // An API without the batched call: one sandbox at a time.
                    Err(Error::NotFound { .. } | Error::UnexpectedStatus { status: 405, .. }) => {
                        batched = false;
                        tracing::info!(
                            "the API has no batched sandbox status; asking each sandbox"
                        );
                        self.single_round(&pending).await?
                    }
                    Err(error) => return Err(error),
                }
            } else {
                self.single_round(&pending).await?
            };
            let mut still = Vec::with_capacity(pending.len());
            let mut building: Option<(String, String)> = None;
            for (id, seen) in round {
                let (state, image_build) = match seen {
                    Seen::Missing(message) => {
                        return Err(Error::NotFound {
                            message: Some(format!("sandbox {id}: {message}")),
                            suspect_base_url: None,
                        });
                    }
                    Seen::State(state, image_build) => (state, image_build),
                };
                if last.get(&id) != Some(&state) {
                    let previous = last.insert(id.clone(), state.clone());
                    wait::changed("sandbox", &id, policy, &state, previous, started);
                }
                match state.as_str() {
                    "RUNNING" => {}
                    "ERROR" | "TERMINATED" | "TIMEOUT" => {
                        return Err(Error::WaitEnded {
                            resource: "sandbox",
                            id,
                            state,
                        });
                    }
                    _ => {
                        let judged = held_by_image_build((state, Progress::Pending), image_build);
                        if judged.1 == Progress::Building && building.is_none() {
                            building = Some((id.clone(), judged.0));
                        }
                        still.push(id);
                    }
                }
            }
            // One budget for the image builds of the sandboxes waited for:
            // while any builds, the deadline is held back.
            if let Some((id, state)) = building {
                if !pauses.building() {
                    return Err(wait::build_timed_out("sandbox", &id, state, policy));
                }
            }
            pending = still;
            if !pending.is_empty() && !pauses.pause().await {
                let id = pending.swap_remove(0);
                let state = last.remove(&id);
                return Err(wait::timed_out("sandbox", &id, state, policy));
            }
        }
        Ok(())
    }

    /// One round through the batched call, 100 sandboxes to a request.
    async fn batch_round(&self, pending: &[String]) -> Result<Vec<(String, Seen)>, Error> {
        let mut round = Vec::with_capacity(pending.len());
        for chunk in pending.chunks(MAX_BATCH) {
            let answer = self.batch_status(chunk.iter().cloned()).send().await?;
            for snapshot in answer.statuses {
                let state = snapshot.status.as_str().to_owned();
                let building = snapshot.pending_image_build_id.is_some();
                round.push((snapshot.sandbox_id, Seen::State(state, building)));
            }
            for error in answer.errors {
                let message = match error.code {
                    SandboxStatusLookupErrorCode::NotFound => error.message,
                    code => format!("{} ({})", error.message, code.as_str()),
                };
                round.push((error.sandbox_id, Seen::Missing(message)));
            }
        }
        Ok(round)
    }

    /// One round of single reads, for an API without the batched call.
    async fn single_round(&self, pending: &[String]) -> Result<Vec<(String, Seen)>, Error> {
        let mut round = Vec::with_capacity(pending.len());
        for id in pending {
            let sandbox = self.get(id).send().await?;
            let building = sandbox.pending_image_build_id.is_some();
            let state = sandbox.status.as_str().to_owned();
            round.push((id.clone(), Seen::State(state, building)));
        }
        Ok(round)
    }
}
