//! Checking a request against the contract: operation, parameters, bearer
//! auth and body.

use std::fmt::Write as _;

use serde_json::Value;

use crate::openapi::{deref, escape_pointer};
use crate::spec::{
    Lookup, Operation, Parameter, ParameterLocation, Spec, ValueKind, request_body_violations,
    split_path,
};
use crate::violation::{Rule, Violation};

/// An HTTP request as the contract sees it: owned, independent of any HTTP
/// library.
///
/// Build one by hand for [`Spec::validate_request`], or convert a
/// `wiremock::Request`:
///
/// ```
/// use pi_contract::HttpRequest;
///
/// let request = HttpRequest::new("get", "/api/v1/secrets/?teamId=t1&limit=5")
///     .bearer("token")
///     .header("X-Trace", "abc");
/// assert_eq!(request.method, "GET");
/// assert_eq!(request.path, "/api/v1/secrets/");
/// assert_eq!(request.query, vec![("teamId".to_owned(), "t1".to_owned()), ("limit".to_owned(), "5".to_owned())]);
/// assert_eq!(request.header_value("x-trace"), Some("abc"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method, upper case.
    pub method: String,
    /// The raw path, still percent-encoded, without the query.
    pub path: String,
    /// The query's `name=value` pairs, decoded, in the order sent.
    pub query: Vec<(String, String)>,
    /// The headers, names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body's bytes (empty when there is none).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                if name == "authorization" {
                    (name.as_str(), "<redacted>")
                } else {
                    (name.as_str(), value.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl HttpRequest {
    /// A request with `method` for `target`, a path with an optional query
    /// (`/api/v1/pods/?limit=5`), already percent-encoded as on the wire.
    #[must_use]
    pub fn new(method: &str, target: &str) -> HttpRequest {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        HttpRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: query.map(parse_query).unwrap_or_default(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (the name is stored in lower case).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Adds `Authorization: Bearer <token>`.
    #[must_use]
    pub fn bearer(self, token: &str) -> HttpRequest {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Sets the body's raw bytes (no `Content-Type` is added).
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> HttpRequest {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    #[must_use]
    pub fn json(self, body: &Value) -> HttpRequest {
        self.header("content-type", "application/json")
            .body(body.to_string())
    }

    /// The first value of header `name` (any case), if present.
    #[must_use]
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Decodes an `application/x-www-form-urlencoded` query into ordered pairs.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// An HTTP header map as the lower-case name and text value pairs
/// [`HttpRequest::headers`] holds.
pub(crate) fn header_pairs(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

impl From<&wiremock::Request> for HttpRequest {
    fn from(request: &wiremock::Request) -> HttpRequest {
        let headers = header_pairs(&request.headers);
        HttpRequest {
            method: request.method.as_str().to_ascii_uppercase(),
            path: request.url.path().to_owned(),
            query: request.url.query().map(parse_query).unwrap_or_default(),
            headers,
            body: request.body.clone(),
        }
    }
}

/// What checking a request found: the operation it reached, if any, and
/// every violation.
#[derive(Debug)]
pub(crate) struct RequestCheck<'a> {
    pub(crate) operation: Option<&'a Operation>,
    pub(crate) outcome: Outcome,
    pub(crate) violations: Vec<Violation>,
    /// For [`Outcome::MethodNotAllowed`]: the methods documented for the
    /// path, upper case and sorted (what an `Allow` header lists).
    pub(crate) allowed_methods: Vec<&'a str>,
}

/// How the real API would answer a request, judging by its violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The request keeps the contract.
    Valid,
    /// No documented path fits (404).
    NotFound,
    /// The path fits but not the method (405).
    MethodNotAllowed,
    /// Bearer authentication is missing (401).
    Unauthorized,
    /// Parameters or body are invalid (422).
    Invalid,
}

impl Spec {
    /// Checks `request` against the contract and returns every violation
    /// (none when the request keeps it).
    ///
    /// ```
    /// use pi_contract::{HttpRequest, Spec};
    /// use serde_json::json;
    ///
    /// let spec = Spec::from_value(json!({
    ///     "openapi": "3.1.0",
    ///     "info": {"title": "demo", "version": "1"},
    ///     "paths": {"/api/v1/things/": {"get": {
    ///         "operationId": "list_things",
    ///         "parameters": [{"name": "limit", "in": "query", "required": false,
    ///                         "schema": {"type": "integer", "maximum": 100}}],
    ///         "responses": {"200": {"description": "ok"}}
    ///     }}}
    /// }))?;
    ///
    /// let fine = HttpRequest::new("GET", "/api/v1/things/?limit=5");
    /// assert!(spec.validate_request(&fine).is_empty());
    ///
    /// let broken = HttpRequest::new("GET", "/api/v1/things/?limit=500&sort=asc");
    /// let rules: Vec<String> = spec
    ///     .validate_request(&broken)
    ///     .iter()
    ///     .map(|v| format!("{} {}", v.location, v.rule))
    ///     .collect();
    /// assert_eq!(rules, ["query.limit maximum", "query.sort unknown-parameter"]);
    /// # Ok::<(), pi_contract::SpecError>(())
    /// ```
    #[must_use]
    pub fn validate_request(&self, request: &HttpRequest) -> Vec<Violation> {
        self.check_request(request).violations
    }

    pub(crate) fn check_request(&self, request: &HttpRequest) -> RequestCheck<'_> {
        let operation = match self.lookup(&request.method, &request.path) {
            Lookup::Found(operation) => operation,
            Lookup::NotFound => {
                let mut message = format!(
                    "no operation documents the path {} (method {})",
                    request.path, request.method
                );
                if let Some(hint) = self.slash_hint(&request.method, &request.path) {
                    let _ = write!(message, "; did you mean {hint}?");
                }
                return RequestCheck {
                    operation: None,
                    outcome: Outcome::NotFound,
                    allowed_methods: Vec::new(),
                    violations: vec![Violation::new(
                        None,
                        "path",
                        Rule::UNKNOWN_OPERATION,
                        message,
                    )],
                };
            }
            Lookup::MethodNotAllowed { allowed } => {
                return RequestCheck {
                    operation: None,
                    outcome: Outcome::MethodNotAllowed,
                    violations: vec![Violation::new(
                        None,
                        "method",
                        Rule::UNKNOWN_OPERATION,
                        format!(
                            "{} is not documented for {} (documented: {})",
                            request.method,
                            request.path,
                            allowed.join(", ")
                        ),
                    )],
                    allowed_methods: allowed,
                };
            }
        };
        let id = operation.id();
        let mut violations = Vec::new();
        let mut unauthorized = false;

        if operation.requires_bearer() {
            if let Some(problem) = bearer_problem(request) {
                unauthorized = true;
                violations.push(Violation::new(
                    Some(id),
                    "header.authorization",
                    Rule::MISSING_AUTH,
                    problem,
                ));
            }
        }

        let raw_segments = split_path(&request.path);
        for (name, value) in operation.path_values(&raw_segments) {
            if let Some(parameter) = operation.parameter(ParameterLocation::Path, name) {
                check_scalar(id, parameter, &[value.as_str()], &mut violations);
            }
        }

        check_query(id, operation, request, &mut violations);
        check_headers(id, operation, request, &mut violations);
        check_body(self.document(), id, operation, request, &mut violations);

        let refused = violations.iter().any(|v| refuses(&v.rule));
        let outcome = if unauthorized {
            Outcome::Unauthorized
        } else if refused {
            Outcome::Invalid
        } else {
            Outcome::Valid
        };
        RequestCheck {
            operation: Some(operation),
            outcome,
            violations,
            allowed_methods: Vec::new(),
        }
    }

    /// The documented spelling of a path the document has only with (or
    /// only without) a trailing slash, when `path` is the other one: where
    /// the API answers `307` (FastAPI's `redirect_slashes`). Like FastAPI,
    /// any method redirects once the other spelling is a documented path.
    pub(crate) fn slash_redirect(&self, path: &str) -> Option<String> {
        if !matches!(self.lookup("GET", path), Lookup::NotFound) {
            return None;
        }
        let other = match path.strip_suffix('/') {
            Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
            Some(_) => return None,
            None => format!("{path}/"),
        };
        match self.lookup("GET", &other) {
            Lookup::NotFound => None,
            Lookup::Found(_) | Lookup::MethodNotAllowed { .. } => Some(other),
        }
    }

    /// The same path with or without its trailing slash, if that one exists.
    fn slash_hint(&self, method: &str, path: &str) -> Option<String> {
        let other = match path.strip_suffix('/') {
            Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
            Some(_) => return None,
            None => format!("{path}/"),
        };
        self.find_operation(method, &other)
            .map(|operation| format!("{} {} ({})", operation.method(), other, operation.id()))
    }
}

/// Whether the API refuses a request that breaks `rule`. It ignores what it
/// does not read (unknown parameters and body properties, extra values, a
/// body it does not expect): those are recorded, not refused.
pub(crate) fn refuses(rule: &Rule) -> bool {
    *rule != Rule::UNKNOWN_PARAMETER
        && *rule != Rule::UNKNOWN_PROPERTY
        && *rule != Rule::REPEATED_PARAMETER
        && *rule != Rule::UNEXPECTED_BODY
}

/// What is wrong with the request's bearer authentication, if anything. The
/// token's value never appears in the answer.
fn bearer_problem(request: &HttpRequest) -> Option<String> {
    let Some(value) = request.header_value("authorization") else {
        return Some(
            "the operation requires `Authorization: Bearer <token>` and the request has no Authorization header"
                .to_owned(),
        );
    };
    let mut parts = value.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    let token = parts.next().unwrap_or_default().trim();
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Some(
            "the Authorization header does not use the Bearer scheme (expected `Bearer <token>`)"
                .to_owned(),
        );
    }
    if token.is_empty() {
        return Some("the Authorization header has the Bearer scheme but no token".to_owned());
    }
    None
}

fn location_of(parameter: &Parameter) -> String {
    match parameter.location {
        ParameterLocation::Header => format!("header.{}", parameter.name.to_ascii_lowercase()),
        other => format!("{}.{}", other.as_str(), parameter.name),
    }
}

fn check_query(
    id: &str,
    operation: &Operation,
    request: &HttpRequest,
    violations: &mut Vec<Violation>,
) {
    let mut reported_unknown: Vec<&str> = Vec::new();
    let mut prefixed: Vec<(&str, &Parameter)> = Vec::new();
    for (name, _) in &request.query {
        if operation
            .parameter(ParameterLocation::Query, name)
            .is_some()
            || reported_unknown.contains(&name.as_str())
            || prefixed.iter().any(|(seen, _)| seen == name)
        {
            continue;
        }
        match operation.query_prefix_of(name) {
            Some(family) => prefixed.push((name, family)),
            None => reported_unknown.push(name),
        }
    }
    for (name, family) in prefixed {
        let values: Vec<&str> = request
            .query
            .iter()
            .filter(|(sent, _)| sent == name)
            .map(|(_, value)| value.as_str())
            .collect();
        let first = violations.len();
        check_values(id, family, &values, violations);
        // The family's checks name its prefix; the sent name is the place.
        for violation in &mut violations[first..] {
            violation.location = format!("query.{name}");
        }
    }
    for parameter in operation
        .parameters()
        .iter()
        .filter(|p| p.location == ParameterLocation::Query)
    {
        let values: Vec<&str> = request
            .query
            .iter()
            .filter(|(name, _)| *name == parameter.name)
            .map(|(_, value)| value.as_str())
            .collect();
        check_values(id, parameter, &values, violations);
    }
    for name in reported_unknown {
        violations.push(Violation::new(
            Some(id),
            format!("query.{name}"),
            Rule::UNKNOWN_PARAMETER,
            format!("the operation documents no query parameter {name}"),
        ));
    }
}

/// Headers the contract leaves to HTTP itself, even when documented as
/// parameters (as OpenAPI says).
const IGNORED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

fn check_headers(
    id: &str,
    operation: &Operation,
    request: &HttpRequest,
    violations: &mut Vec<Violation>,
) {
    for parameter in operation
        .parameters()
        .iter()
        .filter(|p| p.location == ParameterLocation::Header)
    {
        if IGNORED_HEADERS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&parameter.name))
        {
            continue;
        }
        let values: Vec<&str> = request
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(&parameter.name))
            .map(|(_, value)| value.as_str())
            .collect();
        check_values(id, parameter, &values, violations);
    }
}

/// Checks the values a request gives one parameter (none, one, or several).
fn check_values(id: &str, parameter: &Parameter, values: &[&str], violations: &mut Vec<Violation>) {
    if values.is_empty() {
        if parameter.required {
            violations.push(Violation::new(
                Some(id),
                location_of(parameter),
                Rule::REQUIRED,
                format!(
                    "the required {} parameter {} is missing",
                    parameter.location, parameter.name
                ),
            ));
        }
        return;
    }
    if let ValueKind::Array(item_kind) = &parameter.kind {
        let items = items_text(parameter, values);
        let mut array = Vec::with_capacity(items.len());
        for item in items {
            match parse_value(item_kind, item) {
                Ok(value) => array.push(value),
                Err(expected) => {
                    violations.push(type_violation(id, parameter, item, &expected));
                    return;
                }
            }
        }
        let texts: Vec<&str> = items_text(parameter, values);
        validate_parsed(id, parameter, &Value::Array(array), &texts, violations);
        return;
    }
    if values.len() > 1 {
        violations.push(Violation::new(
            Some(id),
            location_of(parameter),
            Rule::REPEATED_PARAMETER,
            format!(
                "{} takes one value and was given {}",
                parameter.name,
                values.len()
            ),
        ));
    }
    check_scalar(id, parameter, values, violations);
}

/// Parses and validates each value of a single-valued parameter.
fn check_scalar(id: &str, parameter: &Parameter, values: &[&str], violations: &mut Vec<Violation>) {
    for text in values {
        match parse_for(parameter, text) {
            Ok(value) => validate_parsed(id, parameter, &value, &[text], violations),
            Err(expected) => violations.push(type_violation(id, parameter, text, &expected)),
        }
    }
}

fn type_violation(id: &str, parameter: &Parameter, text: &str, expected: &str) -> Violation {
    Violation::new(
        Some(id),
        location_of(parameter),
        Rule::TYPE,
        format!("{text:?} is not {expected}"),
    )
}

/// The item texts of an array parameter's values: one per repeated key, or
/// split at commas when the parameter does not explode.
fn items_text<'v>(parameter: &Parameter, values: &[&'v str]) -> Vec<&'v str> {
    if parameter.explode {
        values.to_vec()
    } else {
        values.iter().flat_map(|v| v.split(',')).collect()
    }
}

