//! The contract suite's report: per-area counts and every failed check,
//! grouped by operation. The suite writes it as JSON; `cargo xtask contract`
//! reads it back and prints it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::diff::Class;

/// Counts for one API area (an OpenAPI tag, such as `Secrets`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaReport {
    /// The area's name.
    pub area: String,
    /// Operations the spec has in this area.
    pub operations: usize,
    /// Operations with a driver.
    pub driven: usize,
    /// Operations excluded from the suite, each with a reason.
    pub excluded: usize,
    /// Requests the client sent and the spec validated.
    pub requests_validated: usize,
    /// Responses synthesized from the spec that the client decoded.
    pub responses_decoded: usize,
    /// Documented inputs (parameters and body properties) of the driven
    /// operations that some call sends.
    #[serde(default)]
    pub inputs_covered: usize,
    /// Documented inputs of the driven operations, less the reviewed exclusions.
    #[serde(default)]
    pub inputs_total: usize,
    /// Documented output properties of the driven operations that come back
    /// unchanged through the client's types.
    #[serde(default)]
    pub outputs_typed: usize,
    /// Documented output properties of the driven operations.
    #[serde(default)]
    pub outputs_total: usize,
    /// Checks that failed.
    pub violations: usize,
    /// Operations of the project's supplement (not in the published
    /// document) in this area.
    #[serde(default)]
    pub supplement: usize,
    /// Supplement operations the SDK does not reach yet: named in the
    /// report, not failures.
    #[serde(default)]
    pub not_yet_covered: usize,
    /// The official clients (and versions) the area's supplement operations
    /// were observed in, their `x-pi-source`.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One failed check of the suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The operation the check was about; `-` for checks of the whole suite,
    /// such as coverage.
    pub operation_id: String,
    /// Which check, such as `request (all inputs)` or `decode 200 maximal`.
    pub check: String,
    /// What went wrong.
    pub message: String,
    /// Whether the SDK is broken by it or only behind the document (an
    /// operation, input or output it does not reach yet). Against the
    /// document the SDK was generated from every failure is breaking: there
    /// the SDK must be complete.
    #[serde(default = "breaking", with = "class_name")]
    pub class: Class,
}

fn breaking() -> Class {
    Class::Breaking
}

/// A failure's class as its name (`breaking`, `behind`) in the JSON report.
mod class_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::diff::Class;

    pub(super) fn serialize<S: Serializer>(class: &Class, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(class.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Class, D::Error> {
        let name = String::deserialize(input)?;
        Class::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown class `{name}`")))
    }
}

/// The outcome of one run of the contract suite.
///
/// ```
/// use pi_contract::report::SuiteReport;
///
/// let mut report = SuiteReport::new("spec/openapi.json");
/// report.area("Secrets").operations += 1;
/// report.fail("get_secret", "decode 200 minimal", "missing field `name`");
/// assert!(!report.passed());
/// assert!(report.render().contains("get_secret"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteReport {
    /// The document the suite ran against.
    pub spec: String,
    /// Counts per area, in name order.
    pub areas: BTreeMap<String, AreaReport>,
    /// Every failed check, in the order they were found.
    pub failures: Vec<Failure>,
    /// Groups of operations the official clients call beyond the published
    /// document that the supplement does not describe yet, with their counts.
    #[serde(default)]
    pub not_yet_described: Vec<(String, usize)>,
    /// Places of the published document the supplement amends, as
    /// (JSON pointer, the official client whose shape is used).
    #[serde(default)]
    pub amended: Vec<(String, String)>,
}

impl SuiteReport {
    /// An empty report for a run against `spec`.
    #[must_use]
    pub fn new(spec: impl Into<String>) -> Self {
        Self {
            spec: spec.into(),
            ..Self::default()
        }
    }

    /// The counts of `area`, created empty on first use.
    pub fn area(&mut self, area: &str) -> &mut AreaReport {
        self.areas
            .entry(area.to_owned())
            .or_insert_with(|| AreaReport {
                area: area.to_owned(),
                ..AreaReport::default()
            })
    }

    /// Records a failed check that breaks the SDK.
    pub fn fail(
        &mut self,
        operation_id: &str,
        check: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.fail_as(Class::Breaking, operation_id, check, message);
    }

    /// Records a failed check of the given class.
    pub fn fail_as(
        &mut self,
        class: Class,
        operation_id: &str,
        check: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.failures.push(Failure {
            operation_id: operation_id.to_owned(),
            check: check.into(),
            message: message.into(),
            class,
        });
    }

    /// Whether every check held.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Whether a failed check breaks the SDK (rather than showing it behind).
    #[must_use]
    pub fn broken(&self) -> bool {
        self.failures
            .iter()
            .any(|failure| failure.class == Class::Breaking)
    }

