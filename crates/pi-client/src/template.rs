//! Template: what pod and sandbox templates draw on, namely whether a Docker
//! image can be pulled and the registry credentials saved on the account
//! (the document's `Template` tag, under `/api/v1/template`). These calls
//! act for no team.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let saved = client.template().registry_credentials().send().await?;
//! let private = saved.credentials.iter().find(|c| c.server == "ghcr.io");
//! let mut check = client.template().check_docker_image("ghcr.io/acme/trainer:v3");
//! if let Some(credentials) = private {
//!     check = check.registry_credentials_id(&credentials.id);
//! }
//! println!("{}", check.send().await?);
//! # Ok(())
//! # }
//! ```

pub use crate::generated::template::*;
