//! Drivers for the Pods area (`pi_client::Pods`).

use pi_client::pods::{HistorySort, SortOrder};
use pi_types::{
    EnvVar, EnvironmentType, GpuSocket, GpuType, PodSpec, Provider, ProviderType, SecurityType,
};

use super::{Driver, driver};

/// The pod part of a create with only its required fields.
fn minimal_spec() -> PodSpec {
    PodSpec::new("cloud_1", GpuType::H100_80gb, 1, GpuSocket::Sxm5)
}

/// The pod part of a create with every documented field set.
fn full_spec() -> PodSpec {
    PodSpec::new("cloud_1", GpuType::A100_80gb, 8, GpuSocket::PcIe)
        .with_auto_restart(true)
        .with_country("US")
        .with_custom_template_id("tpl_1")
        .with_data_center_id("dc_1")
        .with_disk_size(200)
        .with_env_vars(vec![EnvVar::new("WANDB_PROJECT", "demo")])
        .with_image(EnvironmentType::Cuda12_4Pytorch2_5)
        .with_jupyter_password("jupyter-pass")
        .with_max_price(2.5)
        .with_memory(128)
        .with_name("trainer")
        .with_prepaid_for_hr(4.0)
        .with_security(SecurityType::SecureCloud)
        .with_ssh_key_id("key_1")
        .with_vcpus(32)
}

fn provider() -> Provider {
    Provider::new(ProviderType::Runpod)
}

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("get_pods_api_v1_pods__get",
            "minimal" => |client| client.pods().list().send(),
            "all-inputs" => |client| client.pods().list().offset(10).limit(5).send(),
        ),
        driver!("create_pod_api_v1_pods__post",
            "minimal" => |client| client.pods().create(minimal_spec(), provider()).personal().send(),
            "all-inputs" => |client| client.pods().create(full_spec(), provider()).team("team_1").disks(["disk_1"]).shared_with_team(true).team_member_ids(["user_2"]).send(),
        ),
        driver!("get_pod_api_v1_pods__pod_id__get",
            "minimal" => |client| client.pods().get("pod_1").send(),
        ),
        driver!("delete_pod_api_v1_pods__pod_id__delete",
            "minimal" => |client| client.pods().delete("pod_1").send(),
        ),
        driver!("get_pods_status_api_v1_pods_status_get",
            "minimal" => |client| client.pods().status(Vec::<String>::new()).send(),
            "all-inputs" => |client| client.pods().status(["pod_1", "pod_2"]).send(),
        ),
        driver!("get_pods_history_api_v1_pods_history_get",
            "minimal" => |client| client.pods().history().send(),
            "all-inputs" => |client| client.pods().history().sort_by(HistorySort::CreatedAt).sort_order(SortOrder::Asc).offset(20).limit(10).send(),
        ),
        driver!("get_pod_logs_api_api_v1_pods__pod_id__log_get",
            "minimal" => |client| client.pods().logs("pod_1").send(),
            "all-inputs" => |client| client.pods().logs("pod_1").tail(100).send(),
        ),
    ]
}
