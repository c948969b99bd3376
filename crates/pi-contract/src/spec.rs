//! The loaded contract: operations, their parameters, bodies and responses,
//! with every JSON Schema compiled once at load.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::openapi::{self, METHODS, escape_pointer, is_null_schema};
use crate::schema::{CompiledSchema, Compiler};
use crate::violation::{Rule, Violation};

/// Why a document could not be loaded as a [`Spec`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The document could not be read or parsed, or is not OpenAPI 3.x.
    #[error(transparent)]
    Document(#[from] crate::document::DocumentError),
    /// The document could not be normalized (for example a `$ref` that
    /// resolves nowhere).
    #[error("cannot normalize the OpenAPI document: {0}")]
    Normalize(#[from] crate::normalize::NormalizeError),
    /// An operation is malformed or uses something this crate does not support.
    #[error("{method} {path}: {message}")]
    Operation {
        /// The operation's method, upper case.
        method: String,
        /// The operation's path template.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// Two operations share an operation id.
    #[error("operation id {0} is used by more than one operation")]
    DuplicateOperationId(String),
    /// A schema in the document does not compile.
    #[error("the schema at {location} does not compile: {message}")]
    Schema {
        /// Where the schema sits, e.g. `create_secret: request body`.
        location: String,
        /// The compiler's message.
        message: String,
    },
}

/// Where a parameter is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParameterLocation {
    /// A templated path segment, such as `{secret_id}`.
    Path,
    /// A query-string parameter.
    Query,
    /// A request header (matched case-insensitively).
    Header,
    /// A cookie (loaded and listed, but not checked).
    Cookie,
}

impl ParameterLocation {
    /// The location's name as the document spells it (`path`, `query`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

impl fmt::Display for ParameterLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a parameter's text is turned into a JSON value before it is checked
/// against its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueKind {
    String,
    Integer,
    Number,
    Boolean,
    Array(Box<ValueKind>),
    /// Several non-null alternatives: each is tried in turn.
    OneOf(Vec<ValueKind>),
}

/// One documented parameter of an operation.
#[derive(Debug)]
pub struct Parameter {
    pub(crate) name: String,
    pub(crate) location: ParameterLocation,
    pub(crate) required: bool,
    pub(crate) schema: Value,
    pub(crate) explode: bool,
    pub(crate) kind: ValueKind,
    pub(crate) validator: CompiledSchema,
}

impl Parameter {
    /// The parameter's name (`teamId`, `secret_id`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the parameter is carried.
    #[must_use]
    pub fn location(&self) -> ParameterLocation {
        self.location
    }

    /// Whether a request must carry it (path parameters always must).
    #[must_use]
    pub fn required(&self) -> bool {
        self.required
    }

    /// Its schema as the document writes it (it may hold `$ref`s; see
    /// [`Spec::resolve`]).
    #[must_use]
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Whether an array value is sent as repeated keys (`ids=a&ids=b`, the
    /// default for query parameters) rather than one comma-separated value.
    #[must_use]
    pub fn explode(&self) -> bool {
        self.explode
    }
}

/// The documented request body of an operation.
#[derive(Debug)]
pub struct RequestBody {
    pub(crate) required: bool,
    pub(crate) content_type: String,
    pub(crate) schema: Value,
    pub(crate) validator: Option<CompiledSchema>,
    /// The parts of a `multipart/form-data` body and their rules.
    pub(crate) form: Option<crate::multipart::FormRules>,
}

impl RequestBody {
    /// Whether the operation requires a body.
    #[must_use]
    pub fn required(&self) -> bool {
        self.required
    }

    /// The documented media type (`application/json`).
    #[must_use]
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The body's schema as the document writes it.
    #[must_use]
    pub fn schema(&self) -> &Value {
        &self.schema
    }
}

/// One documented response of an operation.
#[derive(Debug)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) schema: Option<Value>,
    pub(crate) validator: Option<CompiledSchema>,
}

impl Response {
    /// The HTTP status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The media type of the body, if the response documents one.
    #[must_use]
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The body's schema as the document writes it, if the response has a
    /// JSON body.
    #[must_use]
    pub fn schema(&self) -> Option<&Value> {
        self.schema.as_ref()
    }
}

/// A path template cut into segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Param(String),
    /// One parameter with fixed text around it inside a segment, such as
    /// `@{version}` (prefix `@`, no suffix).
    Embedded(Embedded),
}

