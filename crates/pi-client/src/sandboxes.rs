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
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let sandbox = client
//!     .sandboxes()
//!     .create("scratch", "python:3.12-slim")
//!     .cpu_cores(2.0)
//!     .memory_gb(4.0)
//!     .start_command("python -m http.server 8000")
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

use std::borrow::Cow;
use std::future::Future;
use std::time::Duration;

use pi_types::gateway::connect::{Code, Frame};
use pi_types::gateway::{
    CommandSpec, FileWindow, StartRequest, StartResponse, Uploaded, command_session_event,
};
use pi_types::{Rule, Sandbox, SandboxDeleted, SandboxStatus, SecretString};
use prost::Message;

use crate::assumptions::Assumption;
use crate::client::Client;
use crate::endpoint::invalid_query;
use crate::error::Error;
use crate::gateway::GatewayAccess;
use crate::request::connect::gateway_error;
use crate::wait::WaitPolicy;
use crate::wait::{self, Progress};

impl<'c> Sandboxes<'c> {
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
            |sandbox| running_progress(&sandbox.status),
        )
        .await
    }
}

/// How long a command may run unless its request sets another deadline.
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

impl<'c> Sandboxes<'c> {
    /// Starts running `command` in the sandbox, through `/bin/bash -c` as
    /// the official client does, so pipes, globs and `&&` work; set a
    /// working directory, variables, a user or a deadline on the request,
    /// then `.send()` for its [`CommandOutput`].
    ///
    /// The command goes to the sandbox's gateway, which the PI API's
    /// document does not describe; the gateway token comes from
    /// [`auth`](Self::auth) and never appears in `Debug` output, errors or
    /// logs.
    pub fn exec(
        &self,
        sandbox_id: impl AsRef<str>,
        command: impl Into<String>,
    ) -> SandboxesExecRequest<'c> {
        SandboxesExecRequest {
            sandboxes: *self,
            sandbox_id: sandbox_id.as_ref().to_owned(),
            spec: CommandSpec {
                cmd: "/bin/bash".to_owned(),
                args: vec!["-c".to_owned(), command.into()],
                ..CommandSpec::default()
            },
            timeout: DEFAULT_COMMAND_TIMEOUT,
        }
    }
}

/// A command to run in a sandbox, started by [`Sandboxes::exec`]: set what
/// you need, then `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()`"]
pub struct SandboxesExecRequest<'c> {
    sandboxes: Sandboxes<'c>,
    sandbox_id: String,
    spec: CommandSpec,
    timeout: Duration,
}

impl SandboxesExecRequest<'_> {
    /// Runs the command in this directory instead of the gateway's default.
    pub fn cwd(mut self, directory: impl Into<String>) -> Self {
        self.spec.cwd = Some(directory.into());
        self
    }

    /// Adds one environment variable to those set before.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec.envs.insert(name.into(), value.into());
        self
    }

    /// Runs the command as this user of the sandbox.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.spec.user = Some(user.into());
        self
    }

    /// How long the command may run (5 minutes unless set); the gateway
    /// stops waiting for it then.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs the command and collects what it printed and its exit code. A
    /// non-zero exit code is part of the output, not an error.
    ///
    /// The command is sent once: nothing here retries it, since a second
    /// start could run it twice.
    ///
    /// # Errors
    /// [`Error::CommandTimedOut`] past the deadline, [`Error::Gateway`] with
    /// the gateway's code (`not_found` when the sandbox is gone,
    /// `unauthenticated` when it refused the token), [`Error::Transport`]
    /// when the stream broke or ended without the command's exit code, and
    /// any error of [`auth`](Sandboxes::auth).
    pub async fn send(self) -> Result<CommandOutput, Error> {
        let client = self.sandboxes.client();
        let tokens = &client.inner.gateway;
        let request = StartRequest {
            command: Some(self.spec),
            ..StartRequest::default()
        }
        .encode_to_vec();
        let mut refused_once = false;
        loop {
            let access = tokens.access(client, &self.sandbox_id).await?;
            let url = format!("{}/command_session.CommandSession/Start", access.base);
            match run(client, &url, &access, &request, self.timeout).await {
                // The gateway refused the cached token before the command
                // said anything: fetch a new one, once.
                Err(Refused::Early(Error::Gateway {
                    code: Code::Unauthenticated,
                    ..
                })) if !refused_once => {
                    refused_once = true;
                    tokens.forget(&self.sandbox_id).await;
                }
                Err(Refused::Early(error) | Refused::Late(error)) => return Err(error),
                Ok(output) => return Ok(output),
            }
        }
    }
}

