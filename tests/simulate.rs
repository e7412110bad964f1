//! The simulator on the shipped fixtures: snapshots of resources, requests (both wire modes) and
//! traces; RFC 7643 validity of every produced User; the steady-state check; scoping operators;
//! broken input.

use assert_cmd::Command;
use entramap::eval::Value;
use entramap::mapping::{self, ScopeClause, ScopeGroup};
use entramap::profile::{Profile, ScimMode};
use entramap::simulate::app::App;
use entramap::simulate::scim::{CORE_USER, ENTERPRISE_USER};
use entramap::simulate::scope::{Operator, Scope};
use entramap::simulate::users::{Position, UserReader, UserRecord};
use entramap::simulate::{self, Options, Output, Plan, Summary, steady};
use serde_json::Value as Json;
use std::path::PathBuf;

const NOW: &str = "2025-01-01T00:00:00Z";
const USERS: &str = "fixtures/users/users.json";
const TARGET: &str = "fixtures/users/target-state.jsonl";
const DEFAULT: &str = "fixtures/mappings/scim-default-user.json";
const CORRECT: &str = "fixtures/mappings/unleash-correct.json";
const SEED: &str = "fixtures/mappings/unleash-seed.json";
const GALLERY: &str = "fixtures/mappings/unleash-gallery-default.json";
const EXAMPLE: &str = "fixtures/mappings/entramap-example.yaml";

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn plan(mapping: &str) -> Plan {
    let text = std::fs::read_to_string(path(mapping)).unwrap();
    Plan::new(&mapping::load(&text).unwrap()).unwrap()
}

fn options(mode: ScimMode) -> Options {
    Options {
        mode,
        now: NOW.parse().unwrap(),
        seed: 0,
    }
}

fn users(rel: &str) -> UserReader {
    UserReader::open(path(rel).to_str().unwrap()).unwrap()
}

