//! Availability: the GPU and disk offers the PI platform can rent out right
//! now, where they are and what they cost (the document's `Availability`
//! tag, under `/api/v1/availability`). These calls act for no team.
//!
//! The offer lists share one request builder, [`AvailabilityQuery`]: the
//! filters each call takes, `page`/`page_size`, then `.send()` for one page
//! or, for the `{items, totalCount}` lists, `.into_stream()` for every offer.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use futures::Stream;
use pi_types::{
    AvailabilitySummary, DiskAvailability, DiskAvailabilityList, GpuAvailability,
    GpuAvailabilityList, GpuOffersByType, GpuSocket, GpuType, InvalidInput, Region, Rule,
    SecurityType, WireEnum,
};
use serde::de::DeserializeOwned;

use crate::call::Area;
use crate::client::Client;
use crate::endpoint::{Endpoint, invalid_query};
use crate::error::Error;
use crate::page;
use crate::request::ApiRequest;
use crate::request::answer::Json;

const GPUS_BY_TYPE: Endpoint = Endpoint::get("/api/v1/availability/");
const GPUS: Endpoint = Endpoint::get("/api/v1/availability/gpus");
const CLUSTERS_BY_TYPE: Endpoint = Endpoint::get("/api/v1/availability/clusters");
const MULTI_NODE: Endpoint = Endpoint::get("/api/v1/availability/multi-node");
const DISKS: Endpoint = Endpoint::get("/api/v1/availability/disks");
const GPU_SUMMARY: Endpoint = Endpoint::get("/api/v1/availability/gpu-summary");
const MULTI_NODE_SUMMARY: Endpoint = Endpoint::get("/api/v1/availability/multi-node-summary");

/// The largest `page_size` a call accepts, as a number and as the document
/// writes it (for the error).
#[derive(Debug, Clone, Copy)]
struct PageLimit(u64, &'static str);

/// The limit of the newer lists (`gpus`, `multi-node`, `disks`).
const UP_TO_100: PageLimit = PageLimit(100, "100");
/// The limit of the older, grouped lists (`/`, `clusters`).
const UP_TO_500: PageLimit = PageLimit(500, "500");

/// Names the Availability area in [`Area`]; see [`Availability`].
#[derive(Debug)]
pub enum AvailabilityApi {}

/// A handle on the Availability area; get one with [`Client::availability`].
///
/// The calls act for no team, so [`Area::team`] and [`Area::personal`]
/// change nothing here.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use pi_client::types::{GpuType, Region};
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let offers: Vec<_> = client
///     .availability()
///     .gpus()
///     .gpu_type(GpuType::H100_80gb)
///     .gpu_count(8)
///     .regions([Region::UnitedStates, Region::EuWest])
///     .into_stream()
///     .try_collect()
///     .await?;
/// if let Some(offer) = pi_client::types::cheapest_offer(&offers) {
///     println!("{} at {:?}/hr", offer.cloud_id, offer.on_demand_per_hour());
/// }
/// let summary = client.availability().gpu_summary().await?;
/// println!("{} GPU types on offer", summary.len());
/// # Ok(())
/// # }
/// ```
pub type Availability<'c> = Area<'c, AvailabilityApi>;

/// A request for single-node GPU offers or multi-node clusters, one
/// `{items, totalCount}` page at a time; see [`Availability::gpus`].
pub type GpuOffersRequest<'c> = AvailabilityQuery<'c, GpuAvailabilityList>;

/// A request to the older calls that answer with offers grouped by GPU
/// type; see [`Availability::gpus_by_type`].
pub type GpuOffersByTypeRequest<'c> = AvailabilityQuery<'c, GpuOffersByType>;

/// A request for the places a disk can be created; see [`Availability::disks`].
pub type DiskOffersRequest<'c> = AvailabilityQuery<'c, DiskAvailabilityList>;

impl Client {
    /// The Availability area: GPU, cluster and disk offers and their prices.
    pub fn availability(&self) -> Availability<'_> {
        Area::new(self)
    }
}

