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

/// Words that mark a field's value as secret when the field's name ends with
/// one (`value`, `apiKey`, `client_secret`, `authTokens`); a name that only
/// starts with one (`secretName`, `tokenCount`, `keyId`) names something else
/// and its value is shown, so a decode error can say what arrived.
const SENSITIVE: [&str; 7] = [
    "token",
    "secret",
    "password",
    "value",
    "key",
    "credential",
    "auth",
];

/// A JSON-looking string field whose name ends with a sensitive word, in text
/// that is not valid JSON (a truncated body, say); the value may be cut off.
static SENSITIVE_FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let words = SENSITIVE.join("|");
    Regex::new(&format!(
        r#"(?i)("[^"]*(?:{words})s?"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)"#
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

/// Whether a field named `name` holds secret material: its last word
/// (`apiKey` -> `key`, `client_secret` -> `secret`), plural or not, is one of
/// [`SENSITIVE`].
fn is_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let singular = lower.strip_suffix('s').unwrap_or(&lower);
    SENSITIVE
        .iter()
        .any(|word| lower.ends_with(word) || singular.ends_with(word))
}

fn blank_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, field) in map.iter_mut() {
                if field.is_string() && is_sensitive(name) {
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

    /// A field whose name only starts with a sensitive word (a secret's
    /// name, a token count) is shown: it is what a person needs to see in a
    /// decode error, and hiding it hid a renamed field from the drift report.
    #[test]
    fn only_names_ending_in_a_sensitive_word_are_blanked() {
        let body = br#"{"secretName": "HF_TOKEN", "tokenCount": "3", "client_secrets": "cs_1", "authToken": "at_1", "credentials": "cr_1"}"#;
        let text = excerpt(body);
        assert!(
            text.contains("HF_TOKEN") && text.contains("\"3\""),
            "{text}"
        );
        for hidden in ["cs_1", "at_1", "cr_1"] {
            assert!(!text.contains(hidden), "{text}");
        }
        let cut = excerpt(br#"{"secretName": "HF_TOKEN", "client_secrets": "cs_1", "x": "#);
        assert!(cut.contains("HF_TOKEN") && !cut.contains("cs_1"), "{cut}");
    }

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