    /// The per-area table, a totals row, then every failure grouped by operation.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "contract suite against {}", self.spec);
        let header = [
            "area",
            "operations",
            "driven",
            "excluded",
            "requests",
            "responses",
            "inputs",
            "outputs",
            "violations",
        ];
        let mut rows: Vec<[String; 9]> = self.areas.values().map(row).collect();
        let totals = self.areas.values().fold(
            AreaReport {
                area: "total".to_owned(),
                ..AreaReport::default()
            },
            |mut sum, area| {
                sum.operations += area.operations;
                sum.driven += area.driven;
                sum.excluded += area.excluded;
                sum.requests_validated += area.requests_validated;
                sum.responses_decoded += area.responses_decoded;
                sum.inputs_covered += area.inputs_covered;
                sum.inputs_total += area.inputs_total;
                sum.outputs_typed += area.outputs_typed;
                sum.outputs_total += area.outputs_total;
                sum.violations += area.violations;
                sum.supplement += area.supplement;
                sum.not_yet_covered += area.not_yet_covered;
                sum
            },
        );
        rows.push(row(&totals));
        let widths: Vec<usize> = (0..header.len())
            .map(|column| {
                rows.iter()
                    .map(|row| row[column].len())
                    .chain([header[column].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[&str]| {
            cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(column, (cell, width))| {
                    if column == 0 {
                        format!("{cell:<width$}")
                    } else {
                        format!("{cell:>width$}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let _ = writeln!(out, "{}", line(&header));
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", line(&cells));
        }
        let supplied: Vec<&AreaReport> = self
            .areas
            .values()
            .filter(|area| area.supplement > 0)
            .collect();
        if !supplied.is_empty() {
            let _ = writeln!(
                out,
                "
from the project's supplement (operations the official clients call that the published document lacks; the API may change them without notice):"
            );
            for area in supplied {
                let _ = writeln!(
                    out,
                    "  {} (observed in {}): {} operation(s), {} driven, {} not yet covered",
                    area.area,
                    area.sources.join(", "),
                    area.supplement,
                    area.supplement - area.not_yet_covered.min(area.supplement),
                    area.not_yet_covered
                );
            }
        }
        if !self.not_yet_described.is_empty() {
            let total: usize = self.not_yet_described.iter().map(|(_, count)| count).sum();
            let groups: Vec<String> = self
                .not_yet_described
                .iter()
                .map(|(group, count)| format!("{group} {count}"))
                .collect();
            let _ = writeln!(
                out,
                "  not yet covered, not yet described in the supplement: {total} operation(s): {}",
                groups.join(", ")
            );
        }
        if !self.amended.is_empty() {
            let _ = writeln!(
                out,
                "\namended by the supplement (where the published document is out of date, the official client's shape is used): {} place(s):",
                self.amended.len()
            );
            for (owner, fields, source) in amended_lines(&self.amended) {
                let _ = writeln!(out, "  {owner}: {} ({source})", fields.join(", "));
            }
        }
        if self.failures.is_empty() {
            let _ = writeln!(out, "\nevery check held");
            return out;
        }
        let mut by_operation: BTreeMap<&str, Vec<&Failure>> = BTreeMap::new();
        for failure in &self.failures {
            by_operation
                .entry(&failure.operation_id)
                .or_default()
                .push(failure);
        }
        let _ = writeln!(out, "\n{} failed checks:", self.failures.len());
        for (operation, failures) in by_operation {
            let _ = writeln!(out, "  {operation}");
            for failure in failures {
                let _ = writeln!(
                    out,
                    "    {:<8} [{}] {}",
                    failure.class.as_str(),
                    failure.check,
                    failure.message
                );
            }
        }
        out
    }
}

fn row(area: &AreaReport) -> [String; 9] {
    [
        area.area.clone(),
        area.operations.to_string(),
        area.driven.to_string(),
        area.excluded.to_string(),
        area.requests_validated.to_string(),
        area.responses_decoded.to_string(),
        format!("{}/{}", area.inputs_covered, area.inputs_total),
        format!("{}/{}", area.outputs_typed, area.outputs_total),
        area.violations.to_string(),
    ]
}

/// Amended places grouped by what holds them (a schema, or an operation's
/// parameters) and source, in first-seen order: `CreateSandboxRequest`,
/// `["start_command", "arch"]`, `prime-sandboxes 0.5.1`.
fn amended_lines(amended: &[(String, String)]) -> Vec<(String, Vec<String>, String)> {
    let mut lines: Vec<(String, Vec<String>, String)> = Vec::new();
    for (place, source) in amended {
        let parts: Vec<String> = place
            .split('/')
            .skip(1)
            .map(crate::openapi::unescape_pointer)
            .collect();
        let (owner, field) = match parts.as_slice() {
            [components, schemas, name, properties, field]
                if components == "components"
                    && schemas == "schemas"
                    && properties == "properties" =>
            {
                (name.clone(), field.clone())
            }
            [components, schemas, name, key]
                if components == "components" && schemas == "schemas" =>
            {
                (name.clone(), format!("({key})"))
            }
            [paths, path, method, key] if paths == "paths" => (
                format!("{} {path}", method.to_ascii_uppercase()),
                format!("({key})"),
            ),
            _ => (place.clone(), String::new()),
        };
        match lines
            .iter_mut()
            .find(|(o, _, s)| *o == owner && s == source)
        {
            Some((_, fields, _)) => fields.push(field),
            None => lines.push((owner, vec![field], source.clone())),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amended_places_are_listed_by_schema_with_their_source() {
        let mut report = SuiteReport::new("spec/openapi.json");
        report.amended = vec![
            (
                "/components/schemas/CreateSandboxRequest/properties/start_command".to_owned(),
                "prime-sandboxes 0.5.1".to_owned(),
            ),
            (
                "/components/schemas/CreateSandboxRequest/required".to_owned(),
                "prime-sandboxes 0.5.1".to_owned(),
            ),
            (
                "/paths/~1api~1v1~1tunnel/get/parameters".to_owned(),
                "prime-tunnel 0.1.15".to_owned(),
            ),
        ];
        let text = report.render();
        assert!(text.contains("3 place(s):"), "{text}");
        assert!(
            text.contains(
                "  CreateSandboxRequest: start_command, (required) (prime-sandboxes 0.5.1)"
            ),
            "{text}"
        );
        assert!(
            text.contains("  GET /api/v1/tunnel: (parameters) (prime-tunnel 0.1.15)"),
            "{text}"
        );
    }

    #[test]
    fn supplement_areas_say_where_they_come_from_and_what_is_not_covered_yet() {
        let mut report = SuiteReport::new("spec/openapi.json");
        let area = report.area("Sandbox");
        area.operations = 36;
        area.supplement = 22;
        area.not_yet_covered = 2;
        area.sources = vec!["prime-sandboxes 0.5.1".to_owned()];
        report.not_yet_described = vec![("training".to_owned(), 19), ("traces".to_owned(), 14)];
        let text = report.render();
        assert!(
            text.contains("  Sandbox (observed in prime-sandboxes 0.5.1): 22 operation(s), 20 driven, 2 not yet covered"),
            "{text}"
        );
        assert!(
            text.contains(
                "not yet described in the supplement: 33 operation(s): training 19, traces 14"
            ),
            "{text}"
        );
        // An area without supplement operations says nothing of it.
        let mut plain = SuiteReport::new("spec/openapi.json");
        plain.area("Secrets").operations = 5;
        assert!(!plain.render().contains("supplement"));
    }

    #[test]
    fn the_table_totals_every_area_and_groups_failures_by_operation() {
        let mut report = SuiteReport::new("spec.json");
        report.area("Secrets").operations = 5;
        report.area("Secrets").driven = 5;
        report.area("Pods").operations = 7;
        report.area("Pods").driven = 7;
        report.area("Secrets").inputs_covered = 15;
        report.area("Secrets").inputs_total = 16;
        report.area("Secrets").outputs_typed = 9;
        report.area("Secrets").outputs_total = 9;
        report.fail("op_b", "decode 200 minimal", "second");
        report.fail("op_a", "request (minimal)", "first");
        report.fail("op_b", "status 422", "third");
        let text = report.render();
        let total_line = text
            .lines()
            .find(|line| line.starts_with("total"))
            .unwrap_or_default();
        assert!(
            total_line
                .split_whitespace()
                .eq(["total", "12", "12", "0", "0", "0", "15/16", "9/9", "0"]),
            "{text}"
        );
        let a = text.find("  op_a").unwrap_or(usize::MAX);
        let b = text.find("  op_b").unwrap_or(0);
        assert!(a < b, "{text}");
        assert!(text.contains("[status 422] third"), "{text}");
        assert!(text.contains("3 failed checks"), "{text}");
    }

    #[test]
    fn a_report_without_the_fidelity_columns_still_reads() {
        let old = r#"{"spec": "s", "areas": {"A": {"area": "A", "operations": 1, "driven": 1,
            "pending": 0, "excluded": 0, "requests_validated": 2, "responses_decoded": 3,
            "violations": 0}}, "failures": []}"#;
        let report: SuiteReport = serde_json::from_str(old).unwrap_or_default();
        assert_eq!(
            report
                .areas
                .get("A")
                .map(|a| (a.responses_decoded, a.inputs_total)),
            Some((3, 0))
        );
    }

    #[test]
    fn a_report_round_trips_through_json() {
        let mut report = SuiteReport::new("x");
        report.area("A").requests_validated = 3;
        report.fail("op", "check", "why");
        let json = serde_json::to_string(&report).unwrap_or_default();
        let back: SuiteReport = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, report);
    }
}
