//! Evaluations: record how a model scored on environments or suites, add
//! result samples to a record, close it with final metrics, and read it back
//! (the document's `evals` tag, under `/api/v1/evaluations`).
//!
//! Besides one method per operation, the area offers
//! [`Evaluations::push_samples_in_batches`], which splits a large sample set
//! into requests of a size you choose and tells you batch by batch what
//! reached the server.

use std::io;
use std::ops::Range;

use futures::Stream;
use pi_types::{
    BulkDeleteEvaluations, CreateEvaluation, EnvironmentRef, Evaluation, EvaluationCreated,
    EvaluationFinalized, EvaluationList, EvaluationUpdated, EvaluationsBulkDeleted,
    FinalizeEvaluation, HostedEvaluationSettings, InvalidInput, PushSamples, Rule, SampleList,
    SamplesPushed, UpdateEvaluation, check_path_segment,
};
use serde_json::Value;

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::{Endpoint, invalid_query};
use crate::error::Error;
use crate::page;
use crate::request::ApiRequest;
use crate::request::answer::{Json, Nothing};

const LIST: Endpoint = Endpoint::get("/api/v1/evaluations/").team_in_query("team_id");
const CREATE: Endpoint = Endpoint::post("/api/v1/evaluations/").team_in_body("team_id");
const BULK_DELETE: Endpoint = Endpoint::post("/api/v1/evaluations/bulk-delete");
const GET: Endpoint = Endpoint::get("/api/v1/evaluations/{evaluation_id}");
const UPDATE: Endpoint = Endpoint::put("/api/v1/evaluations/{evaluation_id}");
const DELETE: Endpoint = Endpoint::delete("/api/v1/evaluations/{evaluation_id}");
const FINALIZE: Endpoint = Endpoint::post("/api/v1/evaluations/{evaluation_id}/finalize");
const PUSH_SAMPLES: Endpoint = Endpoint::post("/api/v1/evaluations/{evaluation_id}/samples");
const SAMPLES: Endpoint = Endpoint::get("/api/v1/evaluations/{evaluation_id}/samples");

/// The largest page of evaluations the list accepts (`limit`).
const MAX_EVALUATIONS_PER_PAGE: u64 = 100;

/// The largest page of samples the samples list accepts (`limit`).
const MAX_SAMPLES_PER_PAGE: u64 = 1000;

/// What a push body adds around its samples: `{"samples":[` and `]}`.
const PUSH_BODY_FRAME: usize = r#"{"samples":[]}"#.len();

/// Names the Evaluations area in [`Area`]; see [`Evaluations`].
#[derive(Debug)]
pub enum EvaluationsApi {}

/// A handle on the Evaluations area; get one with [`Client::evaluations`].
///
/// ```no_run
/// use pi_client::types::EnvironmentRef;
/// use serde_json::json;
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let created = client
///     .evaluations()
///     .create("gsm8k nightly")
///     .model_name("my-org/my-model")
///     .environments([EnvironmentRef::new("env_gsm8k")])
///     .send()
///     .await?;
/// let id = &created.evaluation_id;
/// let samples = vec![json!({"example_id": 0, "reward": 1.0})];
/// client.evaluations().push_samples(id, samples).await?;
/// let done = client.evaluations().finalize(id).await?;
/// println!("{:?} over {:?} samples", done.avg_score, done.total_samples);
/// # Ok(())
/// # }
/// ```
pub type Evaluations<'c> = Area<'c, EvaluationsApi>;

/// A create-evaluation request; see [`Evaluations::create`].
pub type CreateEvaluationBuilder<'c> = BodyRequest<'c, CreateEvaluation, Json<EvaluationCreated>>;

/// An update-evaluation request; see [`Evaluations::update`].
pub type UpdateEvaluationBuilder<'c> = BodyRequest<'c, UpdateEvaluation, Json<EvaluationUpdated>>;

impl Client {
    /// The Evaluations area, acting for the client's default team.
    pub fn evaluations(&self) -> Evaluations<'_> {
        Area::new(self)
    }
}

