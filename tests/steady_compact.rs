//! The steady-state check keeps the app's users as fingerprints (`App::compact`); it must say
//! exactly what the plain path (every user a JSON tree) says, request for request.

#[path = "../benches/support/users.rs"]
mod generated;

use entramap::mapping;
use entramap::profile::Profile;
use entramap::simulate::app::App;
use entramap::simulate::users::UserReader;
use entramap::simulate::{Options, Plan, steady};
use entramap::wire::ScimMode;
use serde_json::Value as Json;
use std::path::PathBuf;

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn plan_of(text: &str) -> Plan {
    Plan::new(&mapping::load(text).unwrap()).unwrap()
}

fn plan(rel: &str) -> Plan {
    plan_of(&std::fs::read_to_string(path(rel)).unwrap())
}

/// Generated users, and the same users a cycle later: some renamed, some disabled, some with
/// their userPrincipalName in other case, some with a new e-mail, some gone.
fn user_sets(n: usize) -> (String, String) {
    let mut first = Vec::new();
    generated::generate(n, 7, &mut first).unwrap();
    let first = String::from_utf8(first).unwrap();
    let mut later = String::new();
    for (i, line) in first.lines().enumerate() {
        let mut user: Json = serde_json::from_str(line).unwrap();
        let u = user.as_object_mut().unwrap();
        if i % 11 == 0 {
            continue;
        }
        if i % 3 == 0 {
            u.insert("displayName".into(), format!("Renamed {i}").into());
            u.insert("jobTitle".into(), "Director".into());
        }
        if i % 5 == 0 {
            u.insert("accountEnabled".into(), false.into());
        }
        if i % 7 == 0 {
            let upn = u["userPrincipalName"].as_str().unwrap().to_uppercase();
            u.insert("userPrincipalName".into(), upn.into());
        }
        if i % 13 == 0 {
            u.insert("mail".into(), format!("moved{i}@fabrikam.com").into());
        }
        later.push_str(&serde_json::to_string(&user).unwrap());
        later.push('\n');
    }
    (first, later)
}

/// Runs the check with the given app; cycle 1 reads `first`, cycle 2 `later`.
fn check(
    plan: &Plan,
    mode: ScimMode,
    app: App,
    profile: Option<&Profile>,
    first: &str,
    later: &str,
) -> (String, String) {
    let calls = std::cell::Cell::new(0);
    let open = || {
        calls.set(calls.get() + 1);
        let text = if calls.get() == 1 { first } else { later };
        Ok(UserReader::from_text(text))
    };
    let options = Options {
        mode,
        now: "2025-01-01T00:00:00Z".parse().unwrap(),
        seed: 3,
    };
    let mut out = Vec::new();
    let report = steady::check(plan, &options, &open, app, profile, &mut out, &mut |_| {}).unwrap();
    (format!("{report:?}"), String::from_utf8(out).unwrap())
}

/// Both stores over the same input; returns whether the fingerprint store was used.
fn same_both_ways(plan: &Plan, profile: Option<&Profile>, target: Option<&str>) -> bool {
    let (first, later) = user_sets(600);
    let app = || {
        let app = match target {
            Some(t) => App::load(plan, t.as_bytes()).unwrap(),
            None => App::new(plan),
        };
        match profile {
            Some(p) => app.persisting(p),
            None => app,
        }
    };
    for mode in [ScimMode::Legacy, ScimMode::Compliant] {
        let plain = check(plan, mode, app().as_trees(), profile, &first, &later);
        let compact = check(plan, mode, app(), profile, &first, &later);
        assert_eq!(plain.0, compact.0, "{mode:?}: the reports differ");
        assert_eq!(plain.1, compact.1, "{mode:?}: cycle 2's writes differ");
        // The input changes between the cycles, so cycle 2 has writes to compare.
        assert!(!plain.1.is_empty(), "{mode:?}: cycle 2 sent nothing");
    }
    app().compact(plan).is_compact()
}

#[test]
fn fingerprints_equal_trees_for_the_shipped_mappings() {
    let unleash = Profile::resolve("unleash").unwrap();
    for rel in [
        "fixtures/mappings/scim-default-user.json",
        "fixtures/mappings/unleash-correct.json",
        "fixtures/mappings/unleash-seed.json",
        "fixtures/mappings/unleash-gallery-default.json",
        "fixtures/mappings/entramap-example.yaml",
    ] {
        let plan = plan(rel);
        assert!(same_both_ways(&plan, Some(&unleash), None), "{rel}");
        assert!(same_both_ways(&plan, None, None), "{rel} without a profile");
    }
}

#[test]
fn fingerprints_equal_trees_for_every_profile_example() {
    assert_eq!(entramap::profile::BUILT_IN.len(), 9);
    for (name, _) in entramap::profile::BUILT_IN {
        let profile = Profile::resolve(name).unwrap();
        let plan = plan(&format!("fixtures/profiles/{name}/correct.yaml"));
        same_both_ways(&plan, Some(&profile), None);
    }
}