/// How a command's stream failed: before any event arrived, or after.
enum Refused {
    Early(Error),
    Late(Error),
}

/// Starts the command at `url` and collects its stream.
async fn run(
    client: &Client,
    url: &str,
    access: &GatewayAccess,
    request: &[u8],
    timeout: Duration,
) -> Result<CommandOutput, Refused> {
    let transport = client.transport();
    let mut stream = transport
        .open_stream(url, &access.token, request, timeout)
        .await
        .map_err(Refused::Early)?;
    let mut output = CommandOutput::default();
    let mut heard = false;
    let mut ended = false;
    let failed = |heard: bool, error: Error| {
        if heard {
            Refused::Late(error)
        } else {
            Refused::Early(error)
        }
    };
    while let Some(frame) = stream.next().await.map_err(|error| failed(heard, error))? {
        match frame {
            Frame::Message(bytes) => {
                let answer = StartResponse::decode(bytes.as_slice()).map_err(|error| {
                    failed(
                        heard,
                        Error::Transport {
                            message: format!(
                                "the sandbox gateway sent an unreadable event: {error}"
                            ),
                        },
                    )
                })?;
                heard = true;
                ended |= output.take(answer);
            }
            Frame::End(end) => {
                if let Some(error) = end.error {
                    return Err(failed(
                        heard,
                        gateway_error(error, stream.deadline(), &access.token),
                    ));
                }
                break;
            }
        }
    }
    if !ended {
        return Err(Refused::Late(Error::Transport {
            message: "the sandbox gateway's stream ended without the command's exit code"
                .to_owned(),
        }));
    }
    Ok(output)
}

/// How long a file read or transfer may take unless its request says otherwise.
const DEFAULT_TRANSFER_TIMEOUT: Duration = Duration::from_secs(300);

impl<'c> Sandboxes<'c> {
    /// Starts reading the file at `path` in the sandbox, whole or (with
    /// [`window`](SandboxesReadFileRequest::window)) a byte window of it, as
    /// text.
    pub fn read_file(
        &self,
        sandbox_id: impl AsRef<str>,
        path: impl Into<String>,
    ) -> SandboxesReadFileRequest<'c> {
        SandboxesReadFileRequest {
            sandboxes: *self,
            sandbox_id: sandbox_id.as_ref().to_owned(),
            path: path.into(),
            window: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// Copies the file at `path` in the sandbox into `sink`, one chunk at a
    /// time: memory stays bounded whatever the file's size. Returns the
    /// bytes written.
    ///
    /// # Errors
    /// [`Error::Gateway`] (`not_found` for a missing file or sandbox,
    /// `unauthenticated` for a refused token), [`Error::Transport`] when the
    /// transfer breaks or `sink` fails, and any error of
    /// [`auth`](Sandboxes::auth).
    pub async fn download<W>(
        &self,
        sandbox_id: impl AsRef<str>,
        path: &str,
        sink: &mut W,
    ) -> Result<u64, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        let sandbox_id = sandbox_id.as_ref();
        let client = self.client();
        let access = client.inner.gateway.access(client, sandbox_id).await?;
        let query = [
            ("path", path.to_owned()),
            ("sandbox_id", sandbox_id.to_owned()),
        ];
        client
            .transport()
            .gateway_download(
                &format!("{}/download", access.base),
                &access.token,
                &query,
                DEFAULT_TRANSFER_TIMEOUT,
                sink,
            )
            .await
    }
}