impl<'c> Evaluations<'c> {
    /// Lists evaluations; filter it, then send for one page or stream them all.
    pub fn list(&self) -> ListEvaluations<'c> {
        ListEvaluations::new(self.client(), self.team_id().map(str::to_owned))
    }

    /// Starts creating an evaluation called `name`. A team set on the handle
    /// (`.team(id)`) owns it.
    pub fn create(&self, name: impl Into<String>) -> CreateEvaluationBuilder<'c> {
        self.create_with(CreateEvaluation::new(name))
    }

    /// Starts creating an evaluation from a body you built yourself with the
    /// `with_*` setters of [`CreateEvaluation`].
    pub fn create_with(&self, request: CreateEvaluation) -> CreateEvaluationBuilder<'c> {
        self.with_body(&CREATE, &[], request)
    }

    /// Deletes up to 100 evaluations at once; the answer says which ids
    /// went and which did not.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for no id or more than 100,
    /// and any error of the request path.
    pub async fn bulk_delete<I, S>(
        &self,
        evaluation_ids: I,
    ) -> Result<EvaluationsBulkDeleted, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = evaluation_ids.into_iter().map(Into::into).collect();
        self.with_body::<_, Json<EvaluationsBulkDeleted>>(
            &BULK_DELETE,
            &[],
            BulkDeleteEvaluations::new(ids),
        )
        .send()
        .await
    }

    /// Fetches one evaluation with its scores and metrics.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn get(&self, evaluation_id: &str) -> Result<Evaluation, Error> {
        self.call::<Json<Evaluation>>(&GET, &[("evaluation_id", evaluation_id)])
            .await
    }

    /// Starts changing an evaluation; only what you set is sent.
    pub fn update(&self, evaluation_id: &str) -> UpdateEvaluationBuilder<'c> {
        let ids = [("evaluation_id", evaluation_id)];
        self.with_body(&UPDATE, &ids, UpdateEvaluation::new())
    }

    /// Deletes an evaluation and its samples.
    ///
    /// Succeeds on any 2xx answer: the document gives its body no shape.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, evaluation_id: &str) -> Result<(), Error> {
        self.call::<Nothing>(&DELETE, &[("evaluation_id", evaluation_id)])
            .await
    }

    /// Closes an evaluation and lets the server work out its score
    /// statistics; the request carries no body.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn finalize(&self, evaluation_id: &str) -> Result<EvaluationFinalized, Error> {
        self.call::<Json<EvaluationFinalized>>(&FINALIZE, &[("evaluation_id", evaluation_id)])
            .await
    }

    /// Closes an evaluation with a body, such as the final metrics
    /// (`FinalizeEvaluation::new().with_metrics(…)`).
    ///
    /// # Errors
    /// As [`Evaluations::finalize`].
    pub async fn finalize_with(
        &self,
        evaluation_id: &str,
        request: FinalizeEvaluation,
    ) -> Result<EvaluationFinalized, Error> {
        let ids = [("evaluation_id", evaluation_id)];
        self.with_body::<_, Json<EvaluationFinalized>>(&FINALIZE, &ids, request)
            .send()
            .await
    }

    /// Adds result samples (JSON objects) to an evaluation in one request.
    /// For a set too large for one request, see
    /// [`Evaluations::push_samples_in_batches`].
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn push_samples(
        &self,
        evaluation_id: &str,
        samples: Vec<Value>,
    ) -> Result<SamplesPushed, Error> {
        let ids = [("evaluation_id", evaluation_id)];
        self.with_body::<_, Json<SamplesPushed>>(&PUSH_SAMPLES, &ids, PushSamples::new(samples))
            .send()
            .await
    }

    /// Adds `samples` to an evaluation in as few requests as fit: each
    /// request body is at most `max_batch_bytes` bytes of JSON, and every
    /// batch is filled as far as the limit allows, keeping the samples in
    /// order.
    ///
    /// Batches go one after the other and the first one that fails ends the
    /// push: the report lists every batch sent (its index, the samples it
    /// carried, its size and the server's answer), so you know exactly which
    /// samples the server took. No sample is left out silently: one too
    /// large for a request of its own is refused before anything is sent.
    /// An empty `samples` sends nothing.
    ///
    /// ```no_run
    /// # async fn run(client: pi_client::Client, samples: Vec<serde_json::Value>) -> Result<(), pi_client::Error> {
    /// let report = client
    ///     .evaluations()
    ///     .push_samples_in_batches("eval_1", samples, 1 << 20)
    ///     .await?;
    /// if let Some(failed) = report.failed() {
    ///     let taken = report.pushed();
    ///     eprintln!("samples {taken:?} are stored; batch {} failed", failed.index);
    /// }
    /// let report = report.into_result()?;
    /// println!("{} samples in {} requests", report.samples, report.batches.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`], with nothing sent, naming `samples` when one
    /// sample alone makes a body over `max_batch_bytes`, or `evaluation_id`
    /// when the id cannot be a path segment. A batch that fails is not an
    /// error of this call: it is in the report.
    pub async fn push_samples_in_batches(
        &self,
        evaluation_id: &str,
        samples: Vec<Value>,
        max_batch_bytes: usize,
    ) -> Result<SamplePushReport, Error> {
        check_path_segment("evaluation_id", evaluation_id)?;
        let sizes = samples
            .iter()
            .map(encoded_len)
            .collect::<Result<Vec<usize>, Error>>()?;
        let plan = plan_batches(&sizes, max_batch_bytes)?;
        let mut rest = samples.into_iter();
        let mut batches = Vec::with_capacity(plan.len());
        for (index, planned) in plan.iter().enumerate() {
            let batch: Vec<Value> = rest.by_ref().take(planned.samples.len()).collect();
            let answer = self.push_samples(evaluation_id, batch).await;
            let failed = answer.is_err();
            batches.push(SampleBatch {
                index,
                samples: planned.samples.clone(),
                bytes: planned.bytes,
                answer,
            });
            if failed {
                break;
            }
        }
        Ok(SamplePushReport {
            batches,
            planned: plan.len(),
            samples: sizes.len(),
        })
    }

    /// Reads an evaluation's samples; send for one page, or stream them all.
    pub fn samples(&self, evaluation_id: &str) -> ListSamples<'c> {
        ListSamples::new(self.client(), evaluation_id)
    }
}

