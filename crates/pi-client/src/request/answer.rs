//! What an answer becomes: a success body decoded as the call's [`Answer`]
//! says, or an error status mapped to its [`Error`] variant.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use pi_types::{ApiResponse, ErrorBody};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::request::redact::{excerpt, truncate};

/// How a successful answer turns into what a call returns.
///
/// Operations pick one of [`Data`], [`Json`] and [`Nothing`]; you meet this
/// trait only in the type of a builder such as
/// [`CreateSecretBuilder`](crate::CreateSecretBuilder).
pub(crate) trait Answer {
    /// What the call returns.
    type Output;

    /// Decodes a successful answer's body; `operation` names the call in
    /// errors (`GET /api/v1/secrets/{secret_id}`).
    ///
    /// # Errors
    /// [`Error::MissingData`] when the answer lacks what the call returns
    /// (the envelope's `data`, or a field in `pi_types::ALWAYS_PRESENT`), and
    /// [`Error::Decode`] when the body is otherwise not what the document says.
    fn decode(
        status: u16,
        body: &[u8],
        operation: &dyn fmt::Display,
    ) -> Result<Self::Output, Error>;
}

/// An answer in the `{data, status}` envelope: the call returns `data`.
/// The document lets the server leave it out; the API does not, so an
/// answer without it is [`Error::MissingData`] rather than an `Option`.
#[derive(Debug)]
pub(crate) struct Data<T>(PhantomData<fn() -> T>);

/// An answer that is the resource itself.
#[derive(Debug)]
pub(crate) struct Json<T>(PhantomData<fn() -> T>);

/// An answer whose body does not matter: any success is `()`.
#[derive(Debug)]
pub(crate) struct Nothing;

impl<T: DeserializeOwned> Answer for Data<T> {
    type Output = T;

    // Inlined into the call's future, as they were before the request path
    // was split into files: out of line they cost about 100 instructions
    // per call in the loopback benchmark's callgrind count.
    #[inline]
    fn decode(status: u16, body: &[u8], operation: &dyn fmt::Display) -> Result<T, Error> {
        match decode_answer::<ApiResponse<T>>(status, body, operation)?.data {
            Some(data) => Ok(data),
            None => Err(missing_data(operation, status, "data".to_owned())),
        }
    }
}

impl<T: DeserializeOwned> Answer for Json<T> {
    type Output = T;

    #[inline]
    fn decode(status: u16, body: &[u8], operation: &dyn fmt::Display) -> Result<T, Error> {
        decode_answer(status, body, operation)
    }
}

impl Answer for Nothing {
    type Output = ();

    fn decode(_status: u16, _body: &[u8], _operation: &dyn fmt::Display) -> Result<(), Error> {
        Ok(())
    }
}

/// The error of a success answer to `operation` that lacks `missing`.
#[cold]
fn missing_data(operation: &dyn fmt::Display, status: u16, missing: String) -> Error {
    Error::MissingData {
        operation: operation.to_string(),
        status,
        missing,
    }
}

/// Decodes a success answer's body as `T` like [`decode_body`], except that
/// a field listed in `pi_types::ALWAYS_PRESENT` found absent or null is
/// [`Error::MissingData`] naming `operation` and the field's path.
#[inline]
fn decode_answer<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    operation: &dyn fmt::Display,
) -> Result<T, Error> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(_) => Err(answer_error::<T>(status, body, operation)),
    }
}

/// Why a success body is not a `T`: a missing always-present field, or else
/// the decode error with its path.
#[cold]
fn answer_error<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
    operation: &dyn fmt::Display,
) -> Error {
    let error = decode_error::<T>(status, body);
    match &error {
        Error::Decode { path, reason, .. } => match absent_always_present(path, reason) {
            Some(missing) => missing_data(operation, status, missing),
            None => error,
        },
        _ => error,
    }
}

/// The path of a field in `pi_types::ALWAYS_PRESENT` that a decode failure
/// at `path` says is absent (serde: "missing field `id`", at the path of the
/// object) or null ("invalid type: null, …", at the path of the field).
/// Fields are matched by wire name: the failure does not say which type was
/// being decoded, and a required field of that name missing from another
/// type is just as much an answer without its identity.
fn absent_always_present(path: &str, reason: &str) -> Option<String> {
    let listed = |field: &str| {
        pi_types::ALWAYS_PRESENT
            .iter()
            .any(|(_, wire)| *wire == field)
    };
    if let Some(rest) = reason.strip_prefix("missing field `") {
        let field = rest.split('`').next()?;
        return listed(field).then(|| match path {
            "." | "" => field.to_owned(),
            object => format!("{object}.{field}"),
        });
    }
    if reason.starts_with("invalid type: null") {
        let field = path.rsplit(['.', ']']).next()?;
        return listed(field).then(|| path.to_owned());
    }
    None
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
/// use pi_client::decode::decode_response;
/// use pi_client::{Error, types::{ApiResponse, Secret}};
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
pub(crate) fn missed_the_api(template: &str, body: &[u8]) -> bool {
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
pub(crate) fn shown_base_url(base_url: &reqwest::Url) -> String {
    let mut shown = base_url.clone();
    // Both only fail for URLs that cannot have credentials.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
}
