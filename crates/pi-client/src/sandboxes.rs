//! Sandboxes: short-lived containers (or VMs) you start from a Docker image,
//! wait for, reach through exposed ports or SSH, read the logs of and delete
//! (the document's `Sandbox` tag, under `/api/v1/sandbox`).
//!
//! Besides one method per operation, the area offers [`SandboxGuard`] and
//! [`Sandboxes::with_sandbox`], which delete a sandbox once the caller is
//! done with it, on error paths too.

use std::collections::BTreeMap;
use std::future::Future;

use futures::Stream;
use pi_types::{
    BulkDeleteSandboxes, CreateSandbox, CreateSshSession, ExposePort, ExposedPortList, GpuType,
    InvalidInput, PortExposed, PortUnexposed, Rule, Sandbox, SandboxAuth, SandboxDeleted,
    SandboxErrorContext, SandboxList, SandboxLogs, SandboxStatus, SandboxesBulkDeleted,
    SecretString, SshSession, WireEnum,
};

use crate::assumptions::Assumption;
use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::{Endpoint, invalid_query};
use crate::error::Error;
use crate::page;
use crate::request::ApiRequest;
use crate::request::answer::Json;
use crate::wait::WaitPolicy;
use crate::wait::{self, Progress};

const LIST: Endpoint = Endpoint::get("/api/v1/sandbox").team_in_query("team_id");
const CREATE: Endpoint = Endpoint::post("/api/v1/sandbox").team_in_body("team_id");
const BULK_DELETE: Endpoint = Endpoint::delete("/api/v1/sandbox").team_in_body("team_id");
const GET: Endpoint = Endpoint::get("/api/v1/sandbox/{sandbox_id}");
const DELETE: Endpoint = Endpoint::delete("/api/v1/sandbox/{sandbox_id}");
const AUTH: Endpoint = Endpoint::post("/api/v1/sandbox/{sandbox_id}/auth");
const ERROR_CONTEXT: Endpoint = Endpoint::get("/api/v1/sandbox/{sandbox_id}/error-context");
const EXPOSE: Endpoint = Endpoint::post("/api/v1/sandbox/{sandbox_id}/expose");
const LIST_EXPOSED: Endpoint = Endpoint::get("/api/v1/sandbox/{sandbox_id}/expose");
const LIST_ALL_EXPOSED: Endpoint = Endpoint::get("/api/v1/sandbox/expose/all");
const UNEXPOSE: Endpoint = Endpoint::delete("/api/v1/sandbox/{sandbox_id}/expose/{exposure_id}");
const LOGS: Endpoint = Endpoint::get("/api/v1/sandbox/{sandbox_id}/logs");
const OPEN_SSH: Endpoint = Endpoint::post("/api/v1/sandbox/{sandbox_id}/ssh-session");
const CLOSE_SSH: Endpoint =
    Endpoint::delete("/api/v1/sandbox/{sandbox_id}/ssh-session/{session_id}");

/// The largest page the list accepts (`per_page`).
const MAX_PER_PAGE: u64 = 1000;

/// Names the Sandboxes area in [`Area`]; see [`Sandboxes`].
#[derive(Debug)]
pub enum SandboxesApi {}

/// A handle on the Sandboxes area; get one with [`Client::sandboxes`].
///
/// ```no_run
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let sandbox = client
///     .sandboxes()
///     .create("python:3.12-slim", "scratch")
///     .cpu_cores(2.0)
///     .memory_gb(4.0)
///     .start_command("python -m http.server 8000")
///     .send_guarded()
///     .await?;
/// client.sandboxes().wait_until_running(sandbox.id()).await?;
/// let port = client.sandboxes().expose_port(sandbox.id(), 8000).send().await?;
/// println!("serving at {}", port.url);
/// println!("{}", client.sandboxes().logs(sandbox.id()).await?.logs);
/// sandbox.delete().await?;
/// # Ok(())
/// # }
/// ```
pub type Sandboxes<'c> = Area<'c, SandboxesApi>;

/// A create-sandbox request; see [`Sandboxes::create`].
pub type CreateSandboxBuilder<'c> = BodyRequest<'c, CreateSandbox, Json<Sandbox>>;

/// A bulk sandbox delete; see [`Sandboxes::bulk_delete`].
pub type BulkDeleteSandboxesBuilder<'c> =
    BodyRequest<'c, BulkDeleteSandboxes, Json<SandboxesBulkDeleted>>;

