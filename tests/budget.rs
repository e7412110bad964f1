//! Every evaluation is bounded: a work budget (bytes produced and scanned) and a cap on the text
//! a backtracking regex may scan end hostile expressions with `evaluation-budget-exceeded`,
//! naming the function; lint and simulate report it for the mapping or user and go on.

mod common;

use common::run_with;
use entramap::check;
use entramap::eval::{self, Context, EvalErrorKind, Value};
use entramap::syntax;
use std::collections::BTreeMap;

fn run(expr: &str, a: &str) -> Result<eval::Outcome, eval::EvalError> {
    let checked = check::checked(syntax::parse(expr).unwrap()).unwrap();
    let attrs = BTreeMap::from([("a".to_string(), Value::Str(a.to_string()))]);
    eval::evaluate(&checked, &Context::new(&attrs))
}

#[test]
fn a_lookaround_over_a_long_text_is_refused_by_its_cap() {
    let text = "a".repeat(120_000);
    let err = run(r#"Replace([a], , "(?=a*!)b", , "x", , )"#, &text).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::BudgetExceeded);
    assert!(err.message.starts_with("Replace"), "{}", err.message);
    assert!(err.message.contains("16384"), "{}", err.message);
    // The same pattern over an attribute-sized text runs.
    assert!(run(r#"Replace([a], , "(?=a*!)b", , "x", , )"#, "aaab").is_ok());
}

#[test]
fn an_exponential_pattern_is_stopped_by_the_backtracking_limit() {
    let text = format!("{}!", "a".repeat(40));
    let err = run(r#"Replace([a], , "(a|aa)+\\1b", , "x", , )"#, &text).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::RegexTooComplex);
}

#[test]
fn a_self_amplifying_expression_ends_at_the_budget() {
    // Each Replace copies an 8 MiB value; the eighth copy passes the 64 MiB budget.
    let mut expr = "[a]".to_string();
    for (from, to) in ["ab", "bc", "cd", "de", "ef", "fg", "gh", "hi", "ij"]
        .iter()
        .map(|p| (&p[..1], &p[1..]))
    {
        expr = format!(r#"Replace({expr}, "{from}", , , "{to}", , )"#);
    }
    let err = run(&expr, &"a".repeat(8 * 1024 * 1024)).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::BudgetExceeded);
    assert!(err.message.starts_with("Replace: "), "{}", err.message);
    // Under a larger budget the same expression completes: the budget, not the value cap, stopped it.
    let checked = check::checked(syntax::parse(&expr).unwrap()).unwrap();
    let attrs = BTreeMap::from([("a".to_string(), Value::Str("a".repeat(8 * 1024 * 1024)))]);
    let out = eval::evaluate(&checked, &Context::new(&attrs).with_budget(1 << 30)).unwrap();
    assert_eq!(out.texts()[0].len(), 8 * 1024 * 1024);
    assert!(out.texts()[0].bytes().all(|b| b == b'j'));
}

#[test]
fn lint_reports_a_hostile_active_mapping_and_finishes() {
    let dir = std::env::temp_dir().join(format!("entramap-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hostile.yaml");
    // Each Replace multiplies the `e`s of `True`/`False` by eight: 8^30 if nothing stopped it.
    let mut grow = "[IsSoftDeleted]".to_string();
    for _ in 0..30 {
        grow = format!(r#"Replace({grow}, "e", "eeeeeeee")"#);
    }
    let yaml = format!(
        "mappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: active\n    source: 'Switch({grow}, , \"False\", \"true\", \"True\", \"false\")'\n"
    );
    std::fs::write(&file, yaml).unwrap();
    let path = file.to_str().unwrap();
    let (code, stdout, stderr) = run_with(
        &[
            "lint",
            "--profile",
            "unleash",
            "--format",
            "short",
            "--select",
            "active-not-lowercase-boolean",
            path,
        ],
        "",
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("active-not-lowercase-boolean") && stdout.contains("fails to evaluate"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
