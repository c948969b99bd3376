//! Waiting for a resource to reach a state: poll with capped exponential
//! backoff until the state is the one wanted, a state it cannot leave, or the
//! caller's deadline, telling a progress hook and `tracing` about each state
//! change on the way.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;

/// How a waiter polls: the first pause, the longest pause (each pause
/// doubles up to it), the deadline after which it gives up, and who hears
/// about each state change while it waits.
///
/// ```
/// use std::time::Duration;
/// use pi_client::WaitPolicy;
///
/// let patient = WaitPolicy::default()
///     .deadline(Duration::from_secs(30 * 60))
///     .on_progress(|change| {
///         eprintln!("{} {} is {} after {:?}", change.resource, change.id, change.state, change.elapsed);
///     });
/// assert_eq!(patient.deadline_after(), Duration::from_secs(1800));
/// ```
///
/// Besides the hook, every state change is an INFO `tracing` event with the
/// fields `resource`, `id`, `state`, `previous` and `elapsed_ms`, so a
/// service that already collects `pi_client`'s traces sees its waits with
/// no hook at all.
#[derive(Clone)]
pub struct WaitPolicy {
    first_pause: Duration,
    longest_pause: Duration,
    deadline: Duration,
    /// How long a build the platform runs first may hold a wait (see
    /// [`WaitPolicy::image_build_deadline`]).
    image_build_deadline: Duration,
    /// In an `Arc` so the policy stays cheap to clone and shareable between
    /// tasks; a closure cannot be compared or printed, hence the hand-written
    /// `Debug` and `PartialEq`.
    on_progress: Option<Arc<ProgressHook>>,
}

/// The shape of [`WaitPolicy::on_progress`]'s hook.
type ProgressHook = dyn Fn(&WaitProgress) + Send + Sync + 'static;

impl fmt::Debug for WaitPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitPolicy")
            .field("first_pause", &self.first_pause)
            .field("longest_pause", &self.longest_pause)
            .field("deadline", &self.deadline)
            .field("image_build_deadline", &self.image_build_deadline)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

/// Two policies are equal when they poll alike and share the same hook (the
/// same `Arc`, as clones of one policy do) or both have none: closures have
/// no equality of their own.
impl PartialEq for WaitPolicy {
    fn eq(&self, other: &Self) -> bool {
        let same_hook = match (&self.on_progress, &other.on_progress) {
            (None, None) => true,
            (Some(mine), Some(theirs)) => Arc::ptr_eq(mine, theirs),
            _ => false,
        };
        self.first_pause == other.first_pause
            && self.longest_pause == other.longest_pause
            && self.deadline == other.deadline
            && self.image_build_deadline == other.image_build_deadline
            && same_hook
    }
}

impl Eq for WaitPolicy {}

/// One state change seen by a waiter, as given to the hook of
/// [`WaitPolicy::on_progress`]: the first state read, then each state that
/// differs from the one before, the last (reached or ended) included.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitProgress {
    /// What is waited on: `pod`, `sandbox`, `disk`.
    pub resource: &'static str,
    /// The resource's id.
    pub id: String,
    /// The state just read, as the API spells it (`PROVISIONING`), or
    /// `(none yet)` while the server sends none.
    pub state: String,
    /// The state read before it; `None` on the first look.
    pub previous: Option<String>,
    /// Time since the wait began, the calls included.
    pub elapsed: Duration,
}

