//! How fast the generated models decode the largest answers the API sends:
//! a 1,000-pod page and the availability lists, in MB/s of compact JSON.
//!
//! The items are the contract's own maximal instances (every optional field
//! filled), synthesized from the vendored spec, so the figures follow the
//! document as it changes, which is why this bench lives in pi-contract
//! rather than beside the types. Run with `cargo bench -p pi-contract
//! --bench decode` or, with the other benchmarks and a report,
//! `cargo xtask bench`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pi_contract::Spec;
use pi_types::{GpuAvailabilityList, GpuOffersByType, GpuType, Page, Pod, WireEnum};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const LIST_PODS: &str = "get_pods_api_v1_pods__get";
const GPU_OFFERS: &str = "get_gpu_availability_api_v1_availability_gpus_get";
const ITEMS: usize = 1_000;

/// Short runs under `PI_BENCH_QUICK=1` (what `cargo xtask bench --quick` sets).
fn criterion_config() -> Criterion {
    let quick = std::env::var_os("PI_BENCH_QUICK").is_some_and(|v| v == "1");
    let (warm_up, measure) = if quick { (0.5, 1.5) } else { (3.0, 5.0) };
    Criterion::default()
        .warm_up_time(Duration::from_secs_f64(warm_up))
        .measurement_time(Duration::from_secs_f64(measure))
}

/// The first item of the array at `field` in the maximal 200 answer of
/// `operation`.
fn maximal_item(spec: &Spec, operation: &str, field: &str) -> Value {
    let answer = spec.synthesize(operation, 200).unwrap();
    answer.maximal()[field][0].clone()
}

/// `count` copies of `item`, each with its own `id`-like field, so the
/// decoder cannot profit from identical strings.
fn copies(item: &Value, count: usize, id_field: &str) -> Vec<Value> {
    (0..count)
        .map(|n| {
            let mut copy = item.clone();
            copy[id_field] = json!(format!("item-{n:06}"));
            copy
        })
        .collect()
}

fn bench_decode<T: DeserializeOwned>(c: &mut Criterion, name: &str, body: &[u8]) {
    // Decoding once up front proves the fixture fits the model, so the loop
    // measures successful decodes only.
    serde_json::from_slice::<T>(body).unwrap();
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(name, |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(body)).unwrap());
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let spec = Spec::vendored();

    let pod = maximal_item(&spec, LIST_PODS, "data");
    let page = json!({
        "total_count": ITEMS * 3, "offset": 0, "limit": ITEMS,
        "data": copies(&pod, ITEMS, "id"),
    });
    let page = serde_json::to_vec(&page).unwrap();
    assert_eq!(
        serde_json::from_slice::<Page<Pod>>(&page).unwrap().len(),
        ITEMS
    );
    bench_decode::<Page<Pod>>(c, "pods_page_1000", &page);

    let offer = maximal_item(&spec, GPU_OFFERS, "items");
    let offers = copies(&offer, ITEMS, "cloudId");
    let list = json!({"items": offers, "totalCount": ITEMS});
    bench_decode::<GpuAvailabilityList>(
        c,
        "availability_1000",
        &serde_json::to_vec(&list).unwrap(),
    );

    // The older calls group offers by GPU type: ten types of 100 offers.
    let gpu_types = &GpuType::KNOWN[..10];
    let by_type: serde_json::Map<String, Value> = gpu_types
        .iter()
        .map(|gpu| {
            (
                gpu.to_string(),
                Value::Array(copies(&offer, ITEMS / 10, "cloudId")),
            )
        })
        .collect();
    let by_type = serde_json::to_vec(&by_type).unwrap();
    assert_eq!(
        serde_json::from_slice::<GpuOffersByType>(&by_type)
            .unwrap()
            .0
            .len(),
        gpu_types.len()
    );
    bench_decode::<GpuOffersByType>(c, "availability_by_type_1000", &by_type);
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = decode
}
criterion_main!(benches);
