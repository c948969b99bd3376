//! The one request path every operation goes through: build the URL, attach
//! the key, send, read the body within its limit, map error statuses, decode.
//!
//! Operations describe themselves with an [`Endpoint`] and an [`Answer`];
//! this module turns them into HTTP, and nothing else touches it.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::LazyLock;
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::time::{Instant as Deadline, Sleep};

use pi_types::{ErrorBody, Validate};
use regex::Regex;
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::call::Answer;
use crate::endpoint::{Endpoint, TeamIn, Verb};
use crate::retry::{self, Failure};
use crate::{Client, Error};

/// The longest body excerpt kept in a decode error.
const EXCERPT_CHARS: usize = 200;

/// The media type of every body sent and asked for.
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The header that carries an idempotency key.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The `Authorization` header for `api_key`, made once per client rather
/// than formatted on every call; marked sensitive so no debug output of the
/// HTTP stack shows it.
///
/// # Errors
/// [`Error::Configuration`] when the key holds bytes a header cannot carry.
pub(crate) fn authorization(api_key: &SecretString) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", api_key.expose_secret()))
        .map_err(|_| Error::configuration("the API key cannot be sent in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A request as an operation describes it, before it meets the network.
pub(crate) struct ApiRequest {
    method: Method,
    path: String,
    /// The endpoint's path template (`/api/v1/pods/{pod_id}`), for tracing.
    template: &'static str,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    idempotency_key: Option<String>,
    /// Retried like an idempotent request although no key header is sent:
    /// the key travels in the body (see [`ApiRequest::retry_safe`]).
    retry_safe: bool,
    max_response_bytes: Option<usize>,
    /// The body field the team goes into, and the team, when the endpoint
    /// carries it in the body.
    team_in_body: Option<(&'static str, String)>,
}

/// Shows the shape of the request but never its body, which may hold a
/// secret value.
impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("template", &self.template)
            .field("query", &self.query)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .field("idempotency_key", &self.idempotency_key)
            .field("retry_safe", &self.retry_safe)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ApiRequest {
    /// A request of `method` to `path`, which must already be encoded (see [`Endpoint::path_with`]).
    pub(crate) fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            template: "",
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            retry_safe: false,
            max_response_bytes: None,
            team_in_body: None,
        }
    }

    /// A request to `endpoint` with its path ids filled in, acting for
    /// `team_id` wherever the endpoint carries the team.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when an id cannot be one path segment.
    pub(crate) fn to(
        endpoint: &Endpoint,
        ids: &[(&'static str, &str)],
        team_id: Option<&str>,
    ) -> Result<Self, Error> {
        let method = match endpoint.verb {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        };
        let mut request = Self::new(method, endpoint.path_with(ids)?);
        request.template = endpoint.path;
        match (endpoint.team, team_id) {
            (TeamIn::Query(name), Some(team_id)) => request = request.query(name, team_id),
            (TeamIn::Body(name), Some(team_id)) => {
                request.team_in_body = Some((name, team_id.to_owned()));
            }
            _ => {}
        }
        Ok(request)
    }

    /// Sends `key` as the `Idempotency-Key` header. The server acts on a key
    /// at most once, so a request carrying one is retried like an idempotent
    /// one even when its method is POST or PATCH. Operations take the key
    /// from their caller; they never make one up.
    #[allow(dead_code)] // No operation of the Secrets area takes a key yet.
    pub(crate) fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Marks the request as safe to retry like an idempotent one, without an
    /// `Idempotency-Key` header: for operations whose document puts the key
    /// in the body, once the caller has set it there.
    pub(crate) fn retry_safe(mut self) -> Self {
        self.retry_safe = true;
        self
    }

    /// Overrides the client's response size limit for this request (for
    /// example, a log download that is expected to be large).
    #[allow(dead_code)] // No operation of the Secrets area needs it yet.
    pub(crate) fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Adds a query parameter when it has a value.
    pub(crate) fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Checks `body` against the document's rules and sets it as the JSON
    /// body, with the team in its field when the endpoint carries it there
    /// (a team the caller already put into the body is kept).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the body breaks a rule.
    pub(crate) fn json(mut self, body: &(impl Serialize + Validate)) -> Result<Self, Error> {
        body.validate()?;
        let encode_error = |error: serde_json::Error| Error::Transport {
            message: format!("cannot encode the request body: {error}"),
        };
        let bytes = match self.team_in_body.take() {
            None => serde_json::to_vec(body).map_err(encode_error)?,
            Some((field, team_id)) => {
                let mut value = serde_json::to_value(body).map_err(encode_error)?;
                put_team(&mut value, field, team_id);
                serde_json::to_vec(&value).map_err(encode_error)?
            }
        };
        self.body = Some(bytes);
        Ok(self)
    }
}

/// Puts `team_id` at the dotted `path` of a JSON body (`teamId`, or
/// `team.teamId` for bodies that wrap the team in an object), creating the
/// objects on the way; a team the caller already set there is kept.
fn put_team(body: &mut serde_json::Value, path: &str, team_id: String) {
    let mut slot = body;
    for key in path.split('.') {
        if slot.is_null() {
            *slot = serde_json::Value::Object(serde_json::Map::new());
        }
        let Some(object) = slot.as_object_mut() else {
            return; // Not an object: nothing to put the team into.
        };
        slot = object.entry(key).or_insert(serde_json::Value::Null);
    }
    if slot.is_null() {
        *slot = serde_json::Value::String(team_id);
    }
}

/// A response whose status was a success, with its whole body.
pub(crate) struct Success {
    status: StatusCode,
    body: Vec<u8>,
}

impl Client {
    /// Sends `request` inside one `pi.call` span (see the crate docs,
    /// "Tracing") and decodes a successful answer as `R` says. The span
    /// gets the operation, method and path template when it starts; the
    /// status, attempt count and duration when the answer is in. Never the
    /// key, never a body; the filled-in path only with
    /// [`ClientBuilder::trace_full_paths`](crate::ClientBuilder::trace_full_paths).
    ///
    /// Decoding is done here rather than by a caller awaiting this: each
    /// async layer of a call adds its state to what every call writes and
    /// copies, which showed in the loopback benchmark.
    pub(crate) async fn call<R: Answer>(&self, request: ApiRequest) -> Result<R::Output, Error> {
        let span = tracing::info_span!(
            "pi.call",
            otel.name = %format_args!("{} {}", request.method, request.template),
            pi.operation = %format_args!("{} {}", request.method, request.template),
            http.request.method = %request.method,
            url.template = request.template,
            url.path = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            pi.attempts = tracing::field::Empty,
            pi.duration_ms = tracing::field::Empty,
            "error.type" = tracing::field::Empty,
        );
        if self.inner.trace_full_paths {
            span.record("url.path", request.path.as_str());
        }
        // No subscriber wants the span: the clock is not worth reading.
        let started = (!span.is_disabled()).then(Instant::now);
        let attempts = std::sync::atomic::AtomicU32::new(0);
        // The span is entered around each poll, as `Instrument` would do,
        // without wrapping the retry loop's future in another layer: moving
        // it into one copied its whole state twice on every call.
        let mut retries = pin!(self.send_with_retries(&request, &attempts));
        let result = std::future::poll_fn(|cx| {
            let _entered = span.enter();
            retries.as_mut().poll(cx)
        })
        .await;
        span.record(
            "pi.attempts",
            attempts.load(std::sync::atomic::Ordering::Relaxed),
        );
        if let Some(started) = started {
            span.record(
                "pi.duration_ms",
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            );
        }
        match &result {
            Ok(success) => {
                span.record("http.response.status_code", success.status.as_u16());
            }
            Err(error) => {
                if let Some(status) = error.status() {
                    span.record("http.response.status_code", status);
                }
                span.record("error.type", error_type(error));
            }
        }
        let success = result?;
        R::decode(success.status.as_u16(), &success.body)
    }

    /// The retry loop of [`Client::call`], counting attempts in `attempts`.
    async fn send_with_retries(
        &self,
        request: &ApiRequest,
        attempts: &std::sync::atomic::AtomicU32,
    ) -> Result<Success, Error> {
        let inner = &self.inner;
        // A deadline too far away to represent is no deadline.
        let deadline = inner
            .deadline
            .and_then(|limit| Some((Deadline::now().checked_add(limit)?, limit)));
        let retry_safe = request.retry_safe || request.idempotency_key.is_some();
        let mut rng = fastrand::Rng::new();
        let mut retry = 0;
        loop {
            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let outcome = match deadline {
                Some((end, limit)) => tokio::time::timeout_at(end, self.attempt(request))
                    .await
                    .map_err(|_| Error::Timeout { after: limit })?,
                None => self.attempt(request).await,
            };
            let failed = match outcome {
                Ok(success) => return Ok(success),
                Err(failed) => failed,
            };
            let Some(reason) = retry::retry_reason(&request.method, retry_safe, failed.failure)
            else {
                return Err(failed.error);
            };
            if retry >= inner.retry.max_retries_allowed() {
                return Err(failed.error);
            }
            let past_deadline = |wait: Duration| {
                deadline.is_some_and(|(end, _)| {
                    Deadline::now()
                        .checked_add(wait)
                        .is_none_or(|ready| ready >= end)
                })
            };
            let wait = match inner.retry.wait(retry, failed.retry_after, &mut rng) {
                None => Err("the server asks for a longer wait than the retry policy allows"),
                Some(wait) if past_deadline(wait) => Err("the wait would pass the deadline"),
                Some(wait) => Ok(wait),
            };
            let wait = match wait {
                Ok(wait) => wait,
                Err(why) => {
                    tracing::debug!(
                        method = %request.method,
                        url.template = request.template,
                        attempt = retry + 1,
                        reason = %reason,
                        why,
                        "not retrying"
                    );
                    return Err(failed.error);
                }
            };
            retry += 1;
            tracing::debug!(
                method = %request.method,
                url.template = request.template,
                attempt = retry + 1,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                reason = %reason,
                "retrying PI API request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: send, read the body within its limit, map the status.
    async fn attempt(&self, request: &ApiRequest) -> Result<Success, Failed> {
        let inner = &self.inner;
        let mut url = inner.base_url.clone();
        match url.path().trim_end_matches('/') {
            // The usual base URL has no path: no string to put together.
            "" => url.set_path(&request.path),
            base_path => {
                let path = format!("{base_path}{}", request.path);
                url.set_path(&path);
            }
        }
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut builder = inner
            .http
            .request(request.method.clone(), url)
            .header(header::AUTHORIZATION, inner.authorization.clone())
            .header(header::ACCEPT, JSON);
        if let Some(key) = &request.idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY, key);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(header::CONTENT_TYPE, JSON)
                .body(body.clone());
        }
        let mut limits = Limits::new(inner.timeout, inner.read_timeout);
        let started = limits.started.into_std();
        let mut timer = pin!(limits.due().map(tokio::time::sleep_until));
        let response = within(timer.as_mut(), &limits, builder.send())
            .await?
            .map_err(|error| self.transport_failure(&error, started))?;
        limits.progressed();
        let status = response.status();
        tracing::Span::current().record("http.response.status_code", status.as_u16());
        tracing::debug!(
            method = %request.method,
            url.template = request.template,
            status = status.as_u16(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "PI API answered"
        );
        let retry_after = retry_after(response.headers());
        let limit = request
            .max_response_bytes
            .unwrap_or(inner.max_response_bytes);
        let body = read_body(response, limit, timer, &mut limits)
            .await
            .map_err(|error| match error {
                BodyError::TooLarge => Failed::other(Error::ResponseTooLarge { limit }),
                BodyError::Read(error) => self.transport_failure(&error, started),
                BodyError::Late(failed) => failed,
            })?;
        if status.is_success() {
            Ok(Success { status, body })
        } else {
            let mut error = error_for_status(status, retry_after, &body);
            if let Error::NotFound {
                suspect_base_url, ..
            } = &mut error
            {
                if missed_the_api(request.template, &body) {
                    *suspect_base_url = Some(shown_base_url(&inner.base_url));
                }
            }
            Err(Failed {
                error,
                failure: Failure::Status(status.as_u16()),
                retry_after,
            })
        }
    }

    /// Maps a failure of reqwest to the error a caller sees, and tells the
    /// retry rules whether anything could have reached the server.
    fn transport_failure(&self, error: &reqwest::Error, started: Instant) -> Failed {
        let inner = &self.inner;
        let failure = if error.is_connect() {
            Failure::NotSent
        } else {
            Failure::Other
        };
        if error.is_timeout() {
            let after = if failure == Failure::NotSent {
                inner.connect_timeout
            } else {
                // The whole-attempt timeout cannot fire before it is due, so
                // an earlier timeout is the one on reads.
                match inner.read_timeout {
                    Some(read) if started.elapsed() < inner.timeout => read,
                    _ => inner.timeout,
                }
            };
            return Failed {
                error: Error::Timeout { after },
                failure,
                retry_after: None,
            };
        }
        // The URL holds no credentials (the builder refuses them) and the key
        // travels only in a header, so the message may name the URL; the
        // causes say what failed.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Failed {
            error: Error::Transport { message },
            failure,
            retry_after: None,
        }
    }
}

/// Reads the body chunk by chunk, stopping as soon as it passes `limit` or
/// the attempt's `limits`.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    mut timer: Pin<&mut Option<Sleep>>,
    limits: &mut Limits,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = within(timer.as_mut(), limits, response.chunk())
        .await
        .map_err(BodyError::Late)?
        .map_err(BodyError::Read)?
    {
        limits.progressed();
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The limits of one attempt: the whole attempt
/// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)) and the wait
/// for the next bytes, headers or body
/// ([`ClientBuilder::read_timeout`](crate::ClientBuilder::read_timeout)).
///
/// They are kept here rather than by reqwest because reqwest registers a
/// timer for each, and another for the body, on every call: most of what a
/// call cost beyond a bare reqwest request once decoding was fast. Here one
/// timer serves both and is moved only when it fires early, because bytes
/// arrived since it was set.
struct Limits {
    timeout: Duration,
    read: Option<Duration>,
    started: Deadline,
    /// `None` when the attempt's limit is too far away to represent.
    end: Option<Deadline>,
    /// When bytes last arrived (the start, before any did).
    progress: Deadline,
}

impl Limits {
    fn new(timeout: Duration, read: Option<Duration>) -> Self {
        let started = Deadline::now();
        Self {
            timeout,
            read,
            started,
            end: started.checked_add(timeout),
            progress: started,
        }
    }

    /// When the attempt gives up unless more bytes arrive first.
    fn due(&self) -> Option<Deadline> {
        let read_end = self.read.and_then(|read| self.progress.checked_add(read));
        match (read_end, self.end) {
            (Some(read_end), Some(end)) => Some(read_end.min(end)),
            (read_end, end) => read_end.or(end),
        }
    }

    /// Notes that bytes arrived, which gives the read limit a fresh start.
    fn progressed(&mut self) {
        if self.read.is_some() {
            self.progress = Deadline::now();
        }
    }

    /// The timeout that passed: the whole attempt's once it is due, or else
    /// the read limit, the only one that can pass earlier.
    fn passed(&self) -> Failed {
        let after = match self.read {
            Some(read) if self.end.is_none_or(|end| Deadline::now() < end) => read,
            _ => self.timeout,
        };
        Failed::other(Error::Timeout { after })
    }
}

/// Runs `future` unless the attempt's `limits` pass first; `timer` is the
/// attempt's one timer (`None` when nothing limits it).
async fn within<F: Future>(
    mut timer: Pin<&mut Option<Sleep>>,
    limits: &Limits,
    future: F,
) -> Result<F::Output, Failed> {
    let mut future = pin!(future);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let Some(mut sleep) = timer.as_mut().as_pin_mut() else {
            return Poll::Pending;
        };
        // A timer set before the latest bytes arrived fires early: it is
        // moved to the new due time instead of failing the attempt.
        while sleep.as_mut().poll(cx).is_ready() {
            match limits.due() {
                Some(due) if Deadline::now() < due => sleep.as_mut().reset(due),
                _ => return Poll::Ready(Err(limits.passed())),
            }
        }
        Poll::Pending
    })
    .await
}

/// A low-cardinality name for what went wrong, for the span's `error.type`
/// (the status code when there is one, as OpenTelemetry suggests).
fn error_type(error: &Error) -> String {
    match (error.status(), error) {
        (Some(status), _) => status.to_string(),
        (None, Error::Timeout { .. }) => "timeout".to_owned(),
        (None, Error::Transport { .. }) => "transport".to_owned(),
        (None, Error::Decode { .. }) => "decode".to_owned(),
        (None, Error::ResponseTooLarge { .. }) => "response_too_large".to_owned(),
        (None, Error::InvalidInput(_)) => "invalid_input".to_owned(),
        (None, _) => "other".to_owned(),
    }
}

/// A failed attempt: the error to return if it is the last, and what the
/// retry rules need to know about it.
struct Failed {
    error: Error,
    failure: Failure,
    retry_after: Option<Duration>,
}

impl Failed {
    fn other(error: Error) -> Self {
        Self {
            error,
            failure: Failure::Other,
            retry_after: None,
        }
    }
}

/// Why a body could not be read.
enum BodyError {
    TooLarge,
    Read(reqwest::Error),
    /// The attempt's time limits passed.
    Late(Failed),
}

/// Decodes a whole body as `T`, refusing anything after the JSON value.
///
/// Tracking the field path costs about as much again as the decode itself
/// (an allocation per key), and only a failure needs it: a body is decoded
/// plainly first and decoded again with the path tracked only when it does
/// not fit, which finds the same error at the same place.
pub(crate) fn decode_body<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(_) => Err(decode_error::<T>(status, body)),
    }
}

/// The error of a body that is not a `T`, naming the field path where it
/// stops fitting (`.` for anything after the JSON value).
#[cold]
fn decode_error<T: DeserializeOwned>(status: u16, body: &[u8]) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let error = |path: String, reason: String| Error::Decode {
        status,
        path,
        reason,
        excerpt: excerpt(body),
    };
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(failure) => error(failure.path().to_string(), failure.inner().to_string()),
        Ok(_) => match deserializer.end() {
            Err(failure) => error(".".to_owned(), failure.to_string()),
            // Only a decoder that fails on one run and not on the next gets
            // here; the body still did not decode.
            Ok(()) => error(".".to_owned(), "the body could not be decoded".to_owned()),
        },
    }
}

