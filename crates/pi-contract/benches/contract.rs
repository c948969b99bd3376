//! How long the contract engine takes for the work it repeats: loading and
//! compiling the vendored spec (once per suite run or ContractServer), and
//! validating one request or synthesizing one response (once per request).
//!
//! Run with `cargo bench -p pi-contract`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use pi_contract::{HttpRequest, Spec};
use serde_json::json;

fn vendored() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json")
}

fn load(c: &mut Criterion) {
    let path = vendored();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("vendored spec: parse, normalize, compile", |b| {
        b.iter(|| Spec::from_path(black_box(&path)).unwrap());
    });
    group.finish();
}

fn per_request(c: &mut Criterion) {
    let spec = Spec::from_path(&vendored()).unwrap();
    let create = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("key")
        .json(&json!({"name": "API_KEY", "value": "v", "description": "d", "isFile": false}));
    let list = HttpRequest::new("GET", "/api/v1/secrets/?teamId=t&offset=0&limit=50").bearer("key");
    c.bench_function("validate create-secret request", |b| {
        b.iter(|| assert!(spec.validate_request(black_box(&create)).is_empty()));
    });
    c.bench_function("validate list-secrets request", |b| {
        b.iter(|| assert!(spec.validate_request(black_box(&list)).is_empty()));
    });
    c.bench_function("synthesize list-secrets 200", |b| {
        b.iter(|| {
            spec.synthesize(black_box("list_secrets_api_v1_secrets__get"), 200)
                .unwrap()
        });
    });
}

criterion_group!(benches, load, per_request);
criterion_main!(benches);
