//! [`Call`]: what every generated request holds before `.send()`: the
//! operation's endpoint, its path ids, the team it acts for, its query, and
//! the first input that broke a rule. Requests record their inputs here and
//! hand it to the request path when they are sent.

use std::fmt;
use std::future::Future;

use futures::future::{self, Either};
use pi_types::{InvalidInput, Rule, Validate, WireEnum};
use serde::Serialize;

use crate::client::Client;
use crate::endpoint::{Endpoint, Paging, invalid_query};
use crate::error::Error;
use crate::request::ApiRequest;
use crate::request::answer::Answer;
use crate::team::TeamScope;

/// No operation of the document has more path parameters than this.
const MOST_PATH_IDS: usize = 2;

/// One operation's inputs as a request collects them.
#[derive(Clone)]
pub(crate) struct Call<'c> {
    client: &'c Client,
    endpoint: &'static Endpoint,
    /// Path parameters by name; unused slots have an empty name.
    ids: [(&'static str, String); MOST_PATH_IDS],
    team: TeamScope,
    query: Vec<(&'static str, String)>,
    /// Where a paged list starts (an offset, a skip count or a page number)
    /// and how large its pages are, kept apart from the query so a stream
    /// can move the start.
    start: Option<i64>,
    size: Option<i64>,
    /// The first input that broke one of the document's rules: reported at
    /// `.send()`, before anything is sent.
    refused: Option<InvalidInput>,
    retry_safe: bool,
}

/// Shows the request's inputs; the client is left out (it holds the key).
impl fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<_> = self
            .ids
            .iter()
            .filter(|(name, _)| !name.is_empty())
            .collect();
        f.debug_struct("Call")
            .field("operation", &self.endpoint.path)
            .field("ids", &ids)
            .field("team", &self.team)
            .field("query", &self.query)
            .field("start", &self.start)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl<'c> Call<'c> {
    /// A call of `endpoint` through `client`, acting for the client's default team.
    pub(crate) fn new(client: &'c Client, endpoint: &'static Endpoint) -> Self {
        Self {
            client,
            endpoint,
            ids: Default::default(),
            team: TeamScope::ClientDefault,
            query: Vec::new(),
            start: None,
            size: None,
            refused: None,
            retry_safe: false,
        }
    }

    /// The client the call goes through.
    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    /// Fills the path parameter `name`; it is checked when the call is sent.
    pub(crate) fn path(&mut self, name: &'static str, value: String) {
        if let Some(slot) = self.ids.iter_mut().find(|(slot, _)| slot.is_empty()) {
            *slot = (name, value);
        }
    }

    /// Acts for `team_id`.
    pub(crate) fn team(&mut self, team_id: String) {
        self.team = TeamScope::Team(team_id);
    }

    /// Acts for the caller's own account.
    pub(crate) fn personal(&mut self) {
        self.team = TeamScope::Personal;
    }

    /// Adds a query parameter; a name may repeat (an array in the
    /// document's default `form` style: `ids=a&ids=b`).
    pub(crate) fn query(&mut self, name: &'static str, value: String) {
        self.query.push((name, value));
    }

    /// Where the list starts.
    pub(crate) fn start(&mut self, start: i64) {
        self.start = Some(start);
    }

    /// How many items a page holds.
    pub(crate) fn size(&mut self, size: i64) {
        self.size = Some(size);
    }

    /// Lets the request path retry the call like an idempotent one.
    pub(crate) fn retry_safe(&mut self) {
        self.retry_safe = true;
    }

    /// Records a broken rule unless one was recorded before.
    pub(crate) fn refuse(&mut self, problem: InvalidInput) {
        self.refused.get_or_insert(problem);
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
    fn request(&self, start: Option<i64>) -> Result<ApiRequest, Error> {
        if let Some(refused) = &self.refused {
            return Err(refused.clone().into());
        }
        let [(first, first_id), (second, second_id)] = &self.ids;
        let ids = [(*first, first_id.as_str()), (*second, second_id.as_str())];
        let used = ids.iter().take_while(|(name, _)| !name.is_empty()).count();
        let team_id = self.team.resolve(self.client.team_id());
        let mut request = ApiRequest::to(self.endpoint, &ids[..used], team_id)?;
        for (name, value) in &self.query {
            request = request.query(name, value);
        }
        if let Some(paging) = &self.endpoint.paging {
            let (start_name, size_name) = paging.names();
            request = request
                .query_opt(start_name, start)
                .query_opt(size_name, self.size);
        }
        if self.retry_safe {
            request = request.retry_safe();
        }
        Ok(request)
    }

    /// Sends the call without a body and decodes the answer as `R`.
    ///
    /// Not an `async fn`: the request is built before anything is awaited,
    /// and every async layer adds its state to what each call writes and
    /// copies (see the loopback benchmark).
    pub(crate) fn send<R: Answer>(
        &self,
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, R> {
        self.send_at::<R>(self.start)
    }

    /// Like [`Call::send`], starting a list at `start`.
    pub(crate) fn send_at<R: Answer>(
        &self,
        start: Option<i64>,
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, R> {
        match self.request(start) {
            Ok(request) => Either::Left(self.client.call::<R>(request)),
            Err(error) => Either::Right(future::ready(Err(error))),
        }
    }

    /// Checks `body` against the document's rules and sends it as JSON
    /// (with the team in its field when the endpoint carries it there).
    pub(crate) fn send_json<R: Answer, B: Serialize + Validate>(
        &self,
        body: &B,
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, R, B> {
        match self.request(None).and_then(|request| request.json(body)) {
            Ok(request) => Either::Left(self.client.call::<R>(request)),
            Err(error) => Either::Right(future::ready(Err(error))),
        }
    }

    /// The start a stream begins at and the page size it asks for.
    pub(crate) fn paging(&self) -> (Option<&'static Paging>, Option<i64>, Option<i64>) {
        (self.endpoint.paging.as_ref(), self.start, self.size)
    }

    /// Asks for pages of `size` items.
    pub(crate) fn with_size(mut self, size: i64) -> Self {
        self.size = Some(size);
        self
    }
}
