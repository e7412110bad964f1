//! App profiles (format 2): every built-in profile's fixtures (the clean example lints clean,
//! each broken variant yields exactly its rule), the Unleash behaviours, format 1 read and
//! upgraded, the JSON Schema, and the value rules over generated users (GitHub EMU, Slack,
//! dbt Cloud), each expected list computed in the test from the users themselves.

mod common;
#[path = "../benches/support/users.rs"]
#[allow(dead_code)]
mod gen_users;

use common::run_with;
use entramap::lint::{self, LintOptions};
use entramap::mapping;
use entramap::profile::{BUILT_IN, Profile, ScimMode};
use serde_json::Value as Json;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The codes of every finding for a mapping file linted with a profile in a mode.
fn lint_codes(file: &str, profile: &str, mode: ScimMode) -> Vec<(&'static str, String)> {
    let text = std::fs::read_to_string(path(file)).unwrap();
    let file = mapping::load(&text).unwrap();
    let options = LintOptions {
        profile: Some(Profile::resolve(profile).unwrap()),
        scim_mode: mode,
        ..LintOptions::default()
    };
    lint::lint(&file, &options)
        .into_iter()
        .map(|f| (f.diagnostic.code, f.diagnostic.message))
        .collect()
}

fn code_of(rule: &str) -> &'static str {
    lint::find_rule(rule)
        .unwrap_or_else(|| panic!("fixture names no rule: {rule}"))
        .code
}

#[test]
fn every_profile_has_fixtures_that_fire_exactly_their_rule() {
    for (name, _) in BUILT_IN {
        let dir = path(&format!("fixtures/profiles/{name}"));
        let mut variants = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{name}: {e}")) {
            let file = entry.unwrap().path();
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            let rel = format!("fixtures/profiles/{name}/{stem}.yaml");
            if stem == "correct" {
                let found = lint_codes(&rel, name, ScimMode::Compliant);
                assert!(found.is_empty(), "{rel} (compliant mode): {found:?}");
                continue;
            }
            variants += 1;
            let (rule, mode) = match stem.strip_suffix(".legacy") {
                Some(rule) => (rule, ScimMode::Legacy),
                None => (stem.as_str(), ScimMode::Compliant),
            };
            let want = code_of(rule);
            let flag = code_of("scim-flag");
            let codes: BTreeSet<&str> = lint_codes(&rel, name, mode)
                .into_iter()
                // A legacy-mode variant of another rule may also get the flag's info.
                .filter(|(c, _)| want == flag || *c != flag)
                .map(|(c, _)| c)
                .collect();
            assert_eq!(codes, BTreeSet::from([want]), "{rel}");
        }
        assert!(variants >= 1, "{name} has no broken variant");
    }
}

#[test]
fn profiles_lists_the_nine() {
    let (code, out, _) = run_with(&["profiles"], "");
    assert_eq!(code, 0);
    let names: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with('`'))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        [
            "unleash",
            "github-emu",
            "slack",
            "pagerduty",
            "grafana",
            "atlassian",
            "sentry",
            "datadog",
            "dbt-cloud"
        ]
    );
    let (code, out, _) = run_with(&["explain", "dbt-cloud"], "");
    assert_eq!(code, 0);
    assert!(out.contains("add to the schema: emails[type eq \"work\"].primary (Boolean), default True, mapping type None"), "{out}");
    assert!(
        out.contains("Sources:\n  - dbt-labs/docs.getdbt.com:"),
        "{out}"
    );
}

// ------------------------------------------------------------------------------------ unleash

fn unleash_active(expr: Option<&str>, mode: ScimMode) -> Vec<(&'static str, String)> {
    let mut text = std::fs::read_to_string(path("fixtures/profiles/unleash/correct.yaml")).unwrap();
    let sw = r#"'Switch([IsSoftDeleted], , "False", "true", "True", "false")'"#;
    text = match expr {
        Some(e) => text.replace(sw, &format!("'{e}'")),
        None => text.replace(
            &format!("      - target: active\n        source: {sw}\n"),
            "",
        ),
    };
    let file = mapping::load(&text).unwrap();
    let options = LintOptions {
        profile: Some(Profile::resolve("unleash").unwrap()),
        scim_mode: mode,
        ..LintOptions::default()
    };
    lint::lint(&file, &options)
        .into_iter()
        .filter(|f| f.diagnostic.code != "EM107")
        .map(|f| (f.diagnostic.code, f.diagnostic.message))
        .collect()
}

