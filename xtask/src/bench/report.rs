//! The markdown report of `cargo xtask bench`: the machine, every figure
//! against its target, and the costs of building and checking.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::cost::Tree;
use super::figures::{Figure, Target, Value};
use super::instructions::{PerCall, Profile, Shape};

/// The contract suite's bound, in seconds of wall time on two cores.
const SUITE_TARGET_SECS: f64 = 10.0;

/// How far below its target a wall-clock ratio may fall and still be
/// decided by instruction counts: runs of the same loopback ratio on this
/// shared machine spread over about this much (0.93 to 0.97 seen for one
/// build). A bigger miss is a miss whatever the counts say.
const RATIO_NOISE: f64 = 0.05;

/// Instruction counts must keep the bound the clock does: the baseline's
/// count over pi-client's at least 0.95, so pi-client's work per call is at
/// most 1/0.95 of the plain loop's.
const INSTRUCTION_BOUND: f64 = 0.95;

/// The machine the figures were taken on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Machine {
    pub(crate) cores: usize,
    pub(crate) cpu: String,
    pub(crate) rustc: String,
    pub(crate) commit: String,
}

impl Machine {
    /// Reads this machine's cores, CPU model, compiler and checkout; what
    /// cannot be read is shown as `unknown`.
    pub(crate) fn read() -> Machine {
        let command = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .output()
                .ok()
                .filter(|output| output.status.success())
                .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        };
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|line| line.starts_with("model name"))
                    .and_then(|line| line.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            });
        let dirty = command("git", &["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
        let commit = command("git", &["rev-parse", "--short", "HEAD"]).map(|hash| {
            if dirty {
                format!("{hash} (with uncommitted changes)")
            } else {
                hash
            }
        });
        Machine {
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            cpu: cpu.unwrap_or_else(|| "unknown".to_owned()),
            rustc: command("rustc", &["--version"]).unwrap_or_else(|| "unknown".to_owned()),
            commit: commit.unwrap_or_else(|| "unknown".to_owned()),
        }
    }
}

/// A figure and what this run measured for it.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    pub(crate) figure: Figure,
    pub(crate) value: Result<Value, String>,
    /// Why the figure was not measured in this run, when that is no miss
    /// (the official Python client could not be installed here).
    pub(crate) skipped: Option<String>,
}

/// What building and checking the SDK costs.
#[derive(Debug)]
pub(crate) struct Costs {
    /// Clean debug build time per package.
    pub(crate) builds: Vec<(&'static str, Result<Duration, String>)>,
    pub(crate) trees: Vec<Result<Tree, String>>,
    /// `cargo xtask contract` after the build.
    pub(crate) suite: Result<Duration, String>,
}

/// Everything one run of `cargo xtask bench` found.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) quick: bool,
    /// Whether `cargo bench` itself succeeded.
    pub(crate) benches_ran: bool,
    pub(crate) machine: Machine,
    pub(crate) measured: Vec<Measured>,
    /// Callgrind's counts per loopback call, for each profile.
    pub(crate) instructions: Vec<(Profile, Result<PerCall, String>)>,
    /// Why no instructions were counted, when none could be (no valgrind
    /// on this machine): said in the report, not a miss.
    pub(crate) instructions_skipped: Option<String>,
    pub(crate) costs: Costs,
    /// Criterion's HTML index.
    pub(crate) plots: PathBuf,
}

/// How a check came out.
fn verdict(passed: bool) -> &'static str {
    if passed { "pass" } else { "**miss**" }
}

/// How a figure with a target came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judgement {
    Met,
    /// The clock missed by less than its noise and the instruction counts
    /// meet the same bound.
    MetByInstructions,
    Missed,
}

impl Judgement {
    fn text(self) -> &'static str {
        match self {
            Judgement::Met => "pass",
            Judgement::MetByInstructions => "pass (clock within noise; instructions decide)",
            Judgement::Missed => "**miss**",
        }
    }
}

impl Report {
    /// The instruction counts of the profile of `shape`, if they were taken.
    fn instructions_of(&self, shape: Shape) -> Option<&PerCall> {
        self.instructions
            .iter()
            .find(|(profile, _)| profile.shape == shape)
            .and_then(|(_, counts)| counts.as_ref().ok())
    }

    /// Whether `value` keeps `figure`'s `target`, with the instruction
    /// tiebreak for a loopback ratio that misses within the clock's noise.
    fn judge(&self, figure: &Figure, target: Target, value: Value) -> Judgement {
        if target.is_met_by(value) {
            return Judgement::Met;
        }
        let within_noise = match (target, value) {
            (Target::AtLeastRatio(bound), Value::Ratio { ratio, .. }) => {
                ratio >= bound - RATIO_NOISE
            }
            _ => false,
        };
        let counts = figure
            .tiebreak
            .and_then(|shape| self.instructions_of(shape));
        match counts {
            Some(counts) if within_noise && instructions_meet(counts) => {
                Judgement::MetByInstructions
            }
            _ => Judgement::Missed,
        }
    }

