//! The error a request type returns when its input breaks one of the
//! document's rules, before anything is sent.

use std::borrow::Cow;

use crate::FieldLocation;

/// Which rule of the PI API's document an input broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The value must not be empty.
    NotEmpty,
    /// The value must be at most this many characters long.
    MaxLength(usize),
    /// The value must be at most this many bytes long.
    MaxBytes(usize),
    /// The value must match this regular expression.
    Pattern(&'static str),
    /// The value must be a single path segment the server can route: not
    /// empty, not `.` and not `..`.
    PathSegment,
    /// The value must lie in this inclusive range.
    Range {
        /// The smallest accepted value.
        min: i64,
        /// The largest accepted value.
        max: i64,
    },
    /// The value must not contain control characters.
    NoControlCharacters,
    /// The value must be at least this many characters long.
    MinLength(usize),
    /// The number must be at least this bound (as the document writes it).
    AtLeast(&'static str),
    /// The number must be greater than this bound.
    GreaterThan(&'static str),
    /// The number must be at most this bound.
    AtMost(&'static str),
    /// The number must be less than this bound.
    LessThan(&'static str),
    /// The list must have at least this many items.
    MinItems(usize),
    /// The list must have at most this many items.
    MaxItems(usize),
    /// The value must be a JSON object.
    JsonObject,
    /// The value must be one of these, the values the document lists.
    OneOf(&'static [&'static str]),
    /// The document's pattern for this field could not be compiled, so the
    /// value could not be checked (a defect of this crate, not of the value).
    UncheckablePattern(&'static str),
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotEmpty => f.write_str("must not be empty"),
            Self::MaxLength(max) => write!(f, "must be at most {max} characters"),
            Self::MaxBytes(max) => write!(f, "must be at most {max} bytes"),
            Self::Pattern(pattern) => write!(f, "must match {pattern}"),
            Self::PathSegment => {
                f.write_str("must be a usable path segment (not empty, `.` or `..`)")
            }
            Self::Range { min, max } => write!(f, "must be between {min} and {max}"),
            Self::NoControlCharacters => f.write_str("must not contain control characters"),
            Self::MinLength(min) => write!(f, "must be at least {min} characters"),
            Self::AtLeast(bound) => write!(f, "must be at least {bound}"),
            Self::GreaterThan(bound) => write!(f, "must be greater than {bound}"),
            Self::AtMost(bound) => write!(f, "must be at most {bound}"),
            Self::LessThan(bound) => write!(f, "must be less than {bound}"),
            Self::MinItems(min) => write!(f, "must have at least {min} items"),
            Self::MaxItems(max) => write!(f, "must have at most {max} items"),
            Self::OneOf(values) => write!(f, "must be one of {}", values.join(", ")),
            Self::JsonObject => f.write_str("must be a JSON object"),
            Self::UncheckablePattern(pattern) => {
                write!(f, "could not be checked against {pattern}")
            }
        }
    }
}

/// An input that breaks one of the document's rules: which field (and where
/// in the request it goes), which rule, and what was wrong with the value.
///
/// The field is named as the API's own 422 names it once pi-types reads it
/// ([`FieldError`](crate::FieldError)): its path inside its location, as the
/// document spells it (`name`, `pod.gpuCount`, `limit`), so one mistake has
/// one name whether it is caught here or by the server.
///
/// The problem never repeats a secret value; for other fields it may quote
/// the offending character or length.
///
/// ```
/// use pi_types::{CreateSecret, FieldLocation, Validate};
///
/// let error = CreateSecret::new("lower_case", "v").validate().unwrap_err();
/// assert_eq!(error.field(), "name");
/// assert_eq!(error.location(), FieldLocation::Body);
/// assert_eq!(
///     error.to_string(),
///     "invalid `name`: must match ^[A-Z][A-Z0-9_]*$ (`lower_case` does not match)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {rule} ({problem})")]
pub struct InvalidInput {
    field: Cow<'static, str>,
    location: FieldLocation,
    rule: Rule,
    problem: String,
}

impl InvalidInput {
    /// Makes an error for the body field `field` that broke `rule`, with a
    /// short description of what was wrong with the value. Use
    /// [`at`](Self::at) for a parameter.
    #[must_use]
    pub fn new(
        field: impl Into<Cow<'static, str>>,
        rule: Rule,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            location: FieldLocation::Body,
            rule,
            problem: problem.into(),
        }
    }

    /// The same error for a field found at `location`: a query parameter
    /// checked before sending is `.at(FieldLocation::Query)`.
    #[must_use]
    pub fn at(mut self, location: FieldLocation) -> Self {
        self.location = location;
        self
    }

    /// The same error for a field nested under `parent`: `gpuCount` inside
    /// `pod` becomes `pod.gpuCount`.
    #[must_use]
    pub fn within(mut self, parent: impl Into<Cow<'static, str>>) -> Self {
        self.field = format!("{}.{}", parent.into(), self.field).into();
        self
    }

    /// The field as the API names it (`name`, `value`, `description`, ...),
    /// with its parents for nested fields (`pod.gpuCount`, `samples[3].id`).
    #[must_use]
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Where the field goes in the request: [`FieldLocation::Body`] for the
    /// request types' own checks, query or path for parameters.
    #[must_use]
    pub fn location(&self) -> FieldLocation {
        self.location
    }

    /// The rule the value broke.
    #[must_use]
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// What was wrong with the value.
    #[must_use]
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

/// Checks that `value` can travel as one path segment (an id in a URL).
///
/// Every other character is percent-encoded by the client, but an empty
/// segment, `.` and `..` are removed or resolved by URL handling on the way,
/// so they can never reach the operation they were meant for.
///
/// ```
/// use pi_types::FieldLocation;
///
/// assert!(pi_types::check_path_segment("secret_id", "a/../b").is_ok());
/// let error = pi_types::check_path_segment("secret_id", "..").unwrap_err();
/// assert_eq!((error.field(), error.location()), ("secret_id", FieldLocation::Path));
/// ```
pub fn check_path_segment(field: &'static str, value: &str) -> Result<(), InvalidInput> {
    let problem = match value {
        "" => "it is empty".to_owned(),
        "." | ".." => format!("`{value}` would be resolved away by URL handling"),
        _ => return Ok(()),
    };
    Err(InvalidInput::new(field, Rule::PathSegment, problem).at(FieldLocation::Path))
}

/// A request body that can check the document's rules before it is sent.
///
/// Every generated request type implements it; the client calls it before
/// sending, so a body that breaks a rule never leaves the process.
///
/// ```
/// use pi_types::{CreateSecret, Validate};
///
/// assert!(CreateSecret::new("API_TOKEN", "t0k3n").validate().is_ok());
/// let error = CreateSecret::new("API_TOKEN", "").validate().unwrap_err();
/// assert_eq!(error.field(), "value");
/// ```
pub trait Validate {
    /// Checks every rule the document sets on this value and what it holds.
    ///
    /// # Errors
    /// The first rule broken, naming the field (with its parents) and the rule.
    fn validate(&self) -> Result<(), InvalidInput>;
}

impl Validate for serde_json::Value {
    /// Free-form JSON has no rules of its own.
    fn validate(&self) -> Result<(), InvalidInput> {
        Ok(())
    }
}
