//! When a failed attempt is tried again and how long to wait first: the
//! [`RetryPolicy`] a client is built with, and the rules that decide whether
//! an outcome may be retried at all.
//!
//! The rules, in short: only 429, 502, 503 and 504 answers, failed
//! connections and connect timeouts are retried. A failed connection sent
//! nothing, so it is retried for any method; an answer means the request
//! reached the server, so it is retried only for idempotent methods or
//! requests that carry an idempotency key.

use std::time::Duration;

use reqwest::Method;

/// How a client retries attempts that failed for a reason worth retrying.
///
/// The defaults: at most [`RetryPolicy::DEFAULT_MAX_RETRIES`] retries (so four
/// attempts in all), waits growing from [`RetryPolicy::DEFAULT_BASE_DELAY`] by
/// a factor of [`RetryPolicy::DEFAULT_FACTOR`] up to
/// [`RetryPolicy::DEFAULT_MAX_DELAY`], each wait drawn at random between zero
/// and that bound ("full jitter", so many clients failing together do not
/// come back together). A server's `Retry-After` (seconds or an HTTP date)
/// replaces the drawn wait, up to [`RetryPolicy::DEFAULT_MAX_RETRY_AFTER`]:
/// when it asks for longer, the client gives up at once and returns the error
/// (for a 429, [`Error::RateLimited`](crate::Error::RateLimited) with the
/// server's `retry_after`).
///
/// ```
/// use std::time::Duration;
/// use pi_client::{Client, RetryPolicy};
///
/// let patient = RetryPolicy::default()
///     .max_retries(5)
///     .base_delay(Duration::from_millis(500))
///     .max_delay(Duration::from_secs(10));
/// let client = Client::builder().api_key("pk_example").retry_policy(patient).build()?;
/// # let _ = client;
///
/// // Or no retries at all: every failure is returned as it happens.
/// assert_eq!(RetryPolicy::none().max_retries_allowed(), 0);
/// # Ok::<(), pi_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    factor: u32,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: Self::DEFAULT_MAX_RETRIES,
            base_delay: Self::DEFAULT_BASE_DELAY,
            factor: Self::DEFAULT_FACTOR,
            max_delay: Self::DEFAULT_MAX_DELAY,
            max_retry_after: Self::DEFAULT_MAX_RETRY_AFTER,
        }
    }
}

impl RetryPolicy {
    /// Retries after the first attempt, unless configured: 3.
    pub const DEFAULT_MAX_RETRIES: u32 = 3;
    /// The bound of the first wait, unless configured: 200 ms.
    pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(200);
    /// How much the bound grows with each retry, unless configured: 2.
    pub const DEFAULT_FACTOR: u32 = 2;
    /// The largest bound of any one wait, unless configured: 5 s.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(5);
    /// The longest `Retry-After` the client waits for, unless configured: 30 s.
    pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

    /// A policy that never retries: the first outcome is the result.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets how many times a failed attempt may be retried (0 turns retries off).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the bound of the first wait; later bounds grow from it.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets how much the bound of the wait is multiplied by after each retry
    /// (1 keeps it constant; 0 is taken as 1).
    #[must_use]
    pub fn factor(mut self, factor: u32) -> Self {
        self.factor = factor.max(1);
        self
    }

    /// Sets the largest bound any one wait may have.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the longest `Retry-After` the client is willing to wait for; a
    /// server asking for more makes the client give up and return the error.
    #[must_use]
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// How many retries this policy allows after the first attempt.
    #[must_use]
    pub fn max_retries_allowed(&self) -> u32 {
        self.max_retries
    }

    /// The upper bound of the wait before retry number `retry` (0 for the
    /// first retry): `base_delay × factor^retry`, never above `max_delay`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = pi_client::RetryPolicy::default();
    /// assert_eq!(policy.delay_bound(0), Duration::from_millis(200));
    /// assert_eq!(policy.delay_bound(2), Duration::from_millis(800));
    /// assert_eq!(policy.delay_bound(40), Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn delay_bound(&self, retry: u32) -> Duration {
        let growth = self.factor.max(1).saturating_pow(retry);
        self.base_delay.saturating_mul(growth).min(self.max_delay)
    }

    /// The wait before retry number `retry`, or `None` when the server's
    /// `Retry-After` is longer than this policy accepts.
    pub(crate) fn wait(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut fastrand::Rng,
    ) -> Option<Duration> {
        match retry_after {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked),
            None => Some(full_jitter(self.delay_bound(retry), rng)),
        }
    }
}

