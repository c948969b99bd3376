//! Disks: create persistent storage that outlives pods, follow it until it is
//! ready, rename and delete it (the document's `Disks` tag, under
//! `/api/v1/disks`).
//!
//! # Example
//!
//! ```no_run
//! use pi_types::{DiskSpec, Provider, ProviderType};
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let spec = DiskSpec::new(500).with_name("datasets").with_cloud_id("cloud-offer-id");
//! let disk = client
//!     .disks()
//!     .create(spec, Provider::new(ProviderType::from("runpod")))
//!     .send()
//!     .await?;
//! let ready = client.disks().wait_until_ready(&disk.id).await?;
//! println!("{} GB at {:?}/h", ready.size.unwrap_or(0), ready.price_hr);
//! client.disks().update(&disk.id, "datasets-v2").send().await?;
//! client.disks().delete(&disk.id).send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::disks::*;

use pi_types::{Disk, DiskStatus};

use crate::assumptions::Assumption;
use crate::error::Error;
use crate::wait::WaitPolicy;
use crate::wait::{self, Progress};

impl<'c> Disks<'c> {
    /// Waits until the disk is `ACTIVE`, polling with the default
    /// [`WaitPolicy`] (at most 20 minutes).
    ///
    /// # Errors
    /// [`Error::WaitEnded`] when the disk reaches `ERROR`, `TERMINATED`,
    /// `DELETING` or `STOPPED` instead, [`Error::WaitTimedOut`] (with the
    /// last state seen) past the deadline, and any error of the request path.
    pub async fn wait_until_ready(&self, disk_id: &str) -> Result<Disk, Error> {
        self.wait_until_ready_with(disk_id, &WaitPolicy::default())
            .await
    }

    /// [`Disks::wait_until_ready`] with your own pauses and deadline.
    ///
    /// # Errors
    /// As [`Disks::wait_until_ready`].
    pub async fn wait_until_ready_with(
        &self,
        disk_id: &str,
        policy: &WaitPolicy,
    ) -> Result<Disk, Error> {
        wait::until(
            "disk",
            disk_id,
            policy,
            || self.get(disk_id).send(),
            |disk| ready_progress(disk.status.as_ref()),
        )
        .await
    }
}

/// The disk states [`ready_progress`] names: the drift tools call a
/// document without one of them breaking.
pub(crate) const ASSUMPTIONS: &[Assumption] = &{
    const OP: &str = "GET /api/v1/disks/{disk_id}";
    const AT: &str = "response 200 .status";
    const WAITS: &str = "Disks::wait_until_ready waits for it";
    const STOPS: &str = "Disks::wait_until_ready stops at it";
    [
        Assumption::value(OP, AT, "ACTIVE", WAITS),
        Assumption::value(OP, AT, "ERROR", STOPS),
        Assumption::value(OP, AT, "TERMINATED", STOPS),
        Assumption::value(OP, AT, "DELETING", STOPS),
        Assumption::value(OP, AT, "STOPPED", STOPS),
    ]
};

/// How far a disk in `status` is from ready.
///
/// `ACTIVE` is ready. `ERROR`, `TERMINATED` and `DELETING` are states a disk
/// never leaves for `ACTIVE`; `STOPPED` counts as ended too, since only an
/// outside action (not time) brings a stopped disk back, and waiting for it
/// would only run into the deadline. `PROVISIONING`, `PENDING`, `UNKNOWN`
/// (the provider has not reported yet), a state this version does not know,
/// and no state at all (the document's default is `PROVISIONING`) keep the
/// wait going.
fn ready_progress(status: Option<&DiskStatus>) -> (String, Progress) {
    wait::judge(
        status,
        |status| matches!(status, DiskStatus::Active),
        |status| {
            matches!(
                status,
                DiskStatus::Error
                    | DiskStatus::Terminated
                    | DiskStatus::Deleting
                    | DiskStatus::Stopped
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_states_are_the_ones_the_waiter_names() {
        wait::assert_declared_states(
            ASSUMPTIONS,
            "GET /api/v1/disks/{disk_id}",
            <DiskStatus as pi_types::WireEnum>::KNOWN,
            |status: &DiskStatus| ready_progress(Some(status)),
        );
    }

    #[test]
    fn only_active_is_ready_and_unknown_states_keep_waiting() {
        assert_eq!(
            ready_progress(Some(&DiskStatus::Active)).1,
            Progress::Reached
        );
        for ended in [
            DiskStatus::Error,
            DiskStatus::Terminated,
            DiskStatus::Deleting,
            DiskStatus::Stopped,
        ] {
            assert_eq!(ready_progress(Some(&ended)).1, Progress::Ended, "{ended}");
        }
        for pending in [
            DiskStatus::Provisioning,
            DiskStatus::Pending,
            DiskStatus::Unknown,
            DiskStatus::from("RESIZING"),
        ] {
            assert_eq!(
                ready_progress(Some(&pending)).1,
                Progress::Pending,
                "{pending}"
            );
        }
        assert_eq!(
            ready_progress(None),
            ("(none yet)".to_owned(), Progress::Pending)
        );
    }
}
