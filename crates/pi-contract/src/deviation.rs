//! The places where [`ContractServer`](crate::ContractServer) answers like the
//! PI API rather than like the letter of its OpenAPI document.
//!
//! The document is FastAPI's description of the API, and the API does more
//! than it says: it redirects a path missing its trailing slash, answers 404
//! for an id it does not know although most operations document only 422,
//! fills every field of what it returns, echoes what was sent and filters
//! lists by team and labels. Code tested against a mock that only follows the
//! document would meet none of that until it met the real API, so the mock
//! follows the API in exactly these places, listed in [`DEVIATIONS`]. Each
//! one is accepted by the server's own checks: a request the API redirects
//! and an answer the API gives are not reported as violations.
//!
//! ```
//! use pi_contract::deviation::{DEVIATIONS, Deviation};
//!
//! assert!(DEVIATIONS.contains(&Deviation::TrailingSlashRedirect));
//! assert_eq!(Deviation::UnknownIdNotFound.status(), Some(404));
//! ```

use std::fmt;

/// One way the mock follows the PI API beyond its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Deviation {
    /// A path the document has only with (or only without) a trailing
    /// slash, asked for the other way, gets `307 Temporary Redirect` to the
    /// documented spelling, query kept, for any method: FastAPI's
    /// `redirect_slashes`. The official clients call `/api/v1/pods` and
    /// `/api/v1/disks` and follow it. The request is recorded without a
    /// violation ([`Spec::validate_request`](crate::Spec::validate_request),
    /// which checks the document alone, still names it).
    TrailingSlashRedirect,
    /// In the stateful mode, an id that is not stored (never created, or
    /// deleted), on its own path or under it (`/sandbox/{id}/logs`), gets
    /// `404` with `{"detail": "<Resource> not found"}`, even where the
    /// operation documents only 422.
    UnknownIdNotFound,
    /// An operation without a given response answers a complete instance
    /// (every documented property, `data` present in envelopes, page counts
    /// that agree with the items), where the document would also allow an
    /// almost empty one.
    CompleteAnswers,
    /// In the stateful mode, a stored resource answers with what was sent
    /// for it, mapped from request names to response names (`docker_image`
    /// to `dockerImage`); only what the server owns (ids, timestamps,
    /// statuses) is made up, and optional fields nobody sent are `null`
    /// (or their documented default), never a placeholder.
    EchoedFields,
    /// In the stateful mode, a list keeps the resources of the team the
    /// query names (`teamId` or `team_id`; personal ones without it), those
    /// carrying every label of a `labels` query, and those matching any
    /// other query parameter named like a stored field (`status`).
    ListFilters,
}

/// Every place the mock follows the API rather than the document.
pub const DEVIATIONS: [Deviation; 5] = [
    Deviation::TrailingSlashRedirect,
    Deviation::UnknownIdNotFound,
    Deviation::CompleteAnswers,
    Deviation::EchoedFields,
    Deviation::ListFilters,
];

impl Deviation {
    /// A short kebab-case name (`trailing-slash-redirect`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Deviation::TrailingSlashRedirect => "trailing-slash-redirect",
            Deviation::UnknownIdNotFound => "unknown-id-not-found",
            Deviation::CompleteAnswers => "complete-answers",
            Deviation::EchoedFields => "echoed-fields",
            Deviation::ListFilters => "list-filters",
        }
    }

    /// The status it answers with that the document may not list, if it
    /// brings one (307 for the redirect, 404 for an unknown id).
    #[must_use]
    pub fn status(self) -> Option<u16> {
        match self {
            Deviation::TrailingSlashRedirect => Some(307),
            Deviation::UnknownIdNotFound => Some(404),
            Deviation::CompleteAnswers | Deviation::EchoedFields | Deviation::ListFilters => None,
        }
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
