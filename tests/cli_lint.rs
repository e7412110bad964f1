//! `entramap lint` as users and pre-commit run it: the Unleash case end to end, output formats,
//! fixes, configuration, exit codes.

mod common;
#[path = "common/sarif.rs"]
mod sarif;

fn run(args: &[&str]) -> (i32, String, String) {
    common::run_with(args, "")
}
use std::path::{Path, PathBuf};

fn json_lint(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}")),
    )
}

fn names(report: &serde_json::Value, severity: &str) -> Vec<String> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["severity"] == severity)
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

/// The first diagnostic of the first file with this rule name.
fn first_named<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no {name} finding: {report}"))
}

/// A scratch copy of a fixture in its own folder (so no .entramap.yaml above it applies).
fn scratch(fixture: &str, tag: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("entramap-cli-lint-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
    let dst = dir.join(src.file_name().unwrap());
    std::fs::copy(&src, &dst).unwrap();
    (dir, dst.to_string_lossy().into_owned())
}

#[test]
fn seed_mapping_never_flows_active() {
    let (code, report) = json_lint(&[
        "--profile",
        "unleash",
        "fixtures/mappings/unleash-seed.json",
    ]);
    assert_eq!(code, 1);
    let errors = names(&report, "error");
    assert!(
        errors.contains(&"active-not-lowercase-boolean".to_string()),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .all(|e| e == "active-not-lowercase-boolean" || e == "switch-boolean-key-case"),
        "no other error: {errors:?}"
    );
    let d = first_named(&report, "active-not-lowercase-boolean");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("no value ever flows"),
        "{d}"
    );
    assert_eq!(d["target"], "active");
    assert_eq!(d["fix"]["safe"], true);
}

