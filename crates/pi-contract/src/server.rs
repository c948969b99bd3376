//! `ContractServer`: a wiremock server that holds every request to the
//! contract and answers like the PI API would.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers};

use crate::deviation::Deviation;
use crate::gateway::{CommandScript, FileCall, RanCommand};
use crate::gateway_mock::Gateway;
use crate::gateway_mock::serve::GatewayServer;
use crate::openapi::unescape_pointer;
use crate::request::{HttpRequest, Outcome, refuses};
use crate::spec::Spec;
use crate::stateful::{SetupError, Store};
use crate::synth::{SynthError, Synthesized};
use crate::violation::Violation;

/// Why a [`ContractServer`] could not be told how to answer.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The spec has no operation with that id.
    #[error(
        "the spec has no operation {0}; operation ids are listed by `spec.operations()` and in spec/openapi.json"
    )]
    UnknownOperation(String),
    /// The response could not be synthesized.
    #[error(transparent)]
    Synth(#[from] SynthError),
    /// No synthesized instance is ever called that: a misspelt name would
    /// otherwise fall back to another instance without a word.
    #[error(
        "no synthesized instance is called {0:?}; the names are complete (the default), minimal, maximal, maximal-2, maximal-3, ... and nulls"
    )]
    UnknownInstanceName(String),
    /// The response has no instance with that name.
    #[error("{operation_id} {status} has no instance {name}; it has {available}")]
    UnknownInstance {
        /// The operation.
        operation_id: String,
        /// The status.
        status: u16,
        /// The name asked for.
        name: String,
        /// The names it has, comma-separated.
        available: String,
    },
}

/// A response a test gives an operation: any status, any body (it is not
/// checked against the spec, so drift tests can send off-spec bodies),
/// optional headers and delay.
///
/// ```
/// use pi_contract::ContractResponse;
/// use serde_json::json;
/// use std::time::Duration;
///
/// let busy = ContractResponse::new(429)
///     .json(json!({"detail": "slow down"}))
///     .header("Retry-After", "1")
///     .delay(Duration::from_millis(10));
/// assert_eq!(busy.status(), 429);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a ContractResponse does nothing until a ContractServer is told to answer with it"]
pub struct ContractResponse {
    status: u16,
    body: Option<Body>,
    headers: Vec<(String, String)>,
    delay: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Json(Value),
    Raw {
        bytes: Vec<u8>,
        content_type: String,
    },
}

impl ContractResponse {
    /// A response with `status` and no body.
    pub fn new(status: u16) -> ContractResponse {
        ContractResponse {
            status,
            body: None,
            headers: Vec::new(),
            delay: None,
        }
    }

    /// Sets a JSON body (sent with `Content-Type: application/json`).
    pub fn json(mut self, body: Value) -> ContractResponse {
        self.body = Some(Body::Json(body));
        self
    }

    /// Sets a raw body with its content type (for bodies that are not JSON).
    pub fn raw(mut self, bytes: impl Into<Vec<u8>>, content_type: &str) -> ContractResponse {
        self.body = Some(Body::Raw {
            bytes: bytes.into(),
            content_type: content_type.to_owned(),
        });
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> ContractResponse {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Waits `delay` before answering.
    pub fn delay(mut self, delay: Duration) -> ContractResponse {
        self.delay = Some(delay);
        self
    }

    /// The status it answers with.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Its parts, for the gateway's own server.
    pub(crate) fn into_parts(self) -> ResponseParts {
        let (body, content_type) = match self.body {
            Some(Body::Json(value)) => (
                value.to_string().into_bytes(),
                "application/json".to_owned(),
            ),
            Some(Body::Raw {
                bytes,
                content_type,
            }) => (bytes, content_type),
            None => (Vec::new(), "application/octet-stream".to_owned()),
        };
        ResponseParts {
            status: self.status,
            body,
            content_type,
            headers: self.headers,
            delay: self.delay,
        }
    }

    fn template(&self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        match &self.body {
            Some(Body::Json(value)) => {
                template =
                    template.set_body_raw(value.to_string().into_bytes(), "application/json");
            }
            Some(Body::Raw {
                bytes,
                content_type,
            }) => template = template.set_body_raw(bytes.clone(), content_type),
            None => {}
        }
        for (name, value) in &self.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        if let Some(delay) = self.delay {
            template = template.set_delay(delay);
        }
        template
    }
}

/// A [`ContractResponse`] taken apart.
pub(crate) struct ResponseParts {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) content_type: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) delay: Option<Duration>,
}

