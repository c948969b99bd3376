//! The error a request type returns when its input breaks one of the
//! document's rules, before anything is sent.

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
        }
    }
}

/// An input that breaks one of the document's rules: which field, which rule,
/// and what was wrong with the value.
///
/// The problem never repeats a secret value; for other fields it may quote
/// the offending character or length.
///
/// ```
/// let error = pi_types::CreateSecret::new("lower_case", "v").unwrap_err();
/// assert_eq!(error.field(), "name");
/// assert_eq!(
///     error.to_string(),
///     "invalid `name`: must match ^[A-Z][A-Z0-9_]*$ (it starts with 'l', not an uppercase letter)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {rule} ({problem})")]
pub struct InvalidInput {
    field: &'static str,
    rule: Rule,
    problem: String,
}

impl InvalidInput {
    /// Makes an error for `field` that broke `rule`, with a short description
    /// of what was wrong with the value.
    #[must_use]
    pub fn new(field: &'static str, rule: Rule, problem: impl Into<String>) -> Self {
        Self {
            field,
            rule,
            problem: problem.into(),
        }
    }

    /// The field as the API names it (`name`, `value`, `description`, ...).
    #[must_use]
    pub fn field(&self) -> &'static str {
        self.field
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
/// assert!(pi_types::check_path_segment("secret_id", "a/../b").is_ok());
/// assert_eq!(pi_types::check_path_segment("secret_id", "..").unwrap_err().field(), "secret_id");
/// ```
pub fn check_path_segment(field: &'static str, value: &str) -> Result<(), InvalidInput> {
    match value {
        "" => Err(InvalidInput::new(field, Rule::PathSegment, "it is empty")),
        "." | ".." => Err(InvalidInput::new(
            field,
            Rule::PathSegment,
            format!("`{value}` would be resolved away by URL handling"),
        )),
        _ => Ok(()),
    }
}
