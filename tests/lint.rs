//! Every rule against its fixtures: `fixtures/lint/<rule>/invalid.*` must raise it, `valid.*` must
//! not, and the rendered diagnostics of every invalid fixture are snapshotted.

use entramap::cli::render::{self, FileReport};
use entramap::lint::{self, LintOptions, RULES};
use entramap::mapping;
use entramap::profile::Profile;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn options_for(rule: &str) -> LintOptions {
    let meta = lint::find_rule(rule).unwrap();
    // Profile rules (EM1xx) are checked against the built-in Unleash profile, or the profile
    // that has what the rule checks.
    let profile = match rule {
        "active-not-equivalent" | "groups-unsupported" | "object-action-disabled" => "pagerduty",
        "required-source" => "grafana",
        _ => "unleash",
    };
    LintOptions {
        profile: meta
            .code
            .starts_with("EM1")
            .then(|| Profile::resolve(profile).unwrap()),
        ..LintOptions::default()
    }
}

/// Rules that need more than a mapping file: `value-rule` needs users (`lint --users`), and is
/// tested in `tests/profiles.rs`.
const NEEDS_USERS: &[&str] = &["value-rule"];

fn lint_file(path: &Path, options: &LintOptions) -> FileReport {
    let text = std::fs::read_to_string(path).unwrap();
    let file = mapping::load(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let findings = lint::lint(&file, options);
    let name = path
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    FileReport {
        path: name.into(),
        text,
        findings,
        fingerprints: Vec::new(),
        failed: false,
    }
}

#[test]
fn every_rule_has_fixtures_that_raise_it_and_fixtures_that_do_not() {
    let mut missing = Vec::new();
    for rule in RULES {
        let meta = rule.meta();
        if NEEDS_USERS.contains(&meta.name) {
            continue;
        }
        let dir = root().join("fixtures/lint").join(meta.name);
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        let (mut valid, mut invalid) = (0, 0);
        let options = options_for(meta.name);
        let mut sorted = files.clone();
        sorted.sort();
        for path in sorted {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut options = options.clone();
            if stem.contains("compliant") {
                options.scim_mode = entramap::profile::ScimMode::Compliant;
            }
            let report = lint_file(&path, &options);
            let hits: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.diagnostic.name == meta.name)
                .collect();
            if stem.starts_with("invalid") {
                invalid += 1;
                assert!(
                    !hits.is_empty(),
                    "{} does not raise {}",
                    report.path.display(),
                    meta.name
                );
                let mut only = report;
                only.findings.retain(|f| f.diagnostic.name == meta.name);
                let ext = path.extension().unwrap().to_string_lossy().into_owned();
                let rendered = format!(
                    "{}\n{}",
                    render::short(std::slice::from_ref(&only)),
                    render::human_reports(
                        std::slice::from_ref(&only),
                        &render::Output {
                            color: false,
                            width: Some(100),
                            unsafe_fixes: false,
                        }
                    )
                );
                insta::assert_snapshot!(format!("{}-{stem}-{ext}", meta.name), rendered);
            } else if stem.starts_with("valid") {
                valid += 1;
                assert!(
                    hits.is_empty(),
                    "{} raises {}: {:#?}",
                    report.path.display(),
                    meta.name,
                    hits[0].diagnostic
                );
            }
        }
        if valid == 0 || invalid == 0 {
            missing.push(meta.name);
        }
    }
    assert!(
        missing.is_empty(),
        "rules without a valid and an invalid fixture: {missing:?}"
    );
}

#[test]
fn every_rule_documents_what_why_example_fix() {
    let mut codes = std::collections::HashSet::new();
    for rule in RULES {
        let m = rule.meta();
        assert!(codes.insert(m.code), "code {} twice", m.code);
        for heading in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(m.doc.contains(heading), "{} lacks {heading}", m.name);
        }
        assert!(
            m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            m.name
        );
        let file = root()
            .join("src/lint/rules")
            .join(format!("{}.rs", m.name.replace('-', "_")));
        assert!(
            file.exists(),
            "{} is not in its own file {}",
            m.name,
            file.display()
        );
    }
}

fn position_of(report: &FileReport, rule: &str) -> (usize, usize) {
    let f = report
        .findings
        .iter()
        .find(|f| f.diagnostic.name == rule)
        .unwrap();
    let span = f.diagnostic.primary_span().unwrap();
    let p = entramap::LineIndex::new(&report.text).line_col(&report.text, span.start as usize);
    (p.line, p.column)
}

