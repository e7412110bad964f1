//! Simulator throughput (users per second) on generated users, with the default SCIM app
//! mapping and the Unleash mapping, for each output.

#[path = "support/users.rs"]
mod generated;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entramap::mapping;
use entramap::profile::ScimMode;
use entramap::simulate::app::App;
use entramap::simulate::users::UserReader;
use entramap::simulate::{self, Options, Output, Plan};
use std::io;

const USERS: usize = 10_000;

const MAPPINGS: &[(&str, &str)] = &[
    (
        "scim-default",
        include_str!("../fixtures/mappings/scim-default-user.json"),
    ),
    (
        "unleash-correct",
        include_str!("../fixtures/mappings/unleash-correct.json"),
    ),
];

fn bench_simulate(c: &mut Criterion) {
    let mut input = Vec::new();
    generated::generate(USERS, 1, &mut input).unwrap();
    let options = Options {
        mode: ScimMode::Legacy,
        now: "2025-01-01T00:00:00Z".parse().unwrap(),
        seed: 0,
    };
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(USERS as u64));
    group.sample_size(20);
    for (name, text) in MAPPINGS {
        let plan = Plan::new(&mapping::load(text).unwrap()).unwrap();
        for (output, label) in [
            (Output::Resources, "resources"),
            (Output::Requests, "requests"),
        ] {
            group.bench_function(format!("{name}/{label}"), |b| {
                b.iter(|| {
                    let users = UserReader::new(io::Cursor::new(input.clone()));
                    simulate::run(
                        &plan,
                        &options,
                        users,
                        &mut App::new(&plan),
                        output,
                        &mut io::sink(),
                        &mut |_| {},
                    )
                    .unwrap()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_simulate);
criterion_main!(benches);
