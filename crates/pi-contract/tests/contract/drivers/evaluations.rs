//! Drivers for the Evaluations area (`pi_client::Evaluations`).

use std::collections::BTreeMap;

use pi_client::types::{EnvironmentRef, HostedEvaluationSettings, SecretString};
use serde_json::json;

use super::{Driver, driver};

/// Run settings with every documented field set.
pub fn full_settings() -> HostedEvaluationSettings {
    let secrets = BTreeMap::from([("JUDGE_KEY".to_owned(), SecretString::from("sk_judge"))]);
    HostedEvaluationSettings::new(200, 4)
        .with_allow_instances_access(true)
        .with_allow_sandbox_access(true)
        .with_allow_tunnel_access(false)
        .with_api_base_url("https://inference.example.com/v1")
        .with_api_client_type("openai")
        .with_api_key_var("INFERENCE_KEY")
        .with_custom_secrets(secrets)
        .with_env_args(json!({"difficulty": "hard"}))
        .with_extra_env_kwargs(json!({"seed": 7}))
        .with_headers(vec!["X-Trace: on".to_owned()])
        .with_independent_scoring(true)
        .with_max_concurrent(16)
        .with_max_retries(2)
        .with_sampling_args(json!({"temperature": 0.7}))
        .with_state_columns(vec!["answer".to_owned()])
        .with_timeout_minutes(240)
        .with_verbose(true)
}

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("create_evaluation_api_v1_evaluations__post",
            "minimal" => |client| client.evaluations().create("gsm8k nightly").personal().send(),
            "all-inputs" => |client| client.evaluations().create("gsm8k nightly").team("team_1").description("nightly check").dataset("gsm8k").environments([EnvironmentRef::new("env_1").with_version_id("ver_1"), EnvironmentRef::new("env_2")]).eval_config(full_settings()).framework("verifiers").inference_model("my-org/my-model").is_hosted(true).is_public(true).metadata(json!({"commit": "abc123"})).metrics(json!({"accuracy": 0.81})).model_name("My Model").run_id("run_1").show_on_leaderboard(true).suite_id("suite_1").tags(["nightly", "math"]).task_type("math").send(),
        ),
        driver!("list_evaluations_api_v1_evaluations__get",
            "minimal" => |client| client.evaluations().list().personal().send(),
            "all-inputs" => |client| client.evaluations().list().team("team_1").environment_id("env_1").environment_name("gsm8k").suite_id("suite_1").skip(20).limit(10).send(),
        ),
        driver!("bulk_delete_evaluations_api_v1_evaluations_bulk_delete_post",
            "minimal" => |client| client.evaluations().bulk_delete(["eval_1", "eval_2"]).send(),
        ),
        driver!("get_evaluation_api_v1_evaluations__evaluation_id__get",
            "minimal" => |client| client.evaluations().get("eval_1").send(),
        ),
        driver!("update_evaluation_api_v1_evaluations__evaluation_id__put",
            "minimal" => |client| client.evaluations().update("eval_1").send(),
            "all-inputs" => |client| client.evaluations().update("eval_1").name("gsm8k weekly").description("weekly check").dataset("gsm8k-hard").eval_config(full_settings()).framework("lighteval").inference_model("my-org/my-model-v2").is_public(false).metadata(json!({"commit": "def456"})).metrics(json!({"accuracy": 0.84})).model_name("My Model v2").show_on_leaderboard(false).tags(["weekly"]).task_type("reasoning").send(),
        ),
        driver!("delete_evaluation_api_v1_evaluations__evaluation_id__delete",
            "minimal" => |client| client.evaluations().delete("eval_1").send(),
        ),
        driver!("finalize_evaluation_api_v1_evaluations__evaluation_id__finalize_post",
            "minimal" => |client| client.evaluations().finalize("eval_1").send(),
            "all-inputs" => |client| client.evaluations().finalize("eval_1").metrics(json!({"accuracy": 0.81})).send(),
        ),
        driver!("push_samples_api_v1_evaluations__evaluation_id__samples_post",
            "minimal" => |client| client.evaluations().push_samples("eval_1", vec![json!({"example_id": 0, "reward": 1.0}), json!({"example_id": 1, "reward": 0.0, "answer": "42"})]).send(),
        ),
        driver!("get_samples_api_v1_evaluations__evaluation_id__samples_get",
            "minimal" => |client| client.evaluations().samples("eval_1").send(),
            "all-inputs" => |client| client.evaluations().samples("eval_1").page(3).limit(50).send(),
        ),
    ]
}
