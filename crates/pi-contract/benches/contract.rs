//! How long the contract engine takes for the work it repeats: loading and
//! compiling the vendored spec (once per suite run or ContractServer), and
//! validating one request or response or synthesizing one response (once per
//! request).
//!
//! Run with `cargo bench -p pi-contract`; `PI_BENCH_QUICK=1` shortens every
//! measurement so the whole file runs in well under a minute. The group and
//! function ids are read by `cargo xtask bench` from criterion's output
//! directories: keep them as they are.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pi_contract::{HttpRequest, Spec};
use serde_json::{Value, json};

const LIST_PODS: &str = "get_pods_api_v1_pods__get";

fn vendored() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/openapi.json")
}

fn criterion_config() -> Criterion {
    if std::env::var("PI_BENCH_QUICK").as_deref() == Ok("1") {
        Criterion::default()
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(1))
            .sample_size(10)
    } else {
        Criterion::default()
    }
}

fn spec(c: &mut Criterion) {
    let bytes = std::fs::read(vendored()).unwrap();
    let mut group = c.benchmark_group("spec");
    // One load is ~20 ms: ten samples keep a full run under ~20 s.
    group.sample_size(10);
    group.bench_function("load_and_compile", |b| {
        b.iter(|| Spec::from_slice(black_box(&bytes)).unwrap());
    });
    group.finish();
}

/// A list-pods 200 body with `count` items, each the maximal synthesized item
/// with its own id.
fn pods_page(spec: &Spec, count: usize) -> Value {
    let mut page = spec.synthesize(LIST_PODS, 200).unwrap().maximal().clone();
    let object = page.as_object_mut().unwrap();
    let items = object
        .values_mut()
        .find_map(Value::as_array_mut)
        .expect("the list-pods answer holds an array of pods");
    let item = items.first().cloned().expect("the maximal page has a pod");
    *items = (0..count)
        .map(|index| {
            let mut pod = item.clone();
            pod["id"] = json!(format!("pod-{index:04}"));
            pod
        })
        .collect();
    page
}

fn validate(c: &mut Criterion) {
    let spec = Spec::from_path(&vendored()).unwrap();
    let create_pod = HttpRequest::new("POST", "/api/v1/pods/")
        .bearer("key")
        .json(&json!({
            "pod": {
                "name": "trainer",
                "cloudId": "cloud-1",
                "gpuType": "CPU_NODE",
                "socket": "PCIe",
                "gpuCount": 1,
                "image": "ubuntu_22_cuda_12",
                "diskSize": 100,
                "vcpus": 8,
                "memory": 32,
                "maxPrice": 2.5,
                "envVars": [{"key": "MODE", "value": "train"}],
                "autoRestart": false
            },
            "provider": {"type": "runpod"},
            "team": {"teamId": "team-1"}
        }));
    assert_eq!(spec.validate_request(&create_pod), vec![]);
    let page = pods_page(&spec, 1000);
    assert_eq!(spec.validate_response(LIST_PODS, 200, &page), vec![]);
    let create_secret = HttpRequest::new("POST", "/api/v1/secrets/")
        .bearer("key")
        .json(&json!({"name": "API_KEY", "value": "v", "description": "d", "isFile": false}));
    let list_secrets =
        HttpRequest::new("GET", "/api/v1/secrets/?teamId=t&offset=0&limit=50").bearer("key");

    let mut group = c.benchmark_group("validate");
    group.bench_function("create_pod_request", |b| {
        b.iter(|| assert!(spec.validate_request(black_box(&create_pod)).is_empty()));
    });
    group.bench_function("create_secret_request", |b| {
        b.iter(|| assert!(spec.validate_request(black_box(&create_secret)).is_empty()));
    });
    group.bench_function("list_secrets_request", |b| {
        b.iter(|| assert!(spec.validate_request(black_box(&list_secrets)).is_empty()));
    });
    group.throughput(Throughput::Bytes(
        serde_json::to_vec(&page).unwrap().len() as u64
    ));
    group.bench_function("pods_page_1000_response", |b| {
        b.iter(|| {
            assert!(
                spec.validate_response(LIST_PODS, 200, black_box(&page))
                    .is_empty()
            )
        });
    });
    group.finish();

    let mut group = c.benchmark_group("synthesize");
    group.bench_function("list_secrets_200", |b| {
        b.iter(|| {
            spec.synthesize(black_box("list_secrets_api_v1_secrets__get"), 200)
                .unwrap()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = spec, validate
}
criterion_main!(benches);
