//! Hosted training (RL) runs: list them, read one, stop, restart or delete
//! it, and read what it produced: logs, environment-server pods, metrics,
//! rollout samples, progress, reward histograms and checkpoints (under
//! `/api/v1/rft/runs`).
//!
//! These operations are not in the API's published document: the project
//! describes them in its supplement from what the official `prime` CLI
//! calls, so they may change without notice.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let mine: Vec<_> = client
//!     .rl_runs()
//!     .list()
//!     .mine(true)
//!     .into_stream()
//!     .try_collect()
//!     .await?;
//! for run in &mine {
//!     let logs = client
//!         .rl_runs()
//!         .logs(&run.id)
//!         .component("trainer")
//!         .tail_lines(200)
//!         .send()
//!         .await?;
//!     println!("{} {}: {}", run.id, run.status, logs.logs.unwrap_or_default());
//! }
//! if let Some(run) = mine.first() {
//!     let stopped = client.rl_runs().stop(&run.id).send().await?;
//!     println!("{} is {}", stopped.run.id, stopped.run.status);
//! }
//! # Ok(())
//! # }
//! ```

pub use crate::generated::rl_runs::*;
