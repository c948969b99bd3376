//! The browser login challenge (under `/api/v1/auth_challenge`), through
//! which a client without an API key gets one: start a challenge with an
//! RSA public key, let a signed-in user approve its code in the browser,
//! then ask for its outcome, the new API key encrypted to that public key.
//!
//! Neither call sends the client's API key: the challenge is started with
//! no credential, and its status is asked with the challenge's own
//! `status_auth_token`. A client still needs some key to be built, so one
//! made only for logging in can hold a placeholder.
//!
//! These operations are not in the API's published document: the project
//! describes them in its supplement from what the official `prime` CLI
//! calls, so they may change without notice.
//!
//! # Example
//!
//! ```no_run
//! # async fn run(public_key_pem: String) -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::builder().api_key("not-sent").build()?;
//! let challenge = client.login().start_challenge(public_key_pem).send().await?;
//! println!("approve the code {} in the browser", challenge.challenge);
//! let status = client
//!     .login()
//!     .challenge_status(&challenge.challenge, &challenge.status_auth_token)
//!     .send()
//!     .await?;
//! if status.result.is_some() {
//!     // Base64 of the new key, encrypted to the challenge's public key.
//! }
//! # Ok(())
//! # }
//! ```

pub use crate::generated::login::*;
