//! The rule checks generated `validate` methods call: one function per kind
//! of rule in the document, each naming the field and the rule it enforces.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::{Mutex, OnceLock};

use regex_lite::Regex;

use crate::{InvalidInput, Rule, WireEnum};

type Field = Cow<'static, str>;

/// At least `min` characters (`minLength`; 1 reads as "must not be empty").
pub(crate) fn min_length(
    field: impl Into<Field>,
    value: &str,
    min: usize,
) -> Result<(), InvalidInput> {
    let length = value.chars().count();
    if length >= min {
        return Ok(());
    }
    if min == 1 {
        return Err(InvalidInput::new(field, Rule::NotEmpty, "it is empty"));
    }
    Err(InvalidInput::new(
        field,
        Rule::MinLength(min),
        format!("it is {length} characters"),
    ))
}

/// At most `max` characters (`maxLength`), counted as the document counts them.
pub(crate) fn max_length(
    field: impl Into<Field>,
    value: &str,
    max: usize,
) -> Result<(), InvalidInput> {
    let length = value.chars().count();
    if length <= max {
        return Ok(());
    }
    Err(InvalidInput::new(
        field,
        Rule::MaxLength(max),
        format!("it is {length} characters"),
    ))
}

/// Matches the document's `pattern`. The value is quoted in the problem only
/// when `reveal` is set (never for secret material), and at most 40 characters of it.
pub(crate) fn pattern(
    field: impl Into<Field>,
    value: &str,
    pattern: &'static str,
    reveal: bool,
) -> Result<(), InvalidInput> {
    let Some(matches) = with_compiled(pattern, |regex| regex.is_match(value)) else {
        return Err(InvalidInput::new(
            field,
            Rule::UncheckablePattern(pattern),
            "the pattern does not compile; please report this",
        ));
    };
    if matches {
        return Ok(());
    }
    let problem = if reveal {
        let shown: String = value.chars().take(40).collect();
        let more = if shown.len() < value.len() { "…" } else { "" };
        format!("`{shown}{more}` does not match")
    } else {
        "the value does not match".to_owned()
    };
    Err(InvalidInput::new(field, Rule::Pattern(pattern), problem))
}

/// Runs `f` with the compiled pattern; each pattern is compiled once per process.
fn with_compiled<T>(pattern: &'static str, f: impl FnOnce(&Regex) -> T) -> Option<T> {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, Option<Regex>>>> = OnceLock::new();
    let cache = COMPILED.get_or_init(Mutex::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let regex = cache
        .entry(pattern)
        .or_insert_with(|| Regex::new(pattern).ok())
        .clone();
    drop(cache);
    regex.as_ref().map(f)
}

/// At least (or, `exclusive`, more than) `bound`; `text` is the bound as the document writes it.
pub(crate) fn minimum<T: PartialOrd + Display>(
    field: impl Into<Field>,
    value: T,
    bound: T,
    text: &'static str,
    exclusive: bool,
) -> Result<(), InvalidInput> {
    let (ok, rule) = if exclusive {
        (value > bound, Rule::GreaterThan(text))
    } else {
        (value >= bound, Rule::AtLeast(text))
    };
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::new(field, rule, format!("it is {value}")))
    }
}

/// At most (or, `exclusive`, less than) `bound`; `text` is the bound as the document writes it.
pub(crate) fn maximum<T: PartialOrd + Display>(
    field: impl Into<Field>,
    value: T,
    bound: T,
    text: &'static str,
    exclusive: bool,
) -> Result<(), InvalidInput> {
    let (ok, rule) = if exclusive {
        (value < bound, Rule::LessThan(text))
    } else {
        (value <= bound, Rule::AtMost(text))
    };
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::new(field, rule, format!("it is {value}")))
    }
}

/// At least `min` items (`minItems`).
pub(crate) fn min_items(
    field: impl Into<Field>,
    length: usize,
    min: usize,
) -> Result<(), InvalidInput> {
    if length >= min {
        return Ok(());
    }
    Err(InvalidInput::new(
        field,
        Rule::MinItems(min),
        format!("it has {length}"),
    ))
}

