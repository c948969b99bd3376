//! The one request path every operation goes through: build the URL, attach
//! the key, send, read the body within its limit, map error statuses, decode.
//!
//! Operations describe themselves with an [`ApiRequest`] and pick a decoder
//! (`fetch`, `fetch_data`, `fetch_nothing`); nothing else touches HTTP.

use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use pi_types::{ApiResponse, ErrorBody, check_path_segment};
use reqwest::{Method, StatusCode, header};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Client, Error};

/// Every byte but RFC 3986's unreserved characters is encoded, so an id can
/// never add a `/`, `?` or `#` of its own to the URL.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The longest body excerpt kept in a decode error.
const EXCERPT_CHARS: usize = 200;

/// A request as an operation describes it, before it meets the network.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl ApiRequest {
    /// A request of `method` to `path`, which must already be encoded (see [`api_path`]).
    pub(crate) fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
        }
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

    /// Sets a JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|error| Error::Transport {
            message: format!("cannot encode the request body: {error}"),
        })?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// Joins a fixed, already-safe prefix with percent-encoded id segments:
/// `api_path("/api/v1/secrets", &[("secret_id", id)])`.
pub(crate) fn api_path(prefix: &str, segments: &[(&'static str, &str)]) -> Result<String, Error> {
    let mut path = prefix.trim_end_matches('/').to_owned();
    for (name, value) in segments {
        check_path_segment(name, value)?;
        path.push('/');
        path.extend(utf8_percent_encode(value, PATH_SEGMENT));
    }
    Ok(path)
}

/// A response whose status was a success, with its whole body.
pub(crate) struct Success {
    status: StatusCode,
    body: Vec<u8>,
}

impl Client {
    /// Sends `request` and decodes the body as `T`.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T, Error> {
        let success = self.send(request).await?;
        decode(&success)
    }

    /// Sends `request` and returns the `data` of its `{data, status}` envelope,
    /// which must be present.
    pub(crate) async fn fetch_data<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
    ) -> Result<T, Error> {
        let success = self.send(request).await?;
        let envelope: ApiResponse<T> = decode(&success)?;
        envelope.data.ok_or_else(|| Error::Decode {
            status: success.status.as_u16(),
            path: "data".to_owned(),
            reason: "the response has no data".to_owned(),
            excerpt: excerpt(&success.body),
        })
    }

    /// Sends `request` and ignores the body of a successful answer, whatever it is.
    pub(crate) async fn fetch_nothing(&self, request: ApiRequest) -> Result<(), Error> {
        self.send(request).await.map(drop)
    }

    async fn send(&self, request: ApiRequest) -> Result<Success, Error> {
        let inner = &self.inner;
        let mut url = inner.base_url.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{}", request.path));
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut builder = inner
            .http
            .request(request.method.clone(), url)
            .bearer_auth(inner.api_key.expose_secret())
            .header(header::ACCEPT, "application/json");
        if let Some(body) = request.body {
            builder = builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let started = Instant::now();
        let response = builder
            .send()
            .await
            .map_err(|error| self.transport_error(&error))?;
        let status = response.status();
        tracing::debug!(
            method = %request.method,
            path = %request.path,
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "PI API answered"
        );
        let retry_after = retry_after(response.headers());
        let body = self.read_body(response).await?;
        if status.is_success() {
            Ok(Success { status, body })
        } else {
            Err(error_for_status(status, retry_after, &body))
        }
    }

    /// Reads the body chunk by chunk, stopping as soon as it passes the limit.
    async fn read_body(&self, mut response: reqwest::Response) -> Result<Vec<u8>, Error> {
        let limit = self.inner.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(Error::ResponseTooLarge { limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| self.transport_error(&error))?
        {
            if body.len() + chunk.len() > limit {
                return Err(Error::ResponseTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_error(&self, error: &reqwest::Error) -> Error {
        if error.is_timeout() {
            return Error::Timeout {
                after: self.inner.timeout,
            };
        }
        // The URL holds no credentials (the builder refuses them), but it is
        // left out anyway so messages stay short; the causes say what failed.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Error::Transport { message }
    }
}

fn decode<T: DeserializeOwned>(success: &Success) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(&success.body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| Error::Decode {
        status: success.status.as_u16(),
        path: error.path().to_string(),
        reason: error.inner().to_string(),
        excerpt: excerpt(&success.body),
    })
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
        404 => Error::NotFound { message },
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
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    truncate(&text, EXCERPT_CHARS)
}

fn blank_secrets(value: &mut serde_json::Value) {
    const SENSITIVE: [&str; 7] = [
        "token",
        "secret",
        "password",
        "value",
        "key",
        "credential",
        "auth",
    ];
    match value {
        serde_json::Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                let lower = name.to_ascii_lowercase();
                if field.is_string() && SENSITIVE.iter().any(|word| lower.contains(word)) {
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

    #[test]
    fn ids_become_exactly_one_encoded_segment() {
        let path = api_path("/api/v1/secrets", &[("secret_id", "a/b?c#d%e f..é")]).unwrap();
        assert_eq!(path, "/api/v1/secrets/a%2Fb%3Fc%23d%25e%20f..%C3%A9");
    }

    #[test]
    fn ids_that_url_handling_would_remove_are_invalid_input() {
        for id in ["", ".", ".."] {
            let error = api_path("/api/v1/secrets", &[("secret_id", id)]).unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput(ref e) if e.field() == "secret_id"),
                "{id:?}"
            );
        }
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
        let long = excerpt("x".repeat(10_000).as_bytes());
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b""), "(empty)");
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
