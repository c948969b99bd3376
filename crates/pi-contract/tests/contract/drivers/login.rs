//! Drivers for the login area (`pi_client::Login`), described by the
//! supplement from the `prime` CLI.

use pi_client::types::{ApiKeyLimits, SecretString};

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("generate_auth_challenge",
            "minimal" => |client| client.login().start_challenge("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n").send(),
            "all-inputs" => |client| client.login().start_challenge("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n").limits(ApiKeyLimits::new().with_max_concurrent_sandboxes(4).with_max_sandbox_creations_per_hour(20).with_max_sandbox_cpu_cores(32).with_max_sandbox_gpu_count(0).with_max_concurrent_tunnels(2).with_max_tunnel_creations_per_hour(10).with_max_tunnel_ttl_hours(24)).send(),
        ),
        driver!("get_auth_challenge_status",
            "minimal" => |client| client.login().challenge_status("ABCD-1234", &SecretString::from("status-token")).send(),
        ),
    ]
}
