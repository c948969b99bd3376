//! Drivers for the Billing area (`pi_client::Billing`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("get_run_usage_api_v1_billing_runs__run_id__usage_get",
            "minimal" => |client| client.billing().run_usage("run_1").send(),
        ),
        driver!("get_wallet_api_v1_billing_wallet_get",
            "minimal" => |client| client.billing().wallet().personal().send(),
            "all-inputs" => |client| client.billing().wallet().team("team_1").offset(5).limit(50).send(),
        ),
    ]
}
