//! The [`Client`] and its [`ClientBuilder`]: one configured connection to the
//! PI API, shared by every area handle.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::config::{self, API_KEY_VAR, BASE_URL_VAR};
use crate::{Error, RetryPolicy};

/// The PI API's public address, used when no base URL is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.primeintellect.ai";
/// How long the client waits to open a connection, unless configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one attempt may take from sending to the end of the body, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the client waits for the next bytes of an answer (its headers,
/// or more of its body) before giving up on a stalled server, unless configured.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest response body read before giving up, unless configured (8 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// The longest timeout handed to the HTTP stack; longer ones (such as
/// `Duration::MAX`, meant as "forever") are taken as this, since the stack
/// cannot represent an instant that far away.
const LONGEST_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// A client for the PI API. Cheap to clone: clones share one connection pool.
///
/// Areas of the API are reached through handles, such as [`Client::secrets`].
///
/// ```
/// let client = pi_client::Client::builder()
///     .api_key("pk_live_example")
///     .team_id("team_42")
///     .build()?;
/// assert_eq!(client.team_id(), Some("team_42"));
/// // The key never shows in debug output.
/// assert!(!format!("{client:?}").contains("pk_live_example"));
/// # Ok::<(), pi_client::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) api_key: SecretString,
    pub(crate) team_id: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    /// Whether each call's span carries the filled-in path (`url.path`).
    pub(crate) trace_full_paths: bool,
}

