//! FRP plugin: the hook through which the platform's FRP servers ask the API
//! whether a tunnel operation (a login, a new proxy…) may go ahead (the
//! document's `FRP Plugin` tag, under `/api/v1/frp`). It is meant for FRP
//! servers and their tests; a tunnel's owner uses [`Tunnels`](crate::Tunnels).

use pi_types::{FrpPluginDecision, ValidateFrpPlugin};

use crate::call::Area;
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::request::answer::Json;

const VALIDATE: Endpoint = Endpoint::post("/api/v1/frp/validate");

/// Names the FRP plugin area in [`Area`]; see [`Frp`].
#[derive(Debug)]
pub enum FrpApi {}

/// A handle on the FRP plugin area; get one with [`Client::frp`].
///
/// ```no_run
/// use serde_json::json;
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let decision = client
///     .frp()
///     .validate("NewProxy", "0.1.0", json!({"proxy_name": "tunnel_1", "proxy_type": "http"}))
///     .await?;
/// if decision.reject == Some(true) {
///     println!("refused: {:?}", decision.reject_reason);
/// }
/// # Ok(())
/// # }
/// ```
pub type Frp<'c> = Area<'c, FrpApi>;

impl Client {
    /// The FRP plugin area, for FRP servers asking about tunnel operations.
    pub fn frp(&self) -> Frp<'_> {
        Area::new(self)
    }
}

impl Frp<'_> {
    /// Asks whether the FRP operation `op` (as the FRP server names it, such
    /// as `Login` or `NewProxy`) may go ahead, in version `version` of the
    /// plugin protocol, with the operation's `content` as FRP sends it. The
    /// answer allows it, rejects it with a reason, or rewrites the content.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) when `content` is not a JSON
    /// object, and any error of the request path.
    pub async fn validate(
        &self,
        op: impl Into<String>,
        version: impl Into<String>,
        content: serde_json::Value,
    ) -> Result<FrpPluginDecision, Error> {
        let body = ValidateFrpPlugin::new(op, version, content);
        self.with_body::<_, Json<FrpPluginDecision>>(&VALIDATE, &[], body)
            .send()
            .await
    }
}
