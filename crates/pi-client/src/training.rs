//! Training: start and delete dedicated training runs (the document's
//! `training` tag, under `/api/v1/training`). What a run costs is in
//! [`Billing::run_usage`](crate::Billing::run_usage).

use pi_types::{CreateDedicatedRun, DedicatedRunCreated, DedicatedRunDeleted, SecretString};

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::request::answer::Json;

const CREATE_RUN: Endpoint = Endpoint::post("/api/v1/training/runs").team_in_body("teamId");
const DELETE_RUN: Endpoint = Endpoint::delete("/api/v1/training/runs/{run_id}");

/// Names the Training area in [`Area`]; see [`Training`].
#[derive(Debug)]
pub enum TrainingApi {}

/// A handle on the Training area; get one with [`Client::training`].
///
/// ```no_run
/// use serde_json::json;
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let run = client
///     .training()
///     .create_run(json!({"model": {"name": "Qwen/Qwen3-4B"}, "max_steps": 100}))
///     .name("reverse-text")
///     .wandb_api_key(std::env::var("WANDB_API_KEY").unwrap_or_default())
///     .send()
///     .await?;
/// println!("run {} (job {})", run.run_id, run.job_id);
/// client.training().delete_run(&run.run_id).await?;
/// # Ok(())
/// # }
/// ```
pub type Training<'c> = Area<'c, TrainingApi>;

/// A request starting a dedicated run; see [`Training::create_run`].
pub type CreateDedicatedRunBuilder<'c> =
    BodyRequest<'c, CreateDedicatedRun, Json<DedicatedRunCreated>>;

impl Client {
    /// The Training area, acting for the client's default team.
    pub fn training(&self) -> Training<'_> {
        Area::new(self)
    }
}

impl<'c> Training<'c> {
    /// Starts creating a dedicated training run from `config`, a JSON object
    /// whose keys the document leaves open (anything but an object is
    /// refused before sending). A team set on the handle (`.team(id)`)
    /// owns the run. The answer carries the run's access token, which stays
    /// out of `Debug` output.
    pub fn create_run(&self, config: serde_json::Value) -> CreateDedicatedRunBuilder<'c> {
        self.with_body(&CREATE_RUN, &[], CreateDedicatedRun::new(config))
    }

    /// Deletes a dedicated run.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown run, and any error of the request path.
    pub async fn delete_run(&self, run_id: &str) -> Result<DedicatedRunDeleted, Error> {
        self.call::<Json<DedicatedRunDeleted>>(&DELETE_RUN, &[("run_id", run_id)])
            .await
    }
}

impl CreateDedicatedRunBuilder<'_> {
    /// Names the run.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_name(name))
    }

    /// The tag of the trainer image to run (the server's default is `main`).
    pub fn image_tag(self, tag: impl Into<String>) -> Self {
        self.map_body(|body| body.with_image_tag(tag))
    }

    /// A Hugging Face token for the run; it stays out of `Debug` output.
    pub fn hf_token(self, token: impl Into<SecretString>) -> Self {
        self.map_body(|body| body.with_hf_token(token))
    }

    /// A Weights & Biases API key for the run; it stays out of `Debug` output.
    pub fn wandb_api_key(self, key: impl Into<SecretString>) -> Self {
        self.map_body(|body| body.with_wandb_api_key(key))
    }
}
