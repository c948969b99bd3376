//! Request validation against a small hand-written document: each kind of
//! violation is caught with its operation, location and rule, and valid
//! requests raise none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use pi_contract::{HttpRequest, ParameterLocation, Rule, Spec, Violation};
use serde_json::json;

fn spec() -> Arc<Spec> {
    static SPEC: OnceLock<Arc<Spec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.yaml");
        Arc::new(Spec::from_path(&path).expect("the mini fixture loads"))
    })
    .clone()
}

fn get(target: &str) -> HttpRequest {
    HttpRequest::new("GET", target).bearer("secret-token-123")
}

/// The (operation, location, rule) of each violation, for compact asserts.
fn summary(violations: &[Violation]) -> Vec<(Option<String>, String, String)> {
    violations
        .iter()
        .map(|v| {
            (
                v.operation_id.clone(),
                v.location.clone(),
                v.rule.to_string(),
            )
        })
        .collect()
}

fn one(op: &str, location: &str, rule: &str) -> Vec<(Option<String>, String, String)> {
    vec![(Some(op.to_owned()), location.to_owned(), rule.to_owned())]
}

#[test]
fn the_fixture_loads_without_admin_operations_and_describes_operations() {
    let spec = spec();
    assert_eq!(spec.operations().len(), 9);
    assert!(spec.operation("admin_teams").is_none());
    let list = spec.operation("list_secrets").unwrap();
    assert_eq!(list.method(), "GET");
    assert_eq!(list.path(), "/api/v1/secrets/");
    assert_eq!(list.tags(), ["Secrets"]);
    assert!(list.requires_bearer());
    let limit = list.parameter(ParameterLocation::Query, "limit").unwrap();
    assert!(!limit.required());
    assert_eq!(limit.schema()["maximum"], 100);
    assert!(list.request_body().is_none());
    let statuses: Vec<u16> = list.responses().iter().map(|r| r.status()).collect();
    assert_eq!(statuses, [200, 401, 422]);
    assert!(list.response(401).unwrap().schema().is_none());
    assert_eq!(list.success_response().unwrap().status(), 200);
    let create = spec.operation("create_secret").unwrap();
    let body = create.request_body().unwrap();
    assert!(body.required());
    assert_eq!(body.content_type(), "application/json");
    assert_eq!(
        spec.resolve(body.schema())["required"],
        json!(["name", "value"])
    );
    assert!(!spec.operation("pod_logs").unwrap().requires_bearer());
}

#[test]
fn a_valid_request_raises_no_violation() {
    let spec = spec();
    let request = get(
        "/api/v1/secrets/?teamId=t1&offset=0&limit=100&ratio=0.5&verbose=true&regions=europe&regions=united_states&ids=1&ids=2",
    );
    assert_eq!(spec.validate_request(&request), []);
    let create = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("t")
        .json(&json!({"name": "API_KEY", "value": "v", "description": null}));
    assert_eq!(spec.validate_request(&create), []);
    let logs =
        HttpRequest::new("GET", "/api/v1/pods/7/logs?tail=10").header("X-Request-Id", "abc-1");
    assert_eq!(spec.validate_request(&logs), []);
}

#[test]
fn an_unknown_path_or_method_is_an_unknown_operation() {
    let spec = spec();
    let violations = spec.validate_request(&get("/api/v1/nothing"));
    assert_eq!(
        summary(&violations),
        [(None, "path".to_owned(), "unknown-operation".to_owned())]
    );
    let violations =
        spec.validate_request(&HttpRequest::new("PUT", "/api/v1/secrets/x").bearer("t"));
    assert_eq!(
        summary(&violations),
        [(None, "method".to_owned(), "unknown-operation".to_owned())]
    );
    assert!(
        violations[0].message.contains("DELETE, GET"),
        "{}",
        violations[0]
    );
    // Admin operations are dropped at load.
    assert_eq!(
        spec.validate_request(&get("/api/admin/teams"))[0].rule,
        Rule::UNKNOWN_OPERATION
    );
}

#[test]
fn a_missing_trailing_slash_is_unknown_but_hinted() {
    let violations = spec().validate_request(&get("/api/v1/secrets"));
    assert_eq!(violations[0].rule, "unknown-operation");
    assert!(
        violations[0]
            .message
            .contains("did you mean GET /api/v1/secrets/"),
        "{}",
        violations[0]
    );
}

