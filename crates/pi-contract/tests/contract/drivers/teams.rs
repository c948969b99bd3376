//! Drivers for the Teams area (`pi_client::Teams`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("list_team_members_api_v1_teams__team_id__members_get",
            "minimal" => |client| client.teams().members("team_1").send(),
            "all-inputs" => |client| client.teams().members("team_1").offset(20).limit(10).send(),
        ),
    ]
}
