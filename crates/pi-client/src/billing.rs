//! Billing: your wallet's balance and latest charges, and what one training
//! run has cost (the document's `Billing` tag, under `/api/v1/billing`).
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let wallet = client.billing().wallet().team("team_42").limit(5).send().await?;
//! println!("{:.2} {} left", wallet.balance_usd, wallet.currency);
//! for entry in &wallet.recent_billings {
//!     println!("{} {:.2} for {}", entry.created_at, entry.amount_usd, entry.resource_type);
//! }
//! let usage = client.billing().run_usage("run_123").send().await?;
//! println!("{} tokens, {:.2} USD", usage.total_tokens, usage.total_cost_usd);
//! # Ok(())
//! # }
//! ```

pub use crate::generated::billing::*;
