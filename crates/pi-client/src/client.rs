//! The [`Client`] and its [`ClientBuilder`]: one configured connection to the
//! PI API, shared by every area handle.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::config::{self, API_KEY_VAR};
use crate::error::Error;
use crate::gateway::GatewayTokens;
use crate::request::ApiRequest;
use crate::request::answer::Answer;
use crate::request::retry::RetryPolicy;
use crate::request::send::{Settings, Transport};

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
    /// How requests are sent: the HTTP stack, base URL, key and limits.
    pub(crate) transport: Transport,
    pub(crate) team_id: Option<String>,
    /// The gateway tokens of the sandboxes this client ran commands in.
    pub(crate) gateway: GatewayTokens,
}

impl Client {
    /// Starts configuring a client by hand.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured the way the `prime` CLI configures itself, so a
    /// person who already uses the CLI needs no setup.
    ///
    /// Each setting is taken from the first place that has it, left to right
    /// (a variable set to blank counts as unset):
    ///
    /// | setting | variables | with `PRIME_CONTEXT=<name>` | without `PRIME_CONTEXT` | else |
    /// | --- | --- | --- | --- | --- |
    /// | API key | `PRIME_API_KEY` | `api_key` of `~/.prime/environments/<name>.json`; if the file has no `api_key` key, `api_key` of `~/.prime/config.json` | `api_key` of `~/.prime/config.json` | none: [`Error::Configuration`] |
    /// | base URL | `PRIME_API_BASE_URL`, then `PRIME_BASE_URL` | `base_url` of `~/.prime/environments/<name>.json` | `base_url` of `~/.prime/config.json` | [`DEFAULT_BASE_URL`] |
    /// | traces base URL | `PRIME_TRACES_URL` | `traces_url` of `~/.prime/environments/<name>.json` | `traces_url` of `~/.prime/config.json` | the base URL |
    /// | team | `PRIME_TEAM_ID` | `team_id` of `~/.prime/environments/<name>.json` | `team_id` of `~/.prime/config.json` | none: the personal account |
    ///
    /// As in the CLI:
    /// - an environment file replaces `config.json` for the base URL and the
    ///   team (a file without them means the default URL and the personal
    ///   account), and for the key when it has an `api_key` key, even an
    ///   empty one (then there is no key: the main account's key is not sent
    ///   to another environment's server);
    /// - `PRIME_CONTEXT=production` (in any case) is built in and has no
    ///   file: the default URL, the personal account, `config.json`'s key;
    /// - the environment name may hold only letters, digits, `-` and `_`, so
    ///   it cannot name a file outside `~/.prime/environments`;
    /// - a trailing `/api/v1` (with or without a final `/`) is dropped from
    ///   the base URL, wherever it comes from;
    /// - `~` is `HOME` (or `USERPROFILE` on Windows).
    ///
    /// Unlike the CLI, which skips them silently or crashes, a missing
    /// environment file or a broken file (not JSON, not an object, a key that
    /// is not a string or `null`) is an [`Error::Configuration`] naming it.
    /// A missing `config.json` is not an error. The CLI's directory contexts
    /// (`.prime/context.json` in a project folder) are not read.
    ///
    /// To set some of the values by hand, start from [`ClientBuilder::from_env`].
    ///
    /// # Errors
    /// [`Error::Configuration`] when no API key is found, the base URL is not
    /// a usable URL, `PRIME_CONTEXT` names no usable environment file, or a
    /// file read is broken; the message says where the faulty value came from.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Sends `request` through the request path and decodes a successful
    /// answer as `R` says (see [`Transport::call`]).
    ///
    /// A plain function handing back the transport's future, not an `async
    /// fn`: each async layer of a call adds its state to what every call
    /// writes and copies, which showed in the loopback benchmark.
    pub(crate) fn call<R: Answer>(
        &self,
        request: ApiRequest,
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'_, R> {
        self.inner.transport.call::<R>(request)
    }