#[test]
fn literal_segments_win_over_templated_ones() {
    let spec = spec();
    assert_eq!(
        spec.find_operation("GET", "/api/v1/secrets/stats")
            .unwrap()
            .id(),
        "secret_stats"
    );
    assert_eq!(
        spec.find_operation("get", "/api/v1/secrets/other")
            .unwrap()
            .id(),
        "get_secret"
    );
    // `history` is literal in the second segment from the end, `{pod_id}`
    // templated: the literal template wins.
    assert_eq!(
        spec.find_operation("GET", "/api/v1/pods/history/status")
            .unwrap()
            .id(),
        "history_status"
    );
    assert_eq!(
        spec.find_operation("GET", "/api/v1/pods/p1/status")
            .unwrap()
            .id(),
        "pod_status"
    );
    // The path is matched before the method (OpenAPI: concrete paths before
    // templated ones), so DELETE on the literal path does not fall back to
    // the templated one: it is a method the literal path does not document.
    assert!(
        spec.find_operation("DELETE", "/api/v1/secrets/stats")
            .is_none()
    );
    let violations =
        spec.validate_request(&HttpRequest::new("DELETE", "/api/v1/secrets/stats").bearer("t"));
    assert_eq!(violations[0].location, "method");
    assert!(
        violations[0].message.contains("(documented: GET)"),
        "{}",
        violations[0]
    );
}

#[test]
fn an_encoded_slash_stays_inside_its_segment() {
    let spec = spec();
    assert_eq!(
        spec.find_operation("GET", "/api/v1/secrets/a%2Fb")
            .unwrap()
            .id(),
        "get_secret"
    );
    assert!(spec.find_operation("GET", "/api/v1/secrets/a/b").is_none());
    // An empty segment never fills a template.
    assert!(spec.find_operation("GET", "/api/v1/pods//status").is_none());
    // An encoded literal still matches the literal.
    // A query string is ignored by the lookup.
    assert_eq!(
        spec.find_operation("GET", "/api/v1/secrets/stats?x=1")
            .unwrap()
            .id(),
        "secret_stats"
    );
    assert_eq!(
        spec.find_operation("GET", "/api/v1/secrets/st%61ts")
            .unwrap()
            .id(),
        "secret_stats"
    );
}

#[test]
fn a_missing_required_query_or_header_parameter_is_required() {
    let violations = spec().validate_request(&HttpRequest::new("GET", "/api/v1/pods/7/logs"));
    assert_eq!(
        summary(&violations),
        [
            (
                Some("pod_logs".to_owned()),
                "query.tail".to_owned(),
                "required".to_owned()
            ),
            (
                Some("pod_logs".to_owned()),
                "header.x-request-id".to_owned(),
                "required".to_owned()
            ),
        ]
    );
}

#[test]
fn path_and_header_values_are_checked_against_their_schemas() {
    let spec = spec();
    let request =
        HttpRequest::new("GET", "/api/v1/pods/abc/logs?tail=1").header("x-request-id", "ok");
    assert_eq!(
        summary(&spec.validate_request(&request)),
        one("pod_logs", "path.pod_id", "type")
    );
    let request =
        HttpRequest::new("GET", "/api/v1/pods/0/logs?tail=1").header("x-request-id", "ok");
    assert_eq!(
        summary(&spec.validate_request(&request)),
        one("pod_logs", "path.pod_id", "minimum")
    );
    let request =
        HttpRequest::new("GET", "/api/v1/pods/1/logs?tail=1").header("X-REQUEST-ID", "Not OK");
    assert_eq!(
        summary(&spec.validate_request(&request)),
        one("pod_logs", "header.x-request-id", "pattern")
    );
}

#[test]
fn query_values_are_parsed_by_their_schema_type() {
    let spec = spec();
    let cases = [
        ("limit=ten", "query.limit", "type"),
        ("limit=1.5", "query.limit", "type"),
        ("limit=0", "query.limit", "minimum"),
        ("limit=101", "query.limit", "maximum"),
        ("ratio=fast", "query.ratio", "type"),
        ("verbose=yes", "query.verbose", "type"),
        ("teamId=much-too-long", "query.teamId", "maxLength"),
        ("regions=mars", "query.regions", "enum"),
        ("ids=1&ids=x", "query.ids", "type"),
        ("limit=1&limit=2", "query.limit", "repeated-parameter"),
        ("labels=a,toolong", "query.labels", "maxLength"),
    ];
    for (query, location, rule) in cases {
        let violations = spec.validate_request(&get(&format!("/api/v1/secrets/?{query}")));
        assert_eq!(
            summary(&violations),
            one("list_secrets", location, rule),
            "query {query}"
        );
    }
    // `anyOf [T, null]` reads as T, and an empty string is a string.
    assert_eq!(spec.validate_request(&get("/api/v1/secrets/?teamId=")), []);
    assert_eq!(
        spec.validate_request(&get("/api/v1/secrets/?verbose=false&ratio=2")),
        []
    );
}