/// Runs one cycle; the JSON Lines output followed by the summary.
fn run(mapping: &str, output: Output, mode: ScimMode, target: Option<&str>) -> (String, Summary) {
    let plan = plan(mapping);
    let mut app = match target {
        Some(t) => simulate::app::load_target_state(&plan, path(t).to_str().unwrap()).unwrap(),
        None => App::new(&plan),
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let summary = simulate::run(
        &plan,
        &options(mode),
        users(USERS),
        &mut app,
        output,
        &mut out,
        &mut |e| problems.push(format!("{e:?}")),
    )
    .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    (String::from_utf8(out).unwrap(), summary)
}

fn snapshot_text(mapping: &str, output: Output, mode: ScimMode, target: Option<&str>) -> String {
    let (out, summary) = run(mapping, output, mode, target);
    format!("{out}# {summary}\n")
}

// ------------------------------------------------------------------------------------ snapshots

#[test]
fn resources_default_mapping() {
    insta::assert_snapshot!(
        "resources-scim-default-user",
        snapshot_text(DEFAULT, Output::Resources, ScimMode::Legacy, None)
    );
}

#[test]
fn resources_unleash_mappings() {
    let mut text = String::new();
    for m in [CORRECT, SEED, GALLERY] {
        text.push_str(&format!("## {m}\n"));
        text.push_str(&snapshot_text(m, Output::Resources, ScimMode::Legacy, None));
    }
    insta::assert_snapshot!("resources-unleash", text);
}

#[test]
fn requests_against_target_state_legacy() {
    let mut text = String::new();
    for m in [DEFAULT, CORRECT, SEED] {
        text.push_str(&format!("## {m}\n"));
        text.push_str(&snapshot_text(
            m,
            Output::Requests,
            ScimMode::Legacy,
            Some(TARGET),
        ));
    }
    insta::assert_snapshot!("requests-legacy", text);
}

#[test]
fn requests_against_target_state_compliant() {
    let mut text = String::new();
    for m in [DEFAULT, CORRECT, SEED] {
        text.push_str(&format!("## {m}\n"));
        text.push_str(&snapshot_text(
            m,
            Output::Requests,
            ScimMode::Compliant,
            Some(TARGET),
        ));
    }
    insta::assert_snapshot!("requests-compliant", text);
}

#[test]
fn requests_with_scoping_defaults_and_create_only() {
    let mut text = String::new();
    for target in [None, Some(TARGET)] {
        text.push_str(&format!("## target state: {target:?}\n"));
        text.push_str(&snapshot_text(
            EXAMPLE,
            Output::Requests,
            ScimMode::Legacy,
            target,
        ));
    }
    insta::assert_snapshot!("requests-entramap-example", text);
}

#[test]
fn trace() {
    let mut text = String::new();
    text.push_str(&format!("## {SEED}\n"));
    text.push_str(&snapshot_text(
        SEED,
        Output::Trace,
        ScimMode::Legacy,
        Some(TARGET),
    ));
    text.push_str(&format!("## {EXAMPLE}\n"));
    text.push_str(&snapshot_text(
        EXAMPLE,
        Output::Trace,
        ScimMode::Legacy,
        None,
    ));
    insta::assert_snapshot!("trace", text);
}

// ------------------------------------------------------------------------------------ behaviour

fn lines(text: &str) -> Vec<Json> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn legacy_and_compliant_wire_values_differ_as_documented() {
    // Alex is disabled and active in the app: the deactivation PATCH.
    let pick = |mode| {
        let (out, _) = run(DEFAULT, Output::Requests, mode, Some(TARGET));
        lines(&out)
            .into_iter()
            .find(|r| r["path"] == "/Users/app-alex")
            .unwrap()
    };
    let legacy = pick(ScimMode::Legacy);
    assert_eq!(
        legacy["body"]["Operations"],
        serde_json::json!([{"op": "Replace", "path": "active", "value": "False"}])
    );
    let compliant = pick(ScimMode::Compliant);
    assert_eq!(
        compliant["body"]["Operations"],
        serde_json::json!([{"op": "replace", "path": "active", "value": false}])
    );
    // Megan exists with another displayName and no title: several replaces are merged in
    // compliant mode, adds stay single ops.
    let (out, summary) = run(DEFAULT, Output::Requests, ScimMode::Compliant, Some(TARGET));
    let megan = lines(&out)
        .into_iter()
        .find(|r| r["path"] == "/Users/app-megan")
        .unwrap();
    let ops = megan["body"]["Operations"].as_array().unwrap();
    let merged: Vec<&Json> = ops.iter().filter(|o| o.get("path").is_none()).collect();
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0]["op"], "replace");
    assert_eq!(merged[0]["value"]["displayName"], "Megan Bowen");
    assert!(ops.iter().any(|o| o["op"] == "add" && o["path"] == "title"));
    assert_eq!(summary.deactivated, 1);
    // Lee is unassigned and already inactive: nothing; the seed mapping never deactivates.
    assert!(!out.contains("app-lee"));
    // The trace shows the wire value of each mode.
    for (mode, sent) in [
        (ScimMode::Legacy, Json::from("False")),
        (ScimMode::Compliant, Json::from(false)),
    ] {
        let (trace, _) = run(DEFAULT, Output::Trace, mode, Some(TARGET));
        let alex_active = lines(&trace)
            .into_iter()
            .find(|l| {
                l["user"] == "6c4f6c3c-9bf2-54ab-b75e-e2eaf18a6984" && l["target"] == "active"
            })
            .unwrap();
        assert_eq!(alex_active["sent"], sent);
        assert_eq!(alex_active["flowed"], true);
    }
    let (seed, seed_summary) = run(SEED, Output::Requests, ScimMode::Legacy, Some(TARGET));
    assert!(!seed.contains("app-alex"), "{seed}");
    assert_eq!(seed_summary.deactivated, 0);
}

