//! Disks: create persistent storage that outlives pods, follow it until it is
//! ready, rename and delete it (the document's `Disks` tag, under
//! `/api/v1/disks`).

use pi_types::{CreateDisk, Disk, DiskSpec, DiskStatus, Provider, TeamRef, UpdateDisk};

use crate::assumptions::Assumption;
use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::page::ListRequest;
use crate::request::answer::{Json, Nothing};
use crate::wait::WaitPolicy;
use crate::wait::{self, Progress};

const LIST: Endpoint = Endpoint::get("/api/v1/disks/");
const CREATE: Endpoint = Endpoint::post("/api/v1/disks/").team_in_body("team.teamId");
const GET: Endpoint = Endpoint::get("/api/v1/disks/{disk_id}");
const UPDATE: Endpoint = Endpoint::patch("/api/v1/disks/{disk_id}");
const DELETE: Endpoint = Endpoint::delete("/api/v1/disks/{disk_id}");

/// Names the Disks area in [`Area`]; see [`Disks`].
#[derive(Debug)]
pub enum DisksApi {}

/// A handle on the Disks area; get one with [`Client::disks`].
///
/// ```no_run
/// use pi_types::{DiskSpec, Provider, ProviderType};
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let spec = DiskSpec::new(500).with_name("datasets").with_cloud_id("cloud-offer-id");
/// let disk = client
///     .disks()
///     .create(spec, Provider::new(ProviderType::from("runpod")))
///     .send()
///     .await?;
/// let ready = client.disks().wait_until_ready(&disk.id).await?;
/// println!("{} GB at {:?}/h", ready.size.unwrap_or(0), ready.price_hr);
/// client.disks().update(&disk.id, "datasets-v2").await?;
/// client.disks().delete(&disk.id).await?;
/// # Ok(())
/// # }
/// ```
pub type Disks<'c> = Area<'c, DisksApi>;

/// A list-disks request: one page with `.send()`, every disk with `.into_stream()`.
pub type ListDisks<'c> = ListRequest<'c, Disk>;

/// A create-disk request; see [`Disks::create`].
pub type CreateDiskBuilder<'c> = BodyRequest<'c, CreateDisk, Json<Disk>>;

impl Client {
    /// The Disks area, acting for the client's default team.
    pub fn disks(&self) -> Disks<'_> {
        Area::new(self)
    }
}

impl<'c> Disks<'c> {
    /// Lists your disks; send for one page, or stream every disk.
    pub fn list(&self) -> ListDisks<'c> {
        self.list_of(&LIST)
    }

    /// Starts creating a disk: `disk` says how large (in GB) and where,
    /// `provider` from whom. A team set on the handle (`.team(id)`) owns it.
    pub fn create(&self, disk: DiskSpec, provider: Provider) -> CreateDiskBuilder<'c> {
        self.with_body(&CREATE, &[], CreateDisk::new(disk, provider))
    }

    /// Fetches one disk.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn get(&self, disk_id: &str) -> Result<Disk, Error> {
        self.call::<Json<Disk>>(&GET, &[("disk_id", disk_id)]).await
    }

    /// Renames a disk to `name`, the one change the API allows.
    ///
    /// Returns the server's answer as JSON: the document leaves its shape open.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn update(
        &self,
        disk_id: &str,
        name: impl Into<String>,
    ) -> Result<serde_json::Value, Error> {
        self.with_body::<_, Json<serde_json::Value>>(
            &UPDATE,
            &[("disk_id", disk_id)],
            UpdateDisk::new(name),
        )
        .send()
        .await
    }

    /// Deletes a disk and everything stored on it.
    ///
    /// Succeeds on any 2xx answer, whatever its body.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, disk_id: &str) -> Result<(), Error> {
        self.call::<Nothing>(&DELETE, &[("disk_id", disk_id)]).await
    }

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
            || self.get(disk_id),
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

impl CreateDiskBuilder<'_> {
    /// Creates the disk for `team_id`, whatever the handle's team.
    pub fn for_team(self, team_id: impl Into<String>) -> Self {
        let team = TeamRef::new(team_id);
        self.map_body(|body| body.with_team(team))
    }
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
