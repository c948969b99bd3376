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

/// How many sandboxes' slots a client holds before it first drops those no
/// call is using and whose token is gone or lapsed.
const PRUNE_FROM: usize = 256;

/// The tokens a client holds, by sandbox id.
#[derive(Default)]
pub(crate) struct GatewayTokens {
    slots: Mutex<Slots>,
}

/// The slots, and the size at which they are next pruned: twice what a
/// pruning left, so a client talking to many live sandboxes prunes
/// rarely, and one talking to a stream of short-lived sandboxes keeps only
/// the recent ones.
#[derive(Default)]
struct Slots {
    by_sandbox: HashMap<String, Slot>,
    prune_at: usize,
}

impl Slots {
    /// Drops the slots no call holds whose token is missing or lapsed: a
    /// sandbox used again fetches a new one, as it would have anyway.
    fn prune(&mut self) {
        self.by_sandbox.retain(|_, slot| {
            Arc::strong_count(slot) > 1
                || slot.try_lock().map_or(true, |access| {
                    access.as_ref().is_some_and(GatewayAccess::fresh)
                })
        });
        self.prune_at = (self.by_sandbox.len() * 2).max(PRUNE_FROM);
    }
}

impl GatewayTokens {
    fn slot(&self, sandbox_id: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if slots.by_sandbox.len() >= slots.prune_at.max(PRUNE_FROM)
            && !slots.by_sandbox.contains_key(sandbox_id)
        {
            slots.prune();
        }
        Arc::clone(slots.by_sandbox.entry(sandbox_id.to_owned()).or_default())
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn access(expires_at: i64) -> GatewayAccess {
        GatewayAccess {
            base: "https://gw.example/ns/job".to_owned(),
            token: SecretString::from("t".to_owned()),
            expires_at,
        }
    }

    fn held(tokens: &GatewayTokens) -> usize {
        tokens.slots.lock().unwrap().by_sandbox.len()
    }

    #[test]
    fn slots_of_lapsed_or_missing_tokens_are_dropped_once_there_are_many() {
        let tokens = GatewayTokens::default();
        let later = i64::MAX / 2;
        // 100 sandboxes with a token still good, 156 with none or a lapsed one.
        for i in 0..PRUNE_FROM {
            let slot = tokens.slot(&format!("sb-{i}"));
            let mut cached = slot.try_lock().unwrap();
            *cached = match i {
                0..100 => Some(access(later)),
                100..200 => Some(access(0)),
                _ => None,
            };
        }
        assert_eq!(held(&tokens), PRUNE_FROM);
        // A slot in use survives whatever it holds.
        let in_use = tokens.slot("sb-255");
        // The next new sandbox prunes: the good tokens, the one in use and
        // the new slot remain.
        let _new = tokens.slot("sb-new");
        assert_eq!(held(&tokens), 102);
        let slots = tokens.slots.lock().unwrap();
        assert!(slots.by_sandbox.contains_key("sb-0"));
        assert!(slots.by_sandbox.contains_key("sb-255"));
        assert!(!slots.by_sandbox.contains_key("sb-150"));
        // The next pruning waits until the map doubles again (at least the floor).
        assert_eq!(slots.prune_at, PRUNE_FROM);
        drop(slots);
        drop(in_use);
        // An id already held never prunes.
        let _again = tokens.slot("sb-0");
        assert_eq!(held(&tokens), 102);
    }
}
