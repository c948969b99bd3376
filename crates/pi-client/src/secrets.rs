//! Secrets: list, create, get, update and delete the named values the PI
//! platform stores encrypted for a user or a team (the document's `Secrets`
//! tag, under `/api/v1/secrets`).

use pi_types::{CreateSecret, Secret, SecretString, UpdateSecret};

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::page::ListRequest;
use crate::request::answer::{Data, Nothing};

const LIST: Endpoint = Endpoint::get("/api/v1/secrets/").team_in_query("teamId");
const CREATE: Endpoint = Endpoint::post("/api/v1/secrets/").team_in_body("teamId");
const GET: Endpoint = Endpoint::get("/api/v1/secrets/{secret_id}").team_in_query("teamId");
const UPDATE: Endpoint = Endpoint::patch("/api/v1/secrets/{secret_id}").team_in_query("teamId");
const DELETE: Endpoint = Endpoint::delete("/api/v1/secrets/{secret_id}").team_in_query("teamId");

/// Names the Secrets area in [`Area`]; see [`Secrets`].
#[derive(Debug)]
pub enum SecretsApi {}

/// A handle on the Secrets area; get one with [`Client::secrets`].
///
/// ```no_run
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let created = client
///     .secrets()
///     .create("HF_TOKEN", "hf_example")
///     .description("read-only token")
///     .send()
///     .await?;
/// let again = client.secrets().get(&created.id).await?;
/// assert_eq!(again.name, "HF_TOKEN");
/// client.secrets().team("team_42").delete(&created.id).await?;
/// # Ok(())
/// # }
/// ```
pub type Secrets<'c> = Area<'c, SecretsApi>;

/// A list-secrets request; see [`Area::list`](Secrets::list).
pub type ListSecrets<'c> = ListRequest<'c, Secret>;

/// A create-secret request; see [`Secrets::create`].
pub type CreateSecretBuilder<'c> = BodyRequest<'c, CreateSecret, Data<Secret>>;

/// An update-secret request; see [`Secrets::update`].
pub type UpdateSecretBuilder<'c> = BodyRequest<'c, UpdateSecret, Data<Secret>>;

impl Client {
    /// The Secrets area, acting for the client's default team.
    pub fn secrets(&self) -> Secrets<'_> {
        Area::new(self)
    }
}

impl<'c> Secrets<'c> {
    /// Lists secrets; send for one page, or stream every secret.
    pub fn list(&self) -> ListSecrets<'c> {
        self.list_of(&LIST)
    }

    /// Starts creating a secret called `name` holding `value`.
    ///
    /// `send` returns the created secret's metadata; a success without it
    /// (which the document allows) is [`Error::MissingData`].
    pub fn create(
        &self,
        name: impl Into<String>,
        value: impl Into<SecretString>,
    ) -> CreateSecretBuilder<'c> {
        self.with_body(&CREATE, &[], CreateSecret::new(name, value))
    }

    /// Fetches one secret's metadata (the value is never returned).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, [`Error::MissingData`] when the
    /// server answers 200 without a secret (which the document allows), and
    /// any error of the request path.
    pub async fn get(&self, secret_id: &str) -> Result<Secret, Error> {
        self.call::<Data<Secret>>(&GET, &[("secret_id", secret_id)])
            .await
    }

    /// Starts changing a secret's name, value or description; only what
    /// you set is sent.
    pub fn update(&self, secret_id: &str) -> UpdateSecretBuilder<'c> {
        self.with_body(&UPDATE, &[("secret_id", secret_id)], UpdateSecret::new())
    }

    /// Deletes a secret for good; environments using it lose it.
    ///
    /// Succeeds on any 2xx answer, whatever its body.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, secret_id: &str) -> Result<(), Error> {
        self.call::<Nothing>(&DELETE, &[("secret_id", secret_id)])
            .await
    }
}

impl CreateSecretBuilder<'_> {
    /// Adds a description (at most 500 characters).
    pub fn description(self, description: impl Into<String>) -> Self {
        self.map_body(|body| body.with_description(description))
    }

    /// Marks the value as a file's content (at most 64 KiB).
    pub fn file(self, file: bool) -> Self {
        self.map_body(|body| body.with_is_file(file))
    }
}

impl UpdateSecretBuilder<'_> {
    /// Renames the secret.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_name(name))
    }

    /// Replaces the value.
    pub fn value(self, value: impl Into<SecretString>) -> Self {
        self.map_body(|body| body.with_value(value))
    }

    /// Replaces the description.
    pub fn description(self, description: impl Into<String>) -> Self {
        self.map_body(|body| body.with_description(description))
    }
}