/// One request the server received, as the contract saw it.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The operation it reached, if any.
    pub operation_id: Option<String>,
    /// The method, upper case.
    pub method: String,
    /// The raw path, percent-encoded as sent.
    pub path: String,
    /// The query pairs, decoded, in the order sent.
    pub query: Vec<(String, String)>,
    /// The headers, names in lower case, in the order sent (`Debug` hides
    /// the authorization header's value).
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON, if there was a JSON body; for a
    /// `multipart/form-data` body, an object of its parts by name (a JSON
    /// part's value, any other part's text; a gzip-compressed part as what
    /// it holds).
    pub body: Option<Value>,
    /// The body's raw bytes.
    pub raw_body: Vec<u8>,
    /// The status the server answered with.
    pub status: u16,
    /// Every way the request broke the contract (empty when it kept it).
    pub violations: Vec<Violation>,
    /// Where the answer followed the PI API rather than the document (a
    /// trailing-slash redirect, a 404 for an unknown id), if it did.
    pub deviation: Option<Deviation>,
}

impl ReceivedRequest {
    /// The first value of header `name` (any case).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `name`.
    #[must_use]
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                if n == "authorization" {
                    (n.as_str(), "<redacted>")
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("ReceivedRequest")
            .field("operation_id", &self.operation_id)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &self.body)
            .field("status", &self.status)
            .field("violations", &self.violations)
            .field("deviation", &self.deviation)
            .finish_non_exhaustive()
    }
}

/// A mock of the PI API driven by its OpenAPI document.
///
/// Every request, whatever its method, is checked against the [`Spec`] and
/// recorded with its violations. A request that keeps the contract gets the
/// response given for its operation ([`ContractServer::respond_to`]) or, by
/// default, a complete synthesized body of the operation's first documented
/// 2xx status (every documented property; a page's counts agree with its
/// items), as the API answers; the minimal and other instances stay a call
/// away ([`ContractServer::use_instance`]). A path the document has only
/// with its trailing slash, asked for without it (or the other way round),
/// gets FastAPI's `307` redirect to the documented spelling, query kept.
/// Those are two of the places listed in [`crate::deviation`]. A request
/// that breaks the contract gets the answer the PI API would
/// give: 404 for an unknown path, 405 for an undocumented method (with an
/// `Allow` header listing the path's documented methods), 401 for missing
/// bearer auth, 422 for invalid parameters or body. The 422 is FastAPI's
/// `{"detail": [{"loc", "msg", "type"}]}`, as the API sends it, with the
/// document's `{"errors": [{"param", "details"}]}` beside it, so it keeps
/// the document too: `loc` is the location word and the field's path
/// (`["body", "pod", "gpuCount"]`, `["query", "limit"]`, a missing required
/// property at its own name), `param` that path alone (`pod.gpuCount`),
/// `type` the violated rule. `pi-client` reads it as the API's own 422, so a
/// mistake gets the same field name from the mock, from the API and from
/// `pi-types`' checks before sending. Like the API, it answers normally when the only
/// problems are things the API ignores (an unknown query parameter, a
/// repeated one, a body property the schema does not declare, a body the
/// operation does not read): those are recorded as violations all the same.
///
/// Test your own code against it:
///
/// ```
/// use pi_contract::{ContractServer, Spec};
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let spec = Spec::from_value(json!({
///     "openapi": "3.1.0",
///     "info": {"title": "demo", "version": "1"},
///     "paths": {"/api/v1/secrets/{secret_id}": {"get": {
///         "operationId": "get_secret",
///         "security": [{"HTTPBearer": []}],
///         "parameters": [{"name": "secret_id", "in": "path", "required": true,
///                         "schema": {"type": "string"}}],
///         "responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
///             {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}}}}
///     }}},
///     "components": {"securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}}}
/// }))?;
/// let server = ContractServer::start(spec).await;
/// server.respond_to("get_secret", 200, Some(json!({"id": "s1"})))?;
///
/// // Your code, pointed at `server.uri()`:
/// let response = reqwest::Client::new()
///     .get(format!("{}/api/v1/secrets/s1", server.uri()))
///     .bearer_auth("test-key")
///     .send()
///     .await?;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.json::<serde_json::Value>().await?, json!({"id": "s1"}));
///
/// server.assert_no_violations();
/// assert_eq!(server.received_requests()[0].operation_id.as_deref(), Some("get_secret"));
/// # Ok(())
/// # }
/// ```
pub struct ContractServer {
    /// Always `Some` but while being dropped: see the `Drop` impl.
    server: Option<MockServer>,
    state: Arc<State>,
    /// The sandboxes' gateway of the stateful mode, on a server of its own.
    gateway: Option<GatewayServer>,
}

/// Wiremock's server checks its mocks when dropped by running a future to
/// completion with its own small executor, whatever thread it is on. Inside
/// a tokio task that has used up its cooperative budget (after awaiting
/// many ready futures, say a thousand join handles), tokio's lock in that
/// future answers "not yet" on every poll until the task yields, which it
/// never does: the drop spins forever. A thread of its own has no budget, so
/// the server is dropped there, and the drop still finishes (port closed)
/// before `ContractServer`'s does.
impl Drop for ContractServer {
    fn drop(&mut self) {
        let Some(server) = self.server.take() else {
            return;
        };
        let dropper = std::thread::Builder::new()
            .name("pi-contract-drop".to_owned())
            .spawn(move || drop(server));
        // If no thread can be made, the closure holding the server was
        // dropped here, and the server with it, as before this impl.
        if let Ok(dropper) = dropper {
            let _ = dropper.join();
        }
    }
}

impl std::fmt::Debug for ContractServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContractServer")
            .field("uri", &self.uri())
            .field(
                "gateway_port",
                &self.gateway.as_ref().map(GatewayServer::port),
            )
            .finish_non_exhaustive()
    }
}

/// Which synthesized instance answers when no response was given.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DefaultInstance {
    /// The maximal instance with a page's counts made to agree with its
    /// items: what the API answers.
    Complete,
    Minimal,
    Named(String),
}

