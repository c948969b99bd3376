//! Drivers for the Secrets area (`pi_client::Secrets`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("list_secrets_api_v1_secrets__get",
            "minimal" => |client| client.secrets().personal().list().send(),
            "all-inputs" => |client| client.secrets().team("team_1").list().offset(5).limit(20).send(),
        ),
        driver!("create_secret_api_v1_secrets__post",
            "minimal" => |client| client.secrets().personal().create("API_KEY", "value-1").send(),
            "all-inputs" => |client| client.secrets().team("team_1").create("SSH_CONFIG", "SG9zdCAqCg==").description("deploy key config").file(true).send(),
        ),
        driver!("get_secret_api_v1_secrets__secret_id__get",
            "minimal" => |client| client.secrets().personal().get("sec_1"),
            "all-inputs" => |client| client.secrets().team("team_1").get("sec_1"),
        ),
        driver!("update_secret_api_v1_secrets__secret_id__patch",
            "minimal" => |client| client.secrets().personal().update("sec_1").send(),
            "all-inputs" => |client| client.secrets().team("team_1").update("sec_1").name("RENAMED").value("value-2").description("rotated").send(),
        ),
        driver!("delete_secret_api_v1_secrets__secret_id__delete",
            "minimal" => |client| client.secrets().personal().delete("sec_1"),
            "all-inputs" => |client| client.secrets().team("team_1").delete("sec_1"),
        ),
    ]
}
