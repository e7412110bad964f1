//! The one wire model: the `active` lint rule and the simulator must agree on what reaches the
//! app. For expressions over `IsSoftDeleted` and `accountEnabled`, the rule's verdict (what it
//! says the app receives for each input) is compared with the PATCH the simulator sends for a
//! user with those inputs who already exists in the app, in both SCIM modes.

use entramap::check;
use entramap::lint::rules::active_not_lowercase_boolean::{self as active, Wire};
use entramap::mapping;
use entramap::simulate::app::App;
use entramap::simulate::users::UserReader;
use entramap::simulate::{self, Options, Output, Plan};
use entramap::syntax;
use entramap::wire::{ScimMode, TargetType};
use proptest::prelude::*;
use serde_json::Value as Json;

/// What the simulator sends for `active` to an existing user with these inputs: the op's value
/// as the app reads a boolean, or the JSON text of a value that is not one, or `None` when no op
/// carries `active`.
fn simulated(expr: &str, mode: ScimMode, deleted: bool, enabled: bool) -> Option<Wire> {
    let file = mapping::load(
        &serde_json::json!([
            {"targetAttributeName": "userName", "matchingPriority": 1,
             "source": {"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]"}},
            {"targetAttributeName": "active",
             "source": {"type": "Function", "name": "x", "expression": expr}}
        ])
        .to_string(),
    )
    .unwrap();
    let plan = Plan::new(&file).unwrap();
    assert!(plan.left_out.is_empty(), "{expr}: {:?}", plan.left_out);
    // The app holds the user with an `active` no mapping produces, so any value is a change.
    let state = r#"{"id":"app-1","userName":"ann@contoso.com","active":"sentinel"}"#;
    let mut app = App::load(&plan, state.as_bytes()).unwrap();
    let user = serde_json::json!({
        "id": "1", "userPrincipalName": "ann@contoso.com",
        "accountEnabled": enabled, "IsSoftDeleted": deleted,
    });
    let options = Options {
        mode,
        now: jiff::Timestamp::UNIX_EPOCH,
        seed: 0,
    };
    let mut out = Vec::new();
    simulate::run(
        &plan,
        &options,
        UserReader::from_text(&user.to_string()),
        &mut app,
        Output::Requests,
        &mut out,
        &mut |_| {},
    )
    .unwrap();
    for line in String::from_utf8(out).unwrap().lines() {
        let request: Json = serde_json::from_str(line).unwrap();
        let Some(ops) = request["body"]["Operations"].as_array() else {
            continue;
        };
        for op in ops {
            let value = if op["path"] == "active" {
                Some(&op["value"])
            } else {
                op.get("path")
                    .is_none()
                    .then(|| op["value"].get("active"))
                    .flatten()
            };
            if let Some(v) = value {
                return Some(match v {
                    Json::Bool(b) => Wire::Bool(*b),
                    Json::String(s) if s == "true" => Wire::Bool(true),
                    Json::String(s) if s == "false" => Wire::Bool(false),
                    Json::String(s) => Wire::Text(s.clone()),
                    other => Wire::Text(other.to_string()),
                });
            }
        }
    }
    None
}

/// The rule's verdict for each (IsSoftDeleted, accountEnabled) input.
fn verdicts(expr: &str, mode: ScimMode) -> Vec<((bool, bool), Wire)> {
    let checked = check::checked(syntax::parse(expr).unwrap()).unwrap();
    active::evaluate_cases(&checked, mode, TargetType::BOOLEAN)
        .into_iter()
        .map(|c| ((c.is_soft_deleted, c.account_enabled), c.wire))
        .collect()
}

