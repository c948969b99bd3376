//! Pods: rent GPU machines, follow them until they run, read their logs and
//! delete them (the document's `Pods` tag, under `/api/v1/pods`).

use pi_types::{
    CreatePod, Pod, PodDeleted, PodHistoryEntry, PodSpec, PodStatus, PodStatusReport, Provider,
    TeamRef,
};

use crate::assumptions::Assumption;
use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::page::ListRequest;
use crate::request::answer::{Data, Json};
use crate::wait::WaitPolicy;
use crate::wait::{self, Progress};

const LIST: Endpoint = Endpoint::get("/api/v1/pods/");
const CREATE: Endpoint = Endpoint::post("/api/v1/pods/").team_in_body("team.teamId");
const GET: Endpoint = Endpoint::get("/api/v1/pods/{pod_id}");
const DELETE: Endpoint = Endpoint::delete("/api/v1/pods/{pod_id}");
const STATUS: Endpoint = Endpoint::get("/api/v1/pods/status");
const HISTORY: Endpoint = Endpoint::get("/api/v1/pods/history");
const LOGS: Endpoint = Endpoint::get("/api/v1/pods/{pod_id}/log");

/// Names the Pods area in [`Area`]; see [`Pods`].
#[derive(Debug)]
pub enum PodsApi {}

/// A handle on the Pods area; get one with [`Client::pods`].
///
/// ```no_run
/// use pi_types::{GpuSocket, GpuType, PodSpec, Provider, ProviderType};
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let spec = PodSpec::new("cloud-offer-id", 1, GpuType::from("H100_80GB"), GpuSocket::from("SXM5"))
///     .with_name("trainer");
/// let pod = client
///     .pods()
///     .create(spec, Provider::new(ProviderType::from("runpod")))
///     .send()
///     .await?;
/// let running = client.pods().wait_until_running(&pod.id).await?;
/// println!("{:?}", running.ssh_connection);
/// println!("{}", client.pods().log_tail(&pod.id, 50).await?);
/// client.pods().delete(&pod.id).await?;
/// # Ok(())
/// # }
/// ```
pub type Pods<'c> = Area<'c, PodsApi>;

/// A list-pods request: one page with `.send()`, every pod with `.into_stream()`.
pub type ListPods<'c> = ListRequest<'c, Pod>;

/// A pod-history request; sort it with [`ListRequest::sort_by`] and
/// [`ListRequest::order`].
pub type PodHistory<'c> = ListRequest<'c, PodHistoryEntry>;

/// A create-pod request; see [`Pods::create`].
pub type CreatePodBuilder<'c> = BodyRequest<'c, CreatePod, Json<Pod>>;

/// Which date orders the pod history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HistorySort {
    /// When the pod ended (the server's default).
    TerminatedAt,
    /// When the pod was created.
    CreatedAt,
}

/// Which way a sorted list runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SortOrder {
    /// Oldest first.
    Ascending,
    /// Newest first (the server's default).
    Descending,
}

impl Client {
    /// The Pods area, acting for the client's default team.
    pub fn pods(&self) -> Pods<'_> {
        Area::new(self)
    }
}

impl<'c> Pods<'c> {
    /// Lists your pods; send for one page, or stream every pod.
    pub fn list(&self) -> ListPods<'c> {
        self.list_of(&LIST)
    }

    /// Starts renting a pod: `pod` says what (GPU type and count, offer,
    /// socket, sizes), `provider` from whom. A team set on the handle
    /// (`.team(id)`) owns the pod.
    pub fn create(&self, pod: PodSpec, provider: Provider) -> CreatePodBuilder<'c> {
        self.with_body(&CREATE, &[], CreatePod::new(pod, provider))
    }

    /// Fetches one pod.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn get(&self, pod_id: &str) -> Result<Pod, Error> {
        self.call::<Json<Pod>>(&GET, &[("pod_id", pod_id)]).await
    }

    /// Terminates a pod and stops its billing; returns the status it is left in.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, pod_id: &str) -> Result<PodDeleted, Error> {
        self.call::<Json<PodDeleted>>(&DELETE, &[("pod_id", pod_id)])
            .await
    }

    /// The live state of several pods at once (install progress, IP, SSH
    /// command).
    ///
    /// # Errors
    /// [`Error::MissingData`] when the server answers without the list
    /// (which the document allows), and any error of the request path.
    pub async fn status<I, S>(&self, pod_ids: I) -> Result<Vec<PodStatusReport>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let query: Vec<(&'static str, String)> = pod_ids
            .into_iter()
            .map(|id| ("pod_ids", id.into()))
            .collect();
        self.call_with_query::<Data<Vec<PodStatusReport>>>(&STATUS, &[], &query)
            .await
    }

    /// Pods that have ended, with what they cost; newest ended first unless sorted.
    pub fn history(&self) -> PodHistory<'c> {
        self.list_of(&HISTORY)
    }

    /// Everything the pod has logged so far. The document leaves the shape
    /// of the answer open, so it comes back as JSON (usually a string).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn logs(&self, pod_id: &str) -> Result<serde_json::Value, Error> {
        self.call::<Json<serde_json::Value>>(&LOGS, &[("pod_id", pod_id)])
            .await
    }

    /// The last `lines` lines of the pod's log.
    ///
    /// # Errors
    /// As [`Pods::logs`].
    pub async fn log_tail(&self, pod_id: &str, lines: u64) -> Result<serde_json::Value, Error> {
        self.call_with_query::<Json<serde_json::Value>>(
            &LOGS,
            &[("pod_id", pod_id)],
            &[("tail", lines.to_string())],
        )
        .await
    }

    /// Waits until the pod is `ACTIVE`, polling with the default [`WaitPolicy`]
    /// (at most 20 minutes).
    ///
    /// # Errors
    /// [`Error::WaitEnded`] when the pod reaches `ERROR`, `TERMINATED`,
    /// `STOPPED` or `DELETING` instead, [`Error::WaitTimedOut`] (with the
    /// last state seen) past the deadline, and any error of the request path.
    pub async fn wait_until_running(&self, pod_id: &str) -> Result<Pod, Error> {
        self.wait_until_running_with(pod_id, &WaitPolicy::default())
            .await
    }

    /// [`Pods::wait_until_running`] with your own pauses and deadline.
    ///
    /// # Errors
    /// As [`Pods::wait_until_running`].
    pub async fn wait_until_running_with(
        &self,
        pod_id: &str,
        policy: &WaitPolicy,
    ) -> Result<Pod, Error> {
        wait::until(
            "pod",
            pod_id,
            policy,
            || self.get(pod_id),
            |pod| running_progress(pod.status.as_ref()),
        )
        .await
    }
}

