//! Files in a sandbox, through its gateway's file endpoints (plain HTTP on
//! the gateway base, outside the PI API's document): uploads and downloads
//! that stream, so memory stays bounded whatever the file's size, in forms
//! for readers and writers, local paths and bytes; and windowed reads.
//!
//! A call is sent again, with the client's retry policy, when the gateway
//! answers 408, 429 or a 5xx, or 409 while the sandbox still runs: only
//! forms whose body can be read twice (bytes, a local file) or that have no
//! body are repeated; an upload from a reader is sent once.

use std::path::Path;
use std::time::Duration;

use pi_types::Rule;
use pi_types::gateway::connect::Code;
use pi_types::gateway::{FileWindow, Uploaded};

use crate::client::Client;
use crate::endpoint::invalid_query;
use crate::error::Error;
use crate::gateway::GatewayAccess;
use crate::sandboxes::Sandboxes;
use crate::sandboxes::commands::sandbox_state;

/// How long a transfer may take.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(300);

/// How long a read of a file window may take unless its request says otherwise.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

impl<'c> Sandboxes<'c> {
    /// Starts reading the file at `path` in the sandbox, whole or (with
    /// [`window`](SandboxesReadFileRequest::window)) a byte window of it, as
    /// text.
    pub fn read_file(
        &self,
        sandbox_id: impl AsRef<str>,
        path: impl Into<String>,
    ) -> SandboxesReadFileRequest<'c> {
        SandboxesReadFileRequest {
            sandboxes: *self,
            sandbox_id: sandbox_id.as_ref().to_owned(),
            path: path.into(),
            window: None,
            timeout: READ_TIMEOUT,
        }
    }

    /// Copies the file at `path` in the sandbox into `sink`, one chunk at a
    /// time: memory stays bounded whatever the file's size. Returns the
    /// bytes written. A refusal before any byte arrived is retried; a
    /// transfer that breaks midway is not (part of it is in `sink`).
    ///
    /// # Errors
    /// [`Error::Gateway`] (`not_found` for a missing file,
    /// `unauthenticated` for a refused token),
    /// [`Error::SandboxNotRunning`] when the sandbox stopped,
    /// [`Error::Transport`] when the transfer breaks or `sink` fails, and
    /// any error of [`auth`](Sandboxes::auth).
    pub async fn download<W>(
        &self,
        sandbox_id: impl AsRef<str>,
        path: &str,
        sink: &mut W,
    ) -> Result<u64, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        let sandbox_id = sandbox_id.as_ref();
        let client = self.client();
        let query = [
            ("path", path.to_owned()),
            ("sandbox_id", sandbox_id.to_owned()),
        ];
        let mut retries = Retries::new(client, sandbox_id, true);
        loop {
            let access = retries.access().await?;
            let url = format!("{}/download", access.base);
            let answer = client
                .transport()
                .gateway_download(&url, &access.token, &query, TRANSFER_TIMEOUT, sink)
                .await;
            match answer {
                Ok(written) => return Ok(written),
                Err(error) => retries.after(error).await?,
            }
        }
    }

    /// Downloads the file at `path` into memory. For large files prefer
    /// [`download`](Self::download) or [`download_to_file`](Self::download_to_file).
    ///
    /// # Errors
    /// As [`download`](Self::download).
    pub async fn download_bytes(
        &self,
        sandbox_id: impl AsRef<str>,
        path: &str,
    ) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::new();
        self.download(sandbox_id, path, &mut bytes).await?;
        Ok(bytes)
    }

    /// Downloads the file at `path` into the local file `local` (created or
    /// truncated), streaming.
    ///
    /// # Errors
    /// As [`download`](Self::download), and [`Error::Transport`] when the
    /// local file cannot be written.
    pub async fn download_to_file(
        &self,
        sandbox_id: impl AsRef<str>,
        path: &str,
        local: impl AsRef<Path>,
    ) -> Result<u64, Error> {
        let local = local.as_ref();
        let file = tokio::fs::File::create(local)
            .await
            .map_err(|error| local_file_error(local, &error))?;
        let mut writer = tokio::io::BufWriter::new(file);
        self.download(sandbox_id, path, &mut writer).await
    }

    /// Stores what `source` holds as the file `remote_path` in the sandbox,
    /// read and sent one buffer at a time: memory stays bounded whatever
    /// its size. Sent once, never again (a reader cannot be read twice);
    /// [`upload_bytes`](Self::upload_bytes) and
    /// [`upload_file`](Self::upload_file) are retried.
    ///
    /// # Errors
    /// As [`download`](Self::download), and [`Error::Transport`] when
    /// reading `source` fails.
    pub async fn upload<R>(
        &self,
        sandbox_id: impl AsRef<str>,
        remote_path: &str,
        source: R,
    ) -> Result<Uploaded, Error>
    where
        R: tokio::io::AsyncRead + Send + Unpin + 'static,
    {
        let sandbox_id = sandbox_id.as_ref();
        let client = self.client();
        let mut retries = Retries::new(client, sandbox_id, false);
        let access = retries.access().await?;
        match upload_once(client, access, sandbox_id, remote_path, source).await {
            Ok(uploaded) => Ok(uploaded),
            Err(error) => Err(retries
                .after(error)
                .await
                .err()
                .unwrap_or(Error::Transport {
                    message: "an upload from a reader is sent once".to_owned(),
                })),
        }
    }

    /// Stores `bytes` as the file `remote_path` in the sandbox.
    ///
    /// # Errors
    /// As [`upload`](Self::upload).
    pub async fn upload_bytes(
        &self,
        sandbox_id: impl AsRef<str>,
        remote_path: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<Uploaded, Error> {
        let sandbox_id = sandbox_id.as_ref();
        let client = self.client();
        let bytes: std::sync::Arc<[u8]> = bytes.into().into();
        let mut retries = Retries::new(client, sandbox_id, true);
        loop {
            let access = retries.access().await?;
            let source = std::io::Cursor::new(std::sync::Arc::clone(&bytes));
            match upload_once(client, access, sandbox_id, remote_path, source).await {
                Ok(uploaded) => return Ok(uploaded),
                Err(error) => retries.after(error).await?,
            }
        }
    }

    /// Stores the local file `local` as `remote_path` in the sandbox,
    /// streaming (opened again for each attempt).
    ///
    /// # Errors
    /// As [`upload`](Self::upload), and [`Error::Transport`] when the local
    /// file cannot be read.
    pub async fn upload_file(
        &self,
        sandbox_id: impl AsRef<str>,
        remote_path: &str,
        local: impl AsRef<Path>,
    ) -> Result<Uploaded, Error> {
        let sandbox_id = sandbox_id.as_ref();
        let client = self.client();
        let local = local.as_ref();
        let mut retries = Retries::new(client, sandbox_id, true);
        loop {
            let access = retries.access().await?;
            let file = tokio::fs::File::open(local)
                .await
                .map_err(|error| local_file_error(local, &error))?;
            match upload_once(client, access, sandbox_id, remote_path, file).await {
                Ok(uploaded) => return Ok(uploaded),
                Err(error) => retries.after(error).await?,
            }
        }
    }
}

