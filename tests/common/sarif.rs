//! Checks every SARIF log the tests produce against the official SARIF 2.1.0 schema (vendored in
//! `tests/sarif/`, see its README) and against GitHub code scanning's documented limits.

use serde_json::Value;

/// GitHub code scanning's documented maximums ("SARIF results exceed limits" in GitHub's docs).
pub const MAX_RUNS: usize = 20;
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
pub const MAX_RULES_PER_RUN: usize = 25_000;
pub const MAX_LOCATIONS_PER_RESULT: usize = 1_000;
pub const MAX_TAGS_PER_RULE: usize = 20;
/// A rule's `fullDescription` as GitHub shows it.
pub const MAX_FULL_DESCRIPTION: usize = 1024;
/// An upload's size (GitHub's limit is on the gzipped file; the plain text is checked here).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

fn validator() -> &'static jsonschema::Validator {
    static V: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let text = include_str!("../sarif/sarif-schema-2.1.0.json");
        let schema: Value = serde_json::from_str(text).expect("the vendored schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the vendored schema compiles")
    })
}

/// Whether `uri` is a URI reference with nothing left raw that needs percent-encoding.
fn clean_uri(uri: &str) -> bool {
    let bytes = uri.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~/:".contains(&b);
        if !allowed {
            return false;
        }
        i += 1;
    }
    true
}

/// Parses `text` as SARIF and asserts that it is valid and fit for GitHub; returns the log.
pub fn check_sarif(text: &str) -> Value {
    assert!(text.len() <= MAX_FILE_BYTES, "SARIF over 10 MB");
    let log: Value = serde_json::from_str(text).expect("SARIF output is JSON");
    let errors: Vec<String> = validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate against the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
    let runs = log["runs"].as_array().expect("runs");
    assert!(runs.len() <= MAX_RUNS);
    for run in runs {
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert!(rules.len() <= MAX_RULES_PER_RUN);
        for rule in rules {
            let full = rule["fullDescription"]["text"]
                .as_str()
                .expect("fullDescription");
            assert!(
                full.chars().count() <= MAX_FULL_DESCRIPTION,
                "{}: fullDescription of {} characters",
                rule["id"],
                full.chars().count()
            );
            assert!(rule["shortDescription"]["text"].is_string(), "{rule}");
            assert!(rule["help"]["text"].is_string() && rule["help"]["markdown"].is_string());
            let tags = rule["properties"]["tags"].as_array().expect("tags");
            assert!(!tags.is_empty() && tags.len() <= MAX_TAGS_PER_RULE);
        }
        assert!(run["tool"]["driver"]["version"].is_string());
        assert!(
            run["invocations"][0]["executionSuccessful"].is_boolean(),
            "every run says whether it succeeded"
        );
        let results = run["results"].as_array().expect("results");
        assert!(results.len() <= MAX_RESULTS_PER_RUN);
        for result in results {
            let fp = result["partialFingerprints"]
                .as_object()
                .expect("every result has partialFingerprints");
            assert!(!fp.is_empty());
            let locations = result["locations"].as_array().expect("locations");
            assert!(locations.len() <= MAX_LOCATIONS_PER_RESULT);
            for loc in locations {
                let artifact = &loc["physicalLocation"]["artifactLocation"];
                let uri = artifact["uri"].as_str().expect("uri");
                assert!(clean_uri(uri), "not percent-encoded: {uri:?}");
                if let Some(base) = artifact["uriBaseId"].as_str() {
                    assert!(
                        run["originalUriBaseIds"][base]["uri"]
                            .as_str()
                            .is_some_and(|u| u.starts_with("file:///") && u.ends_with('/')),
                        "{base} is declared in originalUriBaseIds"
                    );
                }
            }
            let rule = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[rule]["id"], result["ruleId"]);
        }
    }
    log
}
