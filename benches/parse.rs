//! Parser throughput over a named table of realistic expressions (criterion reports MB/s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use entramap::syntax;
use std::hint::black_box;

/// Expressions as they appear in real mappings: the default SCIM app, Unleash, HR inbound.
const TABLE: &[(&str, &str)] = &[
    ("direct", "[userPrincipalName]"),
    (
        "active-switch",
        r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#,
    ),
    ("join-name", r#"Join(" ", [givenName], [surname])"#),
    (
        "replace-regex",
        r#"Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${isdCode}-${phoneNumber}", , )"#,
    ),
    (
        "upn-from-hr",
        r#"SelectUniqueValue(
    Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".", Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".", Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com")
)"#,
    ),
    (
        "nested-iif",
        r#"IIF([country]="USA", IIF([department]="Sales", "US-Sales", "US"), IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "Future", "Other"))"#,
    ),
];

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, text) in TABLE {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| syntax::parse(black_box(text)).unwrap())
        });
    }
    // All of them in one go: the throughput a whole mapping file's expressions see.
    let total: u64 = TABLE.iter().map(|(_, t)| t.len() as u64).sum();
    group.throughput(Throughput::Bytes(total));
    group.bench_function("table", |b| {
        b.iter(|| {
            for (_, text) in TABLE {
                black_box(syntax::parse(black_box(text)).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