pub(crate) struct State {
    spec: Arc<Spec>,
    responses: Mutex<HashMap<String, VecDeque<ContractResponse>>>,
    default_instance: Mutex<DefaultInstance>,
    synthesized: Mutex<HashMap<(String, u16), Arc<Synthesized>>>,
    pub(crate) received: Mutex<Vec<ReceivedRequest>>,
    /// The resources of the stateful mode; `None` when stateless.
    store: Option<Mutex<Store>>,
    /// The sandboxes' gateway of the stateful mode.
    pub(crate) gateway: Mutex<Gateway>,
    /// The port of the gateway's server, once it listens.
    gateway_port: std::sync::OnceLock<u16>,
}

/// The 422 body for `refused` violations of a request whose JSON body (if
/// any) is `body`: FastAPI's `detail` list, which the API sends and
/// `pi-client` reads, and the document's `errors` list, which keeps the
/// answer on the document's schema.
fn validation_body(refused: &[&Violation], body: Option<&Value>) -> Value {
    let mut detail = Vec::with_capacity(refused.len());
    let mut errors = Vec::with_capacity(refused.len());
    for violation in refused {
        let loc = fastapi_loc(&violation.location, body);
        errors.push(json!({"param": field_of(&loc), "details": violation.message}));
        detail.push(json!({
            "loc": loc,
            "msg": violation.message,
            "type": violation.rule.as_str(),
        }));
    }
    json!({"detail": detail, "errors": errors})
}

/// A violation's location as FastAPI's `loc`: `body/pod/gpuCount` is
/// `["body", "pod", "gpuCount"]`, `query.limit` is `["query", "limit"]`.
/// A pointer token is a list index (a number in `loc`) only where `body`
/// holds a list, as FastAPI writes indexes as numbers and keys as strings.
fn fastapi_loc(location: &str, body: Option<&Value>) -> Vec<Value> {
    if let Some(pointer) = location.strip_prefix("body") {
        let mut loc = vec![Value::from("body")];
        let mut here = body;
        for token in pointer.split('/').skip(1) {
            let token = unescape_pointer(token);
            match (here, token.parse::<usize>()) {
                (Some(Value::Array(items)), Ok(index)) => {
                    here = items.get(index);
                    loc.push(Value::from(index));
                }
                (Some(Value::Object(object)), _) => {
                    here = object.get(&token);
                    loc.push(Value::from(token));
                }
                _ => {
                    here = None;
                    loc.push(Value::from(token));
                }
            }
        }
        return loc;
    }
    match location.split_once('.') {
        Some((word @ ("query" | "path" | "header" | "cookie"), name)) => {
            vec![Value::from(word), Value::from(name)]
        }
        _ => vec![Value::from(location)],
    }
}

/// The field's path inside its location, as `pi-types` names fields
/// (`pod.gpuCount`, `envVars[0].key`, `limit`); empty for the whole body.
fn field_of(loc: &[Value]) -> String {
    let mut path = String::new();
    for part in loc.iter().skip(1) {
        match part {
            Value::Number(index) => {
                let _ = write!(path, "[{index}]");
            }
            Value::String(name) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
            }
            _ => {}
        }
    }
    path
}

