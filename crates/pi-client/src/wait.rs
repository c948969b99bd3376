//! Waiting for a resource to reach a state: poll with capped exponential
//! backoff until the state is the one wanted, a state it cannot leave, or the
//! caller's deadline.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::Error;

/// How a waiter polls: the first pause, the longest pause (each pause
/// doubles up to it), and the deadline after which it gives up.
///
/// ```
/// use std::time::Duration;
/// use pi_client::WaitPolicy;
///
/// let patient = WaitPolicy::default().deadline(Duration::from_secs(30 * 60));
/// assert_eq!(patient.deadline_after(), Duration::from_secs(1800));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitPolicy {
    first_pause: Duration,
    longest_pause: Duration,
    deadline: Duration,
}

impl Default for WaitPolicy {
    /// Pauses from 2 s up to 15 s, for at most 20 minutes: GPU pods take
    /// minutes to provision, and polling faster only spends rate limit.
    fn default() -> Self {
        Self {
            first_pause: Duration::from_secs(2),
            longest_pause: Duration::from_secs(15),
            deadline: Duration::from_secs(20 * 60),
        }
    }
}

impl WaitPolicy {
    /// Gives up after `deadline` in all (the calls included).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Pauses `first` after the first look, doubling up to `longest`.
    #[must_use]
    pub fn pauses(mut self, first: Duration, longest: Duration) -> Self {
        self.first_pause = first;
        self.longest_pause = longest.max(first);
        self
    }

    /// The deadline the waiter keeps.
    #[must_use]
    pub fn deadline_after(&self) -> Duration {
        self.deadline
    }
}

/// Where a resource stands, as a waiter reads its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The state the caller waits for.
    Reached,
    /// Still on its way.
    Pending,
    /// A state it will not leave for the one wanted (failed, terminated, ...).
    Ended,
}

/// Reads a resource's state: its name (`(none yet)` when the server sent
/// none) and whether it is the state waited for, one it will not leave, or
/// still on its way. A state this version does not know is on its way.
pub(crate) fn judge<S: pi_types::WireEnum>(
    status: Option<&S>,
    reached: fn(&S) -> bool,
    ended: fn(&S) -> bool,
) -> (String, Progress) {
    match status {
        None => ("(none yet)".to_owned(), Progress::Pending),
        Some(status) => {
            let progress = if reached(status) {
                Progress::Reached
            } else if ended(status) {
                Progress::Ended
            } else {
                Progress::Pending
            };
            (status.as_str().to_owned(), progress)
        }
    }
}

/// Polls `fetch` until `judge` says the state is reached (returns the
/// resource) or ended ([`Error::WaitEnded`]), or the deadline passes
/// ([`Error::WaitTimedOut`], with the last state seen).
pub(crate) async fn until<T, F, Fut>(
    resource: &'static str,
    id: &str,
    policy: &WaitPolicy,
    mut fetch: F,
    judge: impl Fn(&T) -> (String, Progress),
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let started = Instant::now();
    let give_up = started.checked_add(policy.deadline);
    let mut pause = policy.first_pause;
    let mut last_state = None;
    loop {
        let looked = match give_up {
            Some(end) => tokio::time::timeout_at(end, fetch()).await.ok(),
            None => Some(fetch().await),
        };
        let Some(current) = looked.transpose()? else {
            return Err(timed_out(resource, id, last_state, policy));
        };
        let (state, progress) = judge(&current);
        match progress {
            Progress::Reached => return Ok(current),
            Progress::Ended => {
                return Err(Error::WaitEnded {
                    resource,
                    id: id.to_owned(),
                    state,
                });
            }
            Progress::Pending => {}
        }
        tracing::debug!(resource, id, state = %state, pause_ms = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX), "still waiting");
        last_state = Some(state);
        let wake = Instant::now().checked_add(pause);
        if let (Some(wake), Some(end)) = (wake, give_up) {
            if wake >= end {
                return Err(timed_out(resource, id, last_state, policy));
            }
        }
        tokio::time::sleep(pause).await;
        pause = pause.saturating_mul(2).min(policy.longest_pause);
    }
}

fn timed_out(
    resource: &'static str,
    id: &str,
    state: Option<String>,
    policy: &WaitPolicy,
) -> Error {
    Error::WaitTimedOut {
        resource,
        id: id.to_owned(),
        state,
        after: policy.deadline,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::cell::Cell;

    fn quick() -> WaitPolicy {
        WaitPolicy::default().pauses(Duration::from_millis(1), Duration::from_millis(4))
    }

    fn judge(state: &&str) -> (String, Progress) {
        let progress = match *state {
            "ACTIVE" => Progress::Reached,
            "ERROR" | "TERMINATED" => Progress::Ended,
            _ => Progress::Pending,
        };
        ((*state).to_owned(), progress)
    }

    #[tokio::test]
    async fn it_polls_until_the_state_is_reached() {
        let states = ["PENDING", "PROVISIONING", "ACTIVE", "never asked"];
        let looks = Cell::new(0);
        let reached = until(
            "pod",
            "p1",
            &quick(),
            || {
                let state = states[looks.get()];
                looks.set(looks.get() + 1);
                async move { Ok::<_, Error>(state) }
            },
            judge,
        )
        .await
        .unwrap();
        assert_eq!((reached, looks.get()), ("ACTIVE", 3));
    }

    #[tokio::test]
    async fn a_state_it_cannot_leave_ends_the_wait_and_is_named() {
        let error = until(
            "pod",
            "p1",
            &quick(),
            || async { Ok::<_, Error>("ERROR") },
            judge,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&error, Error::WaitEnded { state, .. } if state == "ERROR"),
            "{error:?}"
        );
        assert!(error.to_string().contains("pod p1"), "{error}");
    }

    #[tokio::test]
    async fn the_deadline_ends_the_wait_with_the_last_state_seen() {
        let policy = quick().deadline(Duration::from_millis(30));
        let error = until(
            "disk",
            "d1",
            &policy,
            || async { Ok::<_, Error>("PROVISIONING") },
            judge,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&error, Error::WaitTimedOut { state: Some(state), .. } if state == "PROVISIONING"),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_failed_look_is_returned_as_it_is() {
        let error = until(
            "pod",
            "p1",
            &quick(),
            || async {
                Err::<&str, _>(Error::NotFound {
                    message: None,
                    suspect_base_url: None,
                })
            },
            judge,
        )
        .await
        .unwrap_err();
        assert!(matches!(error, Error::NotFound { .. }));
    }

    #[tokio::test]
    async fn a_look_that_hangs_past_the_deadline_times_out() {
        let policy = quick().deadline(Duration::from_millis(20));
        let error = until(
            "pod",
            "p1",
            &policy,
            std::future::pending::<Result<&str, Error>>,
            judge,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(error, Error::WaitTimedOut { state: None, .. }),
            "{error:?}"
        );
    }
}
