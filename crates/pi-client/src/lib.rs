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
//! let secret = client.secrets().get("sec_1").send().await?;
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
pub mod availability;
pub mod billing;
mod call;
mod client;
pub mod clusters;
pub mod config;
pub mod decode;
pub mod disks;
mod endpoint;
pub mod environments;
mod error;
pub mod evaluations;
pub mod feedback;
pub mod frp;
mod gateway;
#[rustfmt::skip]
mod generated;
pub mod hosted_evaluations;
pub mod images;
pub mod login;
mod page;
pub mod pods;
mod request;
pub mod rl_runs;
pub mod sandboxes;
pub mod secrets;
pub mod ssh_keys;
mod team;
pub mod teams;
pub mod template;
pub mod traces;
pub mod training;
pub mod tunnels;
pub mod user;
pub mod wait;

pub use availability::Availability;
pub use billing::Billing;
pub use client::{Client, ClientBuilder};
pub use clusters::Clusters;
pub use disks::Disks;
pub use environments::Environments;
pub use error::Error;
pub use evaluations::Evaluations;
pub use feedback::Feedback;
pub use frp::Frp;
pub use hosted_evaluations::HostedEvaluations;
pub use images::Images;
pub use login::Login;
pub use pods::Pods;
pub use request::retry::RetryPolicy;
pub use rl_runs::RlRuns;
pub use sandboxes::Sandboxes;
pub use secrets::Secrets;
pub use ssh_keys::SshKeys;
pub use teams::Teams;
pub use template::Template;
pub use traces::Traces;
pub use training::Training;
pub use tunnels::Tunnels;
pub use user::User;
pub use wait::WaitPolicy;

/// The models this client sends and returns, re-exported so one dependency is enough.
pub use pi_types as types;