#[test]
fn unleash_flags_a_missing_active_and_accepts_the_forms_that_work() {
    for mode in [ScimMode::Legacy, ScimMode::Compliant] {
        let found = unleash_active(None, mode);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "EM102");
        assert!(
            found[0]
                .1
                .contains("unassigned users will not be deprovisioned"),
            "{}",
            found[0].1
        );
        // The Switch with capitalised keys: no finding in either mode.
        assert_eq!(
            unleash_active(
                Some(r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#),
                mode
            ),
            []
        );
    }
    assert_eq!(
        unleash_active(Some("Not([IsSoftDeleted])"), ScimMode::Compliant),
        []
    );
    let legacy = unleash_active(Some("Not([IsSoftDeleted])"), ScimMode::Legacy);
    assert_eq!(legacy.len(), 1, "{legacy:?}");
    assert_eq!(legacy[0].0, "EM103");
    assert!(legacy[0].1.contains("capitalised"), "{}", legacy[0].1);
}

#[test]
fn unleash_legacy_mode_gets_an_info_recommending_the_flag() {
    let text = std::fs::read_to_string(path("fixtures/profiles/unleash/correct.yaml")).unwrap();
    let file = mapping::load(&text).unwrap();
    let options = LintOptions {
        profile: Some(Profile::resolve("unleash").unwrap()),
        ..LintOptions::default()
    };
    let found = lint::lint(&file, &options);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].diagnostic.code, "EM107");
    assert_eq!(
        found[0].diagnostic.severity,
        entramap::diagnostic::Severity::Info
    );
    assert!(found[0].diagnostic.message.contains("?aadOptscim062020"));
}

#[test]
fn pagerduty_form_and_the_usual_switch_agree_not_does_only_in_compliant_mode() {
    let base = std::fs::read_to_string(path("fixtures/profiles/pagerduty/correct.yaml")).unwrap();
    let pd = r#"'Switch([IsSoftDeleted], "true", "False", "true", "True", "false")'"#;
    let lint_with = |expr: &str, mode| {
        let file = mapping::load(&base.replace(pd, &format!("'{expr}'"))).unwrap();
        let options = LintOptions {
            profile: Some(Profile::resolve("pagerduty").unwrap()),
            scim_mode: mode,
            ..LintOptions::default()
        };
        lint::lint(&file, &options)
            .into_iter()
            .map(|f| f.diagnostic.code)
            .collect::<Vec<_>>()
    };
    let usual = r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#;
    for mode in [ScimMode::Legacy, ScimMode::Compliant] {
        assert_eq!(lint_with(usual, mode), Vec::<&str>::new(), "{mode:?}");
    }
    assert_eq!(
        lint_with("Not([IsSoftDeleted])", ScimMode::Compliant),
        Vec::<&str>::new()
    );
    assert_eq!(
        lint_with("Not([IsSoftDeleted])", ScimMode::Legacy),
        ["EM106"]
    );
    // Inverted: wrong in both modes.
    assert_eq!(lint_with("[IsSoftDeleted]", ScimMode::Compliant), ["EM106"]);
}

// ------------------------------------------------------------------------------------ format

