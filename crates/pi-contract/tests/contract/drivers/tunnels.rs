//! Drivers for the Tunnels area (`pi_client::Tunnels`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("create_tunnel_endpoint_api_v1_tunnel_post",
            "minimal" => |client| client.tunnels().personal().create().send(),
            "all-inputs" => |client| client.tunnels().team("team_1").create().local_port(8080).name("demo").send(),
        ),
        driver!("list_tunnels_endpoint_api_v1_tunnel_get",
            "minimal" => |client| client.tunnels().personal().list(),
            "all-inputs" => |client| client.tunnels().team("team_1").list(),
        ),
        driver!("bulk_delete_tunnels_endpoint_api_v1_tunnel_delete",
            "minimal" => |client| client.tunnels().bulk_delete(["tun_1", "tun_2"]),
        ),
        driver!("get_tunnel_status_endpoint_api_v1_tunnel__tunnel_id__get",
            "minimal" => |client| client.tunnels().get("tun_1"),
        ),
        driver!("delete_tunnel_endpoint_api_v1_tunnel__tunnel_id__delete",
            "minimal" => |client| client.tunnels().delete("tun_1"),
        ),
    ]
}