#[test]
fn fingerprints_equal_trees_with_a_target_state() {
    // The app already has some of the users, with values of its own and attributes no mapping
    // writes; a profile prunes them at the first write.
    let (first, _) = user_sets(600);
    let mut state = String::new();
    for (i, line) in first.lines().enumerate().filter(|(i, _)| i % 2 == 0) {
        let user: Json = serde_json::from_str(line).unwrap();
        let upn = user["userPrincipalName"].as_str().unwrap();
        let resource = serde_json::json!({
            "id": format!("app-{i}"),
            "userName": if i % 4 == 0 { upn.to_uppercase() } else { upn.to_string() },
            "active": if i % 8 == 0 { Json::from("False") } else { Json::from(true) },
            "displayName": user["displayName"],
            "title": "Kept by the app",
            "emails": [{"type": "work", "value": upn, "primary": true}],
        });
        state.push_str(&resource.to_string());
        state.push('\n');
    }
    let unleash = Profile::resolve("unleash").unwrap();
    let plan = plan("fixtures/mappings/scim-default-user.json");
    assert!(same_both_ways(&plan, Some(&unleash), Some(&state)));
    assert!(same_both_ways(&plan, None, Some(&state)));
}

#[test]
fn overlapping_targets_keep_trees() {
    // A write to `name` changes what `name.givenName` reads back: no fingerprints.
    let text = r#"[
      {"targetAttributeName": "userName", "matchingPriority": 1,
       "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}},
      {"targetAttributeName": "name.givenName",
       "source": {"type": "Attribute", "name": "givenName", "expression": "[givenName]"}},
      {"targetAttributeName": "name",
       "source": {"type": "Attribute", "name": "surname", "expression": "[surname]"}},
      {"targetAttributeName": "emails[type eq \"work\"].value",
       "source": {"type": "Attribute", "name": "mail", "expression": "[mail]"}},
      {"targetAttributeName": "emails[type eq \"work\"].primary",
       "source": {"type": "Attribute", "name": "accountEnabled", "expression": "[accountEnabled]"}}
    ]"#;
    let plan = plan_of(text);
    assert!(!same_both_ways(&plan, None, None));
    // Without the whole `name`, only the work e-mail's two sub-attributes overlap.
    let without_name = text.replace(
        r#"{"targetAttributeName": "name",
       "source": {"type": "Attribute", "name": "surname", "expression": "[surname]"}},"#,
        "",
    );
    assert!(!same_both_ways(&plan_of(&without_name), None, None));
    // Different elements and different sub-attributes are independent.
    let independent = without_name
        .replace(
            "emails[type eq \\\"work\\\"].primary",
            "emails[type eq \\\"home\\\"].value",
        )
        .replace(
            "\"name\": \"accountEnabled\", \"expression\": \"[accountEnabled]\"",
            "\"name\": \"otherMails\", \"expression\": \"[mailNickname]\"",
        );
    assert!(same_both_ways(&plan_of(&independent), None, None));
}

#[test]
fn created_users_never_take_an_id_the_app_already_has() {
    // The app's one user has the id the app would give its first created user.
    let plan = plan("fixtures/mappings/unleash-correct.json");
    let state = r#"{"id":"00000000-0000-4000-8000-000000000001","userName":"someone@contoso.com"}"#;
    let (first, _) = user_sets(3);
    for compact in [false, true] {
        let mut app = App::load(&plan, state.as_bytes()).unwrap();
        if compact {
            app = app.compact(&plan);
            assert!(app.is_compact());
        } else {
            app = app.as_trees();
        }
        let options = Options {
            mode: ScimMode::Legacy,
            now: "2025-01-01T00:00:00Z".parse().unwrap(),
            seed: 0,
        };
        entramap::simulate::cycle(
            &plan,
            &options,
            1,
            UserReader::from_text(&first),
            &mut app,
            true,
            entramap::simulate::Detail::Requests,
            &mut |_| Ok(()),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(app.len(), 4, "one loaded and three created");
        let ids: Vec<String> = (0..app.len()).map(|r| app.stored(r).id()).collect();
        assert_eq!(
            ids,
            [
                "00000000-0000-4000-8000-000000000001",
                "00000000-0000-4000-8000-000000000002",
                "00000000-0000-4000-8000-000000000003",
                "00000000-0000-4000-8000-000000000004",
            ],
            "compact: {compact}"
        );
    }
}

#[test]
fn a_target_state_on_standard_input_is_refused_with_the_reason() {
    let plan = plan("fixtures/mappings/unleash-correct.json");
    let err = entramap::simulate::app::load_target_state(&plan, "-").unwrap_err();
    assert!(err.contains("cannot be standard input"), "{err}");
}