    /// The request path, for calls that are not `ApiRequest`s (a sandbox's
    /// gateway).
    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// The base URL every request goes to, without a trailing `/api/v1`:
    /// each request's path starts with it.
    #[must_use]
    pub fn base_url(&self) -> &Url {
        &self.inner.transport.base_url
    }

    /// The base URL the traces area's requests go to
    /// ([`ClientBuilder::traces_url`]); the client's base URL unless set.
    #[must_use]
    pub fn traces_url(&self) -> &Url {
        &self.inner.transport.traces_base_url
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
            .field("base_url", &self.inner.transport.base_url.as_str())
            .field("traces_url", &self.inner.transport.traces_base_url.as_str())
            // Says whether there is a key, as the builder's Debug does,
            // without a trace of the key itself.
            .field(
                "api_key",
                &self.inner.transport.has_api_key().then_some("[redacted]"),
            )
            .field("team_id", &self.inner.team_id)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Client`]; finish with [`ClientBuilder::build`].
#[derive(Clone)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    /// Built without a key on purpose ([`ClientBuilder::without_api_key`]).
    keyless: bool,
    base_url: Option<String>,
    traces_url: Option<String>,
    team_id: Option<String>,
    origins: Origins,
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
            keyless: false,
            base_url: None,
            traces_url: None,
            team_id: None,
            origins: Origins::default(),
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
    /// A builder pre-filled from the environment variables and the `prime`
    /// CLI's files, exactly as [`Client::from_env`] describes; anything set
    /// afterwards overrides it.
    ///
    /// # Errors
    /// [`Error::Configuration`] when `PRIME_CONTEXT` names no usable
    /// environment file, or a file read is broken (see [`Client::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_sources(
            |name| std::env::var(name).ok(),
            config::home_dir().as_deref(),
        )
    }

    /// [`ClientBuilder::from_env`] with `var` answering for the environment
    /// variables and `home` as the folder holding `.prime`.
    pub(crate) fn from_sources(
        var: impl Fn(&str) -> Option<String>,
        home: Option<&Path>,
    ) -> Result<Self, Error> {
        let found = config::find_settings(var, home)?;
        let (api_key, api_key_origin) = split(found.api_key);
        let (base_url, base_url_origin) = split(found.base_url);
        let (team_id, team_id_origin) = split(found.team_id);
        let (traces_url, traces_url_origin) = split(found.traces_url);
        Ok(Self {
            api_key,
            base_url,
            traces_url,
            team_id,
            origins: Origins {
                api_key: api_key_origin,
                base_url: base_url_origin,
                traces_url: traces_url_origin,
                team_id: team_id_origin,
                key_looked_in: found.key_looked_in,
            },
            ..Self::default()
        })
    }

    /// The API key sent as a bearer token with every request.
    pub fn api_key(mut self, api_key: impl Into<SecretString>) -> Self {
        self.api_key = Some(api_key.into());
        self.origins.api_key = None;
        self.keyless = false;
        self
    }

    /// A client without an API key, for the calls that need none: the
    /// login challenge ([`Login::start_challenge`](crate::Login::start_challenge),
    /// [`Login::challenge_status`](crate::Login::challenge_status)), which is
    /// how a key is obtained in the first place. Any other call fails with
    /// [`Error::Configuration`] before anything is sent. A later
    /// [`ClientBuilder::api_key`] gives the client a key again.
    ///
    /// ```
    /// let client = pi_client::Client::builder().without_api_key().build()?;
    /// let start = client.login().start_challenge("-----BEGIN PUBLIC KEY-----...");
    /// # drop(start);
    /// # Ok::<(), pi_client::Error>(())
    /// ```
    pub fn without_api_key(mut self) -> Self {
        self.api_key = None;
        self.origins.api_key = None;
        self.keyless = true;
        self
    }