    /// One line per figure or check that misses its target or could not be
    /// measured, naming it.
    pub(crate) fn misses(&self) -> Vec<String> {
        let mut misses = Vec::new();
        if !self.benches_ran {
            misses.push("cargo bench failed".to_owned());
        }
        for measured in self.measured.iter().filter(|m| m.skipped.is_none()) {
            match (&measured.value, measured.figure.target) {
                (Err(problem), _) => {
                    misses.push(format!(
                        "{}: not measured ({problem})",
                        measured.figure.label
                    ));
                }
                (Ok(value), Some(target))
                    if self.judge(&measured.figure, target, *value) == Judgement::Missed =>
                {
                    misses.push(format!(
                        "{}: {value}, target {target}",
                        measured.figure.label
                    ));
                }
                _ => {}
            }
        }
        for (profile, counts) in &self.instructions {
            match counts {
                Ok(counts) if !instructions_meet(counts) => misses.push(format!(
                    "{}: {}, target ≥ {INSTRUCTION_BOUND:.2}×",
                    profile.label,
                    counts_text(counts)
                )),
                Err(problem) => {
                    misses.push(format!("{}: not measured ({problem})", profile.label));
                }
                Ok(_) => {}
            }
        }
        match &self.costs.suite {
            Ok(took) if took.as_secs_f64() > SUITE_TARGET_SECS => misses.push(format!(
                "cargo xtask contract: {:.1} s, target ≤ {SUITE_TARGET_SECS} s",
                took.as_secs_f64()
            )),
            Err(problem) => misses.push(format!("cargo xtask contract: not measured ({problem})")),
            Ok(_) => {}
        }
        for tree in &self.costs.trees {
            match tree {
                Ok(tree) => misses.extend(tree_problem(tree)),
                Err(problem) => misses.push(format!("cargo tree: {problem}")),
            }
        }
        misses
    }

    /// The report as markdown.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let machine = &self.machine;
        let _ = writeln!(out, "# pi-rs benchmark report\n");
        let _ = writeln!(
            out,
            "- machine: {} cores, {}\n- compiler: {}\n- commit: {}\n- run: {}\n- plots: {}\n",
            machine.cores,
            machine.cpu,
            machine.rustc,
            machine.commit,
            if self.quick {
                "quick (`--quick`: short measurements, no clean builds)"
            } else {
                "full"
            },
            self.plots.display()
        );
        if !self.benches_ran {
            let _ = writeln!(
                out,
                "**cargo bench failed**: the figures below may be stale or missing.\n"
            );
        }
        let _ = writeln!(out, "## Figures (criterion medians)\n");
        let _ = writeln!(out, "| figure | measured | target | result | before |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for measured in &self.measured {
            let figure = &measured.figure;
            let (value, result) = match (&measured.skipped, &measured.value, figure.target) {
                (Some(why), _, _) => (format!("not measured: {why}"), "skipped"),
                (None, Ok(value), Some(target)) => {
                    (value.to_string(), self.judge(figure, target, *value).text())
                }
                (None, Ok(value), None) => (value.to_string(), "reported"),
                (None, Err(problem), _) => (format!("not measured: {problem}"), "**miss**"),
            };
            let target = figure
                .target
                .map_or_else(|| "–".to_owned(), |t| t.to_string());
            let _ = writeln!(
                out,
                "| {} | {value} | {target} | {result} | {} |",
                figure.label,
                figure.before.unwrap_or("–")
            );
        }
        let suite = match &self.costs.suite {
            Ok(took) => {
                let secs = took.as_secs_f64();
                format!(
                    "{secs:.1} s | ≤ {SUITE_TARGET_SECS} s | {}",
                    verdict(secs <= SUITE_TARGET_SECS)
                )
            }
            Err(problem) => format!("not measured: {problem} | ≤ {SUITE_TARGET_SECS} s | **miss**"),
        };
        let _ = writeln!(
            out,
            "| `cargo xtask contract`, vendored spec, after the build | {suite} | – |"
        );

