//! Runs every driver against a `ContractServer` for one spec and writes what
//! it finds into a `SuiteReport`: request violations, responses the client
//! could not decode, and error statuses mapped to the wrong `Error` variant.

use std::sync::Arc;

use pi_client::{Client, Error, RetryPolicy};
use pi_contract::report::SuiteReport;
use pi_contract::{ContractServer, Operation, Spec};
use serde_json::Value;

use std::collections::BTreeSet;

use pi_contract::diff::Class;
use pi_contract::synth::Instance;

use crate::coverage::{EXCLUDED, EXCLUDED_INPUTS, coverage_problems};
use crate::drivers::{self, Call, Driver};
use crate::fidelity::{self, RoundTrip};
use crate::gateway;

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

/// What every check of one operation works against.
#[derive(Clone, Copy)]
struct Target<'a> {
    server: &'a ContractServer,
    client: &'a Client,
    spec: &'a Spec,
    operation: &'a Operation,
    /// The same operation in the document the SDK was generated from, when
    /// the suite runs against another one: what it already had there is
    /// what the SDK must still reach; anything new only shows it behind.
    baseline: Option<(&'a Spec, &'a Operation)>,
}

/// How many seeded random instances each success response gets, and the
/// first seed: `PI_CONTRACT_CASES` and `PI_CONTRACT_SEED` (set by
/// `cargo xtask contract --cases N --seed S`), else a few from seed 1.
pub fn random_cases() -> (u64, u64) {
    let read = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(default)
    };
    (read("PI_CONTRACT_CASES", 4), read("PI_CONTRACT_SEED", 1))
}

/// The client's default base URL must serve the document's operations: the
/// first `servers` URL (scheme, host and path prefix), trailing slash aside.
pub fn base_url_problem(spec: &Spec) -> Option<String> {
    let documented = spec
        .document()
        .pointer("/servers/0/url")
        .and_then(Value::as_str)?;
    let documented = documented.trim_end_matches('/');
    let client = pi_client::config::DEFAULT_BASE_URL.trim_end_matches('/');
    (documented != client).then(|| {
        format!(
            "the document serves its operations under `{documented}`, but the client's default base URL is `{client}`: every call on the default URL would miss the API"
        )
    })
}

/// A client for `server` that never retries, so each call is one request.
pub fn client_for(server: &ContractServer) -> Client {
    client_at(&server.uri())
}

/// A client for the server at `base_url` that never retries.
pub fn client_at(base_url: &str) -> Client {
    let built = Client::builder()
        .api_key(SUITE_API_KEY)
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .build();
    match built {
        Ok(client) => client,
        Err(error) => panic!("the suite's client could not be built: {error}"),
    }
}

/// The suite, with the per-operation checks run only for the operations
/// `check` picks (coverage and the base URL are always checked): the drift
/// tests edit one area and need not wait for the other 70 operations.
pub async fn run_suite_checking(
    spec: Arc<Spec>,
    source: &str,
    check: impl Fn(&str) -> bool,
) -> SuiteReport {
    run_suite_against(spec, None, source, check).await
}

