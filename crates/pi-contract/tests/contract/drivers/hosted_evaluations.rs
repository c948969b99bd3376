//! Drivers for the Hosted evaluations area (`pi_client::HostedEvaluations`).

use pi_client::types::HostedEvaluationSettings;

use super::evaluations::full_settings;
use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("create_hosted_evaluation_api_v1_hosted_evaluations_post",
            "minimal" => |client| client.hosted_evaluations().create("my-org/my-model", ["env_1"], HostedEvaluationSettings::new(10, 1)).personal().send(),
            "all-inputs" => |client| client.hosted_evaluations().create("my-org/my-model", ["env_1", "env_2"], full_settings()).team("team_1").name("gsm8k, 200 examples").send(),
        ),
        driver!("get_inference_models_api_v1_hosted_evaluations_models_get",
            "minimal" => |client| client.hosted_evaluations().models().send(),
        ),
        driver!("cancel_hosted_evaluation_route_api_v1_hosted_evaluations__evaluation_id__cancel_patch",
            "minimal" => |client| client.hosted_evaluations().cancel("eval_1").send(),
        ),
        driver!("get_hosted_evaluation_logs_route_api_v1_hosted_evaluations__evaluation_id__logs_get",
            "minimal" => |client| client.hosted_evaluations().logs("eval_1").send(),
        ),
    ]
}