/// Locks a mutex, carrying on with the data if a panicking test poisoned it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    fn synthesized(&self, operation_id: &str, status: u16) -> Result<Arc<Synthesized>, SynthError> {
        let key = (operation_id.to_owned(), status);
        if let Some(found) = lock(&self.synthesized).get(&key) {
            return Ok(Arc::clone(found));
        }
        // Synthesize without holding the lock; a race only does the work twice.
        let made = Arc::new(self.spec.synthesize(operation_id, status)?);
        lock(&self.synthesized).insert(key, Arc::clone(&made));
        Ok(made)
    }

    /// The response given for an operation: the front of its queue, which is
    /// used up unless it is the last one.
    fn given(&self, operation_id: &str) -> Option<ContractResponse> {
        let mut responses = lock(&self.responses);
        let queue = responses.get_mut(operation_id)?;
        if queue.len() > 1 {
            queue.pop_front()
        } else {
            queue.front().cloned()
        }
    }

    fn default_response(&self, operation_id: &str) -> ContractResponse {
        let Some(operation) = self.spec.operation(operation_id) else {
            return ContractResponse::new(500);
        };
        let Some(success) = operation.success_response() else {
            return ContractResponse::new(200);
        };
        if success.schema().is_none() {
            return ContractResponse::new(success.status());
        }
        let choice = lock(&self.default_instance).clone();
        match self.synthesized(operation_id, success.status()) {
            Ok(synthesized) => {
                let value = match &choice {
                    DefaultInstance::Complete => {
                        complete(&self.spec, operation_id, success.status(), &synthesized)
                    }
                    DefaultInstance::Minimal => synthesized.minimal().clone(),
                    DefaultInstance::Named(name) => synthesized
                        .get(name)
                        .unwrap_or_else(|| synthesized.maximal())
                        .clone(),
                };
                ContractResponse::new(success.status()).json(value)
            }
            Err(error) => ContractResponse::new(500).json(json!({
                "detail": format!("pi-contract could not synthesize this response: {error}")
            })),
        }
    }

    fn handle(&self, request: &Request) -> ResponseTemplate {
        let http = HttpRequest::from(request);
        let mut check = self.spec.check_request(&http);
        let operation_id = check.operation.map(|op| op.id().to_owned());
        let mut deviation = None;
        let response = match check.outcome {
            Outcome::NotFound => match self.spec.slash_redirect(&http.path) {
                // FastAPI's answer, which the official clients follow: not a
                // violation, but recorded as the deviation it is.
                Some(documented) => {
                    deviation = Some(Deviation::TrailingSlashRedirect);
                    check.violations.clear();
                    let query = request
                        .url
                        .query()
                        .map(|query| format!("?{query}"))
                        .unwrap_or_default();
                    // Absolute, on the host the client asked, as Starlette
                    // writes it; a path alone when the request named no host.
                    let location = match http.header_value("host") {
                        Some(host) => format!("http://{host}{documented}{query}"),
                        None => format!("{documented}{query}"),
                    };
                    ContractResponse::new(307).header("Location", &location)
                }
                None => ContractResponse::new(404).json(json!({"detail": "Not Found"})),
            },
            // RFC 9110 §15.5.6: a 405 lists the methods the target supports.
            Outcome::MethodNotAllowed => ContractResponse::new(405)
                .json(json!({"detail": "Method Not Allowed"}))
                .header("Allow", &check.allowed_methods.join(", ")),
            Outcome::Unauthorized => {
                ContractResponse::new(401).json(json!({"detail": "Not authenticated"}))
            }
            Outcome::Invalid => {
                // Like the API, list what it refused, not what it ignores.
                let body = serde_json::from_slice::<Value>(&http.body).ok();
                let refused: Vec<&Violation> = check
                    .violations
                    .iter()
                    .filter(|v| refuses(&v.rule))
                    .collect();
                ContractResponse::new(422).json(validation_body(&refused, body.as_ref()))
            }
            Outcome::Valid => match (operation_id.as_deref(), check.operation) {
                (Some(id), Some(operation)) => self
                    .given(id)
                    .or_else(|| {
                        let store = self.store.as_ref()?;
                        let answer = lock(store).answer(&self.spec, operation, &http)?;
                        deviation = answer.deviation;
                        Some(ContractResponse::new(answer.status).json(answer.body))
                    })
                    .unwrap_or_else(|| self.default_response(id)),
                _ => ContractResponse::new(500),
            },
        };
        let mut response = response;
        let is_auth = check
            .operation
            .is_some_and(|operation| operation.path() == SANDBOX_AUTH);
        if self.store.is_some() && is_auth && response.status == 200 {
            if let (Some(Body::Json(body)), Some(port)) =
                (&mut response.body, self.gateway_port.get())
            {
                point_at_own_gateway(body, &http, *port, &self.gateway);
            }
        }
        let deletes_sandbox = http.method == "DELETE"
            && check
                .operation
                .is_some_and(|operation| operation.path() == SANDBOX);
        if self.store.is_some() && deletes_sandbox && response.status < 300 {
            // Its commands end and its gateway refuses, as the API's does.
            if let Some(id) = http.path.trim_end_matches('/').rsplit('/').next() {
                lock(&self.gateway).terminate(id);
            }
        }
        let is_error_context = check
            .operation
            .is_some_and(|operation| operation.path() == SANDBOX_ERROR_CONTEXT);
        if is_error_context && response.status == 200 {
            if let Some(context) = self.sandbox_context(&http) {
                response = ContractResponse::new(200).json(context);
            }
        }
        let body = serde_json::from_slice::<Value>(&http.body)
            .ok()
            .or_else(|| {
                let media = http.header_value("content-type")?;
                crate::multipart::as_value(media, &http.body)
            });
        let received = ReceivedRequest {
            operation_id,
            method: http.method,
            path: http.path,
            query: http.query,
            headers: http.headers,
            body,
            raw_body: http.body,
            status: response.status,
            violations: check.violations,
            deviation,
        };
        lock(&self.received).push(received);
        response.template()
    }
}

/// The operation that reads, updates and deletes one sandbox.
const SANDBOX: &str = "/api/v1/sandbox/{sandbox_id}";