#[test]
fn acme_wiki_reads_the_same_in_both_formats() {
    let v1 = Profile::resolve_loaded(path("fixtures/profiles/acme-wiki.yaml").to_str().unwrap())
        .unwrap();
    let v2 = Profile::resolve_loaded(
        path("fixtures/profiles/acme-wiki.v2.yaml")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let note = v1.note.expect("format 1 gets an upgrade note");
    assert!(note.contains("add `format: 2`"), "{note}");
    assert!(!note.contains('\n'), "one line: {note}");
    assert_eq!(v2.note, None);
    assert_eq!(v1.profile, v2.profile);
    // The CLI shows the note on stderr and lints as before.
    let (code, _, err) = run_with(
        &[
            "lint",
            "--no-config",
            "--profile",
            "fixtures/profiles/acme-wiki.yaml",
            "fixtures/mappings/unleash-correct.json",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert!(err.contains("is in format 1"), "{err}");
}

#[test]
fn unknown_keys_are_errors_with_a_suggestion() {
    let text = "format: 2\nname: x\nactive:\n  wier: lowercase-boolean\n";
    let e = Profile::load(text, "x.yaml").unwrap_err().to_string();
    assert!(e.contains("unknown field `wier`"), "{e}");
    assert!(e.contains("did you mean `wire`?"), "{e}");
    let text = "format: 2\nname: x\nvalues:\n  - target: userName\n    max-lenght: 3\n";
    let e = Profile::load(text, "x.yaml").unwrap_err().to_string();
    assert!(e.contains("did you mean `max-length`?"), "{e}");
    let text = "format: 2\nname: x\nvalues:\n  - target: userName\n    pattern: '('\n";
    let e = Profile::load(text, "x.yaml").unwrap_err().to_string();
    assert!(e.contains("pattern"), "{e}");
}

/// The keys a schema object allows, following `$ref`s into `$defs`.
fn allowed_keys<'a>(schema: &'a Json, root: &'a Json) -> Option<&'a serde_json::Map<String, Json>> {
    if let Some(r) = schema.get("$ref").and_then(Json::as_str) {
        let name = r.strip_prefix("#/$defs/")?;
        return allowed_keys(&root["$defs"][name], root);
    }
    schema.get("properties")?.as_object()
}

/// Checks every object key of `value` against the schema (objects, arrays of objects, maps).
fn conforms(value: &Json, schema: &Json, root: &Json, at: &str) {
    let schema = match schema.get("$ref").and_then(Json::as_str) {
        Some(r) => &root["$defs"][r.strip_prefix("#/$defs/").unwrap()],
        None => schema,
    };
    // `Option<T>` is `anyOf: [T, null]`.
    if let Some(any) = schema.get("anyOf").and_then(Json::as_array) {
        if value.is_null() {
            return;
        }
        let first = any
            .iter()
            .find(|s| s.get("type") != Some(&Json::from("null")));
        return conforms(value, first.unwrap(), root, at);
    }
    match value {
        Json::Object(map) => {
            if let Some(props) = allowed_keys(schema, root) {
                assert_eq!(
                    schema.get("additionalProperties"),
                    Some(&Json::Bool(false)),
                    "{at}: the schema must refuse unknown keys"
                );
                for (k, v) in map {
                    let sub = props
                        .get(k)
                        .unwrap_or_else(|| panic!("{at}.{k}: not in the JSON Schema"));
                    conforms(v, sub, root, &format!("{at}.{k}"));
                }
            } else if let Some(add) = schema.get("additionalProperties") {
                for (k, v) in map {
                    conforms(v, add, root, &format!("{at}.{k}"));
                }
            }
        }
        Json::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    conforms(v, item, root, &format!("{at}[{i}]"));
                }
            }
        }
        _ => {}
    }
}

