//! Sandboxes: short-lived containers (or VMs) you start from a Docker image,
//! wait for, reach through exposed ports or SSH, read the logs of and delete
//! (the document's `Sandbox` tag, under `/api/v1/sandbox`).
//!
//! Besides one method per operation, the area offers [`SandboxGuard`] and
//! [`Sandboxes::with_sandbox`], which delete a sandbox once the caller is
//! done with it, on error paths too.
//!
//! # Example
//!
//! ```no_run
//! use pi_client::types::StartCommand;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let sandbox = client
//!     .sandboxes()
//!     .create("scratch", "python:3.12-slim")
//!     .cpu_cores(2.0)
//!     .memory_gb(4.0)
//!     .start_command(StartCommand::new("python").with_args(vec![
//!         "-m".into(),
//!         "http.server".into(),
//!         "8000".into(),
//!     ]))
//!     .send_guarded()
//!     .await?;
//! client.sandboxes().wait_until_running(sandbox.id()).await?;
//! let port = client.sandboxes().expose_port(sandbox.id(), 8000).send().await?;
//! println!("serving at {}", port.url);
//! println!("{}", client.sandboxes().logs(sandbox.id()).send().await?.logs);
//! sandbox.delete().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::sandboxes::*;
pub use commands::{
    CommandOutput, ExitStatus, Process, ProcessEvent, SandboxesExecRequest,
    SandboxesSessionsRequest, SandboxesSpawnRequest, Signal,
};

mod checkpoints;
mod commands;
mod files;
mod many;

pub use many::MAX_BATCH;

pub use files::SandboxesReadFileRequest;

use std::future::Future;

use pi_types::{Sandbox, SandboxDeleted, SandboxStatus, SecretString};

use crate::assumptions::Assumption;
use crate::client::Client;
use crate::error::Error;
use crate::wait::WaitPolicy;
use crate::wait::{self, Progress};

impl<'c> Sandboxes<'c> {
    /// Starts creating a sandbox called `name` from a checkpoint
    /// ([`Sandboxes::create_checkpoint`]) that has become `DURABLE`
    /// ([`Sandboxes::wait_until_checkpoint_durable`]): its
    /// filesystem, image and disk come from the checkpoint, so the request
    /// carries neither an image nor a disk size (the API refuses them on a
    /// restore). The other setters of [`Sandboxes::create`] apply.
    ///
    /// ```no_run
    /// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
    /// let restored = client.sandboxes().restore("again", "ckpt_123").send().await?;
    /// client.sandboxes().wait_until_running(&restored.id).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn restore(
        &self,
        name: impl Into<String>,
        checkpoint_id: impl Into<String>,
    ) -> SandboxesCreateRequest<'c> {
        let mut request = self.create(name, String::new());
        request.body.docker_image = None;
        request.body.checkpoint_id = Some(checkpoint_id.into());
        request
    }

    /// Creates a sandbox, hands it to `work`, and deletes it once `work` is
    /// done, whatever it returned; the result is `work`'s.
    ///
    /// The delete also happens when `work` panics or the future is dropped
    /// half-way (then in the background, as [`SandboxGuard`] does on drop).
    ///
    /// ```no_run
    /// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
    /// let sandboxes = client.sandboxes();
    /// let logs = sandboxes
    ///     .with_sandbox(sandboxes.create("probe", "alpine:3"), |sandbox| async move {
    ///         sandboxes.wait_until_running(&sandbox.id).await?;
    ///         sandboxes.logs(&sandbox.id).send().await
    ///     })
    ///     .await?;
    /// println!("{}", logs.logs);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The create's error (then `work` never runs), `work`'s own error, or,
    /// when `work` succeeded, the delete's error. When both `work` and the
    /// delete fail, `work`'s error is returned and the delete's is logged.
    pub async fn with_sandbox<T, E, F, Fut>(
        &self,
        create: SandboxesCreateRequest<'c>,
        work: F,
    ) -> Result<T, E>
    where
        F: FnOnce(Sandbox) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let guard = create.send_guarded().await?;
        let outcome = work(guard.sandbox().clone()).await;
        let id = guard.id().to_owned();
        let deleted = guard.delete().await;
        match (outcome, deleted) {
            (Ok(value), Ok(deleted)) => {
                if !deleted.success {
                    tracing::warn!(sandbox_id = %id, message = %deleted.message, "the PI API did not confirm the sandbox's delete");
                }
                Ok(value)
            }
            (Ok(_), Err(error)) => Err(error.into()),
            (Err(error), Ok(_)) => Err(error),
            (Err(error), Err(delete_error)) => {
                tracing::warn!(sandbox_id = %id, error = %delete_error, "could not delete the sandbox after its work failed");
                Err(error)
            }
        }
    }

    /// Waits until the sandbox is `RUNNING`, polling with the default
    /// [`WaitPolicy`] (at most 20 minutes).
    ///
    /// `ERROR` and `TERMINATED` end the wait: a sandbox does not come back
    /// from them. `PAUSED` does not: a pause can be lifted, and the deadline
    /// bounds the wait. States this version does not know keep it waiting too.
    /// While the platform builds the sandbox's image (`PENDING` with a
    /// `pending_image_build_id`, the first use of an image) the deadline is
    /// held back, up to [`WaitPolicy::image_build_deadline`].
    ///
    /// # Errors
    /// [`Error::WaitEnded`] when the sandbox reaches `ERROR` or `TERMINATED`
    /// ([`Sandboxes::error_context`] tells why), [`Error::WaitTimedOut`]
    /// (with the last state seen) past the deadline, and any error of the
    /// request path.
    pub async fn wait_until_running(&self, sandbox_id: &str) -> Result<Sandbox, Error> {
        self.wait_until_running_with(sandbox_id, &WaitPolicy::default())
            .await
    }

    /// [`Sandboxes::wait_until_running`] with your own pauses and deadline.
    ///
    /// # Errors
    /// As [`Sandboxes::wait_until_running`].
    pub async fn wait_until_running_with(
        &self,
        sandbox_id: &str,
        policy: &WaitPolicy,
    ) -> Result<Sandbox, Error> {
        wait::until(
            "sandbox",
            sandbox_id,
            policy,
            || self.get(sandbox_id).send(),
            |sandbox| {
                let building = sandbox.pending_image_build_id.is_some();
                held_by_image_build(running_progress(&sandbox.status), building)
            },
        )
        .await
    }
}

