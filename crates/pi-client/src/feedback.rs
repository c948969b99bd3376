//! Feedback: send the PI team a bug report, a feature idea or a general
//! remark (the document's `Feedback` tag, under `/api/v1/feedback`). This
//! call acts for no team.
//!
//! # Example
//!
//! ```no_run
//! use pi_client::types::FeedbackCategory;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let thanks = client
//!     .feedback()
//!     .submit(FeedbackCategory::Bug, "the run stalls after step 40")
//!     .run_id("run_123")
//!     .send()
//!     .await?;
//! println!("{}", thanks.message);
//! # Ok(())
//! # }
//! ```

pub use crate::generated::feedback::*;

/// What a feedback names as the client it comes from, unless the caller sets
/// its own with [`FeedbackSubmitRequest::cli_version`].
pub(crate) const CLIENT_VERSION: &str = concat!("pi-client/", env!("CARGO_PKG_VERSION"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_source_fits_the_documented_length() {
        assert!(CLIENT_VERSION.starts_with("pi-client/"));
        assert!((1..=64).contains(&CLIENT_VERSION.chars().count()));
    }
}