/// A parameter inside a segment with text before and after it
/// (`@{version}`, `v{major}.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Embedded {
    pub(crate) prefix: String,
    pub(crate) name: String,
    pub(crate) suffix: String,
}

impl Embedded {
    /// The parameter's value in a decoded segment: the text between the
    /// prefix and the suffix, when the segment has both and something
    /// between them.
    fn value<'a>(&self, given: &'a str) -> Option<&'a str> {
        let value = given
            .strip_prefix(self.prefix.as_str())?
            .strip_suffix(self.suffix.as_str())?;
        (!value.is_empty()).then_some(value)
    }
}

/// How concrete a template segment is, for ranking the templates a path
/// fits: fixed text beats text around a parameter, which beats a bare
/// parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Concreteness {
    Param,
    Embedded,
    Literal,
}

/// One operation of the document: a method on a path template.
#[derive(Debug)]
pub struct Operation {
    pub(crate) id: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) segments: Vec<Segment>,
    pub(crate) tags: Vec<String>,
    pub(crate) parameters: Vec<Parameter>,
    /// Families of query parameters named by a prefix
    /// ([`crate::supplement::QUERY_PREFIXES`]), each as a parameter whose
    /// name is the prefix.
    pub(crate) query_prefixes: Vec<Parameter>,
    pub(crate) request_body: Option<RequestBody>,
    pub(crate) responses: Vec<Response>,
    pub(crate) bearer_required: bool,
    /// Where the project's supplement observed it (`x-pi-source`), when
    /// the published document does not describe it.
    pub(crate) source: Option<String>,
}

impl Operation {
    /// The official client (and version) the project's supplement observed
    /// this operation in (its `x-pi-source`, such as
    /// `"prime-sandboxes 0.5.1"`); `None` for an operation of the published
    /// document.
    #[must_use]
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The operation id (`list_secrets_api_v1_secrets__get`).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The HTTP method, upper case (`GET`).
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path template (`/api/v1/secrets/{secret_id}`).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The operation's tags, in document order.
    #[must_use]
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Its parameters (path-level ones merged in), in document order.
    #[must_use]
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The parameter called `name` at `location`, if documented.
    #[must_use]
    pub fn parameter(&self, location: ParameterLocation, name: &str) -> Option<&Parameter> {
        self.parameters
            .iter()
            .find(|p| p.location == location && p.name == name)
    }

    /// The families of query parameters the operation names by a prefix
    /// (the supplement's `x-pi-query-prefixes`), each as a parameter whose
    /// name is the prefix (`context.` for `context.<key>`) and whose schema
    /// every such parameter's value holds to.
    #[must_use]
    pub fn query_prefixes(&self) -> &[Parameter] {
        &self.query_prefixes
    }

    /// The documented family of query parameters `name` belongs to: the
    /// one whose prefix starts it, with a key after it.
    #[must_use]
    pub fn query_prefix_of(&self, name: &str) -> Option<&Parameter> {
        self.query_prefixes.iter().find(|family| {
            name.strip_prefix(family.name.as_str())
                .is_some_and(|key| !key.is_empty())
        })
    }

    /// The request body, if the operation documents one.
    #[must_use]
    pub fn request_body(&self) -> Option<&RequestBody> {
        self.request_body.as_ref()
    }

    /// The documented responses, by ascending status.
    #[must_use]
    pub fn responses(&self) -> &[Response] {
        &self.responses
    }

    /// The documented response for `status`, if any.
    #[must_use]
    pub fn response(&self, status: u16) -> Option<&Response> {
        self.responses.iter().find(|r| r.status == status)
    }

    /// The first documented 2xx response: what a successful call returns.
    #[must_use]
    pub fn success_response(&self) -> Option<&Response> {
        self.responses
            .iter()
            .find(|r| (200..300).contains(&r.status))
    }

    /// Whether the operation requires `Authorization: Bearer <token>`.
    #[must_use]
    pub fn requires_bearer(&self) -> bool {
        self.bearer_required
    }

