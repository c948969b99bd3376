//! One driver per spec operation the client implements: a few ways of calling
//! it through `pi-client`, from the least input to every optional input set.
//! Each area has its own file, named like the area's file in pi-types and pi-client.

use futures::future::BoxFuture;
use pi_client::{Client, Error};

mod secrets;

/// One way of calling an operation.
pub struct Call {
    /// A short name for reports and snapshot files, such as `minimal` or `all-inputs`.
    pub name: &'static str,
    /// Makes the call; the suite only looks at success or the error variant.
    pub run: fn(Client) -> BoxFuture<'static, Result<(), Error>>,
}

/// The calls that exercise one spec operation.
pub struct Driver {
    /// The spec's operation id.
    pub operation_id: &'static str,
    /// The first call sets no optional input; the last sets them all.
    pub calls: Vec<Call>,
}

/// Every driver of every area.
pub fn all() -> Vec<Driver> {
    secrets::drivers()
}