/// A request opening a port of a sandbox to the outside; see [`Sandboxes::expose_port`].
pub type ExposePortBuilder<'c> = BodyRequest<'c, ExposePort, Json<PortExposed>>;

/// A request opening an SSH session into a sandbox; see [`Sandboxes::open_ssh_session`].
pub type OpenSshSessionBuilder<'c> = BodyRequest<'c, CreateSshSession, Json<SshSession>>;

impl Client {
    /// The Sandboxes area, acting for the client's default team.
    pub fn sandboxes(&self) -> Sandboxes<'_> {
        Area::new(self)
    }
}

impl<'c> Sandboxes<'c> {
    /// Lists sandboxes; filter it, then send for one page or stream them all.
    pub fn list(&self) -> ListSandboxes<'c> {
        ListSandboxes::new(self.client(), self.team_id().map(str::to_owned))
    }

    /// Starts creating a sandbox called `name` (1 to 100 characters) from
    /// `docker_image`. A team set on the handle (`.team(id)`) owns it.
    ///
    /// Without an [`idempotency_key`](CreateSandboxBuilder::idempotency_key)
    /// a create that failed after reaching the server is never sent again,
    /// since it could start a second sandbox.
    pub fn create(
        &self,
        docker_image: impl Into<String>,
        name: impl Into<String>,
    ) -> CreateSandboxBuilder<'c> {
        self.create_with(CreateSandbox::new(name, docker_image))
    }

    /// Starts creating a sandbox from a body you built yourself with the
    /// `with_*` setters of [`CreateSandbox`].
    pub fn create_with(&self, request: CreateSandbox) -> CreateSandboxBuilder<'c> {
        self.with_body(&CREATE, &[], request)
            .retry_safe_if(|body| body.idempotency_key.is_some())
    }

    /// Creates a sandbox, hands it to `work`, and deletes it once `work` is
    /// done, whatever it returned; the result is `work`'s.
    ///
    /// The delete also happens when `work` panics or the future is dropped
    /// half-way (then in the background, as [`SandboxGuard`] does on drop).
    ///
    /// ```no_run
    /// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
    /// use pi_client::types::CreateSandbox;
    ///
    /// let sandboxes = client.sandboxes();
    /// let logs = client
    ///     .sandboxes()
    ///     .with_sandbox(CreateSandbox::new("alpine:3", "probe"), |sandbox| async move {
    ///         sandboxes.wait_until_running(&sandbox.id).await?;
    ///         sandboxes.logs(&sandbox.id).await
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
    pub async fn with_sandbox<T, E, F, Fut>(&self, request: CreateSandbox, work: F) -> Result<T, E>
    where
        F: FnOnce(Sandbox) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let guard = self.create_with(request).send_guarded().await?;
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

    /// Starts deleting many sandboxes at once: by id, by label, by user, or
    /// every sandbox of the handle's team. Set at least one of them.
    pub fn bulk_delete(&self) -> BulkDeleteSandboxesBuilder<'c> {
        self.with_body(&BULK_DELETE, &[], BulkDeleteSandboxes::new())
    }

    /// Fetches one sandbox.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn get(&self, sandbox_id: &str) -> Result<Sandbox, Error> {
        self.call::<Json<Sandbox>>(&GET, &[("sandbox_id", sandbox_id)])
            .await
    }

    /// Deletes a sandbox and everything in it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, sandbox_id: &str) -> Result<SandboxDeleted, Error> {
        self.call::<Json<SandboxDeleted>>(&DELETE, &[("sandbox_id", sandbox_id)])
            .await
    }

    /// A short-lived token and the gateway URL for talking to the sandbox
    /// directly. The token is secret: it shows as `[REDACTED]` in `Debug`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn auth(&self, sandbox_id: &str) -> Result<SandboxAuth, Error> {
        self.call::<Json<SandboxAuth>>(&AUTH, &[("sandbox_id", sandbox_id)])
            .await
    }

    /// Why a sandbox failed: its status, the kind of error and its message.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn error_context(&self, sandbox_id: &str) -> Result<SandboxErrorContext, Error> {
        self.call::<Json<SandboxErrorContext>>(&ERROR_CONTEXT, &[("sandbox_id", sandbox_id)])
            .await
    }

    /// Starts opening `port` (22 to 9000) of a sandbox to the outside.
    pub fn expose_port(&self, sandbox_id: &str, port: u16) -> ExposePortBuilder<'c> {
        let body = ExposePort::new(i64::from(port));
        self.with_body(&EXPOSE, &[("sandbox_id", sandbox_id)], body)
    }

    /// The ports of one sandbox that are open to the outside.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn exposed_ports(&self, sandbox_id: &str) -> Result<ExposedPortList, Error> {
        self.call::<Json<ExposedPortList>>(&LIST_EXPOSED, &[("sandbox_id", sandbox_id)])
            .await
    }

    /// The open ports of all your sandboxes.
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn all_exposed_ports(&self) -> Result<ExposedPortList, Error> {
        self.call::<Json<ExposedPortList>>(&LIST_ALL_EXPOSED, &[])
            .await
    }

    /// Closes an exposed port, named by the `exposure_id` exposing it returned.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn unexpose_port(
        &self,
        sandbox_id: &str,
        exposure_id: &str,
    ) -> Result<PortUnexposed, Error> {
        let ids = [("sandbox_id", sandbox_id), ("exposure_id", exposure_id)];
        self.call::<Json<PortUnexposed>>(&UNEXPOSE, &ids).await
    }

    /// Everything the sandbox has logged so far.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn logs(&self, sandbox_id: &str) -> Result<SandboxLogs, Error> {
        self.call::<Json<SandboxLogs>>(&LOGS, &[("sandbox_id", sandbox_id)])
            .await
    }

    /// Starts opening an SSH session into a sandbox; the answer holds the
    /// host, port and a secret token.
    pub fn open_ssh_session(&self, sandbox_id: &str) -> OpenSshSessionBuilder<'c> {
        let ids = [("sandbox_id", sandbox_id)];
        self.with_body(&OPEN_SSH, &ids, CreateSshSession::new())
    }

    /// Closes an SSH session before it expires.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn close_ssh_session(
        &self,
        sandbox_id: &str,
        session_id: &str,
    ) -> Result<PortUnexposed, Error> {
        let ids = [("sandbox_id", sandbox_id), ("session_id", session_id)];
        self.call::<Json<PortUnexposed>>(&CLOSE_SSH, &ids).await
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
            || self.get(sandbox_id),
            |sandbox| running_progress(&sandbox.status),
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
            "CreateSandboxBuilder::idempotency_key makes a create safe to retry",
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

impl<'c> CreateSandboxBuilder<'c> {
    /// Asks for this many CPU cores (0.1 to 16; the server's default is 1).
    pub fn cpu_cores(self, cores: f64) -> Self {
        self.map_body(|body| body.with_cpu_cores(cores))
    }

    /// Asks for this much memory in GB (0.1 to 64; the server's default is 2).
    pub fn memory_gb(self, gigabytes: f64) -> Self {
        self.map_body(|body| body.with_memory_gb(gigabytes))
    }

    /// Asks for this much disk in GB (0.1 to 1000; the server's default is 10).
    pub fn disk_size_gb(self, gigabytes: f64) -> Self {
        self.map_body(|body| body.with_disk_size_gb(gigabytes))
    }

    /// Attaches `count` GPUs (at most 8) of type `gpu`.
    pub fn gpus(self, count: u32, gpu: GpuType) -> Self {
        self.map_body(|body| body.with_gpu_count(i64::from(count)).with_gpu_type(gpu))
    }

    /// Runs this command when the sandbox starts, instead of the image's own.
    pub fn start_command(self, command: impl Into<String>) -> Self {
        self.map_body(|body| body.with_start_command(command))
    }

    /// Sets one environment variable; call it once per variable.
    pub fn env(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        self.map_body(|mut body| {
            body.environment_vars
                .get_or_insert_with(BTreeMap::new)
                .insert(name, value);
            body
        })
    }

    /// Passes one secret value into the sandbox under `name`; it stays out
    /// of `Debug` output. Call it once per secret.
    pub fn secret(self, name: impl Into<String>, value: impl Into<SecretString>) -> Self {
        let (name, value) = (name.into(), value.into());
        self.map_body(|mut body| {
            body.secrets
                .get_or_insert_with(BTreeMap::new)
                .insert(name, value);
            body
        })
    }

    /// Tags the sandbox with these labels (lists and bulk deletes can pick by them).
    pub fn labels<I, S>(self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let labels = labels.into_iter().map(Into::into).collect::<Vec<String>>();
        self.map_body(|body| body.with_labels(labels))
    }

    /// Stops the sandbox after this many minutes (1 to 1440; the server's default is 60).
    pub fn timeout_minutes(self, minutes: u32) -> Self {
        self.map_body(|body| body.with_timeout_minutes(i64::from(minutes)))
    }

    /// Lets the sandbox reach the network, or not (the server's default: it may).
    pub fn network_access(self, allowed: bool) -> Self {
        self.map_body(|body| body.with_network_access(allowed))
    }

    /// Asks for capacity that is not taken back while the sandbox runs.
    pub fn guaranteed(self, guaranteed: bool) -> Self {
        self.map_body(|body| body.with_guaranteed(guaranteed))
    }

    /// Runs the sandbox as a virtual machine rather than a container.
    pub fn vm(self, vm: bool) -> Self {
        self.map_body(|body| body.with_vm(vm))
    }

    /// Places the sandbox in this region.
    pub fn region(self, region: impl Into<String>) -> Self {
        self.map_body(|body| body.with_region(region))
    }

    /// Pulls the image with these stored registry credentials.
    pub fn registry_credentials(self, credentials_id: impl Into<String>) -> Self {
        self.map_body(|body| body.with_registry_credentials_id(credentials_id))
    }

    /// Passes settings the document leaves free-form, as JSON.
    pub fn advanced_configs(self, configs: serde_json::Value) -> Self {
        self.map_body(|body| body.with_advanced_configs(configs))
    }

    /// Sends this key (1 to 128 characters) with the create, so the server
    /// starts at most one sandbox for it. With a key, a create that failed
    /// on the way (a 502, 503 or 504, or 429) is retried like an idempotent
    /// call; reuse the key to retry it yourself later.
    pub fn idempotency_key(self, key: impl Into<String>) -> Self {
        self.map_body(|body| body.with_idempotency_key(key))
    }

    /// Sends the create and wraps the new sandbox in a [`SandboxGuard`],
    /// which deletes it when you are done (or when it is dropped).
    ///
    /// # Errors
    /// As [`BodyRequest::send`]; no guard exists then, and nothing to delete
    /// unless the server created the sandbox but its answer was lost.
    pub async fn send_guarded(self) -> Result<SandboxGuard, Error> {
        let client = self.client().clone();
        let sandbox = self.send().await?;
        Ok(SandboxGuard {
            client,
            sandbox,
            armed: true,
        })
    }
}

impl BulkDeleteSandboxesBuilder<'_> {
    /// Deletes these sandboxes (1 to 500 ids).
    pub fn ids<I, S>(self, sandbox_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = sandbox_ids.into_iter().map(Into::into).collect::<Vec<_>>();
        self.map_body(|body| body.with_sandbox_ids(ids))
    }

    /// Deletes the sandboxes carrying these labels (1 to 50 labels).
    pub fn labels<I, S>(self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let labels = labels.into_iter().map(Into::into).collect::<Vec<_>>();
        self.map_body(|body| body.with_labels(labels))
    }

    /// Deletes the sandboxes of this user only.
    pub fn user(self, user_id: impl Into<String>) -> Self {
        self.map_body(|body| body.with_user_id(user_id))
    }

    /// Deletes the matching sandboxes of every user of the team, not only yours.
    pub fn all_users(self, all_users: bool) -> Self {
        self.map_body(|body| body.with_all_users(all_users))
    }
}

