//! Body excerpts for error messages, with the values of secret-looking
//! fields blanked, so a broken answer carrying a token or a key cannot leak
//! it through an error.

use std::sync::LazyLock;

use regex::Regex;

/// The longest body excerpt kept in a decode error.
const EXCERPT_CHARS: usize = 200;

/// The start of a body for an error message. JSON bodies are re-encoded with
/// the values of secret-looking fields blanked, so a broken response carrying
/// a token or a key cannot leak it through an error.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            blank_secrets(&mut value);
            value.to_string()
        }
        Err(_) => blank_secrets_in_text(&String::from_utf8_lossy(body)),
    };
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    truncate(&text, EXCERPT_CHARS)
}

/// Parts of a field name that mark its value as secret.
const SENSITIVE: [&str; 7] = [
    "token",
    "secret",
    "password",
    "value",
    "key",
    "credential",
    "auth",
];

/// A JSON-looking string field whose name holds a sensitive word, in text
/// that is not valid JSON (a truncated body, say); the value may be cut off.
static SENSITIVE_FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let words = SENSITIVE.join("|");
    Regex::new(&format!(
        r#"(?i)("[^"]*(?:{words})[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)"#
    ))
    .ok()
});

/// Blanks the values of secret-looking string fields in text that is not
/// JSON. Should the pattern ever fail to build, no text is shown at all.
fn blank_secrets_in_text(text: &str) -> String {
    match SENSITIVE_FIELD.as_ref() {
        Some(pattern) => pattern
            .replace_all(text, r#"${1}"[redacted]""#)
            .into_owned(),
        None => "(not shown)".to_owned(),
    }
}

fn blank_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                let lower = name.to_ascii_lowercase();
                if field.is_string() && SENSITIVE.iter().any(|word| lower.contains(word)) {
                    *field = serde_json::Value::String("[redacted]".to_owned());
                } else {
                    blank_secrets(field);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_secrets),
        _ => {}
    }
}

pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn excerpts_blank_secret_looking_fields_and_stay_short() {
        let body = br#"{"data": {"token": "tok_live_123", "apiKey": "k_456", "name": "ok"}}"#;
        let text = excerpt(body);
        assert!(
            !text.contains("tok_live_123") && !text.contains("k_456"),
            "{text}"
        );
        assert!(text.contains("\"name\":\"ok\""), "{text}");
        let cut =
            excerpt(br#"{"data": {"name": "ok", "value": "sv_live_9 \" more", "apiKey":"k_45"#);
        assert!(
            !cut.contains("sv_live_9") && !cut.contains("more") && !cut.contains("k_45"),
            "{cut}"
        );
        assert!(cut.contains(r#""name": "ok""#), "{cut}");
        assert!(cut.contains(r#""value": "[redacted]""#), "{cut}");
        let long = excerpt("x".repeat(10_000).as_bytes());
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b""), "(empty)");
    }
}
