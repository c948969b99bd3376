//! `cargo xtask spec observe`: what the official Python clients send and read.
//!
//! The published document is older than the official clients, which disagree
//! with it on operations it describes. This task records the clients' side as
//! facts: it makes a throwaway virtualenv in a temporary directory, downloads
//! the wheels pinned in `xtask/observe/requirements.txt` (the rest held by
//! `constraints.txt`, since pydantic's version decides the schemas it
//! writes), installs them, and runs `xtask/observe/observe.py`, which writes
//! pydantic's JSON Schema of every model the packages define. Each schema is
//! then normalized by [`pi_contract::normalize::normalize_schema`] and
//! written to `spec/observed/<package>.json` (models keyed by
//! `module.ClassName`), with `spec/observed/observed.lock` holding the pins,
//! the wheels' sha256 and the Python and pydantic versions.
//!
//! It needs Python 3 (`$PYTHON`, or `python3`) and pip's registry, and
//! nothing else from the network. Re-running it with the same pins gives
//! byte-identical files. `cargo xtask spec crosscheck` reads what it writes.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use pi_contract::normalize::{normalize_schema, to_canonical_json};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::spec_update::{hex, write_all_atomically};

/// Where the observed schemas live, from the workspace root.
pub(crate) const OBSERVED_DIR: &str = "spec/observed";
/// The pins and hashes of what was observed, under [`OBSERVED_DIR`].
pub(crate) const LOCK_FILE: &str = "observed.lock";
/// The script that reads the models, from the workspace root.
const SCRIPT: &str = "xtask/observe/observe.py";
/// The official clients to observe, one `name==version` a line.
const REQUIREMENTS: &str = "xtask/observe/requirements.txt";
/// The versions of everything else the clients pull in.
const CONSTRAINTS: &str = "xtask/observe/constraints.txt";

/// Why the observation failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ObserveError {
    /// A file could not be read or written.
    #[error("{}: {error}", path.display())]
    File {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A line of the requirements is not `name==version`.
    #[error("{REQUIREMENTS}: `{line}` is not a pin of the form name==version")]
    BadPin { line: String },
    /// A program could not be started.
    #[error("cannot run {program}: {error}")]
    Spawn {
        program: String,
        error: std::io::Error,
    },
    /// A step ran and failed; `output` is the end of what it printed.
    #[error("could not {step} ({status}):\n{output}")]
    Step {
        step: &'static str,
        status: std::process::ExitStatus,
        output: String,
    },
    /// A pinned package has no downloaded wheel.
    #[error("pip downloaded no wheel for the pinned {package}")]
    MissingWheel { package: String },
    /// The files could not be put in place.
    #[error("{0}")]
    Write(String),
    /// The script's output is not what it promises.
    #[error("{SCRIPT} wrote unexpected output: {reason}")]
    BadOutput { reason: String },
}

