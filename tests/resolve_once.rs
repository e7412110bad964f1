//! parse → check → eval, resolved once: a broken mapping is reported once by `simulate`, the
//! schema model knows Entra's Boolean attributes in every file shape, the SCIM attribute list
//! applies only to SCIM targets, and the simulator's speed paths equal the plain path.

mod common;

#[path = "../benches/support/users.rs"]
mod generated;

use common::run_with;
use entramap::eval::Context;
use entramap::lint::{self, LintOptions};
use entramap::mapping::{self, schema::AttrType};
use entramap::simulate::users::UserReader;
use entramap::simulate::{self, Plan, scim};
use entramap::wire::{self, Operation, ScimMode};
use std::collections::BTreeMap;
use std::io::Write;

fn findings(text: &str) -> Vec<(String, String)> {
    let file = mapping::load(text).unwrap();
    lint::lint(&file, &LintOptions::default())
        .into_iter()
        .map(|f| {
            (
                f.diagnostic.name.to_string(),
                format!("{}: {}", f.diagnostic.severity, f.diagnostic.message),
            )
        })
        .collect()
}

fn names(text: &str) -> Vec<String> {
    findings(text).into_iter().map(|(n, _)| n).collect()
}

const LOWERCASE_SWITCH: &str =
    r#"Switch([IsSoftDeleted], , \"false\", \"true\", \"true\", \"false\")"#;

#[test]
fn a_bare_array_knows_is_soft_deleted_is_boolean() {
    let text = format!(
        r#"[{{"targetAttributeName": "active", "source": {{"type": "Function", "name": "Switch", "expression": "{LOWERCASE_SWITCH}"}}}}]"#
    );
    let n = names(&text);
    assert_eq!(
        n.iter().filter(|n| *n == "switch-boolean-key-case").count(),
        2,
        "{n:?}"
    );
}

#[test]
fn a_yaml_bare_list_knows_is_soft_deleted_is_boolean() {
    let text = "mappings:\n  - target: active\n    source: Switch([IsSoftDeleted], , \"false\", \"true\", \"true\", \"false\")\n";
    let n = names(text);
    assert_eq!(
        n.iter().filter(|n| *n == "switch-boolean-key-case").count(),
        2,
        "{n:?}"
    );
}

/// A schema export whose source directory lists only some attributes, as Microsoft's
/// documentation samples do.
fn shortened_export(expr: &str, target_directory: &str, target: &str) -> String {
    format!(
        r#"{{
  "directories": [
    {{"name": "Azure Active Directory", "objects": [{{"name": "User", "attributes": [
      {{"name": "userPrincipalName", "type": "String"}},
      {{"name": "mail", "type": "String"}}]}}]}},
    {{"name": "{target_directory}", "objects": []}}
  ],
  "synchronizationRules": [{{
    "sourceDirectoryName": "Azure Active Directory",
    "targetDirectoryName": "{target_directory}",
    "objectMappings": [{{
      "enabled": true, "sourceObjectName": "User", "targetObjectName": "User",
      "attributeMappings": [
        {{"targetAttributeName": "{target}", "source": {{"type": "Function", "name": "x", "expression": "{expr}"}}}}
      ]}}]
  }}]
}}"#
    )
}

#[test]
fn a_shortened_export_knows_entra_booleans_and_reports_no_missing_is_soft_deleted() {
    let text = shortened_export(LOWERCASE_SWITCH, "customappsso", "active");
    let all = findings(&text);
    let n: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        n.iter()
            .filter(|n| **n == "switch-boolean-key-case")
            .count(),
        2,
        "{all:?}"
    );
    assert!(!n.contains(&"unknown-source-attribute"), "{all:?}");
    // An attribute neither the export nor Entra's user object has is still an error.
    let text = shortened_export("[nickname]", "customappsso", "nickName");
    let all = findings(&text);
    assert!(
        all.iter().any(|(n, m)| n == "unknown-source-attribute"
            && m.starts_with("error")
            && m.contains("nickname")),
        "{all:?}"
    );
}

#[test]
fn the_scim_attribute_list_applies_only_to_scim_targets() {
    // Salesforce's own attribute name is not a SCIM one and gets no warning.
    let salesforce = shortened_export("[accountEnabled]", "salesforce.com", "IsActive");
    assert!(!names(&salesforce).contains(&"unknown-target-attribute".to_string()));
    // A SCIM target keeps the check, with its did-you-mean.
    let scim = shortened_export("[accountEnabled]", "customappsso", "actve");
    let all = findings(&scim);
    assert!(
        all.iter()
            .any(|(n, m)| n == "unknown-target-attribute" && m.contains("actve")),
        "{all:?}"
    );
    // Slack's SCIM 1.1 enterprise names count as SCIM, and custom URNs are the app's own.
    let slack = shortened_export(
        "[department]",
        "slack",
        "urn:scim:schemas:extension:enterprise:1.0:department",
    );
    assert!(!names(&slack).contains(&"unknown-target-attribute".to_string()));
}

