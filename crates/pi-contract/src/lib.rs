//! Contract testing for the PI API: load its OpenAPI document, validate
//! requests and responses against it.

mod schema;

pub mod request;
pub mod spec;
pub mod synth;
pub mod violation;

pub use request::HttpRequest;
pub use spec::{Operation, Parameter, ParameterLocation, RequestBody, Response, Spec, SpecError};
pub use synth::{Instance, SynthError, Synthesized};
pub use violation::{Rule, Violation};
pub mod diff;
pub mod document;
pub mod normalize;
