//! Instruction counts per loopback call, from callgrind: the tiebreaker the
//! issue allows where the clock is too noisy to decide.
//!
//! A wall-clock ratio of 0.95 is a 5% difference, and on a shared 2-core
//! machine the same run moves by ±10% from one day to the next. Callgrind
//! counts the instructions a program executes, which is the same from run
//! to run for the same binary and input, whatever else the machine does.
//!
//! The loopback bench binary has a profile mode (`PI_LOOPBACK_PROFILE`) that
//! makes N calls of one side and nothing else. Each side runs twice, with a
//! few calls and with many, and the difference divided by the extra calls is
//! the cost of one call without the set-up (runtime, server, client).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Calls in the short and the long run; the long run's extra calls are what
/// is divided by. Multiples of 32, so tasks share them evenly.
const FEW: u64 = 256;
const MANY: u64 = 1_280;

/// How calls are made in a profile run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One call after another on one connection.
    Sequential,
    /// Spread over this many concurrent tasks.
    Tasks(u64),
}

impl Shape {
    fn tasks(self) -> u64 {
        match self {
            Shape::Sequential => 1,
            Shape::Tasks(tasks) => tasks.max(1),
        }
    }

    /// The calls a profile run asked for `calls` makes: every task makes
    /// the same number, rounded up.
    pub(crate) fn calls_made(self, calls: u64) -> u64 {
        calls.div_ceil(self.tasks()) * self.tasks()
    }
}

/// One instruction figure of the report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile {
    /// What is counted, for a person.
    pub(crate) label: &'static str,
    pub(crate) shape: Shape,
    /// The same count before the performance work of issue 13, where one
    /// was taken.
    pub(crate) before: Option<&'static str>,
}

/// The instruction figures, one per loopback shape the clock compares.
pub(crate) const PROFILES: &[Profile] = &[
    Profile {
        label: "loopback `secrets().get`, one connection: instructions per call",
        shape: Shape::Sequential,
        before: Some("94,837 vs 85,934"),
    },
    Profile {
        label: "loopback `secrets().get`, 32 tasks: instructions per call",
        shape: Shape::Tasks(32),
        before: None,
    },
];

/// Instructions one call costs on each side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PerCall {
    pub(crate) baseline: f64,
    pub(crate) pi_client: f64,
}

impl PerCall {
    /// The baseline's instructions over pi-client's: above 1.0 pi-client
    /// does less work per call, as with the wall-clock ratio.
    pub(crate) fn ratio(&self) -> f64 {
        self.baseline / self.pi_client
    }
}

/// Whether valgrind can be run here; without it no instructions are
/// counted, which the report says instead of counting it as a miss.
pub(crate) fn valgrind_installed() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The loopback bench binary, built by `cargo bench --no-run` (already
/// built by the benchmark run, so this only asks cargo where it is).
pub(crate) fn loopback_binary(cargo: &OsStr) -> Result<PathBuf, String> {
    let messages = super::cost::cargo_stdout(
        cargo,
        &[
            "bench",
            "-p",
            "pi-client",
            "--bench",
            "loopback",
            "--no-run",
            "--message-format=json",
        ],
    )?;
    executable_in(&messages)
        .ok_or_else(|| "cargo named no executable for the loopback bench".to_owned())
}

/// The executable of the `loopback` bench target in cargo's JSON messages.
pub(crate) fn executable_in(messages: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message.get("reason").and_then(serde_json::Value::as_str) == Some("compiler-artifact")
                && message
                    .pointer("/target/name")
                    .and_then(serde_json::Value::as_str)
                    == Some("loopback")
        })
        .find_map(|message| {
            message
                .get("executable")
                .and_then(serde_json::Value::as_str)
                .map(PathBuf::from)
        })
}

/// Instructions per call of both sides in `shape`; callgrind's files go to
/// `out_dir`.
pub(crate) fn per_call(binary: &Path, shape: Shape, out_dir: &Path) -> Result<PerCall, String> {
    std::fs::create_dir_all(out_dir)
        .map_err(|error| format!("cannot create {}: {error}", out_dir.display()))?;
    let side = |side: &str| -> Result<f64, String> {
        let few = total(binary, side, shape, FEW, out_dir)?;
        let many = total(binary, side, shape, MANY, out_dir)?;
        if many <= few {
            return Err(format!(
                "{side}: {MANY} calls counted {many} instructions, {FEW} calls {few}"
            ));
        }
        let extra = shape.calls_made(MANY) - shape.calls_made(FEW);
        Ok((many - few) as f64 / extra as f64)
    };
    Ok(PerCall {
        baseline: side("baseline")?,
        pi_client: side("pi_client")?,
    })
}

/// The instructions of one profile run of `calls` calls of `side`.
fn total(
    binary: &Path,
    side: &str,
    shape: Shape,
    calls: u64,
    out_dir: &Path,
) -> Result<u64, String> {
    let tasks = shape.tasks();
    let out = out_dir.join(format!("loopback-{side}-{tasks}x-{calls}.out"));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(binary)
        .env("PI_LOOPBACK_PROFILE", side)
        .env("PI_LOOPBACK_CALLS", calls.to_string())
        .env("PI_LOOPBACK_TASKS", tasks.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|error| format!("cannot run valgrind ({error}); is it installed?"))?;
    if !status.success() {
        return Err(format!(
            "valgrind --tool=callgrind failed on the {side} side ({status})"
        ));
    }
    let text = std::fs::read_to_string(&out)
        .map_err(|error| format!("no callgrind output {} ({error})", out.display()))?;
    callgrind_total(&text).ok_or_else(|| format!("{} has no instruction total", out.display()))
}

/// The instruction total of a callgrind output file: its `summary:` line
/// (older valgrinds write `totals:`), whose first number counts `Ir`.
pub(crate) fn callgrind_total(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_is_the_first_number_of_the_summary_line() {
        let text = "version: 1\ncmd: loopback\nevents: Ir\nfn=(1) main\n3 12\nsummary: 104857600\n";
        assert_eq!(callgrind_total(text), Some(104_857_600));
        let older = "events: Ir Dr\ntotals: 42 7\n";
        assert_eq!(callgrind_total(older), Some(42));
        assert_eq!(callgrind_total("events: Ir\nfn=(1) main\n"), None);
    }

    #[test]
    fn the_loopback_executable_is_found_among_cargo_messages() {
        let messages = [
            r#"{"reason":"compiler-artifact","target":{"name":"pi_client"},"executable":null}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"decode"},"executable":"/t/release/deps/decode-1"}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"loopback"},"executable":"/t/release/deps/loopback-2"}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            executable_in(&messages),
            Some(PathBuf::from("/t/release/deps/loopback-2"))
        );
        assert_eq!(executable_in(&messages[..messages.len() / 3]), None);
    }

    #[test]
    fn tasks_make_the_calls_rounded_up_to_an_even_share() {
        assert_eq!(Shape::Sequential.calls_made(1_000), 1_000);
        assert_eq!(Shape::Tasks(32).calls_made(FEW), FEW);
        assert_eq!(Shape::Tasks(32).calls_made(1_000), 1_024);
        assert_eq!(Shape::Tasks(0).calls_made(7), 7);
    }

    #[test]
    fn the_ratio_says_how_much_more_work_pi_client_does() {
        let counts = PerCall {
            baseline: 85_934.0,
            pi_client: 83_610.0,
        };
        assert!(counts.ratio() > 1.0);
        let heavier = PerCall {
            baseline: 80_000.0,
            pi_client: 100_000.0,
        };
        assert!((heavier.ratio() - 0.8).abs() < 1e-12);
    }
}
