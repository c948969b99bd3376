//! Images: build Docker images into the PI registry, follow their builds,
//! list, delete and publish them (the document's `Images` tag, under
//! `/api/v1/images`).
//!
//! An image is named by an [`ImageRef`] (`myapp:v1`, or
//! `team-abc123/myapp:v1` for a team's image). The team a reference names
//! is the one the call acts for, whatever the handle's team; a reference
//! without one acts for the handle's team.

use pi_types::{
    CreateImageBuild, CreateImageBuildPlatform, Image, ImageBuild, ImageBuildCreated, ImageDeleted,
    ImageRef, ImageVisibility, ImageVisibilityOverride, ImageVisibilityUpdated, StartImageBuild,
    UpdateImageVisibility,
};

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::page::ListRequest;
use crate::request::answer::Json;

const LIST: Endpoint = Endpoint::get("/api/v1/images").team_in_query("teamId");
const BUILD: Endpoint = Endpoint::post("/api/v1/images/build").team_in_body("teamId");
const BUILD_STATUS: Endpoint = Endpoint::get("/api/v1/images/build/{build_id}");
const START_BUILD: Endpoint = Endpoint::post("/api/v1/images/build/{build_id}/start");
const BUILDS: Endpoint = Endpoint::get("/api/v1/images/builds");
const DELETE: Endpoint =
    Endpoint::delete("/api/v1/images/{image_name}/{image_tag}").team_in_query("teamId");
const SET_VISIBILITY: Endpoint =
    Endpoint::patch("/api/v1/images/{image_name}/{image_tag}/visibility").team_in_body("teamId");

/// Names the Images area in [`Area`]; see [`Images`].
#[derive(Debug)]
pub enum ImagesApi {}

/// A handle on the Images area; get one with [`Client::images`].
///
/// A build takes three steps: [`Images::build`] answers a signed upload
/// URL, you upload the build context (a `.tar.gz` of the directory) there
/// with any HTTP client, then [`Images::start_build`] starts it;
/// [`Images::build_status`] follows it.
///
/// ```no_run
/// use pi_client::types::{ExposeSecret, ImageRef, ImageVisibility};
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = pi_client::Client::from_env()?;
/// let image: ImageRef = "team-abc123/myapp:v1".parse()?;
/// let build = client.images().build(&image).dockerfile_path("docker/Dockerfile").send().await?;
/// let upload_url: &str = build.upload_url.expose_secret();
/// // PUT the context's .tar.gz to `upload_url` with any HTTP client, then:
/// let started = client.images().start_build(&build.build_id).send().await?;
/// println!("{}: {}", started.id, started.status);
/// client.images().set_visibility(&image, ImageVisibility::Public).await?;
/// client.images().delete(&image).await?;
/// # Ok(())
/// # }
/// ```
pub type Images<'c> = Area<'c, ImagesApi>;

/// A request listing the images you can use; see [`Images::list`].
pub type ListImages<'c> = ListRequest<'c, Image>;

/// A request listing your image builds; see [`Images::builds`].
pub type ListImageBuilds<'c> = ListRequest<'c, ImageBuild>;

/// A request opening an image build; see [`Images::build`].
pub type CreateImageBuildBuilder<'c> = BodyRequest<'c, CreateImageBuild, Json<ImageBuildCreated>>;

/// A request starting a build whose context is uploaded; see [`Images::start_build`].
pub type StartImageBuildBuilder<'c> = BodyRequest<'c, StartImageBuild, Json<ImageBuild>>;

impl Client {
    /// The Images area, acting for the client's default team.
    pub fn images(&self) -> Images<'_> {
        Area::new(self)
    }
}

