//! Drivers for the environments hub (`pi_client::Environments`), the
//! supplement's operations under `/api/v1/environmentshub`.

use pi_client::environments::EnvironmentSort;
use pi_client::types::{PackageMetadata, RuntimeHint};

use super::{Driver, driver};

/// Metadata with every field set, as `prime env push` sends it.
fn metadata() -> PackageMetadata {
    PackageMetadata::new()
        .with_description("math word problems")
        .with_tags(vec!["math".to_owned()])
        .with_license(serde_json::json!("MIT"))
        .with_dependencies(vec!["verifiers>=0.2.0".to_owned()])
        .with_python_requires(">=3.10")
        .with_original_filename("math-0.1.0-py3-none-any.whl")
        .with_requires_dist(vec!["verifiers>=0.2.0".to_owned()])
}

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("list_hub_environments",
            "minimal" => |client| client.environments().list().send(),
            "all-inputs" => |client| client.environments().list().include_teams(true).limit(20).offset(40).sort_by(EnvironmentSort::Stars).sort_order("desc").owner("acme").visibility("PUBLIC").search("math").tags(["math", "code"]).starred_only(true).mine_only(false).send(),
        ),
        driver!("resolve_hub_environment",
            "minimal" => |client| client.environments().resolve("math").personal().send(),
            "all-inputs" => |client| client.environments().resolve("math").team("team_1").owner_slug("acme").team_slug("acme-team").visibility("PRIVATE").send(),
        ),
        driver!("lookup_hub_environment",
            "minimal" => |client| client.environments().lookup("env_1").send(),
        ),
        driver!("get_hub_environment_status",
            "minimal" => |client| client.environments().status("acme", "math").send(),
        ),
        driver!("list_hub_environment_versions",
            "minimal" => |client| client.environments().versions("acme", "math").send(),
        ),
        driver!("get_hub_environment_version",
            "minimal" => |client| client.environments().version("acme", "math", "0.1.2").send(),
            "latest" => |client| client.environments().latest("acme", "math").send(),
        ),
        driver!("inspect_hub_environment_version",
            "minimal" => |client| client.environments().inspect("acme", "math", "latest").send(),
            "all-inputs" => |client| client.environments().inspect("acme", "math", "0.1.2").max_bytes(4096).path("src/math.py").send(),
        ),
        driver!("fork_hub_environment",
            "minimal" => |client| client.environments().fork("acme", "math").personal().send(),
            "all-inputs" => |client| client.environments().fork("acme", "math").team("team_1").team_slug("acme-team").send(),
        ),
        driver!("delete_hub_environment",
            "minimal" => |client| client.environments().delete("acme", "math").send(),
        ),
        driver!("delete_hub_environment_version",
            "minimal" => |client| client.environments().delete_version("acme", "math", "3f2a9c1d").send(),
        ),
        driver!("create_hub_environment_wheel",
            "minimal" => |client| client.environments().start_wheel_upload("env_1", "3f2a9c1d", "math-0.1.2-py3-none-any.whl", "9e8d", 2048, PackageMetadata::new()).send(),
            "all-inputs" => |client| client.environments().start_wheel_upload("env_1", "3f2a9c1d", "math-0.1.2-py3-none-any.whl", "9e8d", 2048, metadata()).semantic_version("0.1.2").runtime_hint(RuntimeHint::VerifiersV1).send(),
        ),
        driver!("finalize_hub_environment_wheel",
            "minimal" => |client| client.environments().finish_wheel_upload("env_1", "whl_1").send(),
        ),
        driver!("create_hub_environment_version",
            "minimal" => |client| client.environments().start_version_upload("env_1", "3f2a9c1d", "math-0.1.2-3f2a9c1d.tar.gz", "7c6b", PackageMetadata::new()).send(),
            "all-inputs" => |client| client.environments().start_version_upload("env_1", "3f2a9c1d", "math-0.1.2-3f2a9c1d.tar.gz", "7c6b", metadata()).semantic_version("0.1.2").runtime_hint(RuntimeHint::VerifiersV0).send(),
        ),
        driver!("finalize_hub_environment_version",
            "minimal" => |client| client.environments().finalize_version("env_1", "ver_1").send(),
        ),
        driver!("list_hub_environment_secrets",
            "minimal" => |client| client.environments().secrets("env_1").send(),
        ),
        driver!("create_hub_environment_secret",
            "minimal" => |client| client.environments().create_secret("env_1", "OPENAI_API_KEY", "sk-example").send(),
            "all-inputs" => |client| client.environments().create_secret("env_1", "OPENAI_API_KEY", "sk-example").description("judge model key").send(),
        ),
        driver!("update_hub_environment_secret",
            "minimal" => |client| client.environments().update_secret("env_1", "sec_1").send(),
            "all-inputs" => |client| client.environments().update_secret("env_1", "sec_1").name("JUDGE_KEY").value("sk-rotated").description("rotated").send(),
        ),
        driver!("delete_hub_environment_secret",
            "minimal" => |client| client.environments().delete_secret("env_1", "sec_1").send(),
        ),
        driver!("link_hub_environment_secret",
            "minimal" => |client| client.environments().link_secret("env_1", "gsec_1").send(),
        ),
        driver!("unlink_hub_environment_secret",
            "minimal" => |client| client.environments().unlink_secret("env_1", "gsec_1").send(),
        ),
        driver!("list_hub_environment_variables",
            "minimal" => |client| client.environments().variables("env_1").send(),
        ),
        driver!("create_hub_environment_variable",
            "minimal" => |client| client.environments().create_variable("env_1", "MAX_TURNS", "8").send(),
            "all-inputs" => |client| client.environments().create_variable("env_1", "MAX_TURNS", "8").description("turn limit").send(),
        ),
        driver!("update_hub_environment_variable",
            "minimal" => |client| client.environments().update_variable("env_1", "var_1").send(),
            "all-inputs" => |client| client.environments().update_variable("env_1", "var_1").name("TURNS").value("12").description("raised").send(),
        ),
        driver!("delete_hub_environment_variable",
            "minimal" => |client| client.environments().delete_variable("env_1", "var_1").send(),
        ),
    ]
}