impl Sandboxes<'_> {
    /// Stores what `source` holds as the file `remote_path` in the sandbox,
    /// read and sent one buffer at a time: memory stays bounded whatever
    /// its size. The upload is sent once, never retried (a stream cannot be
    /// read twice).
    ///
    /// # Errors
    /// As [`Sandboxes::download`], and [`Error::Transport`] when reading
    /// `source` fails.
    pub async fn upload<R>(
        &self,
        sandbox_id: impl AsRef<str>,
        remote_path: &str,
        source: R,
    ) -> Result<Uploaded, Error>
    where
        R: tokio::io::AsyncRead + Send + Unpin + 'static,
    {
        let sandbox_id = sandbox_id.as_ref();
        let client = self.client();
        let access = client.inner.gateway.access(client, sandbox_id).await?;
        let query = [
            ("path", remote_path.to_owned()),
            ("sandbox_id", sandbox_id.to_owned()),
        ];
        client
            .transport()
            .gateway_upload(
                &format!("{}/upload", access.base),
                &access.token,
                &query,
                DEFAULT_TRANSFER_TIMEOUT,
                source,
            )
            .await
    }
}

/// A file read started by [`Sandboxes::read_file`]: set a window if you
/// need one, then `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()`"]
pub struct SandboxesReadFileRequest<'c> {
    sandboxes: Sandboxes<'c>,
    sandbox_id: String,
    path: String,
    window: Option<(i64, i64)>,
    timeout: Duration,
}

impl SandboxesReadFileRequest<'_> {
    /// Reads only `length` bytes from byte `offset` on (VM sandboxes send
    /// the whole file whatever the window).
    pub fn window(mut self, offset: i64, length: i64) -> Self {
        self.window = Some((offset, length));
        self
    }

    /// How long the read may take (30 seconds unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reads the file.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a negative offset or
    /// length; as [`Sandboxes::download`]; and [`Error::Decode`] for an
    /// answer that is not a file window.
    pub async fn send(self) -> Result<FileWindow, Error> {
        if let Some((offset, length)) = self.window {
            for (field, value) in [("offset", offset), ("length", length)] {
                if value < 0 {
                    let problem = format!("it is {value}");
                    return Err(invalid_query(field, Rule::AtLeast("0"), problem).into());
                }
            }
        }
        let client = self.sandboxes.client();
        let access = client
            .inner
            .gateway
            .access(client, &self.sandbox_id)
            .await?;
        let mut query = vec![("path", self.path)];
        if let Some((offset, length)) = self.window {
            query.push(("offset", offset.to_string()));
            query.push(("length", length.to_string()));
        }
        client
            .transport()
            .gateway_json(
                &format!("{}/read-file", access.base),
                &access.token,
                &query,
                self.timeout,
            )
            .await
    }
}

/// What a command printed, byte for byte, and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandOutput {
    /// Everything the command wrote to standard output (and to its
    /// terminal, when it ran in one), in order.
    pub stdout: Vec<u8>,
    /// Everything it wrote to standard error, in order.
    pub stderr: Vec<u8>,
    /// Its exit code; a command killed by a signal has the code the
    /// gateway reports for it.
    pub exit_code: i32,
}

impl CommandOutput {
    /// Standard output as text, with any invalid UTF-8 replaced.
    pub fn stdout_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    /// Standard error as text, with any invalid UTF-8 replaced.
    pub fn stderr_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }

    /// Whether the command exited with code 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// Adds one event of the stream; `true` for the one that ends the command.
    fn take(&mut self, answer: StartResponse) -> bool {
        use command_session_event::{Event, data_event::Output};
        match answer.event.and_then(|event| event.event) {
            Some(Event::Data(data)) => {
                match data.output {
                    Some(Output::Stdout(bytes) | Output::Pty(bytes)) => {
                        self.stdout.extend(bytes);
                    }
                    Some(Output::Stderr(bytes)) => self.stderr.extend(bytes),
                    None => {}
                }
                false
            }
            Some(Event::End(end)) => {
                self.exit_code = end.exit_code;
                true
            }
            Some(Event::Start(_) | Event::Keepalive(_)) | None => false,
        }
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
