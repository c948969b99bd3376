//! Waiting for checkpoints to become `DURABLE`, the state in which a sandbox
//! can be restored from them ([`Sandboxes::restore`]). Each round asks the
//! checkpoints still on their way through the batched lookup, one request
//! per 100 checkpoints, as the official client pools its waits.

use std::collections::HashMap;

use pi_types::SandboxCheckpoint;

use crate::error::Error;
use crate::sandboxes::{MAX_BATCH, Sandboxes};
use crate::wait::{self, Pauses, WaitPolicy};

/// The state a checkpoint can be restored from.
const DURABLE: &str = "DURABLE";

/// The states a checkpoint does not come back from: its upload failed, or it
/// is being deleted.
const ENDED: [&str; 2] = ["FAILED", "DELETING"];

impl Sandboxes<'_> {
    /// Waits until the checkpoint `checkpoint_id` is `DURABLE` and returns
    /// it, with the default [`WaitPolicy`] (at most 20 minutes).
    ///
    /// ```no_run
    /// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
    /// let sandboxes = client.sandboxes();
    /// let checkpoint = sandboxes.create_checkpoint("sbx_1").send().await?;
    /// let durable = sandboxes.wait_until_checkpoint_durable(&checkpoint.id).await?;
    /// sandboxes.restore("again", &durable.id).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Sandboxes::wait_until_checkpoints_durable`].
    pub async fn wait_until_checkpoint_durable(
        &self,
        checkpoint_id: &str,
    ) -> Result<SandboxCheckpoint, Error> {
        let mut durable = self
            .wait_until_checkpoints_durable_with([checkpoint_id], &WaitPolicy::default())
            .await?;
        durable.pop().ok_or_else(|| Error::NotFound {
            message: Some(format!(
                "checkpoint {checkpoint_id}: the lookup answered without it"
            )),
            suspect_base_url: None,
        })
    }

    /// Waits until every checkpoint of `checkpoint_ids` is `DURABLE`, with
    /// the default [`WaitPolicy`], and returns them in the order given
    /// (each id once). Each round asks only the checkpoints not yet durable,
    /// 100 to a request ([`batch_checkpoints`](Self::batch_checkpoints)).
    ///
    /// # Errors
    /// [`Error::WaitEnded`] naming the first checkpoint found `FAILED` or
    /// `DELETING`, [`Error::NotFound`] naming one the API does not know,
    /// [`Error::WaitTimedOut`] naming one still on its way at the deadline,
    /// and any error of the request path.
    pub async fn wait_until_checkpoints_durable<I, S>(
        &self,
        checkpoint_ids: I,
    ) -> Result<Vec<SandboxCheckpoint>, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.wait_until_checkpoints_durable_with(checkpoint_ids, &WaitPolicy::default())
            .await
    }

    /// [`Sandboxes::wait_until_checkpoints_durable`] with your own pauses
    /// and deadline.
    ///
    /// # Errors
    /// As [`Sandboxes::wait_until_checkpoints_durable`].
    pub async fn wait_until_checkpoints_durable_with<I, S>(
        &self,
        checkpoint_ids: I,
        policy: &WaitPolicy,
    ) -> Result<Vec<SandboxCheckpoint>, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut order: Vec<String> = Vec::new();
        for id in checkpoint_ids {
            let id = id.as_ref();
            if !order.iter().any(|seen| seen == id) {
                order.push(id.to_owned());
            }
        }
        let started = tokio::time::Instant::now();
        let mut pauses = Pauses::of(policy);
        let mut pending = order.clone();
        let mut durable: HashMap<String, SandboxCheckpoint> = HashMap::new();
        let mut last: HashMap<String, String> = HashMap::new();
        while !pending.is_empty() {
            let mut found: HashMap<String, SandboxCheckpoint> = HashMap::new();
            for chunk in pending.chunks(MAX_BATCH) {
                let answer = self.batch_checkpoints(chunk.iter().cloned()).send().await?;
                if let Some(missing) = answer.errors.into_iter().next() {
                    return Err(Error::NotFound {
                        message: Some(format!(
                            "checkpoint {}: {} ({})",
                            missing.checkpoint_id, missing.message, missing.code
                        )),
                        suspect_base_url: None,
                    });
                }
                found.extend(
                    answer
                        .checkpoints
                        .into_iter()
                        .map(|checkpoint| (checkpoint.id.clone(), checkpoint)),
                );
            }
            let mut still = Vec::with_capacity(pending.len());
            for id in pending {
                // Neither found nor listed as an error: asked again next round.
                let Some(checkpoint) = found.remove(&id) else {
                    still.push(id);
                    continue;
                };
                let state = checkpoint.state.clone();
                if last.get(&id) != Some(&state) {
                    let previous = last.insert(id.clone(), state.clone());
                    wait::changed("checkpoint", &id, policy, &state, previous, started);
                }
                if state == DURABLE {
                    durable.insert(id, checkpoint);
                } else if ENDED.contains(&state.as_str()) {
                    return Err(Error::WaitEnded {
                        resource: "checkpoint",
                        id,
                        state,
                    });
                } else {
                    still.push(id);
                }
            }
            pending = still;
            if !pending.is_empty() && !pauses.pause().await {
                let id = pending.swap_remove(0);
                let state = last.remove(&id);
                return Err(wait::timed_out("checkpoint", &id, state, policy));
            }
        }
        Ok(order
            .into_iter()
            .filter_map(|id| durable.remove(&id))
            .collect())
    }
}
