//! [`Call`]: what every generated request holds before `.send()`: the
//! operation's endpoint, its path with the ids filled in, the team it acts
//! for, its query, and the first input that broke a rule. Requests record
//! their inputs here and hand it to the request path when they are sent.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;

use futures::future::{self, Either};
use percent_encoding::utf8_percent_encode;
use pi_types::{InvalidInput, Rule, SecretString, Validate, WireEnum, check_path_segment};
use serde::Serialize;

use crate::client::Client;
use crate::endpoint::{Endpoint, PATH_SEGMENT, Paging, invalid_query};
use crate::error::Error;
use crate::request::answer::Answer;
use crate::request::{ApiRequest, Credential};
use crate::team::TeamScope;

/// One operation's inputs as a request collects them.
///
/// Small on purpose: a request is moved by value from the handle method to
/// `.send()`, so what most calls never set (a team, query values, paging, a
/// broken rule) sits behind one box that is made only when something is set.
#[derive(Clone)]
pub(crate) struct Call<'c> {
    client: &'c Client,
    endpoint: &'static Endpoint,
    /// The endpoint's path template with the ids filled in so far, each
    /// percent-encoded as one segment: built as the ids arrive, so a call
    /// copies each id once, into the path it sends.
    path: Cow<'static, str>,
    options: Option<Box<Options>>,
}