    /// Whether a request path, cut into decoded segments, fits this
    /// operation's template; returns how concrete each segment is, used to
    /// rank matches.
    pub(crate) fn match_path(&self, segments: &[String]) -> Option<Vec<Concreteness>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut rank = Vec::with_capacity(segments.len());
        for (segment, given) in self.segments.iter().zip(segments) {
            match segment {
                Segment::Literal(literal) => {
                    if given != literal {
                        return None;
                    }
                    rank.push(Concreteness::Literal);
                }
                Segment::Param(_) => {
                    if given.is_empty() {
                        return None;
                    }
                    rank.push(Concreteness::Param);
                }
                Segment::Embedded(embedded) => {
                    embedded.value(given)?;
                    rank.push(Concreteness::Embedded);
                }
            }
        }
        Some(rank)
    }

    /// The path parameters' decoded values for a path that matched.
    pub(crate) fn path_values<'a>(&'a self, raw_segments: &[&str]) -> Vec<(&'a str, String)> {
        self.segments
            .iter()
            .zip(raw_segments)
            .filter_map(|(segment, raw)| match segment {
                Segment::Param(name) => Some((name.as_str(), decode(raw))),
                Segment::Embedded(embedded) => {
                    let decoded = decode(raw);
                    let value = embedded.value(&decoded)?.to_owned();
                    Some((embedded.name.as_str(), value))
                }
                Segment::Literal(_) => None,
            })
            .collect()
    }
}

/// Percent-decodes one path segment (lossily, for non-UTF-8 bytes).
pub(crate) fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// The result of looking a request's method and path up in the spec.
#[derive(Debug)]
pub(crate) enum Lookup<'a> {
    /// An operation matched.
    Found(&'a Operation),
    /// The path fits templates, but none of them documents this method.
    MethodNotAllowed { allowed: Vec<&'a str> },
    /// No template fits the path.
    NotFound,
}

/// A loaded OpenAPI document of the PI API, ready to validate requests and
/// responses and to synthesize responses.
///
/// Loading normalizes the document, resolves references and compiles one
/// validator per parameter, request body and response body; nothing is
/// compiled again afterwards. A `Spec` is `Send + Sync`: share it with
/// `Arc<Spec>`.
///
/// ```
/// use pi_contract::Spec;
/// use serde_json::json;
///
/// let spec = Spec::from_value(json!({
///     "openapi": "3.1.0",
///     "info": {"title": "demo", "version": "1"},
///     "paths": {"/api/v1/things/{thing_id}": {"get": {
///         "operationId": "get_thing",
///         "parameters": [{"name": "thing_id", "in": "path", "required": true,
///                         "schema": {"type": "string"}}],
///         "responses": {"200": {"description": "ok", "content": {"application/json":
///             {"schema": {"type": "object", "required": ["id"],
///                         "properties": {"id": {"type": "string"}}}}}}}
///     }}}
/// }))?;
///
/// let operation = spec.find_operation("GET", "/api/v1/things/a%2Fb").expect("matches");
/// assert_eq!(operation.id(), "get_thing");
/// assert!(spec.validate_response("get_thing", 200, &json!({"id": "x"})).is_empty());
/// assert_eq!(spec.validate_response("get_thing", 200, &json!({}))[0].rule, "required");
/// # Ok::<(), pi_contract::SpecError>(())
/// ```
pub struct Spec {
    document: Value,
    operations: Vec<Operation>,
    by_id: HashMap<String, usize>,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec")
            .field("operations", &self.operations.len())
            .finish_non_exhaustive()
    }
}

/// The vendored PI API contract, embedded in the crate: a byte-identical
/// copy of the repository's `spec/openapi.json`, written by
/// `cargo xtask spec update` and `cargo xtask codegen`.
pub const VENDORED_DOCUMENT: &str = include_str!("../spec/openapi.json");

/// The embedded contract, parsed and compiled on first use.
static VENDORED: LazyLock<Result<Arc<Spec>, String>> = LazyLock::new(|| {
    Spec::from_slice(VENDORED_DOCUMENT.as_bytes())
        .map(Arc::new)
        .map_err(|error| error.to_string())
});

