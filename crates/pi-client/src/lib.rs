//! An async client for the PI API (Prime Intellect): typed calls, typed
//! errors, and streams over paginated lists.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = wiremock::MockServer::start().await;
//! # wiremock::Mock::given(wiremock::matchers::method("GET"))
//! #     .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
//! #         "data": {"id": "sec_1", "name": "HF_TOKEN",
//! #                  "createdAt": "2026-01-15T10:30:00", "updatedAt": "2026-01-15T10:30:00"}})))
//! #     .mount(&server).await;
//! # let base_url = server.uri();
//! use pi_client::{Client, Error};
//!
//! // Usually `Client::from_env()`: the `PRIME_*` variables, or the `prime`
//! // CLI's ~/.prime files, read as the CLI reads them.
//! let client = Client::builder().api_key("pk_example").base_url(base_url).build()?;
//!
//! // A success is the resource; one without it is `Error::MissingData`.
//! let secret = client.secrets().get("sec_1").await?;
//! assert_eq!(secret.name, "HF_TOKEN");
//!
//! // Input that breaks the document's rules is refused before anything is sent.
//! let refused = client.secrets().create("lower_case", "value").send().await;
//! assert!(matches!(refused, Err(Error::InvalidInput(ref e)) if e.field() == "name"));
//! # Ok(())
//! # }
//! ```
//!
//! Lists come one page at a time with `.send()`, or as every item with
//! `.into_stream()`:
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
//! let names: Vec<String> = client
//!     .secrets()
//!     .list()
//!     .limit(50)
//!     .into_stream()
//!     .map_ok(|secret| secret.name)
//!     .try_collect()
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Tracing
//!
//! Every call runs in one `tracing` span named `pi.call`, at INFO level, with
//! OpenTelemetry's HTTP field names: `http.request.method`, `url.template`
//! (the path template, such as `/api/v1/pods/{pod_id}`), `pi.operation`
//! (method and template), and, when the call ends, `http.response.status_code`,
//! `pi.attempts` (retries included), `pi.duration_ms` and, for a failure,
//! `error.type`. The filled-in path (`url.path`) holds resource ids, so it is
//! there only with [`ClientBuilder::trace_full_paths`]. The API key and the
//! bodies never are. Retries and answers are DEBUG events inside the span.
//! A wait ([`WaitPolicy`]) adds one INFO event per state change, with
//! `resource`, `id`, `state`, `previous` and `elapsed_ms`.
//!
//! To see them on stderr with `tracing-subscriber` (features `fmt` and
//! `env-filter`), printing each span's fields when it closes:
//!
//! ```no_run
//! use tracing_subscriber::fmt::format::FmtSpan;
//!
//! tracing_subscriber::fmt()
//!     .with_env_filter("pi_client=debug")
//!     .with_span_events(FmtSpan::CLOSE)
//!     .init();
//! ```
//!
//! To export them, put a `tracing-opentelemetry` layer in the subscriber
//! instead; the field names are the ones OpenTelemetry's HTTP conventions use.

pub mod assumptions;
mod availability;
mod billing;
mod call;
mod client;
mod config;
mod disks;
mod endpoint;
mod error;
mod evaluations;
mod feedback;
mod frp;
mod hosted_evaluations;
mod images;
mod page;
mod pods;
mod request;
mod sandboxes;
mod secrets;
mod ssh_keys;
mod team;
mod teams;
mod template;
mod training;
mod tunnels;
mod user;
mod wait;

pub use availability::{
    Availability, AvailabilityApi, AvailabilityQuery, DiskOffersRequest, GpuOfferAnswer,
    GpuOffersByTypeRequest, GpuOffersRequest, PagedAnswer,
};
pub use billing::{Billing, BillingApi, WalletRequest};
pub use call::{Area, BodyRequest};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_READ_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use config::{API_BASE_URL_VAR, API_KEY_VAR, BASE_URL_VAR, CONTEXT_VAR, TEAM_ID_VAR};
pub use disks::{CreateDiskBuilder, Disks, DisksApi, ListDisks};
pub use error::Error;
pub use evaluations::{
    CreateEvaluationBuilder, Evaluations, EvaluationsApi, ListEvaluations, ListSamples,
    SampleBatch, SamplePushReport, UpdateEvaluationBuilder,
};
pub use feedback::{Feedback, FeedbackApi, SubmitFeedbackBuilder};
pub use frp::{Frp, FrpApi};
pub use hosted_evaluations::{
    CreateHostedEvaluationBuilder, HostedEvaluations, HostedEvaluationsApi,
};
pub use images::{
    CreateImageBuildBuilder, Images, ImagesApi, ListImageBuilds, ListImages, StartImageBuildBuilder,
};
pub use page::ListRequest;
pub use pods::{CreatePodBuilder, HistorySort, ListPods, PodHistory, Pods, PodsApi, SortOrder};
pub use request::answer::{Answer, Data, Json, Nothing, decode_response};
pub use request::retry::RetryPolicy;
pub use sandboxes::{
    BulkDeleteSandboxesBuilder, CreateSandboxBuilder, ExposePortBuilder, ListSandboxes,
    OpenSshSessionBuilder, SandboxGuard, Sandboxes, SandboxesApi,
};
pub use secrets::{CreateSecretBuilder, ListSecrets, Secrets, SecretsApi, UpdateSecretBuilder};
pub use ssh_keys::{ListSshKeys, SshKeys, SshKeysApi};
pub use teams::{ListTeamMembers, Teams, TeamsApi};
pub use template::{CheckDockerImageBuilder, Template, TemplateApi};
pub use training::{CreateDedicatedRunBuilder, Training, TrainingApi};
pub use tunnels::{CreateTunnelBuilder, Tunnels, TunnelsApi};
pub use user::{ListMyTeams, User, UserApi};
pub use wait::{WaitPolicy, WaitProgress};

/// The models this client sends and returns, re-exported so one dependency is enough.
pub use pi_types as types;
