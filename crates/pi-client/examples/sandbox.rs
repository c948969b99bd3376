//! Start a sandbox from the command line, wait until it runs, open one of its
//! ports, show its logs and delete it; configured like `Client::from_env`.
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
//! `run` holds the sandbox in a `SandboxGuard` and deletes it through the
//! guard at the end, also when the wait or the port fails, so an example run
//! never leaves a sandbox behind.

use std::process::ExitCode;

use futures::TryStreamExt;
use pi_client::{API_KEY_VAR, Client, Error};

const USAGE: &str = "usage: sandbox run IMAGE PORT [START_COMMAND] | list | delete SANDBOX_ID";

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
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(client: &Client, args: &[String]) -> Result<(), String> {
    let text = |error: Error| error.to_string();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["run", image, port, rest @ ..] => {
            let port: u16 = port
                .parse()
                .map_err(|_| format!("PORT must be a port number, not `{port}`\n{USAGE}"))?;
            let mut create = client
                .sandboxes()
                .create(*image, "pi-rs-example")
                .labels(["pi-rs-example"]);
            match rest {
                [] => {}
                [command] => create = create.start_command(*command),
                _ => return Err(USAGE.to_owned()),
            }
            let sandbox = create.send_guarded().await.map_err(text)?;
            println!("created {}; waiting until it runs…", sandbox.id());
            let outcome = show_when_running(client, sandbox.id(), port).await;
            // Through the guard on every path: a failed wait must not leave
            // the sandbox running.
            let id = sandbox.id().to_owned();
            let deleted = sandbox.delete().await.map_err(text);
            outcome?;
            println!("deleted {id}: {}", deleted?.message);
            Ok(())
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
            Ok(())
        }
        ["delete", id] => {
            let deleted = client.sandboxes().delete(id).await.map_err(text)?;
            println!("deleted {id}: {}", deleted.message);
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}

async fn show_when_running(client: &Client, id: &str, port: u16) -> Result<(), String> {
    let sandboxes = client.sandboxes();
    if let Err(error) = sandboxes.wait_until_running(id).await {
        let mut message = error.to_string();
        if matches!(error, Error::WaitEnded { .. }) {
            if let Ok(context) = sandboxes.error_context(id).await {
                let why = context.error_message.or(context.error_type);
                message.push_str(&format!("\nwhy: {}", why.unwrap_or_default()));
            }
        }
        return Err(message);
    }
    let exposed = sandboxes
        .expose_port(id, port)
        .name("example")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    println!("port {port} is open at {}", exposed.url);
    let logs = sandboxes.logs(id).await.map_err(|e| e.to_string())?;
    println!("{}", logs.logs);
    Ok(())
}
