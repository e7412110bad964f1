//! `entramap diff OLD NEW`: structure, risks and repairs, exit codes, formats, and the
//! behaviour over generated users checked against `simulate` run on each side.

mod common;

#[path = "../benches/support/users.rs"]
mod generated;

use common::run_with;
use entramap::diff::{self, Options, behaviour};
use entramap::mapping;
use entramap::profile::ScimMode;
use entramap::simulate::app::App;
use entramap::simulate::users::UserReader;
use entramap::simulate::{self, Output, Plan};
use serde_json::Value;
use std::collections::BTreeMap;

const SEED: &str = "fixtures/mappings/unleash-seed.json";
const CORRECT: &str = "fixtures/mappings/unleash-correct.json";
const REWORKED: &str = "fixtures/diff/unleash-reworked.yaml";

fn load(rel: &str) -> mapping::MappingFile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    mapping::load(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn names(report: &diff::Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.name).collect()
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("entramap-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn seed_to_correct_starts_active_flowing_and_the_reverse_stops_it() {
    let (code, out, err) = run_with(&["diff", SEED, CORRECT], "");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("DF005 active-starts-flowing (repair)"),
        "{out}"
    );
    assert!(!out.contains("active-stops-flowing"), "{out}");
    assert!(
        out.contains(r#"+ Switch([IsSoftDeleted], , "False", "true", "True", "false")"#),
        "{out}"
    );
    let (code, out, _) = run_with(&["diff", CORRECT, SEED], "");
    assert_eq!(code, 1);
    assert!(out.contains("DF004 active-stops-flowing (risk)"), "{out}");
    assert!(!out.contains("active-starts-flowing"), "{out}");
    // A repair is not a risk: --fail-on risk passes the fix and fails the breakage.
    assert_eq!(
        run_with(&["diff", SEED, CORRECT, "--fail-on", "risk"], "").0,
        0
    );
    assert_eq!(
        run_with(&["diff", CORRECT, SEED, "--fail-on", "risk"], "").0,
        1
    );
}

#[test]
fn a_file_against_itself_and_an_export_against_its_yaml_are_equivalent() {
    for rel in [
        SEED,
        CORRECT,
        "fixtures/mappings/unleash-gallery-default.json",
        "fixtures/mappings/scim-default-user.json",
        "fixtures/mappings/entramap-example.yaml",
    ] {
        let (code, out, err) = run_with(&["diff", rel, rel], "");
        assert_eq!(code, 0, "{rel}: {out}{err}");
        assert!(out.ends_with("equivalent: no mapping changes\n"), "{out}");
        let (code, yaml, err) = run_with(&["convert", rel, "--to", "yaml"], "");
        assert_eq!(code, 0, "{rel}: {err}");
        let converted = temp("converted.yaml", &yaml);
        let (code, out, err) = run_with(&["diff", rel, &converted], "");
        assert_eq!(code, 0, "{rel} against its YAML: {out}{err}");
        // Stdin on one side.
        let (code, _, _) = run_with(&["diff", rel, "-"], &yaml);
        assert_eq!(code, 0, "{rel} against its YAML on stdin");
    }
}

#[test]
fn order_and_spelling_do_not_count_but_every_field_does() {
    let old = r#"[
      {"targetAttributeName": "userName", "matchingPriority": 1,
       "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}},
      {"targetAttributeName": "displayName",
       "source": {"type": "Function", "name": "Join", "expression": "Join(\" \",[givenName],[surname])"}}
    ]"#;
    // Reordered, other white space in the expression, keys in another order.
    let same = r#"[
      {"source": {"expression": "Join(\" \", [givenName], [surname])", "type": "Function", "name": "Join"},
       "targetAttributeName": "displayName"},
      {"matchingPriority": 1, "targetAttributeName": "userName",
       "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}}
    ]"#;
    let o = mapping::load(old).unwrap();
    let r = diff::compare(&o, &mapping::load(same).unwrap(), &Options::default());
    assert!(r.equivalent, "{r:?}");
    // A flow type, a default and a matching priority each make a difference.
    let changed = old
        .replace(
            r#""targetAttributeName": "displayName","#,
            r#""targetAttributeName": "displayName", "flowType": "ObjectAddOnly", "defaultValue": "x","#,
        )
        .replace(r#""matchingPriority": 1"#, r#""matchingPriority": 2"#);
    let r = diff::compare(&o, &mapping::load(&changed).unwrap(), &Options::default());
    assert!(!r.equivalent);
    let fields: Vec<(String, Vec<&str>)> = r.objects[0]
        .mappings
        .iter()
        .map(|m| (m.target.clone(), m.changed.clone()))
        .collect();
    assert_eq!(
        fields,
        [
            ("userName".to_string(), vec!["matching_priority"]),
            (
                "displayName".to_string(),
                vec!["flow_type", "default_value"]
            ),
        ]
    );
    assert_eq!(names(&r), ["matching-changed"]);
}

#[test]
fn identity_sources_scope_and_profile_findings() {
    let r = diff::compare(
        &load(CORRECT),
        &load(REWORKED),
        &Options {
            profile: Some(entramap::profile::Profile::resolve("unleash").unwrap()),
            mode: ScimMode::Legacy,
        },
    );
    // Unleash does not accept title; the new filter leaves Sales out.
    assert_eq!(names(&r), ["new-target-not-allowed", "scope-narrowed"]);
    assert_eq!(r.findings[0].target.as_deref(), Some("title"));
    assert_eq!(
        r.findings[1].message,
        r#"scope was every user and is now department NOT EQUALS "Sales""#
    );
    // The reverse widens it; an unrelated filter is neither.
    let r = diff::compare(&load(REWORKED), &load(CORRECT), &Options::default());
    assert_eq!(names(&r), ["scope-widened"]);
    let other =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(REWORKED))
            .unwrap()
            .replace("NOT EQUALS, values: [Sales]", "EQUALS, values: [Finance]")
            .replace("'[mailNickname]'", "'[objectId]'")
            .replace("'[userPrincipalName]'", "'[mail]'");
    let r = diff::compare(
        &load(REWORKED),
        &mapping::load(&other).unwrap(),
        &Options::default(),
    );
    assert_eq!(
        names(&r),
        [
            "matching-changed",
            "external-id-source-changed",
            "user-name-source-changed",
            "scope-changed"
        ]
    );
    assert_eq!(
        r.findings[1].message,
        "externalId was `[mailNickname]` and is now `[objectId]`"
    );
}

/// Per user (by id) and target: what the create request carries, from simulate's trace;
/// users simulate does not create are absent.
fn simulated(plan: &Plan, users: &[u8]) -> BTreeMap<String, BTreeMap<String, String>> {
    let options = simulate::Options {
        mode: ScimMode::Legacy,
        now: "2025-01-01T00:00:00Z".parse().unwrap(),
        seed: 0,
    };
    let mut out = Vec::new();
    simulate::run(
        plan,
        &options,
        UserReader::new(std::io::Cursor::new(users.to_vec())),
        &mut App::new(plan),
        Output::Trace,
        &mut out,
        &mut |_| {},
    )
    .unwrap();
    let mut created: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for line in String::from_utf8(out).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let user = v["user"].as_str().unwrap().to_string();
        if v["kind"] == "user" {
            if v["action"] == "create" {
                created.insert(user, BTreeMap::new());
            }
        } else if let Some(values) = created.get_mut(&user)
            && let Some(sent) = v.get("sent")
        {
            values.insert(v["target"].as_str().unwrap().to_string(), sent.to_string());
        }
    }
    created
}

