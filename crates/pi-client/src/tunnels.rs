//! Tunnels: public URLs that forward to a port on your own machine through
//! the platform's FRP servers (the document's `Tunnel` tag, under
//! `/api/v1/tunnel`).
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), pi_client::Error> {
//! let client = pi_client::Client::from_env()?;
//! let tunnel = client.tunnels().create().local_port(8080).name("demo").send().await?;
//! println!("{} -> localhost:8080 via {}", tunnel.url, tunnel.server_host);
//! let state = client.tunnels().get(&tunnel.tunnel_id).send().await?;
//! println!("{}", state.status);
//! client.tunnels().delete(&tunnel.tunnel_id).send().await?;
//! # Ok(())
//! # }
//! ```

pub use crate::generated::tunnels::*;
