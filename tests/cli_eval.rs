//! `entramap eval` as a user runs it.

mod common;

use common::run_with as run;
use serde_json::{Value, json};

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn fixture(path: &str) -> String {
    format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn lowercase_switch_keys_never_match_a_boolean() {
    let (code, out, _) = run(
        &[
            "eval",
            r#"Switch([IsSoftDeleted], , "false", "true", "true", "false")"#,
            "--set",
            "IsSoftDeleted=true",
            "--output",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert_eq!(
        json_of(&out),
        json!({"outcome": "no-value", "value": null, "error": null})
    );
}

#[test]
fn capitalised_switch_keys_match() {
    for (set, expect) in [
        ("IsSoftDeleted=true", "false"),
        ("IsSoftDeleted=False", "true"),
    ] {
        let (code, out, _) = run(
            &[
                "eval",
                r#"Switch([IsSoftDeleted], , "True", "false", "False", "true")"#,
                "--set",
                set,
                "--output",
                "json",
            ],
            "",
        );
        assert_eq!(code, 0);
        assert_eq!(
            json_of(&out),
            json!({"outcome": "value", "value": expect, "error": null})
        );
    }
}

#[test]
fn request_answers_like_graph() {
    let request = fixture("eval/parse-expression-request.json");
    let (code, out, err) = run(&["eval", "--request", &request], "");
    assert_eq!(code, 0, "{err}");
    let response = json_of(&out);
    assert_eq!(response["evaluationResult"], json!(["EN_US"]));
    assert_eq!(response["parsingSucceeded"], json!(true));
    assert_eq!(response["evaluationSucceeded"], json!(true));
    assert_eq!(response["error"], Value::Null);
    // The whole response is the one Graph documents, tree included.
    let documented =
        json_of(&std::fs::read_to_string(fixture("eval/parse-expression-response.json")).unwrap());
    assert_eq!(response, documented);
}

#[test]
fn request_from_stdin_with_graphs_unquoted_keys() {
    let body = r#"{ "expression": "Join(\" \", [givenName], [surname])",
        "testInputObject": { definition: null, properties: [
            { key: "givenName", value: "John" }, { key: "surname", value : "Smith" } ] } }"#;
    let (code, out, _) = run(&["eval", "--request", "-", "--output", "text"], body);
    assert_eq!(code, 0);
    assert_eq!(out, "John Smith\n");
}

#[test]
fn text_output_prints_one_line_per_value_and_nothing_for_no_value() {
    let (code, out, _) = run(&["eval", r#"Split("a,b,c", ",")"#], "");
    assert_eq!((code, out.as_str()), (0, "a\nb\nc\n"));
    let (code, out, err) = run(&["eval", "[missing]"], "");
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(err.contains("no-value"), "{err}");
    let (code, out, _) = run(
        &[
            "eval",
            "Not([accountEnabled])",
            "--set",
            "accountEnabled=TRUE",
        ],
        "",
    );
    assert_eq!((code, out.as_str()), (0, "False\n"));
}

#[test]
fn input_files_in_json_and_yaml() {
    let dir = std::env::temp_dir().join(format!("entramap-cli-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json_file = dir.join("user.json");
    std::fs::write(
        &json_file,
        r#"{"givenName": "Zoë", "surname": "Müller", "manager": null, "otherMails": ["a@x", "b@x"], "employeeId": 42}"#,
    )
    .unwrap();
    let yaml_file = dir.join("user.yaml");
    std::fs::write(
        &yaml_file,
        "givenName: Zoë\nsurname: Müller\notherMails: [a@x, b@x]\n",
    )
    .unwrap();
    for file in [&json_file, &yaml_file] {
        let (code, out, err) = run(
            &[
                "eval",
                r#"ToLower(NormalizeDiacritics(Join(".", [givenName], [surname], [manager], Item([otherMails], 2))))"#,
                "--input",
                file.to_str().unwrap(),
            ],
            "",
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, "zoe.muller.b@x\n");
    }
    let (code, out, _) = run(
        &[
            "eval",
            "[employeeId]",
            "--input",
            json_file.to_str().unwrap(),
            "--output",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert_eq!(json_of(&out)["value"], json!("42"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn clock_seed_and_existing_values() {
    let (_, out, _) = run(&["eval", "Now()", "--now", "2021-07-02T15:33:38Z"], "");
    assert_eq!(out, "7/2/2021 3:33:38 PM\n");
    let guid = |seed: &str| run(&["eval", "Guid()", "--seed", seed], "").1;
    assert_eq!(guid("1"), guid("1"));
    assert_ne!(guid("1"), guid("2"));
    let (_, out, _) = run(
        &[
            "eval",
            r#"SelectUniqueValue(Join("@", [u], "contoso.com"), Join("@", Join("", [u], "1"), "contoso.com"))"#,
            "--set",
            "u=jdoe",
            "--existing",
            "jdoe@contoso.com",
        ],
        "",
    );
    assert_eq!(out, "jdoe1@contoso.com\n");
}

#[test]
fn evaluation_errors_exit_1_pointing_at_the_call() {
    let (code, out, err) = run(
        &[
            "eval",
            r#"Join(" ", [a], Item([m], 3))"#,
            "--set",
            "m=x",
            "--set",
            "m=y",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(err.contains("index-out-of-range(EV012)"), "{err}");
    assert!(err.contains("Item([m], 3)"), "{err}");
    let (code, out, err) = run(
        &[
            "eval",
            r#"Error("AccountName is required")"#,
            "--output",
            "json",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(
        json_of(&out),
        json!({"outcome": "error", "value": null, "error": "AccountName is required"})
    );
    assert!(err.contains("error-function(EV018)"), "{err}");
    let (code, out, _) = run(
        &[
            "eval",
            r#"Replace([x], , "(", , "y", , )"#,
            "--set",
            "x=a",
            "--output",
            "graph",
        ],
        "",
    );
    assert_eq!(code, 1);
    let response = json_of(&out);
    assert_eq!(response["evaluationSucceeded"], json!(false));
    assert_eq!(response["error"]["code"], json!("invalid-regex"));
}

#[test]
fn single_app_role_assignment_fails_a_user_with_two_roles_as_entra_does() {
    let expr = "SingleAppRoleAssignment([appRoleAssignments])";
    let (code, out, err) = run(
        &[
            "eval",
            expr,
            "--set",
            "appRoleAssignments=Admin",
            "--set",
            "appRoleAssignments=Reader",
            "--output",
            "json",
        ],
        "",
    );
    assert_eq!(code, 1);
    let response = json_of(&out);
    assert_eq!(response["outcome"], json!("error"));
    let message = response["error"].as_str().unwrap();
    assert!(
        message.contains("No more than one app role assignment was expected")
            && message.contains("Admin, Reader"),
        "{message}"
    );
    assert!(err.contains("more-than-one-assignment(EV022)"), "{err}");
    let (code, out, _) = run(
        &[
            "eval",
            expr,
            "--set",
            "appRoleAssignments=Admin",
            "--output",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert_eq!(
        json_of(&out),
        json!({"outcome": "value", "value": "Admin", "error": null})
    );
}

#[test]
fn parse_errors_exit_1_and_usage_errors_exit_2() {
    let (code, _, err) = run(&["eval", "Join(\" \", [a]"], "");
    assert_eq!(code, 1);
    assert!(err.contains("missing-close-paren"), "{err}");
    let (code, out, _) = run(&["eval", "Join(", "--output", "graph"], "");
    assert_eq!(code, 1);
    assert_eq!(json_of(&out)["parsingSucceeded"], json!(false));
    for args in [
        &["eval", "[a]", "--set", "novalue"][..],
        &["eval", "[a]", "--set", "IsSoftDeleted=maybe"],
        &["eval", "[a]", "--now", "yesterday"],
        &["eval", "[a]", "--input", "/nonexistent/file.json"],
        &["eval"],
    ] {
        let (code, _, err) = run(args, "");
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}