impl CreateEvaluationBuilder<'_> {
    /// Adds a description.
    pub fn description(self, description: impl Into<String>) -> Self {
        self.map_body(|body| body.with_description(description))
    }

    /// Names the dataset the evaluation ran on.
    pub fn dataset(self, dataset: impl Into<String>) -> Self {
        self.map_body(|body| body.with_dataset(dataset))
    }

    /// Names the environments (by id, optionally pinned to a version) the
    /// evaluation covers.
    pub fn environments<I>(self, environments: I) -> Self
    where
        I: IntoIterator<Item = EnvironmentRef>,
    {
        let environments = environments.into_iter().collect::<Vec<_>>();
        self.map_body(|body| body.with_environments(environments))
    }

    /// How the evaluation is run (the body's `eval_config`).
    pub fn settings(self, settings: HostedEvaluationSettings) -> Self {
        self.map_body(|body| body.with_eval_config(settings))
    }

    /// Names the evaluation framework that produced the results.
    pub fn framework(self, framework: impl Into<String>) -> Self {
        self.map_body(|body| body.with_framework(framework))
    }

    /// Names the model that answered, as the inference service knows it.
    pub fn inference_model(self, model: impl Into<String>) -> Self {
        self.map_body(|body| body.with_inference_model(model))
    }

    /// Marks the evaluation as run by the platform rather than by you
    /// (the server's default: not hosted).
    pub fn hosted(self, hosted: bool) -> Self {
        self.map_body(|body| body.with_is_hosted(hosted))
    }

    /// Lets anyone see the evaluation (the server's default: private).
    pub fn public(self, public: bool) -> Self {
        self.map_body(|body| body.with_is_public(public))
    }

    /// Attaches free-form metadata, a JSON object.
    pub fn metadata(self, metadata: Value) -> Self {
        self.map_body(|body| body.with_metadata(metadata))
    }

    /// Records metrics known up front, a JSON object.
    pub fn metrics(self, metrics: Value) -> Self {
        self.map_body(|body| body.with_metrics(metrics))
    }

    /// Names the model evaluated, as it should be shown.
    pub fn model_name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_model_name(name))
    }

    /// Ties the evaluation to a training run.
    pub fn run(self, run_id: impl Into<String>) -> Self {
        self.map_body(|body| body.with_run_id(run_id))
    }

    /// Lists the evaluation on the leaderboard, or not (the server's default: not).
    pub fn show_on_leaderboard(self, shown: bool) -> Self {
        self.map_body(|body| body.with_show_on_leaderboard(shown))
    }

    /// Ties the evaluation to a suite.
    pub fn suite(self, suite_id: impl Into<String>) -> Self {
        self.map_body(|body| body.with_suite_id(suite_id))
    }

    /// Tags the evaluation.
    pub fn tags<I, S>(self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let tags = tags.into_iter().map(Into::into).collect::<Vec<String>>();
        self.map_body(|body| body.with_tags(tags))
    }

    /// Names the kind of task evaluated.
    pub fn task_type(self, task_type: impl Into<String>) -> Self {
        self.map_body(|body| body.with_task_type(task_type))
    }
}

