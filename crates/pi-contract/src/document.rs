//! Reading an OpenAPI document from disk or from bytes, as JSON or YAML.
//!
//! Everything else in this crate works on a [`serde_json::Value`]; this module
//! is the one place that turns raw input into that value and checks that the
//! result is an OpenAPI 3.x document (an `openapi` string starting with `3.`
//! and a `paths` object). Errors are a single line that names the input and
//! what is wrong with it.

use std::fmt;
use std::path::Path;

use serde_json::{Map, Number, Value};

/// Why a document could not be read; the message names the input and the problem.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file that was asked for.
        file: String,
        /// What the operating system reported.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are neither valid JSON nor valid YAML.
    #[error("{file}: not valid {format}: {message}")]
    Syntax {
        /// The input the bytes came from.
        file: String,
        /// Which syntax the bytes were parsed as.
        format: Format,
        /// The parser's explanation, on one line.
        message: String,
    },
    /// The input parsed, but it is not an OpenAPI 3.x document.
    #[error("{file}: not an OpenAPI 3.x document: {problem}")]
    NotOpenApi {
        /// The input the bytes came from.
        file: String,
        /// Which expectation failed.
        problem: String,
    },
}

/// The syntax a document was parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON: the input starts with `{` (after whitespace and an optional BOM).
    Json,
    /// YAML: anything else.
    Yaml,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        })
    }
}

/// The name used in errors for input that did not come from a named file.
const UNNAMED: &str = "<input>";

/// Reads the file at `path` and parses it with [`parse_named`], using the path
/// as the name in any error.
pub fn read_document(path: &Path) -> Result<Value, DocumentError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| DocumentError::Read {
        file: file.clone(),
        source,
    })?;
    parse_named(&bytes, &file)
}

/// Parses an OpenAPI 3.x document given as JSON or YAML bytes.
///
/// Errors call the input `<input>`; use [`parse_named`] when the bytes have a
/// better name (a file path or a URL).
pub fn parse_document(bytes: &[u8]) -> Result<Value, DocumentError> {
    parse_named(bytes, UNNAMED)
}

/// Parses an OpenAPI 3.x document given as JSON or YAML bytes; `name` says
/// where the bytes came from and appears in every error.
pub fn parse_named(bytes: &[u8], name: &str) -> Result<Value, DocumentError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let format = if bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
    {
        Format::Json
    } else {
        Format::Yaml
    };
    let syntax = |message: String| DocumentError::Syntax {
        file: name.to_owned(),
        format,
        message: one_line(&message),
    };
    let value = match format {
        Format::Json => {
            serde_json::from_slice::<Value>(bytes).map_err(|e| syntax(e.to_string()))?
        }
        Format::Yaml => {
            let yaml = serde_yaml_ng::from_slice::<serde_yaml_ng::Value>(bytes)
                .map_err(|e| syntax(e.to_string()))?;
            yaml_to_json(yaml).map_err(syntax)?
        }
    };
    check_openapi(&value).map_err(|problem| DocumentError::NotOpenApi {
        file: name.to_owned(),
        problem,
    })?;
    Ok(value)
}

/// Checks the two things every OpenAPI 3.x document this crate accepts has.
fn check_openapi(value: &Value) -> Result<(), String> {
    let Some(root) = value.as_object() else {
        return Err(format!("the top level is {}, not an object", kind(value)));
    };
    match root.get("openapi") {
        None => return Err("no `openapi` field".to_owned()),
        Some(Value::String(v)) if crate::openapi::is_supported_version(v) => {}
        Some(Value::String(v)) => return Err(format!("`openapi` is \"{v}\", expected 3.x")),
        Some(other) => return Err(format!("`openapi` is {}, not a string", kind(other))),
    }
    match root.get("paths") {
        None => Err("no `paths` object".to_owned()),
        Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(format!("`paths` is {}, not an object", kind(other))),
    }
}

/// Names the JSON type of a value, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Collapses a parser message onto one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Converts a YAML value to JSON. Mapping keys that are numbers or booleans
/// (YAML reads `200:` as a number) become their string form, as OpenAPI means them.
fn yaml_to_json(yaml: serde_yaml_ng::Value) -> Result<Value, String> {
    use serde_yaml_ng::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(
                    Number::from_f64(f)
                        .ok_or_else(|| format!("the number {n} has no JSON form"))?,
                )
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_owned(),
                    _ => return Err("a mapping key is not a scalar".to_owned()),
                };
                map.insert(key, yaml_to_json(value)?);
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_give_the_same_value() {
        let json = br#"{"openapi": "3.1.0", "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#;
        let yaml = b"openapi: '3.1.0'\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n";
        assert_eq!(parse_document(json).unwrap(), parse_document(yaml).unwrap());
    }

    #[test]
    fn bom_and_leading_whitespace_are_accepted() {
        let doc = b"\xEF\xBB\xBF \n{\"openapi\": \"3.0.3\", \"paths\": {}}";
        assert_eq!(parse_document(doc).unwrap()["openapi"], "3.0.3");
    }

    #[test]
    fn swagger_2_is_rejected_with_the_reason() {
        let err = parse_named(br#"{"swagger": "2.0", "paths": {}}"#, "old.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "old.json: not an OpenAPI 3.x document: no `openapi` field"
        );
        let err = parse_named(br#"{"openapi": "2.0", "paths": {}}"#, "v2.json").unwrap_err();
        assert!(err.to_string().contains("expected 3.x"), "{err}");
    }

    #[test]
    fn missing_or_wrong_paths_is_rejected() {
        let err = parse_named(b"openapi: 3.1.0\n", "a.yaml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.yaml: not an OpenAPI 3.x document")
        );
        // YAML reads an unquoted 3.1.0 as a string, but 3.1 as a number.
        let err = parse_named(b"openapi: 3.1\npaths: {}\n", "b.yaml").unwrap_err();
        assert!(err.to_string().contains("not a string"), "{err}");
        let err = parse_named(br#"{"openapi": "3.1.0", "paths": []}"#, "c.json").unwrap_err();
        assert!(err.to_string().contains("`paths` is an array"), "{err}");
    }

    #[test]
    fn syntax_errors_are_one_line_and_name_the_file() {
        let err = parse_named(b"{\"openapi\": \n\"3.1.0\",", "broken.json").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("broken.json: not valid JSON:"),
            "{message}"
        );
        assert!(!message.contains('\n'));
        let err = parse_named(b"a: [unclosed\n  b: c\n", "broken.yaml").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("broken.yaml: not valid YAML:"),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let err = read_document(Path::new("/nonexistent/dir/openapi.json")).unwrap_err();
        assert!(matches!(err, DocumentError::Read { .. }));
        assert!(
            err.to_string()
                .starts_with("/nonexistent/dir/openapi.json: cannot read:")
        );
    }
}
