//! Secrets: list, create, get, update and delete the named values the PI
//! platform stores encrypted for a user or a team.
//!
//! Operations of the document's `Secrets` tag, all under `/api/v1/secrets`.

use futures::Stream;
use pi_types::{CreateSecret, Page, Secret, SecretString, UpdateSecret};
use reqwest::Method;

use crate::request::{ApiRequest, api_path};
use crate::team::TeamScope;
use crate::{Client, Error, page};

const SECRETS: &str = "/api/v1/secrets";

impl Client {
    /// The Secrets area, acting for the client's default team.
    pub fn secrets(&self) -> Secrets<'_> {
        Secrets {
            client: self,
            team: TeamScope::ClientDefault,
        }
    }
}

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
/// if let Some(created) = created {
///     let again = client.secrets().get(&created.id).await?;
///     assert_eq!(again.map(|secret| secret.name).as_deref(), Some("HF_TOKEN"));
///     client.secrets().team("team_42").delete(&created.id).await?;
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Secrets<'c> {
    client: &'c Client,
    team: TeamScope,
}

impl<'c> Secrets<'c> {
    /// Acts for `team_id` instead of the client's default team.
    #[must_use]
    pub fn team(mut self, team_id: impl Into<String>) -> Self {
        self.team = TeamScope::Team(team_id.into());
        self
    }

    /// Acts for the caller's own account, even if the client has a default team.
    #[must_use]
    pub fn personal(mut self) -> Self {
        self.team = TeamScope::Personal;
        self
    }

    fn team_id(&self) -> Option<&str> {
        self.team.resolve(self.client.team_id())
    }

    /// Lists secrets; send for one page, or stream every secret.
    pub fn list(&self) -> ListSecrets<'c> {
        ListSecrets {
            client: self.client,
            team_id: self.team_id().map(str::to_owned),
            offset: None,
            limit: None,
        }
    }

    /// Starts creating a secret called `name` holding `value`.
    pub fn create(
        &self,
        name: impl Into<String>,
        value: impl Into<SecretString>,
    ) -> CreateSecretBuilder<'c> {
        CreateSecretBuilder {
            client: self.client,
            team_id: self.team_id().map(str::to_owned),
            name: name.into(),
            value: value.into(),
            description: None,
            file: false,
        }
    }

    /// Fetches one secret's metadata (the value is never returned).
    ///
    /// `None` when the server answers 200 without a secret, which the
    /// document allows; an unknown id is [`Error::NotFound`].
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn get(&self, secret_id: &str) -> Result<Option<Secret>, Error> {
        let request = ApiRequest::new(Method::GET, api_path(SECRETS, &[("secret_id", secret_id)])?)
            .query_opt("teamId", self.team_id());
        self.client.fetch_data(request).await
    }

    /// Starts changing a secret's name, value or description.
    pub fn update(&self, secret_id: impl Into<String>) -> UpdateSecretBuilder<'c> {
        UpdateSecretBuilder {
            client: self.client,
            team_id: self.team_id().map(str::to_owned),
            secret_id: secret_id.into(),
            update: Ok(UpdateSecret::new()),
        }
    }

    /// Deletes a secret for good; environments using it lose it.
    ///
    /// Succeeds on any 2xx answer, whatever its body.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, secret_id: &str) -> Result<(), Error> {
        let request = ApiRequest::new(
            Method::DELETE,
            api_path(SECRETS, &[("secret_id", secret_id)])?,
        )
        .query_opt("teamId", self.team_id());
        self.client.fetch_nothing(request).await
    }
}

/// A list-secrets request; see [`Secrets::list`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until .send() or .into_stream()"]
pub struct ListSecrets<'c> {
    client: &'c Client,
    team_id: Option<String>,
    offset: Option<u64>,
    limit: Option<u64>,
}

impl<'c> ListSecrets<'c> {
    /// Skips this many secrets.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Asks for at most this many secrets per page.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Fetches one page.
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn send(&self) -> Result<Page<Secret>, Error> {
        self.page_at(self.offset).await
    }

    /// Every secret from the starting offset on, fetching pages as they are needed.
    pub fn into_stream(self) -> impl Stream<Item = Result<Secret, Error>> + 'c {
        let first = self.offset.unwrap_or(0);
        page::every_item(first, move |offset| {
            let request = self.clone();
            async move { request.page_at(Some(offset)).await }
        })
    }

    async fn page_at(&self, offset: Option<u64>) -> Result<Page<Secret>, Error> {
        let request = ApiRequest::new(Method::GET, format!("{SECRETS}/"))
            .query_opt("teamId", self.team_id.as_deref())
            .query_opt("offset", offset)
            .query_opt("limit", self.limit);
        self.client.fetch(request).await
    }
}

/// A create-secret request; see [`Secrets::create`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until .send()"]
pub struct CreateSecretBuilder<'c> {
    client: &'c Client,
    team_id: Option<String>,
    name: String,
    value: SecretString,
    description: Option<String>,
    file: bool,
}

impl CreateSecretBuilder<'_> {
    /// Adds a description (at most 500 characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Marks the value as a file's content (at most 64 KiB).
    pub fn file(mut self, file: bool) -> Self {
        self.file = file;
        self
    }

    /// Checks the input against the document's rules, then creates the secret.
    ///
    /// Returns the created secret's metadata, or `None` when the server
    /// accepted the secret but sent none back (the document allows it).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) when a field breaks a rule, and
    /// any error of the request path.
    pub async fn send(self) -> Result<Option<Secret>, Error> {
        let mut body = CreateSecret::new(self.name, self.value)?;
        if let Some(description) = self.description {
            body = body.with_description(description)?;
        }
        if self.file {
            body = body.as_file()?;
        }
        if let Some(team_id) = self.team_id {
            body = body.with_team_id(team_id);
        }
        let request = ApiRequest::new(Method::POST, format!("{SECRETS}/")).json(&body)?;
        self.client.fetch_data(request).await
    }
}

/// An update-secret request; see [`Secrets::update`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until .send()"]
pub struct UpdateSecretBuilder<'c> {
    client: &'c Client,
    team_id: Option<String>,
    secret_id: String,
    update: Result<UpdateSecret, pi_types::InvalidInput>,
}

impl UpdateSecretBuilder<'_> {
    /// Renames the secret.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.update = self.update.and_then(|update| update.with_name(name));
        self
    }

    /// Replaces the value.
    pub fn value(mut self, value: impl Into<SecretString>) -> Self {
        self.update = self.update.and_then(|update| update.with_value(value));
        self
    }

    /// Replaces the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.update = self
            .update
            .and_then(|update| update.with_description(description));
        self
    }

    /// Checks the input against the document's rules, then applies the update.
    ///
    /// Returns the updated metadata, or `None` when the server sent none back
    /// (the document allows it).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) when a field breaks a rule, and
    /// any error of the request path.
    pub async fn send(self) -> Result<Option<Secret>, Error> {
        let body = self.update?;
        let path = api_path(SECRETS, &[("secret_id", &self.secret_id)])?;
        let request = ApiRequest::new(Method::PATCH, path)
            .query_opt("teamId", self.team_id.as_deref())
            .json(&body)?;
        self.client.fetch_data(request).await
    }
}