/// The sandbox states [`running_progress`] names, and the field that makes
/// a create safe to retry: the drift tools call a document without one of
/// them breaking.
pub(crate) const ASSUMPTIONS: &[Assumption] = &{
    const OP: &str = "GET /api/v1/sandbox/{sandbox_id}";
    const AT: &str = "response 200 .status";
    const WAITS: &str = "Sandboxes::wait_until_running waits for it";
    const STOPS: &str = "Sandboxes::wait_until_running stops at it";
    [
        Assumption::value(OP, AT, "RUNNING", WAITS),
        Assumption::value(OP, AT, "ERROR", STOPS),
        Assumption::value(OP, AT, "TERMINATED", STOPS),
        Assumption::field(
            "POST /api/v1/sandbox",
            "request body .idempotency_key",
            "SandboxesCreateRequest::idempotency_key makes a create safe to retry",
        ),
    ]
};

/// `judged` of a sandbox, held by an image build when the platform is
/// building its image first: it stays `PENDING` with a pending build id
/// until the build is over, and that time has a budget of its own
/// ([`WaitPolicy::image_build_deadline`]).
pub(crate) fn held_by_image_build(
    judged: (String, Progress),
    building: bool,
) -> (String, Progress) {
    match judged {
        (state, Progress::Pending) if building && state == "PENDING" => (state, Progress::Building),
        other => other,
    }
}

/// How far a sandbox in `status` is from running; see
/// [`Sandboxes::wait_until_running`] for the choice of end states.
fn running_progress(status: &SandboxStatus) -> (String, Progress) {
    wait::judge(
        Some(status),
        |status| matches!(status, SandboxStatus::Running),
        |status| matches!(status, SandboxStatus::Error | SandboxStatus::Terminated),
    )
}

