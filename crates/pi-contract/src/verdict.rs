//! The verdict on a document: whether today's SDK is broken by it, behind
//! it, or holds. It weighs two views of the same change: the diff from the
//! document the SDK was generated from (with the SDK's own assumptions), and
//! the contract suite run against the new document.
//!
//! ```
//! use pi_contract::diff::diff;
//! use pi_contract::report::SuiteReport;
//! use pi_contract::verdict::{Verdict, judge};
//! use serde_json::json;
//!
//! let old = json!({"openapi": "3.1.0", "paths": {}});
//! let new = json!({"openapi": "3.1.0", "paths": {"/things": {"get": {"responses": {"200": {}}}}}});
//! let suite = SuiteReport::new("new.json");
//! assert_eq!(judge(Some(&diff(&old, &new)), &suite), Verdict::Behind);
//! assert_eq!(judge(Some(&diff(&old, &old)), &suite), Verdict::Holds);
//! ```

use std::fmt;

use crate::diff::{Class, DiffReport};
use crate::report::SuiteReport;

/// What a document means for the SDK built from the vendored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Today's SDK would send a request the document refuses, fail to decode
    /// an answer it allows, lose or alter a value it types, call an
    /// operation that is gone, or miss the base URL or the authentication.
    Broken,
    /// Today's SDK keeps working, but the document has what it does not
    /// reach yet: update the vendored document and regenerate.
    Behind,
    /// Nothing the SDK does or could do changes.
    Holds,
}

impl Verdict {
    /// `broken`, `behind` or `holds`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Broken => "broken",
            Verdict::Behind => "behind",
            Verdict::Holds => "holds",
        }
    }

    /// The verdict a class of change leads to on its own.
    pub fn of_class(class: Class) -> Verdict {
        match class {
            Class::Breaking => Verdict::Broken,
            Class::Behind => Verdict::Behind,
            Class::None => Verdict::Holds,
        }
    }

    /// Whether a run with this verdict fails: `broken` always, `behind`
    /// when asked to (`--fail-on behind`).
    pub fn fails(self, fail_on_behind: bool) -> bool {
        match self {
            Verdict::Broken => true,
            Verdict::Behind => fail_on_behind,
            Verdict::Holds => false,
        }
    }

    /// What to do about it, for a person reading the last lines of a run.
    pub fn next_step(self, spec: &str) -> String {
        match self {
            Verdict::Broken => format!(
                "today's SDK does not work with {spec}: the breaking findings above name the \
                 SDK items that change; update them (`cargo xtask spec update --from {spec}`, \
                 `cargo xtask codegen`, then the hand-written calls and drivers they name)"
            ),
            Verdict::Behind => format!(
                "today's SDK still works with {spec}, but does not reach what it adds; to catch \
                 up run `cargo xtask spec update --from {spec}` then `cargo xtask codegen`, and \
                 add calls and drivers for the additions listed above"
            ),
            Verdict::Holds => format!("today's SDK holds against {spec}; nothing to do"),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict from the diff of the vendored document to the new one (none
/// when the suite ran against the vendored document itself) and the suite's
/// report: the worst of the two. Against the vendored document every failed
/// check is breaking, so there the SDK must be complete to hold.
pub fn judge(diff: Option<&DiffReport>, suite: &SuiteReport) -> Verdict {
    let from_diff = diff
        .and_then(DiffReport::worst)
        .map_or(Verdict::Holds, Verdict::of_class);
    let from_suite = suite
        .failures
        .iter()
        .map(|failure| Verdict::of_class(failure.class))
        .min()
        .unwrap_or(Verdict::Holds);
    from_diff.min(from_suite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_view_decides() {
        let mut suite = SuiteReport::new("x");
        assert_eq!(judge(None, &suite), Verdict::Holds);
        suite.fail_as(Class::Behind, "op", "inputs", "new input");
        assert_eq!(judge(None, &suite), Verdict::Behind);
        suite.fail("op", "decode", "missing field");
        assert_eq!(judge(None, &suite), Verdict::Broken);
    }

    #[test]
    fn behind_fails_only_when_asked() {
        assert!(Verdict::Broken.fails(false));
        assert!(!Verdict::Behind.fails(false));
        assert!(Verdict::Behind.fails(true));
        assert!(!Verdict::Holds.fails(true));
    }
}