impl UpdateEvaluationBuilder<'_> {
    /// Renames the evaluation.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_name(name))
    }

    /// Replaces the description.
    pub fn description(self, description: impl Into<String>) -> Self {
        self.map_body(|body| body.with_description(description))
    }

    /// Replaces the dataset's name.
    pub fn dataset(self, dataset: impl Into<String>) -> Self {
        self.map_body(|body| body.with_dataset(dataset))
    }

    /// Replaces how the evaluation is run (the body's `eval_config`).
    pub fn settings(self, settings: HostedEvaluationSettings) -> Self {
        self.map_body(|body| body.with_eval_config(settings))
    }

    /// Replaces the framework's name.
    pub fn framework(self, framework: impl Into<String>) -> Self {
        self.map_body(|body| body.with_framework(framework))
    }

    /// Replaces the inference service's name of the model.
    pub fn inference_model(self, model: impl Into<String>) -> Self {
        self.map_body(|body| body.with_inference_model(model))
    }

    /// Makes the evaluation public or private.
    pub fn public(self, public: bool) -> Self {
        self.map_body(|body| body.with_is_public(public))
    }

    /// Replaces the metadata, a JSON object.
    pub fn metadata(self, metadata: Value) -> Self {
        self.map_body(|body| body.with_metadata(metadata))
    }

    /// Replaces the metrics, a JSON object.
    pub fn metrics(self, metrics: Value) -> Self {
        self.map_body(|body| body.with_metrics(metrics))
    }

    /// Replaces the model's shown name.
    pub fn model_name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_model_name(name))
    }

    /// Adds the evaluation to the leaderboard or takes it off.
    pub fn show_on_leaderboard(self, shown: bool) -> Self {
        self.map_body(|body| body.with_show_on_leaderboard(shown))
    }

    /// Replaces the tags.
    pub fn tags<I, S>(self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let tags = tags.into_iter().map(Into::into).collect::<Vec<String>>();
        self.map_body(|body| body.with_tags(tags))
    }

    /// Replaces the kind of task.
    pub fn task_type(self, task_type: impl Into<String>) -> Self {
        self.map_body(|body| body.with_task_type(task_type))
    }
}

/// What [`Evaluations::push_samples_in_batches`] did: every batch it sent,
/// in order. Batches after a failed one are never sent, so only the last
/// batch can hold an error.
#[derive(Debug)]
#[non_exhaustive]
pub struct SamplePushReport {
    /// The batches sent, in order.
    pub batches: Vec<SampleBatch>,
    /// How many batches the samples were split into, sent or not.
    pub planned: usize,
    /// How many samples were given.
    pub samples: usize,
}

/// One request of a batched push.
#[derive(Debug)]
#[non_exhaustive]
pub struct SampleBatch {
    /// The batch's place in the push, from 0.
    pub index: usize,
    /// The positions, in the samples given, of the samples it carried.
    pub samples: Range<usize>,
    /// The size of its JSON body in bytes.
    pub bytes: usize,
    /// What the server answered. After an error the server may or may not
    /// have stored the batch (an answer lost on the way, say).
    pub answer: Result<SamplesPushed, Error>,
}

impl SamplePushReport {
    /// Whether every sample went out in a batch the server accepted.
    pub fn is_complete(&self) -> bool {
        self.batches.len() == self.planned && self.failed().is_none()
    }

    /// The batch that failed and ended the push, if one did.
    pub fn failed(&self) -> Option<&SampleBatch> {
        self.batches.iter().find(|batch| batch.answer.is_err())
    }