/// One upload of `source`.
async fn upload_once<R>(
    client: &Client,
    access: GatewayAccess,
    sandbox_id: &str,
    remote_path: &str,
    source: R,
) -> Result<Uploaded, Error>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
{
    let query = [
        ("path", remote_path.to_owned()),
        ("sandbox_id", sandbox_id.to_owned()),
    ];
    client
        .transport()
        .gateway_upload(
            &format!("{}/upload", access.base),
            &access.token,
            &query,
            TRANSFER_TIMEOUT,
            source,
        )
        .await
}

fn local_file_error(local: &Path, error: &std::io::Error) -> Error {
    Error::Transport {
        message: format!("cannot use the local file {}: {error}", local.display()),
    }
}

/// The retries of one file call: a refused token is replaced once, and
/// (when the call is `repeatable`) a fault a new attempt can fix is retried
/// with the client's retry policy. A `not_found` from a sandbox that
/// stopped becomes [`Error::SandboxNotRunning`].
struct Retries<'a> {
    client: &'a Client,
    sandbox_id: &'a str,
    repeatable: bool,
    retry: u32,
    refused_once: bool,
}

impl<'a> Retries<'a> {
    fn new(client: &'a Client, sandbox_id: &'a str, repeatable: bool) -> Self {
        Self {
            client,
            sandbox_id,
            repeatable,
            retry: 0,
            refused_once: false,
        }
    }