impl<'c> Availability<'c> {
    /// Single-node GPU offers, filtered as you set, 1 to 100 a page.
    pub fn gpus(&self) -> GpuOffersRequest<'c> {
        AvailabilityQuery::new(self.client(), &GPUS, UP_TO_100)
    }

    /// Multi-node cluster offers, filtered as you set, 1 to 100 a page.
    pub fn multi_node(&self) -> GpuOffersRequest<'c> {
        AvailabilityQuery::new(self.client(), &MULTI_NODE, UP_TO_100)
    }

    /// Single-node GPU offers through the older call, grouped by GPU type,
    /// 1 to 500 a page. The answer carries no total, so it has no stream;
    /// prefer [`Availability::gpus`].
    pub fn gpus_by_type(&self) -> GpuOffersByTypeRequest<'c> {
        AvailabilityQuery::new(self.client(), &GPUS_BY_TYPE, UP_TO_500)
    }

    /// Cluster offers through the older call, grouped by GPU type, 1 to 500
    /// a page; prefer [`Availability::multi_node`].
    pub fn clusters_by_type(&self) -> GpuOffersByTypeRequest<'c> {
        AvailabilityQuery::new(self.client(), &CLUSTERS_BY_TYPE, UP_TO_500)
    }

    /// Where a disk can be created, with its size range and price per unit,
    /// 1 to 100 a page. Takes the region, data center and cloud filters only.
    pub fn disks(&self) -> DiskOffersRequest<'c> {
        AvailabilityQuery::new(self.client(), &DISKS, UP_TO_100)
    }

    /// The lowest single-node prices per hour, by GPU type and then instance
    /// count; see [`AvailabilitySummary`].
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn gpu_summary(&self) -> Result<AvailabilitySummary, Error> {
        self.call::<Json<AvailabilitySummary>>(&GPU_SUMMARY, &[])
            .await
    }

    /// The lowest multi-node prices per hour, by GPU type and then instance
    /// count; see [`AvailabilitySummary`].
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn multi_node_summary(&self) -> Result<AvailabilitySummary, Error> {
        self.call::<Json<AvailabilitySummary>>(&MULTI_NODE_SUMMARY, &[])
            .await
    }
}

mod sealed {
    /// Keeps the answer traits of this module closed to other crates.
    pub trait Sealed {}
    impl Sealed for pi_types::GpuAvailabilityList {}
    impl Sealed for pi_types::GpuOffersByType {}
    impl Sealed for pi_types::DiskAvailabilityList {}
}

/// The answers of the calls that take the GPU filters (type, count, socket,
/// security, disks): the GPU and cluster offer lists, not the disk list.
pub trait GpuOfferAnswer: sealed::Sealed {}

impl GpuOfferAnswer for GpuAvailabilityList {}
impl GpuOfferAnswer for GpuOffersByType {}

/// The answers that come as `{items, totalCount}` pages, which
/// [`AvailabilityQuery::into_stream`] can walk to the end.
pub trait PagedAnswer: sealed::Sealed {
    /// One offer of the list.
    type Offer;

    /// The page's offers and the list's total across every page.
    fn into_offers(self) -> (Vec<Self::Offer>, u64);
}

impl PagedAnswer for GpuAvailabilityList {
    type Offer = GpuAvailability;

    fn into_offers(self) -> (Vec<GpuAvailability>, u64) {
        let total = self.total();
        (self.items, total)
    }
}

impl PagedAnswer for DiskAvailabilityList {
    type Offer = DiskAvailability;

    fn into_offers(self) -> (Vec<DiskAvailability>, u64) {
        let total = self.total();
        (self.items, total)
    }
}

/// An availability request answered by `T`: set filters and paging, then
/// `.send()` for one page, or `.into_stream()` for every offer of every page
/// where the answer is an `{items, totalCount}` list.
///
/// Every filter is optional; list filters add to what was given before. The
/// document's rules (pages from 1, the call's page size limit, enum values
/// it lists) are checked before anything is sent.
///
/// ```no_run
/// use pi_client::types::{GpuSocket, GpuType, SecurityType};
/// # async fn run(client: pi_client::Client) -> Result<(), pi_client::Error> {
/// let page = client
///     .availability()
///     .multi_node()
///     .gpu_type(GpuType::H100_80gb)
///     .socket(GpuSocket::Sxm5)
///     .security(SecurityType::SecureCloud)
///     .page_size(50)
///     .send()
///     .await?;
/// println!("{} of {} clusters", page.items.len(), page.total_count);
/// if let Some(offer) = page.cheapest() {
///     println!("cheapest: {} ({} GPUs)", offer.cloud_id, offer.gpu_count);
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "a request does nothing until .send() or .into_stream()"]
pub struct AvailabilityQuery<'c, T> {
    client: &'c Client,
    endpoint: &'static Endpoint,
    limit: PageLimit,
    regions: Vec<Region>,
    gpu_count: Option<u32>,
    gpu_type: Option<GpuType>,
    socket: Option<GpuSocket>,
    security: Option<SecurityType>,
    data_center_id: Option<String>,
    cloud_id: Option<String>,
    disks: Vec<String>,
    page: Option<u64>,
    page_size: Option<u64>,
    answer: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for AvailabilityQuery<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvailabilityQuery")
            .field("path", &self.endpoint.path)
            .field("regions", &self.regions)
            .field("gpu_count", &self.gpu_count)
            .field("gpu_type", &self.gpu_type)
            .field("socket", &self.socket)
            .field("security", &self.security)
            .field("data_center_id", &self.data_center_id)
            .field("cloud_id", &self.cloud_id)
            .field("disks", &self.disks)
            .field("page", &self.page)
            .field("page_size", &self.page_size)
            .finish()
    }
}

