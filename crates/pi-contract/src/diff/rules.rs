//! Stable identifiers of the kinds of change, as they appear in [`Change::rule`](super::Change::rule).
//!
//! An identifier names what moved, never how it is classed: the same rule can
//! be breaking in one direction and non-breaking in the other. Identifiers
//! are part of the JSON report and are never renamed.

/// An operation exists only in the new document.
pub const OPERATION_ADDED: &str = "operation.added";
/// An operation exists only in the old document.
pub const OPERATION_REMOVED: &str = "operation.removed";
/// An operation id moved to another method or path.
pub const OPERATION_MOVED: &str = "operation.moved";
/// An operation became deprecated, or stopped being.
pub const OPERATION_DEPRECATED: &str = "operation.deprecated";
/// A parameter exists only in the new document.
pub const PARAMETER_ADDED: &str = "parameter.added";
/// A parameter exists only in the old document.
pub const PARAMETER_REMOVED: &str = "parameter.removed";
/// A parameter moved between path, query, header and cookie.
pub const PARAMETER_LOCATION: &str = "parameter.location";
/// A parameter became required or optional.
pub const PARAMETER_REQUIRED: &str = "parameter.required";
/// A parameter's serialization style or explode flag changed.
pub const PARAMETER_STYLE: &str = "parameter.style";
/// The request body appeared.
pub const REQUEST_BODY_ADDED: &str = "request.body.added";
/// The request body disappeared.
pub const REQUEST_BODY_REMOVED: &str = "request.body.removed";
/// The request body became required or optional.
pub const REQUEST_BODY_REQUIRED: &str = "request.body.required";
/// A request content type appeared or disappeared.
pub const REQUEST_CONTENT_TYPE: &str = "request.content_type";
/// A request property appeared.
pub const REQUEST_PROPERTY_ADDED: &str = "request.property.added";
/// A request property disappeared.
pub const REQUEST_PROPERTY_REMOVED: &str = "request.property.removed";
/// A request property became required or optional.
pub const REQUEST_PROPERTY_REQUIRED: &str = "request.property.required";
/// A request value's type changed.
pub const REQUEST_TYPE: &str = "request.type";
/// A request value may now be null, or no longer may.
pub const REQUEST_NULLABLE: &str = "request.nullable";
/// A request constraint now rejects values it accepted.
pub const REQUEST_CONSTRAINT_TIGHTENED: &str = "request.constraint.tightened";
/// A request constraint now accepts more values.
pub const REQUEST_CONSTRAINT_LOOSENED: &str = "request.constraint.loosened";
/// A request enum value appeared or disappeared, or the enum itself did.
pub const REQUEST_ENUM: &str = "request.enum";
/// A request default changed.
pub const REQUEST_DEFAULT: &str = "request.default";
/// A request alternative (`anyOf`/`oneOf` member) appeared or disappeared.
pub const REQUEST_VARIANT: &str = "request.variant";
/// Extra request properties became allowed or forbidden.
pub const REQUEST_ADDITIONAL_PROPERTIES: &str = "request.additional_properties";
/// A response property appeared.
pub const RESPONSE_PROPERTY_ADDED: &str = "response.property.added";
/// A response property disappeared.
pub const RESPONSE_PROPERTY_REMOVED: &str = "response.property.removed";
/// A response property became optional or required.
pub const RESPONSE_PROPERTY_REQUIRED: &str = "response.property.required";
/// A response value's type changed.
pub const RESPONSE_TYPE: &str = "response.type";
/// A response value may now be null, or no longer may.
pub const RESPONSE_NULLABLE: &str = "response.nullable";
/// A response format changed (clients decode dates and ids by format).
pub const RESPONSE_FORMAT: &str = "response.format";
/// A response constraint changed.
pub const RESPONSE_CONSTRAINT: &str = "response.constraint";
/// A response enum value appeared or disappeared, or the enum itself did.
pub const RESPONSE_ENUM: &str = "response.enum";
/// A response alternative (`anyOf`/`oneOf` member) appeared or disappeared.
pub const RESPONSE_VARIANT: &str = "response.variant";
/// Extra response properties became allowed or forbidden.
pub const RESPONSE_ADDITIONAL_PROPERTIES: &str = "response.additional_properties";
/// A response content type appeared or disappeared.
pub const RESPONSE_CONTENT_TYPE: &str = "response.content_type";
/// A success (2xx) status appeared, disappeared or changed.
pub const STATUS_SUCCESS: &str = "status.success";
/// An error status appeared or disappeared.
pub const STATUS_ERROR: &str = "status.error";
/// Authentication requirements changed.
pub const SECURITY: &str = "security";
/// A security scheme an operation uses changed its definition.
pub const SECURITY_SCHEME: &str = "security.scheme";
/// The URL the operations live under changed: another scheme, host or path
/// prefix in the first server (variables at their defaults), document-wide or
/// for one operation.
pub const SERVER_URL: &str = "server.url";
/// A value the SDK's hand-written code relies on (a state a waiter waits
/// for, a field a page walker reads) is gone or renamed.
pub const SDK_ASSUMPTION: &str = "sdk.assumption";
/// The servers changed without moving the URL operations live under: another
/// server added or removed, the same URL written differently, a variable's
/// allowed values.
pub const SERVER_LIST: &str = "server.list";