#[test]
fn behaviour_over_10k_users_matches_simulate_run_on_each_side() {
    let mut users = Vec::new();
    generated::generate(10_000, 3, &mut users).unwrap();
    let (old, new) = (load(CORRECT), load(REWORKED));
    let (old_plan, new_plan) = (Plan::new(&old).unwrap(), Plan::new(&new).unwrap());

    // Independently: simulate each side, then compare per user and target.
    let (a, b) = (simulated(&old_plan, &users), simulated(&new_plan, &users));
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    let mut compared = 0;
    for (user, old_values) in &a {
        let Some(new_values) = b.get(user) else {
            continue;
        };
        compared += 1;
        let targets: std::collections::BTreeSet<&String> =
            old_values.keys().chain(new_values.keys()).collect();
        for t in targets {
            if old_values.get(t) != new_values.get(t) {
                *want.entry(t.clone()).or_default() += 1;
            }
        }
    }
    let only_old = a.keys().filter(|u| !b.contains_key(*u)).count() as u64;
    let only_new = b.keys().filter(|u| !a.contains_key(*u)).count() as u64;

    for threads in [1, 3] {
        let run = behaviour::Run {
            options: simulate::Options {
                mode: ScimMode::Legacy,
                now: "2025-01-01T00:00:00Z".parse().unwrap(),
                seed: 0,
            },
            threads,
        };
        let got = behaviour::run(
            &old_plan,
            &new_plan,
            UserReader::new(std::io::Cursor::new(users.clone())),
            run,
            &mut |_| {},
        );
        let counts: BTreeMap<String, u64> = got
            .targets
            .iter()
            .map(|t| (t.target.clone(), t.users))
            .collect();
        assert_eq!(counts, want, "threads {threads}");
        assert_eq!(got.users, 10_000);
        assert_eq!(got.compared, compared);
        assert_eq!(got.created_only_old, only_old);
        assert_eq!(got.created_only_new, only_new);
        // Sales is about a fifth of the generated users: they leave the scope.
        assert!(
            got.left_scope > 1000 && got.left_scope < 3000,
            "{}",
            got.left_scope
        );
        assert_eq!(got.entered_scope, 0);
        // The examples are the first users in input order, with simulate's values.
        let display = got
            .targets
            .iter()
            .find(|t| t.target == "displayName")
            .unwrap();
        let first = &display.examples[0];
        assert_eq!(
            first.old.as_deref(),
            a[&first.user].get("displayName").map(String::as_str)
        );
        assert_eq!(
            first.new.as_deref(),
            b[&first.user].get("displayName").map(String::as_str)
        );
    }
    // The counts are real: every compared user's displayName and title change, a few emails.
    assert_eq!(want["displayName"], compared);
    assert_eq!(want["title"], compared);
    assert!(want["emails[type eq \"work\"].value"] > 0);
    assert!(!want.contains_key("userName"));
}