    /// Where the API lives; defaults to [`DEFAULT_BASE_URL`]. A trailing
    /// `/api/v1` is dropped, as the `prime` CLI does: every request's path
    /// starts with it.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self.origins.base_url = None;
        self
    }

    /// Where the Prime Traces service lives: the traces area's requests go
    /// there, every other request to [`ClientBuilder::base_url`]. Unset, the
    /// traces area uses the base URL too, so a client pointed at a mock
    /// sends everything there. Checked, and a trailing `/api/v1` dropped, as
    /// the base URL is.
    pub fn traces_url(mut self, traces_url: impl Into<String>) -> Self {
        self.traces_url = Some(traces_url.into());
        self.origins.traces_url = None;
        self
    }

    /// The team calls act for by default; a handle can override it per call.
    pub fn team_id(mut self, team_id: impl Into<String>) -> Self {
        self.team_id = Some(team_id.into());
        self.origins.team_id = None;
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
    /// [`ClientBuilder::allow_insecure_http`]. For a value
    /// [`ClientBuilder::from_env`] found, the message names where.
    pub fn build(self) -> Result<Client, Error> {
        let origins = &self.origins;
        let api_key = match self.api_key {
            Some(api_key) => Some(api_key),
            None if self.keyless => None,
            None => {
                let looked = if origins.key_looked_in.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", origins.key_looked_in.join(", "))
                };
                return Err(Error::configuration(format!(
                    "no API key{looked}; set {API_KEY_VAR}, run `prime login`, or call ClientBuilder::api_key"
                )));
            }
        };
        let key_from = from(origins.api_key.as_deref());
        if let Some(api_key) = &api_key {
            if api_key.expose_secret().trim().is_empty() {
                return Err(Error::configuration(format!(
                    "the API key{key_from} is empty"
                )));
            }
            if api_key.expose_secret().chars().any(char::is_control) {
                return Err(Error::configuration(format!(
                    "the API key{key_from} contains control characters (a stray newline?); it cannot be sent in a header",
                )));
            }
        }
        if let Some(team_id) = &self.team_id {
            if team_id.chars().any(char::is_control) {
                return Err(Error::configuration(format!(
                    "the team id {team_id:?}{} contains control characters",
                    from(origins.team_id.as_deref())
                )));
            }
        }
        let base_url = parse_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            origins.base_url.as_deref(),
            self.allow_insecure_http,
        )?;
        let traces_base_url = match &self.traces_url {
            None => None,
            Some(text) => Some(parse_base_url(
                text,
                origins.traces_url.as_deref(),
                self.allow_insecure_http,
            )?),
        };
        let connect_timeout = self.connect_timeout.min(LONGEST_TIMEOUT);
        let timeout = self.timeout.min(LONGEST_TIMEOUT);
        let read_timeout = self.read_timeout.map(|read| read.min(LONGEST_TIMEOUT));
        let transport = Transport::new(
            api_key.as_ref(),
            base_url,
            Settings {
                user_agent: USER_AGENT,
                traces_base_url,
                connect_timeout,
                timeout,
                read_timeout,
                deadline: self.deadline,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                trace_full_paths: self.trace_full_paths,
            },
        )?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                team_id: self.team_id,
                gateway: GatewayTokens::default(),
            }),
        })
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("traces_url", &self.traces_url)
            .field("team_id", &self.team_id)
            .field("origins", &self.origins)
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

/// Where [`ClientBuilder::from_env`] found each of its settings (`None`:
/// given to the builder), for messages about a faulty value.
#[derive(Clone, Debug, Default)]
struct Origins {
    api_key: Option<String>,
    base_url: Option<String>,
    traces_url: Option<String>,
    team_id: Option<String>,
    /// Every place [`ClientBuilder::from_env`] looked for a key; empty for a
    /// builder that did not start from it.
    key_looked_in: Vec<String>,
}

/// A found setting as a value and its origin.
fn split<T>(found: Option<config::Found<T>>) -> (Option<T>, Option<String>) {
    match found {
        Some(found) => (Some(found.value), Some(found.source)),
        None => (None, None),
    }
}

