//! Walking a paginated list: one page at a time, or every item of every page
//! as a stream that fetches the next page only when the last one is used up.

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};
use pi_types::Page;
use serde::de::DeserializeOwned;

use crate::assumptions::Assumption;
use crate::call::{At, Call};
use crate::endpoint::Paging;
use crate::error::Error;
use crate::request::answer::Json;

/// A list answer: one page's items and the list's total across pages.
/// Implemented for [`Page`] here and for the other list answers by the
/// generated layer (`generated/mod.rs`).
pub(crate) trait Paged: DeserializeOwned {
    /// One item of the list.
    type Item;

    /// The page's items and the list's total.
    fn into_items(self) -> (Vec<Self::Item>, i64);
}

impl<T: DeserializeOwned> Paged for Page<T> {
    type Item = T;

    fn into_items(self) -> (Vec<T>, i64) {
        (self.data, self.total_count)
    }
}

/// Every item of the list `call` asks for, from the start the caller set
/// on, fetching a page only when the one before is used up, in the way
/// the endpoint pages. Ends once the items counted (those of the pages
/// before the start included) reach the total, at an empty page, or after
/// the first error, which it yields.
pub(crate) fn stream<'c, P>(call: Call<'c>) -> impl Stream<Item = Result<P::Item, Error>> + 'c
where
    P: Paged + 'c,
    P::Item: 'c,
{
    let (paging, start, size) = call.paging();
    let (first, call, skipped, step) = match paging {
        // A page number says where the walk is only with the page size.
        Some(Paging::Page { largest, .. }) => {
            let size = size.unwrap_or(*largest).max(1);
            let first = start.unwrap_or(1).max(1);
            (
                first,
                call.with_size(size),
                (first - 1).saturating_mul(size),
                Step::Page,
            )
        }
        _ => {
            let first = start.unwrap_or(0).max(0);
            (first, call, first, Step::Offset)
        }
    };
    walk((first, skipped), move |(at, seen)| {
        let pending = call.send_at::<Json<P>>(Some(At::Number(at)));
        async move {
            let (items, total) = pending.await?.into_items();
            let next = after(step, at, seen, items.len(), total);
            Ok((items, next))
        }
    })
}

/// A list answer paged by cursor: one page's items and the cursor of the
/// page after it, `None` on the last page. Implemented by the generated
/// layer (`generated/mod.rs`).
pub(crate) trait CursorPaged: DeserializeOwned {
    /// One item of the list.
    type Item;

    /// The page's items and the cursor of the next page.
    fn into_page(self) -> (Vec<Self::Item>, Option<String>);
}

/// Every item of the cursor-paged list `call` asks for, from the cursor the
/// caller set (or the first page) on, following each page's cursor to the
/// next only when the page before is used up. Ends at a page without a next
/// cursor, at an empty page, or after the first error, which it yields.
pub(crate) fn cursor_stream<'c, P>(
    call: Call<'c>,
) -> impl Stream<Item = Result<P::Item, Error>> + 'c
where
    P: CursorPaged + 'c,
    P::Item: 'c,
{
    let first = call.first_cursor();
    walk(first, move |cursor: Option<String>| {
        let pending = call.send_at::<Json<P>>(cursor.map(At::Cursor));
        async move {
            let (items, next) = pending.await?.into_page();
            let next = next_cursor(items.len(), next);
            Ok((items, next))
        }
    })
}

/// Where a cursor walk goes after a page of `count` items whose answer gave
/// `next`: on to it, or nowhere once there is none or the page was empty.
fn next_cursor(count: usize, next: Option<String>) -> Option<Option<String>> {
    match next {
        Some(next) if count > 0 && !next.is_empty() => Some(Some(next)),
        _ => None,
    }
}

/// The start of the page after the one at `at` that held `count` items,
/// with the items seen so far; `None` once the list is done (the total
/// reached, or an empty page, which ends a walk whatever the total says).
fn after(step: Step, at: i64, seen: i64, count: usize, total: i64) -> Option<(i64, i64)> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let seen = seen.saturating_add(count);
    if count == 0 || seen >= total {
        return None;
    }
    let next = match step {
        Step::Offset => at.checked_add(count),
        Step::Page => at.checked_add(1),
    };
    next.map(|next| (next, seen))
}

/// How the start moves from one page to the next.
#[derive(Clone, Copy)]
enum Step {
    /// By the number of items the page held.
    Offset,
    /// By one page.
    Page,
}

/// The lists whose streams walk by offset: the walk stops at
/// `total_count`, so the drift tools call a document without it breaking.
pub(crate) const ASSUMPTIONS: &[Assumption] = &{
    const AT: &str = "response 200 .total_count";
    const WHY: &str = "the list streams stop at it";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_walk_moves_by_the_items_a_page_held_and_stops_at_the_total() {
        assert_eq!(after(Step::Offset, 0, 0, 2, 5), Some((2, 2)));
        assert_eq!(after(Step::Offset, 2, 2, 2, 5), Some((4, 4)));
        assert_eq!(after(Step::Offset, 4, 4, 1, 5), None);
    }

    #[test]
    fn a_page_walk_moves_by_one_page_counting_the_pages_skipped_before_the_start() {
        // Starting at page 2 of 2-item pages: 2 items were skipped before it.
        assert_eq!(after(Step::Page, 2, 2, 2, 5), Some((3, 4)));
        assert_eq!(after(Step::Page, 3, 4, 1, 5), None);
    }

    #[test]
    fn a_cursor_walk_follows_the_next_cursor_until_there_is_none_or_a_page_is_empty() {
        assert_eq!(next_cursor(2, Some("c2".into())), Some(Some("c2".into())));
        assert_eq!(next_cursor(2, None), None);
        assert_eq!(next_cursor(0, Some("c2".into())), None);
        assert_eq!(next_cursor(2, Some(String::new())), None);
    }

    #[test]
    fn an_empty_page_ends_the_walk_even_if_the_total_says_more() {
        assert_eq!(after(Step::Offset, 0, 0, 0, 100), None);
        assert_eq!(after(Step::Page, 1, 0, 0, 100), None);
    }
}