/// Validates a parsed value; `texts` are the texts it was parsed from, so a
/// message about an integer beyond 64 bits shows it as sent rather than as
/// the float it is checked as.
fn validate_parsed(
    id: &str,
    parameter: &Parameter,
    value: &Value,
    texts: &[&str],
    violations: &mut Vec<Violation>,
) {
    for error in parameter.validator.errors(value) {
        let mut message = error.message;
        for text in texts {
            if let Some(Value::Number(approximation)) = wide_integer(text) {
                message = message.replace(&approximation.to_string(), text);
            }
        }
        violations.push(Violation::new(
            Some(id),
            location_of(parameter),
            Rule::from_keyword(&error.keyword),
            message,
        ));
    }
}

/// Parses a parameter's text by its kind; alternatives are tried in order
/// and the first one the schema accepts wins.
fn parse_for(parameter: &Parameter, text: &str) -> Result<Value, String> {
    match &parameter.kind {
        ValueKind::OneOf(kinds) => {
            let mut first = None;
            for kind in kinds {
                if let Ok(value) = parse_value(kind, text) {
                    if parameter.validator.is_valid(&value) {
                        return Ok(value);
                    }
                    first.get_or_insert(value);
                }
            }
            first.ok_or_else(|| describe(&parameter.kind))
        }
        kind => parse_value(kind, text),
    }
}

