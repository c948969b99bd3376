//! One driver per spec operation the client implements: a few ways of calling
//! it through `pi-client`, from the least input to every optional input set.
//! Each area has its own file, named like the area's file in pi-types and pi-client.

use futures::future::BoxFuture;
use pi_client::{Client, Error};
use serde::Serialize;
use serde_json::Value;

/// What a call returned, as JSON; a value that cannot be encoded becomes a
/// string saying so, which the round-trip check then reports.
pub fn encoded(output: &impl Serialize) -> Value {
    serde_json::to_value(output)
        .unwrap_or_else(|error| Value::String(format!("<cannot encode: {error}>")))
}

mod availability;
mod billing;
mod clusters;
mod disks;
mod environments;
mod evaluations;
mod feedback;
mod frp;
mod hosted_evaluations;
mod images;
mod login;
mod pods;
mod rl_runs;
mod sandboxes;
mod secrets;
mod ssh_keys;
mod teams;
mod template;
mod traces;
mod training;
mod tunnels;
mod user;

/// One way of calling an operation.
pub struct Call {
    /// A short name for reports and snapshot files, such as `minimal` or `all-inputs`.
    pub name: &'static str,
    /// Makes the call and encodes what it returned as JSON (`null` for
    /// calls that return nothing), for the round-trip check.
    pub run: fn(Client) -> BoxFuture<'static, Result<Value, Error>>,
}

/// The calls that exercise one spec operation.
pub struct Driver {
    /// The spec's operation id.
    pub operation_id: &'static str,
    /// The first call sets no optional input; the last sets them all.
    pub calls: Vec<Call>,
}

/// One driver, one line per call:
/// `driver!("op_id", "minimal" => |client| client.area().call(..), …)`.
/// Each call's future is awaited and what it returns is encoded as JSON, so
/// the suite can compare it with the response the server sent.
macro_rules! driver {
    ($operation_id:literal, $($name:literal => |$client:ident| $call:expr),+ $(,)?) => {
        $crate::drivers::Driver {
            operation_id: $operation_id,
            calls: vec![$($crate::drivers::Call {
                name: $name,
                run: |$client| Box::pin(async move { $call.await.map(|output| $crate::drivers::encoded(&output)) }),
            }),+],
        }
    };
}
pub(crate) use driver;

/// Every driver of every area.
pub fn all() -> Vec<Driver> {
    [
        availability::drivers(),
        billing::drivers(),
        clusters::drivers(),
        disks::drivers(),
        environments::drivers(),
        evaluations::drivers(),
        feedback::drivers(),
        frp::drivers(),
        hosted_evaluations::drivers(),
        images::drivers(),
        login::drivers(),
        pods::drivers(),
        rl_runs::drivers(),
        sandboxes::drivers(),
        secrets::drivers(),
        ssh_keys::drivers(),
        teams::drivers(),
        template::drivers(),
        traces::drivers(),
        training::drivers(),
        tunnels::drivers(),
        user::drivers(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