#[test]
fn the_json_schema_covers_every_built_in_profile_and_refuses_unknown_keys() {
    let (code, out, _) = run_with(&["profiles", "--schema"], "");
    assert_eq!(code, 0);
    let schema: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(schema, entramap::profile::json_schema());
    let committed: Json = serde_json::from_str(
        &std::fs::read_to_string(path("fixtures/profiles/profile.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema, committed,
        "regenerate fixtures/profiles/profile.schema.json with `entramap profiles --schema`"
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    assert_eq!(required, ["format", "name"]);
    for (name, text) in BUILT_IN {
        let value: Json = serde_saphyr::from_str(text).unwrap();
        conforms(&value, &schema, &schema, name);
    }
    // And the checker itself finds a stray key.
    let stray: Json = serde_json::json!({"format": 2, "name": "x", "targets": {"keep-onyl": []}});
    let caught = std::panic::catch_unwind(|| conforms(&stray, &schema, &schema, "stray"));
    assert!(caught.is_err());
}

// ------------------------------------------------------------------------------------ values

/// Generated users as JSON values.
fn generated(n: usize, seed: u64) -> Vec<Json> {
    let mut buf = Vec::new();
    gen_users::generate(n, seed, &mut buf).unwrap();
    String::from_utf8(buf)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn jsonl(users: &[Json]) -> String {
    users.iter().map(|u| format!("{u}\n")).collect()
}

/// Users Entra would create or update (the ones the value rules are checked on).
fn provisioned(u: &Json) -> bool {
    u["accountEnabled"] != Json::Bool(false) && u.get("assigned") != Some(&Json::Bool(false))
}

fn make_active(u: &mut Json) {
    u["accountEnabled"] = Json::Bool(true);
    u.as_object_mut().unwrap().remove("assigned");
}

/// Runs `simulate --output violations`: (exit code, (user, rule) pairs, stderr).
fn violations(args: &[&str], users: &str) -> (i32, BTreeSet<(String, String)>, String) {
    let mut all = vec!["simulate", "-u", "-", "--output", "violations"];
    all.extend_from_slice(args);
    let (code, out, err) = run_with(&all, users);
    let found = out
        .lines()
        .map(|l| {
            let v: Json = serde_json::from_str(l).unwrap();
            for key in ["user", "target", "rule", "value", "message"] {
                assert!(v.get(key).is_some(), "{l} lacks {key}");
            }
            (
                v["user"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (code, found, err)
}

/// Later users whose key an earlier provisioned user already had.
fn duplicates(users: &[Json], key: impl Fn(&Json) -> Option<String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut dups = Vec::new();
    for u in users.iter().filter(|u| provisioned(u)) {
        let Some(k) = key(u) else { continue };
        if seen.insert(k, 0).is_some() {
            dups.push(u["id"].as_str().unwrap().to_string());
        }
    }
    dups
}

#[test]
fn github_emu_reports_exactly_the_long_and_the_colliding_usernames() {
    let mut users = generated(3000, 16);
    let long = [
        (
            17,
            "margaret.catherine.featherstonehaugh-smythe@contoso.com",
        ),
        (
            900,
            "a.very.long.user.principal.name.for.testing@contoso.com",
        ),
    ];
    let colliding = [
        (40, "ann.lee@contoso.com"),
        (1500, "Ann-Lee@fabrikam.com"),
        (60, "bob@contoso.com"),
        (2999, "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com"),
    ];
    for (i, upn) in long.iter().chain(&colliding) {
        users[*i]["userPrincipalName"] = Json::from(*upn);
        make_active(&mut users[*i]);
    }
    // Computed here from the users: GitHub's rule as its page states it.
    let username = |u: &Json| -> String {
        let upn = u["userPrincipalName"].as_str().unwrap();
        let local = match upn.split_once("#EXT#") {
            Some((guest, _)) => guest.rsplit_once('_').map_or(guest, |(l, _)| l),
            None => upn.split('@').next().unwrap(),
        };
        let name: String = local
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("{name}_octo")
    };
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for u in users.iter().filter(|u| provisioned(u)) {
        if username(u).chars().count() > 39 {
            expected.insert((u["id"].as_str().unwrap().into(), "max-length".into()));
        }
    }
    for id in duplicates(&users, |u| {
        let n = username(u);
        (n.chars().count() <= 39).then(|| n.to_lowercase())
    }) {
        expected.insert((id, "unique".into()));
    }
    // The expected list is the one the users were built with.
    let id = |i: usize| users[i]["id"].as_str().unwrap().to_string();
    assert_eq!(
        expected,
        BTreeSet::from([
            (id(17), "max-length".into()),
            (id(900), "max-length".into()),
            (id(1500), "unique".into()),
            (id(2999), "unique".into()),
        ])
    );
    for threads in ["1", "2"] {
        let (code, found, err) = violations(
            &[
                "-m",
                "fixtures/profiles/github-emu/correct.yaml",
                "--profile",
                "github-emu",
                "--profile-option",
                "short-code=octo",
                "--threads",
                threads,
            ],
            &jsonl(&users),
        );
        assert_eq!(code, 1, "{err}");
        assert_eq!(found, expected, "threads {threads}");
        assert!(err.contains("userName unique: 2 users"), "{err}");
        assert!(err.contains("userName max-length: 2 users"), "{err}");
    }
}

#[test]
fn slack_reports_long_and_duplicate_usernames() {
    let mut users = generated(1200, 7);
    for (i, nick) in [
        (5, "twentyonecharacters21"),
        (300, "a-much-longer-nickname-than-slack-takes"),
        (10, "sam"),
        (11, "SAM"),
        (700, "sam"),
    ] {
        users[i]["mailNickname"] = Json::from(nick);
        make_active(&mut users[i]);
    }
    let mut expected = BTreeSet::new();
    for u in users.iter().filter(|u| provisioned(u)) {
        if u["mailNickname"].as_str().unwrap().chars().count() >= 21 {
            expected.insert((
                u["id"].as_str().unwrap().to_string(),
                "max-length".to_string(),
            ));
        }
    }
    for id in duplicates(&users, |u| {
        Some(u["mailNickname"].as_str().unwrap().to_lowercase())
    }) {
        expected.insert((id, "unique".into()));
    }
    assert_eq!(expected.len(), 4, "{expected:?}");
    let (code, found, _) = violations(
        &[
            "-m",
            "fixtures/profiles/slack/correct.yaml",
            "--profile",
            "slack",
        ],
        &jsonl(&users),
    );
    assert_eq!(code, 1);
    assert_eq!(found, expected);
}

#[test]
fn dbt_cloud_reports_users_whose_username_is_not_their_work_email() {
    let mut users = generated(800, 3);
    users[20]["mail"] = Json::from("someone.else@contoso.com");
    make_active(&mut users[20]);
    users[21]["mail"] = users[21]["userPrincipalName"]
        .as_str()
        .unwrap()
        .to_uppercase()
        .into();
    make_active(&mut users[21]);
    let expected: BTreeSet<(String, String)> = users
        .iter()
        .filter(|u| provisioned(u))
        .filter(|u| {
            let mail = u["mail"].as_str().unwrap_or("");
            !mail.eq_ignore_ascii_case(u["userPrincipalName"].as_str().unwrap())
        })
        .map(|u| (u["id"].as_str().unwrap().to_string(), "equals".to_string()))
        .collect();
    // The generator leaves `mail` empty for about 5 % of users; plus the one changed here.
    assert!(expected.len() > 10, "{}", expected.len());
    assert!(expected.contains(&(users[20]["id"].as_str().unwrap().into(), "equals".into())));
    assert!(!expected.contains(&(users[21]["id"].as_str().unwrap().into(), "equals".into())));
    let mapping = std::fs::read_to_string(path("fixtures/profiles/dbt-cloud/correct.yaml"))
        .unwrap()
        .replace(
            "      - target: 'emails[type eq \"work\"].value'\n        source: '[userPrincipalName]'",
            "      - target: 'emails[type eq \"work\"].value'\n        source: '[mail]'",
        );
    let dir = std::env::temp_dir().join(format!("entramap-dbt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mail.yaml");
    std::fs::write(&file, mapping).unwrap();
    let (code, found, _) = violations(
        &["-m", file.to_str().unwrap(), "--profile", "dbt-cloud"],
        &jsonl(&users),
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1);
    assert_eq!(found, expected);
}

#[test]
fn lint_users_reports_value_rules_as_findings() {
    let mut users = generated(200, 5);
    users[3]["mailNickname"] = Json::from("twentyonecharacters21");
    make_active(&mut users[3]);
    let id = users[3]["id"].as_str().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!("entramap-lint-users-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.jsonl");
    std::fs::write(&file, jsonl(&users)).unwrap();
    let (code, out, _) = run_with(
        &[
            "lint",
            "--no-config",
            "--profile",
            "slack",
            "--scim-mode",
            "compliant",
            "--format",
            "short",
            "--users",
            file.to_str().unwrap(),
            "fixtures/profiles/slack/correct.yaml",
        ],
        "",
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        format!(
            "fixtures/profiles/slack/correct.yaml:10:17: error[EM110] value-rule: 1 user breaks slack's `max-length` rule on `userName` ({id})\nentramap: 1 error, 0 warnings, 0 infos in 1 file\n"
        )
    );
}

#[test]
fn profile_options_are_checked_and_tenant_url_sets_the_mode() {
    let (code, _, err) = run_with(
        &[
            "simulate",
            "-m",
            "fixtures/profiles/github-emu/correct.yaml",
            "-u",
            "fixtures/users/users.json",
            "--profile",
            "github-emu",
            "--profile-option",
            "shortcode=octo",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `short-code`?"), "{err}");
    let dir = std::env::temp_dir().join(format!("entramap-tenant-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mapping = std::fs::read_to_string(path("fixtures/profiles/unleash/correct.yaml")).unwrap();
    std::fs::write(dir.join("m.yaml"), mapping).unwrap();
    let lint_in = |config: &str| {
        std::fs::write(dir.join(".entramap.yaml"), config).unwrap();
        run_with(
            &[
                "lint",
                "--format",
                "short",
                dir.join("m.yaml").to_str().unwrap(),
            ],
            "",
        )
    };
    let (code, out, _) =
        lint_in("profile: unleash\ntenant-url: https://unleash.example/scim?aadOptscim062020\n");
    assert_eq!(
        (code, out.as_str()),
        (0, "entramap: no problems in 1 file\n")
    );
    let (code, out, _) = lint_in("profile: unleash\ntenant-url: https://unleash.example/scim\n");
    assert_eq!(code, 0);
    assert!(out.contains("info[EM107] scim-flag"), "{out}");
    let (code, _, err) = lint_in("profile: unleash\nscim-mode: legacy\ntenant-url: https://x\n");
    assert_eq!(code, 2);
    assert!(err.contains("not both"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------------------------ layout

/// The User a one-user simulation POSTs for a mapping whose targets are given.
fn posted(mappings: &str, mode: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "entramap-layout-{}-{}",
        std::process::id(),
        mappings.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.yaml");
    std::fs::write(
        &file,
        format!(
            "objects:\n  - name: Users\n    source: User\n    target: User\n    enabled: true\n    mappings:\n      - target: userName\n        source: '[userPrincipalName]'\n        matching: 1\n{mappings}"
        ),
    )
    .unwrap();
    let (code, out, err) = run_with(
        &[
            "simulate",
            "-m",
            file.to_str().unwrap(),
            "-u",
            "-",
            "--scim-mode",
            mode,
        ],
        r#"{"id":"9","accountEnabled":true,"userPrincipalName":"ann@contoso.com","displayName":"Ann Lee"}"#,
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{err}");
    out
}

/// The work e-mail element of a POSTed User, as text (to count keys) and as JSON.
fn work_email(line: &str) -> (String, Json) {
    let start = line.find("\"emails\":[").expect("an emails array") + "\"emails\":[".len();
    let end = start + line[start..].find('}').unwrap() + 1;
    let text = line[start..end].to_string();
    let json = serde_json::from_str(&text).unwrap();
    (text, json)
}

fn count(text: &str, key: &str) -> usize {
    text.matches(&format!("\"{key}\":")).count()
}

#[test]
fn filtered_sub_attributes_merge_into_one_element_each_key_once() {
    let value =
        "      - target: 'emails[type eq \"work\"].value'\n        source: '[userPrincipalName]'\n";
    for mode in ["legacy", "compliant"] {
        // value: the element gets its value and Entra's primary mark, once each.
        let (text, json) = work_email(&posted(value, mode));
        assert_eq!(
            json,
            serde_json::json!({"type": "work", "value": "ann@contoso.com", "primary": true})
        );
        assert_eq!(
            (count(&text, "value"), count(&text, "primary")),
            (1, 1),
            "{text}"
        );
        // primary: dbt Cloud's addition (mapping type None, default True), a Boolean, once.
        let primary = format!(
            "{value}      - target: 'emails[type eq \"work\"].primary'\n        default: 'False'\n"
        );
        let (text, json) = work_email(&posted(&primary, mode));
        assert_eq!(count(&text, "primary"), 1, "{text}");
        assert_eq!(
            json["primary"],
            Json::Bool(false),
            "the mapping's value, typed: {text}"
        );
        // type: the filter says it; a mapping to it does not add a second `type`.
        let ty = format!(
            "{value}      - target: 'emails[type eq \"work\"].type'\n        source: '\"other\"'\n"
        );
        let (text, json) = work_email(&posted(&ty, mode));
        assert_eq!(count(&text, "type"), 1, "{text}");
        assert_eq!(json["type"], "work");
        // display: a string sub-attribute in the same element.
        let display = format!(
            "{value}      - target: 'emails[type eq \"work\"].display'\n        source: '[displayName]'\n"
        );
        let line = posted(&display, mode);
        assert_eq!(
            line.matches("\"type\":\"work\"").count(),
            1,
            "one element: {line}"
        );
        let (_, json) = work_email(&line);
        assert_eq!(json["display"], "Ann Lee");
        assert_eq!(json["value"], "ann@contoso.com");
    }
}
