//! Drivers for the Template area (`pi_client::Template`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("check_docker_image_api_v1_template_check_docker_image_post",
            "minimal" => |client| client.template().check_docker_image("python:3.12-slim").send(),
            "all-inputs" => |client| client.template().check_docker_image("ghcr.io/acme/trainer:v3").registry_credentials_id("cred_1").send(),
        ),
        driver!("list_registry_credentials_api_v1_template_registry_credentials_get",
            "minimal" => |client| client.template().registry_credentials().send(),
        ),
    ]
}
