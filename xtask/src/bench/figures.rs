//! The figures `cargo xtask bench` reports, each with its target, and how
//! each is read from criterion's output.
//!
//! Criterion writes one directory per benchmark,
//! `<CRITERION_HOME>/<group>/<function>/new/`, holding `estimates.json`
//! (nanoseconds per iteration) and `benchmark.json` (the throughput one
//! iteration stands for). The median is used: on a shared machine a few slow
//! samples move the mean, not the median.
//!
//! What criterion cannot express (peak RSS, the growth of RSS over a
//! transfer, a transfer timed once because the mock keeps every byte) the
//! gateway bench writes to `<CRITERION_HOME>/gateway/figures.json`
//! ([`RECORDED`]); those figures name a JSON pointer into it.

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

/// The file of figures the gateway bench records beside criterion's, under
/// the criterion home.
pub(crate) const RECORDED: &str = "gateway/figures.json";

/// What a figure is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Time per iteration.
    Time(BenchId),
    /// Elements per second.
    Rate(BenchId),
    /// A number of MiB in the recorded figures, at this JSON pointer.
    RecordedMib(&'static str),
    /// A transfer in the recorded figures, at this JSON pointer: an object
    /// with `mb_per_s` and `millis`.
    RecordedTransfer(&'static str),
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
    /// Mebibytes (of memory), at most.
    AtMostMib(f64),
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
    /// A JSON pointer into the recorded figures: when a reason stands there
    /// (the Python client could not be installed, say), the figure was not
    /// measured for that reason, which the report says instead of a miss.
    pub(crate) skipped_when: Option<&'static str>,
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
        skipped_when: None,
    },
    Figure {
        label: "validate a create-pod request",
        source: Source::Time(id("validate", "create_pod_request")),
        target: None,
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "validate a 1,000-pod page answer",
        source: Source::Throughput(id("validate", "pods_page_1000_response")),
        target: None,
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "decode a 1,000-pod page into `Page<Pod>`",
        source: Source::Throughput(id("decode", "pods_page_1000")),
        target: Some(Target::AtLeastMbPerS(200.0)),
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "decode 1,000 GPU offers into `GpuAvailabilityList`",
        source: Source::Throughput(id("decode", "availability_1000")),
        target: Some(Target::AtLeastMbPerS(200.0)),
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "decode 1,000 GPU offers by type into `GpuOffersByType`",
        source: Source::Throughput(id("decode", "availability_by_type_1000")),
        target: Some(Target::AtLeastMbPerS(200.0)),
        before: None,
        tiebreak: None,
        skipped_when: None,
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
        skipped_when: None,
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
        skipped_when: None,
    },
    Figure {
        label: "gateway: 1,000 commands over 100 sandboxes, 256 in flight, pi-client",
        source: Source::Rate(GATEWAY_PI_CLIENT),
        target: None,
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "gateway: the same rounds, official Python async client (prime-sandboxes 0.5.1)",
        source: Source::Rate(GATEWAY_PYTHON),
        target: None,
        before: None,
        tiebreak: None,
        skipped_when: Some(PYTHON_NOT_MEASURED),
    },
    Figure {
        label: "gateway commands: pi-client / official Python client, same mock, same run",
        source: Source::Ratio {
            baseline: GATEWAY_PYTHON,
            contender: GATEWAY_PI_CLIENT,
        },
        target: Some(Target::AtLeastRatio(10.0)),
        before: None,
        tiebreak: None,
        skipped_when: Some(PYTHON_NOT_MEASURED),
    },
    Figure {
        label: "gateway commands: peak RSS of a process running 3 such rounds with pi-client",
        source: Source::RecordedMib("/commands/pi_client_peak_rss_mib"),
        target: None,
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "gateway upload of 1 GiB (256 MiB under --quick) to the mock, pi-client",
        source: Source::RecordedTransfer("/upload"),
        target: None,
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "gateway upload: growth of the client's peak RSS over its RSS before",
        source: Source::RecordedMib("/upload/rss_growth_mib"),
        target: Some(Target::AtMostMib(32.0)),
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "gateway download of the same file into a sink, pi-client",
        source: Source::RecordedTransfer("/download"),
        target: None,
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
    Figure {
        label: "gateway download: growth of the client's peak RSS over its RSS before",
        source: Source::RecordedMib("/download/rss_growth_mib"),
        target: Some(Target::AtMostMib(32.0)),
        before: None,
        tiebreak: None,
        skipped_when: None,
    },
];

/// The gateway bench's command rounds, one function per client.
const GATEWAY_PI_CLIENT: BenchId = id("gateway_commands", "pi_client");
const GATEWAY_PYTHON: BenchId = id("gateway_commands", "python");
/// Where the gateway bench says why the Python client was not measured.
const PYTHON_NOT_MEASURED: &str = "/python_not_measured";

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

/// The figures the gateway bench recorded under `home`.
pub(crate) fn read_recorded(home: &Path) -> Result<serde_json::Value, String> {
    let path = home.join(RECORDED);
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("no {} ({error})", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", path.display()))
}

/// Why `figure` was not measured, when the recorded figures say so.
pub(crate) fn skip_reason(
    figure: &Figure,
    recorded: &Result<serde_json::Value, String>,
) -> Option<String> {
    let pointer = figure.skipped_when?;
    let recorded = recorded.as_ref().ok()?;
    let why = recorded.pointer(pointer)?.as_str()?;
    Some(why.to_owned())
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
    PerSecond(f64),
    Mib(f64),
}

/// Computes `source` from the estimates `read` returns or the `recorded`
/// figures.
pub(crate) fn value_of(
    source: Source,
    read: &mut dyn FnMut(BenchId) -> Result<Estimate, String>,
    recorded: &Result<serde_json::Value, String>,
) -> Result<Value, String> {
    let number = |pointer: &str| -> Result<f64, String> {
        let recorded = recorded.as_ref().map_err(String::clone)?;
        recorded
            .pointer(pointer)
            .and_then(serde_json::Value::as_f64)
            .filter(|number| number.is_finite() && *number >= 0.0)
            .ok_or_else(|| format!("{RECORDED} has no number at {pointer}"))
    };
    match source {
        Source::Time(bench) => Ok(Value::Millis(read(bench)?.nanos / 1e6)),
        Source::Rate(bench) => Ok(Value::PerSecond(1e9 / read(bench)?.nanos_per_element())),
        Source::RecordedMib(pointer) => Ok(Value::Mib(number(pointer)?)),
        Source::RecordedTransfer(pointer) => Ok(Value::MbPerS {
            mb_per_s: number(&format!("{pointer}/mb_per_s"))?,
            millis: number(&format!("{pointer}/millis"))?,
        }),
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
            (Target::AtMostMib(bound), Value::Mib(mib)) => mib <= bound,
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
            Target::AtMostMib(bound) => write!(f, "≤ {bound} MiB"),
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
            Value::PerSecond(rate) => write!(f, "{rate:.0} per second"),
            Value::Mib(mib) => write!(f, "{mib:.1} MiB"),
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
        let none = Err("not recorded".to_owned());
        let speed = value_of(Source::Throughput(id("g", "decode")), &mut read, &none).unwrap();
        assert!(matches!(speed, Value::MbPerS { mb_per_s, .. } if (mb_per_s - 250.0).abs() < 1e-9));
        assert!(Target::AtLeastMbPerS(200.0).is_met_by(speed));
        assert!(!Target::AtLeastMbPerS(300.0).is_met_by(speed));

        let ratio = Source::Ratio {
            baseline: id("g", "baseline"),
            contender: id("g", "pi_client"),
        };
        let ratio = value_of(ratio, &mut read, &none).unwrap();
        assert!(matches!(ratio, Value::Ratio { ratio, .. } if (ratio - 0.9).abs() < 1e-9));
        assert!(!Target::AtLeastRatio(0.95).is_met_by(ratio));
        assert_eq!(ratio.to_string(), "0.900× (20.0 µs vs 18.0 µs per call)");
        // A value in the wrong unit never passes.
        assert!(!Target::AtMostMs(30.0).is_met_by(speed));
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn recorded_figures_are_read_by_pointer_and_judged_in_mib() {
        let recorded = Ok(json!({
            "commands": {"pi_client_peak_rss_mib": 21.5},
            "upload": {"mb_per_s": 812.4, "millis": 330.5, "rss_growth_mib": 40.0},
            "python_not_measured": "python3 is not available",
        }));
        let mut no_criterion = |_: BenchId| Err("unused".to_owned());
        let mut value = |source| value_of(source, &mut no_criterion, &recorded);
        let peak = value(Source::RecordedMib("/commands/pi_client_peak_rss_mib")).unwrap();
        assert_eq!(peak.to_string(), "21.5 MiB");
        assert!(Target::AtMostMib(32.0).is_met_by(peak));
        let growth = value(Source::RecordedMib("/upload/rss_growth_mib")).unwrap();
        assert!(!Target::AtMostMib(32.0).is_met_by(growth));
        assert_eq!(Target::AtMostMib(32.0).to_string(), "≤ 32 MiB");
        let upload = value(Source::RecordedTransfer("/upload")).unwrap();
        assert_eq!(upload.to_string(), "812 MB/s (330.50 ms)");
        let missing = value(Source::RecordedTransfer("/download")).unwrap_err();
        assert!(missing.contains("/download/mb_per_s"), "{missing}");
        // Without the file, every recorded figure says why.
        let absent = Err("no figures.json".to_owned());
        let error = value_of(Source::RecordedMib("/x"), &mut no_criterion, &absent);
        assert_eq!(error.unwrap_err(), "no figures.json");

        let python = FIGURES
            .iter()
            .find(|figure| figure.skipped_when.is_some())
            .unwrap();
        assert_eq!(
            skip_reason(python, &recorded).as_deref(),
            Some("python3 is not available")
        );
        assert_eq!(skip_reason(python, &Ok(json!({}))), None);
        assert_eq!(skip_reason(&FIGURES[0], &recorded), None);
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_rate_is_elements_per_second() {
        // 1,000 commands in 125 ms: 8,000 per second.
        let mut read = |_: BenchId| {
            Ok(Estimate {
                nanos: 125.0e6,
                bytes: None,
                elements: Some(1000),
            })
        };
        let rate = value_of(Source::Rate(id("g", "f")), &mut read, &Ok(json!({}))).unwrap();
        assert_eq!(rate.to_string(), "8000 per second");
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
                    | (Source::RecordedMib(_), Target::AtMostMib(_))
            );
            assert!(
                matches,
                "{}: target {target} does not fit its source",
                figure.label
            );
        }
    }
}
