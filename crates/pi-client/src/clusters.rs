//! A team's dedicated clusters: the fleet's GPU allocation, the workloads
//! and nodes on it (under `/api/v1/factory`), and the team's Slurm
//! deployments with their SSH members (under `/api/v1/slurm-clusters`).
//! Every call names the team it asks about.
//!
//! These operations are not in the API's published document: the project
//! describes them in its supplement from what the official `prime` CLI
//! calls, so they may change without notice.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let status = client.clusters().factory_status("team_42").send().await?;
//! for cluster in &status.clusters {
//!     println!("{}: {:?} GPUs", cluster.display_name, cluster.total_gpus);
//! }
//! let slurm = client.clusters().slurm_clusters("team_42").send().await?;
//! if let Some(deployment) = slurm.data.first() {
//!     client
//!         .clusters()
//!         .add_slurm_member("team_42", &deployment.id, "ada", ["ssh-ed25519 AAAA... ada@laptop"])
//!         .send()
//!         .await?;
//! }
//! # Ok(())
//! # }
//! ```

pub use crate::generated::clusters::*;
