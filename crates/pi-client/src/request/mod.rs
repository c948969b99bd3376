//! The one request path every operation goes through, and the request it
//! carries: [`ApiRequest`], an operation's method, path, query and body
//! before it meets the network.
//!
//! Operations describe themselves with an [`Endpoint`] and an
//! [`Answer`](answer::Answer); the files here turn them into HTTP, and they
//! are the only ones in the library that touch reqwest:
//! `send.rs` (send, retry loop, time limits), `answer.rs` (status → `Error`,
//! decoding), `redact.rs` (body excerpts for errors), `retry.rs` (when to
//! try again). They depend on nothing above them (`endpoint.rs`, `error.rs`
//! and pi-types only), so the areas, lists and handles built on them form no
//! cycle.

pub(crate) mod answer;
pub(crate) mod connect;
pub(crate) mod redact;
pub(crate) mod retry;
pub(crate) mod send;

use std::borrow::Cow;

use reqwest::Method;
use serde::Serialize;

use pi_types::{ExposeSecret, FieldLocation, InvalidInput, Rule, SecretString, Validate};

use crate::endpoint::{Auth, Base, Endpoint, TeamIn, Verb};
use crate::error::Error;

/// The header that carries an idempotency key.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A request as an operation describes it, before it meets the network.
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) path: String,
    /// The endpoint's path template (`/api/v1/pods/{pod_id}`), for tracing.
    pub(crate) template: &'static str,
    /// The document's names, or one made from a prefix and a caller's key.
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    /// Headers of the operation's own (a team header, a line format), sent
    /// besides those every request carries.
    pub(crate) headers: Vec<(&'static str, String)>,
    /// The base URL the request goes to.
    pub(crate) base: Base,
    pub(crate) body: Option<Vec<u8>>,
    /// The body's media type when it is not JSON (a multipart body with its
    /// boundary).
    pub(crate) content_type: Option<String>,
    pub(crate) idempotency_key: Option<String>,
    /// Retried like an idempotent request although no key header is sent:
    /// the key travels in the body (see [`ApiRequest::retry_safe`]).
    pub(crate) retry_safe: bool,
    pub(crate) max_response_bytes: Option<usize>,
    /// The body field the team goes into, and the team, when the endpoint
    /// carries it in the body.
    team_in_body: Option<(&'static str, String)>,
    /// The `Authorization` header the request carries.
    pub(crate) credential: Credential,
}

/// The `Authorization` header of a request.
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    /// The client's API key.
    ApiKey,
    /// None: the operation asks for no credential.
    Nothing,
    /// A bearer header of the call's own (a login challenge's status
    /// token), marked sensitive so no debug output shows it; boxed, so the
    /// common cases keep every request small (it is moved on each call).
    Bearer(Box<reqwest::header::HeaderValue>),
}

impl Credential {
    /// The bearer header of a call's own `token`, marked sensitive so no
    /// debug output of the HTTP stack shows it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) when the token holds bytes a
    /// header cannot carry.
    pub(crate) fn bearer(token: &SecretString) -> Result<Self, Error> {
        let mut value =
            reqwest::header::HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
                .map_err(|_| {
                    InvalidInput::new(
                        "Authorization",
                        Rule::NoControlCharacters,
                        "the token holds bytes a header cannot carry",
                    )
                    .at(FieldLocation::Header)
                })?;
        value.set_sensitive(true);
        Ok(Self::Bearer(Box::new(value)))
    }
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
            .field("headers", &self.headers)
            .field("base", &self.base)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .field("idempotency_key", &self.idempotency_key)
            .field("retry_safe", &self.retry_safe)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("credential", &self.credential)
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
            headers: Vec::new(),
            base: Base::Api,
            body: None,
            content_type: None,
            idempotency_key: None,
            retry_safe: false,
            max_response_bytes: None,
            team_in_body: None,
            credential: Credential::ApiKey,
        }
    }

    /// A request to `endpoint` at `path` (its template with the ids filled
    /// in and encoded), acting for `team_id` wherever the endpoint carries
    /// the team.
    pub(crate) fn at(endpoint: &Endpoint, path: String, team_id: Option<&str>) -> Self {
        let method = match endpoint.verb {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        };
        let mut request = Self::new(method, path);
        request.template = endpoint.path;
        if endpoint.auth == Auth::Own {
            request.credential = Credential::Nothing;
        }
        request.base = endpoint.base;
        match (endpoint.team, team_id) {
            (TeamIn::Query(name), Some(team_id)) => request = request.query(name, team_id),
            (TeamIn::Header(name), Some(team_id)) => request = request.header(name, team_id),
            (TeamIn::Body(name), Some(team_id)) => {
                request.team_in_body = Some((name, team_id.to_owned()));
            }
            _ => {}
        }
        request
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
        self.query.push((Cow::Borrowed(name), value.to_string()));
        self
    }

    /// Adds a header of the operation's own.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Checks `body` against the document's rules and sets it as a
    /// `multipart/form-data` body: one part per field `parts` names, a text
    /// field's text as it is, any other value as its JSON, gzip-compressed
    /// where the part says so. A field the body leaves out is no part.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the body breaks a rule.
    pub(crate) fn form(
        mut self,
        body: &(impl Serialize + Validate),
        parts: &[FormPart],
    ) -> Result<Self, Error> {
        body.validate()?;
        let value = serde_json::to_value(body).map_err(encode_error)?;
        let mut contents = Vec::with_capacity(parts.len());
        for part in parts {
            let content = match value.get(part.name) {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::String(text)) => text.clone().into_bytes(),
                Some(other) => serde_json::to_vec(other).map_err(encode_error)?,
            };
            let content = if part.gzip { gzip(&content)? } else { content };
            contents.push((part, content));
        }
        let boundary = boundary(&contents);
        let mut bytes = Vec::new();
        for (part, content) in contents {
            let FormPart {
                name,
                media_type,
                file_name,
                gzip,
            } = part;
            bytes.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let file = file_name
                .map(|file| format!("; filename=\"{file}\""))
                .unwrap_or_default();
            let encoding = if *gzip {
                "Content-Encoding: gzip\r\n"
            } else {
                ""
            };
            bytes.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"{file}\r\nContent-Type: {media_type}\r\n{encoding}\r\n"
                )
                .as_bytes(),
            );
            bytes.extend_from_slice(&content);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.content_type = Some(format!("multipart/form-data; boundary={boundary}"));
        self.body = Some(bytes);
        Ok(self)
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

