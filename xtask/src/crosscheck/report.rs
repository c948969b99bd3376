//! The crosscheck's result: every disagreement, accepted or to amend, the
//! pairs made and the models not mapped; as text for people and as the JSON
//! of `spec/observed/crosscheck.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::compare::{Finding, Kind};
use super::map::{Accepted, AcceptedList, Role};

/// A finding with the pair it was found in.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) client: String,
    pub(crate) place: String,
    pub(crate) role: Role,
    pub(crate) finding: Finding,
}

/// One disagreement between a document place and a client model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Disagreement {
    /// The client model (`module.ClassName`) or, for queries, the method
    /// that sends them.
    pub(crate) client: String,
    /// `schema NAME`, `METHOD /path request body|response|query`.
    pub(crate) place: String,
    pub(crate) field: String,
    pub(crate) kind: Kind,
    /// Whether the client sends or reads the place.
    pub(crate) role: Role,
    /// What the document says.
    pub(crate) document: String,
    /// What the client says.
    pub(crate) observed: String,
    /// The reason it was accepted, when it was.
    pub(crate) accepted: Option<String>,
}

impl Disagreement {
    /// What identifies a disagreement from run to run: not the wording of
    /// either side.
    fn key(&self) -> (&str, &str, &str, &str) {
        (&self.client, &self.place, &self.field, self.kind.name())
    }

    /// One line: place, field, kind, both sides, client.
    pub(crate) fn line(&self) -> String {
        format!(
            "{}  {}  {}: document {}; client {}  ({})",
            self.place,
            self.field,
            self.kind.name(),
            self.document,
            self.observed,
            self.client
        )
    }
}

/// Where the client models that are not paired stand.
#[derive(Debug, Default)]
pub(crate) struct Placement {
    /// Neither paired, nor inside a paired model, nor unpaired on purpose;
    /// mostly models of operations the document lacks.
    pub(crate) not_mapped: Vec<String>,
    /// Compared as part of a paired model: model → the paired model.
    pub(crate) inside: BTreeMap<String, String>,
    /// How many are unpaired on purpose in `map.toml`.
    pub(crate) unpaired: usize,
}

/// Whether an accepted rule covers a finding: every key it gives matches;
/// the words of either side match when the side's description starts with them.
fn covers(rule: &Accepted, found: &Found) -> bool {
    let given = |key: &Option<String>, value: &str| key.as_deref().is_none_or(|k| k == value);
    let starts =
        |key: &Option<String>, value: &str| key.as_deref().is_none_or(|k| value.starts_with(k));
    rule.kind == found.finding.kind
        && rule.role.is_none_or(|role| role == found.role)
        && given(&rule.client, &found.client)
        && given(&rule.place, &found.place)
        && given(&rule.field, &found.finding.field)
        && starts(&rule.document, &found.finding.document)
        && starts(&rule.observed, &found.finding.client)
}

/// The whole result of a crosscheck.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Client model (or query sender) and document place, as mapped.
    pub(crate) pairs: Vec<(String, String)>,
    /// Sorted by place, field, kind and client.
    pub(crate) disagreements: Vec<Disagreement>,
    /// Where the client models that are not paired stand.
    pub(crate) placement: Placement,
    /// Accepted entries that no disagreement matches any more.
    pub(crate) stale_accepted: Vec<String>,
}