/// The inputs of a call besides its path.
#[derive(Debug, Clone, Default)]
struct Options {
    team: TeamScope,
    /// Names are the document's, except those of a family named by a
    /// prefix (`context.<key>`), made from the caller's key.
    query: Vec<(Cow<'static, str>, String)>,
    /// Headers of the operation's own.
    headers: Vec<(&'static str, String)>,
    /// Where a paged list starts (an offset, a skip count or a page number)
    /// and how large its pages are, kept apart from the query so a stream
    /// can move the start.
    start: Option<i64>,
    size: Option<i64>,
    /// Where a cursor-paged list starts: the cursor a page answer gave.
    cursor: Option<String>,
    /// The first input that broke one of the document's rules: reported at
    /// `.send()`, before anything is sent.
    refused: Option<InvalidInput>,
    retry_safe: bool,
    /// A bearer token of the call's own, sent instead of the API key
    /// (redacted in `Debug`).
    bearer: Option<SecretString>,
}

/// Shows the request's inputs; the client is left out (it holds the key).
impl fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'c> Call<'c> {
    /// A call of `endpoint` through `client`, acting for the client's default team.
    pub(crate) fn new(client: &'c Client, endpoint: &'static Endpoint) -> Self {
        Self {
            client,
            endpoint,
            path: Cow::Borrowed(endpoint.path),
            options: None,
        }
    }

    fn options(&mut self) -> &mut Options {
        self.options.get_or_insert_with(Box::default)
    }

    /// The client the call goes through.
    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    /// Fills the path parameter `name`; an id that cannot be one segment
    /// is reported when the call is sent.
    pub(crate) fn path(&mut self, name: &'static str, value: &str) {
        match fill(&self.path, name, value) {
            Ok(path) => self.path = Cow::Owned(path),
            Err(problem) => self.refuse(problem),
        }
    }

    /// Acts for `team_id`.
    pub(crate) fn team(&mut self, team_id: String) {
        self.options().team = TeamScope::Team(team_id);
    }

    /// Acts for the caller's own account.
    pub(crate) fn personal(&mut self) {
        self.options().team = TeamScope::Personal;
    }

    /// Adds a query parameter; a name may repeat (an array in the
    /// document's default `form` style: `ids=a&ids=b`).
    pub(crate) fn query(&mut self, name: &'static str, value: String) {
        self.options().query.push((Cow::Borrowed(name), value));
    }

    /// Adds the query parameter `<prefix><key>` of a family the document
    /// names by a prefix (the traces lists' `context.<key>` filters),
    /// refusing an empty key, which would name no member of the family.
    pub(crate) fn prefixed_query(&mut self, prefix: &'static str, key: String, value: String) {
        if key.is_empty() {
            self.refuse(invalid_query(
                format!("{prefix}<key>"),
                Rule::NotEmpty,
                format!("the key after `{prefix}` is empty, which names no parameter"),
            ));
            return;
        }
        self.options()
            .query
            .push((Cow::Owned(format!("{prefix}{key}")), value));
    }

    /// Where the list starts.
    pub(crate) fn start(&mut self, start: i64) {
        self.options().start = Some(start);
    }

    /// Where a cursor-paged list starts.
    pub(crate) fn cursor(&mut self, cursor: String) {
        self.options().cursor = Some(cursor);
    }

    /// How many items a page holds.
    pub(crate) fn size(&mut self, size: i64) {
        self.options().size = Some(size);
    }

    /// Sends `token` as the bearer instead of the client's API key (the
    /// endpoint sends no key: see `Endpoint::without_api_key`).
    pub(crate) fn bearer(&mut self, token: &SecretString) {
        self.options().bearer = Some(token.clone());
    }

    /// Lets the request path retry the call like an idempotent one.
    pub(crate) fn retry_safe(&mut self) {
        self.options().retry_safe = true;
    }

    /// Records a broken rule unless one was recorded before.
    pub(crate) fn refuse(&mut self, problem: InvalidInput) {
        self.options().refused.get_or_insert(problem);
    }

    /// The document's bounds on an integer query parameter, each as a
    /// number and as the rule shows it.
    pub(crate) fn check_bounds(
        &mut self,
        name: &'static str,
        value: i64,
        least: Option<(i64, &'static str)>,
        most: Option<(i64, &'static str)>,
    ) {
        if let Some((_, shown)) = least.filter(|(least, _)| value < *least) {
            self.refuse(invalid_query(
                name,
                Rule::AtLeast(shown),
                format!("it is {value}"),
            ));
        } else if let Some((_, shown)) = most.filter(|(most, _)| value > *most) {
            self.refuse(invalid_query(
                name,
                Rule::AtMost(shown),
                format!("it is {value}"),
            ));
        }
    }

    /// Refuses an enum value the document does not list: the server would
    /// refuse it too.
    pub(crate) fn check_known<E: WireEnum>(&mut self, name: String, value: &E) {
        if !value.is_known() {
            let shown: String = value.as_str().chars().take(40).collect();
            self.refuse(invalid_query(
                name,
                Rule::OneOf(E::KNOWN),
                format!("it is `{shown}`"),
            ));
        }
    }

    /// The request as it goes out, or the first input that broke a rule.
    fn request(self, start: Option<At>) -> Result<(&'c Client, ApiRequest), Error> {
        let client = self.client;
        let options = match (self.options, start.is_some()) {
            (Some(options), _) => options,
            // Nothing set: the request is the path, for the client's team.
            (None, false) => {
                let team_id = client.team_id();
                let request = ApiRequest::at(self.endpoint, self.path.into_owned(), team_id);
                return Ok((client, request));
            }
            (None, true) => Box::default(),
        };
        let Options {
            team,
            query,
            headers,
            size,
            refused,
            retry_safe,
            bearer,
            ..
        } = *options;
        if let Some(refused) = refused {
            return Err(refused.into());
        }
        let team_id = team.resolve(client.team_id());
        let mut request = ApiRequest::at(self.endpoint, self.path.into_owned(), team_id);
        if let Some(token) = bearer {
            request.credential = Credential::bearer(&token)?;
        }
        request.query.extend(query);
        request.headers.extend(headers);
        if let Some(paging) = &self.endpoint.paging {
            let (start_name, size_name) = paging.names();
            request = match start {
                Some(At::Number(start)) => request.query(start_name, start),
                Some(At::Cursor(cursor)) => request.query(start_name, cursor),
                None => request,
            }
            .query_opt(size_name, size);
        }
        if retry_safe {
            request = request.retry_safe();
        }
        Ok((client, request))
    }

    /// Sends the call without a body and decodes the answer as `R`.
    ///
    /// Not an `async fn`: the request is built before anything is awaited,
    /// and every async layer adds its state to what each call writes and
    /// copies (see the loopback benchmark).
    pub(crate) fn send<R: Answer>(
        self,
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, R> {
        let start = self.options.as_ref().and_then(|options| {
            (options.start.map(At::Number)).or_else(|| options.cursor.clone().map(At::Cursor))
        });
        match self.request(start) {
            Ok((client, request)) => Either::Left(client.call::<R>(request)),
            Err(error) => Either::Right(future::ready(Err(error))),
        }
    }

    /// Like [`Call::send`], starting a list at `start`; the call stays, for
    /// the next page.
    pub(crate) fn send_at<R: Answer>(
        &self,
        start: Option<At>,
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, R> {
        match self.clone().request(start) {
            Ok((client, request)) => Either::Left(client.call::<R>(request)),
            Err(error) => Either::Right(future::ready(Err(error))),
        }
    }

    /// Checks `body` against the document's rules and sends it as JSON
    /// (with the team in its field when the endpoint carries it there).
    pub(crate) fn send_json<R: Answer, B: Serialize + Validate>(
        self,
        body: &B,
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, R, B> {
        let request = self
            .request(None)
            .and_then(|(client, request)| Ok((client, request.json(body)?)));
        match request {
            Ok((client, request)) => Either::Left(client.call::<R>(request)),
            Err(error) => Either::Right(future::ready(Err(error))),
        }
    }

    /// Checks `body` against the document's rules and sends it as a
    /// `multipart/form-data` body, one part per field as `parts` lists them:
    /// text fields as they are, others as JSON.
    pub(crate) fn send_form<R: Answer, B: Serialize + Validate>(
        self,
        body: &B,
        parts: &'static [crate::request::FormPart],
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, R, B> {
        let request = self
            .request(None)
            .and_then(|(client, request)| Ok((client, request.form(body, parts)?)));
        match request {
            Ok((client, request)) => Either::Left(client.call::<R>(request)),
            Err(error) => Either::Right(future::ready(Err(error))),
        }
    }

    /// Adds a header of the operation's own.
    pub(crate) fn header(&mut self, name: &'static str, value: String) {
        self.options().headers.push((name, value));
    }

    /// The cursor the caller set for a cursor-paged list to start at.
    pub(crate) fn first_cursor(&self) -> Option<String> {
        self.options
            .as_ref()
            .and_then(|options| options.cursor.clone())
    }

    /// How the endpoint pages, and the start and page size the caller set.
    pub(crate) fn paging(&self) -> (Option<&'static Paging>, Option<i64>, Option<i64>) {
        let (start, size) = self
            .options
            .as_ref()
            .map_or((None, None), |options| (options.start, options.size));
        (self.endpoint.paging.as_ref(), start, size)
    }

    /// Asks for pages of `size` items.
    pub(crate) fn with_size(mut self, size: i64) -> Self {
        self.size(size);
        self
    }
}

/// Where a list starts: a number (an offset, a skip count or a page
/// number) or the cursor a page answer gave.
#[derive(Debug, Clone)]
pub(crate) enum At {
    Number(i64),
    Cursor(String),
}

/// `path` with `{name}` replaced by `id`, percent-encoded as exactly one
/// segment.
///
/// # Errors
/// When `id` is empty, `.` or `..` (URL handling would remove it).
fn fill(path: &str, name: &'static str, id: &str) -> Result<String, InvalidInput> {
    check_path_segment(name, id)?;
    let placeholder = path.match_indices('{').map(|(at, _)| at).find(|&at| {
        path[at + 1..]
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('}'))
    });
    let Some(at) = placeholder else {
        return Ok(path.to_owned());
    };
    // Room for an id of up to 32 encoded bytes; a longer one grows it.
    let mut filled = String::with_capacity(path.len() + 32);
    filled.push_str(&path[..at]);
    filled.extend(utf8_percent_encode(id, PATH_SEGMENT));
    filled.push_str(&path[at + name.len() + 2..]);
    Ok(filled)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_become_exactly_one_encoded_segment() {
        let path = fill("/api/v1/secrets/{secret_id}", "secret_id", "a/b?c#d%e f..é").unwrap();
        assert_eq!(path, "/api/v1/secrets/a%2Fb%3Fc%23d%25e%20f..%C3%A9");
        let template = "/api/v1/images/{image_name}/{image_tag}";
        let path = fill(template, "image_tag", "v1").unwrap();
        let path = fill(&path, "image_name", "team/app").unwrap();
        assert_eq!(path, "/api/v1/images/team%2Fapp/v1");
    }

    #[test]
    fn a_placeholder_inside_a_segment_keeps_the_text_around_it() {
        let template = "/api/v1/environmentshub/{owner}/{name}/@{version}/inspect";
        let path = fill(template, "version", "1.0.0+local").unwrap();
        let path = fill(&path, "name", "math").unwrap();
        assert_eq!(
            path,
            "/api/v1/environmentshub/{owner}/math/@1.0.0%2Blocal/inspect"
        );
        // A value with a slash stays inside the segment, after the `@`.
        let path = fill(template, "version", "a/b").unwrap();
        assert!(path.ends_with("/@a%2Fb/inspect"), "{path}");
    }

    #[test]
    fn an_id_is_taken_literally_even_when_it_looks_like_a_placeholder() {
        let template = "/api/v1/images/{image_name}/{image_tag}";
        let path = fill(template, "image_name", "{image_tag}").unwrap();
        let path = fill(&path, "image_tag", "v1").unwrap();
        assert_eq!(path, "/api/v1/images/%7Bimage_tag%7D/v1");
    }

    #[test]
    fn ids_that_url_handling_would_remove_are_invalid_input() {
        for id in ["", ".", ".."] {
            let error = fill("/api/v1/secrets/{secret_id}", "secret_id", id).unwrap_err();
            assert_eq!(error.field(), "secret_id", "{id:?}");
        }
    }
}
