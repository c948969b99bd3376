//! The figures `cargo xtask bench` reports, each with its target, and how
//! each is read from criterion's output.
//!
//! Criterion writes one directory per benchmark,
//! `<CRITERION_HOME>/<group>/<function>/new/`, holding `estimates.json`
//! (nanoseconds per iteration) and `benchmark.json` (the throughput one
//! iteration stands for). The median is used: on a shared machine a few slow
//! samples move the mean, not the median.

use std::path::Path;

use super::instructions::Shape;

/// One benchmark, as its group and function ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BenchId {
    pub(crate) group: &'static str,
    pub(crate) function: &'static str,
}

const fn id(group: &'static str, function: &'static str) -> BenchId {
    BenchId { group, function }
}

/// What a figure is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Time per iteration.
    Time(BenchId),
    /// Bytes per second, from the bytes one iteration handles.
    Throughput(BenchId),
    /// Work per second of `contender` over that of `baseline` (both
    /// per element): 1.0 is level, below 1.0 the contender is slower.
    Ratio {
        baseline: BenchId,
        contender: BenchId,
    },
}

/// The bound a figure must keep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Target {
    /// Milliseconds per iteration, at most.
    AtMostMs(f64),
    /// Decimal megabytes per second, at least.
    AtLeastMbPerS(f64),
    /// A ratio, at least.
    AtLeastRatio(f64),
}

/// A figure of the report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Figure {
    /// What is measured, for a person.
    pub(crate) label: &'static str,
    pub(crate) source: Source,
    pub(crate) target: Option<Target>,
    /// The same figure before the performance work of issue 13, where one
    /// was measured, as the report shows it.
    pub(crate) before: Option<&'static str>,
    /// For a wall-clock ratio: the loopback shape whose instruction counts
    /// decide when the ratio misses by less than the clock's noise.
    pub(crate) tiebreak: Option<Shape>,
}

/// Every criterion figure, in report order. The ids are those the bench
/// files in `crates/*/benches/` declare.
pub(crate) const FIGURES: &[Figure] = &[
    Figure {
        label: "spec load + compile of every validator (vendored spec)",
        source: Source::Time(id("spec", "load_and_compile")),
        target: Some(Target::AtMostMs(30.0)),
        before: Some("18.2 ms (67 ms in the issue)"),
        tiebreak: None,
    },
    Figure {
        label: "validate a create-pod request",
        source: Source::Time(id("validate", "create_pod_request")),
        target: None,
        before: None,
        tiebreak: None,
    },
    Figure {
        label: "validate a 1,000-pod page answer",
        source: Source::Throughput(id("validate", "pods_page_1000_response")),
        target: None,
        before: None,
        tiebreak: None,
    },
    Figure {
        label: "decode a 1,000-pod page into `Page<Pod>`",
        source: Source::Throughput(id("decode", "pods_page_1000")),
        target: Some(Target::AtLeastMbPerS(200.0)),
        before: None,
        tiebreak: None,
    },
    Figure {
        label: "decode 1,000 GPU offers into `GpuAvailabilityList`",
        source: Source::Throughput(id("decode", "availability_1000")),
        target: Some(Target::AtLeastMbPerS(200.0)),
        before: None,
        tiebreak: None,
    },
    Figure {
        label: "decode 1,000 GPU offers by type into `GpuOffersByType`",
        source: Source::Throughput(id("decode", "availability_by_type_1000")),
        target: Some(Target::AtLeastMbPerS(200.0)),
        before: None,
        tiebreak: None,
    },
    Figure {
        label: "loopback `secrets().get`, one connection: pi-client / reqwest + serde_json",
        source: Source::Ratio {
            baseline: id("loopback_sequential", "baseline"),
            contender: id("loopback_sequential", "pi_client"),
        },
        target: Some(Target::AtLeastRatio(0.95)),
        before: Some("0.864× in this bench (0.83× in the issue)"),
        tiebreak: Some(Shape::Sequential),
    },
    Figure {
        label: "loopback `secrets().get`, 32 tasks: pi-client / reqwest + serde_json",
        source: Source::Ratio {
            baseline: id("loopback_32_tasks", "baseline"),
            contender: id("loopback_32_tasks", "pi_client"),
        },
        target: Some(Target::AtLeastRatio(0.95)),
        before: Some("0.854× in this bench (1.00× in the issue)"),
        tiebreak: Some(Shape::Tasks(32)),
    },
];

