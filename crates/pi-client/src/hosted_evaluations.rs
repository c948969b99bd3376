//! Hosted evaluations: have the PI platform run a model against evaluation
//! environments for you, follow the run's logs, and cancel it (the
//! document's `hosted-evaluations` tag, under `/api/v1/hosted-evaluations`).
//! The results land in the Evaluations area ([`crate::Evaluations`]).

use pi_types::{
    CreateHostedEvaluation, HostedEvaluationCancelled, HostedEvaluationCreated,
    HostedEvaluationLogs, HostedEvaluationSettings, InferenceModelList,
};

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::request::answer::Json;

const CREATE: Endpoint = Endpoint::post("/api/v1/hosted-evaluations").team_in_body("team_id");
const MODELS: Endpoint = Endpoint::get("/api/v1/hosted-evaluations/models");
const CANCEL: Endpoint = Endpoint::patch("/api/v1/hosted-evaluations/{evaluation_id}/cancel");
const LOGS: Endpoint = Endpoint::get("/api/v1/hosted-evaluations/{evaluation_id}/logs");

/// Names the Hosted evaluations area in [`Area`]; see [`HostedEvaluations`].
#[derive(Debug)]
pub enum HostedEvaluationsApi {}

/// A handle on the Hosted evaluations area; get one with
/// [`Client::hosted_evaluations`].
///
/// ```no_run
/// use pi_client::types::HostedEvaluationSettings;
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let models = client.hosted_evaluations().models().await?;
/// println!("{} models on offer", models.models.len());
/// let started = client
///     .hosted_evaluations()
///     .create("my-org/my-model", ["env_gsm8k"], HostedEvaluationSettings::new(100, 2))
///     .name("gsm8k, 100 examples")
///     .send()
///     .await?;
/// let logs = client.hosted_evaluations().logs(&started.evaluation_id).await?;
/// println!("{}", logs.logs);
/// client.hosted_evaluations().cancel(&started.evaluation_id).await?;
/// # Ok(())
/// # }
/// ```
pub type HostedEvaluations<'c> = Area<'c, HostedEvaluationsApi>;

/// A request launching a hosted evaluation; see [`HostedEvaluations::create`].
pub type CreateHostedEvaluationBuilder<'c> =
    BodyRequest<'c, CreateHostedEvaluation, Json<HostedEvaluationCreated>>;

impl Client {
    /// The Hosted evaluations area, acting for the client's default team.
    pub fn hosted_evaluations(&self) -> HostedEvaluations<'_> {
        Area::new(self)
    }
}

impl<'c> HostedEvaluations<'c> {
    /// Starts launching an evaluation of `inference_model` (a name from
    /// [`HostedEvaluations::models`]) against the environments with these
    /// ids (at least one), run as `settings` says. A team set on the handle
    /// (`.team(id)`) owns it.
    pub fn create<I, S>(
        &self,
        inference_model: impl Into<String>,
        environment_ids: I,
        settings: HostedEvaluationSettings,
    ) -> CreateHostedEvaluationBuilder<'c>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = environment_ids.into_iter().map(Into::into).collect();
        self.create_with(CreateHostedEvaluation::new(inference_model, ids, settings))
    }

    /// Starts launching an evaluation from a body you built yourself with
    /// [`CreateHostedEvaluation::new`] and its `with_*` setters.
    pub fn create_with(
        &self,
        request: CreateHostedEvaluation,
    ) -> CreateHostedEvaluationBuilder<'c> {
        self.with_body(&CREATE, &[], request)
    }

    /// The models a hosted evaluation can run. The document leaves each
    /// model's shape open, so they come back as JSON objects.
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn models(&self) -> Result<InferenceModelList, Error> {
        self.call::<Json<InferenceModelList>>(&MODELS, &[]).await
    }

    /// Stops a hosted evaluation that is still running.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn cancel(&self, evaluation_id: &str) -> Result<HostedEvaluationCancelled, Error> {
        self.call::<Json<HostedEvaluationCancelled>>(&CANCEL, &[("evaluation_id", evaluation_id)])
            .await
    }

    /// What the run has logged so far, and the sandbox it runs in.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn logs(&self, evaluation_id: &str) -> Result<HostedEvaluationLogs, Error> {
        self.call::<Json<HostedEvaluationLogs>>(&LOGS, &[("evaluation_id", evaluation_id)])
            .await
    }
}

impl CreateHostedEvaluationBuilder<'_> {
    /// Gives the evaluation a name.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_name(name))
    }
}
