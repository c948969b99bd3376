//! The bodies the PI API sends with an error status, in both shapes seen on
//! the wire: the document's `{"errors": [{param, details}]}` and FastAPI's own
//! `{"detail": [{loc, msg, type}]}` (or `{"detail": "text"}`).

use serde::{Deserialize, Serialize};

use crate::field::{FieldLocation, field_path};

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
///
/// The field is named as [`InvalidInput::field`](crate::InvalidInput::field)
/// names it when the same rule is checked before sending: its path inside
/// its location as the document spells it (`name`, `pod.gpuCount`,
/// `envVars[0].key`, `limit`), with the location apart. FastAPI's
/// `["body", "pod", "gpuCount"]` is `pod.gpuCount` in [`FieldLocation::Body`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The field's path inside its location (`name`, `pod.gpuCount`,
    /// `items[0].id`, `limit`); empty when the problem is the whole body
    /// (for instance, a body that is missing or not JSON).
    pub field: String,
    /// Where the field is: body, query, path, header or cookie, or
    /// unspecified when the body did not say.
    pub location: FieldLocation,
    /// What the server found wrong with it.
    pub message: String,
    /// A machine-readable kind, when the server sent one.
    pub kind: Option<String>,
}

impl std::fmt::Display for FieldError {
    /// `name: message` for a body field; parameters add their location
    /// (`limit (query): message`), and the whole body is `body: message`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location {
            _ if self.field.is_empty() => write!(f, "{}: {}", self.location, self.message),
            FieldLocation::Body | FieldLocation::Unspecified => {
                write!(f, "{}: {}", self.field, self.message)
            }
            other => write!(f, "{} ({other}): {}", self.field, self.message),
        }
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
    /// assert_eq!(body.field_errors()[0].field, "name");
    /// assert_eq!(body.field_errors()[0].location, pi_types::FieldLocation::Body);
    ///
    /// let documented = br#"{"errors": [{"param": "name", "details": "too long"}]}"#;
    /// assert_eq!(ErrorBody::parse(documented).unwrap().field_errors()[0].message, "too long");
    /// ```
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let object = value.as_object()?;
        // FastAPI's list first: it says where each field is, and a body that
        // carries both lists (as pi-contract's mock sends, to keep the
        // document's shape too) names the same fields in each.
        if let Some(detail @ serde_json::Value::Array(_)) = object.get("detail") {
            if let Ok(details) = serde_json::from_value(detail.clone()) {
                return Some(Self::Validation(details));
            }
        }
        if let Some(errors) = object.get("errors") {
            if let Ok(errors) = serde_json::from_value::<Vec<ErrorDetail>>(errors.clone()) {
                return Some(Self::Errors(ErrorResponse { errors }));
            }
        }
        if let Some(serde_json::Value::String(text)) = object.get("detail") {
            return Some(Self::Message(text.clone()));
        }
        ["message", "error"].iter().find_map(|key| {
            object
                .get(*key)
                .and_then(serde_json::Value::as_str)
                .map(|text| Self::Message(text.to_owned()))
        })
    }

    /// The field-level problems in this body; empty for a plain message.
    ///
    /// FastAPI's `loc` is split into the location and the field's path
    /// (see [`field_path`](crate::field_path)); the documented shape's
    /// `param` is the field as sent, in [`FieldLocation::Unspecified`].
    #[must_use]
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Errors(response) => response
                .errors
                .iter()
                .map(|detail| FieldError {
                    field: detail.param.clone(),
                    location: FieldLocation::Unspecified,
                    message: detail.details.clone(),
                    kind: None,
                })
                .collect(),
            Self::Validation(details) => details
                .iter()
                .map(|detail| {
                    let (location, field) = field_path(&detail.loc);
                    FieldError {
                        field,
                        location,
                        message: detail.msg.clone(),
                        kind: detail.kind.clone(),
                    }
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
        assert_eq!(errors[0].location, FieldLocation::Unspecified);
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
        assert_eq!(errors[0].field, "items[0].id");
        assert_eq!(errors[0].location, FieldLocation::Body);
        assert_eq!(errors[0].kind.as_deref(), Some("missing"));
    }

    #[test]
    fn parameters_and_the_whole_body_say_where_they_are() {
        let body = ErrorBody::parse(
            br#"{"detail":[
                {"loc":["query","limit"],"msg":"too large"},
                {"loc":["body"],"msg":"Field required","type":"missing"},
                {"loc":["body","pod","gpuCount"],"msg":"must be > 0"}
            ]}"#,
        )
        .unwrap();
        let errors = body.field_errors();
        assert_eq!(errors[0].field, "limit");
        assert_eq!(errors[0].location, FieldLocation::Query);
        assert_eq!(errors[1].field, "");
        assert_eq!(errors[1].location, FieldLocation::Body);
        assert_eq!(
            body.summary(),
            "limit (query): too large; body: Field required; pod.gpuCount: must be > 0"
        );
    }

    #[test]
    fn a_body_with_both_lists_is_read_from_fastapis_which_says_where() {
        let body = ErrorBody::parse(
            br#"{"detail":[{"loc":["query","limit"],"msg":"too large","type":"maximum"}],
                "errors":[{"param":"limit","details":"too large"}]}"#,
        )
        .unwrap();
        let errors = body.field_errors();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), errors[0].location),
            ("limit", FieldLocation::Query)
        );
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
