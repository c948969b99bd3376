//! Drivers for the Training area (`pi_client::Training`).

use serde_json::json;

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("create_dedicated_run_api_v1_training_runs_post",
            "minimal" => |client| client.training().create_run(json!({"max_steps": 10})).personal().send(),
            "all-inputs" => |client| client.training().create_run(json!({"model": {"name": "Qwen/Qwen3-4B"}, "max_steps": 100})).team("team_1").name("reverse-text").image_tag("v0.3.0").hf_token("hf_example").wandb_api_key("wandb_example").send(),
        ),
        driver!("delete_dedicated_run_api_v1_training_runs__run_id__delete",
            "minimal" => |client| client.training().delete_run("run_1").send(),
        ),
    ]
}