/// ` (from <origin>)`, or nothing for a value given to the builder.
fn from(origin: Option<&str>) -> String {
    origin
        .map(|origin| format!(" (from {origin})"))
        .unwrap_or_default()
}

/// Checks a base URL and drops a trailing `/api/v1`; `origin` is where it was
/// found, for the messages.
fn parse_base_url(
    text: &str,
    origin: Option<&str>,
    allow_insecure_http: bool,
) -> Result<Url, Error> {
    let from = from(origin);
    // Messages show the URL without its query or fragment: those can carry
    // tokens, and an error message ends up in logs.
    let shown = match text.find(['?', '#']) {
        Some(end) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    };
    let hint = scheme_hint(text);
    let mut url = Url::parse(text).map_err(|error| {
        Error::configuration(match &hint {
            Some(hint) => format!("the base URL {shown:?}{from} has no scheme: {hint}"),
            None => format!("the base URL {shown:?}{from} is not a URL ({error})"),
        })
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::configuration(format!(
                "the base URL {shown:?}{from} is plain HTTP to a remote host, which would expose the API key; \
                 use https, or call ClientBuilder::allow_insecure_http(true) if you really mean it"
            )));
        }
        other => {
            return Err(Error::configuration(match &hint {
                Some(hint) => format!(
                    "the base URL {shown:?}{from} has no scheme (it reads as scheme `{other}`): {hint}"
                ),
                None => format!("the base URL {shown:?}{from} has scheme `{other}`; use https"),
            }));
        }
    }
    // The request path keeps the base URL's query and adds each call's
    // parameters to it, so a query here would go out with every call, mixed
    // with the documented parameters, and show in every logged URL; a
    // fragment is never sent but would show in the logs all the same.
    if url.query().is_some() {
        return Err(Error::configuration(format!(
            "the base URL {shown:?}{from} has a query (`?…`); a base URL is a scheme, host, port \
             and path only: remove everything from the `?`"
        )));
    }
    if url.fragment().is_some() {
        return Err(Error::configuration(format!(
            "the base URL {shown:?}{from} has a fragment (`#…`); a base URL is a scheme, host, port \
             and path only: remove everything from the `#`"
        )));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::configuration(format!(
            "the base URL {text:?}{from} has no host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // The text is not shown: it holds the credentials.
        return Err(Error::configuration(format!(
            "the base URL{from} must not carry credentials; use ClientBuilder::api_key",
        )));
    }
    strip_api_v1(&mut url);
    Ok(url)
}

/// A hint for a base URL written without a scheme (`localhost:8080`, which
/// the URL grammar reads as scheme `localhost`; `10.0.0.1:8080`, which it
/// cannot read at all), or `None` when it has one or is no host at all.
fn scheme_hint(text: &str) -> Option<String> {
    let bare = text.split(['?', '#']).next().unwrap_or_default();
    let authority = bare.split('/').next().unwrap_or_default();
    let port_or_nothing = match authority.split_once(':') {
        Some((_, port)) => !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()),
        None => true,
    };
    if text.contains("://")
        || authority.is_empty()
        || authority.contains(char::is_whitespace)
        || !port_or_nothing
    {
        return None;
    }
    Some(format!(
        "write `http://{bare}` for a server on this machine or `https://{bare}` for a remote one"
    ))
}

