//! Drivers for the Secrets area (`pi_client::Secrets`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("list_secrets_api_v1_secrets__get",
            "minimal" => |client| client.secrets().list().personal().send(),
            "all-inputs" => |client| client.secrets().list().team("team_1").offset(5).limit(20).send(),
        ),
        driver!("create_secret_api_v1_secrets__post",
            "minimal" => |client| client.secrets().create("API_KEY", "value-1").personal().send(),
            "all-inputs" => |client| client.secrets().create("SSH_CONFIG", "SG9zdCAqCg==").team("team_1").description("deploy key config").is_file(true).send(),
        ),
        driver!("get_secret_api_v1_secrets__secret_id__get",
            "minimal" => |client| client.secrets().get("sec_1").personal().send(),
            "all-inputs" => |client| client.secrets().get("sec_1").team("team_1").send(),
        ),
        driver!("update_secret_api_v1_secrets__secret_id__patch",
            "minimal" => |client| client.secrets().update("sec_1").personal().send(),
            "all-inputs" => |client| client.secrets().update("sec_1").team("team_1").name("RENAMED").value("value-2").description("rotated").send(),
        ),
        driver!("delete_secret_api_v1_secrets__secret_id__delete",
            "minimal" => |client| client.secrets().delete("sec_1").personal().send(),
            "all-inputs" => |client| client.secrets().delete("sec_1").team("team_1").send(),
        ),
    ]
}