fn parse_value(kind: &ValueKind, text: &str) -> Result<Value, String> {
    match kind {
        ValueKind::String => Ok(Value::String(text.to_owned())),
        ValueKind::Integer => parse_integer(text).ok_or_else(|| describe(kind)),
        ValueKind::Number => parse_integer(text)
            .or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
            .ok_or_else(|| describe(kind)),
        ValueKind::Boolean => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(describe(kind)),
        },
        ValueKind::Array(item) => parse_value(item, text).map(|v| Value::Array(vec![v])),
        ValueKind::OneOf(kinds) => kinds
            .iter()
            .find_map(|k| parse_value(k, text).ok())
            .ok_or_else(|| describe(kind)),
    }
}

/// A decimal integer (an optional sign, then digits) of any size, as JSON
/// Schema counts integers: exact within 64 bits, beyond that as
/// [`wide_integer`] gives it.
fn parse_integer(text: &str) -> Option<Value> {
    if let Ok(integer) = text.parse::<i64>() {
        return Some(Value::from(integer));
    }
    if let Ok(integer) = text.parse::<u64>() {
        return Some(Value::from(integer));
    }
    wide_integer(text)
}

/// An integer beyond 64 bits (`-11033857926066102272`), which serde_json
/// cannot hold exactly: the nearest float, whose fraction is zero so JSON
/// Schema still counts it an integer, and which compares with `minimum` and
/// `maximum` as the exact value does (a float beyond `f64::MAX` is clamped
/// to it, and `-2^63`, which rounding can reach from below, is moved one step
/// further from zero). `None` for anything that is not such an integer.
fn wide_integer(text: &str) -> Option<Value> {
    let digits = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('+'))
        .unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || text.parse::<i64>().is_ok()
        || text.parse::<u64>().is_ok()
    {
        return None;
    }
    let mut approximation = text.parse::<f64>().ok()?;
    if approximation.is_infinite() {
        approximation = f64::MAX.copysign(approximation);
    }
    // `i64::MIN as f64` is exact; a wider negative integer must stay below it.
    #[allow(clippy::cast_precision_loss)]
    if approximation == i64::MIN as f64 {
        approximation = f64::from_bits(approximation.to_bits() + 1);
    }
    serde_json::Number::from_f64(approximation).map(Value::Number)
}