/// The suite against `spec`, with `baseline` the document the SDK was
/// generated from when `spec` is another one: then a documented operation,
/// input or output that only `spec` has is a `behind` failure (the SDK does
/// not reach it yet) and every other failure is `breaking`. Without a
/// baseline every failure is breaking: the SDK must be complete.
pub async fn run_suite_against(
    spec: Arc<Spec>,
    baseline: Option<Arc<Spec>>,
    source: &str,
    check: impl Fn(&str) -> bool,
) -> SuiteReport {
    let behind_if_new = if baseline.is_some() {
        Class::Behind
    } else {
        Class::Breaking
    };
    let mut report = SuiteReport::new(source);
    report.not_yet_described = pi_contract::supplement::embedded_pending();
    report.amended = pi_contract::supplement::amended_places(spec.document())
        .into_iter()
        .map(|amendment| (amendment.place, amendment.source))
        .collect();
    let drivers = drivers::all();
    let driven: Vec<&str> = drivers.iter().map(|driver| driver.operation_id).collect();
    // The supplement's operations the SDK does not reach yet: counted and
    // named in the report, not failures (the published document does not
    // promise them).
    let not_yet: Vec<&str> = spec
        .operations()
        .filter(|operation| operation.source().is_some() && !driven.contains(&operation.id()))
        .map(Operation::id)
        .collect();
    let operation_ids: Vec<&str> = spec
        .operations()
        .map(Operation::id)
        .filter(|id| !not_yet.contains(id))
        .collect();
    for problem in coverage_problems(&operation_ids, &driven, EXCLUDED) {
        // An operation the SDK does not call yet is one the document gained.
        let class = if problem.contains("neither driven nor excluded") {
            behind_if_new
        } else {
            Class::Breaking
        };
        report.fail_as(class, "-", "coverage", problem);
    }
    if let Some(problem) = base_url_problem(&spec) {
        report.fail("-", "base URL", problem);
    }
    for operation in spec.operations() {
        let area = report.area(&area_of(operation));
        area.operations += 1;
        let id = operation.id();
        if driven.contains(&id) {
            area.driven += 1;
        } else if EXCLUDED.iter().any(|(excluded, _)| *excluded == id) {
            area.excluded += 1;
        } else if not_yet.contains(&id) {
            area.not_yet_covered += 1;
        }
        if let Some(source) = operation.source() {
            area.supplement += 1;
            if !area.sources.iter().any(|known| known == source) {
                area.sources.push(source.to_owned());
            }
        }
    }
    let server = ContractServer::start(spec.clone()).await;
    // One client for the whole run: building one loads the TLS roots, which
    // costs more than the calls themselves.
    let client = client_for(&server);
    for driver in drivers.iter().filter(|driver| check(driver.operation_id)) {
        let Some(operation) = spec.operation(driver.operation_id) else {
            continue; // already reported by the coverage check
        };
        let mut sent = BTreeSet::new();
        let target = Target {
            server: &server,
            client: &client,
            spec: &spec,
            operation,
            baseline: baseline
                .as_deref()
                .and_then(|base| base.operation(driver.operation_id).map(|op| (base, op))),
        };
        check_successes(&target, driver, &mut sent, &mut report).await;
        check_error_statuses(&target, driver, &mut sent, &mut report).await;
        check_inputs(&target, &sent, &mut report);
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
    // The gateway is outside the REST document, so any document the suite
    // runs against leaves it as it is; a run that picks operations (the
    // drift tests) picks it by its row's name.
    if check(gateway::AREA) {
        gateway::run(&mut report).await;
    }
    report
}

/// Every call against every synthesized success response (fixed, seeded
/// random, and one with unlisted enum values): the request must raise no
/// violation, the response must decode, and what the call returns must
/// encode back to the same documented properties and values.
async fn check_successes(
    target: &Target<'_>,
    driver: &Driver,
    sent: &mut BTreeSet<String>,
    report: &mut SuiteReport,
) {
    let Target {
        spec, operation, ..
    } = *target;
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
    let instances = match success_instances(spec, id, status, success.schema().is_some()) {
        Ok(instances) => instances,
        Err(error) => {
            report.fail(id, format!("synthesize {status}"), error);
            return;
        }
    };
    let mut kept = BTreeSet::new();
    let mut documented = BTreeSet::new();
    // Outputs the baseline document already had: the SDK typed them all.
    let had: Option<BTreeSet<String>> = target.baseline.and_then(|(base, op)| {
        let schema = op.success_response()?.schema()?;
        let (part, _, prefix) = fidelity::returned_part(base, schema, &Value::Null);
        Some(fidelity::documented_outputs(base, part, &prefix))
    });
    for call in &driver.calls {
        for instance in &instances {
            let body = instance.as_ref().map(|instance| instance.value.clone());
            let name = instance
                .as_ref()
                .map_or("empty", |instance| instance.name.as_str());
            let Some(outcome) =
                answer_and_call(target, call, status, body.clone(), sent, report).await
            else {
                continue;
            };
            let back = match outcome {
                Ok(back) => back,
                Err(error) if refused_as_missing(&error, operation, body.as_ref()) => {
                    // The SDK is stricter than the document here, on purpose
                    // (see `refused_as_missing`): a typed refusal is the
                    // documented outcome, so the answer counts as handled.
                    report.area(&area_of(operation)).responses_decoded += 1;
                    continue;
                }
                Err(error) => {
                    report.fail(
                        id,
                        format!("{} {status} {name} ({})", verb(&error), call.name),
                        format!("{error}{}", reproduce(name, body.as_ref())),
                    );
                    continue;
                }
            };
            report.area(&area_of(operation)).responses_decoded += 1;
            let (Some(schema), Some(body)) = (success.schema(), body.as_ref()) else {
                continue;
            };
            let (part_schema, part, prefix) = fidelity::returned_part(spec, schema, body);
            let outputs = fidelity::documented_outputs(spec, part_schema, &prefix);
            if outputs.is_empty() && back.is_null() {
                // A free-form (`{}`) answer documents nothing to keep; the
                // call may return `()` for it.
                continue;
            }
            documented.extend(outputs);
            let mut found = RoundTrip::default();
            fidelity::round_trip(
                spec,
                part_schema,
                &part,
                Some(&back),
                &prefix,
                0,
                &mut found,
            );
            kept.extend(found.kept);
            for problem in found.problems {
                // A dropped output the baseline did not document is one the
                // SDK has no field for yet (it survives only in a catch-all).
                let class = match (&had, dropped_path(&problem)) {
                    (Some(had), Some(path)) if !had.contains(path) => Class::Behind,
                    _ => Class::Breaking,
                };
                report.fail_as(
                    class,
                    id,
                    format!("round trip {status} {name} ({})", call.name),
                    format!("{problem}{}", reproduce(name, Some(body))),
                );
            }
        }
    }
    let area = report.area(&area_of(operation));
    area.outputs_total += documented.len();
    area.outputs_typed += documented.intersection(&kept).count();
}

/// The rule for answers the SDK refuses on purpose: the document lets a
/// `{data, status}` envelope leave `data` out (or null) and lets the fields
/// in `pi_types::ALWAYS_PRESENT` (a resource's `id`, each listed with its
/// reason in `spec/codegen.toml`) be absent or null, but single-resource
/// calls return the resource itself. For such an answer the one accepted
/// outcome is `Error::MissingData` naming this operation (method and path
/// template) and a place the body really lacks (absent or null there); any
/// other error, or a `MissingData` about a value the body holds, still fails.
fn refused_as_missing(error: &Error, operation: &Operation, body: Option<&Value>) -> bool {
    let Error::MissingData {
        operation: named,
        missing,
        ..
    } = error
    else {
        return false;
    };
    // By method and path shape: the client names its own template, and the
    // names of path parameters never travel (a document that renames one
    // must raise nothing).
    let expected = format!("{} {}", operation.method(), operation.path());
    if shape_of(named) != shape_of(&expected) {
        return false;
    }
    let Some(body) = body else {
        return false;
    };
    body.pointer(&pointer_of(missing))
        .is_none_or(Value::is_null)
}

/// An operation name (`GET /api/v1/secrets/{secret_id}`) with every path
/// parameter's name left out (`GET /api/v1/secrets/{}`).
fn shape_of(operation: &str) -> String {
    let mut shape = String::with_capacity(operation.len());
    let mut in_parameter = false;
    for c in operation.chars() {
        match c {
            '{' => {
                in_parameter = true;
                shape.push(c);
            }
            '}' => {
                in_parameter = false;
                shape.push(c);
            }
            _ if in_parameter => {}
            _ => shape.push(c),
        }
    }
    shape
}

/// The JSON pointer of a path as `Error::MissingData` names it
/// (`data`, `data.id`, `data[0].id`, or `id` at the top).
fn pointer_of(path: &str) -> String {
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|segment| !segment.is_empty())
        .fold(String::new(), |mut pointer, segment| {
            pointer.push('/');
            pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
            pointer
        })
}

