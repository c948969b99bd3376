//! What the generated Availability models cannot say by themselves: which
//! GPU offer is the cheapest, the shape the older availability calls really
//! answer with (offers keyed by GPU type), and the summary maps, which the
//! document describes inline rather than as named schemas.
//!
//! Units, as the server sends them: prices are amounts per hour in the
//! offer's `prices.currency` (USD in practice) for the offer as a whole, as
//! quoted, never converted or split per GPU here; `gpu_count` counts GPUs;
//! `gpu_memory` is GB per GPU; the `disk`, `memory` and `shared_disk` ranges
//! of a [`ResourceSpec`](crate::ResourceSpec) count GB and `vcpu` counts vCPUs.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{GpuAvailability, GpuAvailabilityList, GpuType, InstanceCountPricing, WireEnum};

/// The answer of the GPU and multi-node summary calls: the lowest prices on
/// offer, keyed first by GPU type (`H100_80GB`) and then by instance count
/// as text (such as `"8"`), as the server groups them.
///
/// The document describes this map inline in the operation, not as a named
/// schema, so it has no generated type of its own.
pub type AvailabilitySummary = BTreeMap<String, BTreeMap<String, InstanceCountPricing>>;

/// The answer of the older availability calls (`/availability/` and
/// `/availability/clusters`): every offer, grouped under its GPU type.
///
/// The document writes this answer as one object with a single property
/// named `{GPUType}`, a placeholder for "one key per GPU type"; a struct
/// generated to the letter would keep nothing of a real answer, so
/// `spec/codegen.toml` maps the schema onto this type, which reads any key,
/// a placeholder included, and writes each back as it came.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GpuOffersByType(pub BTreeMap<GpuType, Vec<GpuAvailability>>);

impl GpuAvailability {
    /// What the offer costs per hour on demand, in its `prices.currency`;
    /// `None` when the server quotes no on-demand price (or sends one that is
    /// not a finite number).
    pub fn on_demand_per_hour(&self) -> Option<f64> {
        self.prices.on_demand.filter(|price| price.is_finite())
    }
}

/// The offer with the lowest on-demand price per hour among `offers`;
/// offers without an on-demand price are left out.
///
/// Prices are compared as numbers, whatever their currency. Offers at the
/// same price are told apart by provider, cloud id, data center and country
/// (in that order, as text), so the pick does not depend on the order the
/// server listed them in.
///
/// ```
/// # use pi_types::GpuAvailability;
/// # fn offer(id: &str, price: Option<f64>) -> GpuAvailability {
/// #     serde_json::from_value(serde_json::json!({
/// #         "cloudId": id, "gpuCount": 1, "gpuMemory": 80, "gpuType": "H100_80GB",
/// #         "images": [], "prices": {"currency": "USD", "onDemand": price},
/// #         "provider": "runpod", "security": "secure_cloud", "socket": "SXM5"
/// #     })).unwrap()
/// # }
/// let offers = [offer("a", Some(2.5)), offer("b", None), offer("c", Some(1.9))];
/// let cheapest = pi_types::cheapest_offer(&offers).map(|offer| offer.cloud_id.as_str());
/// assert_eq!(cheapest, Some("c"));
/// ```
pub fn cheapest_offer<'a>(
    offers: impl IntoIterator<Item = &'a GpuAvailability>,
) -> Option<&'a GpuAvailability> {
    offers
        .into_iter()
        .filter(|offer| offer.on_demand_per_hour().is_some())
        .min_by(|a, b| by_price(a, b))
}

/// The offers that have an on-demand price, cheapest first, with the same
/// order among equal prices as [`cheapest_offer`].
pub fn offers_by_price<'a>(
    offers: impl IntoIterator<Item = &'a GpuAvailability>,
) -> Vec<&'a GpuAvailability> {
    let mut priced: Vec<&GpuAvailability> = offers
        .into_iter()
        .filter(|offer| offer.on_demand_per_hour().is_some())
        .collect();
    priced.sort_by(|a, b| by_price(a, b));
    priced
}

/// Cheaper first; offers at the same price by provider, cloud id, data
/// center and country. Only called on offers that have a price.
fn by_price(a: &GpuAvailability, b: &GpuAvailability) -> Ordering {
    let price = |offer: &GpuAvailability| offer.on_demand_per_hour().unwrap_or(f64::INFINITY);
    price(a)
        .total_cmp(&price(b))
        .then_with(|| a.provider.as_str().cmp(b.provider.as_str()))
        .then_with(|| a.cloud_id.cmp(&b.cloud_id))
        .then_with(|| a.data_center.cmp(&b.data_center))
        .then_with(|| a.country.cmp(&b.country))
}

impl GpuAvailabilityList {
    /// The offer of this page with the lowest on-demand price per hour; see
    /// [`cheapest_offer`].
    pub fn cheapest(&self) -> Option<&GpuAvailability> {
        cheapest_offer(&self.items)
    }

    /// The cheapest offer of this page for one GPU type; see [`cheapest_offer`].
    pub fn cheapest_for(&self, gpu_type: &GpuType) -> Option<&GpuAvailability> {
        cheapest_offer(
            self.items
                .iter()
                .filter(|offer| offer.gpu_type == *gpu_type),
        )
    }
}

impl GpuOffersByType {
    /// Every offer, GPU type after GPU type.
    pub fn offers(&self) -> impl Iterator<Item = &GpuAvailability> {
        self.0.values().flatten()
    }

    /// How many offers there are, across every GPU type.
    pub fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    /// Whether there is no offer at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The offer with the lowest on-demand price per hour; see [`cheapest_offer`].
    pub fn cheapest(&self) -> Option<&GpuAvailability> {
        cheapest_offer(self.offers())
    }