#[test]
fn matching_queries_are_quoted_escaped_and_in_priority_order() {
    let text = r#"[
      {"targetAttributeName": "externalId", "matchingPriority": 2,
       "source": {"type": "Attribute", "name": "mailNickname", "expression": "[mailNickname]"}},
      {"targetAttributeName": "userName", "matchingPriority": 1,
       "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}}
    ]"#;
    let plan = Plan::new(&mapping::load(text).unwrap()).unwrap();
    let users = UserReader::from_text(
        r#"{"id": "1", "userPrincipalName": "o\"brien\\x@contoso.com", "mailNickname": "ob"}"#,
    );
    let mut out = Vec::new();
    simulate::run(
        &plan,
        &options(ScimMode::Legacy),
        users,
        &mut App::new(&plan),
        Output::Requests,
        &mut out,
        &mut |_| {},
    )
    .unwrap();
    let reqs = lines(&String::from_utf8(out).unwrap());
    assert_eq!(
        reqs[0]["filter"],
        r#"userName eq "o\"brien\\x@contoso.com""#
    );
    assert_eq!(
        reqs[0]["path"],
        "/Users?filter=userName%20eq%20%22o%5C%22brien%5C%5Cx%40contoso.com%22"
    );
    assert_eq!(reqs[1]["filter"], r#"externalId eq "ob""#);
    assert_eq!(reqs[2]["method"], "POST");
}

#[test]
fn evaluation_errors_are_reported_and_the_run_goes_on() {
    let text = r#"[
      {"targetAttributeName": "userName", "matchingPriority": 1,
       "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}},
      {"targetAttributeName": "title",
       "source": {"type": "Function", "name": "Item", "expression": "Item([proxyAddresses], 3)"}}
    ]"#;
    let plan = Plan::new(&mapping::load(text).unwrap()).unwrap();
    let mut failed = Vec::new();
    let mut out = Vec::new();
    let summary = simulate::run(
        &plan,
        &options(ScimMode::Legacy),
        users(USERS),
        &mut App::new(&plan),
        Output::Resources,
        &mut out,
        &mut |e| {
            if let simulate::Event::UserFailed { user, message } = e {
                failed.push(format!("{user}: {message}"));
            }
        },
    )
    .unwrap();
    // Megan has three proxy addresses and Diego none (Item of null is null); every other
    // in-scope user fails, and is reported.
    assert_eq!(summary.created, 2);
    assert_eq!(summary.errors, 6);
    assert_eq!(failed.len(), 6);
    assert!(
        failed[0].starts_with(
            "d8c88859-fc38-548d-aff1-1a1a974e4944: mapping to title (Item([proxyAddresses], 3)):"
        ),
        "{}",
        failed[0]
    );
}

#[test]
fn broken_jsonl_line_is_reported_and_the_rest_processed() {
    let plan = plan(CORRECT);
    let mut bad = Vec::new();
    let mut out = Vec::new();
    let summary = simulate::run(
        &plan,
        &options(ScimMode::Legacy),
        users("fixtures/users/broken-line.jsonl"),
        &mut App::new(&plan),
        Output::Resources,
        &mut out,
        &mut |e| {
            if let simulate::Event::BadInput(e) = e {
                bad.push((e.position, e.fatal));
            }
        },
    )
    .unwrap();
    assert_eq!(bad, [(Some(Position::Line(2)), false)]);
    assert_eq!(summary.read, 2);
    assert_eq!(summary.created, 2);
    assert_eq!(summary.errors, 1);
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2);

    let assert = Command::cargo_bin("entramap")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "simulate",
            "--mapping",
            CORRECT,
            "--users",
            "fixtures/users/broken-line.jsonl",
        ])
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("users: line 2: "), "{stderr}");
    assert!(stderr.contains("2 users read: 2 created"), "{stderr}");
}

#[test]
fn broken_array_element_is_reported_and_the_rest_processed() {
    let plan = plan(CORRECT);
    let input = r#"[{"id": "a", "userPrincipalName": "a@x"}, {"id": "b", "userPrincipalName": }, {"id": "c", "userPrincipalName": "c@x"}]"#;
    let mut bad = Vec::new();
    let summary = simulate::run(
        &plan,
        &options(ScimMode::Legacy),
        UserReader::from_text(input),
        &mut App::new(&plan),
        Output::Resources,
        &mut Vec::new(),
        &mut |e| {
            if let simulate::Event::BadInput(e) = e {
                bad.push(e.position);
            }
        },
    )
    .unwrap();
    assert_eq!(
        bad,
        [Some(Position::Element {
            index: 2,
            offset: 42
        })]
    );
    assert_eq!((summary.read, summary.created, summary.errors), (2, 2, 1));
}

// ------------------------------------------------------------------------------------ steady

