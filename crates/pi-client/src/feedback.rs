//! Feedback: send the PI team a bug report, a feature idea or a general
//! remark (the document's `Feedback` tag, under `/api/v1/feedback`). This
//! call acts for no team.

use pi_types::{FeedbackCategory, FeedbackSubmitted, SubmitFeedback};

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::request::answer::Json;

const SUBMIT: Endpoint = Endpoint::post("/api/v1/feedback");

/// What a feedback names as the client it comes from, unless the caller sets
/// its own with [`SubmitFeedbackBuilder::cli_version`].
const CLIENT_VERSION: &str = concat!("pi-client/", env!("CARGO_PKG_VERSION"));

/// Names the Feedback area in [`Area`]; see [`Feedback`].
#[derive(Debug)]
pub enum FeedbackApi {}

/// A handle on the Feedback area; get one with [`Client::feedback`].
///
/// ```no_run
/// use pi_client::types::FeedbackCategory;
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let thanks = client
///     .feedback()
///     .submit(FeedbackCategory::Bug, "the run stalls after step 40")
///     .run("run_123")
///     .send()
///     .await?;
/// println!("{}", thanks.message);
/// # Ok(())
/// # }
/// ```
pub type Feedback<'c> = Area<'c, FeedbackApi>;

/// A request sending feedback; see [`Feedback::submit`].
pub type SubmitFeedbackBuilder<'c> = BodyRequest<'c, SubmitFeedback, Json<FeedbackSubmitted>>;

impl Client {
    /// The Feedback area.
    pub fn feedback(&self) -> Feedback<'_> {
        Area::new(self)
    }
}

impl<'c> Feedback<'c> {
    /// Starts sending `message` (1 to 2048 characters) as feedback of
    /// `category`. It names this client and its version as its source
    /// (`pi-client/<version>`) unless you set another.
    pub fn submit(
        &self,
        category: FeedbackCategory,
        message: impl Into<String>,
    ) -> SubmitFeedbackBuilder<'c> {
        let body = SubmitFeedback::new(category, message, CLIENT_VERSION);
        self.with_body(&SUBMIT, &[], body)
    }
}

impl SubmitFeedbackBuilder<'_> {
    /// Names the program and version the feedback is about (1 to 64
    /// characters), in place of this client's own.
    pub fn cli_version(self, version: impl Into<String>) -> Self {
        let version = version.into();
        self.map_body(|mut body| {
            body.cli_version = version;
            body
        })
    }

    /// Ties the feedback to a run (an id of at most 128 characters).
    pub fn run(self, run_id: impl Into<String>) -> Self {
        self.map_body(|body| body.with_run_id(run_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_source_fits_the_documented_length() {
        assert!(CLIENT_VERSION.starts_with("pi-client/"));
        assert!((1..=64).contains(&CLIENT_VERSION.chars().count()));
    }
}
