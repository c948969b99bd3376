//! Drivers for the Availability area (`pi_client::Availability`).

use pi_types::{GpuSocket, GpuType, Region, SecurityType};

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("get_legacygpu_availability_api_v1_availability__get",
            "minimal" => |client| client.availability().gpus_by_type().send(),
            "all-inputs" => |client| client.availability().gpus_by_type().page(2).page_size(500).regions([Region::UnitedStates, Region::EuWest]).gpu_count(8).gpu_type(GpuType::H100_80gb).socket(GpuSocket::Sxm5).security(SecurityType::SecureCloud).data_center_id("dc_1").cloud_id("cloud_1").disks(["disk_1", "disk_2"]).send(),
        ),
        driver!("get_gpu_availability_api_v1_availability_gpus_get",
            "minimal" => |client| client.availability().gpus().send(),
            "all-inputs" => |client| client.availability().gpus().page(3).page_size(100).regions([Region::Canada, Region::AsiaSouth]).gpu_count(1).gpu_type(GpuType::A100_80gb).socket(GpuSocket::PcIe).security(SecurityType::CommunityCloud).data_center_id("dc_2").cloud_id("cloud_2").disks(["disk_3"]).send(),
        ),
        driver!("get_legacy_cluster_availability_api_v1_availability_clusters_get",
            "minimal" => |client| client.availability().clusters_by_type().send(),
            "all-inputs" => |client| client.availability().clusters_by_type().page(1).page_size(1).regions([Region::EuNorth]).gpu_count(16).gpu_type(GpuType::H200_141gb).socket(GpuSocket::Sxm5).security(SecurityType::SecureCloud).data_center_id("dc_3").cloud_id("cloud_3").disks(["disk_4", "disk_5"]).send(),
        ),
        driver!("get_multinode_availability_api_v1_availability_multi_node_get",
            "minimal" => |client| client.availability().multi_node().send(),
            "all-inputs" => |client| client.availability().multi_node().page(2).page_size(25).regions([Region::UnitedStates, Region::MiddleEast]).gpu_count(8).gpu_type(GpuType::H100_80gb).socket(GpuSocket::Sxm5).security(SecurityType::SecureCloud).data_center_id("dc_4").cloud_id("cloud_4").disks(["disk_6"]).send(),
        ),
        driver!("get_disks_availability_api_v1_availability_disks_get",
            "minimal" => |client| client.availability().disks().send(),
            "all-inputs" => |client| client.availability().disks().page(4).page_size(100).regions([Region::Australia, Region::SouthAmerica]).data_center_id("dc_5").cloud_id("cloud_5").send(),
        ),
        driver!("get_gpu_summary_api_v1_availability_gpu_summary_get",
            "minimal" => |client| client.availability().gpu_summary().send(),
        ),
        driver!("get_multinode_summary_api_v1_availability_multi_node_summary_get",
            "minimal" => |client| client.availability().multi_node_summary().send(),
        ),
    ]
}
