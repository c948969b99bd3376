//! Availability: the GPU and disk offers the PI platform can rent out right
//! now, where they are and what they cost (the document's `Availability`
//! tag, under `/api/v1/availability`). These calls act for no team.
//!
//! Each offer list takes the filters its operation declares and
//! `page`/`page_size`; `.send()` fetches one page and, for the
//! `{items, totalCount}` lists, `.into_stream()` every offer.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use pi_client::types::{GpuType, Region};
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let offers: Vec<_> = client
//!     .availability()
//!     .gpus()
//!     .gpu_type(GpuType::H100_80gb)
//!     .gpu_count(8)
//!     .regions([Region::UnitedStates, Region::EuWest])
//!     .into_stream()
//!     .try_collect()
//!     .await?;
//! if let Some(offer) = pi_client::types::cheapest_offer(&offers) {
//!     println!("{} at {:?}/hr", offer.cloud_id, offer.on_demand_per_hour());
//! }
//! let summary = client.availability().gpu_summary().send().await?;
//! println!("{} GPU types on offer", summary.len());
//! # Ok(())
//! # }
//! ```

pub use crate::generated::availability::*;
