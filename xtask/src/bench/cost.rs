//! What the SDK costs outside a call: clean build times, the size of each
//! crate's dependency tree, and the wall time of the contract suite.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Crates that mean HTTP or async: none may be in `pi-types`' tree, which is
/// plain models.
const HTTP_OR_ASYNC: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "h2",
    "http",
    "http-body",
    "tokio",
    "mio",
    "futures",
    "futures-core",
    "futures-util",
    "async-trait",
];

/// TLS implementations and the crypto providers under them: `pi-client`
/// should pull exactly one of each.
const TLS_STACKS: &[&str] = &["rustls", "native-tls", "openssl", "boring"];
const CRYPTO_PROVIDERS: &[&str] = &["aws-lc-rs", "ring", "openssl-sys", "boring-sys"];

/// The dependency tree of one package, normal edges only (what a user's
/// build compiles), as `cargo tree --prefix none` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tree {
    /// The package.
    pub(crate) package: &'static str,
    /// Lines `cargo tree` prints (repeats shown once, then as `(*)`).
    pub(crate) lines: usize,
    /// Distinct crates, the package itself included.
    pub(crate) crates: Vec<String>,
}

impl Tree {
    /// Reads a package's tree with `cargo tree`.
    pub(crate) fn of(cargo: &OsStr, package: &'static str) -> Result<Tree, String> {
        let text = cargo_stdout(
            cargo,
            &[
                "tree",
                "--package",
                package,
                "--edges",
                "normal",
                "--prefix",
                "none",
            ],
        )?;
        Ok(Tree::parse(package, &text))
    }

    /// The tree from `cargo tree --prefix none` output.
    pub(crate) fn parse(package: &'static str, text: &str) -> Tree {
        let lines: Vec<&str> = text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect();
        let mut crates: Vec<String> = lines
            .iter()
            .filter_map(|line| line.split_whitespace().next())
            .map(str::to_owned)
            .collect();
        crates.sort();
        crates.dedup();
        Tree {
            package,
            lines: lines.len(),
            crates,
        }
    }

    /// The crates of this tree among `names`.
    pub(crate) fn among(&self, names: &[&str]) -> Vec<String> {
        self.crates
            .iter()
            .filter(|name| names.contains(&name.as_str()))
            .cloned()
            .collect()
    }

    /// HTTP or async crates in the tree (should be none for `pi-types`).
    pub(crate) fn http_or_async(&self) -> Vec<String> {
        self.among(HTTP_OR_ASYNC)
    }

    /// TLS implementations and crypto providers in the tree.
    pub(crate) fn tls(&self) -> (Vec<String>, Vec<String>) {
        (self.among(TLS_STACKS), self.among(CRYPTO_PROVIDERS))
    }
}

/// Builds `package` (debug) from an empty target directory `scratch` and
/// times it; the directory is emptied first and afterwards, so nothing is
/// shared between the measured builds.
pub(crate) fn clean_build(
    cargo: &OsStr,
    package: &str,
    scratch: &Path,
) -> Result<Duration, String> {
    let empty = |dir: &Path| match std::fs::remove_dir_all(dir) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(format!(
            "cannot empty {} for a clean build: {error}",
            dir.display()
        )),
        _ => Ok(()),
    };
    empty(scratch)?;
    let started = Instant::now();
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--package", package, "--target-dir"])
        .arg(scratch)
        .status()
        .map_err(|error| format!("cannot run cargo build: {error}"))?;
    let took = started.elapsed();
    empty(scratch)?;
    if status.success() {
        Ok(took)
    } else {
        Err(format!("cargo build -p {package} failed"))
    }
}

/// The wall time of `cargo xtask contract` on the vendored spec once the
/// suite is built: a first run builds (and is not timed), the second is.
pub(crate) fn contract_suite_time() -> Result<Duration, String> {
    let xtask = std::env::current_exe()
        .map_err(|error| format!("cannot find the xtask binary: {error}"))?;
    let run = || {
        Command::new(&xtask)
            .arg("contract")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|error| format!("cannot run xtask contract: {error}"))
    };
    if !run()?.success() {
        return Err("cargo xtask contract failed; run it to see why".to_owned());
    }
    let started = Instant::now();
    let status = run()?;
    let took = started.elapsed();
    if status.success() {
        Ok(took)
    } else {
        Err("cargo xtask contract failed on its second run".to_owned())
    }
}

/// What `cargo <args>` writes to stdout (its stderr goes to ours); an error
/// naming the command when it cannot run or fails.
pub(crate) fn cargo_stdout(cargo: &OsStr, args: &[&str]) -> Result<String, String> {
    let shown = format!("cargo {}", args.join(" "));
    let output = Command::new(cargo)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot run {shown}: {error}"))?;
    if !output.status.success() {
        return Err(format!("{shown} failed"));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PI_CLIENT_TREE: &str = "\
pi-client v0.1.0 (/w/crates/pi-client)
reqwest v0.13.1
hyper v1.7.0
tokio v1.48.0
rustls v0.23.35
aws-lc-rs v1.15.0
tokio v1.48.0 (*)
pi-types v0.1.0 (/w/crates/pi-types)
serde v1.0.228
";

    #[test]
    fn a_tree_counts_lines_and_distinct_crates() {
        let tree = Tree::parse("pi-client", PI_CLIENT_TREE);
        assert_eq!(tree.lines, 9);
        assert_eq!(tree.crates.len(), 8);
        assert_eq!(tree.http_or_async(), ["hyper", "reqwest", "tokio"]);
        assert_eq!(
            tree.tls(),
            (vec!["rustls".to_owned()], vec!["aws-lc-rs".to_owned()])
        );
        let types = Tree::parse(
            "pi-types",
            "pi-types v0.1.0\nserde v1.0.228\nserde_json v1\n",
        );
        assert!(types.http_or_async().is_empty());
    }
}
