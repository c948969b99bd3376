//! SSH keys: list, upload and delete the public keys stored on your account
//! for reaching your pods, and choose the primary one (the document's `SSH Keys` tag,
//! under `/api/v1/ssh_keys`).
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let public_key = std::fs::read_to_string("/home/me/.ssh/id_ed25519.pub").unwrap_or_default();
//! let key = client.ssh_keys().upload("laptop", public_key.trim()).send().await?;
//! let updated = client.ssh_keys().set_primary(&key.id).send().await?;
//! println!("{}", updated.message);
//! # Ok(())
//! # }
//! ```

pub use crate::generated::ssh_keys::*;