impl Outcome {
    /// Classifies the findings against the accepted list.
    pub(crate) fn new(
        found: Vec<Found>,
        accepted: &AcceptedList,
        pairs: Vec<(String, String)>,
        placement: Placement,
    ) -> Self {
        let mut used = vec![false; accepted.accepted.len()];
        let mut disagreements: Vec<Disagreement> = found
            .into_iter()
            .map(|found| {
                let matched = accepted
                    .accepted
                    .iter()
                    .position(|rule| covers(rule, &found));
                if let Some(index) = matched {
                    used[index] = true;
                }
                let Found {
                    client,
                    place,
                    role,
                    finding,
                } = found;
                Disagreement {
                    client,
                    place,
                    field: finding.field,
                    kind: finding.kind,
                    role,
                    document: finding.document,
                    observed: finding.client,
                    accepted: matched.map(|index| accepted.accepted[index].reason.clone()),
                }
            })
            .collect();
        disagreements.sort_by(|a, b| {
            (&a.place, &a.field, a.kind, &a.client).cmp(&(&b.place, &b.field, b.kind, &b.client))
        });
        let stale_accepted = accepted
            .accepted
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(rule, _)| {
                format!(
                    "{} {} at {} {} ({})",
                    rule.kind.name(),
                    rule.role.map_or("", Role::name),
                    rule.place.as_deref().unwrap_or("any place"),
                    rule.field.as_deref().unwrap_or("any field"),
                    rule.client.as_deref().unwrap_or("any client"),
                )
            })
            .collect();
        Self {
            pairs,
            disagreements,
            placement,
            stale_accepted,
        }
    }

    /// The disagreements still to amend.
    pub(crate) fn to_amend(&self) -> impl Iterator<Item = &Disagreement> {
        self.disagreements.iter().filter(|d| d.accepted.is_none())
    }

    /// The disagreements to amend that the `to_amend` list of `previous` (a
    /// former `crosscheck.json`) does not hold.
    pub(crate) fn new_since(&self, previous: &Value) -> Vec<&Disagreement> {
        let known: BTreeSet<(&str, &str, &str, &str)> = previous
            .get("to_amend")
            .and_then(Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        let text = |key: &str| e.get(key).and_then(Value::as_str).unwrap_or("");
                        (text("client"), text("place"), text("field"), text("kind"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.to_amend()
            .filter(|d| !known.contains(&d.key()))
            .collect()
    }

    /// How many disagreements of each kind, accepted or not.
    fn by_kind(&self) -> BTreeMap<&'static str, usize> {
        let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
        for disagreement in &self.disagreements {
            *counts.entry(disagreement.kind.name()).or_default() += 1;
        }
        counts
    }

    /// The content of `crosscheck.json`.
    pub(crate) fn to_json(&self) -> Value {
        let entry = |d: &Disagreement| {
            let mut value = json!({
                "client": d.client,
                "place": d.place,
                "field": d.field,
                "kind": d.kind.name(),
                "role": d.role.name(),
                "document": d.document,
                "observed": d.observed,
            });
            if let Some(reason) = &d.accepted {
                value["reason"] = json!(reason);
            }
            value
        };
        let accepted: Vec<Value> = self
            .disagreements
            .iter()
            .filter(|d| d.accepted.is_some())
            .map(entry)
            .collect();
        let to_amend: Vec<Value> = self.to_amend().map(entry).collect();
        let pairs: Vec<Value> = self
            .pairs
            .iter()
            .map(|(client, place)| json!({"client": client, "place": place}))
            .collect();
        crate::spec_observe::sorted(&json!({
            "counts": {
                "pairs": self.pairs.len(),
                "not_mapped": self.placement.not_mapped.len(),
                "inside_pairs": self.placement.inside.len(),
                "unpaired": self.placement.unpaired,
                "disagreements": self.disagreements.len(),
                "accepted": accepted.len(),
                "to_amend": to_amend.len(),
                "by_kind": self.by_kind(),
            },
            "pairs": pairs,
            "not_mapped": self.placement.not_mapped,
            "inside_pairs": self.placement.inside,
            "accepted": accepted,
            "to_amend": to_amend,
        }))
    }

    /// The report for the terminal; `new` are marked.
    pub(crate) fn text(&self, new: &[&Disagreement]) -> String {
        let to_amend: Vec<&Disagreement> = self.to_amend().collect();
        let mut out = format!(
            "crosscheck: {} pairs, {} disagreements ({} accepted, {} to amend, {} new); \
             client models: {} inside pairs, {} unpaired on purpose, {} not mapped\n",
            self.pairs.len(),
            self.disagreements.len(),
            self.disagreements.len() - to_amend.len(),
            to_amend.len(),
            new.len(),
            self.placement.inside.len(),
            self.placement.unpaired,
            self.placement.not_mapped.len()
        );
        let kinds: Vec<String> = Kind::ALL
            .iter()
            .map(|kind| {
                let count = self
                    .disagreements
                    .iter()
                    .filter(|d| d.kind == *kind)
                    .count();
                format!("{} {count}", kind.name())
            })
            .collect();
        let _ = writeln!(out, "by kind: {}", kinds.join(", "));
        if !to_amend.is_empty() {
            out.push_str("\nto amend:\n");
            for disagreement in to_amend {
                let mark = if new.contains(&disagreement) {
                    "new  "
                } else {
                    "     "
                };
                let _ = writeln!(out, "  {mark}{}", disagreement.line());
            }
        }
        if !self.placement.not_mapped.is_empty() {
            out.push_str("\nnot mapped (no document place in map.toml):\n");
            for name in &self.placement.not_mapped {
                let _ = writeln!(out, "  {name}");
            }
        }
        if !self.stale_accepted.is_empty() {
            out.push_str("\naccepted entries that match no disagreement (remove them):\n");
            for entry in &self.stale_accepted {
                let _ = writeln!(out, "  {entry}");
            }
        }
        out
    }
}
