//! The environments hub: find environments and read their versions and
//! source, fork and delete them, push a new version, and manage the secrets
//! and variables an environment runs with (under `/api/v1/environmentshub`,
//! which the published document does not describe: these calls follow the
//! project's supplement, written from what the `prime` CLI sends and reads).
//!
//! An environment is named two ways: by owner and name (`acme/math`) for
//! reading, forking and deleting, and by its id (the `id` of
//! [`version`](Environments::version) or [`resolve`](Environments::resolve))
//! for pushing and for its secrets and variables. A version is a semantic
//! version, a content hash, or `latest`.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let hub = client.environments();
//! let popular: Vec<_> = hub
//!     .list()
//!     .search("math")
//!     .sort_by(pi_client::environments::EnvironmentSort::Stars)
//!     .into_stream()
//!     .try_collect()
//!     .await?;
//! for environment in &popular {
//!     println!("{}/{}", environment.owner.name, environment.name);
//! }
//! let newest = hub.latest("acme", "math").send().await?;
//! let readme = hub.inspect("acme", "math", "latest").path("README.md").send().await?;
//! println!("{}", readme.content.unwrap_or_default());
//! hub.create_variable(&newest.id, "MAX_TURNS", "8").send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::environments::*;

/// The version name the hub reads as "the newest version".
const LATEST: &str = "latest";

impl<'c> Environments<'c> {
    /// [`version`](Self::version) for the newest version of `owner/name`;
    /// its `id` is the environment's id, which the push, secret and
    /// variable calls take.
    pub fn latest(
        &self,
        owner: impl AsRef<str>,
        name: impl AsRef<str>,
    ) -> EnvironmentsVersionRequest<'c> {
        self.version(owner, name, LATEST)
    }
}