/// One benchmark's result as criterion recorded it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// Median nanoseconds per iteration.
    pub(crate) nanos: f64,
    /// The bytes one iteration handles, when the benchmark declared them.
    pub(crate) bytes: Option<u64>,
    /// The elements one iteration handles, when the benchmark declared them.
    pub(crate) elements: Option<u64>,
}

impl Estimate {
    /// Nanoseconds per element (per iteration when none are declared).
    fn nanos_per_element(&self) -> f64 {
        self.nanos / self.elements.unwrap_or(1).max(1) as f64
    }
}

/// Reads one benchmark's result from criterion's directory `home`.
pub(crate) fn read_estimate(home: &Path, bench: BenchId) -> Result<Estimate, String> {
    let dir = home.join(bench.group).join(bench.function).join("new");
    let read = |file: &str| -> Result<serde_json::Value, String> {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("no {} ({error})", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|error| format!("{} is not JSON: {error}", path.display()))
    };
    parse_estimate(&read("estimates.json")?, &read("benchmark.json")?)
        .map_err(|problem| format!("{}/{}: {problem}", bench.group, bench.function))
}

/// The median and the throughput from criterion's two files.
pub(crate) fn parse_estimate(
    estimates: &serde_json::Value,
    benchmark: &serde_json::Value,
) -> Result<Estimate, String> {
    let nanos = estimates
        .pointer("/median/point_estimate")
        .and_then(serde_json::Value::as_f64)
        .filter(|nanos| nanos.is_finite() && *nanos > 0.0)
        .ok_or("estimates.json has no positive median/point_estimate")?;
    let throughput = benchmark.get("throughput");
    let amount = |kind: &str| {
        throughput
            .and_then(|t| t.get(kind))
            .and_then(serde_json::Value::as_u64)
    };
    Ok(Estimate {
        nanos,
        bytes: amount("Bytes").or_else(|| amount("BytesDecimal")),
        elements: amount("Elements"),
    })
}

/// A figure's value, in the unit its target speaks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Millis(f64),
    MbPerS {
        mb_per_s: f64,
        millis: f64,
    },
    Ratio {
        ratio: f64,
        baseline_micros: f64,
        contender_micros: f64,
    },
}

/// Computes `source` from the estimates `read` returns.
pub(crate) fn value_of(
    source: Source,
    read: &mut dyn FnMut(BenchId) -> Result<Estimate, String>,
) -> Result<Value, String> {
    match source {
        Source::Time(bench) => Ok(Value::Millis(read(bench)?.nanos / 1e6)),
        Source::Throughput(bench) => {
            let estimate = read(bench)?;
            let bytes = estimate.bytes.ok_or_else(|| {
                format!(
                    "{}/{} declares no byte throughput",
                    bench.group, bench.function
                )
            })?;
            Ok(Value::MbPerS {
                mb_per_s: bytes as f64 / estimate.nanos * 1e3,
                millis: estimate.nanos / 1e6,
            })
        }
        Source::Ratio {
            baseline,
            contender,
        } => {
            let baseline = read(baseline)?.nanos_per_element();
            let contender = read(contender)?.nanos_per_element();
            Ok(Value::Ratio {
                ratio: baseline / contender,
                baseline_micros: baseline / 1e3,
                contender_micros: contender / 1e3,
            })
        }
    }
}