fn steady_check(mapping: &str, profile: &str) -> (steady::SteadyReport, String) {
    let plan = plan(mapping);
    let profile = Profile::resolve(profile).unwrap();
    let mut out = Vec::new();
    let report = steady::check(
        &plan,
        &options(ScimMode::Legacy),
        &|| Ok(users(USERS)),
        App::new(&plan),
        Some(&profile),
        &mut out,
        &mut |_| {},
    )
    .unwrap();
    (report, String::from_utf8(out).unwrap())
}

#[test]
fn default_mapping_is_not_steady_for_unleash() {
    let (report, out) = steady_check(DEFAULT, "unleash");
    assert!(!report.is_steady());
    let targets: Vec<&str> = report.targets.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(
        targets,
        [
            "title",
            "preferredLanguage",
            "name.givenName",
            "name.familyName",
            "name.formatted",
            "addresses[type eq \"work\"].formatted",
            "addresses[type eq \"work\"].streetAddress",
            "addresses[type eq \"work\"].locality",
            "addresses[type eq \"work\"].region",
            "addresses[type eq \"work\"].postalCode",
            "addresses[type eq \"work\"].country",
            "phoneNumbers[type eq \"work\"].value",
            "phoneNumbers[type eq \"mobile\"].value",
            "phoneNumbers[type eq \"fax\"].value",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        ]
    );
    // Every write is a PATCH of the unpersisted attributes, each with its cause.
    let writes = lines(&out);
    assert_eq!(writes.len() as u64, report.writes);
    assert_eq!(report.users, 8);
    for w in &writes {
        assert_eq!(w["method"], "PATCH");
        for c in w["causes"].as_array().unwrap() {
            assert!(
                c["why"]
                    .as_str()
                    .unwrap()
                    .starts_with("unleash does not persist it")
            );
        }
    }
    insta::assert_snapshot!("steady-default-unleash", out);
}

#[test]
fn unleash_mappings_are_steady() {
    for m in [CORRECT, SEED, GALLERY] {
        let (report, out) = steady_check(m, "unleash");
        assert!(report.is_steady(), "{m}: {out}");
        assert!(out.is_empty());
        assert_eq!(report.cycle1.created, 8);
    }
}

#[test]
fn check_steady_cli_exit_codes() {
    let run = |mapping: &str| {
        Command::cargo_bin("entramap")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["simulate", "--mapping", mapping, "--users", USERS])
            .args(["--profile", "unleash", "--check-steady", "--now", NOW])
            .assert()
    };
    let not_steady = run(DEFAULT).code(1);
    let stderr = String::from_utf8(not_steady.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("not steady: cycle 2 still sends 8 writes to 8 users"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  title: 6 users; unleash does not persist it"),
        "{stderr}"
    );
    let steady = run(CORRECT).code(0);
    assert!(steady.get_output().stdout.is_empty());
}

#[test]
fn nondeterministic_mapping_is_not_steady() {
    let text = r#"[
      {"targetAttributeName": "userName", "matchingPriority": 1,
       "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}},
      {"targetAttributeName": "externalId",
       "source": {"type": "Function", "name": "Guid", "expression": "Guid()"}}
    ]"#;
    let plan = Plan::new(&mapping::load(text).unwrap()).unwrap();
    let mut out = Vec::new();
    let report = steady::check(
        &plan,
        &options(ScimMode::Legacy),
        &|| Ok(users(USERS)),
        App::new(&plan),
        None,
        &mut out,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.targets.len(), 1);
    assert!(report.targets[0].2.contains("Guid"), "{:?}", report.targets);
}

// ------------------------------------------------------------------------------------ RFC 7643