impl<'c> Images<'c> {
    /// Lists the images of the handle's team (your own without one); send
    /// for one page, or stream them all.
    pub fn list(&self) -> ListImages<'c> {
        self.list_of(&LIST)
    }

    /// Starts opening a build of `image`. The answer holds the build's id
    /// and the signed URL to upload the build context to, which stays out
    /// of `Debug` output.
    pub fn build(&self, image: &ImageRef) -> CreateImageBuildBuilder<'c> {
        let mut body = CreateImageBuild::new(image.name(), image.tag());
        if let Some(team_id) = image.team_id() {
            body = body.with_team_id(team_id);
        }
        self.with_body(&BUILD, &[], body)
    }

    /// Fetches one build: its status, timings and artifacts.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn build_status(&self, build_id: &str) -> Result<ImageBuild, Error> {
        self.call::<Json<ImageBuild>>(&BUILD_STATUS, &[("build_id", build_id)])
            .await
    }

    /// Starts building once the context is uploaded; the answer is the build.
    pub fn start_build(&self, build_id: &str) -> StartImageBuildBuilder<'c> {
        let ids = [("build_id", build_id)];
        self.with_body(&START_BUILD, &ids, StartImageBuild::new())
    }

    /// Lists your image builds; send for one page, or stream them all.
    pub fn builds(&self) -> ListImageBuilds<'c> {
        self.list_of(&BUILDS)
    }

    /// Deletes `image` from the registry.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown image, [`Error::Forbidden`] for a
    /// team's image you may not delete, and any error of the request path.
    pub async fn delete(&self, image: &ImageRef) -> Result<ImageDeleted, Error> {
        let ids = [("image_name", image.name()), ("image_tag", image.tag())];
        self.for_image(image)
            .call::<Json<ImageDeleted>>(&DELETE, &ids)
            .await
    }

    /// Makes `image` private or public; the answer lists the images changed.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown image, and any error of the request path.
    pub async fn set_visibility(
        &self,
        image: &ImageRef,
        visibility: ImageVisibility,
    ) -> Result<ImageVisibilityUpdated, Error> {
        let ids = [("image_name", image.name()), ("image_tag", image.tag())];
        let mut body = UpdateImageVisibility::new(visibility);
        if let Some(team_id) = image.team_id() {
            body = body.with_team_id(team_id);
        }
        self.with_body::<_, Json<ImageVisibilityUpdated>>(&SET_VISIBILITY, &ids, body)
            .send()
            .await
    }

    /// This handle, acting for the team `image` names, if it names one.
    fn for_image(&self, image: &ImageRef) -> Self {
        match image.team_id() {
            Some(team_id) => self.clone().team(team_id),
            None => self.clone(),
        }
    }
}

impl CreateImageBuildBuilder<'_> {
    /// The Dockerfile's path inside the build context (the server's default
    /// is `Dockerfile`).
    pub fn dockerfile_path(self, path: impl Into<String>) -> Self {
        self.map_body(|body| body.with_dockerfile_path(path))
    }

    /// The platform to build for (the server's default is `linux/amd64`).
    pub fn platform(self, platform: CreateImageBuildPlatform) -> Self {
        self.map_body(|body| body.with_platform(platform))
    }

    /// Whether the image is private or public once built (the server's
    /// default keeps the setting the image name already has).
    pub fn visibility(self, visibility: ImageVisibilityOverride) -> Self {
        self.map_body(|body| body.with_visibility(visibility))
    }
}

impl StartImageBuildBuilder<'_> {
    /// Says whether the build context was uploaded (the server assumes it was).
    pub fn context_uploaded(self, uploaded: bool) -> Self {
        self.map_body(|body| body.with_context_uploaded(uploaded))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_image_name_with_a_slash_stays_one_path_segment() {
        // An `ImageRef` never holds a `/` in its name; the endpoints must
        // keep one segment per part all the same.
        let ids = [("image_name", "team-x/app"), ("image_tag", "v1/../v2")];
        assert_eq!(
            DELETE.path_with(&ids).unwrap(),
            "/api/v1/images/team-x%2Fapp/v1%2F..%2Fv2"
        );
        assert_eq!(
            SET_VISIBILITY.path_with(&ids).unwrap(),
            "/api/v1/images/team-x%2Fapp/v1%2F..%2Fv2/visibility"
        );
    }
}
