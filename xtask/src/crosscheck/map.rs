//! The two reviewed files of the crosscheck: `spec/observed/map.toml` (which
//! document place each client model describes) and
//! `spec/observed/accepted.toml` (disagreements accepted, each with its
//! reason), and finding the document's schema for a place.

use serde::Deserialize;
use serde_json::Value;

use super::CrosscheckError;
use super::compare::Kind;

/// `spec/observed/map.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelMap {
    /// Client models paired with a document place.
    #[serde(default)]
    pub(crate) pair: Vec<Pair>,
    /// Query parameters a client sends to a documented operation, read from
    /// its code.
    #[serde(default)]
    pub(crate) query: Vec<Query>,
    /// Client models left unpaired on purpose (local configuration and
    /// views, the sandbox gateway's payloads), each with the reason; any other
    /// model neither paired nor inside a paired one is reported as not mapped.
    #[serde(default)]
    pub(crate) unpaired: Vec<Unpaired>,
}

/// One client model and the document place it describes: a component
/// schema by name, or an operation's request body or answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pair {
    /// `module.ClassName`, as in the observed files.
    pub(crate) client: String,
    /// A component schema of the document.
    pub(crate) schema: Option<String>,
    /// `METHOD /path` of a documented operation.
    pub(crate) operation: Option<String>,
    /// With `operation`: `request body` or `response`.
    pub(crate) part: Option<String>,
    /// With `schema`: whether the client sends the model (`request`) or
    /// reads it (`response`), which decides what a disagreement means.
    pub(crate) role: Option<Role>,
}

/// Which way a paired model travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    /// The client sends it.
    Request,
    /// The client reads it.
    Response,
}

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Request => "request",
            Role::Response => "response",
        }
    }
}

/// The query parameters a client sends to one documented operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Query {
    /// `METHOD /path` of a documented operation.
    pub(crate) operation: String,
    /// Where the client sends them (`module.Class.method`).
    pub(crate) client: String,
    /// Every query parameter it may send.
    pub(crate) params: Vec<String>,
}

/// A client model that has no place in the document, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Unpaired {
    pub(crate) client: String,
    pub(crate) reason: String,
}

/// `spec/observed/accepted.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AcceptedList {
    #[serde(default)]
    pub(crate) accepted: Vec<Accepted>,
}

/// Disagreements accepted with a reason: those of `kind` that match every
/// other key given (the client model, the place, the field, the role, or
/// the words either side's description starts with). A rule without `client` and `place`
/// covers every pair.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Accepted {
    pub(crate) kind: Kind,
    pub(crate) client: Option<String>,
    pub(crate) place: Option<String>,
    pub(crate) field: Option<String>,
    pub(crate) role: Option<Role>,
    pub(crate) document: Option<String>,
    pub(crate) observed: Option<String>,
    pub(crate) reason: String,
}

/// Parses one of the reviewed TOML files.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(
    path: &str,
    text: &str,
) -> Result<T, CrosscheckError> {
    toml::from_str(text).map_err(|error| CrosscheckError::Toml {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

/// What a pair's document side is called in the report, and which way
/// the model travels.
pub(crate) fn place_of(pair: &Pair) -> Result<(String, Role), CrosscheckError> {
    match (
        &pair.schema,
        &pair.operation,
        pair.part.as_deref(),
        pair.role,
    ) {
        (Some(schema), None, None, Some(role)) => Ok((format!("schema {schema}"), role)),
        (None, Some(operation), Some("request body"), None) => {
            Ok((format!("{operation} request body"), Role::Request))
        }
        (None, Some(operation), Some("response"), None) => {
            Ok((format!("{operation} response"), Role::Response))
        }
        _ => Err(CrosscheckError::BadPair {
            client: pair.client.clone(),
        }),
    }
}

/// The document's schema for a pair.
pub(crate) fn document_schema<'d>(
    doc: &'d Value,
    pair: &Pair,
) -> Result<&'d Value, CrosscheckError> {
    let missing = |what: String| CrosscheckError::NotInDocument {
        client: pair.client.clone(),
        what,
    };
    if let Some(name) = &pair.schema {
        return doc
            .pointer(&format!(
                "/components/schemas/{}",
                pi_contract::openapi::escape_pointer(name)
            ))
            .ok_or_else(|| missing(format!("schema {name}")));
    }
    let operation = pair.operation.as_deref().unwrap_or_default();
    let found = find_operation(doc, operation).ok_or_else(|| missing(operation.to_owned()))?;
    let schema = match pair.part.as_deref() {
        Some("request body") => found.pointer("/requestBody/content/application~1json/schema"),
        _ => success_schema(found),
    };
    schema.ok_or_else(|| {
        missing(format!(
            "{operation} {}",
            pair.part.as_deref().unwrap_or("")
        ))
    })
}

/// The operation `METHOD /path` of the document.
pub(crate) fn find_operation<'d>(doc: &'d Value, operation: &str) -> Option<&'d Value> {
    let (method, path) = operation.split_once(' ')?;
    doc.get("paths")?.get(path)?.get(method.to_lowercase())
}

/// The JSON schema of an operation's first success answer that has one.
fn success_schema(operation: &Value) -> Option<&Value> {
    let responses = operation.get("responses")?.as_object()?;
    let mut codes: Vec<&String> = responses
        .keys()
        .filter(|code| code.starts_with('2'))
        .collect();
    codes.sort();
    codes
        .into_iter()
        .find_map(|code| responses[code].pointer("/content/application~1json/schema"))
}

/// The names of an operation's query parameters, with whether each is required.
pub(crate) fn query_parameters(operation: &Value) -> Vec<(String, bool)> {
    operation
        .get("parameters")
        .and_then(Value::as_array)
        .map(|params| {
            params
                .iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                .filter_map(|p| {
                    let name = p.get("name")?.as_str()?.to_owned();
                    Some((name, p.get("required") == Some(&Value::Bool(true))))
                })
                .collect()
        })
        .unwrap_or_default()
}
