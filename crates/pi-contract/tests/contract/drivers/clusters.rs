//! Drivers for the clusters area (`pi_client::Clusters`), described by the
//! supplement from the `prime` CLI.

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("get_factory_status",
            "minimal" => |client| client.clusters().factory_status("team_1").send(),
        ),
        driver!("list_factory_workloads",
            "minimal" => |client| client.clusters().workloads("team_1").send(),
            "all-inputs" => |client| client.clusters().workloads("team_1").workload_type("slurm").state("running").since("2026-10-01T00:00:00+00:00").limit(50).send(),
        ),
        driver!("list_factory_nodes",
            "minimal" => |client| client.clusters().nodes("team_1").send(),
        ),
        driver!("list_slurm_clusters",
            "minimal" => |client| client.clusters().slurm_clusters("team_1").send(),
        ),
        driver!("list_slurm_members",
            "minimal" => |client| client.clusters().slurm_members("team_1", "job_1").send(),
        ),
        driver!("add_slurm_member",
            "minimal" => |client| client.clusters().add_slurm_member("team_1", "job_1", "ada", ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ada@laptop"]).send(),
            "all-inputs" => |client| client.clusters().add_slurm_member("team_1", "job_1", "grace", ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne grace@a", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQTwo grace@b"]).linked_user_id("user_1").send(),
        ),
        driver!("remove_slurm_member",
            "minimal" => |client| client.clusters().remove_slurm_member("team_1", "job_1", "ada").send(),
        ),
        driver!("resize_slurm_cluster",
            "minimal" => |client| client.clusters().resize_slurm_cluster("team_1", "job_1", 4).send(),
        ),
    ]
}
