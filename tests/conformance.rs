//! Runs every documented example: each case of `fixtures/conformance/*.yaml` and each `examples`
//! entry of `grammar/functions.yaml`, and checks that the catalogue and the evaluator's table of
//! implementations agree.
//!
//! A case that does not pass yet is listed in `fixtures/conformance/skip.yaml` with a reason; a
//! skipped case that starts passing is reported too, so that the list only shrinks.

use entramap::catalogue;
use entramap::eval::{self, Context, EvalErrorKind, Outcome, Value};
use entramap::functions::{self, Implementation};
use entramap::syntax;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    expr: String,
    #[serde(default)]
    inputs: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    existing: Vec<String>,
    #[serde(default)]
    expect: Option<serde_json::Value>,
    #[serde(default)]
    outcome: Option<String>,
    #[allow(dead_code)]
    source: String,
    /// What the source document claims, where it differs from `expect`.
    #[serde(default)]
    #[allow(dead_code)]
    documented: Option<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Skip {
    file: String,
    case: String,
    reason: String,
}

/// The clock for cases that do not pin one: fixed, so that results never depend on the day.
const DEFAULT_NOW: &str = "2024-01-15T12:00:00Z";

/// What a case expects.
enum Expected<'a> {
    Texts(Vec<String>),
    Outcome(&'a str),
}

/// Evaluates one case; `Err` says why it does not pass.
fn check(
    expr: &str,
    inputs: &BTreeMap<String, serde_json::Value>,
    now: Option<&str>,
    existing: &[String],
    expected: Expected<'_>,
    not_supported_is_ok: bool,
) -> Result<(), String> {
    let parsed =
        syntax::parse(expr).map_err(|e| format!("does not parse: {}", e.kind.message()))?;
    let mut attributes = BTreeMap::new();
    for (name, json) in inputs {
        attributes.insert(name.clone(), Value::from_json(name, json)?);
    }
    let now = now.unwrap_or(DEFAULT_NOW);
    let now = now
        .parse::<jiff::Timestamp>()
        .or_else(|_| {
            eval::value::parse_date(now)
                .map_err(|e| e.message)
                .and_then(|i| {
                    jiff::tz::Offset::UTC
                        .to_timestamp(i)
                        .map_err(|e| e.to_string())
                })
        })
        .map_err(|e| format!("bad `now` {now:?}: {e}"))?;
    let ctx = Context::new(&attributes)
        .with_now(now)
        .with_existing(existing);
    let result = match entramap::check::checked(parsed) {
        Ok(checked) => eval::evaluate(&checked, &ctx),
        Err(problem) => {
            // A call the check stage refuses (unknown function, wrong arity) is an error case.
            return match expected {
                Expected::Outcome("error") => Ok(()),
                _ => Err(format!("does not check: {}", problem.message)),
            };
        }
    };
    let got = match &result {
        Ok(Outcome::Value(v)) => format!("value {:?}", v.texts()),
        Ok(other) => other.name().to_string(),
        Err(e) => format!("error {}: {}", e.kind.name(), e.message),
    };
    let ok = match (&expected, &result) {
        (Expected::Texts(want), Ok(Outcome::Value(v))) => &v.texts() == want,
        (Expected::Texts(_), _) => false,
        (Expected::Outcome("error"), Err(_)) => true,
        (Expected::Outcome(_), Err(e)) => {
            not_supported_is_ok && e.kind == EvalErrorKind::NotSupportedOffline
        }
        (Expected::Outcome(name), Ok(outcome)) => outcome.name() == *name,
    };
    if ok {
        return Ok(());
    }
    let want = match expected {
        Expected::Texts(t) => format!("value {t:?}"),
        Expected::Outcome(o) => o.to_string(),
    };
    Err(format!("expected {want}, got {got}"))
}

fn expected<'a>(
    expect: Option<&serde_json::Value>,
    outcome: Option<&'a str>,
) -> Result<Expected<'a>, String> {
    const OUTCOMES: [&str; 6] = [
        "value",
        "no-value",
        "ignore-flow",
        "ignore-attribute-flow",
        "ignore-object-flow",
        "error",
    ];
    match (expect, outcome) {
        (Some(serde_json::Value::String(s)), None) => Ok(Expected::Texts(vec![s.clone()])),
        (Some(serde_json::Value::Array(items)), None) => items
            .iter()
            .map(|i| match i {
                serde_json::Value::String(s) => Ok(s.clone()),
                other => Err(format!("malformed case: expect list holds {other}")),
            })
            .collect::<Result<_, _>>()
            .map(Expected::Texts),
        (Some(other), None) => Err(format!(
            "malformed case: expect must be a string or a list of strings, not {other}"
        )),
        (None, Some(o)) if OUTCOMES.contains(&o) => Ok(Expected::Outcome(o)),
        (None, Some(o)) => Err(format!("malformed case: unknown outcome {o:?}")),
        (Some(_), Some(_)) => Err("malformed case: both expect and outcome".into()),
        (None, None) => Err("malformed case: neither expect nor outcome".into()),
    }
}