/// Turns an HTTP status and a response body into what a call returns: a
/// success status decodes the body as `T` (or fails with [`Error::Decode`]),
/// any other status maps to its error variant exactly as the client maps
/// the answers it receives. Never panics, whatever the bytes.
///
/// Useful to decode bodies that reached you some other way (a recorded
/// response, a queue), and what the fuzz targets drive.
///
/// ```
/// use pi_client::{Error, decode_response, types::{ApiResponse, Secret}};
///
/// let body = br#"{"data": {"id": "s1", "name": "HF_TOKEN",
///     "createdAt": "2026-01-15T10:30:00", "updatedAt": "2026-01-15T10:30:00"}}"#;
/// let envelope: ApiResponse<Secret> = decode_response(200, body)?;
/// assert_eq!(envelope.data.map(|secret| secret.id).as_deref(), Some("s1"));
///
/// let broken = decode_response::<ApiResponse<Secret>>(200, b"<html>");
/// assert!(matches!(broken, Err(Error::Decode { status: 200, .. })));
/// let missing = decode_response::<ApiResponse<Secret>>(404, br#"{"detail": "no such secret"}"#);
/// assert!(matches!(missing, Err(Error::NotFound { .. })));
/// # Ok::<(), Error>(())
/// ```
///
/// # Errors
/// [`Error::Decode`] for a success status whose body is not a `T`, and the
/// status's own variant (as [`Error::status`] reports it) for any other status.
pub fn decode_response<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    match StatusCode::from_u16(status) {
        Ok(code) if code.is_success() => decode_body(status, body),
        Ok(code) => Err(error_for_status(code, None, body)),
        Err(_) => Err(Error::UnexpectedStatus {
            status,
            message: None,
        }),
    }
}