/// The published document with the project's supplement laid over it,
/// parsed and compiled on first use.
static CONTRACT: LazyLock<Result<Arc<Spec>, String>> = LazyLock::new(|| {
    let published = crate::document::parse_document(VENDORED_DOCUMENT.as_bytes())
        .map_err(|error| error.to_string())?;
    let merged = crate::supplement::with_embedded_supplement(&published)
        .map_err(|error| error.to_string())?;
    Spec::from_value(merged.document)
        .map(Arc::new)
        .map_err(|error| error.to_string())
});

impl Spec {
    /// The whole contract this crate was released with: the PI API's
    /// published document ([`Spec::vendored`]) with the project's
    /// supplement laid over it ([`crate::supplement`]): the operations the
    /// official clients call that the document lacks, and its places that
    /// are out of date. Each added operation and amended place carries its
    /// provenance as `x-pi-source`.
    ///
    /// Parsed and compiled once per process.
    ///
    /// # Panics
    /// Only if the embedded documents do not load or merge, which the
    /// crate's own tests rule out before a release.
    #[must_use]
    #[allow(clippy::panic)]
    pub fn contract() -> Arc<Spec> {
        match &*CONTRACT {
            Ok(spec) => Arc::clone(spec),
            Err(error) => panic!("the contract embedded in pi-contract does not load: {error}"),
        }
    }

    /// The PI API's published document as this crate was released with,
    /// without the project's supplement (see [`Spec::contract`]), embedded
    /// in the crate, so it works from the registry without a copy of the
    /// repository.
    ///
    /// It is parsed and its schemas compiled once per process; every call
    /// returns the same shared [`Spec`].
    ///
    /// # Panics
    /// Only if the embedded document does not load, which the crate's own
    /// tests rule out before a release.
    #[must_use]
    #[allow(clippy::panic)]
    pub fn vendored() -> Arc<Spec> {
        match &*VENDORED {
            Ok(spec) => Arc::clone(spec),
            Err(error) => panic!("the contract embedded in pi-contract does not load: {error}"),
        }
    }

    /// Loads the OpenAPI document at `path` (JSON or YAML, raw or normalized).
    ///
    /// # Errors
    /// [`SpecError`] if the file cannot be read, is not an OpenAPI 3.x
    /// document, or holds an operation or schema that cannot be loaded.
    pub fn from_path(path: &Path) -> Result<Spec, SpecError> {
        Spec::from_value(crate::document::read_document(path)?)
    }

    /// Loads an OpenAPI document from its bytes (JSON or YAML).
    ///
    /// # Errors
    /// As [`Spec::from_path`], without the read step.
    pub fn from_slice(bytes: &[u8]) -> Result<Spec, SpecError> {
        Spec::from_value(crate::document::parse_document(bytes)?)
    }

