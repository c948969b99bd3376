//! Hosted evaluations: have the PI platform run a model against evaluation
//! environments for you, follow the run's logs, and cancel it (the
//! document's `hosted-evaluations` tag, under `/api/v1/hosted-evaluations`).
//! The results land in the Evaluations area ([`crate::Evaluations`]).
//!
//! # Example
//!
//! ```no_run
//! use pi_client::types::HostedEvaluationSettings;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let models = client.hosted_evaluations().models().send().await?;
//! println!("{} models on offer", models.models.len());
//! let started = client
//!     .hosted_evaluations()
//!     .create("my-org/my-model", ["env_gsm8k"], HostedEvaluationSettings::new(100, 2))
//!     .name("gsm8k, 100 examples")
//!     .send()
//!     .await?;
//! let logs = client.hosted_evaluations().logs(&started.evaluation_id).send().await?;
//! println!("{}", logs.logs);
//! client.hosted_evaluations().cancel(&started.evaluation_id).send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::hosted_evaluations::*;