    /// The positions of the samples the server confirmed it took: every
    /// batch before the failed one.
    pub fn pushed(&self) -> Range<usize> {
        let end = self
            .batches
            .iter()
            .take_while(|batch| batch.answer.is_ok())
            .last()
            .map_or(0, |batch| batch.samples.end);
        0..end
    }

    /// The positions of the samples no request carried.
    pub fn not_sent(&self) -> Range<usize> {
        let start = self.batches.last().map_or(0, |batch| batch.samples.end);
        start..self.samples
    }

    /// The report when every batch was accepted, or the error of the batch
    /// that failed (the rest of the report is dropped then; look at it
    /// first if you need it).
    ///
    /// # Errors
    /// The failed batch's error.
    pub fn into_result(mut self) -> Result<Self, Error> {
        match self.batches.iter().position(|batch| batch.answer.is_err()) {
            Some(failed) => match self.batches.swap_remove(failed).answer {
                Err(error) => Err(error),
                Ok(_) => Ok(self),
            },
            None => Ok(self),
        }
    }
}

/// One batch as planned: the samples it takes and its body's size.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlannedBatch {
    samples: Range<usize>,
    bytes: usize,
}

/// Splits samples, given by their encoded sizes, into consecutive batches
/// whose push body (`{"samples":[a,b,…]}`) is at most `max_body_bytes`, each
/// filled as far as the next sample allows.
///
/// # Errors
/// Naming `samples` when one sample alone makes a body over the limit.
fn plan_batches(sizes: &[usize], max_body_bytes: usize) -> Result<Vec<PlannedBatch>, InvalidInput> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = PUSH_BODY_FRAME;
    for (index, &size) in sizes.iter().enumerate() {
        let alone = PUSH_BODY_FRAME.saturating_add(size);
        if alone > max_body_bytes {
            return Err(InvalidInput::new(
                "samples",
                Rule::MaxBytes(max_body_bytes),
                format!(
                    "sample {index} encodes to {size} bytes, so a body holding it alone has {alone}"
                ),
            ));
        }
        // A comma separates it from the sample before it in the batch.
        let grown = if index == start {
            alone
        } else {
            bytes.saturating_add(1).saturating_add(size)
        };
        if grown > max_body_bytes {
            batches.push(PlannedBatch {
                samples: start..index,
                bytes,
            });
            start = index;
            bytes = alone;
        } else {
            bytes = grown;
        }
    }
    if start < sizes.len() {
        batches.push(PlannedBatch {
            samples: start..sizes.len(),
            bytes,
        });
    }
    Ok(batches)
}

/// The length of `value` encoded as the request path encodes it (compact JSON).
fn encoded_len(value: &Value) -> Result<usize, Error> {
    let mut counter = ByteCounter(0);
    serde_json::to_writer(&mut counter, value).map_err(|error| Error::Transport {
        message: format!("cannot encode a sample: {error}"),
    })?;
    Ok(counter.0)
}

/// A writer that only counts what is written to it.
struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(bytes.len());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Checks a page size against the document's `1..=max` for `limit`.
fn check_limit(limit: Option<u64>, max: u64, max_text: &'static str) -> Result<(), InvalidInput> {
    match limit {
        Some(0) => Err(invalid_query("limit", Rule::AtLeast("1"), "it is 0")),
        Some(size) if size > max => Err(invalid_query(
            "limit",
            Rule::AtMost(max_text),
            format!("it is {size}"),
        )),
        _ => Ok(()),
    }
}

/// A count the server sent, read as a length; a negative one counts as 0.
fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// A list-evaluations request: set filters, then `.send()` for one page or
/// `.into_stream()` for every evaluation from the first one asked on.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
/// let page = client.evaluations().list().limit(20).send().await?;
/// println!("{} of {}", page.evaluations.len(), page.total);
/// let names: Vec<String> = client
///     .evaluations()
///     .list()
///     .environment("env_gsm8k")
///     .into_stream()
///     .map_ok(|evaluation| evaluation.name)
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until .send() or .into_stream()"]
pub struct ListEvaluations<'c> {
    client: &'c Client,
    team_id: Option<String>,
    environment_id: Option<String>,
    environment_name: Option<String>,
    suite_id: Option<String>,
    skip: Option<u64>,
    limit: Option<u64>,
}