/// Drops one trailing `/api/v1` (with or without a final `/`) from the path,
/// as the `prime` CLI does: the paths the client sends start with it, and
/// keeping it would make every request go to `/api/v1/api/v1/…`.
fn strip_api_v1(url: &mut Url) {
    let path = url.path().trim_end_matches('/');
    if let Some(kept) = path.strip_suffix("/api/v1") {
        let kept = kept.to_owned();
        url.set_path(&kept);
    }
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
    fn a_base_url_with_a_query_or_fragment_is_refused_without_showing_it() {
        for given in [
            "https://api.example.com/?token=sk-live-123",
            "https://api.example.com?token=sk-live-123",
            "http://localhost:8080/#sk-live-123",
            "https://api.example.com/?",
        ] {
            let error = build(given).unwrap_err();
            assert!(matches!(error, Error::Configuration { .. }), "{given}");
            let message = error.to_string();
            assert!(!message.contains("sk-live-123"), "{message}");
            assert!(
                message.contains("has a query") || message.contains("has a fragment"),
                "{message}"
            );
        }
        // Other refusals do not show the query either.
        let message = build("ftp://x/?token=sk-live-123").unwrap_err().to_string();
        assert!(!message.contains("sk-live-123"), "{message}");
    }

    #[test]
    fn a_host_and_port_without_a_scheme_gets_a_hint() {
        for given in [
            "localhost:8080",
            "127.0.0.1:8080",
            "api.example.com",
            "localhost:8080/api/v1",
        ] {
            let message = build(given).unwrap_err().to_string();
            assert!(
                message.contains(&format!("`http://{given}`"))
                    && message.contains(&format!("`https://{given}`")),
                "{given}: {message}"
            );
        }
        for unhinted in ["ftp://x", "not a url", "mailto:someone"] {
            let message = build(unhinted).unwrap_err().to_string();
            assert!(
                !message.contains("without a scheme"),
                "{unhinted}: {message}"
            );
        }
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
    fn a_trailing_api_v1_is_dropped_from_a_base_url_given_to_the_builder() {
        for (given, used) in [
            ("https://api.example.com/api/v1", "https://api.example.com/"),
            (
                "https://api.example.com/api/v1/",
                "https://api.example.com/",
            ),
            (
                "https://api.example.com/api/v1//",
                "https://api.example.com/",
            ),
            (
                "https://api.example.com/prefix/api/v1",
                "https://api.example.com/prefix",
            ),
            ("http://127.0.0.1:8080/api/v1/", "http://127.0.0.1:8080/"),
            // Once only, and only a whole trailing `/api/v1`.
            (
                "https://api.example.com/api/v1/api/v1",
                "https://api.example.com/api/v1",
            ),
            (
                "https://api.example.com/api/v10",
                "https://api.example.com/api/v10",
            ),
            (
                "https://api.example.com/my-api/v1",
                "https://api.example.com/my-api/v1",
            ),
            (
                "https://api.example.com/api/v1/x",
                "https://api.example.com/api/v1/x",
            ),
            ("https://api.example.com", "https://api.example.com/"),
        ] {
            assert_eq!(build(given).unwrap().base_url().as_str(), used, "{given}");
        }
    }

    /// A temporary home holding `.prime/config.json` and, when given, the
    /// environment file `staging.json`.
    fn home(config: &str, staging: Option<&str>) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        let prime = home.path().join(".prime");
        std::fs::create_dir_all(prime.join("environments")).unwrap();
        std::fs::write(prime.join("config.json"), config).unwrap();
        if let Some(staging) = staging {
            std::fs::write(prime.join("environments").join("staging.json"), staging).unwrap();
        }
        home
    }

    fn from_home(home: &tempfile::TempDir, vars: &[(&str, &str)]) -> Result<Client, Error> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let var = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        ClientBuilder::from_sources(var, Some(home.path()))?.build()
    }

    #[test]
    fn the_three_cli_setups_of_the_issue_configure_the_client() {
        // config.json with the /api/v1 form the CLI accepts.
        let cli = home(
            r#"{"api_key": "k", "base_url": "https://api.example.com/api/v1", "team_id": null}"#,
            None,
        );
        let client = from_home(&cli, &[]).unwrap();
        assert_eq!(client.base_url().as_str(), "https://api.example.com/");
        assert_eq!(client.team_id(), None);
        // PRIME_API_BASE_URL before PRIME_BASE_URL, stripped too.
        let client = from_home(
            &cli,
            &[
                ("PRIME_API_BASE_URL", "http://127.0.0.1:9/api/v1/"),
                ("PRIME_BASE_URL", "https://other.example.com"),
            ],
        )
        .unwrap();
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/");
        // PRIME_CONTEXT selects the environment file.
        let cli = home(
            r#"{"api_key": "k", "base_url": "https://api.example.com", "team_id": "t_main"}"#,
            Some(
                r#"{"api_key": "k2", "base_url": "https://staging.example.com/api/v1", "team_id": "t_staging"}"#,
            ),
        );
        let client = from_home(&cli, &[("PRIME_CONTEXT", "staging")]).unwrap();
        assert_eq!(client.base_url().as_str(), "https://staging.example.com/");
        assert_eq!(client.team_id(), Some("t_staging"));
        let client = from_home(&cli, &[("PRIME_CONTEXT", "production")]).unwrap();
        assert_eq!(
            client.base_url().as_str(),
            DEFAULT_BASE_URL.to_owned() + "/"
        );
        assert_eq!(client.team_id(), None);
    }

    #[test]
    fn the_traces_url_comes_from_its_variable_or_the_files_and_defaults_to_the_base_url() {
        let cli = home(
            r#"{"api_key": "k", "base_url": "https://api.example.com", "traces_url": "https://traces.example.com/api/v1"}"#,
            None,
        );
        let client = from_home(&cli, &[]).unwrap();
        assert_eq!(client.traces_url().as_str(), "https://traces.example.com/");
        let client = from_home(&cli, &[("PRIME_TRACES_URL", "http://localhost:8083")]).unwrap();
        assert_eq!(client.traces_url().as_str(), "http://localhost:8083/");
        let plain = home(
            r#"{"api_key": "k", "base_url": "https://api.example.com"}"#,
            None,
        );
        let client = from_home(&plain, &[]).unwrap();
        assert_eq!(client.traces_url(), client.base_url());
        let error = from_home(&plain, &[("PRIME_TRACES_URL", "http://traces.example.com")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("(from PRIME_TRACES_URL)"), "{error}");
    }

    #[test]
    fn a_faulty_value_from_a_file_is_reported_with_the_file() {
        let cli = home(
            r#"{"api_key": "k", "base_url": "http://api.example.com"}"#,
            None,
        );
        let error = from_home(&cli, &[]).unwrap_err().to_string();
        assert!(
            error.contains("base_url in ") && error.contains("config.json"),
            "{error}"
        );
        let error = from_home(&cli, &[("PRIME_API_BASE_URL", "not a url")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("(from PRIME_API_BASE_URL)"), "{error}");
        let cli = home(r#"{"api_key": "sk-in-file\n"}"#, None);
        let error = from_home(&cli, &[]).unwrap_err().to_string();
        assert!(
            error.contains("control characters") && error.contains("config.json"),
            "{error}"
        );
        assert!(!error.contains("sk-in-file"), "{error}");
        // A value set on the builder afterwards is the builder's.
        let builder = ClientBuilder::from_sources(|_| None, Some(cli.path()))
            .unwrap()
            .api_key("k\n");
        let error = builder.build().unwrap_err().to_string();
        assert!(!error.contains("config.json"), "{error}");
    }

    #[test]
    fn a_missing_key_lists_where_it_was_looked_for() {
        let cli = home(
            r#"{"base_url": "https://api.example.com"}"#,
            Some(r#"{"api_key": ""}"#),
        );
        let error = from_home(&cli, &[]).unwrap_err().to_string();
        assert!(
            error.contains("PRIME_API_KEY, ") && error.contains("config.json"),
            "{error}"
        );
        let error = from_home(&cli, &[("PRIME_CONTEXT", "staging")])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("staging.json (its api_key is empty)"),
            "{error}"
        );
        assert!(error.contains("prime login"), "{error}");
    }

    #[test]
    fn debug_of_the_builder_and_client_hides_the_key() {
        let builder = Client::builder().api_key("sk-hidden-123");
        assert!(!format!("{builder:?}").contains("sk-hidden-123"));
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}{client:#?}").contains("sk-hidden-123"));
    }
}
