//! Drivers for the Tunnels area (`pi_client::Tunnels`).

use pi_client::tunnels::SortOrder;

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("create_tunnel_endpoint_api_v1_tunnel_post",
            "minimal" => |client| client.tunnels().create().personal().send(),
            "all-inputs" => |client| client.tunnels().create().team("team_1").local_port(8080).name("demo").send(),
        ),
        driver!("list_tunnels_endpoint_api_v1_tunnel_get",
            "minimal" => |client| client.tunnels().list().personal().send(),
            "all-inputs" => |client| client.tunnels().list().team("team_1").labels(["ci"]).status("connected").page(2).per_page(25).sort_by("createdAt").sort_order(SortOrder::Asc).send(),
        ),
        driver!("bulk_delete_tunnels_endpoint_api_v1_tunnel_delete",
            "minimal" => |client| client.tunnels().bulk_delete(["tun_1", "tun_2"]).send(),
        ),
        driver!("get_tunnel_status_endpoint_api_v1_tunnel__tunnel_id__get",
            "minimal" => |client| client.tunnels().get("tun_1").send(),
        ),
        driver!("delete_tunnel_endpoint_api_v1_tunnel__tunnel_id__delete",
            "minimal" => |client| client.tunnels().delete("tun_1").send(),
        ),
    ]
}
