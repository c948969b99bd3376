//! Walking a paginated list: one page at a time, or every item of every page
//! as a stream that fetches the next page only when the last one is used up.

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};
use pi_types::Page;

use crate::Error;

/// Streams every item from `first_offset` on, calling `fetch_page(offset)`
/// for each page. Stops at `total_count`, at an empty page, or at the first
/// error (which is yielded, then the stream ends).
pub(crate) fn every_item<'a, T, F, Fut>(
    first_offset: u64,
    mut fetch_page: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    T: 'a,
    F: FnMut(u64) -> Fut + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + 'a,
{
    stream::try_unfold(Some(first_offset), move |next| {
        let pending = next.map(&mut fetch_page);
        async move {
            let Some(pending) = pending else {
                return Ok::<_, Error>(None);
            };
            let page = pending.await?;
            let after = page.next_offset();
            Ok(Some((page, after)))
        }
    })
    .map_ok(|page| stream::iter(page.data.into_iter().map(Ok)))
    .try_flatten()
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
