//! `ContractServerBuilder`: starting a [`ContractServer`] with choices the
//! shorthand constructors do not offer, such as the socket it listens on.

use std::net::TcpListener;
use std::sync::Arc;

use crate::server::ContractServer;
use crate::spec::Spec;

/// Chooses how a [`ContractServer`] starts: which spec it holds requests
/// to, whether it keeps state, and which socket it listens on.
///
/// The shorthand constructors ([`ContractServer::start`],
/// [`ContractServer::stateful`], …) cover tests; the builder is for a mock
/// that other programs reach at a known port, as `pi-mock` is.
///
/// ```
/// use pi_contract::ContractServer;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let port = listener.local_addr()?.port();
/// let server = ContractServer::builder()
///     .stateful()
///     .listener(listener)
///     .start()
///     .await;
/// assert_eq!(server.uri(), format!("http://127.0.0.1:{port}"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default)]
#[must_use = "a ContractServerBuilder does nothing until `start` is awaited"]
pub struct ContractServerBuilder {
    spec: Option<Arc<Spec>>,
    stateful: bool,
    listener: Option<TcpListener>,
}

impl ContractServer {
    /// A builder for a server on the embedded PI API contract, stateless,
    /// on a free local port, until told otherwise.
    pub fn builder() -> ContractServerBuilder {
        ContractServerBuilder::default()
    }
}

impl ContractServerBuilder {
    /// Holds requests to `spec` (a [`Spec`] or an `Arc<Spec>`) instead of
    /// the embedded contract ([`Spec::contract`]).
    pub fn spec(mut self, spec: impl Into<Arc<Spec>>) -> ContractServerBuilder {
        self.spec = Some(spec.into());
        self
    }

    /// Keeps what requests create, as [`ContractServer::stateful`] does.
    pub fn stateful(mut self) -> ContractServerBuilder {
        self.stateful = true;
        self
    }

    /// Listens on `listener`, already bound, instead of a free port on
    /// 127.0.0.1; the server's [`uri`](ContractServer::uri) is then the
    /// listener's address.
    pub fn listener(mut self, listener: TcpListener) -> ContractServerBuilder {
        self.listener = Some(listener);
        self
    }

    /// Starts the server.
    pub async fn start(self) -> ContractServer {
        let spec = self.spec.unwrap_or_else(Spec::contract);
        ContractServer::start_on(spec, self.stateful, self.listener).await
    }
}