    /// Loads an OpenAPI document that is already parsed.
    ///
    /// # Errors
    /// [`SpecError`] if it is not an OpenAPI 3.x document or holds an
    /// operation or schema that cannot be loaded.
    pub fn from_value(document: Value) -> Result<Spec, SpecError> {
        let version = document
            .get("openapi")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !openapi::is_supported_version(version) {
            return Err(SpecError::Document(
                crate::document::DocumentError::NotOpenApi {
                    file: "<value>".to_owned(),
                    problem: format!("the `openapi` field is {version:?}, expected 3.x"),
                },
            ));
        }
        let document = crate::normalize::normalize(&document)?;
        let components = document
            .get("components")
            .cloned()
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        let compiler = Compiler::new(&components);
        let mut operations = Vec::new();
        if let Some(paths) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let item = openapi::deref(&document, item);
                for method in METHODS {
                    if let Some(raw) = item.get(method) {
                        operations.push(load_operation(
                            &document, &compiler, path, method, item, raw,
                        )?);
                    }
                }
            }
        }
        let mut by_id = HashMap::new();
        for (index, operation) in operations.iter().enumerate() {
            if by_id.insert(operation.id.clone(), index).is_some() {
                return Err(SpecError::DuplicateOperationId(operation.id.clone()));
            }
        }
        Ok(Spec {
            document,
            operations,
            by_id,
        })
    }

    /// The normalized document the spec was loaded from.
    #[must_use]
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Every operation, in document order (paths, then methods).
    pub fn operations(&self) -> impl ExactSizeIterator<Item = &Operation> + '_ {
        self.operations.iter()
    }

    /// The operation with id `id`, if there is one.
    #[must_use]
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).map(|&index| &self.operations[index])
    }

    /// The operation a request with `method` (any case) and `path` (the raw,
    /// percent-encoded path; a query, if any, is ignored) would reach.
    ///
    /// Literal segments win over templated ones, so `/pods/history` reaches
    /// `/pods/history` before `/pods/{pod_id}`; an encoded slash (`a%2Fb`)
    /// stays inside its segment.
    #[must_use]
    pub fn find_operation(&self, method: &str, path: &str) -> Option<&Operation> {
        match self.lookup(method, path) {
            Lookup::Found(operation) => Some(operation),
            Lookup::MethodNotAllowed { .. } | Lookup::NotFound => None,
        }
    }

    pub(crate) fn lookup(&self, method: &str, path: &str) -> Lookup<'_> {
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        let segments: Vec<String> = split_path(path).into_iter().map(decode).collect();
        // OpenAPI matches the path first, concrete before templated, and only
        // then the method: `DELETE /pods/history` meets the methods of
        // `/pods/history` (a 405), never `DELETE /pods/{pod_id}`. So the
        // most literal template that fits wins for routing and for `Allow`.
        let mut best: Option<Vec<Concreteness>> = None;
        let mut candidates: Vec<&Operation> = Vec::new();
        for operation in &self.operations {
            let Some(rank) = operation.match_path(&segments) else {
                continue;
            };
            match best.as_ref().map(|current| rank.cmp(current)) {
                Some(std::cmp::Ordering::Less) => {}
                Some(std::cmp::Ordering::Equal) => candidates.push(operation),
                Some(std::cmp::Ordering::Greater) | None => {
                    best = Some(rank);
                    candidates = vec![operation];
                }
            }
        }
        if let Some(found) = candidates
            .iter()
            .find(|operation| operation.method.eq_ignore_ascii_case(method))
        {
            return Lookup::Found(found);
        }
        if candidates.is_empty() {
            return Lookup::NotFound;
        }
        let mut allowed: Vec<&str> = candidates.iter().map(|op| op.method.as_str()).collect();
        allowed.sort_unstable();
        allowed.dedup();
        Lookup::MethodNotAllowed { allowed }
    }

    /// Follows `$ref`s from `schema` until it reaches a schema that is not a
    /// reference (or one that resolves nowhere, returned as is).
    #[must_use]
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        openapi::deref(&self.document, schema)
    }

    /// Checks a response body against the schema documented for
    /// `operation_id` and `status`; one violation per schema error, located
    /// `body` plus the JSON pointer.
    ///
    /// An unknown operation, an undocumented status, or a body for a status
    /// that documents none are violations too.
    #[must_use]
    pub fn validate_response(
        &self,
        operation_id: &str,
        status: u16,
        body: &Value,
    ) -> Vec<Violation> {
        let Some(operation) = self.operation(operation_id) else {
            return vec![Violation::new(
                Some(operation_id),
                "operation",
                Rule::UNKNOWN_OPERATION,
                format!("the spec has no operation {operation_id}"),
            )];
        };
        let Some(response) = operation.response(status) else {
            let documented: Vec<String> = operation
                .responses
                .iter()
                .map(|r| r.status.to_string())
                .collect();
            return vec![Violation::new(
                Some(operation_id),
                "status",
                Rule::UNDOCUMENTED_STATUS,
                format!(
                    "status {status} is not documented (documented: {})",
                    documented.join(", ")
                ),
            )];
        };
        match &response.validator {
            Some(validator) => body_violations(operation_id, validator, body),
            None => Vec::new(),
        }
    }
}

