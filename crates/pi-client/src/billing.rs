//! Billing: your wallet's balance and latest charges, and what one training
//! run has cost (the document's `Billing` tag, under `/api/v1/billing`).

use pi_types::{InvalidInput, Rule, RunUsage, Wallet};

use crate::call::Area;
use crate::client::Client;
use crate::endpoint::{Endpoint, invalid_query};
use crate::error::Error;
use crate::request::ApiRequest;
use crate::request::answer::Json;

const RUN_USAGE: Endpoint = Endpoint::get("/api/v1/billing/runs/{run_id}/usage");
const WALLET: Endpoint = Endpoint::get("/api/v1/billing/wallet").team_in_query("teamId");

/// The most billing entries one wallet answer carries (`limit`).
const MAX_ENTRIES: u64 = 100;

/// Names the Billing area in [`Area`]; see [`Billing`].
#[derive(Debug)]
pub enum BillingApi {}

/// A handle on the Billing area; get one with [`Client::billing`].
///
/// ```no_run
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let wallet = client.billing().team("team_42").wallet().limit(5).send().await?;
/// println!("{:.2} {} left", wallet.balance_usd, wallet.currency);
/// for entry in &wallet.recent_billings {
///     println!("{} {:.2} for {}", entry.created_at, entry.amount_usd, entry.resource_type);
/// }
/// let usage = client.billing().run_usage("run_123").await?;
/// println!("{} tokens, {:.2} USD", usage.total_tokens, usage.total_cost_usd);
/// # Ok(())
/// # }
/// ```
pub type Billing<'c> = Area<'c, BillingApi>;

impl Client {
    /// The Billing area, acting for the client's default team.
    pub fn billing(&self) -> Billing<'_> {
        Area::new(self)
    }
}

impl<'c> Billing<'c> {
    /// The wallet of the handle's team (your own without one): its balance
    /// and its latest billing entries.
    pub fn wallet(&self) -> WalletRequest<'c> {
        WalletRequest {
            client: self.client(),
            team_id: self.team_id().map(str::to_owned),
            offset: None,
            limit: None,
        }
    }

    /// What the training run `run_id` has cost so far: tokens and US dollars
    /// for inference and for training, and the prices applied.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown run, and any error of the request path.
    pub async fn run_usage(&self, run_id: &str) -> Result<RunUsage, Error> {
        self.call::<Json<RunUsage>>(&RUN_USAGE, &[("run_id", run_id)])
            .await
    }
}

/// A wallet request: choose which billing entries come with it, then `.send()`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until .send()"]
pub struct WalletRequest<'c> {
    client: &'c Client,
    team_id: Option<String>,
    offset: Option<u64>,
    limit: Option<u64>,
}

impl WalletRequest<'_> {
    /// Skips this many of the latest billing entries.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Asks for at most this many billing entries (1 to 100; the server's
    /// default is 20).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Fetches the wallet. `total_billings` counts every entry, so further
    /// entries are fetched by sending again with a larger offset.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a limit outside 1 to 100,
    /// and any error of the request path.
    pub async fn send(&self) -> Result<Wallet, Error> {
        self.check()?;
        let request = ApiRequest::to(&WALLET, &[], self.team_id.as_deref())?
            .query_opt("offset", self.offset)
            .query_opt("limit", self.limit);
        self.client.call::<Json<Wallet>>(request).await
    }

    /// The document's rule for the query: a wallet answer carries 1 to 100 entries.
    fn check(&self) -> Result<(), InvalidInput> {
        match self.limit {
            Some(0) => Err(invalid_query("limit", Rule::AtLeast("1"), "it is 0")),
            Some(limit) if limit > MAX_ENTRIES => Err(invalid_query(
                "limit",
                Rule::AtMost("100"),
                format!("it is {limit}"),
            )),
            _ => Ok(()),
        }
    }
}