#[test]
fn unknown_query_parameters_are_reported_once_each() {
    let violations = spec().validate_request(&get("/api/v1/secrets/?team_id=x&team_id=y&page=2"));
    assert_eq!(
        summary(&violations),
        [
            (
                Some("list_secrets".to_owned()),
                "query.team_id".to_owned(),
                "unknown-parameter".to_owned()
            ),
            (
                Some("list_secrets".to_owned()),
                "query.page".to_owned(),
                "unknown-parameter".to_owned()
            ),
        ]
    );
}

#[test]
fn query_parameters_named_by_a_documented_prefix_are_checked_not_unknown() {
    let spec = Spec::from_value(json!({
        "openapi": "3.1.0",
        "info": {"title": "prefixes", "version": "1"},
        "paths": {"/api/v1/traces": {"get": {
            "operationId": "list_traces",
            "parameters": [{"name": "run_id", "in": "query", "schema": {"type": "string"}}],
            "x-pi-query-prefixes": {"context.": {"type": "string", "maxLength": 3}},
            "responses": {"200": {"description": "ok"}}
        }}}
    }))
    .unwrap();
    let traces = spec.operation("list_traces").unwrap();
    assert_eq!(traces.query_prefixes()[0].name(), "context.");
    assert_eq!(
        traces.query_prefix_of("context.job").unwrap().name(),
        "context."
    );
    assert!(traces.query_prefix_of("context.").is_none());
    let fine = HttpRequest::new(
        "GET",
        "/api/v1/traces?run_id=r1&context.job=a&context.team=abc",
    );
    assert_eq!(spec.validate_request(&fine), []);
    let broken = HttpRequest::new(
        "GET",
        "/api/v1/traces?context.job=toolong&context.=x&contexts.job=a",
    );
    assert_eq!(
        summary(&spec.validate_request(&broken)),
        [
            (
                Some("list_traces".to_owned()),
                "query.context.job".to_owned(),
                "maxLength".to_owned()
            ),
            (
                Some("list_traces".to_owned()),
                "query.context.".to_owned(),
                "unknown-parameter".to_owned()
            ),
            (
                Some("list_traces".to_owned()),
                "query.contexts.job".to_owned(),
                "unknown-parameter".to_owned()
            ),
        ]
    );
}

#[test]
fn missing_or_malformed_bearer_auth_is_missing_auth_and_never_shows_the_token() {
    let spec = spec();
    let cases = [
        HttpRequest::new("GET", "/api/v1/secrets/"),
        HttpRequest::new("GET", "/api/v1/secrets/")
            .header("Authorization", "Basic c2VjcmV0LXRva2VuLTEyMw=="),
        HttpRequest::new("GET", "/api/v1/secrets/").header("Authorization", "Bearer "),
        HttpRequest::new("GET", "/api/v1/secrets/").header("Authorization", "secret-token-123"),
    ];
    for request in cases {
        let violations = spec.validate_request(&request);
        assert_eq!(
            summary(&violations),
            one("list_secrets", "header.authorization", "missing-auth"),
            "{request:?}"
        );
        let shown = violations[0].to_string();
        assert!(
            !shown.contains("secret-token-123") && !shown.contains("c2VjcmV0"),
            "{shown}"
        );
    }
    assert_eq!(spec.validate_request(&get("/api/v1/secrets/")), []);
    assert_eq!(
        spec.validate_request(
            &HttpRequest::new("GET", "/api/v1/secrets/").header("authorization", "bearer tok")
        ),
        []
    );
}

