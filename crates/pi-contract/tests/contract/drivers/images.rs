//! Drivers for the Images area (`pi_client::Images`).

use pi_client::types::{
    CreateImageBuildOwnerScope, CreateImageBuildPlatform, ImagePatch, ImageRef, ImageScope,
    ImageScopeType, ImageSelector, ImageUpdate, ImageUpdateVisibility, ImageVisibility,
    ImageVisibilityOverride,
};

use super::{Driver, driver};

/// A reference the suite writes by hand, so it always parses.
fn image(reference: &str) -> ImageRef {
    reference
        .parse()
        .unwrap_or_else(|error| panic!("{reference}: {error}"))
}

pub fn drivers() -> Vec<Driver> {
    vec![
        driver!("list_user_images_api_v1_images_get",
            "minimal" => |client| client.images().list().personal().send(),
            "all-inputs" => |client| client.images().list().team("team_1").offset(5).limit(20).send(),
        ),
        driver!("initiate_image_build_api_v1_images_build_post",
            "minimal" => |client| client.images().build_image(&image("myapp:v1")).personal().send(),
            "all-inputs" => |client| client.images().build_image(&image("team-team_1/myapp:v2")).dockerfile_path("docker/Dockerfile.prod").platform(CreateImageBuildPlatform::LinuxArm64).visibility(ImageVisibilityOverride::Public).owner_scope(CreateImageBuildOwnerScope::Platform).source_image("python:3.12-slim").send(),
        ),
        driver!("get_build_status_api_v1_images_build__build_id__get",
            "minimal" => |client| client.images().build_status("build_1").send(),
        ),
        driver!("start_image_build_api_v1_images_build__build_id__start_post",
            "minimal" => |client| client.images().start_build("build_1").send(),
            "all-inputs" => |client| client.images().start_build("build_1").context_uploaded(true).send(),
        ),
        driver!("list_image_builds_api_v1_images_builds_get",
            "minimal" => |client| client.images().builds().send(),
            "all-inputs" => |client| client.images().builds().offset(10).limit(25).send(),
        ),
        driver!("delete_user_image_api_v1_images__image_name___image_tag__delete",
            "minimal" => |client| client.images().delete_image(&image("myapp:v1")).personal().send(),
            "all-inputs" => |client| client.images().delete_image(&image("team-team_1/myapp:v1")).send(),
        ),
        driver!("update_image_visibility_api_v1_images__image_name___image_tag__visibility_patch",
            "minimal" => |client| client.images().set_image_visibility(&image("myapp:v1"), ImageVisibility::Private).personal().send(),
            "all-inputs" => |client| client.images().set_image_visibility(&image("team-team_1/myapp:v1"), ImageVisibility::Public).send(),
        ),
        // Supplement: the bulk update prime-sandboxes 0.5.1 sends for the prime CLI.
        driver!("update_images",
            "minimal" => |client| client.images().update([ImageUpdate::new(ImageSelector::new().with_reference("myapp:v1"), ImagePatch::new().with_visibility(ImageUpdateVisibility::Public))]).send(),
            "all-inputs" => |client| client.images().update([
                ImageUpdate::new(
                    ImageSelector::new().with_owner(ImageScope::new(ImageScopeType::Team).with_team_id("team_1")).with_name("myapp").with_tag("v1"),
                    ImagePatch::new().with_name("app").with_tag("v2").with_owner(ImageScope::new(ImageScopeType::Team).with_team_id("team_2")).with_visibility(ImageUpdateVisibility::Private),
                ),
                ImageUpdate::new(ImageSelector::new().with_reference("prime/acme/base:v3"), ImagePatch::new().with_owner(ImageScope::new(ImageScopeType::Platform))),
            ]).dry_run(true).send(),
        ),
    ]
}
