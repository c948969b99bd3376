//! Secrets: list, create, get, update and delete the named values the PI
//! platform stores encrypted for a user or a team (the document's `Secrets`
//! tag, under `/api/v1/secrets`).
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let created = client
//!     .secrets()
//!     .create("HF_TOKEN", "hf_example")
//!     .description("read-only token")
//!     .send()
//!     .await?;
//! let again = client.secrets().get(&created.id).send().await?;
//! assert_eq!(again.name, "HF_TOKEN");
//! client.secrets().delete(&created.id).team("team_42").send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::secrets::*;