/// Maps an error status and its body to the matching [`Error`] variant.
pub(crate) fn error_for_status(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    let parsed = ErrorBody::parse(body);
    let message = parsed
        .as_ref()
        .map(ErrorBody::summary)
        .map(|text| truncate(&text, 300));
    match status.as_u16() {
        400 | 422 => Error::Validation {
            status: status.as_u16(),
            errors: parsed
                .as_ref()
                .map(ErrorBody::field_errors)
                .unwrap_or_default(),
            message,
        },
        401 => Error::Unauthorized { message },
        402 => Error::PaymentRequired { message },
        403 => Error::Forbidden { message },
        404 => Error::NotFound {
            message,
            suspect_base_url: None,
        },
        409 => Error::Conflict { message },
        429 => Error::RateLimited { retry_after },
        500..=599 => Error::Server {
            status: status.as_u16(),
            message,
        },
        other => Error::UnexpectedStatus {
            status: other,
            message,
        },
    }
}

/// Whether a 404 more likely says the request missed the PI API than that a
/// resource is missing: the operation names no resource by id (its template
/// has no `{…}`, so what was not found is the path itself, which the document
/// promises), or the body is not one of the API's own error bodies (JSON
/// with `detail`, `message` or `errors`), such as a proxy's HTML page.
fn missed_the_api(template: &str, body: &[u8]) -> bool {
    !template.contains('{') || !is_api_error_body(body)
}

