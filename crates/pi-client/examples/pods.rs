//! Rent a GPU pod from the command line, wait until it runs, show the end
//! of its log and delete it; configured like `Client::from_env`.
//!
//! ```text
//! cargo run -p pi-client --example pods -- list
//! cargo run -p pi-client --example pods -- run CLOUD_ID GPU_TYPE SOCKET PROVIDER [GPU_COUNT]
//! cargo run -p pi-client --example pods -- logs POD_ID [LINES]
//! cargo run -p pi-client --example pods -- delete POD_ID
//! ```
//!
//! `run` creates the pod, waits until it is `ACTIVE` (at most 20 minutes),
//! printing each state it passes through with the time since the wait
//! began, prints how to reach it and the last 20 log lines, then deletes it,
//! also when the wait fails. Ctrl-C while it runs deletes the pod too,
//! prints what it deleted and exits with code 130; Ctrl-C before the API has
//! answered the create leaves nothing this run knows of to delete, and says
//! so.

use std::process::ExitCode;

use futures::TryStreamExt;
use pi_client::config::API_KEY_VAR;
use pi_client::types::{GpuSocket, GpuType, PodSpec, Provider, ProviderType};
use pi_client::{Client, Error, WaitPolicy};

const USAGE: &str = "usage: pods list | run CLOUD_ID GPU_TYPE SOCKET PROVIDER [GPU_COUNT] | logs POD_ID [LINES] | delete POD_ID
  run: waits until the pod is ACTIVE, printing its states; deletes it at the end,
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

fn number(text: &str, what: &str) -> Result<i64, String> {
    text.parse()
        .ok()
        .filter(|n: &i64| *n >= 0)
        .ok_or_else(|| format!("{what} must be a whole number, not `{text}`\n{USAGE}"))
}

async fn run(client: &Client, args: &[String]) -> Result<Ended, String> {
    let text = |error: Error| error.to_string();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["list"] => {
            let pods: Vec<_> = client
                .pods()
                .list()
                .into_stream()
                .try_collect()
                .await
                .map_err(text)?;
            for pod in pods {
                let status = pod.status.map(|s| s.to_string()).unwrap_or_default();
                println!(
                    "{}\t{}\t{}x {}\t{status}",
                    pod.id, pod.name, pod.gpu_count, pod.gpu_name
                );
            }
            Ok(Ended::Done)
        }
        ["run", cloud_id, gpu_type, socket, provider, rest @ ..] => {
            let count = match rest {
                [] => 1,
                [count] => number(count, "GPU_COUNT")?,
                _ => return Err(USAGE.to_owned()),
            };
            let spec = PodSpec::new(
                *cloud_id,
                GpuType::from(*gpu_type),
                count,
                GpuSocket::from(*socket),
            )
            .with_name("pi-rs-example");
            let pods = client.pods();
            let create = pods
                .create(spec, Provider::new(ProviderType::from(*provider)))
                .send();
            // One listener for the whole run, set up before the create is
            // sent, so a Ctrl-C at any point after it is seen, not lost
            // between two steps.
            let interrupt = interrupted();
            tokio::pin!(interrupt);
            let pod = tokio::select! {
                created = create => created.map_err(text)?,
                () = &mut interrupt => {
                    println!("interrupted before the API answered the create; `pods list` shows a pod it made anyway");
                    return Ok(Ended::Interrupted);
                }
            };
            let id = pod.id;
            println!("created pod {id}; waiting until it runs (Ctrl-C deletes it)…");
            let outcome = tokio::select! {
                outcome = show_when_running(client, &id) => Some(outcome),
                () = &mut interrupt => None,
            };
            // A second Ctrl-C does not cut the delete short: once listened
            // for, the signal no longer ends the process by itself.
            // Delete on every path: a failed or interrupted wait must not
            // leave a pod billing.
            let deleted = client.pods().delete(&id).send().await.map_err(|error| {
                format!("could not delete pod {id} ({error}); delete it with `pods delete {id}`")
            });
            match outcome {
                None => {
                    println!("interrupted; deleted pod {id} ({})", deleted?.status);
                    Ok(Ended::Interrupted)
                }
                Some(outcome) => {
                    outcome?;
                    println!("deleted pod {id} ({})", deleted?.status);
                    Ok(Ended::Done)
                }
            }
        }
        ["logs", id, rest @ ..] => {
            let log = match rest {
                [] => client.pods().logs(id).send().await,
                [lines] => {
                    let lines = number(lines, "LINES")?;
                    client.pods().logs(id).tail(lines).send().await
                }
                _ => return Err(USAGE.to_owned()),
            };
            print_log(&log.map_err(text)?);
            Ok(Ended::Done)
        }
        ["delete", id] => {
            let deleted = client.pods().delete(id).send().await.map_err(text)?;
            println!("deleted pod {id} ({})", deleted.status);
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

/// The default wait (at most 20 minutes), printing each state the pod
/// reaches: provisioning takes minutes, and silence looks like a hang.
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

async fn show_when_running(client: &Client, id: &str) -> Result<(), String> {
    let pod = client
        .pods()
        .wait_until_running_with(id, &showing_states())
        .await
        .map_err(|e| e.to_string())?;
    println!("running: ip {:?}, ssh {:?}", pod.ip, pod.ssh_connection);
    let log = client
        .pods()
        .logs(id)
        .tail(20)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    print_log(&log);
    Ok(())
}

/// The log usually comes as one string; anything else is printed as JSON.
fn print_log(log: &serde_json::Value) {
    match log.as_str() {
        Some(text) => println!("{text}"),
        None => println!("{log}"),
    }
}
