//! Drivers for the Sandboxes area (`pi_client::Sandboxes`).

use pi_client::types::{GpuType, SandboxStatus};
use serde_json::json;

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("create_sandbox_endpoint_api_v1_sandbox_post",
            "minimal" => |client| client.sandboxes().create("scratch", "python:3.12-slim").personal().send(),
            "all-inputs" => |client| client.sandboxes().create("trainer", "nvcr.io/nvidia/pytorch:24.05-py3").team("team_1").cpu_cores(8.0).memory_gb(32.0).disk_size_gb(200.0).gpu_count(1).gpu_type(GpuType::H100_80gb).start_command("python train.py").env("EPOCHS", "3").secret("HF_TOKEN", "hf_example").labels(["ci", "gpu"]).timeout_minutes(120).network_access(false).guaranteed(true).vm(true).region("us-east").registry_credentials_id("cred_1").advanced_configs(json!({"shm_size_gb": 8})).idempotency_key("create-trainer-1").send(),
        ),
        driver!("list_sandboxes_api_v1_sandbox_get",
            "minimal" => |client| client.sandboxes().list().personal().send(),
            "all-inputs" => |client| client.sandboxes().list().team("team_1").user_id("user_1").status(SandboxStatus::Running).is_active(true).labels(["ci", "gpu"]).page(2).per_page(25).send(),
        ),
        driver!("bulk_delete_sandboxes_endpoint_api_v1_sandbox_delete",
            "minimal" => |client| client.sandboxes().bulk_delete().personal().sandbox_ids(["sb_1"]).send(),
            "all-inputs" => |client| client.sandboxes().bulk_delete().team("team_1").sandbox_ids(["sb_1", "sb_2"]).labels(["ci"]).user_id("user_1").all_users(true).send(),
        ),
        driver!("get_sandbox_endpoint_api_v1_sandbox__sandbox_id__get",
            "minimal" => |client| client.sandboxes().get("sb_1").send(),
        ),
        driver!("delete_sandbox_endpoint_api_v1_sandbox__sandbox_id__delete",
            "minimal" => |client| client.sandboxes().delete("sb_1").send(),
        ),
        driver!("get_sandbox_auth_token_api_v1_sandbox__sandbox_id__auth_post",
            "minimal" => |client| client.sandboxes().auth("sb_1").send(),
        ),
        driver!("get_sandbox_error_context_endpoint_api_v1_sandbox__sandbox_id__error_context_get",
            "minimal" => |client| client.sandboxes().error_context("sb_1").send(),
        ),
        driver!("expose_port_endpoint_api_v1_sandbox__sandbox_id__expose_post",
            "minimal" => |client| client.sandboxes().expose_port("sb_1", 8000).send(),
            "all-inputs" => |client| client.sandboxes().expose_port("sb_1", 8888).name("jupyter").protocol("TCP").send(),
        ),
        driver!("list_exposed_ports_endpoint_api_v1_sandbox__sandbox_id__expose_get",
            "minimal" => |client| client.sandboxes().exposed_ports("sb_1").send(),
        ),
        driver!("list_all_exposed_ports_endpoint_api_v1_sandbox_expose_all_get",
            "minimal" => |client| client.sandboxes().all_exposed_ports().send(),
        ),
        driver!("unexpose_port_endpoint_api_v1_sandbox__sandbox_id__expose__exposure_id__delete",
            "minimal" => |client| client.sandboxes().unexpose_port("sb_1", "exp_1").send(),
        ),
        driver!("get_sandbox_logs_endpoint_api_v1_sandbox__sandbox_id__logs_get",
            "minimal" => |client| client.sandboxes().logs("sb_1").send(),
        ),
        driver!("create_ssh_session_endpoint_api_v1_sandbox__sandbox_id__ssh_session_post",
            "minimal" => |client| client.sandboxes().open_ssh_session("sb_1").send(),
            "all-inputs" => |client| client.sandboxes().open_ssh_session("sb_1").ttl_seconds(900).send(),
        ),
        driver!("close_ssh_session_endpoint_api_v1_sandbox__sandbox_id__ssh_session__session_id__delete",
            "minimal" => |client| client.sandboxes().close_ssh_session("sb_1", "ssh_1").send(),
        ),
    ]
}