fn describe(kind: &ValueKind) -> String {
    match kind {
        ValueKind::String => "a string".to_owned(),
        ValueKind::Integer => "an integer".to_owned(),
        ValueKind::Number => "a number".to_owned(),
        ValueKind::Boolean => "a boolean (`true` or `false`)".to_owned(),
        ValueKind::Array(item) => format!("an array of {}", describe(item)),
        ValueKind::OneOf(kinds) => {
            let each: Vec<String> = kinds.iter().map(describe).collect();
            each.join(" or ")
        }
    }
}

fn check_body(
    document: &Value,
    id: &str,
    operation: &Operation,
    request: &HttpRequest,
    violations: &mut Vec<Violation>,
) {
    let has_body = !request.body.iter().all(u8::is_ascii_whitespace);
    let Some(documented) = operation.request_body() else {
        if has_body {
            violations.push(Violation::new(
                Some(id),
                "body",
                Rule::UNEXPECTED_BODY,
                "the operation documents no request body, but the request has one",
            ));
        }
        return;
    };
    if !has_body {
        if documented.required {
            violations.push(Violation::new(
                Some(id),
                "body",
                Rule::REQUIRED,
                format!(
                    "the operation requires a {} body and the request has none",
                    documented.content_type
                ),
            ));
        }
        return;
    }
    let media = request
        .header_value("content-type")
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned());
    match media {
        Some(media) if media.eq_ignore_ascii_case(&documented.content_type) => {}
        Some(media) => violations.push(Violation::new(
            Some(id),
            "header.content-type",
            Rule::CONTENT_TYPE,
            format!(
                "the body is sent as {media}, the operation documents {}",
                documented.content_type
            ),
        )),
        None => violations.push(Violation::new(
            Some(id),
            "header.content-type",
            Rule::CONTENT_TYPE,
            format!(
                "the body has no Content-Type, the operation documents {}",
                documented.content_type
            ),
        )),
    }
    if let Some(form) = &documented.form {
        let header = request.header_value("content-type");
        violations.extend(crate::multipart::violations(
            id,
            form,
            header,
            &request.body,
        ));
        return;
    }
    let Some(validator) = &documented.validator else {
        return;
    };
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(body) => {
            violations.extend(request_body_violations(id, validator, &body));
            let mut undeclared = Vec::new();
            collect_undeclared(
                document,
                &[&documented.schema],
                &body,
                "body",
                &mut undeclared,
            );
            violations.extend(undeclared.into_iter().map(|(pointer, name)| {
                Violation::new(
                    Some(id),
                    pointer,
                    Rule::UNKNOWN_PROPERTY,
                    format!(
                        "the body schema declares no property {name:?} here, so the API ignores it; \
                         remove it or use a name the document declares"
                    ),
                )
            }));
        }
        Err(error) => violations.push(Violation::new(
            Some(id),
            "body",
            Rule::NOT_JSON,
            format!("the body is not JSON: {error}"),
        )),
    }
}

