//! The pieces every area is made of: a team-scoped handle ([`Area`]) and a
//! request with a body that ends in `.send()` ([`BodyRequest`]). How an
//! answer decodes ([`Answer`]) belongs to the request path. An area declares
//! its endpoints and adds a few one-line methods; the rest lives here and in
//! the request path.

use std::fmt;
use std::marker::PhantomData;

use futures::future::{self, Either};
use pi_types::Validate;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::page::ListRequest;
use crate::request::ApiRequest;
use crate::request::answer::Answer;
use crate::team::TeamScope;

/// A handle on one API area, acting for a team: get one from the client
/// (`client.secrets()`), then change the team with [`Area::team`] or
/// [`Area::personal`]. `A` names the area ([`SecretsApi`](crate::SecretsApi), …).
pub struct Area<'c, A> {
    client: &'c Client,
    team: TeamScope,
    area: PhantomData<fn() -> A>,
}

impl<A> fmt::Debug for Area<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Area")
            .field("area", &std::any::type_name::<A>())
            .field("team", &self.team)
            .finish()
    }
}

impl<A> Clone for Area<'_, A> {
    fn clone(&self) -> Self {
        Self {
            client: self.client,
            team: self.team.clone(),
            area: PhantomData,
        }
    }
}

impl<'c, A> Area<'c, A> {
    /// The area's handle, acting for the client's default team.
    pub(crate) fn new(client: &'c Client) -> Self {
        Self {
            client,
            team: TeamScope::ClientDefault,
            area: PhantomData,
        }
    }

    /// Acts for `team_id` instead of the client's default team.
    #[must_use]
    pub fn team(mut self, team_id: impl Into<String>) -> Self {
        self.team = TeamScope::Team(team_id.into());
        self
    }

    /// Acts for the caller's own account, even if the client has a default team.
    #[must_use]
    pub fn personal(mut self) -> Self {
        self.team = TeamScope::Personal;
        self
    }

    /// The team the calls act for, after the client's default.
    pub(crate) fn team_id(&self) -> Option<&str> {
        self.team.resolve(self.client.team_id())
    }

    /// The client the handle calls through, for requests an area builds itself.
    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    /// Sends a body-less call to `endpoint` and decodes its answer as `R`.
    pub(crate) fn call<R: Answer>(
        &self,
        endpoint: &Endpoint,
        ids: &[(&'static str, &str)],
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, A, R> {
        self.call_with_query::<R>(endpoint, ids, &[])
    }

    /// Like [`Area::call`], with query parameters; a name may repeat (an
    /// array in the document's default `form` style: `ids=a&ids=b`).
    ///
    /// Not an `async fn`: the request is built before anything is awaited,
    /// and every async layer of a call adds its state to what each call
    /// writes and copies (see the loopback benchmark).
    pub(crate) fn call_with_query<R: Answer>(
        &self,
        endpoint: &Endpoint,
        ids: &[(&'static str, &str)],
        query: &[(&'static str, String)],
    ) -> impl Future<Output = Result<R::Output, Error>> + use<'c, A, R> {
        let request = ApiRequest::to(endpoint, ids, self.team_id()).map(|mut request| {
            for (name, value) in query {
                request = request.query(name, value);
            }
            request
        });
        match request {
            Ok(request) => Either::Left(self.client.call::<R>(request)),
            Err(error) => Either::Right(future::ready(Err(error))),
        }
    }

    /// A request to `endpoint` carrying `body`, for the caller to complete.
    pub(crate) fn with_body<B, R>(
        &self,
        endpoint: &'static Endpoint,
        ids: &[(&'static str, &str)],
        body: B,
    ) -> BodyRequest<'c, B, R> {
        BodyRequest {
            client: self.client,
            endpoint,
            ids: ids
                .iter()
                .map(|(name, id)| (*name, (*id).to_owned()))
                .collect(),
            team_id: self.team_id().map(str::to_owned),
            body,
            retry_safe_if: |_| false,
            answer: PhantomData,
        }
    }

    /// A list request to `endpoint`, one page or every item.
    pub(crate) fn list_of<T: DeserializeOwned + 'c>(
        &self,
        endpoint: &'static Endpoint,
    ) -> ListRequest<'c, T> {
        ListRequest::new(self.client, endpoint, self.team_id().map(str::to_owned))
    }
}

/// A request with a body `B` (a generated request type) whose answer decodes
/// as `R`: set what you need, then `.send()`. The body's rules are checked
/// before anything is sent.
#[must_use = "a request does nothing until .send()"]
pub struct BodyRequest<'c, B, R> {
    client: &'c Client,
    endpoint: &'static Endpoint,
    ids: Vec<(&'static str, String)>,
    team_id: Option<String>,
    body: B,
    /// Whether the body, as it is at `.send()`, makes a retry harmless (it
    /// carries an idempotency key the server honours, say).
    retry_safe_if: fn(&B) -> bool,
    answer: PhantomData<fn() -> R>,
}

impl<B: fmt::Debug, R> fmt::Debug for BodyRequest<'_, B, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyRequest")
            .field("path", &self.endpoint.path)
            .field("ids", &self.ids)
            .field("team_id", &self.team_id)
            .field("body", &self.body)
            .finish()
    }
}

impl<B: Clone, R> Clone for BodyRequest<'_, B, R> {
    fn clone(&self) -> Self {
        Self {
            client: self.client,
            endpoint: self.endpoint,
            ids: self.ids.clone(),
            team_id: self.team_id.clone(),
            body: self.body.clone(),
            retry_safe_if: self.retry_safe_if,
            answer: PhantomData,
        }
    }
}

impl<'c, B, R> BodyRequest<'c, B, R> {
    /// The client the request goes through.
    pub(crate) fn client(&self) -> &'c Client {
        self.client
    }

    /// Lets the request path retry the request like an idempotent one when
    /// `safe` says so of the body as it is sent (for an operation whose body
    /// carries an idempotency key, once the caller has set one).
    pub(crate) fn retry_safe_if(mut self, safe: fn(&B) -> bool) -> Self {
        self.retry_safe_if = safe;
        self
    }
}

impl<B, R> BodyRequest<'_, B, R>
where
    B: Serialize + Validate,
    R: Answer,
{
    /// The body as it stands.
    pub fn body(&self) -> &B {
        &self.body
    }

    /// Changes the body with one of its `with_*` setters (or anything else):
    /// `.map_body(|body| body.with_description("…"))`.
    pub fn map_body(mut self, change: impl FnOnce(B) -> B) -> Self {
        self.body = change(self.body);
        self
    }

    /// Checks the body against the document's rules, then sends it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) when an id or a body field
    /// breaks a rule, and any error of the request path.
    pub async fn send(self) -> Result<R::Output, Error> {
        let ids: Vec<(&'static str, &str)> = self
            .ids
            .iter()
            .map(|(name, id)| (*name, id.as_str()))
            .collect();
        let mut request =
            ApiRequest::to(self.endpoint, &ids, self.team_id.as_deref())?.json(&self.body)?;
        if (self.retry_safe_if)(&self.body) {
            request = request.retry_safe();
        }
        self.client.call::<R>(request).await
    }
}