/// Asserts that rule and simulator agree for every input: the same value, or nothing sent
/// where the rule says nothing flows.
fn agree(expr: &str, mode: ScimMode) -> Result<(), String> {
    for ((deleted, enabled), wire) in verdicts(expr, mode) {
        let sent = simulated(expr, mode, deleted, enabled);
        let same = match (&wire, &sent) {
            (Wire::Nothing(_), None) => true,
            (Wire::Error(_), None) => true,
            (w, Some(s)) => w == s,
            _ => false,
        };
        if !same {
            return Err(format!(
                "{expr} ({mode:?}, IsSoftDeleted={deleted}, accountEnabled={enabled}): rule says {wire:?}, simulator sends {sent:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn documented_active_forms_agree_in_both_modes() {
    // The seed's lowercase Switch, the gallery's capitalised Switch, the default Not,
    // PagerDuty's Switch (vendor guide), and numeric text.
    for expr in [
        r#"Switch([IsSoftDeleted], , "false", "true", "true", "false")"#,
        r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#,
        r#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#,
        "Not([IsSoftDeleted])",
        r#"Switch([IsSoftDeleted], "true", "False", "true", "True", "false")"#,
        r#"IIF([IsSoftDeleted], "0", "1")"#,
    ] {
        for mode in [ScimMode::Legacy, ScimMode::Compliant] {
            agree(expr, mode).unwrap();
        }
    }
}

#[test]
fn numeric_text_is_not_a_boolean_on_the_wire() {
    // Decision W3 (grammar/README.md): only what .NET's Boolean.TryParse reads becomes a JSON
    // boolean, so "0"/"1" travel as text in both modes and the rule says so.
    let v = verdicts(r#"IIF([IsSoftDeleted], "0", "1")"#, ScimMode::Compliant);
    assert_eq!(v[0], ((false, true), Wire::Text("1".into())));
    assert_eq!(v[1], ((true, false), Wire::Text("0".into())));
    // The capitalised Switch is right in both modes; Not is right only in compliant mode.
    let good = r#"Switch([IsSoftDeleted], , "False", "true", "True", "false")"#;
    for mode in [ScimMode::Legacy, ScimMode::Compliant] {
        assert!(
            verdicts(good, mode)
                .iter()
                .all(|((deleted, _), w)| *w == Wire::Bool(!deleted))
        );
    }
    let not = verdicts("Not([IsSoftDeleted])", ScimMode::Compliant);
    assert!(
        not.iter()
            .all(|((deleted, _), w)| *w == Wire::Bool(!deleted))
    );
    let not = verdicts("Not([IsSoftDeleted])", ScimMode::Legacy);
    assert_eq!(not[0].1, Wire::Text("True".into()));
}

/// Expressions over the two Boolean attributes and a few constants.
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => Just("[IsSoftDeleted]".to_string()),
        2 => Just("[accountEnabled]".to_string()),
        4 => proptest::sample::select(vec![
            "\"True\"", "\"False\"", "\"true\"", "\"false\"", "\"TRUE\"", "\" false \"",
            "\"0\"", "\"1\"", "\"\"", "\"yes\"",
        ])
        .prop_map(str::to_string),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            2 => inner.clone().prop_map(|x| format!("Not({x})")),
            1 => inner.clone().prop_map(|x| format!("ToLower({x})")),
            1 => inner.clone().prop_map(|x| format!("ToUpper({x})")),
            1 => inner.clone().prop_map(|x| format!("CStr({x})")),
            3 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("IIF({c}, {a}, {b})")),
            3 => (inner.clone(), proptest::option::of(inner.clone()), inner.clone(), inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(s, d, k1, v1, k2, v2)| {
                    format!("Switch({s}, {}, {k1}, {v1}, {k2}, {v2})", d.unwrap_or_default())
                }),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("IIF({a} = {b}, \"True\", \"False\")")),
            1 => (inner.clone(), inner).prop_map(|(a, b)| format!("Coalesce({a}, {b})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// The rule and the simulator agree on every generated `active` expression that reads
    /// IsSoftDeleted (the simulator sends only such mappings in a deactivation).
    #[test]
    fn rule_and_simulator_agree(e in expr(), compliant in any::<bool>()) {
        prop_assume!(e.contains("[IsSoftDeleted]"));
        let mode = if compliant { ScimMode::Compliant } else { ScimMode::Legacy };
        if let Err(why) = agree(&e, mode) {
            prop_assert!(false, "{}", why);
        }
    }
}
