//! Property: evaluating any expression tree against any attributes never panics; it returns an
//! outcome or an `EvalError` whose span lies inside the expression.

use entramap::catalogue;
use entramap::eval::{self, Context, Outcome, Value};
use entramap::span::Span;
use entramap::syntax::{Call, Compare, CompareOp, Expr, ExprKind};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Texts that reach the interesting corners: booleans, numbers at the limits, hex, dates in many
/// forms, .NET formats, intervals, regexes (broken and catastrophic), Base64, enum names.
const TEXTS: &[&str] = &[
    "",
    " ",
    "True",
    "false",
    "TRUE",
    "0",
    "1",
    "-1",
    "3",
    "256",
    "257",
    "-14",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "&HFF",
    "&HFFFFFFFFFFFFFFFFFF",
    "&O17",
    "2021-08-24",
    "2020-03-16-07:00",
    "8/25/2021 5:41:18 PM",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2/30/2021",
    "yyyy-MM-dd",
    "yyyyMMddHHmmss.fZ",
    "M/d/yyyy hh:mm:ss tt",
    "ffffffff",
    "'unclosed",
    "%",
    "\\",
    "o",
    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
    "d",
    "ww",
    "yyyy",
    "q",
    "(",
    "(a+)+$",
    "(?<g>a)\\k<g>",
    "^(a|a?)+\\1$",
    "(?<id>.*)@(?<domain>.*)",
    "${id}$1$$$&$`$'$+$_${",
    "vbTextCompare",
    "UTF8",
    "ASCII",
    "SABlAGwAbABvAA==",
    "AQUAAAAAAAUVAAAA3PTcO4M9K0aCi6YoAAIAAA==",
    "not base64!",
    "{\"displayName\":\"Admin\",\"value\":\"a\"}",
    "{broken",
    "cn=Joe\\, Jr,ou=Sales,dc=contoso",
    "Zoë Ørsted-Łukasz İstanbul ß ǆ",
    "😀🇺🇳",
    "a,b,,c",
    "tr-TR",
];

const NAMES: &[&str] = &["a", "b", "mail", "IsSoftDeleted", "multi", "when", "n"];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(TEXTS).prop_map(str::to_string),
        1 => "\\PC{0,12}",
    ]
}

fn function_name() -> impl Strategy<Value = String> {
    let names: Vec<String> = catalogue::catalogue().names().map(str::to_string).collect();
    prop_oneof![
        8 => proptest::sample::select(names),
        1 => proptest::sample::select(vec!["NoSuchFunction".to_string(), "iif".into(), "SWITCH".into(), "Ünïcode".into()]),
    ]
}

fn leaf() -> impl Strategy<Value = ExprKind> {
    prop_oneof![
        4 => text().prop_map(ExprKind::Str),
        2 => proptest::sample::select(vec!["0", "1", "2", "3", "-1", "7", "256", "-14", "129699324000000000", "99999999999999999999"])
            .prop_map(|n| ExprKind::Number(n.to_string())),
        1 => proptest::sample::select(vec!["F", "F7", "FFFFFFFF", "7FFFFFFFFFFFFFFF"]).prop_map(|h| ExprKind::Hex(h.to_string())),
        1 => proptest::sample::select(vec!["vbTextCompare", "vbBinaryCompare", "UTF8", "IgnoreAttributeFlow", "IgnoreObjectFlow", "Other"])
            .prop_map(|i| ExprKind::Ident(i.to_string())),
        3 => proptest::sample::select(NAMES).prop_map(|n| ExprKind::Attribute(n.to_string())),
        2 => Just(ExprKind::Omitted),
    ]
}

fn node(kind: ExprKind, len: usize) -> Expr {
    Expr::new(kind, Span::new(0, len))
}

/// Trees up to four levels deep; spans are set to the whole (pretend) text.
fn expr() -> impl Strategy<Value = Expr> {
    const LEN: usize = 100;
    leaf().prop_map(|k| node(k, LEN)).prop_recursive(4, 48, 7, |inner| {
        prop_oneof![
            6 => (function_name(), proptest::collection::vec(inner.clone(), 0..9), 0..10u8).prop_map(|(name, mut args, pick)| {
                // Mostly an argument count the function accepts, sometimes any.
                if pick > 0 && let Some(spec) = catalogue::lookup(&name) {
                    let (min, max) = spec.arity();
                    let max = max.unwrap_or(min + 4).max(min);
                    let want = min + (args.len() % (max - min + 1));
                    while args.len() < want {
                        args.push(node(ExprKind::Str(String::new()), 100));
                    }
                    args.truncate(want);
                }
                node(ExprKind::Call(Call::new(name, Span::new(0, 3), args)), LEN)
            }),
            1 => (inner.clone(), inner.clone(), proptest::sample::select(CompareOp::ALL.to_vec())).prop_map(|(left, right, op)| {
                node(ExprKind::Compare(Box::new(Compare { op, op_span: Span::new(1, 2), left, right })), LEN)
            }),
            1 => proptest::collection::vec(inner, 1..4).prop_map(|parts| node(ExprKind::Concat(parts), LEN)),
        ]
    })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        4 => text().prop_map(Value::Str),
        2 => proptest::collection::vec(text(), 0..4).prop_map(Value::Multi),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::Int),
        1 => prop_oneof![
            Just(jiff::Timestamp::MIN),
            Just(jiff::Timestamp::MAX),
            (-62_135_596_800i64..253_402_300_799).prop_map(|s| jiff::Timestamp::from_second(s).unwrap()),
        ]
        .prop_map(|t| Value::Date(entramap::dotnet::from_timestamp(t))),
        // The last .NET date, a tick before the civil range ends.
        1 => Just(Value::Date(jiff::civil::DateTime::constant(9999, 12, 31, 23, 59, 59, 999_999_900))),
    ]
}

fn attributes() -> impl Strategy<Value = BTreeMap<String, Value>> {
    proptest::collection::btree_map(
        proptest::sample::select(NAMES).prop_map(str::to_string),
        value(),
        0..6,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_never_panics(e in expr(), attrs in attributes(), seed in any::<u64>(), existing in proptest::collection::vec(text(), 0..3)) {
        let now = jiff::Timestamp::from_second(1_629_913_278).unwrap();
        let ctx = Context::new(&attrs).with_now(now).with_seed(seed).with_existing(&existing);
        // Unknown functions and wrong arities stop at the check stage; the rest must evaluate
        // without panicking.
        let Ok(e) = entramap::check::checked(e) else { return Ok(()) };
        let result = eval::evaluate(&e, &ctx);
        if std::env::var_os("ENTRAMAP_PROP_STATS").is_some() {
            eprintln!("STAT {}", match &result { Ok(o) => o.name().to_string(), Err(e) => e.kind.name().to_string() });
        }
        match result {
            Ok(Outcome::Value(v)) => {
                // Whatever flows can be printed.
                let _ = v.texts();
                prop_assert!(!matches!(v, Value::Null));
            }
            Ok(_) => {}
            Err(err) => {
                prop_assert!(err.span.end as usize <= 100);
                prop_assert!(!err.message.is_empty());
                let _ = err.to_diagnostic();
            }
        }
    }
}