impl SandboxesCreateRequest<'_> {
    /// Adds one environment variable to those set before.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.body
            .environment_vars
            .get_or_insert_with(Default::default)
            .insert(name.into(), value.into());
        self
    }

    /// Adds one secret environment variable to those set before; its value
    /// stays out of `Debug` output and logs.
    pub fn secret(mut self, name: impl Into<String>, value: impl Into<SecretString>) -> Self {
        self.body
            .secrets
            .get_or_insert_with(Default::default)
            .insert(name.into(), value.into());
        self
    }

    /// Sends the create and wraps the new sandbox in a [`SandboxGuard`],
    /// which deletes it when you are done (or when it is dropped).
    ///
    /// # Errors
    /// As [`send`](Self::send); no guard exists then, and nothing to delete
    /// unless the server created the sandbox but its answer was lost.
    pub async fn send_guarded(self) -> Result<SandboxGuard, Error> {
        let client = self.call.client().clone();
        let sandbox = self.send().await?;
        Ok(SandboxGuard {
            client,
            sandbox,
            armed: true,
        })
    }
}

/// A sandbox that is deleted when you are done with it: call
/// [`SandboxGuard::delete`] to delete it and see the outcome, or drop the
/// guard and the delete is sent in the background.
///
/// Dropping the guard inside a tokio runtime spawns the delete on that
/// runtime; a runtime that is shutting down may never run it, so prefer
/// `delete().await` (or [`Sandboxes::with_sandbox`]) where you can. Dropped
/// outside any runtime, the guard deletes nothing and logs a warning naming
/// the sandbox. [`SandboxGuard::keep`] disarms it.
#[derive(Debug)]
#[must_use = "dropping the guard deletes the sandbox at once"]
pub struct SandboxGuard {
    client: Client,
    sandbox: Sandbox,
    armed: bool,
}

impl SandboxGuard {
    /// The sandbox's id.
    pub fn id(&self) -> &str {
        &self.sandbox.id
    }

    /// The sandbox as the create returned it (fetch it again for its
    /// current state).
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Deletes the sandbox now and returns the server's answer.
    ///
    /// If this future is dropped before the answer comes, the guard still
    /// deletes the sandbox in the background.
    ///
    /// # Errors
    /// As [`Sandboxes::delete`]; the guard does not try again after an error.
    pub async fn delete(mut self) -> Result<SandboxDeleted, Error> {
        let deleted = self
            .client
            .sandboxes()
            .delete(&self.sandbox.id)
            .send()
            .await;
        self.armed = false;
        deleted
    }

    /// Keeps the sandbox alive: the guard will not delete it, and you get it back.
    pub fn keep(mut self) -> Sandbox {
        self.armed = false;
        self.sandbox.clone()
    }
}

impl Drop for SandboxGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let id = self.sandbox.id.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(sandbox_id = %id, "a sandbox guard was dropped outside a tokio runtime, so the sandbox was not deleted; delete it yourself");
            return;
        };
        let client = self.client.clone();
        runtime.spawn(async move {
            match client.sandboxes().delete(&id).send().await {
                Ok(deleted) if deleted.success => {
                    tracing::debug!(sandbox_id = %id, "deleted the sandbox of a dropped guard");
                }
                Ok(deleted) => {
                    tracing::warn!(sandbox_id = %id, message = %deleted.message, "the PI API did not confirm the delete of a dropped guard's sandbox");
                }
                Err(error) => {
                    tracing::warn!(sandbox_id = %id, %error, "could not delete the sandbox of a dropped guard");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_declared_states_are_the_ones_the_waiter_names() {
        wait::assert_declared_states(
            ASSUMPTIONS,
            "GET /api/v1/sandbox/{sandbox_id}",
            <SandboxStatus as pi_types::WireEnum>::KNOWN,
            running_progress,
        );
    }

    #[test]
    fn only_running_is_reached_and_only_error_and_terminated_end_the_wait() {
        assert_eq!(
            running_progress(&SandboxStatus::Running).1,
            Progress::Reached
        );
        for ended in [SandboxStatus::Error, SandboxStatus::Terminated] {
            assert_eq!(running_progress(&ended).1, Progress::Ended, "{ended}");
        }
        for pending in [
            SandboxStatus::Pending,
            SandboxStatus::Provisioning,
            SandboxStatus::Paused,
            SandboxStatus::from("RESTARTING"),
        ] {
            assert_eq!(running_progress(&pending).1, Progress::Pending, "{pending}");
        }
        assert_eq!(running_progress(&SandboxStatus::from("X")).0, "X");
    }
}