impl ExposePortBuilder<'_> {
    /// Names the exposure (at most 50 characters).
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_name(name))
    }

    /// The protocol the port speaks (the server's default is `HTTP`).
    pub fn protocol(self, protocol: impl Into<String>) -> Self {
        self.map_body(|body| body.with_protocol(protocol))
    }
}

impl OpenSshSessionBuilder<'_> {
    /// Keeps the session open this many seconds, instead of the server's default.
    pub fn ttl_seconds(self, seconds: u32) -> Self {
        self.map_body(|body| body.with_ttl_seconds(i64::from(seconds)))
    }
}

/// A list-sandboxes request: set filters, then `.send()` for one page or
/// `.into_stream()` for every sandbox of every page from the first one asked.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use pi_client::types::SandboxStatus;
/// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
/// let page = client.sandboxes().list().per_page(20).send().await?;
/// println!("{} of {}, more: {}", page.sandboxes.len(), page.total, page.has_next);
/// let running: Vec<String> = client
///     .sandboxes()
///     .list()
///     .status(SandboxStatus::Running)
///     .labels(["ci"])
///     .into_stream()
///     .map_ok(|sandbox| sandbox.id)
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until .send() or .into_stream()"]
pub struct ListSandboxes<'c> {
    client: &'c Client,
    team_id: Option<String>,
    user_id: Option<String>,
    status: Option<SandboxStatus>,
    active: Option<bool>,
    labels: Vec<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

