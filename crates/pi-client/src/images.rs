//! Images: build Docker images into the PI registry, follow their builds,
//! list, delete and publish them (the document's `Images` tag, under
//! `/api/v1/images`). [`Images::update`] moves, renames or publishes many
//! images in one request; it comes from the project's supplement (the
//! published document lacks it), so the API may change it without notice.
//!
//! The calls take an image's name and tag. An [`ImageRef`] (`myapp:v1`, or
//! `team-abc123/myapp:v1` for a team's image) checks a reference once; the
//! `*_image` methods take one and act for the team it names, if it names
//! one (else for the client's default team, or what `.team()` sets).
//!
//! # Example
//!
//! ```no_run
//! use pi_client::types::{ExposeSecret, ImageRef, ImageVisibility};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = pi_client::Client::from_env()?;
//! let image: ImageRef = "team-abc123/myapp:v1".parse()?;
//! let build = client.images().build_image(&image).dockerfile_path("docker/Dockerfile").send().await?;
//! let upload_url: &str = build.upload_url.expose_secret();
//! // PUT the context's .tar.gz to `upload_url` with any HTTP client, then:
//! let started = client.images().start_build(&build.build_id).send().await?;
//! println!("{}: {}", started.id, started.status);
//! client.images().set_image_visibility(&image, ImageVisibility::Public).send().await?;
//! client.images().delete_image(&image).send().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Many images at once
//!
//! ```no_run
//! use pi_client::types::{ImagePatch, ImageSelector, ImageUpdate, ImageUpdateVisibility};
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let public = || ImagePatch::new().with_visibility(ImageUpdateVisibility::Public);
//! let updates = ["myapp:v1", "myapp:v2"]
//!     .map(|reference| ImageUpdate::new(ImageSelector::new().with_reference(reference), public()));
//! let outcome = client.images().update(updates).dry_run(true).send().await?;
//! for result in outcome.results.unwrap_or_default() {
//!     println!("{:?}: {}", result.source.reference, result.success);
//! }
//! # Ok(())
//! # }
//! ```

pub use crate::generated::images::*;

use pi_types::{ImageRef, ImageVisibility};

impl<'c> Images<'c> {
    /// [`build`](Self::build) for the image `image` names, for its team.
    pub fn build_image(&self, image: &ImageRef) -> ImagesBuildRequest<'c> {
        for_team_of(
            image,
            self.build(image.name(), image.tag()),
            ImagesBuildRequest::team,
        )
    }

    /// [`delete`](Self::delete) for the image `image` names, for its team.
    pub fn delete_image(&self, image: &ImageRef) -> ImagesDeleteRequest<'c> {
        for_team_of(
            image,
            self.delete(image.name(), image.tag()),
            ImagesDeleteRequest::team,
        )
    }

    /// [`set_visibility`](Self::set_visibility) for the image `image`
    /// names, for its team.
    pub fn set_image_visibility(
        &self,
        image: &ImageRef,
        visibility: ImageVisibility,
    ) -> ImagesSetVisibilityRequest<'c> {
        let request = self.set_visibility(image.name(), image.tag(), visibility);
        for_team_of(image, request, ImagesSetVisibilityRequest::team)
    }
}

/// `request`, acting for the team `image` names when it names one.
fn for_team_of<R>(image: &ImageRef, request: R, team: fn(R, String) -> R) -> R {
    match image.team_id() {
        Some(team_id) => team(request, team_id.to_owned()),
        None => request,
    }
}