    /// The gateway and a token for the next attempt.
    async fn access(&self) -> Result<GatewayAccess, Error> {
        self.client
            .inner
            .gateway
            .access(self.client, self.sandbox_id)
            .await
    }

    /// `Ok` to try again after `error` (having waited), or the error to
    /// report.
    async fn after(&mut self, error: Error) -> Result<(), Error> {
        let Error::Gateway { code, .. } = &error else {
            return Err(error);
        };
        let again = match code {
            Code::Unauthenticated if !self.refused_once && self.repeatable => {
                self.refused_once = true;
                self.client.inner.gateway.forget(self.sandbox_id).await;
                return Ok(());
            }
            Code::NotFound => {
                return Err(match sandbox_state(self.client, self.sandbox_id).await {
                    Some(Err(stopped)) => stopped,
                    _ => error,
                });
            }
            Code::Unavailable | Code::DeadlineExceeded | Code::Unknown | Code::Internal => true,
            // A 409 while the sandbox still reports running is passing.
            Code::FailedPrecondition => match sandbox_state(self.client, self.sandbox_id).await {
                Some(Err(stopped)) => return Err(stopped),
                Some(Ok(())) => true,
                None => false,
            },
            _ => false,
        };
        let policy = self.client.transport().retry_policy();
        if !(again && self.repeatable && self.retry < policy.max_retries_allowed()) {
            return Err(error);
        }
        tokio::time::sleep(policy.delay_bound(self.retry)).await;
        self.retry += 1;
        Ok(())
    }
}

/// A file read started by [`Sandboxes::read_file`]: set a window if you
/// need one, then `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()`"]
pub struct SandboxesReadFileRequest<'c> {
    sandboxes: Sandboxes<'c>,
    sandbox_id: String,
    path: String,
    window: Option<(i64, i64)>,
    timeout: Duration,
}

impl SandboxesReadFileRequest<'_> {
    /// Reads only `length` bytes from byte `offset` on (VM sandboxes send
    /// the whole file whatever the window).
    pub fn window(mut self, offset: i64, length: i64) -> Self {
        self.window = Some((offset, length));
        self
    }

    /// How long the read may take (30 seconds unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reads the file.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a negative offset or
    /// length; as [`Sandboxes::download`]; and [`Error::Decode`] for an
    /// answer that is not a file window.
    pub async fn send(self) -> Result<FileWindow, Error> {
        if let Some((offset, length)) = self.window {
            for (field, value) in [("offset", offset), ("length", length)] {
                if value < 0 {
                    let problem = format!("it is {value}");
                    return Err(invalid_query(field, Rule::AtLeast("0"), problem).into());
                }
            }
        }
        let client = self.sandboxes.client();
        let mut query = vec![("path", self.path)];
        if let Some((offset, length)) = self.window {
            query.push(("offset", offset.to_string()));
            query.push(("length", length.to_string()));
        }
        let mut retries = Retries::new(client, &self.sandbox_id, true);
        loop {
            let access = retries.access().await?;
            let answer = client
                .transport()
                .gateway_json(
                    &format!("{}/read-file", access.base),
                    &access.token,
                    &query,
                    self.timeout,
                )
                .await;
            match answer {
                Ok(window) => return Ok(window),
                Err(error) => retries.after(error).await?,
            }
        }
    }
}
