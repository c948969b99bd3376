//! The findings of a diff and how they are written: [`Class`], [`Change`],
//! [`DiffReport`] with its text, summary and JSON forms.

use std::fmt;

use serde_json::{Value, json};

/// How a change affects the SDK built from the old document.
///
/// The classes are ordered from the most to the least urgent, so the worst
/// class of a set of changes is its minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Today's SDK may now fail: a request the new document refuses, a
    /// response it cannot decode, a value it types lost or altered, an
    /// operation gone or moved, another base URL or authentication.
    Breaking,
    /// Today's SDK keeps working but does not reach everything the new
    /// document offers (a new operation, input, output or enum value, a
    /// loosened rule the SDK still enforces, a deprecation): regenerate it.
    Behind,
    /// Nothing a user of the SDK can notice; listed for the record.
    None,
}

impl Class {
    /// Every class, most urgent first.
    pub const ALL: [Class; 3] = [Class::Breaking, Class::Behind, Class::None];

    /// The identifier used in text and JSON output: `breaking`, `behind` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Behind => "behind",
            Class::None => "none",
        }
    }

    /// The label used in text output (the same as [`Class::as_str`]).
    pub fn label(self) -> &'static str {
        self.as_str()
    }

    /// The class named `text` (`breaking`, `behind` or `none`).
    pub fn parse(text: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|class| class.as_str() == text)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One contract change as one operation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    /// How the change affects the existing client.
    pub class: Class,
    /// The kind of change: one of the identifiers in [`rules`](super::rules).
    pub rule: &'static str,
    /// The affected operation: upper-case method, space, path template; or
    /// `servers` for a change to the document's servers.
    pub operation: String,
    /// Where in the operation, e.g. `request body .name`; empty for the operation itself.
    pub location: String,
    /// What changed, e.g. `maxLength 255 -> 64`.
    pub detail: String,
    /// The named schema of the old document (`SecretResponse`) the change is
    /// inside, when it is inside one: the SDK type generated from it is what
    /// the change reaches, whichever operations use it.
    pub schema: Option<String>,
    /// Where in [`Change::schema`] the change is (`.name`, `[]`, or empty for
    /// the schema itself); empty when there is no schema.
    pub field: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{} {}", self.operation, self.detail)
        } else {
            write!(f, "{} {} {}", self.operation, self.location, self.detail)
        }
    }
}

/// Every contract change between two documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffReport {
    changes: Vec<Change>,
}

impl DiffReport {
    /// A report of `changes`, already in report order.
    pub(super) fn new(changes: Vec<Change>) -> Self {
        DiffReport { changes }
    }

    /// All changes, grouped by operation (see the module docs for the order).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the two documents agree on every contract fact.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes have the given class.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.count(Class::Breaking) > 0
    }

    /// The counts per class on one line, e.g. `2 breaking, 1 behind, 0 none`.
    pub fn counts_line(&self) -> String {
        format!(
            "{} breaking, {} behind, {} none",
            self.count(Class::Breaking),
            self.count(Class::Behind),
            self.count(Class::None)
        )
    }

    /// The most urgent class among the changes; `None` when there are none.
    pub fn worst(&self) -> Option<Class> {
        self.changes.iter().map(|change| change.class).min()
    }

    /// A few lines for a terminal: the counts, then each breaking change.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "spec diff: no contract changes\n".to_owned();
        }
        let mut out = format!("spec diff: {}\n", self.counts_line());
        for change in self.changes.iter().filter(|c| c.class == Class::Breaking) {
            out.push_str(&format!("  breaking: {change}\n"));
        }
        out
    }

    /// The full report as text: one block per finding (see
    /// [`DiffReport::findings`]), then the counts per class.
    pub fn to_text(&self) -> String {
        self.to_text_with(&super::NoNames)
    }

    /// The report in the stable JSON shape documented in the module docs.
    pub fn to_json(&self) -> Value {
        self.to_json_with(&super::NoNames)
    }

    /// [`DiffReport::to_json`], with findings that name the SDK's items.
    pub fn to_json_with(&self, names: &dyn super::SdkNames) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                json!({
                    "class": c.class.as_str(),
                    "rule": c.rule,
                    "operation": c.operation,
                    "location": c.location,
                    "detail": c.detail,
                    "schema": c.schema,
                    "field": c.field,
                    "text": c.to_string(),
                })
            })
            .collect();
        json!({
            "summary": {
                "breaking": self.count(Class::Breaking),
                "behind": self.count(Class::Behind),
                "none": self.count(Class::None),
            },
            "changes": changes,
            "findings": self.findings_json(names),
        })
    }
}
