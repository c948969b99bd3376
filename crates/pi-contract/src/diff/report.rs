//! The findings of a diff and how they are written: [`Class`], [`Change`],
//! [`DiffReport`] with its text, summary and JSON forms.

use std::fmt;

use serde_json::{Value, json};

/// How a change affects a client built against the old document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The existing client may now fail.
    Breaking,
    /// The existing client keeps working.
    NonBreaking,
    /// Nothing fails, but the change deserves a look.
    Informational,
}

impl Class {
    /// The identifier used in JSON output: `breaking`, `non_breaking` or `informational`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::NonBreaking => "non_breaking",
            Class::Informational => "informational",
        }
    }

    /// The label used in text output: `breaking`, `non-breaking` or `informational`.
    pub fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::NonBreaking => "non-breaking",
            Class::Informational => "informational",
        }
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

    /// The counts per class on one line, e.g. `2 breaking, 1 non-breaking, 0 informational`.
    pub fn counts_line(&self) -> String {
        format!(
            "{} breaking, {} non-breaking, {} informational",
            self.count(Class::Breaking),
            self.count(Class::NonBreaking),
            self.count(Class::Informational)
        )
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

    /// The full report as text: changes grouped under their operation, then a
    /// summary line with the counts per class.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut current: Option<&str> = None;
        for change in &self.changes {
            if current != Some(change.operation.as_str()) {
                if current.is_some() {
                    out.push('\n');
                }
                out.push_str(&change.operation);
                out.push('\n');
                current = Some(&change.operation);
            }
            let what = if change.location.is_empty() {
                change.detail.clone()
            } else {
                format!("{} {}", change.location, change.detail)
            };
            out.push_str(&format!("  {:<14} {what}\n", change.class.label()));
        }
        if !self.changes.is_empty() {
            out.push('\n');
        }
        if self.is_empty() {
            out.push_str("no contract changes\n");
        } else {
            out.push_str(&format!(
                "{} {}: {}\n",
                self.changes.len(),
                if self.changes.len() == 1 {
                    "change"
                } else {
                    "changes"
                },
                self.counts_line()
            ));
        }
        out
    }

    /// The report in the stable JSON shape documented in the module docs.
    pub fn to_json(&self) -> Value {
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
                    "text": c.to_string(),
                })
            })
            .collect();
        json!({
            "summary": {
                "breaking": self.count(Class::Breaking),
                "non_breaking": self.count(Class::NonBreaking),
                "informational": self.count(Class::Informational),
            },
            "changes": changes,
        })
    }
}