#[test]
fn a_request_debug_print_redacts_the_authorization_header() {
    let shown = format!("{:?}", get("/api/v1/secrets/"));
    assert!(!shown.contains("secret-token-123"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[test]
fn a_missing_required_body_is_required() {
    let violations =
        spec().validate_request(&HttpRequest::new("POST", "/api/v1/secrets/").bearer("t"));
    assert_eq!(
        summary(&violations),
        one("create_secret", "body", "required")
    );
}

#[test]
fn an_optional_nullable_body_may_be_absent_or_null() {
    let spec = spec();
    assert_eq!(
        spec.validate_request(&HttpRequest::new("POST", "/api/v1/feedback")),
        []
    );
    let null = HttpRequest::new("POST", "/api/v1/feedback").json(&json!(null));
    assert_eq!(spec.validate_request(&null), []);
    let wrong = HttpRequest::new("POST", "/api/v1/feedback").json(&json!({}));
    assert_eq!(
        summary(&spec.validate_request(&wrong)),
        one("send_feedback", "body/message", "required")
    );
}

#[test]
fn a_body_that_is_not_json_is_not_json() {
    let request = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("t")
        .header("content-type", "application/json")
        .body("{name: oops");
    assert_eq!(
        summary(&spec().validate_request(&request)),
        one("create_secret", "body", "not-json")
    );
}

#[test]
fn a_body_without_the_documented_content_type_is_reported() {
    let request = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("t")
        .header("content-type", "text/plain")
        .body(r#"{"name": "A", "value": "v"}"#);
    assert_eq!(
        summary(&spec().validate_request(&request)),
        one("create_secret", "header.content-type", "content-type")
    );
    let charset = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("t")
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"name": "A", "value": "v"}"#);
    assert_eq!(spec().validate_request(&charset), []);
}

#[test]
fn an_off_schema_body_gives_one_violation_per_error_with_its_pointer() {
    let request = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("t")
        .json(&json!({
            "name": "lower_case",
            "description": "this description is far too long",
            "extra": 1
        }));
    let mut found = summary(&spec().validate_request(&request));
    found.sort();
    let mut expected = vec![
        // A missing property is located at its own name, as the API's 422
        // names it.
        (
            Some("create_secret".to_owned()),
            "body/value".to_owned(),
            "required".to_owned(),
        ),
        (
            Some("create_secret".to_owned()),
            "body/extra".to_owned(),
            "additionalProperties".to_owned(),
        ),
        (
            Some("create_secret".to_owned()),
            "body/name".to_owned(),
            "pattern".to_owned(),
        ),
        (
            Some("create_secret".to_owned()),
            "body/description".to_owned(),
            "maxLength".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn a_body_on_an_operation_without_one_is_unexpected() {
    let request = get("/api/v1/secrets/x").json(&json!({"a": 1}));
    assert_eq!(
        summary(&spec().validate_request(&request)),
        one("get_secret", "body", "unexpected-body")
    );
}

#[test]
fn violations_display_operation_location_rule_and_message() {
    let violations = spec().validate_request(&get("/api/v1/secrets/?limit=ten"));
    assert_eq!(
        violations[0].to_string(),
        "list_secrets: query.limit: type: \"ten\" is not an integer"
    );
    let unknown = spec().validate_request(&get("/nowhere"));
    assert!(
        unknown[0]
            .to_string()
            .starts_with("-: path: unknown-operation: "),
        "{}",
        unknown[0]
    );
}

#[test]
fn responses_are_validated_against_the_documented_schema() {
    let spec = spec();
    let good =
        json!({"id": "s1", "name": "N", "createdAt": "2025-01-15T10:30:00Z", "kind": "FILE"});
    assert_eq!(spec.validate_response("get_secret", 200, &good), []);
    let bad = json!({"id": 1, "name": "N", "createdAt": "yesterday", "kind": "OTHER"});
    let mut found = summary(&spec.validate_response("get_secret", 200, &bad));
    found.sort();
    assert_eq!(
        found,
        [
            (
                Some("get_secret".to_owned()),
                "body/createdAt".to_owned(),
                "format".to_owned()
            ),
            (
                Some("get_secret".to_owned()),
                "body/id".to_owned(),
                "type".to_owned()
            ),
            (
                Some("get_secret".to_owned()),
                "body/kind".to_owned(),
                "enum".to_owned()
            ),
        ]
    );
    assert_eq!(
        spec.validate_response("get_secret", 404, &good)[0].rule,
        Rule::UNDOCUMENTED_STATUS
    );
    assert_eq!(
        spec.validate_response("nope", 200, &good)[0].rule,
        Rule::UNKNOWN_OPERATION
    );
    // A status without a documented body accepts anything.
    assert_eq!(
        spec.validate_response("list_secrets", 401, &json!({"detail": "x"})),
        []
    );
}

#[test]
fn a_document_that_is_not_openapi_3_is_rejected() {
    let error = Spec::from_value(json!({"swagger": "2.0", "paths": {}})).unwrap_err();
    assert!(error.to_string().contains("OpenAPI"), "{error}");
    let error = Spec::from_slice(b"{not json: [").unwrap_err();
    assert!(error.to_string().contains("not valid JSON"), "{error}");
    let missing = Spec::from_path(Path::new("/definitely/not/here.json")).unwrap_err();
    assert!(
        missing.to_string().contains("/definitely/not/here.json"),
        "{missing}"
    );
}

#[test]
fn spec_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Spec>();
}

/// A document whose bodies exercise `unknown-property`: nested objects
/// through `$ref`, `anyOf` branches, arrays, maps and free-form objects.
fn bodies() -> Spec {
    Spec::from_value(json!({
        "openapi": "3.1.0",
        "info": {"title": "bodies", "version": "1"},
        "paths": {
            "/api/v1/things/": {"post": {
                "operationId": "create_thing",
                "requestBody": {"required": true, "content": {"application/json": {"schema":
                    {"$ref": "#/components/schemas/Thing"}}}},
                "responses": {"200": {"description": "ok"}}
            }},
            "/api/v1/nullable/": {"post": {
                "operationId": "maybe_thing",
                "requestBody": {"content": {"application/json": {"schema":
                    {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]}}}},
                "responses": {"200": {"description": "ok"}}
            }}
        },
        "components": {"schemas": {
            "Thing": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "inner": {"$ref": "#/components/schemas/Inner"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Inner"}},
                    "either": {"anyOf": [
                        {"$ref": "#/components/schemas/Inner"},
                        {"type": "object", "properties": {"other": {"type": "integer"}}},
                        {"type": "null"}
                    ]},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "open": {"type": "object", "properties": {"a": {"type": "integer"}},
                             "additionalProperties": true},
                    "mapOfInner": {"type": "object",
                                   "additionalProperties": {"$ref": "#/components/schemas/Inner"}},
                    "free": {"type": "object"},
                    "anything": {},
                    "a/b~c": {"type": "object", "properties": {"x": {"type": "integer"}}}
                }
            },
            "Inner": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "size": {"type": "integer"}}
            }
        }}
    }))
    .unwrap()
}

fn post_thing(body: &serde_json::Value) -> HttpRequest {
    HttpRequest::new("POST", "/api/v1/things/").json(body)
}

#[test]
fn a_body_property_the_schema_does_not_declare_is_an_unknown_property() {
    let spec = bodies();
    let violations = spec.validate_request(&post_thing(&json!({"name": "n", "nmae": "typo"})));
    assert_eq!(
        summary(&violations),
        one("create_thing", "body/nmae", "unknown-property")
    );
    assert!(
        violations[0].message.contains("\"nmae\""),
        "{}",
        violations[0].message
    );
}

#[test]
fn unknown_properties_are_found_at_any_depth_with_their_pointer() {
    let spec = bodies();
    let body = json!({
        "name": "n",
        "inner": {"id": "i", "colour": "red"},
        "items": [{"id": "a"}, {"id": "b", "extra": 1}],
        "either": {"id": "x", "other": 2, "neither": true},
        "mapOfInner": {"k": {"id": "m", "stray": 0}},
        "a/b~c": {"x": 1, "y": 2}
    });
    let mut found = summary(&spec.validate_request(&post_thing(&body)));
    found.sort();
    let mut expected = vec![
        (
            Some("create_thing".to_owned()),
            "body/inner/colour".to_owned(),
            "unknown-property".to_owned(),
        ),
        (
            Some("create_thing".to_owned()),
            "body/items/1/extra".to_owned(),
            "unknown-property".to_owned(),
        ),
        (
            Some("create_thing".to_owned()),
            "body/either/neither".to_owned(),
            "unknown-property".to_owned(),
        ),
        (
            Some("create_thing".to_owned()),
            "body/mapOfInner/k/stray".to_owned(),
            "unknown-property".to_owned(),
        ),
        (
            Some("create_thing".to_owned()),
            "body/a~1b~0c/y".to_owned(),
            "unknown-property".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn properties_allowed_by_the_schema_are_not_unknown() {
    let spec = bodies();
    // A property declared by any anyOf branch is declared; maps, schemas that
    // allow additional properties and free-form objects take any name.
    let body = json!({
        "name": "n",
        "either": {"id": "x", "other": 2},
        "labels": {"any": "thing"},
        "open": {"a": 1, "b": {"deep": true}},
        "free": {"whatever": {"nested": 1}},
        "anything": {"goes": [1, {"really": true}]},
        "items": []
    });
    assert_eq!(spec.validate_request(&post_thing(&body)), []);
    // Through a nullable body and a null one.
    let maybe = |body: &serde_json::Value| HttpRequest::new("POST", "/api/v1/nullable/").json(body);
    assert_eq!(spec.validate_request(&maybe(&json!(null))), []);
    assert_eq!(
        summary(&spec.validate_request(&maybe(&json!({"id": "x", "idd": "y"})))),
        one("maybe_thing", "body/idd", "unknown-property")
    );
}

#[test]
fn additional_properties_false_reports_its_own_rule_not_unknown_property() {
    // SecretCreate has `additionalProperties: false`: the schema rule speaks,
    // located at the property it refuses.
    let request = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("t")
        .json(&json!({"name": "A", "value": "v", "extra": 1}));
    assert_eq!(
        summary(&spec().validate_request(&request)),
        one("create_secret", "body/extra", "additionalProperties")
    );
    // Feedback declares `message` and says nothing of others.
    let feedback =
        HttpRequest::new("POST", "/api/v1/feedback").json(&json!({"message": "hi", "rating": 5}));
    assert_eq!(
        summary(&spec().validate_request(&feedback)),
        one("send_feedback", "body/rating", "unknown-property")
    );
}

#[test]
fn integers_beyond_64_bits_are_integers_checked_against_their_bounds() {
    let spec = spec();
    // No bounds: valid (ids is an array of integers).
    assert_eq!(
        spec.validate_request(&get(
            "/api/v1/secrets/?ids=4243599241973884140006144202506240&ids=-11033857926066102272"
        )),
        []
    );
    let cases = [
        // limit has maximum 100, offset minimum 0.
        (
            "limit=4243599241973884140006144202506240",
            "query.limit",
            "maximum",
        ),
        (
            "limit=-4243599241973884140006144202506240",
            "query.limit",
            "minimum",
        ),
        ("offset=-11033857926066102272", "query.offset", "minimum"),
        // Beyond f64's range, still an integer and still too big.
        (
            &*format!("limit={}", "9".repeat(400)),
            "query.limit",
            "maximum",
        ),
        // Not integers at all.
        ("limit=12345678901234567890123.5", "query.limit", "type"),
        ("limit=--12345678901234567890123", "query.limit", "type"),
        ("limit=1e30", "query.limit", "type"),
    ];
    for (query, location, rule) in cases {
        let violations = spec.validate_request(&get(&format!("/api/v1/secrets/?{query}")));
        assert_eq!(
            summary(&violations),
            one("list_secrets", location, rule),
            "query {query}"
        );
    }
    // The message shows the value as sent, not as the float it is checked as.
    let violations = spec.validate_request(&get("/api/v1/secrets/?offset=-11033857926066102272"));
    assert!(
        violations[0].message.contains("-11033857926066102272"),
        "{}",
        violations[0].message
    );
    // 64-bit edges stay exact.
    assert_eq!(
        spec.validate_request(&get("/api/v1/secrets/?offset=18446744073709551615")),
        []
    );
    // A number parameter takes them too.
    assert_eq!(
        spec.validate_request(&get(&format!(
            "/api/v1/secrets/?ratio=-{}",
            "9".repeat(400)
        ))),
        []
    );
}

#[test]
fn an_integer_just_below_i64_min_is_below_a_minimum_of_i64_min() {
    let spec = Spec::from_value(json!({
        "openapi": "3.1.0",
        "info": {"title": "edge", "version": "1"},
        "paths": {"/n": {"get": {
            "operationId": "edge",
            "parameters": [{"name": "n", "in": "query",
                            "schema": {"type": "integer", "minimum": i64::MIN}}],
            "responses": {"200": {"description": "ok"}}
        }}}
    }))
    .unwrap();
    let at = HttpRequest::new("GET", "/n?n=-9223372036854775808");
    assert_eq!(spec.validate_request(&at), []);
    let below = HttpRequest::new("GET", "/n?n=-9223372036854775809");
    assert_eq!(
        summary(&spec.validate_request(&below)),
        one("edge", "query.n", "minimum")
    );
}

/// A document whose templates put a parameter inside a segment
/// (`@{version}`) beside templates of the same length that overlap it.
fn embedded_spec() -> Spec {
    let path_param = |name: &str| json!({"in": "path", "name": name, "required": true, "schema": {"type": "string"}});
    let op = |id: &str, params: Vec<serde_json::Value>| json!({"operationId": id, "parameters": params, "responses": {"200": {}}});
    Spec::from_value(json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/hub/{owner}/{name}/@{version}": {
                "get": op("get_version", vec![path_param("owner"), path_param("name"), path_param("version")]),
                "delete": op("delete_version", vec![path_param("owner"), path_param("name"), path_param("version")]),
            },
            "/hub/{owner}/{name}/v{major}.json": {
                "get": op("get_schema", vec![path_param("owner"), path_param("name"), path_param("major")]),
            },
            "/hub/{owner}/{name}/status": {
                "get": op("get_status", vec![path_param("owner"), path_param("name")]),
            },
            "/hub/{env_id}/secrets/{secret_id}": {
                "delete": op("delete_secret", vec![path_param("env_id"), path_param("secret_id")]),
            },
            "/hub/{owner}/{name}/{anything}": {
                "get": op("get_anything", vec![path_param("owner"), path_param("name"), path_param("anything")]),
            },
        },
    }))
    .expect("the document loads")
}

