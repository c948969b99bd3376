//! User: the account the API key belongs to, its username slug and the teams
//! it is a member of (the document's `user` tag, under `/api/v1/user`).
//! These calls act for no team.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let me = client.user().whoami().send().await?;
//! println!("signed in as {} <{}>", me.name, me.email);
//! let team_ids: Vec<String> = client
//!     .user()
//!     .teams()
//!     .into_stream()
//!     .map_ok(|team| team.team_id)
//!     .try_collect()
//!     .await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::user::*;
