//! Linting whole files: load (JSON with exact positions) + every rule, with and without the
//! Unleash profile (which evaluates the active mapping).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entramap::lint::{self, LintOptions};
use entramap::mapping;
use entramap::profile::Profile;
use std::hint::black_box;

const FILES: &[(&str, &str)] = &[
    (
        "default-scim-77k",
        include_str!("../fixtures/mappings/scim-default-user.json"),
    ),
    (
        "default-scim-100k",
        include_str!("../fixtures/mappings/scim-default-user-100k.json"),
    ),
    (
        "unleash-objectmapping",
        include_str!("../fixtures/mappings/unleash-correct.json"),
    ),
];

fn bench_lint(c: &mut Criterion) {
    let mut group = c.benchmark_group("lint");
    let plain = LintOptions::default();
    let unleash = LintOptions {
        profile: Some(Profile::resolve("unleash").unwrap()),
        ..LintOptions::default()
    };
    for (name, text) in FILES {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("load/{name}"), |b| {
            b.iter(|| mapping::load(black_box(text)).unwrap())
        });
        group.bench_function(format!("load+lint/{name}"), |b| {
            b.iter(|| lint::lint(&mapping::load(black_box(text)).unwrap(), &plain))
        });
        group.bench_function(format!("load+lint+unleash/{name}"), |b| {
            b.iter(|| lint::lint(&mapping::load(black_box(text)).unwrap(), &unleash))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_lint);
criterion_main!(benches);