/// One violation per schema error of a request body, located
/// `body<pointer>`, where a missing required property and an unexpected one
/// are located at the property itself (`body/name`, not `body`), one
/// violation each: the place the API's 422 names, and the field a caller
/// has to add or remove.
pub(crate) fn request_body_violations(
    operation_id: &str,
    validator: &CompiledSchema,
    body: &Value,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    for error in validator.errors(body) {
        let rule = Rule::from_keyword(&error.keyword);
        if error.properties.is_empty() {
            violations.push(Violation::new(
                Some(operation_id),
                format!("body{}", error.pointer),
                rule,
                error.message,
            ));
            continue;
        }
        for property in &error.properties {
            violations.push(Violation::new(
                Some(operation_id),
                format!("body{}/{}", error.pointer, escape_pointer(property)),
                rule.clone(),
                error.message.clone(),
            ));
        }
    }
    violations
}

/// One violation per schema error of `body`, located `body<pointer>` (a
/// missing required property at the object that lacks it).
pub(crate) fn body_violations(
    operation_id: &str,
    validator: &CompiledSchema,
    body: &Value,
) -> Vec<Violation> {
    validator
        .errors(body)
        .into_iter()
        .map(|error| {
            Violation::new(
                Some(operation_id),
                format!("body{}", error.pointer),
                Rule::from_keyword(&error.keyword),
                error.message,
            )
        })
        .collect()
}

/// Splits a raw request path into its raw segments (`/a/b/` gives `a`, `b`, ``).
pub(crate) fn split_path(path: &str) -> Vec<&str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    path.split('/').collect()
}

fn load_operation(
    document: &Value,
    compiler: &Compiler<'_>,
    path: &str,
    method: &str,
    item: &Value,
    raw: &Value,
) -> Result<Operation, SpecError> {
    let method_upper = method.to_ascii_uppercase();
    let fail = |message: String| SpecError::Operation {
        method: method_upper.clone(),
        path: path.to_owned(),
        message,
    };
    let raw = openapi::deref(document, raw);
    let id = raw
        .get("operationId")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{method} {path}"), str::to_owned);
    let segments = parse_template(path).map_err(&fail)?;
    let tags = raw
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();

    // Path-level parameters first, overridden by operation-level ones.
    let mut raw_parameters: Vec<&Value> = Vec::new();
    for list in [item.get("parameters"), raw.get("parameters")]
        .into_iter()
        .flatten()
    {
        for parameter in list.as_array().into_iter().flatten() {
            let parameter = openapi::deref(document, parameter);
            let key = (parameter.get("name"), parameter.get("in"));
            raw_parameters.retain(|p| (p.get("name"), p.get("in")) != key);
            raw_parameters.push(parameter);
        }
    }
    let mut parameters = Vec::new();
    for parameter in raw_parameters {
        parameters.push(load_parameter(document, compiler, &id, parameter).map_err(&fail)?);
    }
    for segment in &segments {
        let name = match segment {
            Segment::Param(name) | Segment::Embedded(Embedded { name, .. }) => name,
            Segment::Literal(_) => continue,
        };
        if !parameters
            .iter()
            .any(|p| p.location == ParameterLocation::Path && p.name == *name)
        {
            return Err(fail(format!("path parameter {{{name}}} is not documented")));
        }
    }

    let mut query_prefixes = Vec::new();
    let families = raw
        .get(crate::supplement::QUERY_PREFIXES)
        .and_then(Value::as_object);
    for (prefix, schema) in families.into_iter().flatten() {
        if prefix.is_empty() {
            return Err(fail("a query prefix is empty".to_owned()));
        }
        let family = serde_json::json!({"name": prefix, "in": "query", "schema": schema});
        query_prefixes.push(load_parameter(document, compiler, &id, &family).map_err(&fail)?);
    }

    let request_body = match raw.get("requestBody") {
        None => None,
        Some(body) => Some(load_request_body(document, compiler, &id, body)?),
    };

    let mut responses = Vec::new();
    if let Some(map) = raw.get("responses").and_then(Value::as_object) {
        for (status, response) in map {
            let Ok(code) = status.parse::<u16>() else {
                return Err(fail(format!(
                    "response status {status} is not a status code (ranges and `default` are not supported)"
                )));
            };
            responses.push(load_response(document, compiler, &id, code, response)?);
        }
    }
    responses.sort_by_key(|r| r.status);

    let security = raw.get("security").or_else(|| document.get("security"));
    let bearer_required = requires_bearer(document, security);

    let source = raw
        .get(crate::supplement::SOURCE)
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(Operation {
        id,
        method: method_upper,
        path: path.to_owned(),
        segments,
        tags,
        parameters,
        query_prefixes,
        request_body,
        responses,
        bearer_required,
        source,
    })
}