impl<'c> ListEvaluations<'c> {
    fn new(client: &'c Client, team_id: Option<String>) -> Self {
        Self {
            client,
            team_id,
            environment_id: None,
            environment_name: None,
            suite_id: None,
            skip: None,
            limit: None,
        }
    }

    /// Only evaluations of the environment with this id.
    pub fn environment(mut self, environment_id: impl Into<String>) -> Self {
        self.environment_id = Some(environment_id.into());
        self
    }

    /// Only evaluations of the environment with this name.
    pub fn environment_name(mut self, name: impl Into<String>) -> Self {
        self.environment_name = Some(name.into());
        self
    }

    /// Only evaluations of this suite.
    pub fn suite(mut self, suite_id: impl Into<String>) -> Self {
        self.suite_id = Some(suite_id.into());
        self
    }

    /// Skips this many evaluations.
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = Some(skip);
        self
    }

    /// Asks for this many evaluations per page (1 to 100; the server's default is 50).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Fetches one page.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a page size outside 1 to
    /// 100, and any error of the request path.
    pub async fn send(&self) -> Result<EvaluationList, Error> {
        self.page_at(self.skip).await
    }

    /// Every evaluation from the starting offset on, fetching the next page
    /// only when the one before is used up. Ends once the server's `total`
    /// is reached or a page comes back empty, or after the first error,
    /// which is yielded.
    pub fn into_stream(self) -> impl Stream<Item = Result<Evaluation, Error>> + 'c {
        let first = self.skip.unwrap_or(0);
        page::walk(first, move |skip| {
            let request = self.clone();
            async move {
                let list = request.page_at(Some(skip)).await?;
                let seen = u64::try_from(list.evaluations.len()).unwrap_or(u64::MAX);
                let after = skip.saturating_add(seen);
                let next = (seen > 0 && after < count(list.total)).then_some(after);
                Ok((list.evaluations, next))
            }
        })
    }

    async fn page_at(&self, skip: Option<u64>) -> Result<EvaluationList, Error> {
        check_limit(self.limit, MAX_EVALUATIONS_PER_PAGE, "100")?;
        let request = ApiRequest::to(&LIST, &[], self.team_id.as_deref())?
            .query_opt("environment_id", self.environment_id.as_deref())
            .query_opt("environment_name", self.environment_name.as_deref())
            .query_opt("suite_id", self.suite_id.as_deref())
            .query_opt("skip", skip)
            .query_opt("limit", self.limit);
        self.client.call::<Json<EvaluationList>>(request).await
    }
}

/// A request for an evaluation's samples: `.send()` for one page or
/// `.into_stream()` for every sample from the first page asked on. Samples
/// are JSON objects whose shape the document leaves open.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
/// let page = client.evaluations().samples("eval_1").limit(10).send().await?;
/// println!("page {} of {}", page.page, page.total_pages);
/// let every: Vec<serde_json::Value> = client
///     .evaluations()
///     .samples("eval_1")
///     .into_stream()
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until .send() or .into_stream()"]
pub struct ListSamples<'c> {
    client: &'c Client,
    evaluation_id: String,
    page: Option<u64>,
    limit: Option<u64>,
}

impl<'c> ListSamples<'c> {
    fn new(client: &'c Client, evaluation_id: &str) -> Self {
        Self {
            client,
            evaluation_id: evaluation_id.to_owned(),
            page: None,
            limit: None,
        }
    }

    /// Starts at this page, counted from 1.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Asks for this many samples per page (1 to 1000; the server's default is 100).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Fetches one page.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a page of 0 or a page size
    /// outside 1 to 1000, [`Error::NotFound`] for an unknown evaluation, and
    /// any error of the request path.
    pub async fn send(&self) -> Result<SampleList, Error> {
        self.page_at(self.page).await
    }

