//! Tunnels: public URLs that forward to a port on your own machine through
//! the platform's FRP servers (the document's `Tunnel` tag, under
//! `/api/v1/tunnel`).

use pi_types::{
    BulkDeleteTunnels, CreateTunnel, Tunnel, TunnelCreated, TunnelDeleted, TunnelList,
    TunnelsBulkDeleted,
};

use crate::call::{Area, BodyRequest};
use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::request::answer::Json;

const LIST: Endpoint = Endpoint::get("/api/v1/tunnel").team_in_query("teamId");
const CREATE: Endpoint = Endpoint::post("/api/v1/tunnel").team_in_body("teamId");
const BULK_DELETE: Endpoint = Endpoint::delete("/api/v1/tunnel");
const GET: Endpoint = Endpoint::get("/api/v1/tunnel/{tunnel_id}");
const DELETE: Endpoint = Endpoint::delete("/api/v1/tunnel/{tunnel_id}");

/// Names the Tunnels area in [`Area`]; see [`Tunnels`].
#[derive(Debug)]
pub enum TunnelsApi {}

/// A handle on the Tunnels area; get one with [`Client::tunnels`].
///
/// ```no_run
/// # async fn run() -> Result<(), pi_client::Error> {
/// let client = pi_client::Client::from_env()?;
/// let tunnel = client.tunnels().create().local_port(8080).name("demo").send().await?;
/// println!("{} -> localhost:8080 via {}", tunnel.url, tunnel.server_host);
/// let state = client.tunnels().get(&tunnel.tunnel_id).await?;
/// println!("{}", state.status);
/// client.tunnels().delete(&tunnel.tunnel_id).await?;
/// # Ok(())
/// # }
/// ```
pub type Tunnels<'c> = Area<'c, TunnelsApi>;

/// A create-tunnel request; see [`Tunnels::create`].
pub type CreateTunnelBuilder<'c> = BodyRequest<'c, CreateTunnel, Json<TunnelCreated>>;

impl Client {
    /// The Tunnels area, acting for the client's default team.
    pub fn tunnels(&self) -> Tunnels<'_> {
        Area::new(self)
    }
}

impl<'c> Tunnels<'c> {
    /// All your tunnels (those of the handle's team, when it has one).
    ///
    /// # Errors
    /// Any error of the request path.
    pub async fn list(&self) -> Result<TunnelList, Error> {
        self.call::<Json<TunnelList>>(&LIST, &[]).await
    }

    /// Starts creating a tunnel. The answer holds the FRP token and binding
    /// secret the tunnel client needs; both stay out of `Debug` output.
    pub fn create(&self) -> CreateTunnelBuilder<'c> {
        self.with_body(&CREATE, &[], CreateTunnel::new())
    }

    /// Deletes these tunnels (1 to 500 ids) in one call; the answer says
    /// which went and which did not.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for no ids or more than 500,
    /// and any error of the request path.
    pub async fn bulk_delete<I, S>(&self, tunnel_ids: I) -> Result<TunnelsBulkDeleted, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = tunnel_ids.into_iter().map(Into::into).collect();
        self.with_body::<_, Json<TunnelsBulkDeleted>>(
            &BULK_DELETE,
            &[],
            BulkDeleteTunnels::new(ids),
        )
        .send()
        .await
    }

    /// One tunnel and whether it is connected.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn get(&self, tunnel_id: &str) -> Result<Tunnel, Error> {
        self.call::<Json<Tunnel>>(&GET, &[("tunnel_id", tunnel_id)])
            .await
    }

    /// Deletes a tunnel; its URL stops answering.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, and any error of the request path.
    pub async fn delete(&self, tunnel_id: &str) -> Result<TunnelDeleted, Error> {
        self.call::<Json<TunnelDeleted>>(&DELETE, &[("tunnel_id", tunnel_id)])
            .await
    }
}

impl CreateTunnelBuilder<'_> {
    /// The port on your machine the tunnel forwards to (the server's default is 8765).
    pub fn local_port(self, port: u16) -> Self {
        self.map_body(|body| body.with_local_port(i64::from(port)))
    }

    /// Names the tunnel (1 to 64 characters).
    pub fn name(self, name: impl Into<String>) -> Self {
        self.map_body(|body| body.with_name(name))
    }
}