/// The error for a body serde cannot encode (a map with non-string keys).
fn encode_error(error: serde_json::Error) -> Error {
    Error::Transport {
        message: format!("cannot encode the request body: {error}"),
    }
}

/// How one field of a body travels as a part of a `multipart/form-data`
/// body, as the operation's `encoding` map describes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormPart {
    /// The field's wire name, which is the part's name.
    pub(crate) name: &'static str,
    /// The part's `Content-Type`.
    pub(crate) media_type: &'static str,
    /// The `filename` the part carries, when the service expects a file.
    pub(crate) file_name: Option<&'static str>,
    /// Whether the part is sent gzip-compressed (`Content-Encoding: gzip`):
    /// the document allows it and the official client does it, so large
    /// uploads travel in a fraction of their size.
    pub(crate) gzip: bool,
}

/// `content` as one gzip member.
fn gzip(content: &[u8]) -> Result<Vec<u8>, Error> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(content.len() / 4),
        flate2::Compression::default(),
    );
    encoder
        .write_all(content)
        .and_then(|()| encoder.finish())
        .map_err(|error| Error::Transport {
            message: format!("cannot compress a part of the request body: {error}"),
        })
}

/// A multipart boundary that none of the parts' contents holds: random
/// letters and digits, drawn again in the unlikely case one does.
fn boundary(contents: &[(&FormPart, Vec<u8>)]) -> String {
    let mut rng = fastrand::Rng::new();
    loop {
        let tail: String = (0..24).map(|_| rng.alphanumeric()).collect();
        let boundary = format!("pi-rs-{tail}");
        let delimiter = format!("--{boundary}");
        let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
        let clashes = contents
            .iter()
            .any(|(.., content)| finder.find(content).is_some());
        if !clashes {
            return boundary;
        }
    }
}

/// An operation as errors name it: its method and path template
/// (`GET /api/v1/secrets/{secret_id}`), formatted only when an error needs it.
pub(crate) struct OperationName<'a> {
    method: &'a Method,
    template: &'a str,
}

impl std::fmt::Display for OperationName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

impl ApiRequest {
    /// The operation this request belongs to, for errors that name it.
    pub(crate) fn operation(&self) -> OperationName<'_> {
        OperationName {
            method: &self.method,
            template: self.template,
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
    fn a_form_body_is_one_part_per_field_with_its_media_type_and_file_name() {
        let body = serde_json::json!({"metadata": {"schema_version": 1}, "traces": "{\"a\":1}\n"});
        let parts = [
            part("metadata", "application/json", None),
            part("traces", "application/x-ndjson", Some("traces.jsonl")),
            part("absent", "text/plain", None),
        ];
        let request = ApiRequest::new(Method::POST, "/x".to_owned())
            .form(&body, &parts)
            .unwrap();
        let media = request.content_type.unwrap();
        let boundary = media
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n{{\"schema_version\":1}}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"traces\"; filename=\"traces.jsonl\"\r\nContent-Type: application/x-ndjson\r\n\r\n{{\"a\":1}}\n\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8(request.body.unwrap()).unwrap(), expected);
    }

    fn part(name: &'static str, media_type: &'static str, file: Option<&'static str>) -> FormPart {
        FormPart {
            name,
            media_type,
            file_name: file,
            gzip: false,
        }
    }

    #[test]
    fn a_gzip_part_carries_its_encoding_and_the_compressed_content() {
        use std::io::Read as _;
        let lines = "{\"trace_id\":\"t1\"}\n".repeat(200);
        let body = serde_json::json!({"metadata": {"schema_version": 1}, "traces": lines});
        let parts = [
            part("metadata", "application/json", None),
            FormPart {
                gzip: true,
                ..part("traces", "application/x-ndjson", Some("traces.jsonl"))
            },
        ];
        let request = ApiRequest::new(Method::POST, "/x".to_owned())
            .form(&body, &parts)
            .unwrap();
        let boundary = request
            .content_type
            .unwrap()
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap()
            .to_owned();
        let sent = request.body.unwrap();
        let head = "name=\"traces\"; filename=\"traces.jsonl\"\r\nContent-Type: application/x-ndjson\r\nContent-Encoding: gzip\r\n\r\n";
        let start = sent
            .windows(head.len())
            .position(|window| window == head.as_bytes())
            .unwrap()
            + head.len();
        let tail = format!("\r\n--{boundary}--\r\n");
        assert!(sent.ends_with(tail.as_bytes()));
        let compressed = &sent[start..sent.len() - tail.len()];
        assert!(compressed.len() * 10 < lines.len(), "{}", compressed.len());
        let mut unpacked = String::new();
        flate2::read::GzDecoder::new(compressed)
            .read_to_string(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, lines);
        // The JSON part beside it is sent as it is.
        let metadata = "Content-Type: application/json\r\n\r\n{\"schema_version\":1}\r\n";
        assert!(
            sent.windows(metadata.len())
                .any(|window| window == metadata.as_bytes())
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
}
