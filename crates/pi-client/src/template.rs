//! Template: what pod and sandbox templates draw on, namely whether a Docker
//! image can be pulled and the registry credentials saved on the account
//! (the document's `Template` tag, under `/api/v1/template`). These calls
//! act for no team.

use pi_types::{CheckDockerImage, RegistryCredentialsList};

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::request::answer::Json;

const CHECK_DOCKER_IMAGE: Endpoint = Endpoint::post("/api/v1/template/check-docker-image");
const REGISTRY_CREDENTIALS: Endpoint = Endpoint::get("/api/v1/template/registry-credentials");

/// Names the Template area in [`Area`]; see [`Template`].
#[derive(Debug)]
pub enum TemplateApi {}

/// A handle on the Template area; get one with [`Client::template`].
///
/// ```no_run
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let saved = client.template().registry_credentials().await?;
/// let private = saved.credentials.iter().find(|c| c.server == "ghcr.io");
/// let mut check = client.template().check_docker_image("ghcr.io/acme/trainer:v3");
/// if let Some(credentials) = private {
///     check = check.registry_credentials(&credentials.id);
/// }
/// println!("{}", check.send().await?);
/// # Ok(())
/// # }
/// ```
pub type Template<'c> = Area<'c, TemplateApi>;

/// A request checking a Docker image; see [`Template::check_docker_image`].
pub type CheckDockerImageBuilder<'c> = BodyRequest<'c, CheckDockerImage, Json<serde_json::Value>>;

impl Client {
    /// The Template area: Docker image checks and saved registry credentials.
    pub fn template(&self) -> Template<'_> {
        Area::new(self)
    }
}

impl<'c> Template<'c> {
    /// Starts checking that the platform can pull `image` (any Docker
    /// reference, such as `python:3.12-slim`). The document leaves the
    /// answer's shape open, so it comes back as JSON.
    pub fn check_docker_image(&self, image: impl Into<String>) -> CheckDockerImageBuilder<'c> {
        self.with_body(&CHECK_DOCKER_IMAGE, &[], CheckDockerImage::new(image))
    }

    /// The container registry credentials saved on your account: their ids,
    /// names and servers. The server never sends the passwords.
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn registry_credentials(&self) -> Result<RegistryCredentialsList, Error> {
        self.call::<Json<RegistryCredentialsList>>(&REGISTRY_CREDENTIALS, &[])
            .await
    }
}

impl CheckDockerImageBuilder<'_> {
    /// Pulls with these saved credentials (an id from
    /// [`Template::registry_credentials`]), for a private image.
    pub fn registry_credentials(self, credentials_id: impl Into<String>) -> Self {
        self.map_body(|body| body.with_registry_credentials_id(credentials_id))
    }
}