#[test]
fn simulate_reports_an_unknown_function_once_and_simulates_the_rest() {
    let dir = std::env::temp_dir().join(format!("entramap-resolve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mapping = dir.join("jion.yaml");
    std::fs::write(
        &mapping,
        "mappings:\n  - target: userName\n    source: '[userPrincipalName]'\n    matching: 1\n  - target: displayName\n    source: Jion(\" \", [givenName], [surname])\n  - target: active\n    source: Switch([IsSoftDeleted], , \"False\", \"true\", \"True\", \"false\")\n",
    )
    .unwrap();
    let users = dir.join("users.jsonl");
    let mut out = Vec::new();
    generated::generate(1000, 3, &mut out).unwrap();
    std::fs::File::create(&users)
        .unwrap()
        .write_all(&out)
        .unwrap();
    let (m, u) = (mapping.to_str().unwrap(), users.to_str().unwrap());
    let (code, stdout, stderr) =
        run_with(&["simulate", "-m", m, "--users", u, "--threads", "1"], "");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.matches("unknown function `Jion`").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("jion.yaml:6:13"), "{stderr}");
    assert!(stderr.contains("leaving out displayName"), "{stderr}");
    let resources: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(resources.len() > 500, "{}", resources.len());
    assert!(resources.iter().all(|r| r.get("displayName").is_none()));
    assert!(resources.iter().all(|r| r["userName"].is_string()));
    let (code, stdout, stderr) = run_with(&["simulate", "-m", m, "--users", u, "--strict"], "");
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("--strict refuses the run"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

fn default_plan() -> Plan {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/mappings/scim-default-user.json"),
    )
    .unwrap();
    Plan::new(&mapping::load(&text).unwrap()).unwrap()
}

fn generated_users(n: usize) -> Vec<entramap::simulate::users::UserRecord> {
    let mut out = Vec::new();
    generated::generate(n, 11, &mut out).unwrap();
    UserReader::from_text(&String::from_utf8(out).unwrap())
        .map(|u| u.unwrap().1)
        .collect()
}

#[test]
fn memoised_and_direct_values_equal_the_plain_evaluation() {
    // The trace path evaluates every mapping through the evaluator with a recording attribute
    // store; the fast path uses the memo (IsSoftDeleted-only expressions) and hashed direct
    // reads. Both must compute the same.
    let plan = default_plan();
    let ctx = Context::default().with_now(jiff::Timestamp::UNIX_EPOCH);
    let mut memoised = 0;
    for mut user in generated_users(300) {
        simulate::derive_soft_deleted(&plan, &mut user);
        let fast = simulate::evaluate(&plan, &user, &ctx, false).computed;
        let plain = simulate::evaluate(&plan, &user, &ctx, true).computed;
        assert_eq!(fast, plain);
        memoised += 1;
    }
    assert_eq!(memoised, 300);
}

#[test]
fn hashed_attribute_slots_equal_a_plain_map() {
    for user in generated_users(300) {
        let plain: BTreeMap<String, _> = user
            .attributes()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        for (name, value) in &plain {
            assert_eq!(user.value(name), Some(value), "{name}");
            assert_eq!(user.value(&name.to_uppercase()), Some(value), "{name}");
        }
        assert_eq!(user.value("noSuchAttribute"), None);
    }
}

#[test]
fn the_pre_rendered_resource_writer_equals_json_built_path_by_path() {
    let plan = default_plan();
    let ctx = Context::default().with_now(jiff::Timestamp::UNIX_EPOCH);
    for mut user in generated_users(200) {
        simulate::derive_soft_deleted(&plan, &mut user);
        let computed = simulate::evaluate(&plan, &user, &ctx, false).computed;
        let wires: Vec<Option<wire::Wire<'_>>> = plan
            .mappings
            .iter()
            .zip(&computed)
            .map(|(m, c)| {
                c.value()
                    .map(|v| wire::encode(v, m.ty, ScimMode::Legacy, Operation::Create).unwrap())
            })
            .collect();
        let mut bytes = Vec::new();
        plan.layout.write(&mut bytes, &wires);
        let written: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        // The plain path: every value set into an empty resource by its path.
        let mut plain = serde_json::json!({});
        for (m, w) in plan.mappings.iter().zip(&wires) {
            if let Some(w) = w {
                scim::set(&mut plain, &m.path, w.to_json(false));
            }
        }
        for (key, value) in plain.as_object().unwrap() {
            assert_eq!(written.get(key), Some(value), "{key}: {written}");
        }
        let extra: Vec<&String> = written
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !plain.as_object().unwrap().contains_key(*k))
            .filter(|k| *k != "schemas" && *k != "meta")
            .collect();
        assert!(extra.is_empty(), "{extra:?}");
    }
}

#[test]
fn attribute_types_are_typed_not_strings() {
    let text = shortened_export("[mail]", "customappsso", "userName");
    let file = mapping::load(&text).unwrap();
    let defs = &file.directories[0].objects[0].attributes;
    assert!(defs.iter().all(|d| d.ty == AttrType::String));
    let bad = text.replacen("\"type\": \"String\"", "\"type\": \"Strng\"", 1);
    let err = mapping::load(&bad).unwrap_err();
    assert!(
        err.message.contains("unknown attribute type `Strng`"),
        "{}",
        err.message
    );
}