fn conformance_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/conformance"))
}

#[test]
fn conformance_corpus() {
    let dir = conformance_dir();
    let skip_text = std::fs::read_to_string(dir.join("skip.yaml")).unwrap_or_default();
    let skips: Vec<Skip> = if skip_text.trim().is_empty() {
        Vec::new()
    } else {
        serde_saphyr::from_str(&skip_text).expect("fixtures/conformance/skip.yaml is malformed")
    };
    let skipped: BTreeMap<(String, String), &str> = skips
        .iter()
        .map(|s| ((s.file.clone(), s.case.clone()), s.reason.as_str()))
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures/conformance exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && p.file_name().is_some_and(|n| n != "skip.yaml")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no conformance files");
    let (mut passed, mut skipped_count) = (0, 0);
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let cases: CaseFile = match serde_saphyr::from_str(&text) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{file}: malformed file: {e}"));
                continue;
            }
        };
        for case in &cases.cases {
            let key = (file.clone(), case.name.clone());
            if !seen.insert(key.clone()) {
                failures.push(format!(
                    "{file}: {}: the case name is used twice",
                    case.name
                ));
            }
            let result = expected(case.expect.as_ref(), case.outcome.as_deref()).and_then(|want| {
                check(
                    &case.expr,
                    case.inputs.as_ref().unwrap_or(&BTreeMap::new()),
                    case.now.as_deref(),
                    &case.existing,
                    want,
                    false,
                )
            });
            match (result, skipped.get(&key)) {
                (Ok(()), None) => passed += 1,
                (Ok(()), Some(_)) => failures.push(format!(
                    "{file}: {}: passes now; remove it from skip.yaml",
                    case.name
                )),
                (Err(_), Some(_)) => skipped_count += 1,
                (Err(why), None) => failures.push(format!(
                    "{file}: {}: {why}\n    expr: {}",
                    case.name, case.expr
                )),
            }
        }
    }
    for (file, case) in skipped.keys() {
        if !seen.contains(&(file.clone(), case.clone())) {
            failures.push(format!("skip.yaml: {file}: {case}: no such case"));
        }
    }
    eprintln!(
        "conformance: {passed} passed, {skipped_count} skipped, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} conformance failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn catalogue_examples() {
    let mut failures = Vec::new();
    let mut count = 0;
    for f in &catalogue::catalogue().functions {
        for (i, ex) in f.examples().iter().enumerate() {
            count += 1;
            let inputs: BTreeMap<String, serde_json::Value> = ex.inputs.clone();
            let result = expected(ex.expect.as_ref(), ex.outcome.as_deref()).and_then(|want| {
                check(
                    &ex.expr,
                    &inputs,
                    ex.now.as_deref(),
                    &ex.existing,
                    want,
                    f.availability == catalogue::Availability::GraphOnly,
                )
            });
            if let Err(why) = result {
                failures.push(format!(
                    "{} example {}: {why}\n    expr: {}",
                    f.name,
                    i + 1,
                    ex.expr
                ));
            }
        }
    }
    assert!(count > 0);
    assert!(
        failures.is_empty(),
        "{} catalogue examples fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_catalogue_function_has_an_implementation() {
    let names: BTreeSet<&str> = catalogue::catalogue().names().collect();
    let mut table = BTreeSet::new();
    for (name, implementation) in functions::IMPLEMENTATIONS {
        assert!(
            table.insert(*name),
            "{name} is listed twice in IMPLEMENTATIONS"
        );
        assert!(
            names.contains(name),
            "{name} has an implementation but is not in grammar/functions.yaml"
        );
        if let Implementation::NotSupported(why) = implementation {
            assert!(!why.is_empty());
        }
    }
    for name in &names {
        assert!(
            table.contains(name),
            "{name} is in the catalogue but has no implementation (add a Native or NotSupported entry)"
        );
        let id = catalogue::resolve(&name.to_uppercase()).unwrap();
        assert!(functions::implementation(id).is_some());
    }
}
