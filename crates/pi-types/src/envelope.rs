//! The generic wrappers the PI API puts around resources: a single resource
//! (`{data, status}`) and one page of a list (`{total_count, offset, limit, data}`).

use serde::{Deserialize, Serialize};

/// A single resource as the API returns it: `{"data": T, "status": "..."}`.
///
/// The document allows `data` to be `null`, so it is an `Option`; the client
/// turns a missing `data` on a call that must return a resource into an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The resource, when the server sent one.
    #[serde(default = "Option::default")]
    pub data: Option<T>,
    /// A free-form status word the server may add (for example `"success"`).
    #[serde(default)]
    pub status: Option<String>,
}

/// One page of a list: the items plus where the page sits in the whole set.
///
/// `offset` and `limit` echo the request; `total_count` is the size of the
/// whole set, so `offset + data.len() < total_count` means more pages follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// How many items the whole set holds.
    #[serde(default)]
    pub total_count: i64,
    /// How many items were skipped before this page.
    #[serde(default)]
    pub offset: i64,
    /// The largest number of items this page could hold.
    #[serde(default = "default_limit")]
    pub limit: i64,
    /// The items of this page, in the server's order.
    pub data: Vec<T>,
    /// A free-form status word the server may add.
    #[serde(default)]
    pub status: Option<String>,
}

fn default_limit() -> i64 {
    100
}

impl<T> Page<T> {
    /// The offset at which the next page starts, or `None` when this page is
    /// the last one (it reached `total_count`, or came back empty).
    ///
    /// ```
    /// let page: pi_types::Page<u32> =
    ///     serde_json::from_str(r#"{"total_count": 3, "offset": 0, "limit": 2, "data": [1, 2]}"#)?;
    /// assert_eq!(page.next_offset(), Some(2));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn next_offset(&self) -> Option<i64> {
        if self.data.is_empty() {
            return None;
        }
        let held = i64::try_from(self.data.len()).unwrap_or(i64::MAX);
        let next = self.offset.saturating_add(held);
        (next < self.total_count).then_some(next)
    }

    /// The number of items on this page.
    #[must_use]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether this page holds no items.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Iterates over the items of this page.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.data.iter()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_page_reports_the_next_offset_until_the_total_is_reached() {
        let first: Page<u8> =
            serde_json::from_str(r#"{"total_count":5,"offset":0,"limit":2,"data":[1,2]}"#).unwrap();
        assert_eq!(first.next_offset(), Some(2));
        let last: Page<u8> =
            serde_json::from_str(r#"{"total_count":5,"offset":4,"limit":2,"data":[5]}"#).unwrap();
        assert_eq!(last.next_offset(), None);
        let empty: Page<u8> =
            serde_json::from_str(r#"{"total_count":9,"offset":4,"limit":2,"data":[]}"#).unwrap();
        assert_eq!(empty.next_offset(), None, "an empty page must end the walk");
    }

    #[test]
    fn a_page_with_only_data_takes_the_documented_defaults() {
        let page: Page<u8> = serde_json::from_str(r#"{"data":[7]}"#).unwrap();
        assert_eq!((page.total_count, page.offset, page.limit), (0, 0, 100));
        assert_eq!(page.into_iter().collect::<Vec<_>>(), vec![7]);
    }

    #[test]
    fn a_null_data_field_is_none() {
        let response: ApiResponse<u8> = serde_json::from_str(r#"{"data":null}"#).unwrap();
        assert_eq!(response.data, None);
        let response: ApiResponse<u8> = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(response.status, None);
    }
}
