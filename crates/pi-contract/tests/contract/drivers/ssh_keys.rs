//! Drivers for the SSH keys area (`pi_client::SshKeys`).

use super::{Driver, driver};

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("get_ssh_keys_api_v1_ssh_keys__get",
            "minimal" => |client| client.ssh_keys().list().send(),
            "all-inputs" => |client| client.ssh_keys().list().offset(10).limit(5).send(),
        ),
        driver!("upload_ssh_key_api_v1_ssh_keys__post",
            "minimal" => |client| client.ssh_keys().upload("laptop", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyMaterial me@laptop").send(),
        ),
        driver!("set_primary_key_api_v1_ssh_keys__key_id__patch",
            "minimal" => |client| client.ssh_keys().set_primary("key_1").send(),
        ),
        driver!("delete_ssh_key_api_v1_ssh_keys__key_id__delete",
            "minimal" => |client| client.ssh_keys().delete("key_1").send(),
        ),
    ]
}
