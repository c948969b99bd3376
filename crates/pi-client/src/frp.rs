//! FRP plugin: the hook through which the platform's FRP servers ask the API
//! whether a tunnel operation (a login, a new proxy…) may go ahead (the
//! document's `FRP Plugin` tag, under `/api/v1/frp`). It is meant for FRP
//! servers and their tests; a tunnel's owner uses [`Tunnels`](crate::Tunnels).
//!
//! # Example
//!
//! ```no_run
//! use serde_json::json;
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let decision = client
//!     .frp()
//!     .validate("NewProxy", "0.1.0", json!({"proxy_name": "tunnel_1", "proxy_type": "http"}))
//!     .send()
//!     .await?;
//! if decision.reject == Some(true) {
//!     println!("refused: {:?}", decision.reject_reason);
//! }
//! # Ok(())
//! # }
//! ```

pub use crate::generated::frp::*;