/// The operation that says why a sandbox stopped.
const SANDBOX_ERROR_CONTEXT: &str = "/api/v1/sandbox/{sandbox_id}/error-context";

impl State {
    /// A stored sandbox's error context in the stateful mode: `TERMINATED`
    /// once a test terminated it, its stored status otherwise; `None` for
    /// a sandbox the mock does not hold.
    fn sandbox_context(&self, http: &HttpRequest) -> Option<Value> {
        let sandbox_id = http
            .path
            .trim_end_matches("/error-context")
            .rsplit('/')
            .next()?;
        if lock(&self.gateway).is_terminated(sandbox_id) {
            return Some(json!({
                "status": "TERMINATED",
                "errorType": "TERMINATED",
                "errorMessage": "the sandbox was terminated"
            }));
        }
        let store = self.store.as_ref()?;
        let stored = lock(store)
            .get(&self.spec, "/api/v1/sandbox", sandbox_id)
            .ok()??;
        let status = stored.get("status").cloned().unwrap_or(Value::Null);
        Some(json!({"status": status, "errorType": null, "errorMessage": null}))
    }
}

/// The operation whose answer says where a sandbox's gateway is.
const SANDBOX_AUTH: &str = "/api/v1/sandbox/{sandbox_id}/auth";

/// Makes a sandbox's `auth` answer point at the mock's own gateway for that
/// sandbox (its server's `port`, on the host the client asked), with a
/// token the gateway will accept.
fn point_at_own_gateway(body: &mut Value, http: &HttpRequest, port: u16, gateway: &Mutex<Gateway>) {
    let sandbox_id = http
        .path
        .trim_end_matches("/auth")
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let host = http.header_value("host").unwrap_or("127.0.0.1");
    // The host without its port: `[::1]:80`, `localhost:80`, `10.0.0.2`.
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => name,
        _ => host,
    };
    if let Some(object) = body.as_object_mut() {
        object.insert(
            "gateway_url".to_owned(),
            Value::from(format!("http://{name}:{port}/gateway")),
        );
        let token = lock(gateway).issue_token(&sandbox_id);
        object.insert("token".to_owned(), Value::from(token));
        object.insert("user_ns".to_owned(), Value::from("sandboxes"));
        object.insert("job_id".to_owned(), Value::from(sandbox_id));
        // A token far from expiry, so clients keep it.
        object.insert("expires_at".to_owned(), Value::from("2099-01-01T00:00:00Z"));
    }
}

/// The maximal instance with a page envelope's counts made to agree with its
/// items (`total_count` the number of items, `offset` 0), when that still
/// keeps the document: an answer like the API's rather than one that is
/// only valid.
fn complete(spec: &Spec, operation_id: &str, status: u16, synthesized: &Synthesized) -> Value {
    let maximal = synthesized.maximal();
    let mut value = maximal.clone();
    let Some(object) = value.as_object_mut() else {
        return value;
    };
    let items = object
        .values()
        .filter_map(Value::as_array)
        .map(Vec::len)
        .next();
    if let Some(items) = items {
        for (name, count) in [
            ("total_count", items),
            ("totalCount", items),
            ("total", items),
            ("offset", 0),
            ("skip", 0),
        ] {
            if let Some(slot) = object.get_mut(name) {
                *slot = Value::from(count);
            }
        }
    }
    if spec
        .validate_response(operation_id, status, &value)
        .is_empty()
    {
        value
    } else {
        maximal.clone()
    }
}

/// The catch-all responder mounted on the wiremock server.
struct ContractResponder(Arc<State>);

impl Respond for ContractResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.handle(request)
    }
}

impl ContractServer {
    /// Starts a server on a free local port that holds every request to
    /// `spec` (a [`Spec`] or an `Arc<Spec>`).
    pub async fn start(spec: impl Into<Arc<Spec>>) -> ContractServer {
        ContractServer::start_with(spec.into(), None, None).await
    }

    /// Starts a stateful server on the PI API contract embedded in this
    /// crate: what a test creates is stored, listed, changed and deleted
    /// (see [`crate::stateful`]).
    pub async fn stateful() -> ContractServer {
        ContractServer::stateful_on(Spec::contract()).await
    }

    /// Starts a stateful server on `spec` (see [`ContractServer::stateful`]).
    pub async fn stateful_on(spec: impl Into<Arc<Spec>>) -> ContractServer {
        ContractServer::start_with(spec.into(), Some(Mutex::new(Store::default())), None).await
    }

    /// Stores a resource in the collection at `collection` (the create
    /// operation's path, such as `/api/v1/pods/`, with or without its
    /// trailing slash) as if a test had created it: `fields` (a JSON object
    /// of the resource's documented answer fields, such as
    /// `{"status": "PROVISIONING"}`) over what a create would answer. It
    /// keeps the id given in `fields` or gets a fresh one, which is
    /// returned.
    ///
    /// # Errors
    /// [`SetupError`] at once, naming the mistake and the valid choices, when
    /// the server is not stateful, the document has no such collection, a
    /// field is not one of its resources' answer fields, or a value is not
    /// one the document allows (a status outside its enum, a wrong type).
    pub fn seed(&self, collection: &str, fields: Value) -> Result<String, SetupError> {
        let store = self.state.store.as_ref().ok_or(SetupError::Stateless)?;
        lock(store).seed(&self.state.spec, collection, &fields)
    }

