//! Pinned Python packages (the official clients) in virtualenvs of their
//! own, for the tests that run them against the mock.
//!
//! Each virtualenv lives under the target directory, keyed by package and
//! version, so later runs reuse it and a new pin installs beside the old
//! one. Where Python, `venv` or the network is missing the install fails
//! with a reason; [`installed_or_skip`] turns that into a visible skip, or
//! into a failure when the variable that demands the test is set.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One install at a time within a test binary: two tests asking for the
/// same package would otherwise build the same virtualenv over each other.
static INSTALLING: Mutex<()> = Mutex::new(());

/// A virtualenv holding one pinned package.
pub(crate) struct Venv {
    dir: PathBuf,
}

impl Venv {
    /// The executable `name` in the virtualenv's `bin`: its Python, or a
    /// console script the package installed.
    pub(crate) fn bin(&self, name: &str) -> PathBuf {
        self.dir.join("bin").join(name)
    }
}

/// Installs `package==version` into its cached virtualenv, or says why it
/// cannot be done here.
fn install(package: &str, version: &str) -> Result<Venv, String> {
    let _one_at_a_time = INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{package}-{version}-venv"));
    let venv = Venv { dir };
    // Written last, so a half-finished install is redone, not trusted.
    let marker = venv.dir.join("pi-rs-installed");
    if marker.exists() && venv.bin("python").exists() {
        return Ok(venv);
    }
    let _ = std::fs::remove_dir_all(&venv.dir);
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv.dir)
        .output()
        .map_err(|error| format!("python3 is not available ({error})"))?;
    if !made.status.success() {
        return Err(format!(
            "`python3 -m venv` failed: {}",
            String::from_utf8_lossy(&made.stderr).trim()
        ));
    }
    let installed = Command::new(venv.bin("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--timeout",
            "30",
        ])
        .arg(format!("{package}=={version}"))
        .output()
        .map_err(|error| format!("the virtualenv's Python does not run ({error})"))?;
    if !installed.status.success() {
        let stderr = String::from_utf8_lossy(&installed.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Err(format!(
            "`pip install {package}=={version}` failed (no pip or no network?): {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    std::fs::write(&marker, version).map_err(|error| error.to_string())?;
    Ok(venv)
}

/// [`install`], or `None` after saying on stderr that `test` was skipped
/// and why. When the environment variable `require` is set the skip is a
/// failure instead, so that CI can insist the check really ran.
pub(crate) fn installed_or_skip(
    package: &str,
    version: &str,
    test: &str,
    require: &str,
) -> Option<Venv> {
    match install(package, version) {
        Ok(venv) => Some(venv),
        Err(reason) if std::env::var_os(require).is_some() => {
            panic!("{require} is set but {package} {version} cannot be installed: {reason}")
        }
        Err(reason) => {
            // Straight to the stream: the test harness captures `eprintln!`
            // of passing tests, and a skip must not pass unseen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {test} did not run: {reason} (set {require}=1 to make this a failure)"
            );
            None
        }
    }
}

/// A command running `program` as a user of the official Python clients
/// would, configured for the API at `base_url` through the environment
/// alone: `HOME` is a directory named after `label`, emptied first, so
/// neither the machine's `~/.prime` nor an earlier run's token cache is
/// read (and runs leave one such directory per label, not one each).
pub(crate) fn client_command(program: &Path, base_url: &str, label: &str) -> Command {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("home-{label}"));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("a HOME for the client can be made");
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("PRIME_API_BASE_URL", base_url)
        .env("PRIME_API_KEY", "test-key")
        .env("PRIME_DISABLE_VERSION_CHECK", "1");
    command
}

/// Runs `command` to its end, or kills it after `patience` and fails with
/// what it printed so far: a client retrying a wrong answer with backoff
/// fails the test instead of hanging it.
pub(crate) fn run_within(mut command: Command, patience: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the virtualenv's Python starts");
    // Threads drain the pipes, so a chatty child never blocks on a full one.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let deadline = Instant::now() + patience;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the driver did not finish within {patience:?}:\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&stdout.join().expect("the stdout reader ends")),
                String::from_utf8_lossy(&stderr.join().expect("the stderr reader ends"))
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().expect("the stdout reader ends"),
        stderr: stderr.join().expect("the stderr reader ends"),
    }
}

/// The JSON object a driver script printed on stdout, after running
/// `command` with [`run_within`]; fails the test with the driver's output
/// and the mock's violations when it ended badly or printed no JSON.
// Each test binary compiles this module; the ones without a driver script
// (the `prime` CLI runs to its end by itself) leave this unused.
#[allow(dead_code)]
pub(crate) fn driver_result(
    command: Command,
    patience: Duration,
    server: &pi_contract::ContractServer,
) -> serde_json::Value {
    let output = run_within(command, patience);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the driver failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}\nmock violations: {:#?}",
        output.status,
        server.violations()
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|error| panic!("the driver printed no JSON ({error}):\n{stdout}"))
}