impl Default for WaitPolicy {
    /// Pauses from 2 s up to 15 s, for at most 20 minutes: GPU pods take
    /// minutes to provision, and polling faster only spends rate limit. A
    /// sandbox's first-use image build may take 50 minutes besides, the
    /// budget the official client gives it.
    fn default() -> Self {
        Self {
            first_pause: Duration::from_secs(2),
            longest_pause: Duration::from_secs(15),
            deadline: Duration::from_secs(20 * 60),
            image_build_deadline: Duration::from_secs(50 * 60),
            on_progress: None,
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

    /// Lets a sandbox that waits for the platform to build its image (the
    /// first use of an image: `PENDING` with a `pending_image_build_id`)
    /// take up to `deadline` for that build. While it builds the wait's own
    /// deadline is held back, counting again from when the build is over.
    #[must_use]
    pub fn image_build_deadline(mut self, deadline: Duration) -> Self {
        self.image_build_deadline = deadline;
        self
    }

    /// Pauses `first` after the first look, doubling up to `longest`.
    #[must_use]
    pub fn pauses(mut self, first: Duration, longest: Duration) -> Self {
        self.first_pause = first;
        self.longest_pause = longest.max(first);
        self
    }

    /// Calls `hook` on each state change while waiting (see [`WaitProgress`]),
    /// to show a person that something is happening. It runs on the waiting
    /// task, between polls, so it should return quickly; a second call
    /// replaces the first hook.
    #[must_use]
    pub fn on_progress(mut self, hook: impl Fn(&WaitProgress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(hook));
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
    /// On its way, held by a build the platform runs first (a sandbox's
    /// first-use image): the time it takes counts against the policy's
    /// image-build deadline, not its deadline.
    Building,
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
    let mut pauses = Pauses::of(policy);
    let mut last_state = None;
    loop {
        let looked = match pauses.give_up {
            Some(end) => tokio::time::timeout_at(end, fetch()).await.ok(),
            None => Some(fetch().await),
        };
        let Some(current) = looked.transpose()? else {
            return Err(timed_out(resource, id, last_state, policy));
        };
        let (state, progress) = judge(&current);
        if last_state.as_ref() != Some(&state) {
            changed(resource, id, policy, &state, last_state.take(), started);
        }
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
            Progress::Building => {
                if !pauses.building() {
                    return Err(build_timed_out(resource, id, state, policy));
                }
            }
        }
        tracing::debug!(resource, id, state = %state, pause_ms = u64::try_from(pauses.next.as_millis()).unwrap_or(u64::MAX), "still waiting");
        last_state = Some(state);
        if !pauses.pause().await {
            return Err(timed_out(resource, id, last_state, policy));
        }
    }
}

/// The pauses of a wait that looks at many resources in each round: the
/// policy's first pause, doubling up to its longest, until its deadline.
pub(crate) struct Pauses {
    next: Duration,
    longest: Duration,
    give_up: Option<Instant>,
    /// The policy's deadline, counted again from the end of a build.
    deadline: Duration,
    image_build_deadline: Duration,
    /// When a build that holds the wait was first seen.
    building_since: Option<Instant>,
}

impl Pauses {
    /// The pauses of `policy`, its deadline counted from now.
    pub(crate) fn of(policy: &WaitPolicy) -> Self {
        Self {
            next: policy.first_pause,
            longest: policy.longest_pause,
            give_up: Instant::now().checked_add(policy.deadline),
            deadline: policy.deadline,
            image_build_deadline: policy.image_build_deadline,
            building_since: None,
        }
    }

    /// Notes that a build the platform runs first holds the wait: the
    /// deadline counts again from now, until the build has taken the
    /// policy's image-build deadline (then `false`: the wait is over).
    pub(crate) fn building(&mut self) -> bool {
        let now = Instant::now();
        let since = *self.building_since.get_or_insert(now);
        if now.saturating_duration_since(since) > self.image_build_deadline {
            return false;
        }
        self.give_up = now.checked_add(self.deadline);
        true
    }

    /// Sleeps before the next round; `false` (at once) when the deadline
    /// would pass first.
    pub(crate) async fn pause(&mut self) -> bool {
        let wake = Instant::now().checked_add(self.next);
        if let (Some(wake), Some(end)) = (wake, self.give_up) {
            if wake >= end {
                return false;
            }
        }
        tokio::time::sleep(self.next).await;
        self.next = self.next.saturating_mul(2).min(self.longest);
        true
    }
}

/// Tells `tracing` and the policy's hook that `resource` `id` moved from
/// `previous` to `state`.
pub(crate) fn changed(
    resource: &'static str,
    id: &str,
    policy: &WaitPolicy,
    state: &str,
    previous: Option<String>,
    started: Instant,
) {
    let elapsed = started.elapsed();
    tracing::info!(
        resource,
        id,
        state,
        previous = previous.as_deref(),
        elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        "state changed"
    );
    if let Some(hook) = &policy.on_progress {
        hook(&WaitProgress {
            resource,
            id: id.to_owned(),
            state: state.to_owned(),
            previous,
            elapsed,
        });
    }
}

/// The error of a wait whose image build passed the policy's image-build
/// deadline.
pub(crate) fn build_timed_out(
    resource: &'static str,
    id: &str,
    state: String,
    policy: &WaitPolicy,
) -> Error {
    Error::WaitTimedOut {
        resource,
        id: id.to_owned(),
        state: Some(format!("{state} (building its image)")),
        after: policy.image_build_deadline,
    }
}

/// The error of a wait that passed the policy's deadline.
pub(crate) fn timed_out(
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

/// Checks that the states a waiter's `ASSUMPTIONS` declare for `operation`
/// are exactly the ones `judge` decides on: each declared "waits for" state
/// is reached, each other declared state ends the wait, and every state of
/// `known` that `judge` decides on is declared. Keeps the drift tools
/// watching what the code really waits for.
#[cfg(test)]
pub(crate) fn assert_declared_states<S: pi_types::WireEnum>(
    assumptions: &[crate::assumptions::Assumption],
    operation: &str,
    known: &[&str],
    judge: impl Fn(&S) -> (String, Progress),
) {
    let declared: Vec<_> = assumptions
        .iter()
        .filter(|a| a.operation == operation)
        .filter_map(|a| a.value.map(|value| (value, a.reason)))
        .collect();
    for (value, reason) in &declared {
        let expected = if reason.contains("waits for") {
            Progress::Reached
        } else {
            Progress::Ended
        };
        assert_eq!(judge(&S::from_wire(value)).1, expected, "{value}");
    }
    let decided = known
        .iter()
        .filter(|state| judge(&S::from_wire(state)).1 != Progress::Pending)
        .count();
    assert_eq!(
        decided,
        declared.len(),
        "a state the waiter decides on is not declared"
    );
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

    #[tokio::test]
    async fn the_hook_hears_each_change_once_with_the_state_before() {
        let states = ["(none yet)", "PENDING", "PENDING", "PROVISIONING", "ACTIVE"];
        let looks = Cell::new(0);
        let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
        let policy = quick().on_progress({
            let heard = Arc::clone(&heard);
            move |change: &WaitProgress| {
                heard.lock().unwrap().push((
                    change.resource,
                    change.id.clone(),
                    change.state.clone(),
                    change.previous.clone(),
                ));
            }
        });
        until(
            "pod",
            "p1",
            &policy,
            || {
                let state = states[looks.get()];
                looks.set(looks.get() + 1);
                async move { Ok::<_, Error>(state) }
            },
            judge,
        )
        .await
        .unwrap();
        let heard = heard.lock().unwrap().clone();
        let step = |state: &str, previous: Option<&str>| {
            (
                "pod",
                "p1".to_owned(),
                state.to_owned(),
                previous.map(str::to_owned),
            )
        };
        assert_eq!(
            heard,
            [
                step("(none yet)", None),
                step("PENDING", Some("(none yet)")),
                step("PROVISIONING", Some("PENDING")),
                step("ACTIVE", Some("PROVISIONING")),
            ]
        );
    }

    #[tokio::test]
    async fn the_hook_hears_the_state_that_ends_the_wait() {
        let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
        let policy = quick().on_progress({
            let heard = Arc::clone(&heard);
            move |change: &WaitProgress| heard.lock().unwrap().push(change.state.clone())
        });
        let ended = until(
            "pod",
            "p1",
            &policy,
            || async { Ok::<_, Error>("ERROR") },
            judge,
        )
        .await;
        assert!(matches!(ended, Err(Error::WaitEnded { .. })));
        assert_eq!(*heard.lock().unwrap(), ["ERROR"]);
    }

    #[test]
    fn a_policy_with_a_hook_stays_clone_debug_and_comparable() {
        let plain = quick();
        let hooked = quick().on_progress(|_| {});
        assert!(
            format!("{plain:?}").contains("on_progress: false"),
            "{plain:?}"
        );
        assert!(
            format!("{hooked:?}").contains("on_progress: true"),
            "{hooked:?}"
        );
        assert_eq!(plain, quick());
        assert_eq!(hooked, hooked.clone());
        assert_ne!(hooked, plain);
        assert_ne!(hooked, quick().on_progress(|_| {}));
    }
}
