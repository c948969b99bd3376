//! Access to sandboxes' gateways: one cached token per sandbox, taken from
//! the sandbox's `auth` call and fetched again shortly before it expires.
//! Callers that need the same sandbox's token at once share one fetch.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pi_types::SecretString;

use crate::client::Client;
use crate::error::Error;

/// How long before its expiry a token is fetched again, so a call never
/// starts with a token about to lapse.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(60);

/// Where one sandbox's gateway is and the token that opens it.
#[derive(Clone)]
pub(crate) struct GatewayAccess {
    /// `{gateway_url}/{user_ns}/{job_id}`, without a trailing `/`.
    pub(crate) base: String,
    pub(crate) token: SecretString,
    /// Seconds since the Unix epoch at which the token lapses.
    expires_at: i64,
}

/// Shows where the gateway is, never the token.
impl fmt::Debug for GatewayAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayAccess")
            .field("base", &self.base)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl GatewayAccess {
    /// Whether the token can still start a call now.
    fn fresh(&self) -> bool {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            });
        let margin = i64::try_from(REFRESH_BEFORE_EXPIRY.as_secs()).unwrap_or(0);
        self.expires_at.saturating_sub(margin) > now
    }
}

/// One slot per sandbox; a slot's lock is held while its token is fetched,
/// which is what makes concurrent callers share one fetch.
type Slot = Arc<tokio::sync::Mutex<Option<GatewayAccess>>>;

/// The tokens a client holds, by sandbox id.
#[derive(Default)]
pub(crate) struct GatewayTokens {
    slots: Mutex<HashMap<String, Slot>>,
}

impl GatewayTokens {
    fn slot(&self, sandbox_id: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slots.entry(sandbox_id.to_owned()).or_default())
    }

    /// The sandbox's gateway and a token that is not about to expire,
    /// fetched through `client` only when the cached one will not do.
    ///
    /// # Errors
    /// Any error of the sandbox's `auth` call.
    pub(crate) async fn access(
        &self,
        client: &Client,
        sandbox_id: &str,
    ) -> Result<GatewayAccess, Error> {
        let slot = self.slot(sandbox_id);
        let mut cached = slot.lock().await;
        if let Some(access) = cached.as_ref().filter(|access| access.fresh()) {
            return Ok(access.clone());
        }
        let auth = client.sandboxes().auth(sandbox_id).send().await?;
        let access = GatewayAccess {
            base: format!(
                "{}/{}/{}",
                auth.gateway_url.trim_end_matches('/'),
                auth.user_ns,
                auth.job_id
            ),
            token: auth.token,
            expires_at: auth.expires_at.as_datetime().timestamp(),
        };
        *cached = Some(access.clone());
        Ok(access)
    }

    /// Forgets the sandbox's token, after the gateway refused it.
    pub(crate) async fn forget(&self, sandbox_id: &str) {
        *self.slot(sandbox_id).lock().await = None;
    }
}
