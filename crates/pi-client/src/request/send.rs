//! Sending a request: one attempt (URL, key, body, the attempt's time
//! limits, the body read within its size limit), and the retry loop around
//! attempts inside the call's tracing span.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use reqwest::{StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::{Instant as Deadline, Sleep};
use url::Url;

use crate::endpoint::Base;
use crate::error::Error;
use crate::request::answer::{Answer, error_for_status, missed_the_api, shown_base_url};
use crate::request::retry::{self, Failure, RetryPolicy};
use crate::request::{ApiRequest, Credential, IDEMPOTENCY_KEY};

/// The media type of every body sent and asked for.
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// What the request path needs of a client's configuration to send
/// requests: the HTTP stack, where requests go, the key's header and the
/// limits. Built once per client; [`Client`](crate::Client) holds it.
pub(crate) struct Transport {
    http: reqwest::Client,
    pub(crate) base_url: Url,
    /// Where the traces area's requests go; the API's base URL unless set.
    pub(crate) traces_base_url: Url,
    /// The bearer header of the API key, sent with every request that
    /// carries the key; the only copy of the key a client keeps. `None` for
    /// a client built without one.
    authorization: Option<HeaderValue>,
    connect_timeout: Duration,
    timeout: Duration,
    read_timeout: Option<Duration>,
    deadline: Option<Duration>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    /// Whether each call's span carries the filled-in path (`url.path`).
    trace_full_paths: bool,
}

/// The limits and switches a [`Transport`] is built with, already checked
/// and capped by the client builder.
pub(crate) struct Settings {
    pub(crate) user_agent: &'static str,
    /// The traces base URL, when it is not the API's.
    pub(crate) traces_base_url: Option<Url>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) trace_full_paths: bool,
}

impl Transport {
    /// Whether requests that carry the API key have one to carry (`false`
    /// for a client built with `ClientBuilder::without_api_key`).
    pub(crate) fn has_api_key(&self) -> bool {
        self.authorization.is_some()
    }

    /// The transport for `api_key` sending to `base_url`.
    ///
    /// # Errors
    /// [`Error::Configuration`] when the key cannot be sent in a header or
    /// the HTTP stack cannot be set up.
    pub(crate) fn new(
        api_key: Option<&SecretString>,
        base_url: Url,
        settings: Settings,
    ) -> Result<Self, Error> {
        let authorization = api_key.map(authorization).transpose()?;
        // The attempt and read timeouts are kept by the request path with one
        // timer per attempt, not here: reqwest would set three per call.
        let http = reqwest::Client::builder()
            // A static value: reqwest copies the header into every request
            // (and its connector), and copying a static value costs nothing,
            // where a built one costs two atomic operations per copy.
            .user_agent(HeaderValue::from_static(settings.user_agent))
            .connect_timeout(settings.connect_timeout)
            // Redirects are not followed: the API does not use them, and a
            // followed redirect could carry the key to another host.
            .redirect(reqwest::redirect::Policy::none())
            // The client's RetryPolicy is the only retry layer, so what it
            // promises (never a POST twice) is all that happens.
            .retry(reqwest::retry::never())
            .build()
            .map_err(|error| {
                Error::configuration(format!("cannot set up the HTTP client: {error}"))
            })?;
        Ok(Self {
            http,
            traces_base_url: settings.traces_base_url.unwrap_or_else(|| base_url.clone()),
            base_url,
            authorization,
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            read_timeout: settings.read_timeout,
            deadline: settings.deadline,
            retry: settings.retry,
            max_response_bytes: settings.max_response_bytes,
            trace_full_paths: settings.trace_full_paths,
        })
    }
}

/// The `Authorization` header for `api_key`, made once per client rather
/// than formatted on every call; marked sensitive so no debug output of the
/// HTTP stack shows it.
///
/// # Errors
/// [`Error::Configuration`] when the key holds bytes a header cannot carry.
fn authorization(api_key: &SecretString) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", api_key.expose_secret()))
        .map_err(|_| Error::configuration("the API key cannot be sent in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A response whose status was a success, with its whole body.
pub(crate) struct Success {
    status: StatusCode,
    body: Vec<u8>,
}

impl Transport {
    /// The base URL requests to `base` go to.
    pub(crate) fn base_of(&self, base: Base) -> &Url {
        match base {
            Base::Api => &self.base_url,
            Base::Traces => &self.traces_base_url,
        }
    }

    /// The HTTP stack, for the calls that do not go to the PI API itself
    /// (a sandbox's gateway).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The client's retry policy, which also paces the gateway's
    /// re-attachments and control calls.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

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
        if self.authorization.is_none() && matches!(request.credential, Credential::ApiKey) {
            return Err(Error::configuration(format!(
                "{} {} needs an API key, and this client was built without one (ClientBuilder::without_api_key); build it with ClientBuilder::api_key or from the environment",
                request.method, request.template
            )));
        }
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
        if self.trace_full_paths {
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
        R::decode(success.status.as_u16(), &success.body, &request.operation())
    }

    /// The retry loop of [`Client::call`], counting attempts in `attempts`.
    async fn send_with_retries(
        &self,
        request: &ApiRequest,
        attempts: &std::sync::atomic::AtomicU32,
    ) -> Result<Success, Error> {
        let inner = self;
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
        let inner = self;
        let base_url = inner.base_of(request.base);
        let mut url = base_url.clone();
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
                .extend_pairs(request.query.iter().map(|(k, v)| (k.as_ref(), v.as_str())));
        }
        let mut builder = inner
            .http
            .request(request.method.clone(), url)
            .header(header::ACCEPT, JSON);
        builder = match &request.credential {
            Credential::ApiKey => match &inner.authorization {
                Some(authorization) => builder.header(header::AUTHORIZATION, authorization.clone()),
                // Refused before the first attempt (`Transport::call`).
                None => builder,
            },
            Credential::Nothing => builder,
            Credential::Bearer(value) => builder.header(header::AUTHORIZATION, (**value).clone()),
        };
        if let Some(key) = &request.idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY, key);
        }
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &request.body {
            builder = match &request.content_type {
                Some(media) => builder.header(header::CONTENT_TYPE, media),
                None => builder.header(header::CONTENT_TYPE, JSON),
            }
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
                    *suspect_base_url = Some(shown_base_url(base_url));
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
        let inner = self;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use crate::client::Client;
    use crate::request::answer::Nothing;
    use reqwest::Method;
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
            .call::<crate::request::answer::Json<Vec<u32>>>(request())
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
