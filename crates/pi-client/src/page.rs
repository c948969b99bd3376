//! Walking a paginated list: one page at a time, or every item of every page
//! as a stream that fetches the next page only when the last one is used up.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use futures::{Stream, TryStreamExt, stream};
use pi_types::Page;
use serde::de::DeserializeOwned;

use crate::assumptions::Assumption;
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::request::ApiRequest;
use crate::request::answer::Json;

/// A list request of any area: `.send()` for one page, `.into_stream()` for
/// every item of every page. The area's own filters are methods on it.
///
/// ```no_run
/// use futures::TryStreamExt;
/// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
/// let first_page = client.secrets().list().limit(10).send().await?;
/// println!("{} of {}", first_page.data.len(), first_page.total_count);
/// let every_id: Vec<String> = client
///     .secrets()
///     .list()
///     .into_stream()
///     .map_ok(|secret| secret.id)
///     .try_collect()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a request does nothing until .send() or .into_stream()"]
pub struct ListRequest<'c, T> {
    client: &'c Client,
    endpoint: &'static Endpoint,
    /// The values of the endpoint's path parameters, by name.
    ids: Vec<(&'static str, String)>,
    team_id: Option<String>,
    filters: Vec<(&'static str, String)>,
    offset: Option<u64>,
    limit: Option<u64>,
    item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for ListRequest<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListRequest")
            .field("path", &self.endpoint.path)
            .field("ids", &self.ids)
            .field("team_id", &self.team_id)
            .field("filters", &self.filters)
            .field("offset", &self.offset)
            .field("limit", &self.limit)
            .finish()
    }
}

impl<T> Clone for ListRequest<'_, T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client,
            endpoint: self.endpoint,
            ids: self.ids.clone(),
            team_id: self.team_id.clone(),
            filters: self.filters.clone(),
            offset: self.offset,
            limit: self.limit,
            item: PhantomData,
        }
    }
}

