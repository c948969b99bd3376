//! Teams: who belongs to a team, and in which role (the document's `teams`
//! tag, under `/api/v1/teams`). The teams you belong to yourself are listed
//! by [`User::teams`](crate::User::teams).
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let first = client.teams().members("team_42").limit(20).send().await?;
//! println!("{} members in all", first.total_count);
//! let admins: Vec<String> = client
//!     .teams()
//!     .members("team_42")
//!     .into_stream()
//!     .try_filter(|member| std::future::ready(member.role == "ADMIN"))
//!     .map_ok(|member| member.user_id)
//!     .try_collect()
//!     .await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::teams::*;
