//! Contract testing for the PI API, driven by its OpenAPI document.
//!
//! The usual path: start a stateful mock on the PI API's contract (embedded
//! in this crate), point the code under test at [`ContractServer::uri`], and
//! let the mock check every request against the document while it keeps what
//! the code creates. Here the code under test is a [`pi-client`] client, but
//! any HTTP client will do:
//!
//! ```
//! use pi_client::Client;
//! use pi_contract::ContractServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = ContractServer::stateful().await;
//! let client = Client::builder()
//!     .api_key("test")
//!     .base_url(server.uri())
//!     .build()?;
//!
//! // What the code creates, the mock stores, lists and deletes like the API.
//! let created = client.secrets().create("HF_TOKEN", "hf_123").send().await?;
//! let id = created.id;
//! let listed = client.secrets().list().send().await?;
//! assert!(listed.data.iter().any(|secret| secret.id == id));
//! client.secrets().delete(&id).send().await?;
//! assert!(server.stored("/api/v1/secrets/")?.is_empty());
//!
//! // Every request the code sent was one the API accepts.
//! server.assert_no_violations();
//! # Ok(())
//! # }
//! ```
//!
//! [`ContractServer::seed`] puts resources in place beforehand and
//! [`ContractServer::script`] changes one on each poll, for code that waits.
//! For clients in other languages, the `pi-mock` binary (feature `cli`:
//! `cargo install pi-contract --features cli`) runs the same mock as a
//! process that prints its URL and logs each request's verdict.
//!
//! [`pi-client`]: https://docs.rs/pi-client
//!
//! Any other OpenAPI document works the same way: start a [`ContractServer`]
//! on a [`Spec`] and it answers with bodies synthesized from it:
//!
//! ```
//! use pi_contract::{ContractServer, Spec};
//! use serde_json::{Value, json};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let spec = Spec::from_value(json!({
//!     "openapi": "3.1.0",
//!     "info": {"title": "demo", "version": "1"},
//!     "paths": {"/api/v1/secrets/": {"get": {
//!         "operationId": "list_secrets",
//!         "security": [{"HTTPBearer": []}],
//!         "parameters": [{"name": "limit", "in": "query", "required": false,
//!                         "schema": {"type": "integer", "minimum": 1}}],
//!         "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
//!             "type": "object",
//!             "required": ["total_count", "data"],
//!             "properties": {
//!                 "total_count": {"type": "integer"},
//!                 "data": {"type": "array", "items": {"type": "string"}}
//!             }
//!         }}}}}
//!     }}},
//!     "components": {"securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}}}
//! }))?;
//! let server = ContractServer::start(spec).await;
//!
//! let page: Value = reqwest::Client::new()
//!     .get(format!("{}/api/v1/secrets/?limit=10", server.uri()))
//!     .bearer_auth("test-key")
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! // A complete answer, as the API gives: every documented property, and a
//! // count that agrees with the items (`server.use_instance("minimal")`
//! // answers with the least the document allows instead).
//! assert_eq!(page, json!({"total_count": 1, "data": ["string"]}));
//!
//! server.assert_no_violations();
//! # Ok(())
//! # }
//! ```
//!
//! The PI API's own contract ships inside the crate: [`Spec::vendored`] is
//! the published document, and [`Spec::contract`] (what
//! [`ContractServer::vendored`] and [`ContractServer::stateful`] serve) the
//! same with the project's [`supplement`] laid over it: operations the
//! official clients call that the document lacks, each with its source.
//! Both are parsed once per process, with no file to find at run time. So does the sandbox gateway's, which the
//! document does not hold: [`gateway::PROTO`] (the command service) and
//! [`gateway::files_spec`] (the file endpoints).
//!
//! The pieces, each usable alone:
//! - [`Spec`] loads a document (JSON or YAML, raw or normalized), matches
//!   requests to operations and compiles every schema once.
//! - [`Spec::validate_request`] and [`Spec::validate_response`] list
//!   [`Violation`]s: operation, location, [`Rule`], message.
//! - [`Spec::synthesize`] builds minimal and maximal bodies for any documented
//!   response, each checked against its schema.
//! - [`ContractServer`] puts it all behind a wiremock server and records
//!   what it received; [`ContractServer::stateful`] also keeps what a test
//!   creates, and [`deviation`] lists where the server answers like the API
//!   rather than like the letter of its document.
//! - [`report::SuiteReport`] is what the contract suite found, per API area,
//!   as `cargo xtask contract` prints it.

/// The README's Rust blocks, compiled (and the plain `rust` ones run) as
/// doctests of this crate, which has both the client and the mock at hand,
/// so the README cannot drift from the API it shows. Only in doctest builds:
/// a packaged crate never reads the README.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;

mod builder;
mod multipart;
mod schema;

pub mod deviation;
pub mod gateway;
mod gateway_mock;
pub mod report;
pub mod request;
pub mod server;
pub mod spec;
pub mod stateful;
pub mod supplement;
pub mod synth;
pub mod verdict;
pub mod violation;

pub use builder::ContractServerBuilder;
pub use deviation::{DEVIATIONS, Deviation};
pub use request::HttpRequest;
pub use server::{ContractResponse, ContractServer, ReceivedRequest, ServerError};
pub use spec::{Operation, Parameter, ParameterLocation, RequestBody, Response, Spec, SpecError};
pub use stateful::SetupError;
pub use synth::{Instance, SynthError, Synthesized};
pub use violation::{Rule, Violation};
pub mod diff;
pub mod document;
pub mod normalize;
pub mod openapi;
