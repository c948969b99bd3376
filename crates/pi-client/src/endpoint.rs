//! Each operation declared once, as data: its method, its path template and
//! where it carries the team it acts for. Areas name endpoints; only the
//! request path turns them into HTTP.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use pi_types::{FieldLocation, InvalidInput, Rule};

/// Every byte but RFC 3986's unreserved characters is encoded, so an id can
/// never add a `/`, `?` or `#` of its own to the URL.
pub(crate) const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The HTTP methods the document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// Where an operation carries the team: the document is not uniform
/// (`teamId` or `team_id` in the query, a body field, or nowhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TeamIn {
    /// A query parameter of this name.
    Query(&'static str),
    /// A field of the JSON body, at this dotted path (`teamId`, or
    /// `team.teamId` where the body wraps the team in an object); a team the
    /// caller put into the body itself is kept.
    Body(&'static str),
    /// A request header of this name.
    Header(&'static str),
    /// The operation takes no team.
    Nowhere,
}

/// Which base URL an operation's requests go to: the API's, or the Prime
/// Traces service's, which the official client configures apart
/// (`PRIME_TRACES_URL`) and which defaults to the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Base {
    /// The client's base URL.
    #[default]
    Api,
    /// The client's traces base URL.
    Traces,
}

/// How a list operation pages, and the names of its two query parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paging {
    /// `start` counts items to skip (`offset`, `skip`) from 0.
    Offset {
        start: &'static str,
        size: &'static str,
    },
    /// `start` numbers pages from 1; `largest` is the largest page size the
    /// document allows (where it states none, the size `codegen.toml` gives
    /// as `stream_size`), which a stream asks for when the caller set none.
    Page {
        start: &'static str,
        size: &'static str,
        largest: i64,
    },
    /// `start` carries the opaque cursor a page answer gives for the page
    /// after it (`next_cursor`); the first page is asked for without one.
    Cursor {
        start: &'static str,
        size: &'static str,
    },
}

impl Paging {
    /// The names of the start and size query parameters.
    pub(crate) fn names(&self) -> (&'static str, &'static str) {
        match *self {
            Self::Offset { start, size }
            | Self::Page { start, size, .. }
            | Self::Cursor { start, size } => (start, size),
        }
    }
}

/// The credential a request of an endpoint carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// The client's API key, as a bearer token: every endpoint but the few
    /// a client without a key calls.
    ApiKey,
    /// No `Authorization` header from the client: the document asks for no
    /// credential (`security: []`), or the call names its own bearer token.
    Own,
}

/// One operation of the document, as the generated table declares it:
/// `Endpoint::get("/api/v1/secrets/{secret_id}").team_in_query("teamId")`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoint {
    pub(crate) verb: Verb,
    /// The document's path template, `{name}` for each path parameter.
    pub(crate) path: &'static str,
    pub(crate) team: TeamIn,
    /// How the operation pages, for lists.
    pub(crate) paging: Option<Paging>,
    /// Which credential its requests carry.
    pub(crate) auth: Auth,
    /// The base URL its requests go to.
    pub(crate) base: Base,
}

impl Endpoint {
    const fn new(verb: Verb, path: &'static str) -> Self {
        Self {
            verb,
            path,
            team: TeamIn::Nowhere,
            paging: None,
            auth: Auth::ApiKey,
            base: Base::Api,
        }
    }

    /// A `GET` of `path`.
    pub(crate) const fn get(path: &'static str) -> Self {
        Self::new(Verb::Get, path)
    }

    /// A `POST` to `path`.
    pub(crate) const fn post(path: &'static str) -> Self {
        Self::new(Verb::Post, path)
    }

    /// A `PUT` to `path`.
    pub(crate) const fn put(path: &'static str) -> Self {
        Self::new(Verb::Put, path)
    }

    /// A `PATCH` of `path`.
    pub(crate) const fn patch(path: &'static str) -> Self {
        Self::new(Verb::Patch, path)
    }

    /// A `DELETE` of `path`.
    pub(crate) const fn delete(path: &'static str) -> Self {
        Self::new(Verb::Delete, path)
    }

    /// The team travels as the query parameter `name`.
    pub(crate) const fn team_in_query(mut self, name: &'static str) -> Self {
        self.team = TeamIn::Query(name);
        self
    }

    /// The operation is a list that pages this way.
    pub(crate) const fn paged(mut self, paging: Paging) -> Self {
        self.paging = Some(paging);
        self
    }

    /// The team travels in the request header `name`.
    pub(crate) const fn team_in_header(mut self, name: &'static str) -> Self {
        self.team = TeamIn::Header(name);
        self
    }

    /// Requests go to the client's traces base URL
    /// ([`ClientBuilder::traces_url`](crate::ClientBuilder::traces_url)).
    pub(crate) const fn on_traces_base(mut self) -> Self {
        self.base = Base::Traces;
        self
    }

    /// Sends no API key: the operation asks for no credential, or its call
    /// carries a bearer token of its own.
    pub(crate) const fn without_api_key(mut self) -> Self {
        self.auth = Auth::Own;
        self
    }

    /// The team travels in the body, at the dotted `path`.
    pub(crate) const fn team_in_body(mut self, path: &'static str) -> Self {
        self.team = TeamIn::Body(path);
        self
    }
}

/// An input error for the query parameter `field`, checked before sending:
/// named as the API's 422 names it (`["query", "limit"]` is `limit`, in the
/// query), so the caller sees one name whoever finds the mistake.
pub(crate) fn invalid_query(
    field: impl Into<std::borrow::Cow<'static, str>>,
    rule: Rule,
    problem: impl Into<String>,
) -> InvalidInput {
    InvalidInput::new(field, rule, problem).at(FieldLocation::Query)
}
