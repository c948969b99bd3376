//! Training: start and delete dedicated training runs (the document's
//! `training` tag, under `/api/v1/training`). What a run costs is in
//! [`Billing::run_usage`](crate::Billing::run_usage).
//!
//! # Example
//!
//! ```no_run
//! use serde_json::json;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let run = client
//!     .training()
//!     .create_run(json!({"model": {"name": "Qwen/Qwen3-4B"}, "max_steps": 100}))
//!     .name("reverse-text")
//!     .wandb_api_key(std::env::var("WANDB_API_KEY").unwrap_or_default())
//!     .send()
//!     .await?;
//! println!("run {} (job {})", run.run_id, run.job_id);
//! client.training().delete_run(&run.run_id).send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::training::*;