    /// Scripts how the stored resource `id` changes: each later GET of it
    /// first merges the next of `changes` (JSON objects of answer fields)
    /// into it, so `[{"status": "PROVISIONING"}, {"status": "ACTIVE"}]`
    /// makes it ACTIVE on the second poll.
    ///
    /// # Errors
    /// [`SetupError`] as for [`ContractServer::seed`], and when no resource
    /// `id` is stored in the collection; nothing is queued then.
    pub fn script(
        &self,
        collection: &str,
        id: &str,
        changes: impl IntoIterator<Item = Value>,
    ) -> Result<(), SetupError> {
        let store = self.state.store.as_ref().ok_or(SetupError::Stateless)?;
        lock(store).script(
            &self.state.spec,
            collection,
            id,
            changes.into_iter().collect(),
        )
    }

    /// The collections a stateful server keeps, found in the document: the
    /// paths of the create operations whose answer carries the resource's
    /// id (`/api/v1/secrets/`, `/api/v1/sandbox`, ...), what `seed`,
    /// `script` and `stored` take.
    #[must_use]
    pub fn collections(&self) -> Vec<String> {
        crate::stateful::collection_paths(&self.state.spec)
    }

    /// What a stateful server holds in `collection` (path with or without
    /// its trailing slash), in id order, each under its answer field names.
    ///
    /// # Errors
    /// [`SetupError`] when the server is not stateful or the document has no
    /// such collection, so a misspelt path cannot pass for an empty one.
    pub fn stored(&self, collection: &str) -> Result<Vec<Value>, SetupError> {
        let store = self.state.store.as_ref().ok_or(SetupError::Stateless)?;
        lock(store).list(&self.state.spec, collection)
    }

    /// Starts a server (stateful when `stateful`) on `listener`, or on a
    /// free local port when there is none: what [`crate::ContractServerBuilder`]
    /// asks for.
    pub(crate) async fn start_on(
        spec: Arc<Spec>,
        stateful: bool,
        listener: Option<std::net::TcpListener>,
    ) -> ContractServer {
        let store = stateful.then(|| Mutex::new(Store::default()));
        ContractServer::start_with(spec, store, listener).await
    }

    async fn start_with(
        spec: Arc<Spec>,
        store: Option<Mutex<Store>>,
        listener: Option<std::net::TcpListener>,
    ) -> ContractServer {
        let mut builder = MockServer::builder().disable_request_recording();
        if let Some(listener) = listener {
            builder = builder.listener(listener);
        }
        let server = builder.start().await;
        let state = Arc::new(State {
            spec,
            store,
            responses: Mutex::new(HashMap::new()),
            default_instance: Mutex::new(DefaultInstance::Complete),
            synthesized: Mutex::new(HashMap::new()),
            received: Mutex::new(Vec::new()),
            gateway: Mutex::new(Gateway::default()),
            gateway_port: std::sync::OnceLock::new(),
        });
        // The gateway listens beside the REST mock, on the same address.
        let gateway = if state.store.is_some() {
            let ip = server.address().ip();
            match GatewayServer::start(ip, Arc::clone(&state)) {
                Ok(gateway) => {
                    let _ = state.gateway_port.set(gateway.port());
                    Some(gateway)
                }
                // Without a gateway the auth answers keep what the document
                // synthesizes; every REST call still works.
                Err(_) => None,
            }
        } else {
            None
        };
        Mock::given(matchers::any())
            .respond_with(ContractResponder(Arc::clone(&state)))
            .named("pi-contract: every request, checked against the spec")
            .mount(&server)
            .await;
        ContractServer {
            server: Some(server),
            state,
            gateway,
        }
    }