/// A wait drawn uniformly between zero and `bound`.
fn full_jitter(bound: Duration, rng: &mut fastrand::Rng) -> Duration {
    let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.u64(0..=nanos))
}

/// Why an attempt is being retried; logged with the retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// No connection could be opened (or it timed out): nothing was sent.
    Connect,
    /// The server answered with a retryable status.
    Status(u16),
}

impl std::fmt::Display for RetryReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Connect => f.write_str("connect failed"),
            Self::Status(429) => f.write_str("rate limited (429)"),
            Self::Status(status) => write!(f, "status {status}"),
        }
    }
}

/// What a failed attempt tells the retry rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing reached the server: the connection was never established.
    NotSent,
    /// The server answered with this status (and maybe a `Retry-After`).
    Status(u16),
    /// Anything else: the request may have reached the server, and the
    /// failure is not one that a retry is known to help with.
    Other,
}

/// Methods that mean the same thing when sent twice (RFC 9110, 9.2.2).
pub(crate) fn is_idempotent(method: &Method) -> bool {
    [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
    ]
    .contains(method)
}

/// Whether `failure` may be retried for a request of `method`, and why.
/// `retry_safe` says the request carries an idempotency key, so the server
/// will not act on it twice.
pub(crate) fn retry_reason(
    method: &Method,
    retry_safe: bool,
    failure: Failure,
) -> Option<RetryReason> {
    match failure {
        Failure::NotSent => Some(RetryReason::Connect),
        Failure::Status(status @ (429 | 502 | 503 | 504))
            if retry_safe || is_idempotent(method) =>
        {
            Some(RetryReason::Status(status))
        }
        Failure::Status(_) | Failure::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_defaults_hold() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_retries_allowed(), 3);
        assert_eq!(policy.delay_bound(0), Duration::from_millis(200));
        assert_eq!(policy.delay_bound(1), Duration::from_millis(400));
        assert_eq!(policy.delay_bound(4), Duration::from_millis(3200));
        assert_eq!(policy.delay_bound(5), Duration::from_secs(5));
        assert_eq!(policy.delay_bound(u32::MAX), Duration::from_secs(5));
        assert_eq!(RetryPolicy::none().max_retries_allowed(), 0);
    }

    #[test]
    fn waits_stay_within_their_bound_and_vary() {
        let policy = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        for retry in 0..8 {
            let waits: Vec<Duration> = (0..200)
                .map(|_| policy.wait(retry, None, &mut rng).unwrap_or_default())
                .collect();
            assert!(waits.iter().all(|wait| *wait <= policy.delay_bound(retry)));
            let distinct: std::collections::HashSet<_> = waits.iter().collect();
            assert!(distinct.len() > 100, "retry {retry}: jitter barely varies");
        }
    }

    #[test]
    fn retry_after_replaces_the_backoff_up_to_its_bound() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        let mut rng = fastrand::Rng::with_seed(1);
        assert_eq!(
            policy.wait(0, Some(Duration::from_secs(9)), &mut rng),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            policy.wait(0, Some(Duration::from_secs(10)), &mut rng),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            policy.wait(0, Some(Duration::from_secs(11)), &mut rng),
            None
        );
    }

    #[test]
    fn a_factor_of_zero_is_taken_as_one() {
        let policy = RetryPolicy::default().factor(0);
        assert_eq!(policy.delay_bound(3), RetryPolicy::DEFAULT_BASE_DELAY);
    }

    #[test]
    fn only_the_listed_failures_are_retried_and_answers_only_when_idempotent() {
        for method in [Method::GET, Method::PUT, Method::DELETE, Method::HEAD] {
            for status in [429, 502, 503, 504] {
                assert_eq!(
                    retry_reason(&method, false, Failure::Status(status)),
                    Some(RetryReason::Status(status))
                );
            }
            for status in [400, 401, 404, 409, 422, 500, 501, 505] {
                assert_eq!(retry_reason(&method, false, Failure::Status(status)), None);
            }
            assert_eq!(retry_reason(&method, false, Failure::Other), None);
        }
        for method in [Method::POST, Method::PATCH] {
            for status in [429, 502, 503, 504] {
                assert_eq!(retry_reason(&method, false, Failure::Status(status)), None);
                assert_eq!(
                    retry_reason(&method, true, Failure::Status(status)),
                    Some(RetryReason::Status(status))
                );
            }
            assert_eq!(retry_reason(&method, true, Failure::Status(500)), None);
            assert_eq!(retry_reason(&method, true, Failure::Other), None);
            assert_eq!(
                retry_reason(&method, false, Failure::NotSent),
                Some(RetryReason::Connect)
            );
        }
    }
}
