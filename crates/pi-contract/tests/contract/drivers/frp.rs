//! Drivers for the FRP plugin area (`pi_client::Frp`).

use serde_json::json;

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![driver!("validate_frp_plugin_api_v1_frp_validate_post",
        "minimal" => |client| client.frp().validate("NewProxy", "0.1.0", json!({"proxy_name": "tunnel_1", "proxy_type": "http"})).send(),
    )]
}
