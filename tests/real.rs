//! Real material (`fixtures/real/`, sources in its README): each file's lint output is
//! snapshotted, and the facts an administrator would check are asserted on their own.

use entramap::cli::render::{self, FileReport};
use entramap::diagnostic::Severity;
use entramap::lint::{self, Finding, LintOptions};
use entramap::mapping;
use entramap::profile::Profile;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/real"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    files.sort();
    files
}

fn unleash() -> LintOptions {
    LintOptions {
        profile: Some(Profile::resolve("unleash").unwrap()),
        ..LintOptions::default()
    }
}

/// The file's findings, or its load error rendered.
fn lint(name: &str, options: &LintOptions) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(root().join("fixtures/real").join(name)).unwrap();
    match mapping::load(&text) {
        Ok(file) => Ok(lint::lint(&file, options)),
        Err(e) => Err(render::human(&e.to_diagnostic(), name, &text, false)),
    }
}

fn report(path: &PathBuf, options: &LintOptions) -> String {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    match lint(&name, options) {
        Ok(findings) => render::short(&[FileReport {
            path: format!("fixtures/real/{name}").into(),
            text,
            findings,
            fingerprints: Vec::new(),
            failed: false,
        }]),
        Err(rendered) => rendered,
    }
}

#[test]
fn every_real_file_lints_as_its_snapshot_says() {
    let files = files();
    assert!(files.len() >= 8, "{} files", files.len());
    for path in &files {
        let stem = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "-");
        insta::assert_snapshot!(stem.clone(), report(path, &LintOptions::default()));
        if stem.starts_with("unleash") {
            insta::assert_snapshot!(format!("{stem}-profile-unleash"), report(path, &unleash()));
        }
    }
}

fn names(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.diagnostic.name).collect()
}

#[test]
fn the_flagship_rule_fires_in_every_file_shape() {
    for name in [
        "unleash-withdrawn-active.json",
        "unleash-withdrawn-active.yaml",
        "unleash-withdrawn-active-shortened-schema.json",
    ] {
        let findings = lint(name, &LintOptions::default()).unwrap();
        let hits = names(&findings)
            .into_iter()
            .filter(|n| *n == "switch-boolean-key-case")
            .count();
        assert_eq!(hits, 2, "{name}: one per lowercase key");
        let with_profile = lint(name, &unleash()).unwrap();
        assert!(
            names(&with_profile).contains(&"active-not-lowercase-boolean"),
            "{name}"
        );
    }
}

#[test]
fn a_shortened_export_is_not_an_error_about_what_it_omits() {
    let findings = lint(
        "unleash-withdrawn-active-shortened-schema.json",
        &LintOptions::default(),
    )
    .unwrap();
    assert!(
        !names(&findings).contains(&"unknown-source-attribute"),
        "IsSoftDeleted is Entra's, whatever a shortened export lists"
    );
}

#[test]
fn non_scim_targets_get_no_scim_attribute_warnings() {
    for name in [
        "graph-objectmapping-salesforce.json",
        "graph-schema-get-salesforce.json",
        "workday-to-ad.yaml",
        "workday-to-entra.yaml",
        "google-workspace-orgunitpath.yaml",
    ] {
        let findings = lint(name, &LintOptions::default()).unwrap();
        assert!(
            !names(&findings).contains(&"unknown-target-attribute"),
            "{name}: {:?}",
            names(&findings)
        );
    }
}

#[test]
fn hire_date_thresholds_are_at_most_an_info() {
    for name in ["workday-to-ad.yaml", "workday-to-entra.yaml"] {
        let findings = lint(name, &LintOptions::default()).unwrap();
        for f in findings
            .iter()
            .filter(|f| f.diagnostic.name == "nondeterministic-always")
        {
            assert_eq!(f.diagnostic.severity, Severity::Info, "{name}: {f:?}");
            assert!(
                f.diagnostic.message.contains("threshold"),
                "{}",
                f.diagnostic.message
            );
        }
    }
}

#[test]
fn placeholders_are_findings_and_the_rest_lints() {
    let findings = lint("graph-schema-get-salesforce.json", &LintOptions::default()).unwrap();
    let placeholders = names(&findings)
        .into_iter()
        .filter(|n| *n == "placeholder")
        .count();
    assert_eq!(
        placeholders, 4,
        "the source, a mapping, an object mapping, a rule"
    );
    assert!(names(&findings).contains(&"missing-matching-attribute"));
}

#[test]
fn salesforce_profile_name_says_users_with_several_roles_fail() {
    let findings = lint(
        "graph-objectmapping-salesforce.json",
        &LintOptions::default(),
    )
    .unwrap();
    let f = findings
        .iter()
        .find(|f| f.diagnostic.name == "single-assignment")
        .unwrap();
    assert_eq!(f.target.as_deref(), Some("ProfileName"));
    assert!(
        f.diagnostic
            .message
            .contains("No more than one app role assignment was expected")
    );
}
