//! Images: build Docker images into the PI registry, follow their builds,
//! list, delete and publish them (the document's `Images` tag, under
//! `/api/v1/images`).
//!
//! An image is named by an [`ImageRef`] (`myapp:v1`, or
//! `team-abc123/myapp:v1` for a team's image). The team a reference names
//! is the one the call acts for, whatever the handle's team; a reference
//! without one acts for the handle's team.
//!
//! # Example
//!
//! ```no_run
//! use pi_client::types::{ExposeSecret, ImageRef, ImageVisibility};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = pi_client::Client::from_env()?;
//! let image: ImageRef = "team-abc123/myapp:v1".parse()?;
//! let build = client.images().build(&image).dockerfile_path("docker/Dockerfile").send().await?;
//! let upload_url: &str = build.upload_url.expose_secret();
//! // PUT the context's .tar.gz to `upload_url` with any HTTP client, then:
//! let started = client.images().start_build(&build.build_id).send().await?;
//! println!("{}: {}", started.id, started.status);
//! client.images().set_visibility(&image, ImageVisibility::Public).await?;
//! client.images().delete(&image).await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::images::*;



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
