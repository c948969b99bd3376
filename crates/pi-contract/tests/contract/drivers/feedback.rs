//! Drivers for the Feedback area (`pi_client::Feedback`).

use pi_client::types::FeedbackCategory;

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![driver!("submit_feedback_api_v1_feedback_post",
        "minimal" => |client| client.feedback().submit(FeedbackCategory::General, "works well").send(),
        "all-inputs" => |client| client.feedback().submit(FeedbackCategory::Bug, "the run stalls after step 40").cli_version("prime 0.4.2").run_id("run_1").send(),
    )]
}
