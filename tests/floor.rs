//! `benches/compare.sh` times `entramap simulate --output resources` with
//! `fixtures/mappings/unleash-correct.json` against `floor-project` (`../shared/bench/floor`, a
//! hand-written serde projection of Graph users to SCIM users). The ratio means something only if
//! both do the same work: on the user set the script generates (every user enabled and assigned),
//! both must write the same users with the same values. The floor program lives outside this
//! repository, so its projection is restated here field by field (userName and the work email
//! from userPrincipalName, active unless accountEnabled is false, displayName, externalId from
//! mailNickname); entramap also writes `meta.resourceType`, which the floor leaves out.

mod common;

#[path = "../benches/support/users.rs"]
mod generated;

use serde_json::{Value, json};

const USERS: usize = 3_000;

/// What `floor-project` writes for one Graph user.
fn floor_project(user: &Value) -> Value {
    let text = |key: &str| user.get(key).and_then(Value::as_str).unwrap_or("");
    let upn = text("userPrincipalName");
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": upn,
        "active": user.get("accountEnabled") != Some(&Value::Bool(false)),
        "displayName": text("displayName"),
        "emails": [{"type": "work", "value": upn, "primary": true}],
        "externalId": text("mailNickname"),
    })
}

fn users(all_enabled: bool) -> String {
    let mut out = Vec::new();
    if all_enabled {
        generated::generate_users(USERS, 42, true, &mut out).unwrap();
    } else {
        generated::generate(USERS, 42, &mut out).unwrap();
    }
    String::from_utf8(out).unwrap()
}

fn simulate(users: &str, threads: &str) -> Vec<Value> {
    let (code, out, err) = common::run_with(
        &[
            "simulate",
            "--output",
            "resources",
            "--mapping",
            "fixtures/mappings/unleash-correct.json",
            "--now",
            "2025-01-01T00:00:00Z",
            "--threads",
            threads,
            "--users",
            "-",
        ],
        users,
    );
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn entramap_and_the_floor_write_the_same_users_on_the_compared_set() {
    let input = users(true);
    let wanted: Vec<Value> = input
        .lines()
        .map(|l| floor_project(&serde_json::from_str(l).unwrap()))
        .collect();
    assert_eq!(wanted.len(), USERS);
    for threads in ["1", "2"] {
        let got = simulate(&input, threads);
        assert_eq!(
            got.len(),
            USERS,
            "one resource per user on {threads} thread(s)"
        );
        for (i, (mut g, w)) in got.into_iter().zip(&wanted).enumerate() {
            let meta = g.as_object_mut().unwrap().remove("meta");
            assert_eq!(meta, Some(json!({"resourceType": "User"})));
            assert_eq!(&g, w, "user {i} on {threads} thread(s)");
        }
    }
}

#[test]
fn the_all_enabled_set_differs_from_the_mixed_one_only_in_enabled_and_assigned() {
    let mixed = users(false);
    let all = users(true);
    let mut changed = 0;
    for (m, a) in mixed.lines().zip(all.lines()) {
        let mut m: Value = serde_json::from_str(m).unwrap();
        let a: Value = serde_json::from_str(a).unwrap();
        assert_eq!(a["accountEnabled"], json!(true));
        assert!(a.get("assigned").is_none());
        let o = m.as_object_mut().unwrap();
        if o.remove("assigned").is_some() || o["accountEnabled"] == json!(false) {
            changed += 1;
        }
        o.insert("accountEnabled".into(), json!(true));
        assert_eq!(m, a);
    }
    // About 3 % disabled and 2 % unassigned in the mixed set: the floor would write those too,
    // so the compared set leaves them out.
    assert!((60..=300).contains(&changed), "{changed} users differ");
}
