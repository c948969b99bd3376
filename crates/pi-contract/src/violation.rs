//! Contract violations: what a request or response did wrong, where, and by which rule.

use std::borrow::Cow;
use std::fmt;

/// The short, stable name of a broken rule, such as `required`, `type` or
/// `unknown-parameter`.
///
/// Rules that come from a JSON Schema keyword carry the keyword's name
/// (`pattern`, `maxLength`, `minimum`, `enum`, `additionalProperties`, ...);
/// rules about the request itself have the names of the constants below.
/// A `Rule` compares equal to a plain string, which keeps tests short:
///
/// ```
/// use pi_contract::Rule;
///
/// assert_eq!(Rule::MISSING_AUTH, "missing-auth");
/// assert_eq!(Rule::from_keyword("maxLength").as_str(), "maxLength");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rule(Cow<'static, str>);

impl Rule {
    /// No documented operation has this method and path.
    pub const UNKNOWN_OPERATION: Rule = Rule(Cow::Borrowed("unknown-operation"));
    /// A required parameter or a required body is missing (also the JSON
    /// Schema `required` keyword).
    pub const REQUIRED: Rule = Rule(Cow::Borrowed("required"));
    /// A value does not have the type its schema asks for.
    pub const TYPE: Rule = Rule(Cow::Borrowed("type"));
    /// A query parameter the operation does not document.
    pub const UNKNOWN_PARAMETER: Rule = Rule(Cow::Borrowed("unknown-parameter"));
    /// A property of a JSON request body (at any depth) that the schema at
    /// that place does not declare. The API ignores it, so whatever the
    /// caller meant by it is lost.
    ///
    /// A property counts as declared when any schema that applies there
    /// lists it: the schema itself, every branch of `anyOf`, `oneOf` and
    /// `allOf` (through `$ref`s), and for arrays their `items`. Nothing is
    /// reported under a schema that allows additional properties
    /// (`additionalProperties: true` or a schema) or declares no properties
    /// at all (a free-form object such as `{"type": "object"}`); under
    /// `additionalProperties: false` the schema's own `additionalProperties`
    /// rule reports the property instead.
    pub const UNKNOWN_PROPERTY: Rule = Rule(Cow::Borrowed("unknown-property"));
    /// A parameter that takes one value was given several times.
    pub const REPEATED_PARAMETER: Rule = Rule(Cow::Borrowed("repeated-parameter"));
    /// The operation requires `Authorization: Bearer <token>` and the request
    /// has none (or a malformed one).
    pub const MISSING_AUTH: Rule = Rule(Cow::Borrowed("missing-auth"));
    /// The body is not valid JSON.
    pub const NOT_JSON: Rule = Rule(Cow::Borrowed("not-json"));
    /// The body's `Content-Type` is not the documented media type.
    pub const CONTENT_TYPE: Rule = Rule(Cow::Borrowed("content-type"));
    /// The request has a body but the operation documents none.
    pub const UNEXPECTED_BODY: Rule = Rule(Cow::Borrowed("unexpected-body"));
    /// A response status the operation does not document.
    pub const UNDOCUMENTED_STATUS: Rule = Rule(Cow::Borrowed("undocumented-status"));

    /// The rule named after a JSON Schema keyword (`pattern`, `maxLength`, ...).
    #[must_use]
    pub fn from_keyword(keyword: &str) -> Rule {
        Rule(Cow::Owned(keyword.to_owned()))
    }

    /// The rule's name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// One way in which a request or a response breaks the contract.
///
/// `location` says where: `method` or `path` for an unknown operation,
/// `path.<name>`, `query.<name>` and `header.<name>` for parameters (header
/// names in lower case), and `body` followed by a JSON pointer for bodies
/// (`body` for the whole body, `body/name`, `body/items/0/id`). In a request
/// body, a required property that is missing and a property the schema
/// forbids are located at the property (`body/name`), where the API's 422
/// names them; in a response, JSON Schema's place is kept (the object).
///
/// `Display` prints `operation_id: location: rule: message`, with `-` in place
/// of the operation id when no operation matched. A violation never contains
/// the value of a bearer token.
///
/// ```
/// use pi_contract::{Rule, Violation};
///
/// let violation = Violation::new(Some("list_secrets"), "query.limit", Rule::TYPE, "expected an integer");
/// assert_eq!(violation.to_string(), "list_secrets: query.limit: type: expected an integer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The id of the operation the request matched, if it matched one.
    pub operation_id: Option<String>,
    /// Where the problem is (see the type's documentation).
    pub location: String,
    /// The rule that was broken.
    pub rule: Rule,
    /// What went wrong, for a person.
    pub message: String,
}

impl Violation {
    /// A violation of `rule` at `location`, in the operation `operation_id`.
    #[must_use]
    pub fn new(
        operation_id: Option<&str>,
        location: impl Into<String>,
        rule: Rule,
        message: impl Into<String>,
    ) -> Violation {
        Violation {
            operation_id: operation_id.map(str::to_owned),
            location: location.into(),
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: {}",
            self.operation_id.as_deref().unwrap_or("-"),
            self.location,
            self.rule,
            self.message
        )
    }
}