    /// The cheapest offer of one GPU type, going by each offer's own
    /// `gpu_type` rather than the key it is listed under; see [`cheapest_offer`].
    pub fn cheapest_for(&self, gpu_type: &GpuType) -> Option<&GpuAvailability> {
        cheapest_offer(self.offers().filter(|offer| offer.gpu_type == *gpu_type))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::{Value, json};

    /// An offer as the server sends it; a `null` price is left out, as the
    /// models leave out what is absent when they write an offer back.
    fn offer(cloud_id: &str, gpu_type: &str, provider: &str, price: Value) -> Value {
        let mut prices = json!({"currency": "USD"});
        if !price.is_null() {
            prices["onDemand"] = price;
        }
        json!({
            "cloudId": cloud_id, "gpuCount": 8, "gpuMemory": 80, "gpuType": gpu_type,
            "images": ["ubuntu_22_cuda_12"], "prices": prices,
            "provider": provider, "security": "secure_cloud", "socket": "SXM5"
        })
    }

    fn list(offers: Vec<Value>) -> GpuAvailabilityList {
        let total = offers.len();
        serde_json::from_value(json!({"items": offers, "totalCount": total})).unwrap()
    }

    fn ids(offers: Vec<&GpuAvailability>) -> Vec<&str> {
        offers.iter().map(|offer| offer.cloud_id.as_str()).collect()
    }

    #[test]
    fn the_cheapest_offer_ignores_offers_without_a_price() {
        let page = list(vec![
            offer("none", "H100_80GB", "runpod", Value::Null),
            offer("dear", "H100_80GB", "runpod", json!(3.2)),
            offer("cheap", "H100_80GB", "lambdalabs", json!(2.1)),
        ]);
        assert_eq!(page.cheapest().unwrap().cloud_id, "cheap");
        assert_eq!(ids(offers_by_price(&page.items)), ["cheap", "dear"]);
        let unpriced = list(vec![offer("none", "H100_80GB", "runpod", Value::Null)]);
        assert!(unpriced.cheapest().is_none());
        assert!(list(vec![]).cheapest().is_none());
    }

    #[test]
    fn equal_prices_are_told_apart_the_same_way_whatever_the_order() {
        let offers = vec![
            offer("b", "A100_80GB", "runpod", json!(1.5)),
            offer("a", "A100_80GB", "runpod", json!(1.5)),
            offer("z", "A100_80GB", "datacrunch", json!(1.5)),
        ];
        let mut reversed = offers.clone();
        reversed.reverse();
        for order in [offers, reversed] {
            let page = list(order);
            assert_eq!(page.cheapest().unwrap().cloud_id, "z");
            assert_eq!(ids(offers_by_price(&page.items)), ["z", "a", "b"]);
        }
    }

    #[test]
    fn cheapest_for_looks_only_at_that_gpu_type() {
        let page = list(vec![
            offer("h100", "H100_80GB", "runpod", json!(2.0)),
            offer("a100", "A100_80GB", "runpod", json!(1.0)),
        ]);
        assert_eq!(
            page.cheapest_for(&GpuType::H100_80gb).unwrap().cloud_id,
            "h100"
        );
        assert!(page.cheapest_for(&GpuType::from("TPU_V9")).is_none());
    }

    #[test]
    fn a_non_finite_price_counts_as_no_price() {
        let mut page = list(vec![
            offer("nan", "H100_80GB", "runpod", json!(1.0)),
            offer("ok", "H100_80GB", "runpod", json!(4.0)),
        ]);
        page.items[0].prices.on_demand = Some(f64::NAN);
        assert_eq!(page.items[0].on_demand_per_hour(), None);
        assert_eq!(page.cheapest().unwrap().cloud_id, "ok");
    }

    #[test]
    fn offers_by_type_read_any_key_and_write_it_back_unchanged() {
        let body = json!({
            "H100_80GB": [offer("h", "H100_80GB", "runpod", json!(2.5))],
            "A100_80GB": [offer("a", "A100_80GB", "runpod", json!(1.2))],
            "{GPUType}": [],
            "NEXT_GEN_GPU": [offer("n", "NEXT_GEN_GPU", "runpod", Value::Null)]
        });
        let offers: GpuOffersByType = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(offers.len(), 3);
        assert_eq!(offers.0.len(), 4);
        assert_eq!(offers.cheapest().unwrap().cloud_id, "a");
        assert_eq!(
            offers.cheapest_for(&GpuType::H100_80gb).unwrap().cloud_id,
            "h"
        );
        assert!(
            offers
                .cheapest_for(&GpuType::from("NEXT_GEN_GPU"))
                .is_none()
        );
        assert_eq!(serde_json::to_value(&offers).unwrap(), body);
        assert!(GpuOffersByType::default().is_empty());
    }

    #[test]
    fn summaries_and_totals_decode_as_sent() {
        let summary: AvailabilitySummary = serde_json::from_value(json!({
            "H100_80GB": {"8": {"cheapest": {"onDemand": 17.5, "spotPrice": null}}}
        }))
        .unwrap();
        let cheapest = summary["H100_80GB"]["8"].cheapest.as_ref().unwrap();
        assert_eq!(cheapest.on_demand, Some(17.5));
        let disks: crate::DiskAvailabilityList =
            serde_json::from_value(json!({"items": [], "totalCount": -3})).unwrap();
        // Kept as sent: a stream treats a total it has already reached as the end.
        assert_eq!(disks.total_count, -3);
    }
}