#[test]
fn a_parameter_inside_a_segment_matches_only_around_its_fixed_text() {
    let spec = embedded_spec();
    let id = |method: &str, path: &str| {
        spec.find_operation(method, path)
            .map(|op| op.id().to_owned())
    };
    assert_eq!(
        id("GET", "/hub/acme/math/@latest").as_deref(),
        Some("get_version")
    );
    assert_eq!(
        id("GET", "/hub/acme/math/@1.2.0").as_deref(),
        Some("get_version")
    );
    // `%40` is an encoded `@`: decoded segments are matched.
    assert_eq!(
        id("GET", "/hub/acme/math/%401.2.0").as_deref(),
        Some("get_version")
    );
    assert_eq!(
        id("GET", "/hub/acme/math/v2.json").as_deref(),
        Some("get_schema")
    );
    // The fixed text alone fills no parameter: the bare template takes it.
    assert_eq!(
        id("GET", "/hub/acme/math/@").as_deref(),
        Some("get_anything")
    );
    assert_eq!(
        id("GET", "/hub/acme/math/v.json").as_deref(),
        Some("get_anything")
    );
    // Without the fixed text the bare parameter matches; a literal beats both.
    assert_eq!(
        id("GET", "/hub/acme/math/1.2.0").as_deref(),
        Some("get_anything")
    );
    assert_eq!(
        id("GET", "/hub/acme/math/status").as_deref(),
        Some("get_status")
    );
    // A literal earlier in the path outranks fixed text later in it.
    assert_eq!(
        id("DELETE", "/hub/e1/secrets/s1").as_deref(),
        Some("delete_secret")
    );
    assert_eq!(
        id("DELETE", "/hub/e1/secrets/@s1").as_deref(),
        Some("delete_secret")
    );
    assert_eq!(
        id("DELETE", "/hub/acme/math/@abc").as_deref(),
        Some("delete_version")
    );
}

#[test]
fn a_parameter_inside_a_segment_is_validated_without_its_fixed_text() {
    let spec = embedded_spec();
    let request = HttpRequest::new("GET", "/hub/acme/math/@latest");
    assert!(spec.validate_request(&request).is_empty());
    let op = spec.operation("get_version").unwrap();
    assert_eq!(op.path(), "/hub/{owner}/{name}/@{version}");
}

#[test]
fn two_parameters_in_one_segment_are_refused_at_load() {
    let document = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/hub/{owner}@{version}": {"get": {
            "parameters": [
                {"in": "path", "name": "owner", "required": true, "schema": {"type": "string"}},
                {"in": "path", "name": "version", "required": true, "schema": {"type": "string"}},
            ],
            "responses": {"200": {}},
        }}},
    });
    let error = Spec::from_value(document).unwrap_err().to_string();
    assert!(error.contains("more than one parameter"), "{error}");
}