/// How deep `collect_undeclared` follows a body (and `$ref`/composition
/// chains within one level): far beyond any real body, short of a stack
/// overflow on a recursive schema.
const MAX_DEPTH: usize = 64;

/// What a schema says about properties it does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extra {
    /// `additionalProperties: true` or a schema, or no properties declared
    /// at all (a free-form object): any name is fine.
    Allowed,
    /// `additionalProperties: false`: the schema's own rule reports them.
    Forbidden,
    /// Properties declared and nothing said about others: an unlisted name
    /// is undeclared.
    Silent,
    /// Nothing said itself: a holder of `anyOf`/`oneOf`/`allOf` branches,
    /// which decide.
    Neutral,
}

/// Collects `(location, name)` for every property of `value` (at any depth)
/// that none of `schemas` declares where it sits; see
/// [`Rule::UNKNOWN_PROPERTY`] for what counts as declared.
fn collect_undeclared(
    document: &Value,
    schemas: &[&Value],
    value: &Value,
    location: &str,
    out: &mut Vec<(String, String)>,
) {
    collect_at(document, schemas, value, location, out, 0);
}

fn collect_at(
    document: &Value,
    schemas: &[&Value],
    value: &Value,
    location: &str,
    out: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut applicable = Vec::new();
    for schema in schemas {
        expand(document, schema, &mut applicable, 0);
    }
    match value {
        Value::Object(object) => {
            let objects: Vec<&Value> = applicable
                .into_iter()
                .filter(|schema| admits(schema, "object"))
                .collect();
            if objects.is_empty() {
                return;
            }
            let extras: Vec<Extra> = objects.iter().map(|schema| extra_of(schema)).collect();
            for (name, property) in object {
                let mut inner: Vec<&Value> = Vec::new();
                let mut declared = false;
                for schema in &objects {
                    if let Some(declared_schema) = schema
                        .get("properties")
                        .and_then(|properties| properties.get(name))
                    {
                        declared = true;
                        inner.push(declared_schema);
                    } else if let Some(matching) = pattern_schema(schema, name) {
                        declared = true;
                        inner.push(matching);
                    } else if let Some(additional) = schema
                        .get("additionalProperties")
                        .filter(|additional| additional.is_object())
                    {
                        inner.push(additional);
                    }
                }
                let child = format!("{location}/{}", escape_pointer(name));
                if !declared && !extras.contains(&Extra::Allowed) && extras.contains(&Extra::Silent)
                {
                    out.push((child.clone(), name.clone()));
                }
                if !inner.is_empty() {
                    collect_at(document, &inner, property, &child, out, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            let arrays: Vec<&Value> = applicable
                .into_iter()
                .filter(|schema| admits(schema, "array"))
                .collect();
            for (index, item) in items.iter().enumerate() {
                let inner: Vec<&Value> = arrays
                    .iter()
                    .filter_map(|schema| {
                        schema
                            .get("prefixItems")
                            .and_then(|prefix| prefix.get(index))
                            .or_else(|| schema.get("items"))
                    })
                    .filter(|inner| inner.is_object())
                    .collect();
                if !inner.is_empty() {
                    let child = format!("{location}/{index}");
                    collect_at(document, &inner, item, &child, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Adds `schema` (through `$ref`s) and every branch of its `anyOf`, `oneOf`
/// and `allOf`, recursively, to `out`.
fn expand<'d>(document: &'d Value, schema: &'d Value, out: &mut Vec<&'d Value>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = deref(document, schema);
    if out.iter().any(|seen| std::ptr::eq(*seen, schema)) {
        return;
    }
    out.push(schema);
    for keyword in ["anyOf", "oneOf", "allOf"] {
        if let Some(branches) = schema.get(keyword).and_then(Value::as_array) {
            for branch in branches {
                expand(document, branch, out, depth + 1);
            }
        }
    }
}

/// Whether `schema`'s `type` (if any) admits `kind`; composition keywords
/// are left to [`expand`], so a bare `anyOf` holder admits anything.
fn admits(schema: &Value, kind: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(single)) => single == kind,
        Some(Value::Array(several)) => several.iter().any(|t| t == kind),
        _ => schema.is_object(),
    }
}

/// What an object schema says about properties it does not list.
fn extra_of(schema: &Value) -> Extra {
    match schema.get("additionalProperties") {
        Some(Value::Bool(false)) => Extra::Forbidden,
        Some(_) => Extra::Allowed,
        None => {
            let declares = |keyword: &str| {
                schema
                    .get(keyword)
                    .and_then(Value::as_object)
                    .is_some_and(|map| !map.is_empty())
            };
            let composed = ["anyOf", "oneOf", "allOf"]
                .iter()
                .any(|keyword| schema.get(*keyword).is_some());
            if declares("properties") || declares("patternProperties") {
                Extra::Silent
            } else if composed {
                Extra::Neutral
            } else {
                Extra::Allowed
            }
        }
    }
}

/// The `patternProperties` schema whose pattern matches `name`, if any (a
/// pattern that does not compile matches nothing).
fn pattern_schema<'s>(schema: &'s Value, name: &str) -> Option<&'s Value> {
    schema
        .get("patternProperties")?
        .as_object()?
        .iter()
        .find(|(pattern, _)| regex::Regex::new(pattern).is_ok_and(|re| re.is_match(name)))
        .map(|(_, inner)| inner)
}