/// Checks a resource against RFC 7643's core User schema (§4.1) and the enterprise extension
/// (§4.3): the attributes a client may send, their types and multi-valued structure.
fn check_user(r: &Json) -> Result<(), String> {
    let o = r.as_object().ok_or("not an object")?;
    let schemas: Vec<&str> = o
        .get("schemas")
        .and_then(Json::as_array)
        .ok_or("schemas is required and must be an array")?
        .iter()
        .map(|s| s.as_str().ok_or("schemas must hold strings"))
        .collect::<Result<_, _>>()?;
    if !schemas.contains(&CORE_USER) {
        return Err("schemas must include the core User schema".into());
    }
    let user_name = o
        .get("userName")
        .and_then(Json::as_str)
        .ok_or("userName is required and must be a string")?;
    if user_name.is_empty() {
        return Err("userName must not be empty".into());
    }
    if o.contains_key("id") {
        return Err("id is assigned by the service provider; a client must not send it".into());
    }
    const STRINGS: &[&str] = &[
        "userName",
        "externalId",
        "displayName",
        "nickName",
        "profileUrl",
        "title",
        "userType",
        "preferredLanguage",
        "locale",
        "timezone",
        "password",
    ];
    const MULTI: &[(&str, &[&str])] = &[
        ("emails", &["value", "display", "type"]),
        ("phoneNumbers", &["value", "display", "type"]),
        ("ims", &["value", "display", "type"]),
        ("photos", &["value", "display", "type"]),
        (
            "addresses",
            &[
                "formatted",
                "streetAddress",
                "locality",
                "region",
                "postalCode",
                "country",
                "type",
            ],
        ),
        ("entitlements", &["value", "display", "type"]),
        ("roles", &["value", "display", "type"]),
        ("x509Certificates", &["value", "display", "type"]),
    ];
    const NAME: &[&str] = &[
        "formatted",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    ];
    for (k, v) in o {
        match k.as_str() {
            "schemas" => {}
            "meta" => {
                if v.get("resourceType") != Some(&Json::String("User".into())) {
                    return Err("meta.resourceType must be User".into());
                }
            }
            "active" => {
                if !v.is_boolean() {
                    return Err(format!("active must be a boolean, got {v}"));
                }
            }
            "name" => {
                let n = v.as_object().ok_or("name must be a complex attribute")?;
                for (sk, sv) in n {
                    if !NAME.contains(&sk.as_str()) || !sv.is_string() {
                        return Err(format!("name.{sk} is not a string sub-attribute of name"));
                    }
                }
            }
            "groups" => return Err("groups is read-only".into()),
            k if STRINGS.contains(&k) => {
                if !v.is_string() {
                    return Err(format!("{k} must be a string"));
                }
            }
            k if MULTI.iter().any(|(m, _)| *m == k) => {
                let subs = MULTI.iter().find(|(m, _)| *m == k).unwrap().1;
                let items = v
                    .as_array()
                    .ok_or(format!("{k} must be multi-valued (an array)"))?;
                let mut primaries = 0;
                for item in items {
                    let item = item
                        .as_object()
                        .ok_or(format!("{k} elements must be complex"))?;
                    for (sk, sv) in item {
                        match sk.as_str() {
                            "primary" => {
                                if sv
                                    .as_bool()
                                    .ok_or(format!("{k}.primary must be a boolean"))?
                                {
                                    primaries += 1;
                                }
                            }
                            s if subs.contains(&s) => {
                                if !sv.is_string() {
                                    return Err(format!("{k}.{s} must be a string"));
                                }
                            }
                            s => return Err(format!("{k} has no sub-attribute {s}")),
                        }
                    }
                    if subs.contains(&"value") && !item.contains_key("value") {
                        return Err(format!("{k} element without value"));
                    }
                }
                if primaries > 1 {
                    return Err(format!("{k}: at most one element may be primary"));
                }
            }
            k if k == ENTERPRISE_USER => {
                if !schemas.contains(&ENTERPRISE_USER) {
                    return Err("the enterprise extension is used but not listed in schemas".into());
                }
                for (sk, sv) in v
                    .as_object()
                    .ok_or("the enterprise extension must be an object")?
                {
                    match sk.as_str() {
                        "employeeNumber" | "costCenter" | "organization" | "division"
                        | "department" => {
                            if !sv.is_string() {
                                return Err(format!("enterprise {sk} must be a string"));
                            }
                        }
                        "manager" => {
                            let m = sv.as_object().ok_or("manager must be complex")?;
                            if !m.get("value").is_some_and(Json::is_string) {
                                return Err("manager.value must be a string".into());
                            }
                        }
                        other => return Err(format!("the enterprise extension has no {other}")),
                    }
                }
            }
            k => return Err(format!("{k} is not an attribute of the core User schema")),
        }
    }
    for s in &schemas {
        if *s != CORE_USER && !o.contains_key(*s) {
            return Err(format!(
                "schemas lists {s} but the resource has no such extension"
            ));
        }
    }
    Ok(())
}