/// Runs the task; it takes no arguments.
pub(crate) fn run(root: &Path, args: &[String]) -> ExitCode {
    if let Some(extra) = args.first() {
        eprintln!("error: unexpected argument `{extra}`\nusage: cargo xtask spec observe");
        return ExitCode::from(2);
    }
    match observe(root) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One pinned client: its distribution name and version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pin {
    name: String,
    version: String,
}

/// A downloaded wheel: its file name and the sha256 of its bytes.
#[derive(Debug)]
struct Wheel {
    path: PathBuf,
    file: String,
    sha256: String,
}

/// Observes the pinned clients and writes `spec/observed/`; returns a line
/// per package for the terminal.
fn observe(root: &Path) -> Result<String, ObserveError> {
    let pins = read_pins(&read_text(&root.join(REQUIREMENTS))?)?;
    let work = ScratchDir::create()?;
    let venv = work.path.join("venv");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run_step(
        "create the virtualenv",
        Command::new(&python).arg("-m").arg("venv").arg(&venv),
    )?;
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let wheels_dir = work.path.join("wheels");
    run_step(
        "download the pinned wheels",
        pip(&bin)
            .args(["download", "--no-deps", "--only-binary=:all:", "-d"])
            .arg(&wheels_dir)
            .arg("-r")
            .arg(root.join(REQUIREMENTS)),
    )?;
    let wheels = pins
        .iter()
        .map(|pin| find_wheel(&wheels_dir, pin))
        .collect::<Result<Vec<_>, _>>()?;
    run_step(
        "install the wheels",
        pip(&bin)
            .arg("install")
            .arg("-c")
            .arg(root.join(CONSTRAINTS))
            .args(wheels.iter().map(|w| &w.path)),
    )?;
    let out = work.path.join("observed.json");
    run_step(
        "read the models",
        Command::new(bin.join("python"))
            // Isolated: no user site-packages, no PYTHON* variables.
            .arg("-I")
            .arg(root.join(SCRIPT))
            .arg(&out)
            .args(pins.iter().map(|pin| &pin.name))
            .env("PYTHONHASHSEED", "0")
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    )?;
    let raw: Value =
        serde_json::from_str(&read_text(&out)?).map_err(|e| ObserveError::BadOutput {
            reason: e.to_string(),
        })?;
    let files = render(&raw, &pins, &wheels)?;
    let dir = root.join(OBSERVED_DIR);
    std::fs::create_dir_all(&dir).map_err(|error| ObserveError::File {
        path: dir.clone(),
        error,
    })?;
    let targets: Vec<(PathBuf, &String)> = files
        .iter()
        .map(|(name, text)| (dir.join(name), text))
        .collect();
    let borrowed: Vec<(&Path, &str)> = targets
        .iter()
        .map(|(path, text)| (path.as_path(), text.as_str()))
        .collect();
    write_all_atomically(&borrowed).map_err(ObserveError::Write)?;
    Ok(summary(&raw))
}

/// The observed files, by name under [`OBSERVED_DIR`]: one per package and
/// the lock.
fn render(
    raw: &Value,
    pins: &[Pin],
    wheels: &[Wheel],
) -> Result<Vec<(String, String)>, ObserveError> {
    let bad = |reason: String| ObserveError::BadOutput { reason };
    let mut files = Vec::new();
    let mut locked = Map::new();
    for (pin, wheel) in pins.iter().zip(wheels) {
        let package = raw
            .pointer(&format!("/packages/{}", pin.name))
            .ok_or_else(|| bad(format!("no entry for {}", pin.name)))?;
        if package["version"] != pin.version.as_str() {
            return Err(bad(format!(
                "{} is installed as {}, pinned {}",
                pin.name, package["version"], pin.version
            )));
        }
        let models: Map<String, Value> = package["models"]
            .as_object()
            .ok_or_else(|| bad(format!("{} has no models object", pin.name)))?
            .iter()
            .map(|(name, schema)| (name.clone(), normalize_schema(schema)))
            .collect();
        let failed = package.get("failed").cloned().unwrap_or(json!({}));
        locked.insert(
            pin.name.clone(),
            json!({
                "version": pin.version,
                "wheel": wheel.file,
                "sha256": wheel.sha256,
                "modules": package["modules"],
                "models": models.len(),
                "failed": failed.as_object().map_or(0, Map::len),
            }),
        );
        let file = json!({
            "package": pin.name,
            "version": pin.version,
            "models": models,
            "failed": failed,
        });
        files.push((format!("{}.json", pin.name), canonical(&file)));
    }
    let lock = json!({
        "python": raw["python"],
        "pydantic": raw["pydantic"],
        "schemas": "pydantic model_json_schema(by_alias=True), validation mode, prose dropped",
        "packages": locked,
    });
    files.push((LOCK_FILE.to_owned(), canonical(&lock)));
    Ok(files)
}

/// Canonical JSON with every object's keys sorted, whatever order the
/// value was built in.
fn canonical(value: &Value) -> String {
    to_canonical_json(&sorted(value))
}

/// A copy of `value` with every object's keys in sorted order.
pub(crate) fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// One line per package: its version and how many models it has.
fn summary(raw: &Value) -> String {
    let mut lines = vec![format!("{OBSERVED_DIR}: written")];
    if let Some(packages) = raw["packages"].as_object() {
        for (name, package) in packages {
            lines.push(format!(
                "  {name} {}: {} models",
                package["version"].as_str().unwrap_or("?"),
                package["models"].as_object().map_or(0, Map::len)
            ));
        }
    }
    lines.join("\n")
}

/// The pins of `requirements.txt`: `name==version` lines; `#` starts a comment.
fn read_pins(text: &str) -> Result<Vec<Pin>, ObserveError> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once("==") {
            Some((name, version)) if !name.is_empty() && !version.is_empty() => Ok(Pin {
                name: name.trim().to_owned(),
                version: version.trim().to_owned(),
            }),
            _ => Err(ObserveError::BadPin {
                line: line.to_owned(),
            }),
        })
        .collect()
}