/// Whether `body` is an error body as the PI API writes them.
fn is_api_error_body(body: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(body) else {
        return false;
    };
    ["detail", "message", "errors"]
        .iter()
        .any(|key| object.contains_key(*key))
        && ErrorBody::parse(body).is_some()
}

/// The base URL as an error may show it: no user name or password (the
/// builder refuses them, but a message is no place to find out), no query,
/// no fragment.
fn shown_base_url(base_url: &reqwest::Url) -> String {
    let mut shown = base_url.clone();
    // Both only fail for URLs that cannot have credentials.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// Reads `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The start of a body for an error message. JSON bodies are re-encoded with
/// the values of secret-looking fields blanked, so a broken response carrying
/// a token or a key cannot leak it through an error.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            blank_secrets(&mut value);
            value.to_string()
        }
        Err(_) => blank_secrets_in_text(&String::from_utf8_lossy(body)),
    };
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    truncate(&text, EXCERPT_CHARS)
}

/// Words that mark a field's value as secret when the field's name ends with
/// one (`value`, `apiKey`, `client_secret`, `authTokens`); a name that only
/// starts with one (`secretName`, `tokenCount`, `keyId`) names something else
/// and its value is shown, so a decode error can say what arrived.
const SENSITIVE: [&str; 7] = [
    "token",
    "secret",
    "password",
    "value",
    "key",
    "credential",
    "auth",
];