#[test]
fn produced_users_are_valid_scim() {
    let mut checked = 0;
    for m in [DEFAULT, CORRECT, SEED, GALLERY, EXAMPLE] {
        let (out, _) = run(m, Output::Resources, ScimMode::Legacy, None);
        for r in lines(&out) {
            check_user(&r).unwrap_or_else(|e| panic!("{m}: {e}: {r}"));
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
    // The checker rejects what it should.
    for bad in [
        r#"{"userName": "a"}"#,
        r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "active": "True"}"#,
        r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "emails": {"value": "x"}}"#,
        r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "emails": [{"value": 3}]}"#,
        r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "x"}}"#,
        r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "name.givenName": "x"}"#,
    ] {
        assert!(
            check_user(&serde_json::from_str(bad).unwrap()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn typed_values_follow_the_target_definition() {
    // A Boolean target gets a JSON boolean from "true"/"False" text; a Reference gets {"value"}.
    let (out, _) = run(CORRECT, Output::Resources, ScimMode::Legacy, None);
    for r in lines(&out) {
        assert_eq!(r["active"], Json::Bool(true));
    }
    let (out, _) = run(DEFAULT, Output::Resources, ScimMode::Legacy, None);
    let adele = lines(&out)
        .into_iter()
        .find(|r| r["userName"] == "AdeleV@contoso.com")
        .unwrap();
    assert_eq!(
        adele[ENTERPRISE_USER]["manager"],
        serde_json::json!({"value": "19ed1cfa-4844-5ba5-ab1b-cac27c5d8d5b"})
    );
    // Diego has no mail: no emails at all (null never flows).
    let diego = lines(&out)
        .into_iter()
        .find(|r| r["userName"] == "DiegoS@contoso.com")
        .unwrap();
    assert!(diego.get("emails").is_none());
}

// ------------------------------------------------------------------------------------ scoping

fn user(attrs: &[(&str, Value)]) -> UserRecord {
    let mut u = UserRecord::new();
    for (k, v) in attrs {
        u.set(k, v.clone());
    }
    u
}

fn clause(attribute: &str, operator: &str, values: &[&str]) -> ScopeClause {
    ScopeClause {
        attribute: attribute.into(),
        operator: operator.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn matches(c: ScopeClause, u: &UserRecord) -> bool {
    Scope::new(&[ScopeGroup {
        name: None,
        clauses: vec![c],
    }])
    .unwrap()
    .check(u)
    .is_ok()
}

#[test]
fn scoping_operators() {
    let s = |t: &str| Value::Str(t.into());
    let u = user(&[
        ("department", s("Sales")),
        ("mail", s("ann@contoso.com")),
        ("accountEnabled", Value::Bool(true)),
        ("dirSyncEnabled", s("False")),
        ("extensionAttribute1", s("42")),
        ("userAccountControl", Value::Int(0x202)),
        ("jobTitle", s("")),
    ]);
    let cases: &[(&str, &str, &[&str], bool)] = &[
        ("department", "EQUALS", &["Sales"], true),
        ("department", "EQUALS", &["sales"], false), // case-sensitive
        ("department", "NOT EQUALS", &["Marketing"], true),
        ("department", "NOT EQUALS", &["Sales"], false),
        ("missing", "NOT EQUALS", &["Sales"], false), // null fails the clause
        ("accountEnabled", "IS TRUE", &[], true),
        ("accountEnabled", "IS FALSE", &[], false),
        ("dirSyncEnabled", "IS FALSE", &[], true),
        ("missing", "IS FALSE", &[], false),
        ("missing", "IS NULL", &[], true),
        ("jobTitle", "IS NULL", &[], true), // empty counts as null
        ("department", "IS NULL", &[], false),
        ("department", "IS NOT NULL", &[], true),
        ("jobTitle", "IS NOT NULL", &[], false),
        ("mail", "Includes", &["@contoso"], true),
        ("mail", "Includes", &["@CONTOSO"], false),
        ("mail", "ENDS_WITH", &["contoso.com"], true),
        ("mail", "ENDS WITH", &["fabrikam.com"], false),
        ("mail", "REGEX MATCH", &["^[a-z]+@contoso\\.com$"], true),
        ("mail", "REGEX_MATCH", &["^bob"], false),
        ("mail", "NOT REGEX MATCH", &["^bob"], true),
        ("missing", "NOT REGEX MATCH", &["^bob"], false), // false on null
        ("extensionAttribute1", "Greater_Than", &["41"], true),
        ("extensionAttribute1", "Greater_Than", &["42"], false),
        (
            "extensionAttribute1",
            "GREATER THAN OR EQUALS",
            &["42"],
            true,
        ),
        ("department", "Greater_Than", &["1"], false), // not an integer
        ("userAccountControl", "&", &["2"], true),
        ("userAccountControl", "&", &["4"], false),
        ("userAccountControl", "!&", &["2"], false),
        ("userAccountControl", "!&", &["4"], true),
        ("missing", "!&", &["4"], false),
    ];
    for (attr, op, values, expect) in cases {
        assert_eq!(
            matches(clause(attr, op, values), &u),
            *expect,
            "{attr} {op} {values:?}"
        );
    }
    assert_eq!(
        Operator::parse("greater_than_or_equals"),
        Some(Operator::GreaterThanOrEquals)
    );
    assert!(
        Scope::new(&[ScopeGroup {
            name: None,
            clauses: vec![clause("a", "LIKE", &["x"])]
        }])
        .is_err()
    );
    assert!(
        Scope::new(&[ScopeGroup {
            name: None,
            clauses: vec![clause("a", "REGEX MATCH", &["("])]
        }])
        .is_err()
    );
}

#[test]
fn scoping_groups_or_clauses_and() {
    let s = |t: &str| Value::Str(t.into());
    let scope = Scope::new(&[
        ScopeGroup {
            name: Some("Sales in US".into()),
            clauses: vec![
                clause("department", "EQUALS", &["Sales"]),
                clause("country", "EQUALS", &["US"]),
            ],
        },
        ScopeGroup {
            name: None,
            clauses: vec![clause("jobTitle", "Includes", &["Manager"])],
        },
    ])
    .unwrap();
    let sales_us = user(&[("department", s("Sales")), ("country", s("US"))]);
    let sales_de = user(&[("department", s("Sales")), ("country", s("DE"))]);
    let manager = user(&[("jobTitle", s("Sales Manager"))]);
    assert!(scope.check(&sales_us).is_ok());
    assert!(scope.check(&manager).is_ok());
    let why = scope.check(&sales_de).unwrap_err();
    assert_eq!(
        why,
        "Sales in US: country EQUALS \"US\" fails; group 2: jobTitle Includes \"Manager\" fails"
    );
}

#[test]
fn soft_deletion_is_derived() {
    let plan = plan(EXAMPLE);
    let reasons: Vec<(String, Option<String>)> = users(USERS)
        .map(|u| {
            let (_, mut u) = u.unwrap();
            let why = simulate::derive_soft_deleted(&plan, &mut u);
            assert_eq!(u.value("IsSoftDeleted"), Some(&Value::Bool(why.is_some())));
            (
                u.value("displayName").unwrap().to_string(),
                why.map(|w| w.name().to_string()),
            )
        })
        .collect();
    let soft: Vec<(&str, &str)> = reasons
        .iter()
        .filter_map(|(n, w)| w.as_deref().map(|w| (n.as_str(), w)))
        .collect();
    assert_eq!(
        soft,
        [
            ("Alex Wilber", "disabled"),
            ("Lee Gu", "not-assigned"),
            ("Isaiah Langer", "out-of-scope"),
            ("Nestor Wilke", "out-of-scope"),
        ]
    );
    let deleted = UserReader::from_text(
        "{\"id\":\"a\",\"deletedDateTime\":\"2025-01-01T00:00:00Z\"}\n{\"id\":\"b\",\"IsSoftDeleted\":\"True\"}\n{\"id\":\"c\",\"IsSoftDeleted\":false,\"department\":\"Sales\",\"accountEnabled\":true}",
    );
    let names: Vec<Option<&str>> = deleted
        .map(|u| {
            let (_, mut u) = u.unwrap();
            simulate::derive_soft_deleted(&plan, &mut u).map(|w| w.name())
        })
        .collect();
    assert_eq!(names, [Some("deleted"), Some("deleted"), None]);
}