        let _ = writeln!(
            out,
            "\n## Instructions per call (callgrind; pi-client vs the plain loop)\n"
        );
        let _ = writeln!(
            out,
            "Counted on one thread, the same from run to run; they decide a \
             loopback ratio that misses its target by less than {RATIO_NOISE:.2}.\n"
        );
        if let Some(why) = &self.instructions_skipped {
            let _ = writeln!(out, "Not counted: {why}.");
        } else {
            let _ = writeln!(out, "| figure | measured | target | result | before |");
            let _ = writeln!(out, "|---|---|---|---|---|");
        }
        for (profile, counts) in &self.instructions {
            let (value, result) = match counts {
                Ok(counts) => (counts_text(counts), verdict(instructions_meet(counts))),
                Err(problem) => (format!("not measured: {problem}"), "**miss**"),
            };
            let _ = writeln!(
                out,
                "| {} | {value} | ≥ {INSTRUCTION_BOUND:.2}× | {result} | {} |",
                profile.label,
                profile.before.unwrap_or("–")
            );
        }

        let _ = writeln!(out, "\n## Build cost\n");
        let _ = writeln!(out, "| package | clean debug build |");
        let _ = writeln!(out, "|---|---|");
        for (package, took) in &self.costs.builds {
            let took = match took {
                Ok(took) => format!("{:.1} s", took.as_secs_f64()),
                Err(problem) => problem.clone(),
            };
            let _ = writeln!(out, "| {package} | {took} |");
        }
        let _ = writeln!(
            out,
            "\n| package | `cargo tree` lines | distinct crates | check | result |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        for tree in &self.costs.trees {
            match tree {
                Ok(tree) => {
                    let problem = tree_problem(tree);
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} |",
                        tree.package,
                        tree.lines,
                        tree.crates.len(),
                        tree_check(tree),
                        verdict(problem.is_none())
                    );
                }
                Err(problem) => {
                    let _ = writeln!(out, "| – | – | – | {problem} | **miss** |");
                }
            }
        }
        let misses = self.misses();
        let _ = writeln!(out, "\n## Verdict\n");
        if misses.is_empty() {
            let _ = writeln!(out, "Every target is met.");
        } else {
            for miss in misses {
                let _ = writeln!(out, "- miss: {miss}");
            }
        }
        out
    }
}

/// What the tree of `tree.package` is checked for, and what was found.
fn tree_check(tree: &Tree) -> String {
    if tree.package == "pi-types" {
        let found = tree.http_or_async();
        if found.is_empty() {
            "no HTTP or async crate".to_owned()
        } else {
            format!("HTTP or async crates: {}", found.join(", "))
        }
    } else {
        let (stacks, providers) = tree.tls();
        format!("TLS: {}; crypto: {}", or_none(&stacks), or_none(&providers))
    }
}

/// Why the tree fails its check, if it does: `pi-types` must hold no HTTP or
/// async crate, `pi-client` exactly one TLS stack over one crypto provider.
fn tree_problem(tree: &Tree) -> Option<String> {
    let passed = if tree.package == "pi-types" {
        tree.http_or_async().is_empty()
    } else {
        let (stacks, providers) = tree.tls();
        stacks.len() == 1 && providers.len() == 1
    };
    (!passed).then(|| format!("{} dependency tree: {}", tree.package, tree_check(tree)))
}

/// Whether pi-client's instructions per call keep [`INSTRUCTION_BOUND`].
fn instructions_meet(counts: &PerCall) -> bool {
    counts.ratio() >= INSTRUCTION_BOUND
}

/// `83,610 vs 85,934 (1.028×)`: pi-client's count, the baseline's, and
/// their ratio in the direction of the wall-clock one.
fn counts_text(counts: &PerCall) -> String {
    format!(
        "{} vs {} ({:.3}×)",
        thousands(counts.pi_client),
        thousands(counts.baseline),
        counts.ratio()
    )
}

