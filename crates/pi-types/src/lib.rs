//! Serde models of the PI API (Prime Intellect): the requests you send, the
//! resources you get back, and the envelopes and error bodies around them.
//!
//! The crate has no HTTP or async dependencies, so a service that only stores
//! or forwards PI resources can depend on it alone. `pi-client` sends these
//! types; `pi-contract` proves them against the API's OpenAPI document.
//!
//! ```
//! use pi_types::{ApiResponse, CreateSecret, Secret, Validate};
//!
//! // Required fields are constructor arguments; optional ones are `with_*`.
//! let request = CreateSecret::new("DATABASE_URL", "postgres://u:p@db/app")
//!     .with_description("primary database");
//! // Request types check the document's rules before anything is sent
//! // (pi-client calls `validate` for you).
//! request.validate()?;
//! assert!(CreateSecret::new("lower_case", "v").validate().is_err());
//! // The value never shows in debug output.
//! assert!(!format!("{request:?}").contains("postgres://"));
//!
//! // Responses accept what the server sends, including fields added later.
//! let body = r#"{"data": {"id": "sec_1", "name": "DATABASE_URL",
//!     "createdAt": "2026-01-15T10:30:00.000000", "updatedAt": "2026-01-15T10:30:00Z",
//!     "someNewField": true}, "status": "ok"}"#;
//! let response: ApiResponse<Secret> = serde_json::from_str(body)?;
//! assert_eq!(response.data.map(|secret| secret.id), Some("sec_1".to_owned()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod availability;
mod check;
mod enums;
mod envelope;
mod error_body;
mod exposed;
mod field;
pub mod gateway;
#[rustfmt::skip]
mod generated;
mod images;
mod invalid;
mod secrets;
mod timestamp;

pub use availability::{AvailabilitySummary, GpuOffersByType, cheapest_offer, offers_by_price};
pub use enums::WireEnum;
pub use envelope::{ApiResponse, Page};
pub use error_body::{ErrorBody, ErrorDetail, ErrorResponse, FieldError, ValidationDetail};
pub use field::{FieldLocation, field_path};
pub use generated::*;
pub use images::{ImageRef, ImageRefError, ImageRefPart};
pub use invalid::{InvalidInput, Rule, Validate, check_path_segment};
pub use secrecy::{ExposeSecret, SecretString};
pub use secrets::FILE_SECRET_MAX_BYTES;
pub use timestamp::{Timestamp, TimestampError};
