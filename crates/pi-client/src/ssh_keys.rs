//! SSH keys: list, upload and delete the public keys stored on your account
//! for reaching your pods, and choose the primary one (the document's `SSH Keys` tag,
//! under `/api/v1/ssh_keys`).

use pi_types::{SetPrimarySshKey, SshKey, SshKeyUpdated, UploadSshKey};

use crate::call::Area;
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::page::ListRequest;
use crate::request::answer::{Json, Nothing};

const LIST: Endpoint = Endpoint::get("/api/v1/ssh_keys/");
const UPLOAD: Endpoint = Endpoint::post("/api/v1/ssh_keys/");
const DELETE: Endpoint = Endpoint::delete("/api/v1/ssh_keys/{key_id}");
const SET_PRIMARY: Endpoint = Endpoint::patch("/api/v1/ssh_keys/{key_id}");

/// Names the SSH keys area in [`Area`]; see [`SshKeys`].
#[derive(Debug)]
pub enum SshKeysApi {}

/// A handle on the SSH keys area; get one with [`Client::ssh_keys`]. Keys
/// belong to the caller's account: these calls take no team.
///
/// ```no_run
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let public_key = std::fs::read_to_string("/home/me/.ssh/id_ed25519.pub").unwrap_or_default();
/// let key = client.ssh_keys().upload("laptop", public_key.trim()).await?;
/// let updated = client.ssh_keys().set_primary(&key.id).await?;
/// println!("{}", updated.message);
/// # Ok(())
/// # }
/// ```
pub type SshKeys<'c> = Area<'c, SshKeysApi>;

/// A list-SSH-keys request: one page with `.send()`, every key with `.into_stream()`.
pub type ListSshKeys<'c> = ListRequest<'c, SshKey>;

impl Client {
    /// The SSH keys area of the caller's account.
    pub fn ssh_keys(&self) -> SshKeys<'_> {
        Area::new(self)
    }
}

impl<'c> SshKeys<'c> {
    /// Lists your SSH keys; send for one page, or stream every key.
    pub fn list(&self) -> ListSshKeys<'c> {
        self.list_of(&LIST)
    }

    /// Stores the public key `public_key` (an OpenSSH line such as
    /// `ssh-ed25519 AAAA… me@laptop`) under `name`; returns the stored key.
    ///
    /// # Errors
    /// [`Error::Validation`] when the server refuses the key, and any error
    /// of the request path.
    pub async fn upload(
        &self,
        name: impl Into<String>,
        public_key: impl Into<String>,
    ) -> Result<SshKey, Error> {
        self.with_body::<_, Json<SshKey>>(&UPLOAD, &[], UploadSshKey::new(name, public_key))
            .send()
            .await
    }

    /// Makes a key the account's primary key (sends `isPrimary: true`);
    /// returns the server's message and the fields that changed.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn set_primary(&self, key_id: &str) -> Result<SshKeyUpdated, Error> {
        let body = SetPrimarySshKey::new().with_is_primary(true);
        self.with_body::<_, Json<SshKeyUpdated>>(&SET_PRIMARY, &[("key_id", key_id)], body)
            .send()
            .await
    }

    /// Deletes a key from the account.
    ///
    /// Succeeds on any 2xx answer, whatever its body.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, key_id: &str) -> Result<(), Error> {
        self.call::<Nothing>(&DELETE, &[("key_id", key_id)]).await
    }
}
