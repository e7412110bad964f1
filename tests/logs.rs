//! `entramap logs`: each fixture lists exactly the repeated updates, errors and skips it was
//! built to contain (see fixtures/logs/README.md).

mod common;

use serde_json::Value;

/// One repeated-update group: attribute, cause, and each user with its cycle count.
type Group = (String, String, Vec<(String, u64)>);

fn logs(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["logs", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = common::run_with(&all, "");
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, json)
}

/// (attribute, cause, [(user, cycles)]) for every repeated-update group.
fn repeated(report: &Value) -> Vec<Group> {
    report["repeated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["attribute"].as_str().unwrap().to_string(),
                g["cause"].as_str().unwrap().to_string(),
                g["examples"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| {
                        (
                            x["user"].as_str().unwrap().to_string(),
                            x["cycles"].as_u64().unwrap(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn group(
    attribute: &str,
    cause: &str,
    users: &[(&str, u64)],
) -> (String, String, Vec<(String, u64)>) {
    (
        attribute.to_string(),
        cause.to_string(),
        users.iter().map(|(u, c)| (u.to_string(), *c)).collect(),
    )
}

const MGR: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
const EMP: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber";

#[test]
fn a_graph_page_lists_exactly_one_repeated_update_per_cause() {
    let (code, r) = logs(&["fixtures/logs/repeated-causes.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        repeated(&r),
        vec![
            group("active", "type-drift", &[("bob@contoso.com", 2)]),
            group("displayName", "case-drift", &[("ann@contoso.com", 3)]),
            group("roles", "order-drift", &[("cara@contoso.com", 2)]),
            group("title", "target-drops-value", &[("fay@contoso.com", 2)]),
            group(EMP, "value-changes", &[("eve@contoso.com", 3)]),
            group(MGR, "reference-not-echoed", &[("dan@contoso.com", 2)]),
        ]
    );
    // gus (one update) and hal (two updates in one cycle) are not repeated.
    assert_eq!(r["repeated_pairs"], 6);
    assert_eq!(r["failures"], 0);
    assert_eq!(r["version"], 1);
    let cycles = r["cycles"].as_array().unwrap();
    let ids: Vec<&str> = cycles
        .iter()
        .map(|c| c["cycle_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c1-0000", "c2-0000", "c3-0000"]);
    assert_eq!(cycles[0]["actions"]["create"], 1);
    assert_eq!(cycles[0]["actions"]["update"], 5);
    assert_eq!(cycles[0]["users"], 6);
    assert_eq!(cycles[2]["users"], 4);
    assert_eq!(cycles[1]["statuses"]["success"], 7);
}

#[test]
fn every_documented_error_code_is_grouped_with_its_meaning_and_remedy() {
    let (code, r) = logs(&["fixtures/logs/errors.json"]);
    assert_eq!(code, 1);
    assert_eq!(r["failures"], 21);
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 21);
    for e in errors {
        assert!(e["documented_as"].is_string(), "{e}");
        assert!(e["remedy"].as_str().unwrap().len() > 10, "{e}");
        assert_eq!(e["users"], 1);
    }
    let conflict = errors
        .iter()
        .find(|e| e["code"] == "ContosoEntryConflict")
        .unwrap();
    assert_eq!(conflict["documented_as"], "EntryConflict");
    assert_eq!(conflict["category"], "nonServiceFailure");
    assert_eq!(conflict["examples"][0], "user01@contoso.com");
    let timeout = errors.iter().find(|e| e["code"] == "Timeout").unwrap();
    assert_eq!(timeout["transient"], true);
    assert!(repeated(&r).is_empty());
}

#[test]
fn beta_spellings_in_json_lines_give_skip_reasons_and_a_case_drift() {
    let (code, r) = logs(&["fixtures/logs/skips-beta.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(
        repeated(&r),
        vec![group(
            "emails[type eq \"work\"].value",
            "case-drift",
            &[("ivy@contoso.com", 2)]
        )]
    );
    let skips: Vec<(String, u64)> = r["skips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["reason"].as_str().unwrap().to_string(),
                s["events"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64)> = [
        ("already-in-sync", 1),
        ("not-active", 1),
        ("not-assigned", 2),
        ("not-effectively-entitled", 1),
        ("out-of-scope", 1),
    ]
    .iter()
    .map(|(s, n)| (s.to_string(), *n))
    .collect();
    assert_eq!(skips, expected);
    assert_eq!(r["cycles"][0]["actions"]["other"], 5);
}

#[test]
fn the_three_file_csv_download_is_joined_on_the_change_id() {
    for input in [
        vec!["fixtures/logs/csv"],
        vec![
            "fixtures/logs/csv/ProvisioningLogs_ModifiedProperties.csv",
            "fixtures/logs/csv/ProvisioningLogs.csv",
            "fixtures/logs/csv/ProvisioningLogs_ProvisioningSteps.csv",
        ],
    ] {
        let (code, r) = logs(&input);
        assert_eq!(code, 1);
        assert_eq!(
            repeated(&r),
            vec![group(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "target-drops-value",
                &[("pat@contoso.com", 2)]
            )]
        );
        assert_eq!(r["errors"][0]["code"], "SchemaAttributeNotFound");
        assert_eq!(r["events"], 3);
    }
}

#[test]
fn several_files_add_up() {
    let (_, r) = logs(&[
        "fixtures/logs/repeated-causes.json",
        "fixtures/logs/errors.json",
    ]);
    assert_eq!(r["events"], 39);
    assert_eq!(r["repeated_pairs"], 6);
    assert_eq!(r["failures"], 21);
}

/// (attribute, line, column) of every repeated group's mapping.
fn places(r: &Value) -> Vec<(String, u64, u64)> {
    r["repeated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let m = &g["mapping"];
            (
                g["attribute"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
                m["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn mapping_points_each_repeated_attribute_at_its_line_in_yaml_and_graph_json() {
    let (_, yaml) = logs(&[
        "fixtures/logs/repeated-causes.json",
        "--mapping",
        "fixtures/logs/mapping.yaml",
    ]);
    let p = |a: &str, l, c| (a.to_string(), l, c);
    assert_eq!(
        places(&yaml),
        vec![
            p("active", 14, 17),
            p("displayName", 16, 17),
            p("roles", 22, 17),
            p("title", 20, 17),
            p(EMP, 26, 17),
            p(MGR, 24, 17),
        ]
    );
    let (_, json) = logs(&[
        "fixtures/logs/repeated-causes.json",
        "--mapping",
        "fixtures/logs/mapping.json",
    ]);
    assert_eq!(
        places(&json),
        vec![
            p("active", 83, 29),
            p("displayName", 97, 29),
            p("roles", 149, 29),
            p("title", 125, 29),
            p(EMP, 177, 29),
            p(MGR, 163, 29),
        ]
    );
    // The places are where the target names are written.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/logs/mapping.json"
    ))
    .unwrap();
    let line = text.lines().nth(82).unwrap();
    assert_eq!(&line[28..34], "active");
    let advice = json["repeated"][4]["mapping"]["advice"].as_str().unwrap();
    assert!(advice.contains("on create only"), "{advice}");
    let advice = json["repeated"][1]["mapping"]["advice"].as_str().unwrap();
    assert!(advice.contains("ToLower"), "{advice}");
}

#[test]
fn a_profile_calls_out_targets_the_app_does_not_persist() {
    let (_, r) = logs(&[
        "fixtures/logs/repeated-causes.json",
        "--mapping",
        "fixtures/logs/mapping.yaml",
        "--profile",
        "unleash",
    ]);
    assert_eq!(
        r["not_persisted"],
        serde_json::json!(["roles", "title", EMP, MGR])
    );
}

#[test]
fn errors_point_at_the_mapping_their_reason_names_or_the_matching_attribute() {
    let (_, r) = logs(&[
        "fixtures/logs/errors.json",
        "--mapping",
        "fixtures/logs/mapping.json",
    ]);
    let errors = r["errors"].as_array().unwrap();
    let of = |code: &str| errors.iter().find(|e| e["code"] == code).unwrap()["mappings"].clone();
    assert_eq!(of("DuplicateTargetEntries")[0]["target"], "userName");
    assert_eq!(of("DuplicateTargetEntries")[0]["line"], 14);
    assert_eq!(of("ImportSkipped")[0]["target"], "userName");
    assert_eq!(of("Timeout"), serde_json::json!([]));
}

#[test]
fn on_demand_predicts_the_changed_attribute_with_old_and_new_values() {
    let (code, r) = logs(&[
        "--on-demand",
        "fixtures/logs/on-demand/update.json",
        "--mapping",
        "fixtures/logs/on-demand/mapping.yaml",
    ]);
    assert_eq!(code, 0);
    let sends: Vec<(String, String, String)> = r["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["verdict"] == "send")
        .map(|p| {
            (
                p["target"].as_str().unwrap().to_string(),
                p["current"].as_str().unwrap().to_string(),
                p["local"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        sends,
        [(
            "title".to_string(),
            "Engineer".to_string(),
            "Senior Engineer".to_string()
        )]
    );
    let redundant = r["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["verdict"] == "redundant")
        .count();
    assert_eq!(redundant, 4);
    assert_eq!(r["differs"], serde_json::json!([]));
}

#[test]
fn on_demand_says_when_the_local_mapping_is_not_what_ran() {
    // The documented response: Entra skipped the user (RedundantExport) although the import
    // step's displayName ("Fill Bob") differs from the target's ("Bill Bob").
    let (code, r) = logs(&[
        "--on-demand",
        "fixtures/logs/on-demand/documented-skip.json",
        "--mapping",
        "fixtures/logs/on-demand/mapping.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(r["result"], "Skipped");
    assert_eq!(r["result_code"], "RedundantExport");
    assert_eq!(r["differs"], serde_json::json!(["displayName"]));
    let (_, text, _) = common::run_with(
        &[
            "logs",
            "--on-demand",
            "fixtures/logs/on-demand/documented-skip.json",
            "--mapping",
            "fixtures/logs/on-demand/mapping.yaml",
        ],
        "",
    );
    assert!(text.contains("send \"Bill Bob\" → \"Fill Bob\""), "{text}");
    assert!(
        text.contains("the mapping in the tenant is not this file"),
        "{text}"
    );
}

#[test]
fn logs_without_failures_or_repeats_exit_0() {
    let (code, r) = logs(&["fixtures/logs/on-demand/documented-skip.json"]);
    assert_eq!(code, 0);
    assert_eq!(r["skips"][0]["reason"], "already-in-sync");
}

#[test]
fn bad_input_is_a_load_error_with_its_position_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("entramap-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "broken.json",
            "{\"value\": [\n {\"cycleId\": \"c1\"},\n {\"cycleId\": }\n]}",
            ":3:14: not valid JSON",
        ),
        (
            "steps.json",
            "[{\"cycleId\":\"c1\",\"provisioningSteps\":5}]",
            ":1:39: invalid type",
        ),
        (
            "other.json",
            "{\"name\": \"package\"}",
            "not a provisioning event",
        ),
        (
            "cut.jsonl",
            "{\"cycleId\":\"c1\"}\n{\"cycleId\":",
            "truncated download",
        ),
        ("empty.json", "", "the file is empty"),
        ("other.csv", "a,b\n1,2\n", "no `Change ID` column"),
        (
            "pages.json",
            "[{\"value\": []}]",
            "element 0 of the array is not a provisioning event",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let (code, stdout, stderr) = common::run_with(&["logs", path.to_str().unwrap()], "");
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn markdown_and_human_formats_show_the_same_findings() {
    let (_, md, _) = common::run_with(&["logs", "-f", "markdown", "fixtures/logs/csv"], "");
    assert!(md.contains("| urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department | target-drops-value | 1 | 2 | pat@contoso.com |"), "{md}");
    let (_, human, _) = common::run_with(&["logs", "fixtures/logs/csv"], "");
    assert!(
        human.starts_with("3 events over 2 users in 2 cycles: 1 failure, 1 repeated update."),
        "{human}"
    );
}

#[test]
fn standard_input_is_read_as_json() {
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/logs/skips-beta.jsonl"
    ))
    .unwrap();
    let (code, stdout, _) = common::run_with(&["logs", "-f", "json", "-"], &page);
    assert_eq!(code, 1);
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["events"], 8);
    assert_eq!(r["repeated"][0]["cause"], "case-drift");
}