impl Target {
    /// Whether `value` keeps the bound; a value in another unit does not.
    pub(crate) fn is_met_by(self, value: Value) -> bool {
        match (self, value) {
            (Target::AtMostMs(bound), Value::Millis(millis)) => millis <= bound,
            (Target::AtLeastMbPerS(bound), Value::MbPerS { mb_per_s, .. }) => mb_per_s >= bound,
            (Target::AtLeastRatio(bound), Value::Ratio { ratio, .. }) => ratio >= bound,
            _ => false,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::AtMostMs(bound) => write!(f, "≤ {bound} ms"),
            Target::AtLeastMbPerS(bound) => write!(f, "≥ {bound} MB/s"),
            Target::AtLeastRatio(bound) => write!(f, "≥ {bound:.2}×"),
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Value::Millis(millis) if millis < 1.0 => write!(f, "{:.1} µs", millis * 1e3),
            Value::Millis(millis) => write!(f, "{millis:.1} ms"),
            Value::MbPerS { mb_per_s, millis } => {
                write!(f, "{mb_per_s:.0} MB/s ({millis:.2} ms)")
            }
            Value::Ratio {
                ratio,
                baseline_micros,
                contender_micros,
            } => write!(
                f,
                "{ratio:.3}× ({contender_micros:.1} µs vs {baseline_micros:.1} µs per call)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn an_estimate_is_the_median_and_the_declared_throughput() {
        let estimates =
            json!({"mean": {"point_estimate": 9.0}, "median": {"point_estimate": 2.0e6}});
        let bytes = parse_estimate(&estimates, &json!({"throughput": {"Bytes": 1_000_000}}));
        assert_eq!(
            bytes.unwrap(),
            Estimate {
                nanos: 2.0e6,
                bytes: Some(1_000_000),
                elements: None
            }
        );
        let none = parse_estimate(&estimates, &json!({"throughput": null})).unwrap();
        assert_eq!((none.bytes, none.elements), (None, None));
        assert!(parse_estimate(&json!({"median": {}}), &json!({})).is_err());
        assert!(parse_estimate(&json!({"median": {"point_estimate": 0.0}}), &json!({})).is_err());
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn throughput_is_megabytes_per_second_and_ratios_compare_per_element() {
        let mut read = |bench: BenchId| {
            Ok(match bench.function {
                // 1 MB in 4 ms: 250 MB/s.
                "decode" => Estimate {
                    nanos: 4.0e6,
                    bytes: Some(1_000_000),
                    elements: None,
                },
                // 32 calls in 640 µs against 32 calls in 576 µs.
                "baseline" => Estimate {
                    nanos: 576_000.0,
                    bytes: None,
                    elements: Some(32),
                },
                _ => Estimate {
                    nanos: 640_000.0,
                    bytes: None,
                    elements: Some(32),
                },
            })
        };
        let speed = value_of(Source::Throughput(id("g", "decode")), &mut read).unwrap();
        assert!(matches!(speed, Value::MbPerS { mb_per_s, .. } if (mb_per_s - 250.0).abs() < 1e-9));
        assert!(Target::AtLeastMbPerS(200.0).is_met_by(speed));
        assert!(!Target::AtLeastMbPerS(300.0).is_met_by(speed));

        let ratio = Source::Ratio {
            baseline: id("g", "baseline"),
            contender: id("g", "pi_client"),
        };
        let ratio = value_of(ratio, &mut read).unwrap();
        assert!(matches!(ratio, Value::Ratio { ratio, .. } if (ratio - 0.9).abs() < 1e-9));
        assert!(!Target::AtLeastRatio(0.95).is_met_by(ratio));
        assert_eq!(ratio.to_string(), "0.900× (20.0 µs vs 18.0 µs per call)");
        // A value in the wrong unit never passes.
        assert!(!Target::AtMostMs(30.0).is_met_by(speed));
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_missing_benchmark_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-none-{}", std::process::id()));
        let error = read_estimate(&dir, id("spec", "load_and_compile")).unwrap_err();
        assert!(error.contains("load_and_compile"), "{error}");
    }

    #[test]
    fn every_figure_with_a_target_can_meet_it_in_its_own_unit() {
        for figure in FIGURES {
            let Some(target) = figure.target else {
                continue;
            };
            let matches = matches!(
                (figure.source, target),
                (Source::Time(_), Target::AtMostMs(_))
                    | (Source::Throughput(_), Target::AtLeastMbPerS(_))
                    | (Source::Ratio { .. }, Target::AtLeastRatio(_))
            );
            assert!(
                matches,
                "{}: target {target} does not fit its source",
                figure.label
            );
        }
    }
}
