//! Pods: rent GPU machines, follow them until they run, read their logs and
//! delete them (the document's `Pods` tag, under `/api/v1/pods`).
//!
//! # Example
//!
//! ```no_run
//! use pi_types::{GpuSocket, GpuType, PodSpec, Provider, ProviderType};
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let spec = PodSpec::new("cloud-offer-id", GpuType::from("H100_80GB"), 1, GpuSocket::from("SXM5"))
//!     .with_name("trainer");
//! let pod = client
//!     .pods()
//!     .create(spec, Provider::new(ProviderType::from("runpod")))
//!     .send()
//!     .await?;
//! let running = client.pods().wait_until_running(&pod.id).await?;
//! println!("{:?}", running.ssh_connection);
//! println!("{}", client.pods().logs(&pod.id).tail(50).send().await?);
//! client.pods().delete(&pod.id).send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::pods::*;

use pi_types::{Pod, PodStatus};

use crate::assumptions::Assumption;
use crate::error::Error;
use crate::wait::WaitPolicy;
use crate::wait::{self, Progress};

impl<'c> Pods<'c> {
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
            || self.get(pod_id).send(),
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
