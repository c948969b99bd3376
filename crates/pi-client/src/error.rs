//! The one error type every call returns, with a variant for each outcome a
//! caller may want to branch on.
//!
//! No variant carries a third-party error type, and no message contains the
//! API key or a secret value: error bodies are summarised, and decode errors
//! keep a short excerpt of the body with secret-looking fields blanked.

use std::time::Duration;

use pi_types::gateway::connect::Code;
use pi_types::{FieldError, InvalidInput};

/// What went wrong with a call to the PI API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the API key is missing, wrong or revoked.
    #[error("the PI API rejected the API key (401){}; check PRIME_API_KEY or the key given to Client::builder()", detail(.message))]
    Unauthorized {
        /// The server's explanation, if it sent one.
        message: Option<String>,
    },
    /// 402: the account cannot pay for this (for example, an empty wallet).
    #[error("the PI API needs payment for this (402){}; top up the wallet or check the team's billing", detail(.message))]
    PaymentRequired {
        /// The server's explanation, if it sent one.
        message: Option<String>,
    },
    /// 403: the key is valid but may not do this (often: not a member of the team).
    #[error("the PI API refused this operation (403){}; check the key's permissions and the team id", detail(.message))]
    Forbidden {
        /// The server's explanation, if it sent one.
        message: Option<String>,
    },
    /// 404: the resource does not exist (or is not visible to this key or
    /// team), or, when `suspect_base_url` is set, the request may not have
    /// reached the PI API at all.
    #[error("not found (404){}; {}", detail(.message), not_found_hint(.suspect_base_url))]
    NotFound {
        /// The server's explanation, if it sent one.
        message: Option<String>,
        /// Set when the 404 points at the base URL rather than at an id: the
        /// operation names no resource by id (so its path itself was not
        /// found), or the body is not one of the PI API's error bodies (an
        /// HTML page, a proxy's text). Holds the base URL the request went
        /// to, without any user name, password, query or fragment. Always
        /// `None` from [`decode_response`](crate::decode::decode_response), which
        /// knows neither.
        suspect_base_url: Option<String>,
    },
    /// 409: the request conflicts with the current state (for example, a name already taken).
    #[error("conflict (409){}", detail(.message))]
    Conflict {
        /// The server's explanation, if it sent one.
        message: Option<String>,
    },
    /// 400 or 422 with field-level problems: the server rejected the input.
    #[error("the PI API rejected the request ({status}): {}", field_list(.errors, .message))]
    Validation {
        /// The HTTP status (422, or 400).
        status: u16,
        /// The rejected fields, from either error-body shape.
        errors: Vec<FieldError>,
        /// A plain message, when the server sent no field list.
        message: Option<String>,
    },
    /// 429: too many requests; wait before trying again.
    #[error("rate limited by the PI API (429){}", retry_hint(.retry_after))]
    RateLimited {
        /// How long the server asked the client to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed. Idempotent calls were already retried.
    #[error("the PI API failed ({status}){}; try again later", detail(.message))]
    Server {
        /// The HTTP status.
        status: u16,
        /// The server's explanation, if it sent one.
        message: Option<String>,
    },
    /// Any other status this client does not expect for the call.
    #[error("unexpected HTTP status {status} from the PI API{}", detail(.message))]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The server's explanation, if it sent one.
        message: Option<String>,
    },
    /// The server answered, but the body is not what the document promises.
    #[error(
        "could not decode the PI API's response ({status}) at `{path}`: {reason}; body starts: {excerpt}"
    )]
    Decode {
        /// The HTTP status of the response.
        status: u16,
        /// Where in the JSON the decoding broke (`.` for the root).
        path: String,
        /// What was wrong there.
        reason: String,
        /// The start of the body, with secret-looking fields blanked.
        excerpt: String,
    },
    /// A success answer without what the call returns: the envelope's
    /// `data` absent or null, or a field the SDK treats as always present (a
    /// pod's or a disk's `id`, listed in `pi_types::ALWAYS_PRESENT`) absent
    /// or null. The document allows such an answer, but a call that returns
    /// the resource has nothing to return from it.
    #[error(
        "the PI API answered {operation} with {status} but without `{missing}`, so there is nothing to return; this is the server's fault: retry, and report it if it persists"
    )]
    MissingData {
        /// The operation, as its method and path template
        /// (`GET /api/v1/secrets/{secret_id}`).
        operation: String,
        /// The HTTP status of the answer.
        status: u16,
        /// Where the answer lacks the value: `data`, or a path such as
        /// `data.id` or `data[0].id`.
        missing: String,
    },
    /// The response body was larger than the configured limit; it was not read further.
    #[error(
        "the PI API's response is larger than the {limit}-byte limit; raise it with ClientBuilder::max_response_bytes if this is expected"
    )]
    ResponseTooLarge {
        /// The limit that was exceeded, in bytes.
        limit: usize,
    },
    /// No response came within the configured time.
    #[error("the PI API did not answer within {after:?}; check the network or raise the timeout")]
    Timeout {
        /// How long the client waited.
        after: Duration,
    },
    /// The request could not be sent or the response could not be read.
    #[error("could not reach the PI API: {message}")]
    Transport {
        /// What failed, without the URL's credentials or the API key.
        message: String,
    },
    /// An input broke one of the document's rules; nothing was sent.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// A wait for a resource ended in a state it will not leave for the one
    /// waited for (a pod that failed, a disk that was deleted).
    #[error("{resource} {id} ended in state {state} and will not reach the state waited for")]
    WaitEnded {
        /// The kind of resource (`pod`, `disk`, ...).
        resource: &'static str,
        /// Its id.
        id: String,
        /// The state it ended in, as the API names it.
        state: String,
    },
    /// A wait for a resource passed its deadline.
    #[error("{resource} {id} did not reach the state waited for within {after:?}{}; raise the deadline with WaitPolicy::deadline, or check it in the console", last_state(.state))]
    WaitTimedOut {
        /// The kind of resource (`pod`, `disk`, ...).
        resource: &'static str,
        /// Its id.
        id: String,
        /// The last state seen, if any look came back.
        state: Option<String>,
        /// The deadline that passed.
        after: Duration,
    },
    /// A sandbox gateway call (a command, a file transfer) failed with one
    /// of the Connect protocol's codes: `not_found` when the sandbox or the
    /// session is gone, `unauthenticated` when the gateway refused the
    /// token, `unavailable` when it could not answer.
    #[error("the sandbox gateway answered {code}{}", detail(.message))]
    Gateway {
        /// The protocol's code.
        code: Code,
        /// The gateway's explanation, if it sent one.
        message: Option<String>,
    },
    /// A command ran past its deadline; the gateway stopped waiting for it.
    #[error("the command did not finish within {deadline:?}")]
    CommandTimedOut {
        /// The deadline the command was given.
        deadline: Duration,
    },
    /// A sandbox command or file call failed because the sandbox is no
    /// longer running: what the sandbox's `error-context` says of it.
    #[error("sandbox {sandbox_id} is not running (it is {status}){}", detail(.message))]
    SandboxNotRunning {
        /// The sandbox.
        sandbox_id: String,
        /// Its state as the API reports it: `TERMINATED`, `ERROR`, `TIMEOUT`.
        status: String,
        /// The API's explanation (its error type and message), if it gave one.
        message: Option<String>,
    },
    /// A command's session is gone: the gateway no longer knows it (it
    /// ended and its retention passed, or the sandbox restarted), so its
    /// output and exit code cannot be read any more.
    #[error("the command session {session_uuid} is gone{}", detail(.message))]
    SessionGone {
        /// The key of the session.
        session_uuid: String,
        /// The gateway's explanation, if it sent one.
        message: Option<String>,
    },
    /// A write to a process's stdin after it was closed (or to a command
    /// started by `exec`, which takes no input); nothing was sent.
    #[error("the command session {session_uuid} takes no more input")]
    StdinClosed {
        /// The key of the session.
        session_uuid: String,
    },
    /// The client is not configured well enough to make a call.
    #[error("the PI client is not configured: {message}")]
    Configuration {
        /// What is missing or wrong, and how to fix it.
        message: String,
    },
}

