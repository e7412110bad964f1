//! `entramap lint` as CI and editors use it: broken files visible in every format, SARIF fit for
//! GitHub code scanning, one column definition, conventions (folders, globs, `--exclude`,
//! stdin, last `--format` wins, `--exit-zero`, `--statistics`, `--quiet`, `--color`), Azure and
//! GitLab formats, diffs that `patch` applies, and hostile file names.

mod common;
#[path = "common/sarif.rs"]
mod sarif;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn run(args: &[&str]) -> (i32, String, String) {
    common::run_with(args, "")
}

/// A fresh scratch folder (no .entramap.yaml above it applies: it is under the temp dir).
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("entramap-ci-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const TRUNCATED: &str = r#"{"synchronizationRules": [{"objectMappings": [{"sourceObjectName": "User", "attributeMappings": [{"targetAttributeName": "userName", "#;

#[test]
fn a_truncated_export_is_a_finding_in_every_format() {
    let dir = scratch("truncated");
    let path = dir.join("export.json");
    std::fs::write(&path, TRUNCATED).unwrap();
    let p = path.to_str().unwrap();

    let (code, out, _) = run(&["lint", "--format", "json", p]);
    assert_eq!(code, 2);
    let report: Value = serde_json::from_str(&out).unwrap();
    let file = &report["files"][0];
    assert_eq!(file["path"], p);
    assert_eq!(file["loaded"], false);
    assert_eq!(file["diagnostics"][0]["code"], "L001");
    assert_eq!(file["diagnostics"][0]["line"], 1);
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["summary"]["failed_files"], 1);

    let (code, out, _) = run(&["lint", "--format", "sarif", p]);
    assert_eq!(code, 2);
    let log = sarif::check_sarif(&out);
    let run0 = &log["runs"][0];
    assert_eq!(run0["results"][0]["ruleId"], "L001");
    assert_eq!(run0["invocations"][0]["executionSuccessful"], false);
    let note = &run0["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(note["descriptor"]["id"], "L001");
    assert_eq!(note["level"], "error");

    let (code, out, _) = run(&["lint", "--format", "github", p]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with(&format!("::error file={p},line=1,col=")) && out.contains("(L001)"),
        "{out}"
    );

    let (code, out, _) = run(&["lint", "--format", "short", p]);
    assert_eq!(code, 2);
    assert!(out.starts_with(&format!("{p}:1:")), "{out}");
    assert!(out.contains(": error[L001] invalid-json: "), "{out}");
    assert!(
        out.contains("entramap: 1 error, 0 warnings, 0 infos in 1 file\n"),
        "{out}"
    );

    let (code, out, _) = run(&["lint", "--format", "azure", p]);
    assert_eq!(code, 2);
    assert!(
        out.starts_with(&format!(
            "##vso[task.logissue type=error;sourcepath={p};linenumber=1;"
        )),
        "{out}"
    );
    let (code, out, _) = run(&["lint", "--format", "gitlab", p]);
    assert_eq!(code, 2);
    let issues: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(issues[0]["check_name"], "invalid-json");
    assert_eq!(issues[0]["severity"], "major");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sarif_rules_fit_github_and_fingerprints_survive_line_shifts() {
    let (_, out, _) = run(&[
        "lint",
        "--format",
        "sarif",
        "--profile",
        "unleash",
        "fixtures/mappings/scim-default-user.json",
        "fixtures/mappings/entramap-example.yaml",
    ]);
    let log = sarif::check_sarif(&out);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let em013 = rules.iter().find(|r| r["id"] == "EM013").unwrap();
    assert!(
        em013["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why it matters")
    );
    assert!(
        em013["help"]["text"]
            .as_str()
            .unwrap()
            .starts_with("switch-boolean-key-case (EM013)")
    );
    assert!(
        em013.get("helpUri").is_none(),
        "no page is published for rules"
    );
    assert!(rules.iter().any(|r| r["id"] == "L014"));

    // The same mapping two lines lower keeps its fingerprints.
    let dir = scratch("fingerprints");
    let seed = std::fs::read_to_string("fixtures/mappings/unleash-seed.json").unwrap();
    let a = dir.join("m.json");
    std::fs::write(&a, &seed).unwrap();
    let fps = |path: &Path| -> Vec<String> {
        let (_, out, _) = run(&[
            "lint",
            "--format",
            "sarif",
            "--profile",
            "unleash",
            path.to_str().unwrap(),
        ]);
        let log = sarif::check_sarif(&out);
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["entramapFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = fps(&a);
    std::fs::write(&a, format!("\n\n{seed}")).unwrap();
    let after = fps(&a);
    assert!(!before.is_empty());
    assert_eq!(before, after);
    let unique: std::collections::HashSet<_> = before.iter().collect();
    assert_eq!(unique.len(), before.len(), "fingerprints are distinct");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn artifact_uris_are_percent_encoded_references() {
    let dir = scratch("uris");
    let name = "a dir #1/100% m.yaml";
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::copy("fixtures/lint/unknown-function/invalid.yaml", &path).unwrap();
    let out = common::entramap()
        .current_dir(&dir)
        .args(["lint", "--format", "sarif", name])
        .output()
        .unwrap();
    let log = sarif::check_sarif(&String::from_utf8(out.stdout).unwrap());
    let loc = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "a%20dir%20%231/100%25%20m.yaml");
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");
    std::fs::remove_dir_all(dir).ok();
}

/// A mapping whose finding comes after CJK, a combining mark, an emoji with a skin-tone
/// modifier, a right-to-left mark and a tab on the same line.
const WIDE: &str = "objects:\n  - source: User\n    target: User\n    mappings:\n      - target: displayName\n        source: 'Join(\"東京 e\u{301} 👍🏽 \u{200f}x\ty\", [givenName], [surnme])'\n";

#[test]
fn every_format_reports_the_same_character_column() {
    let dir = scratch("columns");
    let path = dir.join("wide.yaml");
    std::fs::write(&path, WIDE).unwrap();
    let p = path.to_str().unwrap();
    let line_text = WIDE.lines().nth(5).unwrap();
    let byte = line_text.find("[surnme]").unwrap();
    let col = line_text[..byte].chars().count() + 1;
    let utf16_col = line_text[..byte].encode_utf16().count() + 1;
    assert!(
        byte + 1 > col && utf16_col > col,
        "the line has wide characters"
    );

    let (_, out, _) = run(&[
        "lint",
        "--format",
        "short",
        "--select",
        "unknown-source-attribute",
        p,
    ]);
    assert!(out.starts_with(&format!("{p}:6:{col}: ")), "{out}");
    let (_, out, _) = run(&["lint", "--select", "unknown-source-attribute", p]);
    assert!(out.contains(&format!("[{p}:6:{col}]")), "{out}");
    let (_, out, _) = run(&[
        "lint",
        "--format",
        "json",
        "--select",
        "unknown-source-attribute",
        p,
    ]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let d = &report["files"][0]["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(6), Some(col as u64))
    );
    let (_, out, _) = run(&[
        "lint",
        "--format",
        "github",
        "--select",
        "unknown-source-attribute",
        p,
    ]);
    assert!(out.contains(&format!(",line=6,col={col},")), "{out}");
    let (_, out, _) = run(&[
        "lint",
        "--format",
        "sarif",
        "--select",
        "unknown-source-attribute",
        p,
    ]);
    let log = sarif::check_sarif(&out);
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"].as_u64(), Some(utf16_col as u64));
    let file_byte = WIDE.find("[surnme]").unwrap();
    assert_eq!(
        region["charOffset"].as_u64(),
        Some(WIDE[..file_byte].encode_utf16().count() as u64)
    );
    assert_eq!(region["charLength"], 8);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn folders_are_walked_and_globs_expanded() {
    // Every mapping under fixtures/mappings, in path order.
    let (_, out, _) = run(&["lint", "--format", "json", "fixtures/mappings"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let paths: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = std::fs::read_dir("fixtures/mappings")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") || n.ends_with(".yaml"))
        .map(|n| format!("fixtures/mappings/{n}"))
        .collect();
    expected.sort();
    assert_eq!(paths, expected);

    // `fixtures/` as the issue asks: every mapping under it is linted.
    let (_, out, _) = run(&["lint", "--format", "json", "fixtures/"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let n = report["files"].as_array().unwrap().len();
    assert!(n > 60, "{n} files under fixtures/");

    let dir = scratch("walk");
    std::fs::create_dir_all(dir.join("legacy")).unwrap();
    std::fs::create_dir_all(dir.join("build")).unwrap();
    let good = std::fs::read_to_string("fixtures/mappings/unleash-correct.json").unwrap();
    for f in ["a.json", "legacy/b.json", "build/c.json", "notes.txt"] {
        std::fs::write(dir.join(f), &good).unwrap();
    }
    std::fs::write(dir.join(".gitignore"), "build/\n").unwrap();
    let listed = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["lint", "--format", "json"];
        all.extend_from_slice(args);
        let out = common::entramap()
            .current_dir(&dir)
            .args(&all)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        listed(&["."]),
        ["./a.json", "./legacy/b.json"],
        ".gitignore honoured"
    );
    assert_eq!(listed(&[".", "--exclude", "legacy"]), ["./a.json"]);
    assert_eq!(listed(&["**/*.json"]), ["a.json", "legacy/b.json"]);
    assert_eq!(listed(&["legacy/*.json"]), ["legacy/b.json"]);
    assert_eq!(
        listed(&["*.json", "--exclude", "a.json"]),
        Vec::<String>::new()
    );
    let out = common::entramap()
        .current_dir(&dir)
        .args(["lint", "nothing/*.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no file matches the glob"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_last_format_wins() {
    let f = "fixtures/lint/unknown-function/invalid.json";
    let (code, out, err) = run(&["lint", "--format", "short", "--format", "github", f]);
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("::error file="), "{out}");
    let (_, out, _) = run(&["lint", "--format", "github", "--format", "short", f]);
    assert!(out.starts_with(&format!("{f}:")), "{out}");
}

#[test]
fn exit_zero_statistics_quiet() {
    let f = "fixtures/mappings/scim-default-user.json";
    let (code, out, _) = run(&[
        "lint",
        "--profile",
        "unleash",
        "--format",
        "short",
        "--exit-zero",
        f,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("error[EM101]"));
    let (code, out, _) = run(&["lint", "--profile", "unleash", "--statistics", f]);
    assert_eq!(code, 1);
    let first = out.lines().next().unwrap();
    assert!(first.trim_start().starts_with("17  EM101"), "{out}");
    assert!(!out.contains("╭"), "counts, not reports: {out}");
    let (_, out, _) = run(&[
        "lint",
        "--profile",
        "unleash",
        "--format",
        "short",
        "--quiet",
        f,
    ]);
    assert!(!out.contains("entramap:"), "{out}");
    assert!(out.contains("error[EM101]"));
    // A missing file still fails under --exit-zero.
    let (code, _, _) = run(&["lint", "--exit-zero", "missing.json"]);
    assert_eq!(code, 2);
}

#[test]
fn fixable_findings_are_marked_and_counted() {
    let (_, out, _) = run(&[
        "lint",
        "--profile",
        "unleash",
        "--format",
        "short",
        "fixtures/mappings/unleash-seed.json",
    ]);
    assert!(
        out.contains("error[EM103] [*] active-not-lowercase-boolean"),
        "{out}"
    );
    assert!(
        out.contains("error[EM013] switch-boolean-key-case"),
        "{out}"
    );
    assert!(
        out.ends_with("entramap: 1 fixable with `--fix` (2 more with `--unsafe-fixes`)\n"),
        "{out}"
    );
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let f = "fixtures/lint/unknown-function/invalid.json";
    let colored = |envs: &[(&str, &str)], args: &[&str]| -> bool {
        let mut cmd = common::entramap();
        cmd.env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut all = vec!["lint"];
        all.extend_from_slice(args);
        all.push(f);
        let out = cmd.args(&all).output().unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    assert!(!colored(&[], &[]), "not a terminal");
    assert!(colored(&[("FORCE_COLOR", "1")], &[]));
    assert!(colored(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!colored(&[("FORCE_COLOR", "0")], &[]));
    assert!(colored(&[], &["--color", "always"]));
    assert!(!colored(&[("FORCE_COLOR", "1")], &["--color", "never"]));
    assert!(!colored(&[("NO_COLOR", "1")], &[]));
}

#[test]
fn stdin_with_a_filename_and_fix_to_stdout() {
    let text = std::fs::read_to_string("fixtures/lint/function-name-case/invalid.yaml").unwrap();
    let (code, out, _) = common::run_with(
        &[
            "lint",
            "--format",
            "short",
            "--stdin-filename",
            "mine/m.yaml",
            "-",
        ],
        &text,
    );
    assert_eq!(code, 0, "warnings only");
    assert!(out.starts_with("mine/m.yaml:9:14: warning[EM003]"), "{out}");
    let (code, out, err) = common::run_with(
        &[
            "lint",
            "--fix",
            "--format",
            "short",
            "--stdin-filename",
            "m.yaml",
            "-",
        ],
        &text,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        text.replace("switch(", "Switch("),
        "the fixed text on stdout"
    );
    assert!(
        err.contains("entramap: no problems in 1 file"),
        "report on stderr: {err}"
    );
}

#[test]
fn diff_keeps_crlf_so_patch_applies_it_and_diff_fix_writes_too() {
    let dir = scratch("patch");
    let text = std::fs::read_to_string("fixtures/lint/function-name-case/invalid.yaml")
        .unwrap()
        .replace('\n', "\r\n");
    std::fs::write(dir.join("m.yaml"), &text).unwrap();
    let out = common::entramap()
        .current_dir(&dir)
        .args(["lint", "--diff", "m.yaml"])
        .output()
        .unwrap();
    let diff = out.stdout;
    assert!(diff.windows(2).any(|w| w == b"\r\n"), "CRs kept");
    std::fs::write(dir.join("fix.diff"), &diff).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("m.yaml")).unwrap(),
        text,
        "--diff writes nothing"
    );
    match std::process::Command::new("patch")
        .current_dir(&dir)
        .args(["-p0", "-i", "fix.diff"])
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
            let patched = std::fs::read_to_string(dir.join("m.yaml")).unwrap();
            assert_eq!(patched, text.replace("switch(", "Switch("));
        }
        Err(e) => panic!("`patch` must be installed for this test (.ci/run installs it): {e}"),
    }
    // --diff --fix prints the diff and writes the file.
    std::fs::write(dir.join("m.yaml"), &text).unwrap();
    let out = common::entramap()
        .current_dir(&dir)
        .args(["lint", "--diff", "--fix", "--format", "short", "m.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("--- m.yaml\n+++ m.yaml\n"), "{stdout}");
    assert!(
        stdout.contains("entramap: no problems in 1 file"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(dir.join("m.yaml")).unwrap();
    assert_eq!(written, text.replace("switch(", "Switch("));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn hostile_names_are_escaped_and_never_split_a_line() {
    let dir = scratch("hostile");
    let name = "evil\u{1b}[31m\nname\u{7}.yaml";
    std::fs::copy(
        "fixtures/lint/unknown-function/invalid.yaml",
        dir.join(name),
    )
    .unwrap();
    for format in ["short", "human", "github", "azure"] {
        let out = common::entramap()
            .current_dir(&dir)
            .args(["lint", "--format", format, name])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
            "{format}: {stdout:?}"
        );
        assert!(stdout.contains("evil\\u{1b}[31m"), "{format}: {stdout}");
        if format != "human" {
            let first = stdout.lines().next().unwrap();
            assert!(
                first.contains("name\\u{7}.yaml"),
                "{format}: one line: {first:?}"
            );
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_are_linted_and_shown_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("latin1");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
    std::fs::copy(
        "fixtures/lint/unknown-function/invalid.yaml",
        dir.join(name),
    )
    .unwrap();
    let out = common::entramap()
        .current_dir(&dir)
        .arg("lint")
        .arg("--format")
        .arg("short")
        .arg(name)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("caf\u{fffd}.yaml:"), "{stdout}");
    // The folder walk finds it too, and SARIF carries its exact bytes.
    let out = common::entramap()
        .current_dir(&dir)
        .args(["lint", "--format", "sarif", "."])
        .output()
        .unwrap();
    let log = sarif::check_sarif(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "caf%E9.yaml"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn help_lists_lint_first_and_every_subcommand_has_examples() {
    let (_, out, _) = run(&["--help"]);
    let commands: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(commands.first(), Some(&"lint"), "{out}");
    for command in commands.iter().filter(|c| **c != "help") {
        let (code, out, _) = run(&[command, "--help"]);
        assert_eq!(code, 0);
        assert!(
            out.contains("Examples:\n  entramap "),
            "{command} --help has no examples:\n{out}"
        );
    }
}

#[test]
fn yaml_merge_keys_work_in_mapping_files() {
    let text = "objects:\n  - source: User\n    target: User\n    mappings:\n      - &base\n        target: userName\n        source: '[userPrincipalName]'\n        flow: on-create\n        matching: 1\n      - <<: *base\n        target: displayName\n        source: Jion(\" \", [givenName], [surname])\n      - <<: [*base]\n        target: externalId\n";
    let file = entramap::mapping::load(text).unwrap();
    let maps = &file.object_mappings[0].attribute_mappings;
    assert_eq!(maps.len(), 3);
    // Own keys win; the rest comes from the merged mapping.
    assert_eq!(maps[1].target.value, "displayName");
    assert_eq!(
        maps[1].source.as_ref().unwrap().text,
        "Jion(\" \", [givenName], [surname])"
    );
    assert_eq!(maps[1].flow_type, maps[0].flow_type);
    assert_eq!(maps[2].source.as_ref().unwrap().text, "[userPrincipalName]");
    // Findings point at the text as written.
    let dir = scratch("merge");
    let path = dir.join("m.yaml");
    std::fs::write(&path, text).unwrap();
    let (_, out, _) = run(&["lint", "--format", "short", path.to_str().unwrap()]);
    assert!(
        out.contains("m.yaml:12:17: error[EM002] unknown-function"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn graph_json_suppresses_one_mapping_through_per_target_ignores() {
    let dir = scratch("per-target");
    std::fs::copy("fixtures/mappings/unleash-seed.json", dir.join("m.json")).unwrap();
    let lint = || {
        let out = common::entramap()
            .current_dir(&dir)
            .args([
                "lint",
                "--format",
                "short",
                "--profile",
                "unleash",
                "m.json",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(lint().contains("error[EM103]"));
    std::fs::write(
        dir.join(".entramap.yaml"),
        "per-target-ignores:\n  User:\n    active: [active-not-lowercase-boolean]\n",
    )
    .unwrap();
    let out = lint();
    assert!(!out.contains("EM103"), "{out}");
    assert!(
        out.contains("error[EM013]"),
        "other rules on that mapping stay: {out}"
    );
    // Another target is untouched, and a misspelt rule in the config is refused.
    std::fs::write(
        dir.join(".entramap.yaml"),
        "per-target-ignores:\n  User:\n    displayName: [active-not-lowercase-boolean]\n",
    )
    .unwrap();
    assert!(lint().contains("error[EM103]"));
    std::fs::write(
        dir.join(".entramap.yaml"),
        "per-target-ignores:\n  User:\n    active: [active-not-lowercase]\n",
    )
    .unwrap();
    let out = common::entramap()
        .current_dir(&dir)
        .args(["lint", "m.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no rule named \"active-not-lowercase\"")
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn suppressions_naming_unknown_rules_or_silencing_nothing_are_findings() {
    let (code, out, _) = run(&[
        "lint",
        "--format",
        "short",
        "fixtures/lint/unknown-rule-in-suppression/invalid.yaml",
        "fixtures/lint/unused-suppression/invalid.yaml",
    ]);
    assert_eq!(code, 0, "warnings: {out}");
    assert!(out.contains("warning[EM022] unknown-rule-in-suppression: `function-name-cas` in a suppression is not a rule; did you mean `function-name-case`?"), "{out}");
    assert!(out.contains("warning[EM023] unused-suppression: the suppression of `unknown-function` silenced nothing here"), "{out}");
    // The misspelt suppression silenced nothing: the finding it meant is still there.
    assert!(
        out.contains("warning[EM003] [*] function-name-case"),
        "{out}"
    );
}

#[test]
fn control_characters_from_the_file_are_escaped_in_the_report() {
    let dir = scratch("esc-text");
    let path = dir.join("m.yaml");
    // ESC and BEL inside an expression's string (YAML double quotes make them real bytes).
    let text = "source: User\ntarget: User\nmappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: displayName\n    source: \"Jion(\\\"\\e[2J\\a\\\", [givenName])\"\n";
    std::fs::write(&path, text).unwrap();
    for format in ["human", "short", "github", "azure"] {
        let (code, out, _) = run(&["lint", "--format", format, path.to_str().unwrap()]);
        assert_eq!(code, 1, "{format}: {out}");
        assert!(out.contains("Jion"), "{format}: {out}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{format}: {out:?}"
        );
    }
    // Raw control bytes (a broken file shows its source): escaped in the drawn source line.
    let raw = dir.join("raw.json");
    std::fs::write(&raw, "[{\"targetAttributeName\": \"x\u{1b}[2J\u{7}\"}]").unwrap();
    let (code, out, _) = run(&["lint", raw.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(
        out.contains("x\\u{1b}[2J\\u{7}"),
        "the source line shows the escapes: {out}"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// On a 70-column terminal (a pseudo-terminal from util-linux `script`), the report's text is
/// wrapped to 70 columns; through a pipe it is not wrapped at all.
#[cfg(unix)]
#[test]
fn human_output_follows_the_terminal_width() {
    let bin = assert_cmd::cargo::cargo_bin("entramap");
    let args = "lint --select active-not-lowercase-boolean --profile unleash fixtures/mappings/unleash-seed.json";
    let Ok(out) = std::process::Command::new("script")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args([
            "-qc",
            &format!("stty rows 40 cols 70; {} {args}", bin.display()),
            "/dev/null",
        ])
        .output()
    else {
        panic!("util-linux `script` is needed for this test");
    };
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let message: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  ×") || l.starts_with("  │"))
        .collect();
    assert!(message.len() >= 2, "wrapped over several lines: {text}");
    assert!(message.iter().all(|l| l.chars().count() <= 70), "{text}");
    let (_, piped, _) = run(&args.split(' ').collect::<Vec<_>>());
    let first = piped.lines().find(|l| l.starts_with("  ×")).unwrap();
    assert!(
        first.chars().count() > 150,
        "one line through a pipe: {first}"
    );
}

#[test]
fn azure_gets_absolute_paths_and_escaped_properties() {
    let f = "fixtures/lint/unknown-function/invalid.yaml";
    let (code, out, _) = run(&["lint", "--format", "azure", f]);
    assert_eq!(code, 1);
    let root = env!("CARGO_MANIFEST_DIR");
    assert_eq!(
        out,
        format!(
            "##vso[task.logissue type=error;sourcepath={root}/{f};linenumber=9;columnnumber=14;code=EM002;]unknown-function (EM002): unknown function `Jion`\n"
        )
    );
}
