//! Where in a request a field lives, and the one way a field is named in
//! every validation error: the path the document gives it inside its
//! location (`name`, `pod.gpuCount`, `envVars[0].key`, `limit`), whoever
//! found the problem (this crate's checks, the API's 422, or a mock's).

use std::fmt;

/// The part of a request a field belongs to.
///
/// Every validation error carries one beside the field's name, so code can
/// tell a body field `name` from a query parameter `name`:
///
/// ```
/// use pi_types::{ErrorBody, FieldLocation};
///
/// let body = br#"{"detail": [{"loc": ["query", "limit"], "msg": "too large"}]}"#;
/// let errors = ErrorBody::parse(body).map(|body| body.field_errors()).unwrap_or_default();
/// match errors[0].location {
///     FieldLocation::Query => assert_eq!(errors[0].field, "limit"),
///     other => unreachable!("{other}"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldLocation {
    /// A field of the JSON request body.
    Body,
    /// A query parameter.
    Query,
    /// A path parameter (an id in the URL).
    Path,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
    /// The error did not say: the document's `{"errors": [{param, details}]}`
    /// shape names a parameter without its location.
    Unspecified,
}

impl FieldLocation {
    /// The word FastAPI puts first in a `loc` (`body`, `query`, `path`,
    /// `header`, `cookie`), or `unspecified`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Body => "body",
            Self::Query => "query",
            Self::Path => "path",
            Self::Header => "header",
            Self::Cookie => "cookie",
            Self::Unspecified => "unspecified",
        }
    }

    /// The location a FastAPI `loc` word names, if it is one of them.
    #[must_use]
    pub fn from_word(word: &str) -> Option<Self> {
        match word {
            "body" => Some(Self::Body),
            "query" => Some(Self::Query),
            "path" => Some(Self::Path),
            "header" => Some(Self::Header),
            "cookie" => Some(Self::Cookie),
            _ => None,
        }
    }
}

impl fmt::Display for FieldLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Splits a FastAPI `loc` into its location and the field's path inside it.
///
/// `["body", "pod", "gpuCount"]` is `pod.gpuCount` in the body,
/// `["query", "limit"]` is `limit` in the query, and array indexes are
/// written as this crate's checks write them: `["body", "envVars", 0, "key"]`
/// is `envVars[0].key`. A `loc` that does not start with a location word is
/// kept whole, as an [`Unspecified`](FieldLocation::Unspecified) path; the
/// body itself (`["body"]`) is the empty path.
///
/// ```
/// use pi_types::{FieldLocation, field_path};
/// use serde_json::json;
///
/// let loc = [json!("body"), json!("pod"), json!("gpuCount")];
/// assert_eq!(field_path(&loc), (FieldLocation::Body, "pod.gpuCount".to_owned()));
/// ```
#[must_use]
pub fn field_path(loc: &[serde_json::Value]) -> (FieldLocation, String) {
    let (location, rest) = match loc.split_first() {
        Some((serde_json::Value::String(word), rest)) => match FieldLocation::from_word(word) {
            Some(location) => (location, rest),
            None => (FieldLocation::Unspecified, loc),
        },
        _ => (FieldLocation::Unspecified, loc),
    };
    let mut path = String::new();
    for part in rest {
        match part {
            // FastAPI writes list indexes as numbers and mapping keys as
            // strings, so only a number is an index.
            serde_json::Value::Number(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
            serde_json::Value::String(name) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
            }
            other => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&other.to_string());
            }
        }
    }
    (location, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(loc: serde_json::Value) -> (FieldLocation, String) {
        field_path(loc.as_array().map(Vec::as_slice).unwrap_or_default())
    }

    #[test]
    fn the_location_word_is_split_off_and_the_rest_is_the_documents_path() {
        assert_eq!(
            path(json!(["body", "pod", "gpuCount"])),
            (FieldLocation::Body, "pod.gpuCount".to_owned())
        );
        assert_eq!(
            path(json!(["query", "limit"])),
            (FieldLocation::Query, "limit".to_owned())
        );
        assert_eq!(
            path(json!(["path", "secret_id"])),
            (FieldLocation::Path, "secret_id".to_owned())
        );
        assert_eq!(
            path(json!(["header", "x-team"])),
            (FieldLocation::Header, "x-team".to_owned())
        );
        assert_eq!(
            path(json!(["cookie", "session"])),
            (FieldLocation::Cookie, "session".to_owned())
        );
    }

    #[test]
    fn indexes_are_bracketed_as_the_local_checks_write_them() {
        assert_eq!(
            path(json!(["body", "pod", "envVars", 0, "key"])),
            (FieldLocation::Body, "pod.envVars[0].key".to_owned())
        );
        assert_eq!(
            path(json!(["body", "samples", 3])),
            (FieldLocation::Body, "samples[3]".to_owned())
        );
        assert_eq!(
            path(json!(["query", "regions", 1])),
            (FieldLocation::Query, "regions[1]".to_owned())
        );
    }

    #[test]
    fn a_loc_without_a_location_word_is_kept_whole() {
        assert_eq!(
            path(json!(["name"])),
            (FieldLocation::Unspecified, "name".to_owned())
        );
        assert_eq!(
            path(json!([0, "id"])),
            (FieldLocation::Unspecified, "[0].id".to_owned())
        );
        assert_eq!(path(json!([])), (FieldLocation::Unspecified, String::new()));
        assert_eq!(path(json!(["body"])), (FieldLocation::Body, String::new()));
    }

    #[test]
    fn the_words_round_trip() {
        for location in [
            FieldLocation::Body,
            FieldLocation::Query,
            FieldLocation::Path,
            FieldLocation::Header,
            FieldLocation::Cookie,
        ] {
            assert_eq!(FieldLocation::from_word(location.as_str()), Some(location));
            assert_eq!(location.to_string(), location.as_str());
        }
        assert_eq!(FieldLocation::from_word("unspecified"), None);
    }
}