    /// Scripts what the stateful mock's sandbox gateway answers when a
    /// sandbox is asked to run `command` (the command line a client passes
    /// to `/bin/bash -c`, compared exactly); the latest script for a line wins.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use pi_contract::ContractServer;
    /// use pi_contract::gateway::CommandScript;
    ///
    /// let server = ContractServer::stateful().await;
    /// server.on_command("python -V", CommandScript::prints("Python 3.12.3\n"));
    /// server.on_command("false", CommandScript::default().exits(1));
    /// assert!(server.commands_run().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_command(&self, command: &str, script: CommandScript) {
        lock(&self.state.gateway).on_command(command, script);
    }

    /// What the gateway answers for a command no script names (by
    /// default: no output, exit code 0).
    pub fn on_any_other_command(&self, script: CommandScript) {
        lock(&self.state.gateway).set_fallback(script);
    }

    /// Every command the mock's sandbox gateway was asked to run, in order:
    /// one entry per command started, however often its stream re-attached.
    pub fn commands_run(&self) -> Vec<RanCommand> {
        lock(&self.state.gateway).ran()
    }

    /// Where the stateful mock's sandbox gateways live,
    /// `http://127.0.0.1:{port}/gateway` (a sandbox's base is
    /// `{gateway_uri}/sandboxes/{sandbox_id}`, as its `auth` answer says);
    /// `None` for a stateless server, which has no gateway.
    #[must_use]
    pub fn gateway_uri(&self) -> Option<String> {
        let port = self.gateway.as_ref()?.port();
        let ip = self.server.as_ref()?.address().ip();
        Some(format!(
            "http://{}/gateway",
            std::net::SocketAddr::new(ip, port)
        ))
    }

    /// Makes every gateway token handed out so far lapse: the gateway answers
    /// `unauthenticated` to them, and the next `auth` call gets a fresh one.
    pub fn expire_gateway_tokens(&self) {
        lock(&self.state.gateway).expire_tokens();
    }

    /// Terminates the sandbox `sandbox_id` under the clients' feet: its
    /// running commands end with `not_found`, its gateway refuses every
    /// further call, and (when it is stored) the next read of the sandbox
    /// says `TERMINATED`.
    pub fn terminate_sandbox(&self, sandbox_id: &str) {
        lock(&self.state.gateway).terminate(sandbox_id);
        if let Some(store) = &self.state.store {
            // A sandbox the test never stored has no status to change.
            let _ = lock(store).script(
                &self.state.spec,
                "/api/v1/sandbox",
                sandbox_id,
                vec![json!({"status": "TERMINATED"})],
            );
        }
    }

    /// Makes the next `call` to any sandbox's gateway fail with `status`
    /// (a JSON `detail` body); queued failures are used in order.
    pub fn fail_next_file_call(&self, call: FileCall, status: u16) {
        lock(&self.state.gateway).fail_next(call, status);
    }

    /// Starts a server on the PI API contract embedded in this crate
    /// ([`Spec::contract`]: the published document and the project's supplement), parsed once per process however many servers
    /// a test run starts.
    pub async fn vendored() -> ContractServer {
        ContractServer::start(Spec::contract()).await
    }

    /// The server's base URL (`http://127.0.0.1:PORT`), to give as the
    /// client's base URL.
    #[must_use]
    pub fn uri(&self) -> String {
        self.mock_server().uri()
    }

    /// The spec the server holds requests to.
    #[must_use]
    pub fn spec(&self) -> &Arc<Spec> {
        &self.state.spec
    }

    /// The underlying wiremock server, to mount extra mocks (give them a
    /// priority below 5 to win over the contract's catch-all).
    #[must_use]
    pub fn mock_server(&self) -> &MockServer {
        match &self.server {
            Some(server) => server,
            // Only `drop` empties the slot, and nothing borrows a value
            // while it is being dropped.
            None => unreachable!("the wiremock server is taken only when dropping"),
        }
    }

    /// Answers valid requests to `operation_id` with `status` and `body`
    /// (JSON, not checked against the spec), until changed or reset.
    ///
    /// # Errors
    /// [`ServerError::UnknownOperation`] if the spec has no such operation.
    pub fn respond_to(
        &self,
        operation_id: &str,
        status: u16,
        body: Option<Value>,
    ) -> Result<(), ServerError> {
        let mut response = ContractResponse::new(status);
        if let Some(body) = body {
            response = response.json(body);
        }
        self.respond_with(operation_id, response)
    }

    /// Answers valid requests to `operation_id` with `response`, until
    /// changed or reset.
    ///
    /// # Errors
    /// [`ServerError::UnknownOperation`] if the spec has no such operation.
    pub fn respond_with(
        &self,
        operation_id: &str,
        response: ContractResponse,
    ) -> Result<(), ServerError> {
        self.respond_in_turn(operation_id, vec![response])
    }

    /// Answers successive valid requests to `operation_id` with `responses`
    /// in order; the last one then stays (for retry tests: `503`, `503`,
    /// `200`). An empty list removes the operation's given responses.
    ///
    /// # Errors
    /// [`ServerError::UnknownOperation`] if the spec has no such operation.
    pub fn respond_in_turn(
        &self,
        operation_id: &str,
        responses: Vec<ContractResponse>,
    ) -> Result<(), ServerError> {
        self.known(operation_id)?;
        let mut given = lock(&self.state.responses);
        if responses.is_empty() {
            given.remove(operation_id);
        } else {
            given.insert(operation_id.to_owned(), responses.into());
        }
        Ok(())
    }

    /// Answers valid requests to `operation_id` with `status` and the
    /// synthesized instance `name` (`minimal`, `maximal`, `maximal-2`, ...).
    ///
    /// # Errors
    /// [`ServerError`] if the operation, the status's body or the instance
    /// does not exist.
    pub fn respond_with_instance(
        &self,
        operation_id: &str,
        status: u16,
        name: &str,
    ) -> Result<(), ServerError> {
        self.known(operation_id)?;
        let synthesized = self.state.synthesized(operation_id, status)?;
        let Some(value) = synthesized.get(name) else {
            let available: Vec<&str> = synthesized
                .instances()
                .iter()
                .map(|i| i.name.as_str())
                .collect();
            return Err(ServerError::UnknownInstance {
                operation_id: operation_id.to_owned(),
                status,
                name: name.to_owned(),
                available: available.join(", "),
            });
        };
        self.respond_with(
            operation_id,
            ContractResponse::new(status).json(value.clone()),
        )
    }

    /// The synthesized instances of `operation_id`'s response `status`
    /// (computed once per server, then shared).
    ///
    /// # Errors
    /// [`ServerError`] if the operation or the status's body does not exist.
    pub fn synthesized(
        &self,
        operation_id: &str,
        status: u16,
    ) -> Result<Arc<Synthesized>, ServerError> {
        self.known(operation_id)?;
        Ok(self.state.synthesized(operation_id, status)?)
    }

    /// Makes operations without a given response answer with their maximal
    /// synthesized instance as it is (the default, complete answer is the
    /// same but for a page's counts, made to agree with its items).
    pub fn use_maximal_responses(&self) {
        *lock(&self.state.default_instance) = DefaultInstance::Named("maximal".to_owned());
    }

    /// Makes operations without a given response answer with the instance
    /// `name` (`minimal`, `maximal`, `maximal-3`, `nulls`, ..., or `complete`,
    /// the default); a response without that many maximal instances answers
    /// with `maximal`.
    ///
    /// # Errors
    /// [`ServerError::UnknownInstanceName`] for a name no instance has; the
    /// default answer is left as it was.
    pub fn use_instance(&self, name: &str) -> Result<(), ServerError> {
        let numbered = name
            .strip_prefix("maximal-")
            .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n >= 2));
        let choice = match name {
            "minimal" => DefaultInstance::Minimal,
            "complete" => DefaultInstance::Complete,
            "maximal" | "nulls" => DefaultInstance::Named(name.to_owned()),
            _ if numbered => DefaultInstance::Named(name.to_owned()),
            _ => return Err(ServerError::UnknownInstanceName(name.to_owned())),
        };
        *lock(&self.state.default_instance) = choice;
        Ok(())
    }

    /// Every request received since start or the last reset, in arrival
    /// order.
    #[must_use]
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.received).clone()
    }

    /// The requests received after the first `seen` (since start or the
    /// last reset), in arrival order: what a watcher that has already seen
    /// `seen` of them has not, without copying those again.
    #[must_use]
    pub fn received_requests_since(&self, seen: usize) -> Vec<ReceivedRequest> {
        lock(&self.state.received)
            .get(seen..)
            .map(<[ReceivedRequest]>::to_vec)
            .unwrap_or_default()
    }

    /// Every violation of every request received since start or the last
    /// reset.
    #[must_use]
    pub fn violations(&self) -> Vec<Violation> {
        lock(&self.state.received)
            .iter()
            .flat_map(|r| r.violations.iter().cloned())
            .collect()
    }

    /// Forgets the received requests and the given responses, and goes back
    /// to complete synthesized responses (stored resources stay).
    pub fn reset(&self) {
        lock(&self.state.received).clear();
        lock(&self.state.responses).clear();
        *lock(&self.state.default_instance) = DefaultInstance::Complete;
    }

    /// Panics, listing every violation by request, if any received request
    /// broke the contract.
    ///
    /// # Panics
    /// When at least one received request has a violation; the message says
    /// how to read them.
    #[allow(clippy::panic)]
    #[track_caller]
    pub fn assert_no_violations(&self) {
        let received = lock(&self.state.received).clone();
        let broken: Vec<&ReceivedRequest> = received
            .iter()
            .filter(|r| !r.violations.is_empty())
            .collect();
        if broken.is_empty() {
            return;
        }
        let count: usize = broken.iter().map(|r| r.violations.len()).sum();
        let mut message = format!(
            "{count} contract violation(s) in {} of {} request(s) received by the ContractServer.\n\
             Each line reads `operation_id: location: rule: message`: the location is `path.<name>`, \
             `query.<name>`, `header.<name>`, or `body` followed by a JSON pointer into the body; \
             the rule is the JSON Schema keyword or contract rule that was broken. Compare the request \
             with the operation in the OpenAPI document (spec/openapi.json) and fix the code that built it.\n",
            broken.len(),
            received.len()
        );
        for request in broken {
            let query: Vec<String> = request
                .query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let _ = write!(message, "\n{} {}", request.method, request.path);
            if !query.is_empty() {
                let _ = write!(message, "?{}", query.join("&"));
            }
            let _ = writeln!(message, " -> {}", request.status);
            for violation in &request.violations {
                let _ = writeln!(message, "  {violation}");
            }
        }
        panic!("{message}");
    }

    fn known(&self, operation_id: &str) -> Result<(), ServerError> {
        if self.state.spec.operation(operation_id).is_some() {
            Ok(())
        } else {
            Err(ServerError::UnknownOperation(operation_id.to_owned()))
        }
    }
}
