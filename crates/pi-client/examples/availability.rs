//! The cheapest GPU offers of one type, single-node and multi-node, printed
//! as a table; configured like `Client::from_env`.
//!
//! ```text
//! cargo run -p pi-client --example availability -- GPU_TYPE [GPU_COUNT] [ROWS]
//! cargo run -p pi-client --example availability -- H100_80GB 8 10
//! ```
//!
//! Offers without an on-demand price are left out; prices are per hour for
//! the whole offer, in the currency the offer names.

use std::process::ExitCode;

use futures::TryStreamExt;
use pi_client::Client;
use pi_client::config::API_KEY_VAR;
use pi_client::types::{GpuAvailability, GpuType, WireEnum, offers_by_price};

const USAGE: &str =
    "usage: availability GPU_TYPE [GPU_COUNT] [ROWS]   (for example H100_80GB 8 10)";

/// How many rows the table shows unless told otherwise.
const DEFAULT_ROWS: usize = 15;

/// What the command line asked for.
struct Wanted {
    gpu_type: GpuType,
    gpu_count: Option<i64>,
    rows: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Before any configuration is read: asking how to use it needs none.
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let wanted = match parse(&args) {
        Ok(wanted) => wanted,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}\nset {API_KEY_VAR}, or log in with the `prime` CLI");
            return ExitCode::FAILURE;
        }
    };
    match run(&client, &wanted).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Wanted, String> {
    let number = |text: &str, what: &str| -> Result<u64, String> {
        text.parse()
            .map_err(|_| format!("{what} must be a whole number, not `{text}`\n{USAGE}"))
    };
    let (gpu_type, rest) = match args {
        [gpu_type, rest @ ..] if rest.len() <= 2 => (gpu_type, rest),
        _ => return Err(USAGE.to_owned()),
    };
    let gpu_type = GpuType::from(gpu_type.as_str());
    if !gpu_type.is_known() {
        return Err(format!(
            "unknown GPU type `{gpu_type}`; one of: {}",
            GpuType::KNOWN.join(", ")
        ));
    }
    let gpu_count = match rest.first() {
        Some(count) => Some(
            i64::try_from(number(count, "GPU_COUNT")?)
                .map_err(|_| "GPU_COUNT is too large".to_owned())?,
        ),
        None => None,
    };
    let rows = match rest.get(1) {
        Some(rows) => usize::try_from(number(rows, "ROWS")?).unwrap_or(usize::MAX),
        None => DEFAULT_ROWS,
    };
    Ok(Wanted {
        gpu_type,
        gpu_count,
        rows,
    })
}

async fn run(client: &Client, wanted: &Wanted) -> Result<(), String> {
    let availability = client.availability();
    let mut offers: Vec<GpuAvailability> = Vec::new();
    // Single nodes and clusters: two calls with the same filters.
    macro_rules! offers_of {
        ($request:expr) => {{
            let mut request = $request.gpu_type(wanted.gpu_type.clone());
            if let Some(count) = wanted.gpu_count {
                request = request.gpu_count(count);
            }
            request
                .into_stream()
                .try_collect::<Vec<GpuAvailability>>()
                .await
                .map_err(|error| format!("could not list offers: {error}"))?
        }};
    }
    offers.extend(offers_of!(availability.gpus()));
    offers.extend(offers_of!(availability.multi_node()));
    let cheapest = offers_by_price(&offers);
    if cheapest.is_empty() {
        println!("no priced offer for {} right now", wanted.gpu_type);
        return Ok(());
    }
    let rows: Vec<[String; 5]> = cheapest.iter().take(wanted.rows).map(|o| row(o)).collect();
    print_table(&["GPU", "count", "provider", "location", "price/hr"], &rows);
    if cheapest.len() > rows.len() {
        println!("({} more offers)", cheapest.len() - rows.len());
    }
    Ok(())
}

/// One offer as the table's cells.
fn row(offer: &GpuAvailability) -> [String; 5] {
    let location = [offer.data_center.as_deref(), offer.country.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let price = offer.on_demand_per_hour().map_or_else(
        || "-".to_owned(),
        |price| format!("{price:.2} {}", offer.prices.currency),
    );
    [
        offer.gpu_type.to_string(),
        offer.gpu_count.to_string(),
        offer.provider.to_string(),
        if location.is_empty() {
            "-".to_owned()
        } else {
            location
        },
        price,
    ]
}

/// Prints `rows` under `header`, each column as wide as its widest cell;
/// the count and price columns are right-aligned.
fn print_table(header: &[&str; 5], rows: &[[String; 5]]) {
    let mut widths = header.map(|title| title.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let padded = if index == 1 || index == 4 {
                format!("{cell:>width$}")
            } else {
                format!("{cell:<width$}")
            };
            if index > 0 {
                text.push_str("  ");
            }
            text.push_str(&padded);
        }
        println!("{}", text.trim_end());
    };
    line(*header);
    for row in rows {
        line(row.each_ref().map(String::as_str));
    }
}