#[test]
fn correct_mapping_is_clean() {
    let (code, out, err) = run(&[
        "lint",
        "--profile",
        "unleash",
        "--scim-mode",
        "compliant",
        "fixtures/mappings/unleash-correct.json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no problems in 1 file"), "{out}");
    // In legacy mode, only the info recommending ?aadOptscim062020 (exit 0).
    let (code, out, err) = run(&[
        "lint",
        "--profile",
        "unleash",
        "fixtures/mappings/unleash-correct.json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("0 errors, 0 warnings, 1 info in 1 file"),
        "{out}"
    );
}

#[test]
fn default_scim_export_reports_every_extra_target_and_capitalised_active() {
    let (code, report) = json_lint(&[
        "--profile",
        "unleash",
        "fixtures/mappings/scim-default-user.json",
    ]);
    assert_eq!(code, 1);
    let errors = names(&report, "error");
    let extra = errors.iter().filter(|e| *e == "target-not-allowed").count();
    // The default User mapping writes 17 targets besides the five Unleash keeps.
    assert_eq!(extra, 17, "{errors:?}");
    let active = first_named(&report, "active-not-lowercase-boolean");
    assert!(
        active["message"].as_str().unwrap().contains("capitalised"),
        "{active}"
    );
}

#[test]
fn gallery_default_passes_only_in_compliant_mode() {
    let file = "fixtures/mappings/unleash-gallery-default.json";
    let (code, report) = json_lint(&["--profile", "unleash", file]);
    assert_eq!(code, 1);
    assert!(names(&report, "error").contains(&"active-not-lowercase-boolean".to_string()));
    let (code, report) = json_lint(&["--profile", "unleash", "--scim-mode", "compliant", file]);
    assert!(
        !names(&report, "error").contains(&"active-not-lowercase-boolean".to_string()),
        "{report}"
    );
    let _ = code;
}

#[test]
fn fix_turns_the_seed_into_a_clean_mapping_changing_only_the_expression_and_its_tree() {
    let (dir, path) = scratch("fixtures/mappings/unleash-seed.json", "fix");
    let before = std::fs::read_to_string(&path).unwrap();
    let (code, diff, _) = run(&["lint", "--profile", "unleash", "--diff", &path]);
    assert_eq!(code, 1, "the diff run reports the findings' verdict");
    assert!(diff.contains(r#"+        "expression": "Switch([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\")","#) || diff.contains("Switch([IsSoftDeleted], , \\\"False\\\""), "{diff}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        before,
        "--diff writes nothing"
    );

    let (code, out, err) = run(&[
        "lint",
        "--profile",
        "unleash",
        "--fix",
        "--format",
        "short",
        &path,
    ]);
    assert!(
        err.contains("fixed 3 problems"),
        "three findings fixed: {err}"
    );
    assert!(
        !out.contains("error["),
        "the fixed file lints without errors: {out}"
    );
    assert_eq!(code, 0, "{out}");
    let after = std::fs::read_to_string(&path).unwrap();
    // Only the active mapping's source changed: every line outside it is identical.
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert!(!changed.is_empty());
    for (old, new) in &changed {
        let both = format!("{old}\n{new}");
        assert!(
            both.contains("alse") || both.contains("rue") || both.contains("Switch"),
            "unexpected change:\n- {old}\n+ {new}"
        );
    }
    let export: serde_json::Value = serde_json::from_str(&after).unwrap();
    let rule = &export["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"];
    let active = rule
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["targetAttributeName"] == "active")
        .unwrap();
    assert_eq!(
        active["source"]["expression"],
        r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#
    );
    let keys: Vec<&str> = active["source"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["IsSoftDeleted", "False", "true", "True", "false"],
        "the Graph tree follows the expression"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unsafe_fixes_remove_disallowed_mappings_only_when_asked() {
    let (dir, path) = scratch("fixtures/mappings/scim-default-user.json", "unsafe");
    run(&["lint", "--profile", "unleash", "--fix", &path]);
    let (_, report) = json_lint(&["--profile", "unleash", &path]);
    assert_eq!(
        names(&report, "error")
            .iter()
            .filter(|e| *e == "target-not-allowed")
            .count(),
        17,
        "safe fixes keep them"
    );
    let (code, out, err) = run(&[
        "lint",
        "--profile",
        "unleash",
        "--fix",
        "--unsafe-fixes",
        &path,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let users = &export["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"];
    let targets: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["targetAttributeName"].as_str().unwrap())
        .collect();
    assert_eq!(targets.len(), 5, "{targets:?}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn pre_commit_run_skips_files_that_are_not_mappings() {
    let dir = std::env::temp_dir().join(format!(
        "entramap-cli-lint-precommit-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let pkg = dir.join("package.json");
    std::fs::write(
        &pkg,
        r#"{"name": "app", "version": "1.0.0", "scripts": {"test": "jest"}}"#,
    )
    .unwrap();
    let ci = dir.join("ci.yaml");
    std::fs::write(
        &ci,
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    )
    .unwrap();
    let correct = "fixtures/mappings/unleash-correct.json";
    let seed = "fixtures/mappings/unleash-seed.json";
    // As the hook's entry runs it: several files at once, some not mappings.
    let (code, out, err) = run(&[
        "lint",
        "--format",
        "short",
        "--skip-non-mappings",
        "--profile",
        "unleash",
        pkg.to_str().unwrap(),
        correct,
        ci.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.is_empty(), "skipped quietly: {err}");
    let (code, out, _) = run(&[
        "lint",
        "--format",
        "short",
        "--skip-non-mappings",
        "--profile",
        "unleash",
        pkg.to_str().unwrap(),
        seed,
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("unleash-seed.json:") && out.contains("active-not-lowercase-boolean"),
        "{out}"
    );
    // Without the flag, a file that is not a mapping is an input error naming the accepted shapes.
    let (code, out, _) = run(&["lint", pkg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        out.contains("not-a-mapping(L003)")
            && out.contains("synchronizationSchema")
            && out.contains("attributeMappings"),
        "{out}"
    );
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert!(
        hooks.contains("id: entramap-lint")
            && hooks.contains("--skip-non-mappings")
            && hooks.contains("language: rust")
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn configuration_file_sets_profile_and_per_path_ignores() {
    let (dir, path) = scratch("fixtures/mappings/scim-default-user.json", "config");
    std::fs::write(dir.join(".entramap.yaml"), "profile: unleash\nscim-mode: compliant\nper-path-ignores:\n  \"*.json\": [target-not-allowed]\n").unwrap();
    let (code, report) = json_lint(&[&path]);
    let errors = names(&report, "error");
    assert!(
        !errors.contains(&"target-not-allowed".to_string()),
        "{errors:?}"
    );
    assert!(
        !errors.contains(&"active-not-lowercase-boolean".to_string()),
        "compliant mode from the config: {errors:?}"
    );
    assert_eq!(code, 0, "{errors:?}");
    let (_, report) = json_lint(&["--no-config", &path]);
    assert!(
        names(&report, "error").is_empty(),
        "without the config there is no profile"
    );
    std::fs::write(dir.join(".entramap.yaml"), "ignore: [no-such-rule]\n").unwrap();
    let (code, _, err) = run(&["lint", &path]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-rule"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn inline_suppression_in_yaml() {
    let dir =
        std::env::temp_dir().join(format!("entramap-cli-lint-suppress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.yaml");
    std::fs::write(
        &file,
        "source: User\ntarget: User\nmappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: nickName   # entramap: ignore[unknown-function]\n    source: 'Jion(\"\", [givenName])'\n  - target: title\n    source: 'Jion(\"\", [jobTitle])'\n",
    )
    .unwrap();
    let (code, out, _) = run(&["lint", "--format", "short", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        out.matches("unknown-function").count(),
        1,
        "only the unsuppressed mapping: {out}"
    );
    assert!(out.contains("m.yaml:10:"), "{out}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sarif_output_validates_and_github_output_carries_positions() {
    let (code, out, _) = run(&[
        "lint",
        "--format",
        "sarif",
        "fixtures/lint/unknown-function/invalid.json",
    ]);
    assert_eq!(code, 1);
    sarif::check_sarif(&out);
    let log: serde_sarif::sarif::Sarif = serde_json::from_str(&out).expect("valid SARIF 2.1.0");
    let sarif_run = &log.runs[0];
    assert!(sarif_run.tool.driver.rules.as_ref().unwrap().len() >= 22);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["runs"][0]["columnKind"], "utf16CodeUnits");
    let result = &value["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "EM002");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        31
    );

    let (_, out, _) = run(&[
        "lint",
        "--format",
        "github",
        "fixtures/lint/unknown-function/invalid.json",
    ]);
    let line = out.lines().next().unwrap();
    assert!(
        line.starts_with(
            "::error file=fixtures/lint/unknown-function/invalid.json,line=31,col=24,"
        ),
        "{line}"
    );
}

#[test]
fn github_output_is_capped_per_level() {
    let (_, out, _) = run(&[
        "lint",
        "--format",
        "github",
        "--profile",
        "unleash",
        "fixtures/mappings/scim-default-user.json",
    ]);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert!(
        out.contains("::notice title=entramap::8 more errors not shown"),
        "{out}"
    );
}

#[test]
fn rules_and_explain() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    assert!(out.lines().count() >= 22);
    assert!(out.contains("EM013  switch-boolean-key-case"));
    let (code, out, _) = run(&["explain", "EM013"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("switch-boolean-key-case (EM013)"));
    assert!(out.contains("## Why it matters"));
    let (code, _, err) = run(&["explain", "switch-boolean-key-cas"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean switch-boolean-key-case?"),
        "{err}"
    );
}

#[test]
fn unreadable_and_broken_files_exit_2() {
    let (code, out, _) = run(&["lint", "--format", "short", "/nonexistent/mapping.json"]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with("/nonexistent/mapping.json:1:1: error[L014] unreadable-file: cannot read /nonexistent/mapping.json"),
        "{out}"
    );
    let (code, _, err) = run(&[
        "lint",
        "--select",
        "bogus",
        "fixtures/mappings/unleash-correct.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bogus"));
}
