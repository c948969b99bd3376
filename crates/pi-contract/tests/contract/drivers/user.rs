//! Drivers for the User area (`pi_client::User`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("get_whoami_api_v1_user_whoami_get",
            "minimal" => |client| client.user().whoami().send(),
        ),
        driver!("set_username_slug_api_v1_user_slug_patch",
            "minimal" => |client| client.user().set_slug("ada-lovelace").send(),
        ),
        driver!("list_my_teams_api_v1_user_teams_get",
            "minimal" => |client| client.user().teams().send(),
            "all-inputs" => |client| client.user().teams().offset(10).limit(5).send(),
        ),
    ]
}