impl<T> Clone for AvailabilityQuery<'_, T> {
    fn clone(&self) -> Self {
        Self {
            client: self.client,
            endpoint: self.endpoint,
            limit: self.limit,
            regions: self.regions.clone(),
            gpu_count: self.gpu_count,
            gpu_type: self.gpu_type.clone(),
            socket: self.socket.clone(),
            security: self.security.clone(),
            data_center_id: self.data_center_id.clone(),
            cloud_id: self.cloud_id.clone(),
            disks: self.disks.clone(),
            page: self.page,
            page_size: self.page_size,
            answer: PhantomData,
        }
    }
}

impl<'c, T> AvailabilityQuery<'c, T> {
    fn new(client: &'c Client, endpoint: &'static Endpoint, limit: PageLimit) -> Self {
        Self {
            client,
            endpoint,
            limit,
            regions: Vec::new(),
            gpu_count: None,
            gpu_type: None,
            socket: None,
            security: None,
            data_center_id: None,
            cloud_id: None,
            disks: Vec::new(),
            page: None,
            page_size: None,
            answer: PhantomData,
        }
    }

    /// Only offers in these regions; adds to regions given before.
    pub fn regions(mut self, regions: impl IntoIterator<Item = Region>) -> Self {
        self.regions.extend(regions);
        self
    }

    /// Only offers in this data center.
    pub fn data_center(mut self, data_center_id: impl Into<String>) -> Self {
        self.data_center_id = Some(data_center_id.into());
        self
    }

    /// Only the offer with this cloud id (the id a pod or disk is created from).
    pub fn cloud(mut self, cloud_id: impl Into<String>) -> Self {
        self.cloud_id = Some(cloud_id.into());
        self
    }

    /// Asks for this page, counted from 1 (the server starts at 1); a stream
    /// starts there.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Asks for this many offers a page: 1 to 100, or to 500 for the calls
    /// grouped by GPU type (the server's default is that maximum).
    pub fn page_size(mut self, page_size: u64) -> Self {
        self.page_size = Some(page_size);
        self
    }
}

impl<T: GpuOfferAnswer> AvailabilityQuery<'_, T> {
    /// Only offers of this GPU model.
    pub fn gpu_type(mut self, gpu_type: GpuType) -> Self {
        self.gpu_type = Some(gpu_type);
        self
    }

    /// Only offers with this many GPUs (per node, for clusters).
    pub fn gpu_count(mut self, gpu_count: u32) -> Self {
        self.gpu_count = Some(gpu_count);
        self
    }

    /// Only offers whose GPUs sit in this kind of socket (`PCIe`, `SXM5`, …).
    pub fn socket(mut self, socket: GpuSocket) -> Self {
        self.socket = Some(socket);
        self
    }

    /// Only secure-cloud or only community-cloud offers.
    pub fn security(mut self, security: SecurityType) -> Self {
        self.security = Some(security);
        self
    }

    /// Only offers where these existing disks (by id) can be attached; adds
    /// to disks given before.
    pub fn disks<I, S>(mut self, disk_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.disks.extend(disk_ids.into_iter().map(Into::into));
        self
    }
}

impl<'c, T: DeserializeOwned + 'c> AvailabilityQuery<'c, T> {
    /// Fetches one page.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for a page of 0, a page size
    /// outside the call's range, or a region, GPU type, socket or security
    /// type this version does not know; and any error of the request path.
    pub async fn send(&self) -> Result<T, Error> {
        self.page_at(self.page).await
    }

    async fn page_at(&self, page: Option<u64>) -> Result<T, Error> {
        self.check(page)?;
        let mut request = ApiRequest::to(self.endpoint, &[], None)?
            .query_opt("page", page)
            .query_opt("page_size", self.page_size);
        for region in &self.regions {
            request = request.query("regions", region);
        }
        let mut request = request
            .query_opt("gpu_count", self.gpu_count)
            .query_opt("gpu_type", self.gpu_type.as_ref())
            .query_opt("socket", self.socket.as_ref())
            .query_opt("security", self.security.as_ref())
            .query_opt("data_center_id", self.data_center_id.as_deref())
            .query_opt("cloud_id", self.cloud_id.as_deref());
        for disk in &self.disks {
            request = request.query("disks", disk);
        }
        self.client.call::<Json<T>>(request).await
    }

    /// The document's rules for the query: pages count from 1, a page holds
    /// 1 to the call's maximum, and enum filters hold values it lists.
    fn check(&self, page: Option<u64>) -> Result<(), InvalidInput> {
        if page == Some(0) {
            return Err(invalid_query("page", Rule::AtLeast("1"), "it is 0"));
        }
        match self.page_size {
            Some(0) => {
                return Err(invalid_query("page_size", Rule::AtLeast("1"), "it is 0"));
            }
            Some(size) if size > self.limit.0 => {
                return Err(invalid_query(
                    "page_size",
                    Rule::AtMost(self.limit.1),
                    format!("it is {size}"),
                ));
            }
            _ => {}
        }
        for (index, region) in self.regions.iter().enumerate() {
            known(format!("regions[{index}]"), region)?;
        }
        if let Some(gpu_type) = &self.gpu_type {
            known("gpu_type", gpu_type)?;
        }
        if let Some(socket) = &self.socket {
            known("socket", socket)?;
        }
        if let Some(security) = &self.security {
            known("security", security)?;
        }
        Ok(())
    }
}

