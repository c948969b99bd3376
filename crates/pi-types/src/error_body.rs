//! The bodies the PI API sends with an error status, in both shapes seen on
//! the wire: the document's `{"errors": [{param, details}]}` and FastAPI's own
//! `{"detail": [{loc, msg, type}]}` (or `{"detail": "text"}`).

use serde::{Deserialize, Serialize};

/// The document's error body: a list of per-parameter problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorResponse {
    /// One entry per rejected parameter.
    pub errors: Vec<ErrorDetail>,
}

/// One rejected parameter in an [`ErrorResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// The parameter or field the server rejected.
    pub param: String,
    /// What the server found wrong with it.
    pub details: String,
}

/// One entry of FastAPI's `{"detail": [...]}` validation body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ValidationDetail {
    /// Where the problem is: a location word (`body`, `query`, ...) followed by
    /// field names and array indexes.
    #[serde(default)]
    pub loc: Vec<serde_json::Value>,
    /// What is wrong.
    #[serde(default)]
    pub msg: String,
    /// FastAPI's machine-readable kind of problem, such as `missing`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// A field-level problem reported by the server, whichever body shape it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The field, as a dotted path (`name`, `body.name`, `query.limit`, `items.0.id`).
    pub field: String,
    /// What the server found wrong with it.
    pub message: String,
    /// A machine-readable kind, when the server sent one.
    pub kind: Option<String>,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// An error body, recognised from any of the shapes the PI API uses.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorBody {
    /// The document's `{"errors": [...]}` shape.
    Errors(ErrorResponse),
    /// FastAPI's `{"detail": [...]}` validation shape.
    Validation(Vec<ValidationDetail>),
    /// A plain message: `{"detail": "..."}`, `{"message": "..."}` or `{"error": "..."}`.
    Message(String),
}

impl ErrorBody {
    /// Recognises an error body, or returns `None` when the bytes are not JSON
    /// or not one of the known shapes. Never panics, whatever the bytes.
    ///
    /// ```
    /// use pi_types::ErrorBody;
    ///
    /// let fastapi = br#"{"detail": [{"loc": ["body", "name"], "msg": "too long", "type": "string_too_long"}]}"#;
    /// let body = ErrorBody::parse(fastapi).unwrap();
    /// assert_eq!(body.field_errors()[0].field, "body.name");
    ///
    /// let documented = br#"{"errors": [{"param": "name", "details": "too long"}]}"#;
    /// assert_eq!(ErrorBody::parse(documented).unwrap().field_errors()[0].message, "too long");
    /// ```
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let object = value.as_object()?;
        if let Some(errors) = object.get("errors") {
            if let Ok(errors) = serde_json::from_value::<Vec<ErrorDetail>>(errors.clone()) {
                return Some(Self::Errors(ErrorResponse { errors }));
            }
        }
        match object.get("detail") {
            Some(serde_json::Value::String(text)) => return Some(Self::Message(text.clone())),
            Some(detail @ serde_json::Value::Array(_)) => {
                if let Ok(details) = serde_json::from_value(detail.clone()) {
                    return Some(Self::Validation(details));
                }
            }
            _ => {}
        }
        ["message", "error"].iter().find_map(|key| {
            object
                .get(*key)
                .and_then(serde_json::Value::as_str)
                .map(|text| Self::Message(text.to_owned()))
        })
    }

    /// The field-level problems in this body; empty for a plain message.
    #[must_use]
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Errors(response) => response
                .errors
                .iter()
                .map(|detail| FieldError {
                    field: detail.param.clone(),
                    message: detail.details.clone(),
                    kind: None,
                })
                .collect(),
            Self::Validation(details) => details
                .iter()
                .map(|detail| FieldError {
                    field: dotted_location(&detail.loc),
                    message: detail.msg.clone(),
                    kind: detail.kind.clone(),
                })
                .collect(),
            Self::Message(_) => Vec::new(),
        }
    }

    /// A one-line summary fit for an error message.
    #[must_use]
    pub fn summary(&self) -> String {
        match self {
            Self::Message(text) => text.clone(),
            _ => self
                .field_errors()
                .iter()
                .map(FieldError::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

fn dotted_location(loc: &[serde_json::Value]) -> String {
    loc.iter()
        .map(|part| match part {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_documented_shape_gives_field_errors() {
        let body =
            ErrorBody::parse(br#"{"errors":[{"param":"name","details":"bad pattern"}]}"#).unwrap();
        let errors = body.field_errors();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "name");
        assert_eq!(errors[0].message, "bad pattern");
        assert_eq!(body.summary(), "name: bad pattern");
    }

    #[test]
    fn the_fastapi_shape_gives_field_errors_with_index_paths() {
        let body = ErrorBody::parse(
            br#"{"detail":[{"loc":["body","items",0,"id"],"msg":"field required","type":"missing"}]}"#,
        )
        .unwrap();
        let errors = body.field_errors();
        assert_eq!(errors[0].field, "body.items.0.id");
        assert_eq!(errors[0].kind.as_deref(), Some("missing"));
    }

    #[test]
    fn plain_messages_are_recognised_under_each_key() {
        for raw in [
            &br#"{"detail":"Secret not found"}"#[..],
            br#"{"message":"Secret not found"}"#,
            br#"{"error":"Secret not found"}"#,
        ] {
            assert_eq!(
                ErrorBody::parse(raw),
                Some(ErrorBody::Message("Secret not found".into()))
            );
        }
    }

    #[test]
    fn anything_else_is_not_an_error_body() {
        for raw in [
            &b""[..],
            b"<html>",
            b"[1,2]",
            b"{\"detail\": 5}",
            b"{\"errors\": 3}",
        ] {
            assert_eq!(
                ErrorBody::parse(raw),
                None,
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }
}