/// A JSON-looking string field whose name ends with a sensitive word, in text
/// that is not valid JSON (a truncated body, say); the value may be cut off.
static SENSITIVE_FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let words = SENSITIVE.join("|");
    Regex::new(&format!(
        r#"(?i)("[^"]*(?:{words})s?"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)"#
    ))
    .ok()
});

/// Blanks the values of secret-looking string fields in text that is not
/// JSON. Should the pattern ever fail to build, no text is shown at all.
fn blank_secrets_in_text(text: &str) -> String {
    match SENSITIVE_FIELD.as_ref() {
        Some(pattern) => pattern
            .replace_all(text, r#"${1}"[redacted]""#)
            .into_owned(),
        None => "(not shown)".to_owned(),
    }
}

/// Whether a field named `name` holds secret material: its last word
/// (`apiKey` -> `key`, `client_secret` -> `secret`), plural or not, is one of
/// [`SENSITIVE`].
fn is_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let singular = lower.strip_suffix('s').unwrap_or(&lower);
    SENSITIVE
        .iter()
        .any(|word| lower.ends_with(word) || singular.ends_with(word))
}

fn blank_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                if field.is_string() && is_sensitive(name) {
                    *field = serde_json::Value::String("[redacted]".to_owned());
                } else {
                    blank_secrets(field);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_secrets),
        _ => {}
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use crate::RetryPolicy;
    use crate::call::Nothing;
    use wiremock::matchers::{any, header_exists};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn quick_client(server: &MockServer) -> Client {
        Client::builder()
            .api_key("k")
            .base_url(server.uri())
            .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
            .build()
            .unwrap()
    }

    async fn server_answering(status: u16) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn a_post_with_an_idempotency_key_sends_it_and_is_retried_on_503() {
        let server = server_answering(503).await;
        let request = ApiRequest::new(Method::POST, "/api/v1/things".to_owned())
            .idempotency_key("create-42")
            .json(&serde_json::json!({"name": "x"}))
            .unwrap();
        let error = quick_client(&server)
            .call::<Nothing>(request)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Server { status: 503, .. }),
            "{error:?}"
        );
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 4);
        for request in &requests {
            assert_eq!(request.headers[IDEMPOTENCY_KEY], "create-42");
            assert_eq!(request.body, br#"{"name":"x"}"#);
        }
    }

    #[tokio::test]
    async fn a_post_or_patch_without_a_key_is_sent_once_and_has_no_key_header() {
        for method in [Method::POST, Method::PATCH] {
            let server = server_answering(503).await;
            Mock::given(header_exists(IDEMPOTENCY_KEY))
                .respond_with(ResponseTemplate::new(500))
                .expect(0)
                .mount(&server)
                .await;
            let request = ApiRequest::new(method.clone(), "/api/v1/things".to_owned());
            let error = quick_client(&server)
                .call::<Nothing>(request)
                .await
                .unwrap_err();
            assert!(
                matches!(error, Error::Server { status: 503, .. }),
                "{error:?}"
            );
            assert_eq!(
                server.received_requests().await.unwrap().len(),
                1,
                "{method}"
            );
        }
    }

    #[tokio::test]
    async fn the_largest_durations_anywhere_do_not_panic() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(429).insert_header("retry-after", "18446744073709551615"),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let client = Client::builder()
            .api_key("k")
            .base_url(server.uri())
            .connect_timeout(Duration::MAX)
            .timeout(Duration::MAX)
            .read_timeout(Some(Duration::MAX))
            .deadline(Duration::from_secs(60))
            .retry_policy(
                RetryPolicy::default()
                    .max_retries(1)
                    .base_delay(Duration::from_millis(1))
                    .factor(u32::MAX)
                    .max_delay(Duration::MAX)
                    .max_retry_after(Duration::MAX),
            )
            .build()
            .unwrap();
        let request = || ApiRequest::new(Method::GET, "/x".to_owned());
        // A Retry-After past the end of time cannot be waited for within the deadline.
        let error = client.call::<Nothing>(request()).await.unwrap_err();
        assert!(
            matches!(
                error,
                Error::RateLimited {
                    retry_after: Some(_)
                }
            ),
            "{error:?}"
        );
        // Then: one retry after at most a millisecond, and the 503 is returned.
        let error = client.call::<Nothing>(request()).await.unwrap_err();
        assert!(
            matches!(error, Error::Server { status: 503, .. }),
            "{error:?}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 3);
        let endless = Client::builder()
            .api_key("k")
            .base_url(server.uri())
            .deadline(Duration::MAX)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let error = endless.call::<Nothing>(request()).await.unwrap_err();
        assert!(
            matches!(error, Error::Server { status: 503, .. }),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_per_request_limit_overrides_the_clients() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string("0123456789"))
            .mount(&server)
            .await;
        let client = Client::builder()
            .api_key("k")
            .base_url(server.uri())
            .max_response_bytes(5)
            .build()
            .unwrap();
        let small = ApiRequest::new(Method::GET, "/x".to_owned());
        let error = client.call::<Nothing>(small).await.unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit: 5 }),
            "{error:?}"
        );
        let large = ApiRequest::new(Method::GET, "/x".to_owned()).max_response_bytes(10);
        client.call::<Nothing>(large).await.unwrap();
        let tight = ApiRequest::new(Method::GET, "/x".to_owned()).max_response_bytes(9);
        let error = client.call::<Nothing>(tight).await.unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit: 9 }),
            "{error:?}"
        );
    }

    /// A server that answers every connection with a 200 whose body comes
    /// in three pieces, `gap` apart.
    async fn trickling_server(gap: Duration) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut head = [0_u8; 4096];
                    let _ = stream.read(&mut head).await;
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n")
                        .await;
                    for piece in [b"[1,", b"2,3", b"4 ]"] {
                        tokio::time::sleep(gap).await;
                        let _ = stream.write_all(piece).await;
                    }
                });
            }
        });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn bytes_that_keep_coming_reset_the_read_limit_but_not_the_attempts() {
        let base_url = trickling_server(Duration::from_millis(150)).await;
        let client = |timeout| {
            Client::builder()
                .api_key("k")
                .base_url(&base_url)
                .read_timeout(Some(Duration::from_millis(250)))
                .timeout(timeout)
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap()
        };
        let request = || ApiRequest::new(Method::GET, "/x".to_owned());
        // 450 ms in all, but never 250 ms without bytes.
        let answer = client(Duration::from_secs(5))
            .call::<crate::call::Json<Vec<u32>>>(request())
            .await
            .unwrap();
        assert_eq!(answer, [1, 2, 34]);
        let error = client(Duration::from_millis(350))
            .call::<Nothing>(request())
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Timeout { after } if after == Duration::from_millis(350)),
            "{error:?}"
        );
    }

    #[test]
    fn the_debug_of_a_request_shows_the_body_size_but_not_the_body() {
        let request = ApiRequest::new(Method::POST, "/x".to_owned())
            .json(&serde_json::json!({"value": "s3cr3t-v4lue"}))
            .unwrap();
        let shown = format!("{request:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("body_bytes: Some(24)"), "{shown}");
    }

    #[test]
    fn anything_after_the_json_value_is_a_decode_error() {
        let error =
            decode_response::<serde_json::Value>(200, br#"{"data": 1} trailing"#).unwrap_err();
        assert!(
            matches!(error, Error::Decode { status: 200, ref path, .. } if path == "."),
            "{error:?}"
        );
        assert_eq!(
            decode_response::<serde_json::Value>(201, b" {\"a\": 1}\n ").unwrap(),
            serde_json::json!({"a": 1})
        );
        let odd = decode_response::<serde_json::Value>(42, b"{}").unwrap_err();
        assert!(
            matches!(odd, Error::UnexpectedStatus { status: 42, .. }),
            "{odd:?}"
        );
    }

    #[test]
    fn the_team_goes_where_the_endpoint_says_and_a_callers_team_is_kept() {
        let mut flat = serde_json::json!({"name": "A"});
        put_team(&mut flat, "teamId", "t1".into());
        assert_eq!(flat, serde_json::json!({"name": "A", "teamId": "t1"}));
        let mut nested = serde_json::json!({"pod": {}, "team": null});
        put_team(&mut nested, "team.teamId", "t1".into());
        assert_eq!(nested["team"], serde_json::json!({"teamId": "t1"}));
        let mut chosen = serde_json::json!({"team": {"teamId": "mine"}});
        put_team(&mut chosen, "team.teamId", "t1".into());
        assert_eq!(chosen["team"]["teamId"], "mine");
    }

    /// A field whose name only starts with a sensitive word (a secret's
    /// name, a token count) is shown: it is what a person needs to see in a
    /// decode error, and hiding it hid a renamed field from the drift report.
    #[test]
    fn only_names_ending_in_a_sensitive_word_are_blanked() {
        let body = br#"{"secretName": "HF_TOKEN", "tokenCount": "3", "client_secrets": "cs_1", "authToken": "at_1", "credentials": "cr_1"}"#;
        let text = excerpt(body);
        assert!(
            text.contains("HF_TOKEN") && text.contains("\"3\""),
            "{text}"
        );
        for hidden in ["cs_1", "at_1", "cr_1"] {
            assert!(!text.contains(hidden), "{text}");
        }
        let cut = excerpt(br#"{"secretName": "HF_TOKEN", "client_secrets": "cs_1", "x": "#);
        assert!(cut.contains("HF_TOKEN") && !cut.contains("cs_1"), "{cut}");
    }

    #[test]
    fn excerpts_blank_secret_looking_fields_and_stay_short() {
        let body = br#"{"data": {"token": "tok_live_123", "apiKey": "k_456", "name": "ok"}}"#;
        let text = excerpt(body);
        assert!(
            !text.contains("tok_live_123") && !text.contains("k_456"),
            "{text}"
        );
        assert!(text.contains("\"name\":\"ok\""), "{text}");
        let cut =
            excerpt(br#"{"data": {"name": "ok", "value": "sv_live_9 \" more", "apiKey":"k_45"#);
        assert!(
            !cut.contains("sv_live_9") && !cut.contains("more") && !cut.contains("k_45"),
            "{cut}"
        );
        assert!(cut.contains(r#""name": "ok""#), "{cut}");
        assert!(cut.contains(r#""value": "[redacted]""#), "{cut}");
        let long = excerpt("x".repeat(10_000).as_bytes());
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b""), "(empty)");
    }

    #[test]
    fn a_shown_base_url_has_no_credentials_query_or_fragment() {
        let url = reqwest::Url::parse("https://user:pa55@api.example.com/prefix/?token=t0k#frag")
            .unwrap();
        assert_eq!(shown_base_url(&url), "https://api.example.com/prefix/");
    }

    #[test]
    fn only_the_apis_error_shapes_count_as_its_own_404() {
        for own in [
            &br#"{"detail": "Secret not found"}"#[..],
            br#"{"detail": [{"loc": ["path", "id"], "msg": "bad", "type": "x"}]}"#,
            br#"{"message": "gone"}"#,
            br#"{"errors": [{"param": "id", "details": "unknown"}]}"#,
        ] {
            assert!(!missed_the_api("/api/v1/secrets/{secret_id}", own));
            // Without an id, the path itself was not found, whatever the body.
            assert!(missed_the_api("/api/v1/secrets/", own));
        }
        for other in [
            &b"<html>404</html>"[..],
            b"",
            b"404 page not found",
            br#"{"error": "no route"}"#,
            br#"{"detail": 42}"#,
            b"[]",
        ] {
            assert!(missed_the_api("/api/v1/secrets/{secret_id}", other));
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = header::HeaderMap::new();
        headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        let date = httpdate::fmt_http_date(later);
        headers.insert(header::RETRY_AFTER, date.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        headers.insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
