//! What the hand-written layer relies on beyond the generated types, declared
//! beside the code that relies on it and gathered here for the drift tools.
//!
//! The generated models follow the document by construction; a waiter that
//! waits for `ACTIVE`, a page walker that reads `total_count` or a create call
//! that makes retries safe with `idempotency_key` rely on more than a type can
//! say. `cargo xtask spec diff` and `cargo xtask contract --spec` call a new
//! document that drops or renames one of these values breaking, even where a
//! generic rule would call the change harmless (a response enum value removed
//! still decodes).
//!
//! ```
//! let waits_for_active = pi_client::assumptions::all()
//!     .iter()
//!     .any(|a| a.value == Some("ACTIVE") && a.operation.starts_with("GET /api/v1/pods/"));
//! assert!(waits_for_active);
//! ```

/// One value of the API the SDK's hand-written code relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Assumption {
    /// The operation, method and path template: `GET /api/v1/pods/{pod_id}`.
    pub operation: &'static str,
    /// Where in the operation: `response 200 .status` or `request body .idempotency_key`.
    pub location: &'static str,
    /// The enum value relied on; `None` when the field itself is.
    pub value: Option<&'static str>,
    /// The SDK code that relies on it.
    pub reason: &'static str,
}

impl Assumption {
    /// That `operation` keeps the field at `location`.
    pub(crate) const fn field(
        operation: &'static str,
        location: &'static str,
        reason: &'static str,
    ) -> Self {
        Assumption {
            operation,
            location,
            value: None,
            reason,
        }
    }

    /// That the field at `location` of `operation` keeps the enum value `value`.
    pub(crate) const fn value(
        operation: &'static str,
        location: &'static str,
        value: &'static str,
        reason: &'static str,
    ) -> Self {
        Assumption {
            operation,
            location,
            value: Some(value),
            reason,
        }
    }
}

/// Every assumption of the SDK, area by area.
pub fn all() -> Vec<Assumption> {
    [
        crate::pods::ASSUMPTIONS,
        crate::disks::ASSUMPTIONS,
        crate::sandboxes::ASSUMPTIONS,
        crate::page::ASSUMPTIONS,
    ]
    .concat()
}
