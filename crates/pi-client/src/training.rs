//! Training: start, pause, resume and delete dedicated training runs, see
//! where they can be placed, and manage the volumes they write to, with
//! their sessions and transfers (the document's `training` tag, under
//! `/api/v1/training`). What a run costs is in
//! [`Billing::run_usage`](crate::Billing::run_usage).
//!
//! All but creating and deleting a run come from the project's supplement
//! (what the official `prime` CLI calls that the published document lacks):
//! the API may change them without notice.
//!
//! # Example
//!
//! ```no_run
//! use serde_json::json;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let training = client.training();
//! let volume = training.create_volume("outputs", "500Gi").send().await?;
//! let run = training
//!     .create_run(json!({"model": {"name": "Qwen/Qwen3-4B"}, "max_steps": 100}))
//!     .name("reverse-text")
//!     .wandb_api_key(std::env::var("WANDB_API_KEY").unwrap_or_default())
//!     .send()
//!     .await?;
//! println!("run {} (job {}) on {}", run.run_id, run.job_id, volume.name);
//! let paused = training.pause_run(&run.run_id).send().await?;
//! println!("run {} is {}", run.run_id, paused.status);
//! // Once it is PAUSED, a new run continues it from its checkpoint.
//! let resumed = training.resume_run(&run.run_id).send().await?;
//! training.delete_run(&resumed.run_id).send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::training::*;