impl<'c, T> AvailabilityQuery<'c, T>
where
    T: PagedAnswer + DeserializeOwned + 'c,
    T::Offer: 'c,
{
    /// Every offer from the starting page on, fetching the next page only
    /// when the one before is used up. Ends once `totalCount` offers have
    /// been counted (the pages before the starting one included) or a page
    /// comes back empty, or after the first error, which is yielded.
    ///
    /// Without a page size the walk asks for the call's maximum (100), so
    /// it knows how many offers each page before the starting one held.
    pub fn into_stream(self) -> impl Stream<Item = Result<T::Offer, Error>> + 'c {
        let first = self.page.unwrap_or(1);
        let size = self.page_size.unwrap_or(self.limit.0);
        let request = self.page_size(size);
        every_item_by_page(first, size, move |page| {
            let request = request.clone();
            async move {
                let answer = request.page_at(Some(page)).await?;
                Ok(answer.into_offers())
            }
        })
    }
}

/// Refuses a query value the document does not list: the server would refuse it too.
fn known<T: WireEnum>(field: impl Into<String>, value: &T) -> Result<(), InvalidInput> {
    if value.is_known() {
        return Ok(());
    }
    let shown: String = value.as_str().chars().take(40).collect();
    Err(invalid_query(
        field.into(),
        Rule::OneOf(T::KNOWN),
        format!("it is `{shown}`"),
    ))
}

/// Streams every item of a list paged by number, from `first_page` on,
/// calling `fetch_page(page)` for each page, which answers that page's items
/// and the list's total. Stops once the items of the pages before
/// `first_page` (`page_size` each) and those fetched reach the total, at an
/// empty page, or at the first error (which is yielded, then the stream ends).
fn every_item_by_page<'a, T, F, Fut>(
    first_page: u64,
    page_size: u64,
    mut fetch_page: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    T: 'a,
    F: FnMut(u64) -> Fut + 'a,
    Fut: Future<Output = Result<(Vec<T>, u64), Error>> + 'a,
{
    let skipped = first_page.saturating_sub(1).saturating_mul(page_size);
    page::walk((first_page, skipped), move |(page, seen)| {
        let pending = fetch_page(page);
        async move {
            let (items, total) = pending.await?;
            let seen = seen.saturating_add(u64::try_from(items.len()).unwrap_or(u64::MAX));
            let after = if items.is_empty() || seen >= total {
                None
            } else {
                page.checked_add(1).map(|next| (next, seen))
            };
            Ok((items, after))
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use futures::{StreamExt, TryStreamExt};
    use std::cell::RefCell;

    #[tokio::test]
    async fn numbered_pages_are_walked_until_the_total_is_reached() {
        let asked = RefCell::new(Vec::new());
        // Starting at page 2 of 2-item pages: items 2 to 4 of 5 remain.
        let items: Vec<u64> = every_item_by_page(2, 2, |page| {
            asked.borrow_mut().push(page);
            let first = (page - 1) * 2;
            let data: Vec<u64> = (first..(first + 2).min(5)).collect();
            async move { Ok((data, 5)) }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, vec![2, 3, 4]);
        assert_eq!(*asked.borrow(), vec![2, 3]);
    }

    #[tokio::test]
    async fn numbered_pages_end_at_an_empty_page_or_an_error() {
        let count = every_item_by_page(1, 10, |_| async { Ok((Vec::<u64>::new(), 100)) })
            .count()
            .await;
        assert_eq!(count, 0);
        let results: Vec<Result<u64, Error>> = every_item_by_page(1, 1, |page| async move {
            if page == 1 {
                Ok((vec![7], 3))
            } else {
                Err(Error::Server {
                    status: 502,
                    message: None,
                })
            }
        })
        .collect()
        .await;
        assert_eq!(results.len(), 2);
        assert!(matches!(results[1], Err(Error::Server { status: 502, .. })));
    }
}
