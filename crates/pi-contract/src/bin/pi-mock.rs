//! `pi-mock`: the contract server as a process, for clients in any language
//! (the `prime` CLI, curl, a service under test).
//!
//! It prints its base URL as the first line of standard output, then one
//! line per request with the contract's verdict as requests arrive, and on
//! Ctrl-C (or SIGTERM) a summary per operation before it exits 0.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use pi_contract::{ContractServer, ReceivedRequest, Spec};

/// What `pi-mock --help` prints.
const USAGE: &str = "\
usage: pi-mock [--stateful] [--spec PATH] [--port N]

Serves the PI API contract on 127.0.0.1: every request is checked against
the OpenAPI document and answered as the document says.

options:
  --stateful    keep what requests create (get, list, update, delete see it)
  --spec PATH   the OpenAPI document to hold requests to (default: the PI API
                contract embedded in pi-contract)
  --port N      the port to listen on (default 0: any free port)
  -h, --help    print this help

The first line on standard output is the base URL; each request then gets a
line with its status and violations. Ctrl-C prints a summary and exits 0.";

/// How often new requests are looked for: often enough that a log line
/// follows its request at once as a person sees it.
const POLL: Duration = Duration::from_millis(50);

/// The command line, parsed.
#[derive(Debug, Default)]
struct Options {
    stateful: bool,
    spec: Option<PathBuf>,
    port: u16,
}

/// What the command line asks for.
enum Command {
    Serve(Options),
    Help,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--stateful" => options.stateful = true,
            "--spec" => {
                let path = args.next().ok_or("--spec needs a path")?;
                options.spec = Some(PathBuf::from(path));
            }
            "--port" => {
                let port = args.next().ok_or("--port needs a number")?;
                options.port = port
                    .parse()
                    .map_err(|_| format!("--port takes a number from 0 to 65535, not `{port}`"))?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Command::Serve(options))
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Command::Serve(options)) => options,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("pi-mock: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // One thread is plenty: wiremock serves requests on a thread of its own,
    // and this one only prints what it recorded.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("pi-mock: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pi-mock: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(options: Options) -> Result<(), String> {
    let mut builder = ContractServer::builder();
    if let Some(path) = &options.spec {
        let spec = Spec::from_path(path)
            .map_err(|error| format!("cannot load the spec {}: {error}", path.display()))?;
        builder = builder.spec(spec);
    }
    if options.stateful {
        builder = builder.stateful();
    }
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .map_err(|error| format!("cannot listen on 127.0.0.1:{}: {error}", options.port))?;
    let server = builder.listener(listener).start().await;

    // The signal handlers are in place before the URL goes out: a script
    // that reads the URL and interrupts at once must get the summary, not
    // the default action of the signal (which ends the process silently).
    let mut signals = Shutdown::listen()?;
    // The URL goes out alone and first, so a script can read one line and go.
    say(&server.uri());
    let mut seen = 0;
    let shutdown = signals.wait();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            result = &mut shutdown => {
                result?;
                break;
            }
            () = tokio::time::sleep(POLL) => {}
        }
        seen += log_new(&server, seen);
    }
    // Requests answered between the last poll and the signal still count.
    log_new(&server, seen);
    say(&summary(&server.received_requests()));
    Ok(())
}

/// Prints one line per request received after the first `seen`; returns how
/// many it printed.
fn log_new(server: &ContractServer, seen: usize) -> usize {
    let new = server.received_requests_since(seen);
    for request in &new {
        say(&log_line(request));
    }
    new.len()
}

/// Writes to standard output and flushes, so a reader on a pipe sees each
/// line as it happens; a closed pipe is no reason to stop serving.
fn say(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

/// `GET /api/v1/secrets/ -> 200 list_secrets_api_v1_secrets__get: ok`, with
/// one indented line per violation when there are any.
fn log_line(request: &ReceivedRequest) -> String {
    let operation = request.operation_id.as_deref().unwrap_or("(no operation)");
    let mut line = format!("{} {}", request.method, request.path);
    if !request.query.is_empty() {
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        line.push('?');
        line.push_str(&query.join("&"));
    }
    line.push_str(&format!(" -> {} {operation}: ", request.status));
    match request.violations.len() {
        0 => line.push_str("ok"),
        1 => line.push_str("1 violation"),
        n => line.push_str(&format!("{n} violations")),
    }
    for violation in &request.violations {
        line.push_str(&format!("\n  {violation}"));
    }
    line
}

/// The totals and a table of requests and violations per operation.
fn summary(received: &[ReceivedRequest]) -> String {
    let mut by_operation: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for request in received {
        let operation = request.operation_id.as_deref().unwrap_or("(no operation)");
        let entry = by_operation.entry(operation).or_default();
        entry.0 += 1;
        entry.1 += request.violations.len();
    }
    let violations: usize = received.iter().map(|r| r.violations.len()).sum();
    let mut text = format!(
        "summary: {} request(s), {violations} violation(s)",
        received.len()
    );
    if by_operation.is_empty() {
        return text;
    }
    let width = by_operation.keys().map(|k| k.len()).max().unwrap_or(0);
    text.push_str(&format!("\n  {:width$}  requests  violations", "operation"));
    for (operation, (requests, violations)) in by_operation {
        text.push_str(&format!(
            "\n  {operation:width$}  {requests:>8}  {violations:>10}"
        ));
    }
    text
}

/// Ctrl-C, or SIGTERM where there is one (what `kill` and process
/// supervisors send), so both end with the summary. The handlers are
/// registered when this is made, not when it is first awaited.
struct Shutdown {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Shutdown {
    /// Registers the handlers now.
    fn listen() -> Result<Shutdown, String> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let interrupt = signal(SignalKind::interrupt())
                .map_err(|error| format!("cannot listen for Ctrl-C: {error}"))?;
            let terminate = signal(SignalKind::terminate())
                .map_err(|error| format!("cannot listen for SIGTERM: {error}"))?;
            Ok(Shutdown {
                interrupt,
                terminate,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Shutdown {})
        }
    }

    /// Resolves when one of the signals arrives.
    async fn wait(&mut self) -> Result<(), String> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Ok(()),
                _ = self.terminate.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c()
                .await
                .map_err(|error| format!("cannot listen for Ctrl-C: {error}"))
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_are_read_in_any_order() {
        let Ok(Command::Serve(options)) = parse(args(&["--port", "8123", "--stateful"])) else {
            panic!("expected options");
        };
        assert!(options.stateful);
        assert_eq!(options.port, 8123);
        assert!(options.spec.is_none());
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let Err(message) = parse(args(&["--port", "http"])) else {
            panic!("expected an error");
        };
        assert!(message.contains("`http`"), "{message}");
        assert!(matches!(parse(args(&["--verbose"])), Err(m) if m.contains("--verbose")));
        assert!(matches!(parse(args(&["-h"])), Ok(Command::Help)));
    }
}