/// The wheel pip downloaded for `pin`, hashed. Wheel file names spell the
/// distribution with `_` for `-` (`prime_sandboxes-0.5.1-py3-none-any.whl`).
fn find_wheel(dir: &Path, pin: &Pin) -> Result<Wheel, ObserveError> {
    let prefix = format!("{}-{}-", pin.name.replace('-', "_"), pin.version);
    let entries = std::fs::read_dir(dir).map_err(|error| ObserveError::File {
        path: dir.to_path_buf(),
        error,
    })?;
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.to_lowercase().starts_with(&prefix.to_lowercase()) && file.ends_with(".whl") {
            let path = entry.path();
            let bytes = std::fs::read(&path).map_err(|error| ObserveError::File {
                path: path.clone(),
                error,
            })?;
            return Ok(Wheel {
                sha256: hex(&Sha256::digest(&bytes)),
                path,
                file,
            });
        }
    }
    Err(ObserveError::MissingWheel {
        package: format!("{}=={}", pin.name, pin.version),
    })
}

/// pip of the virtualenv, quiet and without its version check.
fn pip(bin: &Path) -> Command {
    let mut command = Command::new(bin.join("pip"));
    command.args(["--disable-pip-version-check", "--quiet"]);
    command
}

/// Runs one step to its end; a failure carries the end of its output.
fn run_step(step: &'static str, command: &mut Command) -> Result<(), ObserveError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .map_err(|error| ObserveError::Spawn { program, error })?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    Err(ObserveError::Step {
        step,
        status: output.status,
        output: lines[lines.len().saturating_sub(20)..].join("\n"),
    })
}

/// Reads a text file, naming it on failure.
fn read_text(path: &Path) -> Result<String, ObserveError> {
    std::fs::read_to_string(path).map_err(|error| ObserveError::File {
        path: path.to_path_buf(),
        error,
    })
}

/// A directory under the system's temporary directory, removed with
/// everything in it when dropped: the virtualenv never outlives the task.
struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    fn create() -> Result<Self, ObserveError> {
        let path = std::env::temp_dir().join(format!("pi-observe-{}", std::process::id()));
        // A directory left by an earlier run that had this process id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|error| ObserveError::File {
            path: path.clone(),
            error,
        })?;
        Ok(Self { path })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_name_and_version_lines() {
        let pins =
            read_pins("# the clients\nprime==0.18.0\n\nprime-tunnel==0.1.15  # newest\n").unwrap();
        assert_eq!(
            pins,
            [
                Pin {
                    name: "prime".into(),
                    version: "0.18.0".into()
                },
                Pin {
                    name: "prime-tunnel".into(),
                    version: "0.1.15".into()
                }
            ]
        );
        assert!(matches!(
            read_pins("prime>=0.18"),
            Err(ObserveError::BadPin { .. })
        ));
    }

    #[test]
    fn the_committed_lock_names_every_pinned_client() {
        let root = crate::project_root();
        let pins = read_pins(&read_text(&root.join(REQUIREMENTS)).unwrap()).unwrap();
        let lock: Value =
            serde_json::from_str(&read_text(&root.join(OBSERVED_DIR).join(LOCK_FILE)).unwrap())
                .unwrap();
        for pin in &pins {
            let entry = &lock["packages"][&pin.name];
            assert_eq!(entry["version"], pin.version.as_str(), "{}", pin.name);
            assert_eq!(entry["sha256"].as_str().map(str::len), Some(64));
            assert!(
                root.join(OBSERVED_DIR)
                    .join(format!("{}.json", pin.name))
                    .is_file()
            );
        }
    }
}