fn parse_template(path: &str) -> Result<Vec<Segment>, String> {
    if !path.starts_with('/') {
        return Err("the path template does not start with '/'".to_owned());
    }
    split_path(path).into_iter().map(parse_segment).collect()
}

/// One template segment: fixed text, a parameter (`{id}`), or one parameter
/// with fixed text around it (`@{version}`). Two parameters in one segment
/// cannot be told apart on the wire, so they are refused.
fn parse_segment(segment: &str) -> Result<Segment, String> {
    let Some(open) = segment.find('{') else {
        if segment.contains('}') {
            return Err(format!("malformed template segment {segment}"));
        }
        return Ok(Segment::Literal(segment.to_owned()));
    };
    let (prefix, rest) = segment.split_at(open);
    let Some((name, suffix)) = rest[1..].split_once('}') else {
        return Err(format!("malformed template segment {segment}"));
    };
    if name.is_empty() || name.contains('{') || prefix.contains('}') {
        return Err(format!("malformed template segment {segment}"));
    }
    if suffix.contains(['{', '}']) {
        return Err(format!(
            "template segment {segment} holds more than one parameter, which cannot be told apart"
        ));
    }
    if prefix.is_empty() && suffix.is_empty() {
        return Ok(Segment::Param(name.to_owned()));
    }
    Ok(Segment::Embedded(Embedded {
        prefix: prefix.to_owned(),
        name: name.to_owned(),
        suffix: suffix.to_owned(),
    }))
}

fn load_parameter(
    document: &Value,
    compiler: &Compiler<'_>,
    operation_id: &str,
    raw: &Value,
) -> Result<Parameter, String> {
    let name = raw
        .get("name")
        .and_then(Value::as_str)
        .ok_or("a parameter has no name")?
        .to_owned();
    let location = match raw.get("in").and_then(Value::as_str) {
        Some("path") => ParameterLocation::Path,
        Some("query") => ParameterLocation::Query,
        Some("header") => ParameterLocation::Header,
        Some("cookie") => ParameterLocation::Cookie,
        other => {
            return Err(format!(
                "parameter {name} has an unknown location {other:?}"
            ));
        }
    };
    let required = location == ParameterLocation::Path
        || raw
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
    let schema = raw
        .get("schema")
        .cloned()
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    // OpenAPI 3.1: explode defaults to true for the form style only, so a
    // path or header array is one comma-separated value.
    let explode = openapi::parameter_style(raw).explode;
    let kind = value_kind(document, &schema, 0);
    let validator = compiler.compile(&schema).map_err(|message| {
        format!("{operation_id}: schema of {location} parameter {name} does not compile: {message}")
    })?;
    Ok(Parameter {
        name,
        location,
        required,
        schema,
        explode,
        kind,
        validator,
    })
}