/// At most `max` items (`maxItems`).
pub(crate) fn max_items(
    field: impl Into<Field>,
    length: usize,
    max: usize,
) -> Result<(), InvalidInput> {
    if length <= max {
        return Ok(());
    }
    Err(InvalidInput::new(
        field,
        Rule::MaxItems(max),
        format!("it has {length}"),
    ))
}

/// A JSON object, where the document types a free-form value as `object`.
pub(crate) fn json_object(
    field: impl Into<Field>,
    value: &serde_json::Value,
) -> Result<(), InvalidInput> {
    if value.is_object() {
        return Ok(());
    }
    let kind = match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    };
    Err(InvalidInput::new(
        field,
        Rule::JsonObject,
        format!("it is {kind}"),
    ))
}

/// One of the values the document lists: an `Other` value is refused in a
/// request, since the server would refuse it too.
pub(crate) fn known<T: WireEnum>(field: impl Into<Field>, value: &T) -> Result<(), InvalidInput> {
    if value.is_known() {
        return Ok(());
    }
    let shown: String = value.as_str().chars().take(40).collect();
    Err(InvalidInput::new(
        field,
        Rule::OneOf(T::KNOWN),
        format!("it is `{shown}`"),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lengths_count_characters_and_one_reads_as_not_empty() {
        assert_eq!(min_length("f", "", 1).unwrap_err().rule(), &Rule::NotEmpty);
        assert_eq!(
            min_length("f", "ab", 3).unwrap_err().rule(),
            &Rule::MinLength(3)
        );
        assert!(max_length("f", &"é".repeat(5), 5).is_ok());
        assert_eq!(
            max_length("f", &"é".repeat(6), 5).unwrap_err().rule(),
            &Rule::MaxLength(5)
        );
    }

    #[test]
    fn bounds_are_inclusive_unless_exclusive() {
        assert!(minimum("n", 0_i64, 0, "0", false).is_ok());
        assert_eq!(
            minimum("n", 0_i64, 0, "0", true).unwrap_err().rule(),
            &Rule::GreaterThan("0")
        );
        assert!(maximum("n", 16.0_f64, 16.0, "16.0", false).is_ok());
        let error = maximum("cpu_cores", 16.5_f64, 16.0, "16.0", false).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid `cpu_cores`: must be at most 16.0 (it is 16.5)"
        );
    }

    #[test]
    fn patterns_quote_the_value_only_when_allowed() {
        let shown = pattern("slug", "Bad Slug", "^[a-z0-9-]+$", true).unwrap_err();
        assert!(shown.problem().contains("Bad Slug"));
        let hidden = pattern("token", "s3cr3t value", "^[a-z]+$", false).unwrap_err();
        assert!(!hidden.to_string().contains("s3cr3t"));
        assert!(pattern("slug", "good-slug-1", "^[a-z0-9-]+$", true).is_ok());
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_an_error_not_a_pass() {
        let error = pattern("f", "anything", "(unclosed", true).unwrap_err();
        assert_eq!(error.rule(), &Rule::UncheckablePattern("(unclosed"));
    }

    #[test]
    fn free_form_objects_must_be_objects() {
        assert!(json_object("metrics", &serde_json::json!({"a": 1})).is_ok());
        let error = json_object("samples[2]", &serde_json::json!([1])).unwrap_err();
        assert_eq!(
            (error.field(), error.rule()),
            ("samples[2]", &Rule::JsonObject)
        );
        assert!(error.to_string().contains("an array"), "{error}");
    }

    #[test]
    fn item_counts_name_the_limit() {
        assert_eq!(
            min_items("ids", 0, 1).unwrap_err().rule(),
            &Rule::MinItems(1)
        );
        assert_eq!(
            max_items("ids", 501, 500).unwrap_err().rule(),
            &Rule::MaxItems(500)
        );
        assert!(max_items("ids", 500, 500).is_ok());
    }
}
