//! Prime Traces: uploaded traces of model runs, their message nodes and
//! model calls, the episodes that group them and the runs they belong to
//! (the supplement's `Traces` tag: `/api/v1/traces`, `/episodes`, `/runs`).
//!
//! The area's requests go to the client's traces base URL
//! ([`ClientBuilder::traces_url`](crate::client::ClientBuilder::traces_url),
//! `PRIME_TRACES_URL`, or `traces_url` in the `prime` CLI's files), which is
//! the client's base URL unless set. The team travels in the
//! `X-Prime-Team-ID` header. Lists page by cursor; `.into_stream()` follows
//! the cursors. Uploads send their lines gzip-compressed, which the
//! document allows for that part. The trace and episode lists also filter
//! on the context a batch was uploaded with: `.context(key, value)` once per
//! key, sent as `context.<key>=<value>`.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), pi_client::Error> {
//! use futures::TryStreamExt;
//!
//! let client = pi_client::Client::from_env()?;
//! let lines = "{\"trace_id\": \"t1\", \"run_id\": \"r1\"}\n";
//! let receipt = client.traces().upload_lines(lines).send().await?;
//! println!("batch {} is {}", receipt.upload_id, receipt.status);
//! let failed: Vec<_> = client.traces().list().run_id("r1").has_error(true)
//!     .context("job", "nightly").into_stream().try_collect().await?;
//! for trace in failed {
//!     let raw = client.traces().get_raw(&trace.trace_id).send().await?;
//!     println!("{}: {raw}", trace.trace_id);
//! }
//! # Ok(())
//! # }
//! ```

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::request::answer::Json;

pub use crate::generated::traces::*;

impl<'c> Traces<'c> {
    /// [`Traces::upload`] of `lines` (JSONL, each line ending in `\n`) with
    /// line schema version 1, keyed by their content as the service expects:
    /// `sha256:` and the lowercase hex SHA-256 of the exact bytes. Sending
    /// the same lines again is harmless: the service answers with the first
    /// receipt. The lines travel gzip-compressed (the key is still over the
    /// lines themselves), as the official client sends them.
    pub fn upload_lines(&self, lines: impl Into<String>) -> TracesUploadRequest<'c> {
        let lines = lines.into();
        let key = content_key(lines.as_bytes());
        self.upload(key, pi_types::TraceUploadMetadata::new(1), lines)
    }

    /// One trace's stored document as uploaded (the `raw=true` read of
    /// [`Traces::get`]), as JSON.
    pub fn get_raw(&self, trace_id: impl AsRef<str>) -> RawRequest<'c> {
        let mut request = self.get(trace_id);
        request.call.query("raw", "true".to_owned());
        RawRequest { call: request.call }
    }

    /// One episode's stored document as uploaded (the `raw=true` read of
    /// [`Traces::episode`]), its `traces` holding the member trace ids.
    pub fn episode_raw(&self, episode_id: impl AsRef<str>) -> RawRequest<'c> {
        let mut request = self.episode(episode_id);
        request.call.query("raw", "true".to_owned());
        RawRequest { call: request.call }
    }
}

/// `sha256:` and the lowercase hex SHA-256 of `bytes`.
fn content_key(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A read of a stored document, started by [`Traces::get_raw`] or
/// [`Traces::episode_raw`]: set the team if needed, then `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()`"]
pub struct RawRequest<'c> {
    call: crate::call::Call<'c>,
}

impl RawRequest<'_> {
    /// Acts for this team instead of the client's default team.
    pub fn team(mut self, team_id: impl Into<String>) -> Self {
        self.call.team(team_id.into());
        self
    }

    /// Acts for your personal account, even when the client has a default team.
    pub fn personal(mut self) -> Self {
        self.call.personal();
        self
    }

    /// Fetches the document.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn send(self) -> Result<serde_json::Value, Error> {
        self.call.send::<Json<serde_json::Value>>().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_key_is_the_lowercase_hex_sha256_of_the_exact_bytes() {
        assert_eq!(
            content_key(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(content_key(b"a\n"), content_key(b"a"));
    }
}
