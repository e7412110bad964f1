//! Evaluation speed per user: every User attribute mapping of the default SCIM app
//! (`fixtures/mappings/scim-default-user.json`, 22 mappings) and of Unleash's guide
//! (`fixtures/mappings/unleash-seed.json`, 5 mappings) and the corrected Unleash mapping
//! (`fixtures/mappings/unleash-correct.json`, 5 mappings), evaluated for a realistic user (the first
//! user of `fixtures/users/users.json`, with Graph's property names turned into Entra's
//! attribute names). The expressions are parsed once, as a simulator over many users would.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entramap::eval::{self, Context, Value};
use entramap::syntax;
use std::collections::HashMap;
use std::hint::black_box;

fn fixture(path: &str) -> serde_json::Value {
    let path = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The parsed source expressions of the User object mapping of a schema export.
fn user_mapping(path: &str) -> Vec<entramap::check::Checked> {
    let schema = fixture(path);
    // A whole export, or one object mapping (unleash-correct.json).
    let mappings = if schema["attributeMappings"].is_array() {
        &schema
    } else {
        schema["synchronizationRules"][0]["objectMappings"]
            .as_array()
            .expect("objectMappings")
            .iter()
            .find(|m| m["sourceObjectName"] == "User")
            .expect("a User mapping")
    };
    mappings["attributeMappings"]
        .as_array()
        .expect("attributeMappings")
        .iter()
        .filter_map(|m| m["source"]["expression"].as_str())
        .map(|text| {
            entramap::check::checked(syntax::parse(text).expect("the fixture's expressions parse"))
                .expect("the fixture's expressions check")
        })
        .collect()
}

/// Entra's source attribute name for a Graph user property.
fn entra_name(graph_name: &str) -> &str {
    match graph_name {
        "id" => "objectId",
        "mobilePhone" => "mobile",
        "officeLocation" => "physicalDeliveryOfficeName",
        "faxNumber" => "facsimileTelephoneNumber",
        other => other,
    }
}

/// The first user of the Graph users fixture, under Entra's source attribute names.
fn realistic_user() -> HashMap<String, Value> {
    let users = fixture("users/users.json");
    let user = users["value"][0].as_object().expect("a user").clone();
    let mut attributes: HashMap<String, Value> = user
        .iter()
        .map(|(k, v)| {
            let name = entra_name(k);
            (
                name.to_string(),
                Value::from_json(name, v).expect("valid input"),
            )
        })
        .collect();
    let phone = user["businessPhones"][0].as_str().unwrap_or_default();
    attributes.insert("telephoneNumber".into(), Value::Str(phone.to_string()));
    attributes.insert("IsSoftDeleted".into(), Value::Bool(false));
    attributes
}

fn bench_eval(c: &mut Criterion) {
    let user = realistic_user();
    let ctx = Context::new(&user);
    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Elements(1));
    for (name, path) in [
        ("scim-default-user", "mappings/scim-default-user.json"),
        ("unleash-user", "mappings/unleash-seed.json"),
        ("unleash-correct", "mappings/unleash-correct.json"),
    ] {
        let exprs = user_mapping(path);
        // Every mapping evaluates (a user in scope flows values, never errors).
        for e in &exprs {
            eval::evaluate(e, &ctx).expect("evaluates");
        }
        group.bench_function(name, |b| {
            b.iter(|| {
                for e in &exprs {
                    black_box(eval::evaluate(black_box(e), &ctx).unwrap());
                }
            })
        });
    }
    let active = entramap::check::checked(
        syntax::parse(r#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#).unwrap(),
    )
    .unwrap();
    group.bench_function("active-switch", |b| {
        b.iter(|| black_box(eval::evaluate(black_box(&active), &ctx).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench_eval);
criterion_main!(benches);