    /// Every sample from the starting page on, fetching the next page only
    /// when the one before is used up. Ends at the server's last page
    /// (`total_pages`) or at an empty page, or after the first error, which
    /// is yielded.
    pub fn into_stream(self) -> impl Stream<Item = Result<Value, Error>> + 'c {
        let first = self.page.unwrap_or(1);
        page::walk(first, move |page| {
            let request = self.clone();
            async move {
                let list = request.page_at(Some(page)).await?;
                let last = list.samples.is_empty() || page >= count(list.total_pages);
                let next = if last { None } else { page.checked_add(1) };
                Ok((list.samples, next))
            }
        })
    }

    async fn page_at(&self, page: Option<u64>) -> Result<SampleList, Error> {
        if page == Some(0) {
            return Err(invalid_query("page", Rule::AtLeast("1"), "it is 0").into());
        }
        check_limit(self.limit, MAX_SAMPLES_PER_PAGE, "1000")?;
        let ids = [("evaluation_id", self.evaluation_id.as_str())];
        let request = ApiRequest::to(&SAMPLES, &ids, None)?
            .query_opt("page", page)
            .query_opt("limit", self.limit);
        self.client.call::<Json<SampleList>>(request).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The body the request path sends for `samples`.
    fn body_len(samples: &[Value]) -> usize {
        serde_json::to_vec(&PushSamples::new(samples.to_vec()))
            .unwrap()
            .len()
    }

    fn sizes(samples: &[Value]) -> Vec<usize> {
        samples
            .iter()
            .map(|sample| encoded_len(sample).unwrap())
            .collect()
    }

    /// Samples of varied shapes and sizes, escapes and non-ASCII included.
    fn samples() -> impl Strategy<Value = Vec<Value>> {
        let sample = (any::<u32>(), "[a-z\"\\\\é☃\n ]{0,60}", any::<bool>())
            .prop_map(|(id, text, flag)| json!({"id": id, "text": text, "ok": flag}));
        prop::collection::vec(sample, 0..40)
    }

    proptest! {
        #[test]
        fn batches_keep_order_hold_every_sample_once_and_stay_within_the_limit(
            samples in samples(),
            max in 40usize..600,
        ) {
            let sizes = sizes(&samples);
            match plan_batches(&sizes, max) {
                Ok(plan) => {
                    let mut next = 0;
                    for (number, batch) in plan.iter().enumerate() {
                        // Consecutive, non-empty, in order: every sample once.
                        prop_assert_eq!(batch.samples.start, next);
                        prop_assert!(batch.samples.end > batch.samples.start);
                        next = batch.samples.end;
                        let sent = &samples[batch.samples.clone()];
                        // The planned size is the size of the body sent, within the limit.
                        prop_assert_eq!(batch.bytes, body_len(sent));
                        prop_assert!(batch.bytes <= max);
                        // As full as it can be: the next sample would not have fitted.
                        if number + 1 < plan.len() {
                            let grown = &samples[batch.samples.start..=batch.samples.end];
                            prop_assert!(body_len(grown) > max);
                        }
                    }
                    prop_assert_eq!(next, samples.len());
                }
                Err(error) => {
                    prop_assert_eq!(error.field(), "samples");
                    prop_assert!(samples.iter().any(|sample| body_len(std::slice::from_ref(sample)) > max));
                }
            }
        }
    }

    #[test]
    fn a_sample_too_large_for_any_body_is_named_rather_than_dropped() {
        let samples = [json!({"a": 1}), json!({"text": "x".repeat(100)}), json!({})];
        let error = plan_batches(&sizes(&samples), 64).unwrap_err();
        assert_eq!(error.field(), "samples");
        assert_eq!(error.rule(), &Rule::MaxBytes(64));
        assert!(error.problem().contains("sample 1"), "{}", error.problem());
    }

    #[test]
    fn nothing_to_push_plans_no_batch() {
        assert_eq!(plan_batches(&[], 100).unwrap(), []);
    }

    #[test]
    fn a_body_exactly_at_the_limit_is_one_batch() {
        let samples = [json!({"a": 1}), json!({"b": 2})];
        let exact = body_len(&samples);
        let plan = plan_batches(&sizes(&samples), exact).unwrap();
        assert_eq!(
            plan,
            [PlannedBatch {
                samples: 0..2,
                bytes: exact
            }]
        );
        assert_eq!(plan_batches(&sizes(&samples), exact - 1).unwrap().len(), 2);
    }

    #[test]
    fn limits_are_checked_against_the_document() {
        assert!(check_limit(None, 100, "100").is_ok());
        assert!(check_limit(Some(100), 100, "100").is_ok());
        assert_eq!(
            check_limit(Some(0), 100, "100").unwrap_err().rule(),
            &Rule::AtLeast("1")
        );
        assert_eq!(
            check_limit(Some(101), 100, "100").unwrap_err().rule(),
            &Rule::AtMost("100")
        );
    }
}