/// How to read a parameter's text, from its (resolved) schema.
fn value_kind(document: &Value, schema: &Value, depth: usize) -> ValueKind {
    let schema = openapi::deref(document, schema);
    if depth > 16 {
        return ValueKind::String;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let mut kinds: Vec<ValueKind> = branches
                .iter()
                .filter(|branch| !is_null_schema(document, branch))
                .map(|branch| value_kind(document, branch, depth + 1))
                .collect();
            kinds.dedup();
            return match kinds.len() {
                0 => ValueKind::String,
                1 => kinds.remove(0),
                _ => ValueKind::OneOf(kinds),
            };
        }
    }
    if let Some(branches) = schema.get("allOf").and_then(Value::as_array) {
        if let Some(first) = branches.first() {
            return value_kind(document, first, depth + 1);
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let kinds: Vec<ValueKind> = types
        .into_iter()
        .filter(|t| *t != "null")
        .map(|t| match t {
            "integer" => ValueKind::Integer,
            "number" => ValueKind::Number,
            "boolean" => ValueKind::Boolean,
            "array" => ValueKind::Array(Box::new(
                schema.get("items").map_or(ValueKind::String, |items| {
                    value_kind(document, items, depth + 1)
                }),
            )),
            _ => ValueKind::String,
        })
        .collect();
    match kinds.len() {
        0 => ValueKind::String,
        1 => kinds.into_iter().next().unwrap_or(ValueKind::String),
        _ => ValueKind::OneOf(kinds),
    }
}

/// Picks the JSON media type of a content map: `application/json` first,
/// then any `*/*+json`, then the first listed.
fn pick_content(content: &serde_json::Map<String, Value>) -> Option<(&String, &Value)> {
    content
        .iter()
        .find(|(ct, _)| ct.as_str() == "application/json")
        .or_else(|| content.iter().find(|(ct, _)| ct.ends_with("+json")))
        .or_else(|| content.iter().next())
}

fn is_json_media(content_type: &str) -> bool {
    content_type == "application/json" || content_type.ends_with("+json")
}

fn load_request_body(
    document: &Value,
    compiler: &Compiler<'_>,
    operation_id: &str,
    raw: &Value,
) -> Result<RequestBody, SpecError> {
    let raw = openapi::deref(document, raw);
    let required = raw
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let content = raw.get("content").and_then(Value::as_object);
    let (content_type, media) = match content.and_then(pick_content) {
        Some((ct, media)) => (ct.clone(), Some(media)),
        None => ("application/json".to_owned(), None),
    };
    let schema = media
        .and_then(|m| m.get("schema"))
        .cloned()
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    let validator = if is_json_media(&content_type) {
        Some(
            compiler
                .compile(&schema)
                .map_err(|message| SpecError::Schema {
                    location: format!("{operation_id}: request body"),
                    message,
                })?,
        )
    } else {
        None
    };
    let form = if content_type.eq_ignore_ascii_case("multipart/form-data") {
        let encoding = media.and_then(|m| m.get("encoding"));
        Some(
            crate::multipart::form_rules(document, compiler, &schema, encoding).map_err(
                |message| SpecError::Schema {
                    location: format!("{operation_id}: request body"),
                    message,
                },
            )?,
        )
    } else {
        None
    };
    Ok(RequestBody {
        required,
        content_type,
        schema,
        validator,
        form,
    })
}

fn load_response(
    document: &Value,
    compiler: &Compiler<'_>,
    operation_id: &str,
    status: u16,
    raw: &Value,
) -> Result<Response, SpecError> {
    let raw = openapi::deref(document, raw);
    let content = raw.get("content").and_then(Value::as_object);
    let Some((content_type, media)) = content.and_then(pick_content) else {
        return Ok(Response {
            status,
            content_type: None,
            schema: None,
            validator: None,
        });
    };
    if !is_json_media(content_type) {
        return Ok(Response {
            status,
            content_type: Some(content_type.clone()),
            schema: media.get("schema").cloned(),
            validator: None,
        });
    }
    let schema = media
        .get("schema")
        .cloned()
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    let validator = compiler
        .compile(&schema)
        .map_err(|message| SpecError::Schema {
            location: format!("{operation_id}: response {status}"),
            message,
        })?;
    Ok(Response {
        status,
        content_type: Some(content_type.clone()),
        schema: Some(schema),
        validator: Some(validator),
    })
}

/// Whether every alternative of a security requirement list needs an HTTP
/// bearer scheme (an empty alternative `{}` makes auth optional).
fn requires_bearer(document: &Value, security: Option<&Value>) -> bool {
    let Some(alternatives) = security.and_then(Value::as_array) else {
        return false;
    };
    if alternatives.is_empty() {
        return false;
    }
    alternatives.iter().all(|alternative| {
        alternative.as_object().is_some_and(|schemes| {
            schemes.keys().any(|name| {
                let scheme = document
                    .pointer(&format!("/components/securitySchemes/{name}"))
                    .map(|s| openapi::deref(document, s));
                scheme.is_some_and(|s| {
                    s.get("type").and_then(Value::as_str) == Some("http")
                        && s.get("scheme")
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.eq_ignore_ascii_case("bearer"))
                })
            })
        })
    })
}
