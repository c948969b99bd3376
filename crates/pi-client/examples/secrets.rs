//! Manage PI secrets from the command line, configured like `Client::from_env`.
//!
//! ```text
//! cargo run -p pi-client --example secrets -- list
//! cargo run -p pi-client --example secrets -- get SECRET_ID
//! echo -n "$VALUE" | cargo run -p pi-client --example secrets -- create NAME
//! cargo run -p pi-client --example secrets -- delete SECRET_ID
//! ```

use std::io::Read;
use std::process::ExitCode;

use futures::TryStreamExt;
use pi_client::config::{API_KEY_VAR, BASE_URL_VAR};
use pi_client::{Client, Error};

const USAGE: &str =
    "usage: secrets list | get ID | create NAME (value on standard input) | delete ID";

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
            eprintln!("{error}");
            eprintln!(
                "configure the client with {API_KEY_VAR} (and optionally {BASE_URL_VAR}), \
                 or log in with the `prime` CLI so ~/.prime/config.json holds a key"
            );
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
    match args {
        [command] if command == "list" => {
            let secrets: Vec<_> = client
                .secrets()
                .list()
                .into_stream()
                .try_collect()
                .await
                .map_err(text)?;
            for secret in secrets {
                println!(
                    "{}\t{}\t{}",
                    secret.id,
                    secret.name,
                    secret.description.unwrap_or_default()
                );
            }
        }
        [command, id] if command == "get" => {
            let secret = client.secrets().get(id).send().await.map_err(text)?;
            println!("{secret:#?}");
        }
        [command, name] if command == "create" => {
            let mut value = String::new();
            std::io::stdin()
                .read_to_string(&mut value)
                .map_err(|error| format!("cannot read the value from standard input: {error}"))?;
            let value = value.trim_end_matches(['\n', '\r']).to_owned();
            let secret = client
                .secrets()
                .create(name, value)
                .send()
                .await
                .map_err(text)?;
            println!("created {} ({})", secret.name, secret.id);
        }
        [command, id] if command == "delete" => {
            client.secrets().delete(id).send().await.map_err(text)?;
            println!("deleted {id}");
        }
        _ => return Err(USAGE.to_owned()),
    }
    Ok(())
}
