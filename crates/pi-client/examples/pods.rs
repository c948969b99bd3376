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
//! prints how to reach it and the last 20 log lines, then deletes it, also
//! when the wait fails, so an example run never leaves a pod billing.

use std::process::ExitCode;

use futures::TryStreamExt;
use pi_client::{API_KEY_VAR, Client, Error};
use pi_types::{GpuSocket, GpuType, PodSpec, Provider, ProviderType};

const USAGE: &str = "usage: pods list | run CLOUD_ID GPU_TYPE SOCKET PROVIDER [GPU_COUNT] | logs POD_ID [LINES] | delete POD_ID";

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

fn number(text: &str, what: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("{what} must be a whole number, not `{text}`\n{USAGE}"))
}

async fn run(client: &Client, args: &[String]) -> Result<(), String> {
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
            Ok(())
        }
        ["run", cloud_id, gpu_type, socket, provider, rest @ ..] => {
            let count = match rest {
                [] => 1,
                [count] => number(count, "GPU_COUNT")?,
                _ => return Err(USAGE.to_owned()),
            };
            let count = i64::try_from(count).map_err(|_| "GPU_COUNT is too large".to_owned())?;
            let spec = PodSpec::new(
                *cloud_id,
                count,
                GpuType::from(*gpu_type),
                GpuSocket::from(*socket),
            )
            .with_name("pi-rs-example");
            let pod = client
                .pods()
                .create(spec, Provider::new(ProviderType::from(*provider)))
                .send()
                .await
                .map_err(text)?;
            let id = pod.id;
            println!("created {id}; waiting until it runs…");
            let outcome = show_when_running(client, &id).await;
            // Delete on every path: a failed wait must not leave a pod billing.
            let deleted = client.pods().delete(&id).await.map_err(text);
            outcome?;
            println!("deleted {id} ({})", deleted?.status);
            Ok(())
        }
        ["logs", id, rest @ ..] => {
            let log = match rest {
                [] => client.pods().logs(id).await,
                [lines] => client.pods().log_tail(id, number(lines, "LINES")?).await,
                _ => return Err(USAGE.to_owned()),
            };
            print_log(&log.map_err(text)?);
            Ok(())
        }
        ["delete", id] => {
            let deleted = client.pods().delete(id).await.map_err(text)?;
            println!("deleted {id} ({})", deleted.status);
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}

async fn show_when_running(client: &Client, id: &str) -> Result<(), String> {
    let pod = client
        .pods()
        .wait_until_running(id)
        .await
        .map_err(|e| e.to_string())?;
    println!("running: ip {:?}, ssh {:?}", pod.ip, pod.ssh_connection);
    let log = client
        .pods()
        .log_tail(id, 20)
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