#[test]
fn a_finding_inside_an_escaped_json_expression_points_at_the_file_character() {
    let report = lint_file(
        &root().join("fixtures/lint/unknown-function/invalid.json"),
        &LintOptions::default(),
    );
    let f = report
        .findings
        .iter()
        .find(|f| f.diagnostic.name == "unknown-function")
        .unwrap();
    let span = f.diagnostic.primary_span().unwrap();
    assert_eq!(
        &report.text[span.range()],
        "Jion",
        "the span covers the name as written in the file"
    );
    let (line, column) = position_of(&report, "unknown-function");
    let expected_line = report
        .text
        .lines()
        .position(|l| l.contains("\"expression\": \"Jion("))
        .unwrap()
        + 1;
    let expected_column = report
        .text
        .lines()
        .nth(expected_line - 1)
        .unwrap()
        .find("Jion")
        .unwrap()
        + 1;
    assert_eq!((line, column), (expected_line, expected_column));
    assert!(
        report.text.contains(r#"Jion(\"\u00e9\", [mail])"#),
        "the fixture keeps the escapes"
    );
}

#[test]
fn crlf_files_report_the_same_positions() {
    let path = root().join("fixtures/lint/unknown-source-attribute/invalid.yaml");
    let lf = lint_file(&path, &LintOptions::default());
    let crlf_text = lf.text.replace('\n', "\r\n");
    let file = mapping::load(&crlf_text).unwrap();
    let crlf = FileReport {
        path: lf.path.clone(),
        findings: lint::lint(&file, &LintOptions::default()),
        text: crlf_text,
        fingerprints: Vec::new(),
        failed: false,
    };
    assert_eq!(render::short(&[lf]), render::short(&[crlf]));
}

#[test]
fn findings_in_yaml_scalars_of_every_style_point_at_the_file_character() {
    let head = "source: User\ntarget: User\nmappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: displayName\n";
    let cases = [
        (
            "double-quoted",
            "    source: \"Jion(\\\"\\u00e9\\\", [mail])\"\n",
        ),
        ("single-quoted", "    source: 'Jion(\"é\", [mail])'\n"),
        ("plain", "    source: Jion(\"é\", [mail])\n"),
        (
            "literal block",
            "    source: |\n      Jion(\"é\",\n        [mail])\n",
        ),
        (
            "folded block",
            "    source: >-\n      Jion(\"é\",\n      [mail])\n",
        ),
    ];
    for (style, tail) in cases {
        for newline in ["\n", "\r\n"] {
            let text = format!("{head}{tail}").replace('\n', newline);
            let file = mapping::load(&text).unwrap_or_else(|e| panic!("{style}: {e}"));
            let findings = lint::lint(&file, &LintOptions::default());
            let f = findings
                .iter()
                .find(|f| f.diagnostic.name == "unknown-function")
                .unwrap_or_else(|| panic!("{style}: no finding"));
            let span = f.diagnostic.primary_span().unwrap();
            assert_eq!(&text[span.range()], "Jion", "{style} {newline:?}");
            let p = entramap::LineIndex::new(&text).line_col(&text, span.start as usize);
            let line = text.lines().position(|l| l.contains("Jion")).unwrap() + 1;
            let column = text.lines().nth(line - 1).unwrap().find("Jion").unwrap() + 1;
            assert_eq!((p.line, p.column), (line, column), "{style} {newline:?}");
        }
    }
}

/// Lints a file given as text with the default options; the rule names of its findings.
fn rule_names(text: &str, options: &LintOptions) -> Vec<&'static str> {
    let file = mapping::load(text).unwrap();
    lint::lint(&file, options)
        .iter()
        .map(|f| f.diagnostic.name)
        .collect()
}

#[test]
fn one_mistake_gives_one_finding_from_the_more_specific_rule() {
    let bare = r#"[{"targetAttributeName": "active",
        "source": {"type": "Function", "name": "Switch", "expression": "Switch([IsSoftDeleted])"}}]"#;
    assert_eq!(
        rule_names(bare, &LintOptions::default()),
        ["switch-odd-arguments"]
    );
    // With the specific rule off, the general one still reports the mistake.
    let options = LintOptions {
        ignore: vec!["switch-odd-arguments".into()],
        ..LintOptions::default()
    };
    assert_eq!(rule_names(bare, &options), ["wrong-argument-count"]);
    // A general finding elsewhere in the same mapping stays.
    let yaml = "mappings:\n  - target: active\n    source: Switch(Left([mail]), , \"x\")\n";
    let mut names = rule_names(yaml, &LintOptions::default());
    names.sort();
    assert_eq!(names, ["switch-odd-arguments", "wrong-argument-count"]);
}

#[test]
fn a_bare_list_is_judged_as_the_profiles_object_only_with_a_profile() {
    let bare = "mappings:\n  - target: displayName\n    source: '[displayName]'\n";
    let names = rule_names(bare, &LintOptions::default());
    assert!(!names.contains(&"missing-matching-attribute"), "{names:?}");
    let options = LintOptions {
        profile: Some(Profile::resolve("unleash").unwrap()),
        ..LintOptions::default()
    };
    let file = mapping::load(bare).unwrap();
    let findings = lint::lint(&file, &options);
    let matching = findings
        .iter()
        .find(|f| f.diagnostic.name == "missing-matching-attribute")
        .expect("judged as unleash's User object");
    assert!(
        matching
            .diagnostic
            .message
            .contains("bare list of attribute mappings, checked as unleash's `User` object"),
        "{}",
        matching.diagnostic.message
    );
}

#[test]
fn values_that_change_every_cycle_are_still_warnings() {
    let yaml = "mappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: externalId\n    source: Guid()\n  - target: password\n    source: RandomString(12, 1, 1, 1, 1)\n  - target: nickName\n    source: Join(\"-\", [mailNickname], Now())\n";
    let file = mapping::load(yaml).unwrap();
    let findings = lint::lint(&file, &LintOptions::default());
    let warned: Vec<&str> = findings
        .iter()
        .filter(|f| {
            f.diagnostic.name == "nondeterministic-always"
                && f.diagnostic.severity == entramap::diagnostic::Severity::Warning
        })
        .filter_map(|f| f.target.as_deref())
        .collect();
    assert_eq!(warned, ["externalId", "password", "nickName"]);
}