/// The path a round-trip problem says the SDK drops (`drops `data.x` (sent …)`).
fn dropped_path(problem: &str) -> Option<&str> {
    problem.strip_prefix("drops `")?.split('`').next()
}

/// The bodies to answer with: `None` for a response without a body.
fn success_instances(
    spec: &Spec,
    id: &str,
    status: u16,
    has_body: bool,
) -> Result<Vec<Option<Instance>>, String> {
    if !has_body {
        return Ok(vec![None]);
    }
    let mut instances: Vec<Option<Instance>> = spec
        .synthesize(id, status)
        .map_err(|error| error.to_string())?
        .instances()
        .iter()
        .cloned()
        .map(Some)
        .collect();
    let (cases, first_seed) = random_cases();
    for seed in first_seed..first_seed.saturating_add(cases) {
        instances.push(Some(
            spec.synthesize_random(id, status, seed)
                .map_err(|error| error.to_string())?,
        ));
    }
    if let Some(unlisted) = spec
        .synthesize_unlisted_enums(id, status)
        .map_err(|error| error.to_string())?
    {
        instances.push(Some(unlisted));
    }
    Ok(instances)
}

/// For a failure on a random instance: how to run it again, and the body.
fn reproduce(name: &str, body: Option<&Value>) -> String {
    let Some(seed) = name.strip_prefix("random-") else {
        return String::new();
    };
    let body = body.map(Value::to_string).unwrap_or_default();
    format!(
        "\n      reproduce with `cargo xtask contract --cases 1 --seed {seed}`; the instance was: {body}"
    )
}