impl<'c, T: DeserializeOwned + 'c> ListRequest<'c, T> {
    pub(crate) fn new(
        client: &'c Client,
        endpoint: &'static Endpoint,
        team_id: Option<String>,
    ) -> Self {
        Self {
            client,
            endpoint,
            ids: Vec::new(),
            team_id,
            filters: Vec::new(),
            offset: None,
            limit: None,
            item: PhantomData,
        }
    }

    /// Fills the endpoint's path parameters (`("team_id", id)`), for a list
    /// that belongs to one resource. They are checked when a page is sent.
    pub(crate) fn at(mut self, ids: &[(&'static str, &str)]) -> Self {
        self.ids = ids
            .iter()
            .map(|(name, id)| (*name, (*id).to_owned()))
            .collect();
        self
    }

    /// Adds one of the area's own query filters; a name may repeat (an array
    /// in the document's default `form` style).
    pub(crate) fn filter(mut self, name: &'static str, value: impl ToString) -> Self {
        self.filters.push((name, value.to_string()));
        self
    }

    /// Skips this many items.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Asks for at most this many items per page.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Fetches one page.
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn send(&self) -> Result<Page<T>, Error> {
        self.page_at(self.offset).await
    }

    /// Every item from the starting offset on, fetching pages as they are needed.
    pub fn into_stream(self) -> impl Stream<Item = Result<T, Error>> + 'c {
        let first = self.offset.unwrap_or(0);
        every_item(first, move |offset| {
            let request = self.clone();
            async move { request.page_at(Some(offset)).await }
        })
    }

    async fn page_at(&self, offset: Option<u64>) -> Result<Page<T>, Error> {
        let ids: Vec<(&'static str, &str)> = self
            .ids
            .iter()
            .map(|(name, id)| (*name, id.as_str()))
            .collect();
        let mut request = ApiRequest::to(self.endpoint, &ids, self.team_id.as_deref())?;
        for (name, value) in &self.filters {
            request = request.query(name, value);
        }
        let request = request
            .query_opt("offset", offset)
            .query_opt("limit", self.limit);
        self.client.call::<Json<Page<T>>>(request).await
    }
}

/// The lists [`ListRequest::into_stream`] walks by offset: the walk stops at
/// `total_count`, so the drift tools call a document without it breaking.
pub(crate) const ASSUMPTIONS: &[Assumption] = &{
    const AT: &str = "response 200 .total_count";
    const WHY: &str = "ListRequest::into_stream stops at it";
    [
        Assumption::field("GET /api/v1/pods/", AT, WHY),
        Assumption::field("GET /api/v1/pods/history", AT, WHY),
        Assumption::field("GET /api/v1/disks/", AT, WHY),
        Assumption::field("GET /api/v1/secrets/", AT, WHY),
        Assumption::field("GET /api/v1/ssh_keys/", AT, WHY),
        Assumption::field("GET /api/v1/images", AT, WHY),
        Assumption::field("GET /api/v1/images/builds", AT, WHY),
        Assumption::field("GET /api/v1/teams/{team_id}/members", AT, WHY),
        Assumption::field("GET /api/v1/user/teams", AT, WHY),
    ]
};

/// Streams every item of a paged list, whatever its paging (offsets, page
/// numbers, skip counts): `fetch(cursor)` returns one page's items and the
/// cursor of the page after it, `None` after the last. A page is fetched only
/// when the one before is used up; the first error is yielded, then the
/// stream ends.
pub(crate) fn walk<'a, C, T, F, Fut>(
    first: C,
    mut fetch: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    C: 'a,
    T: 'a,
    F: FnMut(C) -> Fut + 'a,
    Fut: Future<Output = Result<(Vec<T>, Option<C>), Error>> + 'a,
{
    stream::try_unfold(Some(first), move |next| {
        let pending = next.map(&mut fetch);
        async move {
            let Some(pending) = pending else {
                return Ok::<_, Error>(None);
            };
            let (items, after) = pending.await?;
            Ok(Some((items, after)))
        }
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

/// Streams every item of offset-paged [`Page`]s from `first_offset` on,
/// calling `fetch_page(offset)` for each page. Stops at `total_count`, at an
/// empty page, or at the first error (which is yielded, then the stream ends).
pub(crate) fn every_item<'a, T, F, Fut>(
    first_offset: u64,
    mut fetch_page: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    T: 'a,
    F: FnMut(u64) -> Fut + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + 'a,
{
    walk(first_offset, move |offset| {
        let pending = fetch_page(offset);
        async move {
            let page = pending.await?;
            let after = page.next_offset();
            Ok((page.data, after))
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use futures::StreamExt;
    use std::cell::RefCell;

    fn page(total: u64, offset: u64, data: Vec<u64>) -> Page<u64> {
        serde_json::from_value(serde_json::json!({
            "total_count": total, "offset": offset, "limit": 2, "data": data
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn every_page_is_fetched_once_in_order() {
        let asked = RefCell::new(Vec::new());
        let items: Vec<u64> = every_item(0, |offset| {
            asked.borrow_mut().push(offset);
            let data: Vec<u64> = (offset..(offset + 2).min(5)).collect();
            async move { Ok(page(5, offset, data)) }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, vec![0, 1, 2, 3, 4]);
        assert_eq!(*asked.borrow(), vec![0, 2, 4]);
    }

    #[tokio::test]
    async fn an_error_ends_the_stream_after_the_items_before_it() {
        let results: Vec<Result<u64, Error>> = every_item(0, |offset| async move {
            if offset == 0 {
                Ok(page(10, 0, vec![1, 2]))
            } else {
                Err(Error::Server {
                    status: 503,
                    message: None,
                })
            }
        })
        .collect()
        .await;
        assert_eq!(results.len(), 3);
        assert!(matches!(results[2], Err(Error::Server { status: 503, .. })));
    }

    #[tokio::test]
    async fn an_empty_page_ends_the_walk_even_if_the_total_says_more() {
        let count = every_item(0, |offset| async move { Ok(page(100, offset, vec![])) })
            .count()
            .await;
        assert_eq!(count, 0);
    }
}