/// The pod states [`running_progress`] names: the drift tools call a
/// document without one of them breaking.
pub(crate) const ASSUMPTIONS: &[Assumption] = &{
    const OP: &str = "GET /api/v1/pods/{pod_id}";
    const AT: &str = "response 200 .status";
    const WAITS: &str = "Pods::wait_until_running waits for it";
    const STOPS: &str = "Pods::wait_until_running stops at it";
    [
        Assumption::value(OP, AT, "ACTIVE", WAITS),
        Assumption::value(OP, AT, "ERROR", STOPS),
        Assumption::value(OP, AT, "TERMINATED", STOPS),
        Assumption::value(OP, AT, "STOPPED", STOPS),
        Assumption::value(OP, AT, "DELETING", STOPS),
    ]
};

/// How far a pod in `status` is from running. A state this version does not
/// know (or none yet) counts as still on its way.
fn running_progress(status: Option<&PodStatus>) -> (String, Progress) {
    wait::judge(
        status,
        |status| matches!(status, PodStatus::Active),
        |status| {
            matches!(
                status,
                PodStatus::Error | PodStatus::Terminated | PodStatus::Stopped | PodStatus::Deleting
            )
        },
    )
}

impl CreatePodBuilder<'_> {
    /// Attaches existing disks by id.
    pub fn disks<I, S>(self, disk_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = disk_ids
            .into_iter()
            .map(Into::into)
            .collect::<Vec<String>>();
        self.map_body(|body| body.with_disks(ids))
    }

    /// Shares the pod with the whole team it is created for.
    pub fn shared_with_team(self, shared: bool) -> Self {
        self.map_body(|body| body.with_shared_with_team(shared))
    }

    /// Shares the pod with these team members only.
    pub fn team_members<I, S>(self, user_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = user_ids
            .into_iter()
            .map(Into::into)
            .collect::<Vec<String>>();
        self.map_body(|body| body.with_team_member_ids(ids))
    }

    /// Creates the pod for `team_id`, whatever the handle's team.
    pub fn for_team(self, team_id: impl Into<String>) -> Self {
        let team = TeamRef::new(team_id);
        self.map_body(|body| body.with_team(team))
    }
}

impl PodHistory<'_> {
    /// Orders the history by this date.
    pub fn sort_by(self, sort: HistorySort) -> Self {
        let value = match sort {
            HistorySort::TerminatedAt => "terminatedAt",
            HistorySort::CreatedAt => "createdAt",
        };
        self.filter("sort_by", value)
    }

    /// Runs the history oldest or newest first.
    pub fn order(self, order: SortOrder) -> Self {
        let value = match order {
            SortOrder::Ascending => "asc",
            SortOrder::Descending => "desc",
        };
        self.filter("sort_order", value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_states_are_the_ones_the_waiter_names() {
        wait::assert_declared_states(
            ASSUMPTIONS,
            "GET /api/v1/pods/{pod_id}",
            <PodStatus as pi_types::WireEnum>::KNOWN,
            |status: &PodStatus| running_progress(Some(status)),
        );
    }

    #[test]
    fn only_active_is_running_and_unknown_states_keep_waiting() {
        assert_eq!(
            running_progress(Some(&PodStatus::Active)).1,
            Progress::Reached
        );
        for ended in [
            PodStatus::Error,
            PodStatus::Terminated,
            PodStatus::Stopped,
            PodStatus::Deleting,
        ] {
            assert_eq!(running_progress(Some(&ended)).1, Progress::Ended, "{ended}");
        }
        for pending in [
            PodStatus::Provisioning,
            PodStatus::Pending,
            PodStatus::Unknown,
            PodStatus::from("HIBERNATING"),
        ] {
            assert_eq!(
                running_progress(Some(&pending)).1,
                Progress::Pending,
                "{pending}"
            );
        }
        assert_eq!(
            running_progress(None),
            ("(none yet)".to_owned(), Progress::Pending)
        );
    }
}