/// A count rounded to a whole number, with thousands separated by commas.
fn thousands(count: f64) -> String {
    let digits = format!("{:.0}", count.max(0.0));
    let mut out = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::super::figures::FIGURES;
    use super::*;

    fn report(value: Result<Value, String>, suite_secs: f64, types_tree: &str) -> Report {
        Report {
            quick: true,
            benches_ran: true,
            machine: Machine {
                cores: 2,
                cpu: "test cpu".to_owned(),
                rustc: "rustc 1".to_owned(),
                commit: "abc".to_owned(),
            },
            measured: vec![Measured {
                figure: FIGURES[0],
                value,
                skipped: None,
            }],
            instructions: Vec::new(),
            instructions_skipped: None,
            costs: Costs {
                builds: vec![("pi-types", Err("skipped under --quick".to_owned()))],
                trees: vec![Ok(Tree::parse("pi-types", types_tree))],
                suite: Ok(Duration::from_secs_f64(suite_secs)),
            },
            plots: PathBuf::from("/t/criterion/report/index.html"),
        }
    }

    #[test]
    fn a_report_meeting_every_target_says_so() {
        let report = report(Ok(Value::Millis(12.5)), 3.0, "pi-types v0\nserde v1\n");
        assert!(report.misses().is_empty(), "{:?}", report.misses());
        let text = report.render();
        assert!(
            text.contains("| 12.5 ms | ≤ 30 ms | pass | 18.2 ms (67 ms in the issue) |"),
            "{text}"
        );
        assert!(text.contains("2 cores"), "{text}");
        assert!(text.contains("Every target is met."), "{text}");
        assert!(text.contains("skipped under --quick"), "{text}");
    }

    #[test]
    fn each_miss_is_named_with_its_figure_and_target() {
        let slow = report(Ok(Value::Millis(45.0)), 12.0, "pi-types v0\ntokio v1\n");
        let misses = slow.misses();
        assert_eq!(misses.len(), 3, "{misses:?}");
        assert!(misses[0].contains("spec load") && misses[0].contains("≤ 30 ms"));
        assert!(misses[1].contains("12.0 s"));
        assert!(misses[2].contains("tokio"));
        assert!(slow.render().contains("**miss**"));

        let missing = report(Err("no estimates.json".to_owned()), 1.0, "pi-types v0\n");
        assert!(missing.misses()[0].contains("not measured (no estimates.json)"));
    }

    /// A report holding only the one-connection loopback ratio and,
    /// when given, its instruction counts.
    fn loopback(ratio: f64, counts: Option<Result<PerCall, String>>) -> Report {
        let figure = *FIGURES
            .iter()
            .find(|figure| figure.tiebreak == Some(Shape::Sequential))
            .unwrap_or(&FIGURES[0]);
        let mut report = report(Ok(Value::Millis(1.0)), 1.0, "pi-types v0\n");
        report.measured = vec![Measured {
            figure,
            value: Ok(Value::Ratio {
                ratio,
                baseline_micros: 10.0,
                contender_micros: 10.0 / ratio,
            }),
            skipped: None,
        }];
        report.instructions = counts
            .map(|counts| {
                let profile = super::super::instructions::PROFILES[0];
                vec![(profile, counts)]
            })
            .unwrap_or_default();
        report
    }

    fn counts(baseline: f64, pi_client: f64) -> Option<Result<PerCall, String>> {
        Some(Ok(PerCall {
            baseline,
            pi_client,
        }))
    }

    #[test]
    fn instructions_decide_a_ratio_that_misses_within_the_noise() {
        let decided = loopback(0.93, counts(85_934.0, 83_610.0));
        assert!(decided.misses().is_empty(), "{:?}", decided.misses());
        let text = decided.render();
        assert!(text.contains("instructions decide"), "{text}");
        assert!(text.contains("83,610 vs 85,934 (1.028×)"), "{text}");

        // Without counts, or with counts that miss too, the clock's miss stands.
        assert_eq!(loopback(0.93, None).misses().len(), 1);
        let heavier = loopback(0.93, counts(80_000.0, 90_000.0));
        let misses = heavier.misses();
        assert_eq!(misses.len(), 2, "{misses:?}");
        assert!(misses[1].contains("instructions per call"), "{misses:?}");
        // A miss bigger than the noise is a miss whatever the counts say.
        assert_eq!(loopback(0.85, counts(85_934.0, 83_610.0)).misses().len(), 1);
        // A ratio that meets its target needs no tiebreak.
        assert!(loopback(0.97, None).misses().is_empty());
    }

    #[test]
    fn counts_that_could_not_be_taken_are_a_miss_naming_why() {
        let report = loopback(0.97, Some(Err("cannot run valgrind".to_owned())));
        let misses = report.misses();
        assert_eq!(misses.len(), 1, "{misses:?}");
        assert!(misses[0].contains("cannot run valgrind"), "{misses:?}");
    }

    #[test]
    fn a_machine_without_valgrind_is_told_and_not_a_miss() {
        let mut report = loopback(0.97, None);
        report.instructions_skipped = Some("valgrind is not installed".to_owned());
        assert!(report.misses().is_empty(), "{:?}", report.misses());
        assert!(
            report
                .render()
                .contains("Not counted: valgrind is not installed.")
        );
        // Without counts, a ratio within the noise is still a miss.
        report.measured = loopback(0.93, None).measured;
        assert_eq!(report.misses().len(), 1);
    }

    #[test]
    fn a_figure_skipped_for_a_reason_says_it_and_is_no_miss() {
        let mut report = report(Err("no estimates.json".to_owned()), 1.0, "pi-types v0\n");
        report.measured[0].skipped = Some("python3 is not available".to_owned());
        assert!(report.misses().is_empty(), "{:?}", report.misses());
        let text = report.render();
        assert!(
            text.contains("| not measured: python3 is not available | ≤ 30 ms | skipped |"),
            "{text}"
        );
    }

    #[test]
    fn counts_are_shown_with_thousands_separated() {
        assert_eq!(thousands(94_837.4), "94,837");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(12_345_678.0), "12,345,678");
    }
}