#[test]
fn markdown_report_snapshot() {
    let users = temp("users.jsonl", &{
        let mut u = Vec::new();
        generated::generate(50, 5, &mut u).unwrap();
        String::from_utf8(u).unwrap()
    });
    let (code, out, err) = run_with(
        &[
            "diff",
            CORRECT,
            REWORKED,
            "--profile",
            "unleash",
            "--users",
            &users,
            "--format",
            "markdown",
        ],
        "",
    );
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("diff_markdown", out);
}

#[test]
fn json_report_and_errors() {
    let (code, out, _) = run_with(&["diff", SEED, CORRECT, "--format", "json"], "");
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["equivalent"], false);
    assert_eq!(v["findings"][0]["code"], "DF005");
    assert_eq!(v["findings"][0]["kind"], "repair");
    assert_eq!(v["objects"][0]["mappings"][0]["target"], "active");
    // A file that does not load: exit 2, the load error on stderr.
    let broken = temp("broken.json", "{\"attributeMappings\": [");
    let (code, _, err) = run_with(&["diff", SEED, &broken], "");
    assert_eq!(code, 2);
    assert!(err.contains("does not load as a mapping file"), "{err}");
    let (code, _, err) = run_with(&["diff", "-", "-"], "");
    assert_eq!(code, 2);
    assert!(err.contains("only one of OLD and NEW"), "{err}");
}

#[test]
fn a_bare_attribute_mappings_list_pairs_with_the_user_object() {
    let whole: Value = serde_json::from_str(
        &std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORRECT))
            .unwrap(),
    )
    .unwrap();
    let bare = temp(
        "bare.json",
        &serde_json::to_string_pretty(&whole["attributeMappings"]).unwrap(),
    );
    let (code, out, _) = run_with(&["diff", &bare, CORRECT], "");
    assert_eq!(code, 0, "{out}");
    // Against a whole schema it pairs with the User object; the Group object is removed.
    let (code, out, _) = run_with(&["diff", SEED, &bare], "");
    assert_eq!(code, 1);
    assert!(out.contains("\n~ User → User (changed)\n"), "{out}");
    assert!(out.contains("\n- Group → Group (removed)\n"), "{out}");
    assert!(out.contains("DF005 active-starts-flowing"), "{out}");
}

#[test]
fn explain_knows_every_diff_finding() {
    for meta in diff::registry::FINDINGS {
        for key in [meta.code, meta.name] {
            let (code, out, err) = run_with(&["explain", key], "");
            assert_eq!(code, 0, "{key}: {err}");
            assert!(
                out.starts_with(&format!("{} ({}) — {}", meta.name, meta.code, meta.summary)),
                "{out}"
            );
            assert!(out.contains(meta.advice), "{out}");
        }
    }
    // Lint rules are still explained by lint.
    let (code, out, _) = run_with(&["explain", "EM013"], "");
    assert_eq!(code, 0);
    assert!(out.starts_with("switch-boolean-key-case (EM013)"), "{out}");
}