impl Error {
    /// The HTTP status of the response behind this error, if there was one.
    ///
    /// ```
    /// let error = pi_client::Error::NotFound { message: None, suspect_base_url: None };
    /// assert_eq!(error.status(), Some(404));
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } => Some(401),
            Self::PaymentRequired { .. } => Some(402),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Conflict { .. } => Some(409),
            Self::RateLimited { .. } => Some(429),
            Self::Validation { status, .. }
            | Self::Server { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::Decode { status, .. }
            | Self::MissingData { status, .. } => Some(*status),
            Self::ResponseTooLarge { .. }
            | Self::Timeout { .. }
            | Self::Transport { .. }
            | Self::InvalidInput(_)
            | Self::WaitEnded { .. }
            | Self::WaitTimedOut { .. }
            | Self::Gateway { .. }
            | Self::CommandTimedOut { .. }
            | Self::SandboxNotRunning { .. }
            | Self::SessionGone { .. }
            | Self::StdinClosed { .. }
            | Self::Configuration { .. } => None,
        }
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::Configuration {
            message: message.into(),
        }
    }
}

fn detail(message: &Option<String>) -> String {
    message
        .as_deref()
        .map(|text| format!(": {text}"))
        .unwrap_or_default()
}

fn not_found_hint(suspect_base_url: &Option<String>) -> String {
    match suspect_base_url {
        None => "check the id and the team it belongs to".to_owned(),
        Some(base_url) => format!(
            "the base URL may be wrong: is {base_url} the PI API? (it comes from \
             PRIME_API_BASE_URL, PRIME_BASE_URL, base_url in ~/.prime or ClientBuilder::base_url)"
        ),
    }
}

fn field_list(errors: &[FieldError], message: &Option<String>) -> String {
    if errors.is_empty() {
        return message
            .clone()
            .unwrap_or_else(|| "no details given".to_owned());
    }
    errors
        .iter()
        .map(FieldError::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn last_state(state: &Option<String>) -> String {
    state
        .as_deref()
        .map(|state| format!(" (last seen: {state})"))
        .unwrap_or_default()
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; retry after {}s", wait.as_secs_f64().ceil()),
        None => "; slow down and retry later".to_owned(),
    }
}