/// Every documented input must be sent by some call, unless the reviewed
/// list excludes it with a reason.
fn check_inputs(target: &Target<'_>, sent: &BTreeSet<String>, report: &mut SuiteReport) {
    let Target {
        spec, operation, ..
    } = *target;
    let id = operation.id();
    // Inputs the baseline document already had: the SDK reached them all.
    let had: Option<BTreeSet<String>> = target
        .baseline
        .map(|(base, op)| fidelity::documented_inputs(base, op));
    let excluded: BTreeSet<&str> = EXCLUDED_INPUTS
        .iter()
        .filter(|(operation_id, _, _)| *operation_id == id)
        .map(|(_, input, _)| *input)
        .collect();
    let documented = fidelity::documented_inputs(spec, operation);
    for input in &excluded {
        if !documented.contains(*input) {
            report.fail(
                id,
                "inputs",
                format!("EXCLUDED_INPUTS names `{input}`, which the document does not have"),
            );
        }
    }
    let wanted: Vec<&String> = documented
        .iter()
        .filter(|input| !excluded.contains(input.as_str()))
        .collect();
    let mut covered = 0;
    for input in &wanted {
        if sent.contains(*input) {
            covered += 1;
        } else {
            let class = match &had {
                Some(had) if !had.contains(*input) => Class::Behind,
                _ => Class::Breaking,
            };
            report.fail_as(class, id, "inputs", format!("no call sends the documented input `{input}`: the SDK cannot reach it (add it to the client, or to EXCLUDED_INPUTS with a reason)"));
        }
    }
    let area = report.area(&area_of(operation));
    area.inputs_total += wanted.len();
    area.inputs_covered += covered;
}

/// Each documented error status must come back as its `Error` variant.
async fn check_error_statuses(
    target: &Target<'_>,
    driver: &Driver,
    sent: &mut BTreeSet<String>,
    report: &mut SuiteReport,
) {
    let Target {
        spec, operation, ..
    } = *target;
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
        let Some(outcome) = answer_and_call(target, call, status, body.clone(), sent, report).await
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
            Ok(_) => report.fail(
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
    target: &Target<'_>,
    call: &Call,
    status: u16,
    body: Option<Value>,
    sent: &mut BTreeSet<String>,
    report: &mut SuiteReport,
) -> Option<Result<Value, Error>> {
    let Target {
        server,
        client,
        operation,
        ..
    } = *target;
    let id = operation.id();
    server.reset();
    if let Err(error) = server.respond_to(id, status, body) {
        report.fail(id, format!("respond {status}"), error.to_string());
        return None;
    }
    let outcome = (call.run)(client.clone()).await;
    record_requests(server, operation, call, sent, report);
    Some(outcome)
}

/// Checks what the server received for one call: exactly the driver's
/// operation, with no violation.
fn record_requests(
    server: &ContractServer,
    operation: &Operation,
    call: &Call,
    sent: &mut BTreeSet<String>,
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
        sent.extend(fidelity::sent_inputs(operation, request));
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
        Error::Decode { .. } | Error::MissingData { .. } => "decode",
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

#[cfg(test)]
mod missing_data_rule {
    use super::*;

    fn get_secret(spec: &Spec) -> &Operation {
        spec.operation("get_secret_api_v1_secrets__secret_id__get")
            .unwrap_or_else(|| panic!("the vendored document has get-secret"))
    }

    fn missing(operation: &str, missing: &str) -> Error {
        Error::MissingData {
            operation: operation.to_owned(),
            status: 200,
            missing: missing.to_owned(),
        }
    }

    #[test]
    fn operations_compare_by_shape_whatever_their_parameters_are_called() {
        assert_eq!(
            shape_of("GET /api/v1/secrets/{secret_id}"),
            shape_of("GET /api/v1/secrets/{id}")
        );
        assert_ne!(
            shape_of("GET /api/v1/secrets/{secret_id}"),
            shape_of("PATCH /api/v1/secrets/{secret_id}")
        );
    }

    #[test]
    fn paths_become_pointers() {
        assert_eq!(pointer_of("data"), "/data");
        assert_eq!(pointer_of("data.id"), "/data/id");
        assert_eq!(pointer_of("data[0].id"), "/data/0/id");
        assert_eq!(pointer_of("id"), "/id");
    }

    #[test]
    fn only_missing_data_about_this_operation_and_an_absent_value_is_accepted() {
        let spec = Spec::vendored();
        let operation = get_secret(&spec);
        let name = "GET /api/v1/secrets/{secret_id}";
        let without = serde_json::json!({"data": null, "status": "ok"});
        let absent = serde_json::json!({"status": "ok"});
        let with = serde_json::json!({"data": {"id": "s"}, "status": "ok"});
        assert!(refused_as_missing(
            &missing(name, "data"),
            operation,
            Some(&without)
        ));
        assert!(refused_as_missing(
            &missing(name, "data"),
            operation,
            Some(&absent)
        ));
        // The body holds what the error says is missing.
        assert!(!refused_as_missing(
            &missing(name, "data"),
            operation,
            Some(&with)
        ));
        // Another operation's name.
        assert!(!refused_as_missing(
            &missing("GET /api/v1/pods/{pod_id}", "data"),
            operation,
            Some(&without)
        ));
        // Any other error.
        let decode = Error::Decode {
            status: 200,
            path: "data".to_owned(),
            reason: "x".to_owned(),
            excerpt: String::new(),
        };
        assert!(!refused_as_missing(&decode, operation, Some(&without)));
    }
}
