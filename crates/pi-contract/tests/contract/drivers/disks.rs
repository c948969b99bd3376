//! Drivers for the Disks area (`pi_client::Disks`).

use pi_types::{DiskSpec, Provider, ProviderType};

use super::{Driver, driver};

/// The disk part of a create with every documented field set.
fn full_spec() -> DiskSpec {
    DiskSpec::new(500)
        .with_cloud_id("cloud_1")
        .with_country("US")
        .with_data_center_id("dc_1")
        .with_name("datasets")
}

fn provider() -> Provider {
    Provider::new(ProviderType::Runpod)
}

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("list_disks_api_v1_disks__get",
            "minimal" => |client| client.disks().list().send(),
            "all-inputs" => |client| client.disks().list().offset(10).limit(5).send(),
        ),
        driver!("create_disk_api_v1_disks__post",
            "minimal" => |client| client.disks().create(DiskSpec::new(100), provider()).personal().send(),
            "all-inputs" => |client| client.disks().create(full_spec(), provider()).team("team_1").send(),
        ),
        driver!("get_disk_api_v1_disks__disk_id__get",
            "minimal" => |client| client.disks().get("disk_1").send(),
        ),
        driver!("update_disk_api_v1_disks__disk_id__patch",
            "minimal" => |client| client.disks().update("disk_1", "datasets-v2").send(),
        ),
        driver!("delete_disk_api_v1_disks__disk_id__delete",
            "minimal" => |client| client.disks().delete("disk_1").send(),
        ),
    ]
}