impl<'c> ListSandboxes<'c> {
    fn new(client: &'c Client, team_id: Option<String>) -> Self {
        Self {
            client,
            team_id,
            user_id: None,
            status: None,
            active: None,
            labels: Vec::new(),
            page: None,
            per_page: None,
        }
    }

    /// Only the sandboxes of this user.
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Only sandboxes in this state.
    pub fn status(mut self, status: SandboxStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only sandboxes that are still alive (`true`) or that have ended (`false`).
    pub fn active(mut self, active: bool) -> Self {
        self.active = Some(active);
        self
    }

    /// Only sandboxes carrying these labels; adds to labels given before.
    pub fn labels<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.labels.extend(labels.into_iter().map(Into::into));
        self
    }

    /// Starts at this page, counted from 1.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Asks for this many sandboxes per page (1 to 1000; the server's default is 50).
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Fetches one page.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a page of 0, a page size
    /// outside 1 to 1000 or a status this version does not know, and any
    /// error of the request path.
    pub async fn send(&self) -> Result<SandboxList, Error> {
        self.page_at(self.page).await
    }

    /// Every sandbox from the starting page on, fetching the next page only
    /// when the one before is used up. Ends when the server says no page
    /// follows (or sends an empty one), or after the first error, which is
    /// yielded.
    pub fn into_stream(self) -> impl Stream<Item = Result<Sandbox, Error>> + 'c {
        let first = self.page.unwrap_or(1);
        page::walk(first, move |page| {
            let request = self.clone();
            async move {
                let list = request.page_at(Some(page)).await?;
                let more = list.has_next && !list.sandboxes.is_empty();
                let after = if more { page.checked_add(1) } else { None };
                Ok((list.sandboxes, after))
            }
        })
    }

    async fn page_at(&self, page: Option<u64>) -> Result<SandboxList, Error> {
        self.check(page)?;
        let mut request = ApiRequest::to(&LIST, &[], self.team_id.as_deref())?
            .query_opt("user_id", self.user_id.as_deref())
            .query_opt("status", self.status.as_ref().map(WireEnum::as_str))
            .query_opt("is_active", self.active);
        for label in &self.labels {
            request = request.query("labels", label);
        }
        let request = request
            .query_opt("page", page)
            .query_opt("per_page", self.per_page);
        self.client.call::<Json<SandboxList>>(request).await
    }

    /// The document's rules for the query: pages count from 1, a page holds
    /// 1 to 1000 sandboxes, and the status is one it lists.
    fn check(&self, page: Option<u64>) -> Result<(), InvalidInput> {
        if page == Some(0) {
            return Err(invalid_query("page", Rule::AtLeast("1"), "it is 0"));
        }
        match self.per_page {
            Some(0) => {
                return Err(invalid_query("per_page", Rule::AtLeast("1"), "it is 0"));
            }
            Some(size) if size > MAX_PER_PAGE => {
                return Err(invalid_query(
                    "per_page",
                    Rule::AtMost("1000"),
                    format!("it is {size}"),
                ));
            }
            _ => {}
        }
        match &self.status {
            Some(status) if !status.is_known() => Err(invalid_query(
                "status",
                Rule::OneOf(SandboxStatus::KNOWN),
                format!(
                    "it is `{}`",
                    status.as_str().chars().take(40).collect::<String>()
                ),
            )),
            _ => Ok(()),
        }
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
        let deleted = self.client.sandboxes().delete(&self.sandbox.id).await;
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
            match client.sandboxes().delete(&id).await {
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
            SandboxStatus::KNOWN,
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