impl Client {
    /// Starts configuring a client by hand.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `PRIME_API_KEY`, `PRIME_BASE_URL` and
    /// `PRIME_TEAM_ID`, falling back to the `prime` CLI's `~/.prime/config.json`
    /// for any of them that is unset.
    ///
    /// # Errors
    /// [`Error::Configuration`] when no API key is found, the base URL is not
    /// a usable URL, or the CLI's config file exists but cannot be parsed.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL every request goes to.
    #[must_use]
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The team calls act for unless a handle says otherwise.
    #[must_use]
    pub fn team_id(&self) -> Option<&str> {
        self.inner.team_id.as_deref()
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("api_key", &"[redacted]")
            .field("team_id", &self.inner.team_id)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Client`]; finish with [`ClientBuilder::build`].
#[derive(Clone)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    base_url: Option<String>,
    team_id: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    read_timeout: Option<Duration>,
    deadline: Option<Duration>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    allow_insecure_http: bool,
    trace_full_paths: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            base_url: None,
            team_id: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            deadline: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
            trace_full_paths: false,
        }
    }
}

impl ClientBuilder {
    /// A builder pre-filled from the environment and the `prime` CLI's config
    /// file (see [`Client::from_env`]); anything set afterwards overrides it.
    ///
    /// # Errors
    /// [`Error::Configuration`] when the CLI's config file exists but cannot be read.
    pub fn from_env() -> Result<Self, Error> {
        let found = config::find_settings(
            |name| std::env::var(name).ok(),
            config::cli_config_path().as_deref(),
        )?;
        Ok(Self {
            api_key: found.api_key,
            base_url: found.base_url,
            team_id: found.team_id,
            ..Self::default()
        })
    }

    /// The API key sent as a bearer token with every request.
    pub fn api_key(mut self, api_key: impl Into<SecretString>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Where the API lives; defaults to [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The team calls act for by default; a handle can override it per call.
    pub fn team_id(mut self, team_id: impl Into<String>) -> Self {
        self.team_id = Some(team_id.into());
        self
    }

    /// How long to wait for a connection to open (at most a year; longer counts as a year).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take, from sending the request to the end of
    /// the response body (at most a year; longer counts as a year).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long to wait for the next bytes of an answer once the request is
    /// sent, whether its headers or more of its body; the wait starts again
    /// with every read, so a long but steady body is not cut off. Defaults to
    /// [`DEFAULT_READ_TIMEOUT`]; `None` waits as long as [`ClientBuilder::timeout`]
    /// allows. At most a year; longer counts as a year.
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How long a call may take in all, every attempt and every wait between
    /// retries included; past it the call fails with [`Error::Timeout`].
    /// A retry whose wait would end past the deadline is not made: the last
    /// attempt's error is returned at once. No deadline by default: each
    /// attempt is bounded by [`ClientBuilder::timeout`] and the number of
    /// attempts by the [`RetryPolicy`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How failed attempts are retried; see [`RetryPolicy`] for the rules and
    /// the defaults, and [`RetryPolicy::none`] to turn retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body the client reads (defaults to
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]); a larger one fails with
    /// [`Error::ResponseTooLarge`] without being read further.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Adds the filled-in path (`url.path`, holding resource ids) to each
    /// call's `pi.call` tracing span. Off by default: the span carries only
    /// the path template (`url.template`), since ids can be sensitive.
    pub fn trace_full_paths(mut self, enabled: bool) -> Self {
        self.trace_full_paths = enabled;
        self
    }

    /// Allows sending the API key over plain HTTP to a host that is not on
    /// this machine. Off by default: a key sent in clear text is a key lost.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the settings and makes the client.
    ///
    /// # Errors
    /// [`Error::Configuration`] when the API key is missing or holds control
    /// characters, the team id holds control characters, the base URL is not
    /// an `http`/`https` URL, or it is plain HTTP to a remote host without
    /// [`ClientBuilder::allow_insecure_http`].
    pub fn build(self) -> Result<Client, Error> {
        let api_key = self.api_key.ok_or_else(|| {
            Error::configuration(format!(
                "no API key; set {API_KEY_VAR}, run `prime login`, or call ClientBuilder::api_key"
            ))
        })?;
        if api_key.expose_secret().trim().is_empty() {
            return Err(Error::configuration("the API key is empty"));
        }
        if api_key.expose_secret().chars().any(char::is_control) {
            return Err(Error::configuration(
                "the API key contains control characters (a stray newline?); it cannot be sent in a header",
            ));
        }
        if let Some(team_id) = &self.team_id {
            if team_id.chars().any(char::is_control) {
                return Err(Error::configuration(format!(
                    "the team id {team_id:?} contains control characters"
                )));
            }
        }
        let base_url = parse_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.allow_insecure_http,
        )?;
        let connect_timeout = self.connect_timeout.min(LONGEST_TIMEOUT);
        let timeout = self.timeout.min(LONGEST_TIMEOUT);
        let read_timeout = self.read_timeout.map(|read| read.min(LONGEST_TIMEOUT));
        let mut http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(connect_timeout)
            .timeout(timeout);
        if let Some(read_timeout) = read_timeout {
            http = http.read_timeout(read_timeout);
        }
        let http = http
            // Redirects are not followed: the API does not use them, and a
            // followed redirect could carry the key to another host.
            .redirect(reqwest::redirect::Policy::none())
            // The client's RetryPolicy is the only retry layer, so what it
            // promises (never a POST twice) is all that happens.
            .retry(reqwest::retry::never())
            .build()
            .map_err(|error| {
                Error::configuration(format!("cannot set up the HTTP client: {error}"))
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                api_key,
                team_id: self.team_id,
                connect_timeout,
                timeout,
                read_timeout,
                deadline: self.deadline,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                trace_full_paths: self.trace_full_paths,
            }),
        })
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("team_id", &self.team_id)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("trace_full_paths", &self.trace_full_paths)
            .finish()
    }
}

fn parse_base_url(text: &str, allow_insecure_http: bool) -> Result<Url, Error> {
    let url = Url::parse(text).map_err(|error| {
        Error::configuration(format!(
            "the base URL {text:?} is not a URL ({error}); check {BASE_URL_VAR}"
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::configuration(format!(
                "the base URL {text:?} is plain HTTP to a remote host, which would expose the API key; \
                 use https, or call ClientBuilder::allow_insecure_http(true) if you really mean it"
            )));
        }
        other => {
            return Err(Error::configuration(format!(
                "the base URL {text:?} has scheme `{other}`; use https"
            )));
        }
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::configuration(format!(
            "the base URL {text:?} has no host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::configuration(
            "the base URL must not carry credentials; use ClientBuilder::api_key",
        ));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn build(base_url: &str) -> Result<Client, Error> {
        Client::builder().api_key("k").base_url(base_url).build()
    }

    /// A client can be cloned into tasks on any thread.
    const _: fn() = || {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        shareable::<Client>();
        shareable::<ClientBuilder>();
    };

    #[test]
    fn a_missing_key_says_how_to_configure_one() {
        let error = Client::builder().build().unwrap_err().to_string();
        assert!(error.contains("PRIME_API_KEY"), "{error}");
    }

    #[test]
    fn plain_http_is_only_for_loopback_unless_allowed() {
        assert!(build("http://127.0.0.1:8080").is_ok());
        assert!(build("http://localhost:1").is_ok());
        assert!(build("http://[::1]:1").is_ok());
        let error = build("http://api.example.com").unwrap_err().to_string();
        assert!(error.contains("allow_insecure_http"), "{error}");
        let allowed = Client::builder()
            .api_key("k")
            .base_url("http://api.example.com")
            .allow_insecure_http(true)
            .build();
        assert!(allowed.is_ok());
    }

    #[test]
    fn other_schemes_and_non_urls_are_configuration_errors() {
        for bad in ["ftp://x", "not a url", "https://user:pw@host"] {
            assert!(
                matches!(build(bad), Err(Error::Configuration { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn control_characters_in_the_key_or_team_are_rejected_without_echoing_the_key() {
        let error = Client::builder()
            .api_key("sk-secret\n")
            .build()
            .unwrap_err()
            .to_string();
        assert!(error.contains("control characters"), "{error}");
        assert!(!error.contains("sk-secret"), "{error}");
        let error = Client::builder()
            .api_key("k")
            .team_id("team\r\nX-Evil: 1")
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::Configuration { .. }));
    }

    #[test]
    fn only_true_loopback_hosts_may_use_plain_http() {
        for allowed in [
            "http://127.1.2.3:9",
            "http://LOCALHOST:1",
            "https://api.example.com",
        ] {
            assert!(build(allowed).is_ok(), "{allowed}");
        }
        for refused in [
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://0.0.0.0",
        ] {
            assert!(
                matches!(build(refused), Err(Error::Configuration { .. })),
                "{refused}"
            );
        }
    }

    #[test]
    fn every_kind_of_control_character_in_the_key_or_team_is_rejected() {
        for key in ["a\tb", "a\rb", "\0k", "k\u{7f}", "k\u{85}", " k\n"] {
            let error = Client::builder().api_key(key).build().unwrap_err();
            assert!(matches!(error, Error::Configuration { .. }), "{key:?}");
        }
        for team in ["t\0", "t\u{1b}[31m", "t\n"] {
            let error = Client::builder()
                .api_key("k")
                .team_id(team)
                .build()
                .unwrap_err();
            assert!(matches!(error, Error::Configuration { .. }), "{team:?}");
        }
    }

    #[test]
    fn debug_of_the_builder_and_client_hides_the_key() {
        let builder = Client::builder().api_key("sk-hidden-123");
        assert!(!format!("{builder:?}").contains("sk-hidden-123"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}{client:#?}").contains("sk-hidden-123"));
    }
}
