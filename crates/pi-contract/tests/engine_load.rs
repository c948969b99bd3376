//! Loading real documents: the vendored spec, the raw upstream one, and the
//! same document as YAML all describe the same operations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use pi_contract::{ParameterLocation, Spec};
use serde_json::Value;

fn vendored() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json")
}

fn upstream() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/openapi.json")
}

/// Every operation as (id, method, path, parameters, body required,
/// statuses, bearer), to compare specs.
fn shape(spec: &Spec) -> Vec<String> {
    spec.operations()
        .map(|op| {
            let parameters: Vec<String> = op
                .parameters()
                .iter()
                .map(|p| format!("{}.{}:{}", p.location(), p.name(), p.required()))
                .collect();
            let statuses: Vec<u16> = op.responses().iter().map(|r| r.status()).collect();
            format!(
                "{} {} {} {parameters:?} body={:?} {statuses:?} bearer={}",
                op.id(),
                op.method(),
                op.path(),
                op.request_body().map(|b| b.required()),
                op.requires_bearer()
            )
        })
        .collect()
}

#[test]
fn the_vendored_spec_has_79_operations_with_bearer_auth_and_json_bodies() {
    let spec = Spec::from_path(&vendored()).unwrap();
    assert_eq!(spec.operations().len(), 79);
    assert!(
        spec.operations()
            .all(|op| !op.path().starts_with("/api/admin"))
    );
    assert!(spec.operations().filter(|op| op.requires_bearer()).count() >= 78);
    for op in spec.operations() {
        assert_eq!(spec.operation(op.id()).unwrap().path(), op.path());
        if let Some(body) = op.request_body() {
            assert_eq!(body.content_type(), "application/json", "{}", op.id());
        }
        for parameter in op.parameters() {
            if parameter.location() == ParameterLocation::Path {
                assert!(parameter.required(), "{} {}", op.id(), parameter.name());
            }
        }
    }
    let delete = spec
        .find_operation("DELETE", "/api/v1/secrets/abc%2Fdef")
        .unwrap();
    assert_eq!(delete.path(), "/api/v1/secrets/{secret_id}");
}

#[test]
fn raw_upstream_json_and_yaml_load_to_the_vendored_operations() {
    let path = upstream();
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let vendored = Spec::from_path(&vendored()).unwrap();
    let raw = Spec::from_path(&path).unwrap();
    assert_eq!(shape(&raw), shape(&vendored));

    let value: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let yaml = serde_yaml_ng::to_string(&value).unwrap();
    let from_yaml = Spec::from_slice(yaml.as_bytes()).unwrap();
    assert_eq!(shape(&from_yaml), shape(&vendored));
}

#[test]
fn the_embedded_contract_is_the_vendored_spec_loaded_once() {
    let embedded = Spec::vendored();
    assert!(std::sync::Arc::ptr_eq(&embedded, &Spec::vendored()));
    let from_file = Spec::from_path(&vendored()).unwrap();
    assert_eq!(shape(&embedded), shape(&from_file));
    assert_eq!(embedded.document(), from_file.document());
}
