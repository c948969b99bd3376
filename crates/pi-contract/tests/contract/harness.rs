//! Runs every driver against a `ContractServer` for one spec and writes what
//! it finds into a `SuiteReport`: request violations, responses the client
//! could not decode, and error statuses mapped to the wrong `Error` variant.

use std::sync::Arc;

use pi_client::{Client, Error, RetryPolicy};
use pi_contract::report::SuiteReport;
use pi_contract::{ContractServer, Operation, Spec};
use serde_json::Value;

use crate::coverage::{EXCLUDED, PENDING, coverage_problems};
use crate::drivers::{self, Call, Driver};

/// The key the suite's client sends; the server only checks that one is there.
pub const SUITE_API_KEY: &str = "contract-suite-key";

/// The area an operation belongs to: its first tag.
pub fn area_of(operation: &Operation) -> String {
    operation
        .tags()
        .first()
        .cloned()
        .unwrap_or_else(|| "untagged".to_owned())
}

/// A client for `server` that never retries, so each call is one request.
pub fn client_for(server: &ContractServer) -> Client {
    let built = Client::builder()
        .api_key(SUITE_API_KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build();
    match built {
        Ok(client) => client,
        Err(error) => panic!("the suite's client could not be built: {error}"),
    }
}

/// Runs the whole suite against `spec`.
pub async fn run_suite(spec: Arc<Spec>, source: &str) -> SuiteReport {
    let mut report = SuiteReport::new(source);
    let drivers = drivers::all();
    let driven: Vec<&str> = drivers.iter().map(|driver| driver.operation_id).collect();
    let operation_ids: Vec<&str> = spec.operations().map(Operation::id).collect();
    for problem in coverage_problems(&operation_ids, &driven, PENDING, EXCLUDED) {
        report.fail("-", "coverage", problem);
    }
    for operation in spec.operations() {
        let area = report.area(&area_of(operation));
        area.operations += 1;
        let id = operation.id();
        if driven.contains(&id) {
            area.driven += 1;
        } else if PENDING.contains(&id) {
            area.pending += 1;
        } else if EXCLUDED.iter().any(|(excluded, _)| *excluded == id) {
            area.excluded += 1;
        }
    }
    let server = ContractServer::start(spec.clone()).await;
    for driver in &drivers {
        let Some(operation) = spec.operation(driver.operation_id) else {
            continue; // already reported by the coverage check
        };
        check_successes(&server, &spec, operation, driver, &mut report).await;
        check_error_statuses(&server, &spec, operation, driver, &mut report).await;
    }
    // Each failure counts against the area of its operation.
    let failed_areas: Vec<String> = report
        .failures
        .iter()
        .filter_map(|failure| spec.operation(&failure.operation_id).map(area_of))
        .collect();
    for area in failed_areas {
        report.area(&area).violations += 1;
    }
    report
}

/// Every call against every synthesized success response: the request must
/// raise no violation and the response must decode.
async fn check_successes(
    server: &ContractServer,
    spec: &Spec,
    operation: &Operation,
    driver: &Driver,
    report: &mut SuiteReport,
) {
    let id = operation.id();
    let Some(success) = operation.success_response() else {
        report.fail(
            id,
            "success response",
            "the operation documents no 2xx response",
        );
        return;
    };
    let status = success.status();
    let instances: Vec<(String, Option<Value>)> = if success.schema().is_some() {
        match spec.synthesize(id, status) {
            Ok(synthesized) => synthesized
                .instances()
                .iter()
                .map(|instance| (instance.name.clone(), Some(instance.value.clone())))
                .collect(),
            Err(error) => {
                report.fail(id, format!("synthesize {status}"), error.to_string());
                return;
            }
        }
    } else {
        vec![("empty".to_owned(), None)]
    };
    for call in &driver.calls {
        for (instance, body) in &instances {
            let Some(outcome) =
                answer_and_call(server, operation, call, status, body.clone(), report).await
            else {
                continue;
            };
            match outcome {
                Ok(()) => report.area(&area_of(operation)).responses_decoded += 1,
                Err(error) => report.fail(
                    id,
                    format!("{} {status} {instance} ({})", verb(&error), call.name),
                    error.to_string(),
                ),
            }
        }
    }
}

/// Each documented error status must come back as its `Error` variant.
async fn check_error_statuses(
    server: &ContractServer,
    spec: &Spec,
    operation: &Operation,
    driver: &Driver,
    report: &mut SuiteReport,
) {
    let id = operation.id();
    let Some(call) = driver.calls.first() else {
        report.fail(id, "driver", "the driver has no call");
        return;
    };
    for response in operation
        .responses()
        .iter()
        .filter(|response| response.status() >= 400)
    {
        let status = response.status();
        let body = match response.schema() {
            Some(_) => match spec.synthesize(id, status) {
                Ok(synthesized) => Some(synthesized.maximal().clone()),
                Err(error) => {
                    report.fail(id, format!("synthesize {status}"), error.to_string());
                    continue;
                }
            },
            None => None,
        };
        let Some(outcome) =
            answer_and_call(server, operation, call, status, body.clone(), report).await
        else {
            continue;
        };
        let (expected, matches) = expected_error(status);
        match outcome {
            Err(error) if matches(&error) => {
                report.area(&area_of(operation)).responses_decoded += 1;
                if let (Error::Validation { errors, .. }, Some(body)) = (&error, &body) {
                    let sent = body
                        .get("errors")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    if errors.len() != sent {
                        report.fail(
                            id,
                            format!("status {status}"),
                            format!(
                                "the body listed {sent} field errors but the client kept {}",
                                errors.len()
                            ),
                        );
                    }
                }
            }
            Err(error) => report.fail(
                id,
                format!("status {status}"),
                format!("expected {expected}, got {error:?}"),
            ),
            Ok(()) => report.fail(
                id,
                format!("status {status}"),
                format!("expected {expected}, but the call succeeded"),
            ),
        }
    }
}

/// Makes the server answer `operation` with `status` and `body`, makes the
/// call, and checks the requests it sent; `None` when the server refused the
/// answer (already reported).
async fn answer_and_call(
    server: &ContractServer,
    operation: &Operation,
    call: &Call,
    status: u16,
    body: Option<Value>,
    report: &mut SuiteReport,
) -> Option<Result<(), Error>> {
    let id = operation.id();
    server.reset();
    if let Err(error) = server.respond_to(id, status, body) {
        report.fail(id, format!("respond {status}"), error.to_string());
        return None;
    }
    let outcome = (call.run)(client_for(server)).await;
    record_requests(server, operation, call, report);
    Some(outcome)
}

/// Checks what the server received for one call: exactly the driver's
/// operation, with no violation.
fn record_requests(
    server: &ContractServer,
    operation: &Operation,
    call: &Call,
    report: &mut SuiteReport,
) {
    let id = operation.id();
    let received = server.received_requests();
    if received.is_empty() {
        report.fail(
            id,
            format!("request ({})", call.name),
            "the client sent nothing",
        );
    }
    for request in &received {
        report.area(&area_of(operation)).requests_validated += 1;
        if let Some(other) = request.operation_id.as_deref().filter(|other| *other != id) {
            report.fail(
                id,
                format!("request ({})", call.name),
                format!("the client called `{other}` instead"),
            );
        }
        for violation in &request.violations {
            report.fail(
                id,
                format!("request ({})", call.name),
                violation.to_string(),
            );
        }
    }
}

fn verb(error: &Error) -> &'static str {
    match error {
        Error::Decode { .. } => "decode",
        _ => "call",
    }
}

type ErrorMatcher = fn(&Error) -> bool;

/// The variant the client must return for an error status.
pub fn expected_error(status: u16) -> (&'static str, ErrorMatcher) {
    match status {
        400 | 422 => ("Error::Validation", |e| {
            matches!(e, Error::Validation { .. })
        }),
        401 => ("Error::Unauthorized", |e| {
            matches!(e, Error::Unauthorized { .. })
        }),
        402 => ("Error::PaymentRequired", |e| {
            matches!(e, Error::PaymentRequired { .. })
        }),
        403 => ("Error::Forbidden", |e| matches!(e, Error::Forbidden { .. })),
        404 => ("Error::NotFound", |e| matches!(e, Error::NotFound { .. })),
        409 => ("Error::Conflict", |e| matches!(e, Error::Conflict { .. })),
        429 => ("Error::RateLimited", |e| {
            matches!(e, Error::RateLimited { .. })
        }),
        500..=599 => ("Error::Server", |e| matches!(e, Error::Server { .. })),
        _ => ("Error::UnexpectedStatus", |e| {
            matches!(e, Error::UnexpectedStatus { .. })
        }),
    }
}
