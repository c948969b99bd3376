//! Start a sandbox from the command line, wait until it runs, run a command
//! in it, upload a file and read it back, open one of its ports, show its
//! logs and delete it; configured like `Client::from_env`.
//!
//! ```text
//! cargo run -p pi-client --example sandbox -- run IMAGE PORT [START_COMMAND]
//! cargo run -p pi-client --example sandbox -- list
//! cargo run -p pi-client --example sandbox -- delete SANDBOX_ID
//! ```
//!
//! For example, a web server in a Python image:
//!
//! ```text
//! cargo run -p pi-client --example sandbox -- run python:3.12-slim 8000 "python -m http.server 8000"
//! ```
//!
//! `run` prints each state the sandbox passes through while it waits (with
//! the time since the wait began), holds the sandbox in a `SandboxGuard` and
//! deletes it through the guard at the end, also when the wait or the port
//! fails. Ctrl-C while it runs deletes the sandbox too, prints what it
//! deleted and exits with code 130; Ctrl-C before the API has answered the
//! create leaves nothing this run knows of to delete, and says so.

use std::process::ExitCode;

/// Where the example puts the file it uploads and reads back.
const NOTE_PATH: &str = "/tmp/pi-rs-example.txt";

use futures::TryStreamExt;
use pi_client::config::API_KEY_VAR;
use pi_client::types::StartCommand;
use pi_client::{Client, Error, WaitPolicy};

const USAGE: &str = "usage: sandbox run IMAGE PORT [EXECUTABLE [ARG...]] | list | delete SANDBOX_ID
  run: waits until the sandbox runs, printing its states; deletes it at the end,
       and on Ctrl-C (then exits with code 130)";

/// The exit code of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it.
const INTERRUPTED: u8 = 130;

/// How a command ended when it did not fail.
enum Ended {
    Done,
    /// Ctrl-C; what the run created is deleted.
    Interrupted,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Before any configuration is read: asking how to use it needs none.
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}\nset {API_KEY_VAR}, or log in with the `prime` CLI");
            return ExitCode::FAILURE;
        }
    };
    match run(&client, &args).await {
        Ok(Ended::Done) => ExitCode::SUCCESS,
        Ok(Ended::Interrupted) => ExitCode::from(INTERRUPTED),
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(client: &Client, args: &[String]) -> Result<Ended, String> {
    let text = |error: Error| error.to_string();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["run", image, port, rest @ ..] => {
            let port: u16 = port
                .parse()
                .map_err(|_| format!("PORT must be a port number, not `{port}`\n{USAGE}"))?;
            let mut create = client
                .sandboxes()
                .create("pi-rs-example", *image)
                .labels(["pi-rs-example"]);
            // The sandbox starts the program itself, without a shell.
            if let [executable, args @ ..] = rest {
                let args = args.iter().map(|arg| (*arg).to_owned()).collect();
                create = create.start_command(StartCommand::new(*executable).with_args(args));
            }
            // One listener for the whole run, set up before the create is
            // sent, so a Ctrl-C at any point after it is seen, not lost
            // between two steps.
            let interrupt = interrupted();
            tokio::pin!(interrupt);
            let sandbox = tokio::select! {
                created = create.send_guarded() => created.map_err(text)?,
                () = &mut interrupt => {
                    println!("interrupted before the API answered the create; `sandbox list` shows a sandbox it made anyway");
                    return Ok(Ended::Interrupted);
                }
            };
            println!(
                "created sandbox {}; waiting until it runs (Ctrl-C deletes it)…",
                sandbox.id()
            );
            let outcome = tokio::select! {
                outcome = show_when_running(client, sandbox.id(), port) => Some(outcome),
                () = &mut interrupt => None,
            };
            // A second Ctrl-C does not cut the delete short: once listened
            // for, the signal no longer ends the process by itself.
            // Through the guard on every path: a failed or interrupted wait
            // must not leave the sandbox running.
            let id = sandbox.id().to_owned();
            let deleted = sandbox.delete().await.map_err(|error| {
                format!(
                    "could not delete sandbox {id} ({error}); delete it with `sandbox delete {id}`"
                )
            });
            match outcome {
                None => {
                    println!("interrupted; deleted sandbox {id}: {}", deleted?.message);
                    Ok(Ended::Interrupted)
                }
                Some(outcome) => {
                    outcome?;
                    println!("deleted sandbox {id}: {}", deleted?.message);
                    Ok(Ended::Done)
                }
            }
        }
        ["list"] => {
            let sandboxes: Vec<_> = client
                .sandboxes()
                .list()
                .into_stream()
                .try_collect()
                .await
                .map_err(text)?;
            for sandbox in sandboxes {
                println!(
                    "{}\t{}\t{}\t{}",
                    sandbox.id, sandbox.name, sandbox.status, sandbox.docker_image
                );
            }
            Ok(Ended::Done)
        }
        ["delete", id] => {
            let deleted = client.sandboxes().delete(id).send().await.map_err(text)?;
            println!("deleted sandbox {id}: {}", deleted.message);
            Ok(Ended::Done)
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Resolves on Ctrl-C. When the signal cannot be listened for it never
/// resolves, so a platform without it runs to the end rather than stopping
/// at once.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The default wait (at most 20 minutes), printing each state the resource
/// reaches: a sandbox can take a while, and silence looks like a hang.
fn showing_states() -> WaitPolicy {
    WaitPolicy::default().on_progress(|change| {
        println!(
            "{} {}: {} after {:.1}s",
            change.resource,
            change.id,
            change.state,
            change.elapsed.as_secs_f64()
        );
    })
}

async fn show_when_running(client: &Client, id: &str, port: u16) -> Result<(), String> {
    let sandboxes = client.sandboxes();
    if let Err(error) = sandboxes
        .wait_until_running_with(id, &showing_states())
        .await
    {
        let mut message = error.to_string();
        if matches!(error, Error::WaitEnded { .. }) {
            if let Ok(context) = sandboxes.error_context(id).send().await {
                let why = context.error_message.or(context.error_type);
                message.push_str(&format!("\nwhy: {}", why.unwrap_or_default()));
            }
        }
        return Err(message);
    }
    let ran = sandboxes
        .exec(id, "uname -a")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "uname -a (exit {}): {}",
        ran.exit_code,
        ran.stdout_lossy().trim_end()
    );
    let note = b"written by the pi-rs sandbox example\n".to_vec();
    sandboxes
        .upload(id, NOTE_PATH, std::io::Cursor::new(note))
        .await
        .map_err(|e| e.to_string())?;
    let back = sandboxes
        .read_file(id, NOTE_PATH)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!("read back {NOTE_PATH}: {}", back.content.trim_end());
    let exposed = sandboxes
        .expose_port(id, i64::from(port))
        .name("example")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!("port {port} is open at {}", exposed.url);
    let logs = sandboxes.logs(id).send().await.map_err(|e| e.to_string())?;
    println!("{}", logs.logs);
    Ok(())
}
